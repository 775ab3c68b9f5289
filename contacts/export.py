"""Export contacts as JSON (the contract other tools and checks rely on), CSV or vCard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from contacts.book import contact_query
from contacts.export_layouts import layout_csv, safe_cell, vcards
from contacts.exportid import contact_uid, store_id
from contacts.model import Contact, ContactTag, Enrollment, Message, SightingRow, utcnow
from contacts.survivorship import primary_first


def _load(session: Session, event: str = "", tag: str = "") -> list[Contact]:
    return list(
        session.scalars(
            contact_query(event, tag).options(
                selectinload(Contact.emails),
                selectinload(Contact.phones),
                selectinload(Contact.sightings).selectinload(SightingRow.source_file),
                selectinload(Contact.sightings).selectinload(SightingRow.event),
            )
        )
    )


def contact_status(contact: Contact, now: dt.datetime | None = None) -> str:
    """active, paused, replied, unsubscribed or bounced; a pause that has ended is active."""
    status = contact.status or "active"
    if status == "paused" and contact.paused_until and contact.paused_until <= (now or utcnow()):
        return "active"
    return status


def contact_dict(contact: Contact, messages: list[Message] | None = None) -> dict[str, Any]:
    """The JSON form of one contact (see the contract in DESIGN.md)."""
    emails = primary_first(contact.emails)
    phones = primary_first(contact.phones)
    sightings = sorted(contact.sightings, key=lambda s: (s.source_file.name, s.record, s.id))
    events: list[str] = []
    for s in sorted(contact.sightings, key=lambda s: s.id):
        if s.event.name not in events:
            events.append(s.event.name)
    return {
        "id": contact.id,
        "full_name": contact.full_name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "emails": [e.email for e in emails],
        "phones": [p.phone for p in phones],
        "company": contact.company,
        "title": contact.title,
        "status": contact_status(contact),
        "events": events,
        "sightings": [
            {
                "event": s.event.name,
                "source": s.source_file.name,
                "record": s.record,
                "flags": list(s.flags or []),
            }
            for s in sightings
        ],
        "messages": [
            {
                "sequence": m.enrollment.sequence,
                "stage": m.stage,
                "state": m.state,
                "message_id": m.message_id,
                # stored as naive UTC; written with its offset so no reader guesses the zone
                "due": m.due_at.replace(tzinfo=dt.UTC).isoformat() if m.due_at else None,
            }
            for m in messages or []
        ],
    }


def export_json_rows(
    session: Session, event: str = "", tag: str = "", extras: bool = False
) -> list[dict[str, Any]]:
    """Every contact that has at least one sighting (met at `event`, tagged `tag`), by id.

    With `extras`, rows also carry `linkedin` and `tags` (for the CSV layouts and vCards).
    """
    contacts = _load(session, event, tag)
    tags: dict[int, list[str]] = {}
    for contact_id, name in session.execute(
        sa.select(ContactTag.contact_id, ContactTag.tag).order_by(ContactTag.tag)
    ):
        tags.setdefault(contact_id, []).append(name)
    by_contact: dict[int, list[Message]] = {}
    for message in session.scalars(
        sa.select(Message)
        .join(Enrollment)
        .options(selectinload(Message.enrollment))
        .order_by(Message.contact_id, Enrollment.sequence, Message.stage_index, Message.id)
    ):
        by_contact.setdefault(message.contact_id, []).append(message)
    rows = [contact_dict(c, by_contact.get(c.id)) for c in contacts]
    if extras:
        for contact, row in zip(contacts, rows, strict=True):
            row["linkedin"], row["tags"] = contact.linkedin, tags.get(contact.id, [])
    return rows


CSV_COLUMNS = [
    "id",
    "full_name",
    "first_name",
    "last_name",
    "email",
    "other_emails",
    "phone",
    "company",
    "title",
    "events",
]


def export_csv(session: Session, layout: str = "", event: str = "", tag: str = "") -> str:
    """A flat CSV, one row per contact, formula-injection safe; or Google's/Outlook's layout."""
    if layout:
        return layout_csv(export_json_rows(session, event, tag, extras=True), layout)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in export_json_rows(session, event, tag):
        emails = row["emails"]
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    row["id"],
                    row["full_name"],
                    row["first_name"],
                    row["last_name"],
                    emails[0] if emails else "",
                    " ::: ".join(emails[1:]),
                    row["phones"][0] if row["phones"] else "",
                    row["company"],
                    row["title"],
                    " ::: ".join(row["events"]),
                )
            ]
        )
    return out.getvalue()


def export_vcard(session: Session, version: str = "3.0", event: str = "", tag: str = "") -> str:
    """All (or the filtered) contacts as vCard 3.0 or 4.0 in one UTF-8 file.

    Each card has the UID of its contact in this store, so ingesting the file again joins
    every card to its contact (`contacts.exportid`).
    """
    rows = export_json_rows(session, event, tag, extras=True)
    store = store_id(session)
    for row in rows:
        row["uid"] = contact_uid(store, row["id"]) if store else ""
    return vcards(rows, version)
