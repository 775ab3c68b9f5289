"""Matching: resolve unmatched sightings into contacts (first version: exact identifiers).

Rules, strongest first, each a named level recorded with its evidence:
`linkedin-exact` (same canonical profile URL), `email-exact` (same canonical email key).
A sighting that matches no contact founds a new one (`new-contact`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import Contact, ContactEmail, ContactPhone, MatchDecision, SightingRow
from contacts.store import session_scope
from contacts.survivorship import refresh_contact


@dataclass
class MatchResult:
    sightings: int = 0
    new_contacts: int = 0
    matched: int = 0
    review: int = 0


def _find_contact(session: Session, sighting: SightingRow) -> tuple[Contact, str, dict] | None:
    if sighting.linkedin:
        contact = session.scalar(
            sa.select(Contact).where(Contact.linkedin == sighting.linkedin).order_by(Contact.id)
        )
        if contact is not None:
            return contact, "linkedin-exact", {"linkedin": sighting.linkedin}
    for key in sighting.email_keys:
        contact_id = session.scalar(
            sa.select(ContactEmail.contact_id)
            .where(ContactEmail.email_key == key)
            .order_by(ContactEmail.contact_id)
        )
        if contact_id is not None:
            return session.get_one(Contact, contact_id), "email-exact", {"email": key}
    return None


def attach(session: Session, contact: Contact, sighting: SightingRow) -> None:
    """Make `sighting` part of `contact`, keeping every email and phone with its source."""
    sighting.contact = contact
    known_emails = {e.email_key for e in contact.emails}
    for email, key in zip(sighting.emails, sighting.email_keys, strict=False):
        if key not in known_emails:
            contact.emails.append(ContactEmail(email=email, email_key=key, sighting_id=sighting.id))
            known_emails.add(key)
    known_phones = {p.phone for p in contact.phones}
    for phone in sighting.phones:
        if phone not in known_phones:
            contact.phones.append(ContactPhone(phone=phone, sighting_id=sighting.id))
            known_phones.add(phone)
    session.flush()


def match_pending(url: str | None = None) -> MatchResult:
    """Resolve every sighting that has no contact yet, in a stable order (by file, record)."""
    result = MatchResult()
    with session_scope(url) as session:
        pending = session.scalars(
            sa.select(SightingRow)
            .where(SightingRow.contact_id.is_(None))
            .order_by(SightingRow.source_file_id, SightingRow.record)
        ).all()
        touched: set[int] = set()
        for sighting in pending:
            result.sightings += 1
            found = _find_contact(session, sighting)
            if found is None:
                contact = Contact()
                session.add(contact)
                session.flush()
                rule, evidence = "new-contact", dict[str, str]()
                result.new_contacts += 1
                kind = "new"
            else:
                contact, rule, evidence = found
                result.matched += 1
                kind = "join"
            attach(session, contact, sighting)
            # Display fields must be current before the next sighting looks for a match.
            refresh_contact(session, contact)
            touched.add(contact.id)
            session.add(
                MatchDecision(
                    kind=kind,
                    sighting_id=sighting.id,
                    contact_id=contact.id,
                    rule=rule,
                    score=1.0,
                    evidence=evidence,
                )
            )
    return result
