"""Undo the latest merge into a contact: `followup contacts unmerge ID`.

Two kinds of decision can be undone. A `merge` of two stored contacts is reversed
exactly: the loser gets its sightings and enrollments back, the copies of its emails and
phones leave the survivor, and both show what they showed before. A `join` (sightings
that an import matched into an existing contact) is reversed by moving those sightings to
a new contact. Either way a keep-separate decision stops the next import re-joining them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import InputError
from contacts.merge import get_contact, keep_separate
from contacts.model import (
    Contact,
    ContactEmail,
    ContactPhone,
    Enrollment,
    MatchDecision,
    Message,
    SightingRow,
    utcnow,
)
from contacts.relations import give_back
from contacts.survivorship import attach, refresh_contact


def _undo_merge(session: Session, survivor: Contact, decision: MatchDecision) -> Contact:
    loser = session.get_one(Contact, decision.other_contact_id)
    evidence = decision.evidence
    session.execute(
        sa.update(SightingRow)
        .where(SightingRow.id.in_(evidence["sightings"]))
        .values(contact_id=loser.id)
    )
    session.execute(sa.delete(ContactEmail).where(ContactEmail.id.in_(evidence["copied_emails"])))
    session.execute(sa.delete(ContactPhone).where(ContactPhone.id.in_(evidence["copied_phones"])))
    for enrollment_id in evidence.get("enrollments", []):
        session.execute(
            sa.update(Enrollment).where(Enrollment.id == enrollment_id).values(contact_id=loser.id)
        )
        session.execute(
            sa.update(Message)
            .where(Message.enrollment_id == enrollment_id)
            .values(contact_id=loser.id)
        )
    session.execute(
        sa.update(Enrollment)
        .where(Enrollment.id.in_(evidence.get("superseded", [])))
        .values(state="active", reason="")
    )
    give_back(session, survivor, loser, evidence)
    loser.merged_into = None
    return loser


def _undo_join(session: Session, contact: Contact, decisions: list[MatchDecision]) -> Contact:
    ids = sorted(d.sighting_id for d in decisions if d.sighting_id is not None)
    session.execute(
        sa.delete(ContactEmail).where(
            ContactEmail.contact_id == contact.id, ContactEmail.sighting_id.in_(ids)
        )
    )
    session.execute(
        sa.delete(ContactPhone).where(
            ContactPhone.contact_id == contact.id, ContactPhone.sighting_id.in_(ids)
        )
    )
    split = Contact()
    session.add(split)
    session.flush()
    session.expire(contact)
    for sighting in session.scalars(sa.select(SightingRow).where(SightingRow.id.in_(ids))):
        attach(split, sighting)
    return split


def unmerge(session: Session, contact_id: int) -> tuple[Contact, Contact, MatchDecision]:
    """Split off what was merged or matched into the contact last; returns (kept, split, why)."""
    contact = get_contact(session, contact_id)
    latest = session.scalars(
        sa.select(MatchDecision)
        .where(
            MatchDecision.contact_id == contact.id,
            MatchDecision.kind.in_(("merge", "join")),
            MatchDecision.undone_at.is_(None),
        )
        .order_by(MatchDecision.id.desc())
    ).first()
    if latest is None:
        raise InputError(f"contact {contact_id} has nothing merged into it; nothing to undo")
    if latest.kind == "merge":
        decisions = [latest]
        split = _undo_merge(session, contact, latest)
    else:
        decisions = list(
            session.scalars(
                sa.select(MatchDecision).where(
                    MatchDecision.contact_id == contact.id,
                    MatchDecision.kind == "join",
                    MatchDecision.undone_at.is_(None),
                )
            )
        )
        decisions = [d for d in decisions if d.evidence.get("run") == latest.evidence.get("run")]
        split = _undo_join(session, contact, decisions)
    now = utcnow()
    for decision in decisions:
        decision.undone_at = now
    session.flush()
    session.expire_all()
    for changed in (contact, split):
        refresh_contact(session, changed)
    keep_separate(session, contact, split, rule="unmerge")
    return contact, split, latest
