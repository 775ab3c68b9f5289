"""Export contacts as JSON (the contract other tools and checks rely on), CSV or vCard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa
import vobject
from sqlalchemy.orm import Session, selectinload

from contacts.model import Contact, Enrollment, Message, SightingRow, utcnow


def _load(session: Session) -> list[Contact]:
    return list(
        session.scalars(
            sa.select(Contact)
            .where(Contact.sightings.any())
            .options(
                selectinload(Contact.emails),
                selectinload(Contact.phones),
                selectinload(Contact.sightings).selectinload(SightingRow.source_file),
                selectinload(Contact.sightings).selectinload(SightingRow.event),
            )
            .order_by(Contact.id)
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
    emails = sorted(contact.emails, key=lambda e: (not e.is_primary, e.id))
    phones = sorted(contact.phones, key=lambda p: (not p.is_primary, p.id))
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
            {"event": s.event.name, "source": s.source_file.name, "record": s.record}
            for s in sightings
        ],
        "messages": [
            {
                "sequence": m.enrollment.sequence,
                "stage": m.stage,
                "state": m.state,
                "message_id": m.message_id,
                "due": m.due_at.isoformat() if m.due_at else None,
            }
            for m in messages or []
        ],
    }


def export_json_rows(session: Session) -> list[dict[str, Any]]:
    """Every contact that has at least one sighting, in id order."""
    contacts = _load(session)
    by_contact: dict[int, list[Message]] = {}
    for message in session.scalars(
        sa.select(Message)
        .join(Enrollment)
        .options(selectinload(Message.enrollment))
        .order_by(Message.contact_id, Enrollment.sequence, Message.stage_index, Message.id)
    ):
        by_contact.setdefault(message.contact_id, []).append(message)
    return [contact_dict(c, by_contact.get(c.id)) for c in contacts]


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


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheets: neutralize it.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def export_csv(session: Session) -> str:
    """A flat CSV, one row per contact, formula-injection safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in export_json_rows(session):
        emails = row["emails"]
        writer.writerow(
            [
                _safe_cell(str(v))
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


def export_vcard(session: Session) -> str:
    """All contacts as vCard 3.0 in one UTF-8 file."""
    cards = []
    for row in export_json_rows(session):
        card = vobject.vCard()
        card.add("fn").value = row["full_name"] or (row["emails"] or ["(no name)"])[0]
        card.add("n").value = vobject.vcard.Name(family=row["last_name"], given=row["first_name"])
        for email in row["emails"]:
            prop = card.add("email")
            prop.value = email
            prop.type_param = "INTERNET"
        for phone in row["phones"]:
            card.add("tel").value = phone
        if row["company"]:
            card.add("org").value = [row["company"]]
        if row["title"]:
            card.add("title").value = row["title"]
        cards.append(card.serialize())
    return "".join(cards)
