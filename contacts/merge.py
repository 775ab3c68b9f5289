"""Merge two contacts, keep them apart, or undo a merge, always with a recorded decision.

A merge moves the loser's sightings, enrollments, tags, notes and interactions (and its
cadence and a stronger status: `contacts.relations`) to the survivor and copies its
emails and phones; the loser keeps its own emails and phones and points at the survivor
(`merged_into`). What moved is recorded in the decision, so nothing is deleted and
`unmerge` can restore both exactly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contacts.errors import InputError
from contacts.model import (
    Contact,
    ContactEmail,
    ContactPhone,
    MatchDecision,
)
from contacts.relations import take_over
from contacts.stoprules import merge_enrollments
from contacts.survivorship import refresh_contact


def get_contact(session: Session, contact_id: int) -> Contact:
    """The live contact with this id, or an InputError saying what to do."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise InputError(f"no contact {contact_id}; see `followup contacts list`")
    if contact.merged_into is not None:
        raise InputError(
            f"contact {contact_id} was merged into contact {contact.merged_into}; use that id"
        )
    return contact


def survivor_of(session: Session, contact: Contact | None) -> Contact | None:
    """The live contact a contact was merged into (following a chain of merges), itself
    when it was never merged, or None when the chain breaks or loops."""
    seen: set[int] = set()
    while contact is not None and contact.merged_into is not None and contact.id not in seen:
        seen.add(contact.id)
        contact = session.get(Contact, contact.merged_into)
    return None if contact is None or contact.merged_into is not None else contact


def _copy_identifiers(
    survivor: Contact, loser: Contact
) -> tuple[list[ContactEmail], list[ContactPhone]]:
    emails = {e.email_key for e in survivor.emails}
    phones = {p.phone for p in survivor.phones}
    new_emails = [
        ContactEmail(email=e.email, email_key=e.email_key, sighting_id=e.sighting_id)
        for e in loser.emails
        if e.email_key not in emails
    ]
    new_phones = [
        ContactPhone(phone=p.phone, sighting_id=p.sighting_id)
        for p in loser.phones
        if p.phone not in phones
    ]
    survivor.emails.extend(new_emails)
    survivor.phones.extend(new_phones)
    return new_emails, new_phones


def merge_contacts(
    session: Session,
    survivor: Contact,
    loser: Contact,
    rule: str,
    evidence: dict[str, Any],
    score: float = 0.0,
) -> MatchDecision:
    """Merge `loser` into `survivor` and record the decision (with what moved, for unmerge)."""
    session.flush()
    sightings = [s.id for s in loser.sightings]
    for sighting in list(loser.sightings):
        sighting.contact_id = survivor.id
    new_emails, new_phones = _copy_identifiers(survivor, loser)
    session.flush()
    enrollments = merge_enrollments(session, survivor.id, loser.id)
    relations = take_over(session, survivor, loser)
    loser.merged_into = survivor.id
    session.expire(survivor, ["sightings"])
    session.expire(loser, ["sightings"])
    refresh_contact(session, survivor)
    decision = MatchDecision(
        kind="merge",
        contact_id=survivor.id,
        other_contact_id=loser.id,
        rule=rule,
        score=score,
        evidence={
            **evidence,
            "sightings": sightings,
            "copied_emails": [e.id for e in new_emails],
            "copied_phones": [p.id for p in new_phones],
            "enrollments": enrollments.moved,
            "superseded": enrollments.superseded,
            **relations,
            "cancelled": {**enrollments.cancelled, **relations["cancelled"]},
        },
    )
    session.add(decision)
    session.flush()
    return decision


def keep_separate(session: Session, a: Contact, b: Contact, rule: str = "manual") -> MatchDecision:
    """Remember that two contacts are different people: no later match joins them."""
    decision = MatchDecision(
        kind="separate",
        contact_id=a.id,
        other_contact_id=b.id,
        rule=rule,
        evidence={"left": [s.id for s in a.sightings], "right": [s.id for s in b.sightings]},
    )
    session.add(decision)
    session.flush()
    return decision
