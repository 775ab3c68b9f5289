"""Forget a person everywhere: `followup contacts forget ADDRESS|ID`.

`forget` erases the contact and every row that holds their data (sightings with their raw
fields, emails, phones, tags, cadences, match decisions, enrollments, messages and their
.eml files, interactions, quarantined rows that mention an address: their
`contacts.footprint`), scrubs their addresses from what is kept about others
(`contacts.scrub`), and leaves only a *hashed* suppression entry per address
(`stoprules.hashed_key`), so a later import cannot bring them back into a sequence: the
planner and the sender ask `is_suppressed`, which checks the plain and the hashed form.
The export files the drop folder keeps are redacted afterwards by `ingest.redact`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import InputError
from contacts.footprint import find_footprint
from contacts.matching.storage import forget_keys
from contacts.model import (
    MAX_ID,
    Cadence,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Enrollment,
    InboundMail,
    Interaction,
    MatchDecision,
    Message,
    Quarantined,
    SightingRow,
    SourceFile,
    Suppression,
)
from contacts.scrub import clean_outbox, scrub_others
from contacts.stoprules import email_key, hashed_key, is_suppressed
from contacts.store import session_scope


@dataclass
class ForgetResult:
    """What was erased: counts, and the .eml files the erased messages pointed at."""

    contacts: int = 0
    sightings: int = 0
    messages: int = 0
    quarantined: int = 0
    scrubbed: int = 0  # other people's sightings that mentioned an address
    eml_files: int = 0
    suppressions: int = 0
    files: list[str] = field(default_factory=list)  # the erased messages' .eml files
    addresses: set[str] = field(default_factory=set)  # every address of the person, lower case
    phones: set[str] = field(default_factory=set)  # the person's numbers, to find them in files
    linkedin: set[str] = field(default_factory=set)  # their profiles ('linkedin.com/in/ann')
    sources: set[Path] = field(default_factory=set)  # every file ever ingested, to check


def _erase_rows(
    session: Session, address: str, result: ForgetResult, contact_id: int | None = None
) -> set[str]:
    """Delete every row about the person (known by `address`, or by `contact_id` with
    `address` empty); returns the addresses (lower-cased) they used."""
    found = find_footprint(session, address, contact_id)
    contact_ids, sighting_ids = found.contact_ids, found.sighting_ids
    result.linkedin, result.phones = found.linkedin, found.phones
    message_ids = {m.id for m in found.messages}
    result.files.extend(m.eml_path for m in found.messages if m.eml_path)
    steps: list[sa.Delete | sa.Update] = [
        sa.delete(Interaction).where(
            sa.or_(Interaction.contact_id.in_(contact_ids), Interaction.message_id.in_(message_ids))
        ),
        sa.delete(InboundMail).where(
            sa.or_(InboundMail.contact_id.in_(contact_ids), InboundMail.message_id.in_(message_ids))
        ),
        sa.delete(Message).where(
            sa.or_(Message.id.in_(message_ids), Message.enrollment_id.in_(found.enrollment_ids))
        ),
        sa.delete(Enrollment).where(Enrollment.id.in_(found.enrollment_ids)),
        sa.delete(MatchDecision).where(
            sa.or_(
                MatchDecision.contact_id.in_(contact_ids),
                MatchDecision.other_contact_id.in_(contact_ids),
                MatchDecision.sighting_id.in_(sighting_ids),
            )
        ),
        sa.delete(ContactEmail).where(ContactEmail.contact_id.in_(contact_ids)),
        sa.delete(ContactPhone).where(ContactPhone.contact_id.in_(contact_ids)),
        sa.delete(ContactTag).where(ContactTag.contact_id.in_(contact_ids)),
        sa.delete(Cadence).where(Cadence.contact_id.in_(contact_ids)),
        sa.delete(SightingRow).where(SightingRow.id.in_(sighting_ids)),
        sa.update(Contact).where(Contact.id.in_(contact_ids)).values(merged_into=None),
        sa.delete(Contact).where(Contact.id.in_(contact_ids)),
        sa.delete(Quarantined).where(Quarantined.id.in_(found.quarantined)),
    ]
    forget_keys(session, sighting_ids)
    for step in steps:
        session.execute(step, execution_options={"synchronize_session": False})
    result.scrubbed = scrub_others(session, found.needles)
    result.contacts, result.sightings = len(contact_ids), len(sighting_ids)
    result.messages, result.quarantined = len(found.messages), len(found.quarantined)
    return found.needles


def _hash_suppressions(session: Session, addresses: set[str]) -> int:
    """Replace plain suppressions of the addresses by hashed ones (one per key)."""
    keys = {email_key(a) for a in addresses}
    session.execute(sa.delete(Suppression).where(Suppression.email_key.in_(keys)))
    added = 0
    for key in sorted(keys):
        if not is_suppressed(session, key):
            session.add(Suppression(email_key=hashed_key(key), reason="forgotten"))
            session.flush()
            added += 1
    return added


def _source_paths(session: Session) -> set[Path]:
    return {Path(p) for p in session.scalars(sa.select(SourceFile.path)) if p}


def forget_target(address: str) -> tuple[int | None, str]:
    """(contact id, '') or (None, address) for `forget`; an InputError for anything else."""
    text = address.strip()
    if text.isdigit():
        return int(text), ""
    if "@" not in text or not email_key(text):
        raise InputError(
            f"forget: {address!r} is neither an email address nor a contact id, e.g. "
            "ann@example.com or 12 (find it with `followup contacts search NAME`)"
        )
    return None, text


def forget(
    url: str | None,
    address: str,
    outbox: Path | None = None,
    project: Path | None = None,
) -> ForgetResult:
    """Erase a person, known by an email address or a contact id ("12"), from the store
    and the outbox; keep only hashed suppressions of their addresses.

    A contact id reaches people stored without an address (a LinkedIn row): everything
    about that contact is erased exactly as for an address, and its addresses, phones and
    profiles are returned for redacting the files.

    The database part is one transaction; after it commits, .eml files (those the outbox
    rows point at, and any file under `outbox` that mentions one of the addresses) are
    deleted. Relative paths stored in the database (.eml drafts) are looked up in the
    current folder, then in `project` (the configuration's folder). The export files
    themselves are not read here: `ingest.redact.redact_person` takes the result's
    addresses, phones and sources and redacts the copies the drop folder keeps.

    Raises:
        InputError: neither an email address nor the id of a contact.
    """
    contact_id, text = forget_target(address)
    result = ForgetResult()
    with session_scope(url) as session:
        if contact_id is not None:
            contact = session.get(Contact, contact_id) if contact_id <= MAX_ID else None
            if contact is None:
                raise InputError(
                    f"forget: no contact {contact_id}: give a contact id shown by `followup "
                    "contacts list` or `search`, or an email address"
                )
        sources = _source_paths(session)
        needles = _erase_rows(session, text, result, contact_id)
        result.suppressions = _hash_suppressions(session, needles)
    bases = [Path.cwd()] + ([project] if project is not None else [])
    result.eml_files = clean_outbox(outbox, result.files, bases, needles)
    result.addresses, result.sources = needles, sources
    return result
