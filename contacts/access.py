"""Everything stored about a person, for an access request: `followup contacts show --all`.

`everything_about` gathers one contact's rows (emails with whether each is suppressed,
phones, tags, cadences, sightings with their event and file, match decisions, enrollments,
messages, interactions, and quarantined rows that mention an address) as one JSON-able
dict; `everything_about_address` does the same for an address that belongs to no contact.
Only reads; `contacts.forget` is what erases.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.footprint import find_footprint, mentions
from contacts.model import (
    Cadence,
    Contact,
    ContactPhone,
    ContactTag,
    Enrollment,
    Interaction,
    MatchDecision,
    Message,
    Quarantined,
    SightingRow,
)
from contacts.stoprules import email_key, is_suppressed


def _row(obj: Any) -> dict[str, Any]:
    """Every column of a row as JSON-able values (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _sighting(sighting: SightingRow) -> dict[str, Any]:
    """A sighting's columns with the names of its event and source file."""
    return {**_row(sighting), "event": sighting.event.name, "source": sighting.source_file.name}


def _quarantined(rows: Iterable[Quarantined]) -> list[dict[str, Any]]:
    """Quarantined rows with the name of the file each came from."""
    return [{"source": q.source_file.name, **_row(q)} for q in rows]


def _quarantined_mentioning(session: Session, needles: set[str]) -> list[dict[str, Any]]:
    return _quarantined(
        q
        for q in session.scalars(sa.select(Quarantined).order_by(Quarantined.id))
        if mentions([q.raw, q.reason], needles)
    )


def everything_about_address(session: Session, address: str) -> dict[str, Any] | None:
    """What is stored about an address that belongs to no contact (an access request).

    The same keys as `everything_about`, with `contact` None: quarantined rows that mention
    the address, sightings not matched to a contact yet, and messages sent to it; exactly
    what `forget` would erase. None when nothing mentions it.

    Example: a row quarantined for unreadable bytes is found by the address it holds.
    """
    if "@" not in address or not email_key(address):
        return None
    found = find_footprint(session, address)
    sightings = [
        _sighting(s)
        for s in session.scalars(
            sa.select(SightingRow)
            .where(SightingRow.id.in_(found.sighting_ids))
            .order_by(SightingRow.id)
        )
    ]
    messages = [_row(m) for m in found.messages]
    quarantined = _quarantined(
        session.scalars(
            sa.select(Quarantined)
            .where(Quarantined.id.in_(found.quarantined))
            .order_by(Quarantined.id)
        )
    )
    if not (sightings or messages or quarantined):
        return None
    empty: list[dict[str, Any]] = []
    return {
        "contact": None,
        "emails": [{"email": address.strip(), "suppressed": is_suppressed(session, address)}],
        "phones": empty,
        "tags": empty,
        "cadences": empty,
        "sightings": sightings,
        "match_decisions": empty,
        "enrollments": empty,
        "messages": messages,
        "interactions": empty,
        "quarantined": quarantined,
    }


def everything_about(session: Session, contact: Contact) -> dict[str, Any]:
    """Everything stored about one person (an access request), as one JSON-able dict."""
    cid = contact.id
    emails = list(contact.emails)
    needles = {e.email.lower() for e in emails} | {e.email_key for e in emails}

    def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return [_row(r) for r in session.scalars(sa.select(model).where(*where).order_by(model.id))]

    sightings = [
        _sighting(s)
        for s in session.scalars(
            sa.select(SightingRow).where(SightingRow.contact_id == cid).order_by(SightingRow.id)
        )
    ]
    quarantined = _quarantined_mentioning(session, needles)
    return {
        "contact": _row(contact),
        "emails": [
            {**_row(e), "suppressed": is_suppressed(session, e.email)}
            for e in sorted(emails, key=lambda e: e.id)
        ],
        "phones": rows(ContactPhone, ContactPhone.contact_id == cid),
        "tags": rows(ContactTag, ContactTag.contact_id == cid),
        "cadences": rows(Cadence, Cadence.contact_id == cid),
        "sightings": sightings,
        "match_decisions": rows(
            MatchDecision,
            sa.or_(MatchDecision.contact_id == cid, MatchDecision.other_contact_id == cid),
        ),
        "enrollments": rows(Enrollment, Enrollment.contact_id == cid),
        "messages": rows(Message, Message.contact_id == cid),
        "interactions": rows(Interaction, Interaction.contact_id == cid),
        "quarantined": quarantined,
    }
