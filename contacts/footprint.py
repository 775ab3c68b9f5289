"""What the store holds about one person: the rows `contacts.forget` erases.

A person is known by an email address or by a contact id. Their footprint is every contact
that is the same person (a merge keeps the merged contact's rows for unmerge, so the chain
is followed both ways), the addresses those contacts use, their phones and LinkedIn
profiles, their sightings (and sightings not matched to a contact yet that carry one of
the addresses), the messages to them with their enrollments, and the quarantined rows that
mention an address. Finding is kept apart from erasing: this module only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import (
    Contact,
    ContactEmail,
    ContactPhone,
    Enrollment,
    Message,
    Quarantined,
    SightingRow,
)
from contacts.stoprules import email_key


def mentions(raw: Any, needles: set[str]) -> bool:
    """Whether any of the lower-case `needles` occurs anywhere in `raw` (any JSON-able value).

    Example: `mentions({"Email": "Ann@Example.com"}, {"ann@example.com"})` is True.
    """
    text = json.dumps(raw, ensure_ascii=False).lower()
    return any(n in text for n in needles)


@dataclass
class Footprint:
    """The ids and values of everything stored about one person."""

    contact_ids: set[int]
    needles: set[str]  # every address of the person (lower case) and its key
    linkedin: set[str]  # their profiles ('linkedin.com/in/ann')
    phones: set[str]
    sighting_ids: set[int]
    messages: list[Message]  # by id
    enrollment_ids: set[int]
    quarantined: list[int]  # ids of quarantined rows that mention an address


def _same_person(session: Session, contact_ids: set[int]) -> set[int]:
    """The contacts, with every contact merged into one of them or that one was merged into."""
    contact_ids = set(contact_ids)
    while True:
        merged = set(
            session.scalars(
                sa.select(Contact.id).where(
                    sa.or_(
                        Contact.merged_into.in_(contact_ids),
                        Contact.id.in_(
                            sa.select(Contact.merged_into).where(Contact.id.in_(contact_ids))
                        ),
                    )
                )
            )
        )
        if merged <= contact_ids:
            return contact_ids
        contact_ids |= merged


def find_footprint(session: Session, address: str, contact_id: int | None = None) -> Footprint:
    """Everything about the person known by `address`, or by `contact_id` with `address` empty."""
    key = email_key(address) if address else ""
    if contact_id is not None:
        contact_ids = {contact_id}
    else:
        contact_ids = set(
            session.scalars(sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == key))
        )
    contact_ids = _same_person(session, contact_ids)
    needles = {address.strip().lower(), key} if address else set()
    needles |= {
        e.lower()
        for e in session.scalars(
            sa.select(ContactEmail.email).where(ContactEmail.contact_id.in_(contact_ids))
        )
    }
    keys = {email_key(n) for n in needles}
    linkedin = {
        p
        for p in session.scalars(
            sa.select(SightingRow.linkedin).where(SightingRow.contact_id.in_(contact_ids))
        )
        if p
    }
    phones = set(
        session.scalars(
            sa.select(ContactPhone.phone).where(ContactPhone.contact_id.in_(contact_ids))
        )
    )
    sighting_ids = set(
        session.scalars(sa.select(SightingRow.id).where(SightingRow.contact_id.in_(contact_ids)))
    )
    # Sightings not (yet) matched to a contact may carry the address too.
    for sid, found in session.execute(
        sa.select(SightingRow.id, SightingRow.email_keys).where(SightingRow.contact_id.is_(None))
    ):
        if keys & set(found or []):
            sighting_ids.add(sid)
    messages = [
        m
        for m in session.scalars(sa.select(Message).order_by(Message.id))
        if m.contact_id in contact_ids or email_key(m.to_addr) in keys
    ]
    enrollment_ids = set(
        session.scalars(sa.select(Enrollment.id).where(Enrollment.contact_id.in_(contact_ids)))
    )
    enrollment_ids |= {m.enrollment_id for m in messages}
    quarantined = [
        q.id
        for q in session.scalars(sa.select(Quarantined))
        if mentions([q.raw, q.reason], needles)
    ]
    return Footprint(
        contact_ids=contact_ids,
        needles=needles,
        linkedin=linkedin,
        phones=phones,
        sighting_ids=sighting_ids,
        messages=messages,
        enrollment_ids=enrollment_ids,
        quarantined=quarantined,
    )
