"""Personal data: forget a person everywhere, or show everything stored about them.

`forget` erases the contact and every row that holds their data (sightings with their raw
fields, emails, phones, tags, cadences, match decisions, enrollments, messages and their
.eml files, interactions, quarantined rows that mention an address), redacts them from the
export files the drop folder keeps (`ingest.redact`), and leaves only a
*hashed* suppression entry per address (`stoprules.hashed_key`), so a later import
cannot bring them back into a sequence: the planner and the sender ask `is_suppressed`,
which checks the plain and the hashed form.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import InputError
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
    MatchKey,
    Message,
    Quarantined,
    SightingRow,
    SourceFile,
    Suppression,
)
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


def _mentions(raw: Any, needles: set[str]) -> bool:
    text = json.dumps(raw, ensure_ascii=False).lower()
    return any(n in text for n in needles)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """The value with every mention of the addresses replaced by '[forgotten]'."""
    if isinstance(value, str):
        return pattern.sub("[forgotten]", value)
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    return value


def _pattern(needles: set[str]) -> re.Pattern[str]:
    if not needles:
        return re.compile(r"(?!)")  # no address: matches nothing (an empty pattern matches all)
    return re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.I)


def _scrub_others(session: Session, needles: set[str]) -> int:
    """Remove the addresses from what remains about other people (their sightings' raw
    fields and notes, their messages' bodies, their interaction log); returns how many
    records changed. Call it after the person's own rows are deleted."""
    pattern, scrubbed = _pattern(needles), 0
    fields = (
        (SightingRow, ("raw", "notes", "lead")),
        (Message, ("subject", "body_text", "body_html")),
        (Interaction, ("detail",)),
    )
    for model, names in fields:
        for row in session.scalars(sa.select(model).order_by(model.id)):
            values = [getattr(row, name) for name in names]
            if _mentions(values, needles):
                for name, value in zip(names, values, strict=True):
                    setattr(row, name, _scrub(value, pattern))
                scrubbed += 1
    session.flush()
    return scrubbed


def _erase_rows(
    session: Session, address: str, result: ForgetResult, contact_id: int | None = None
) -> set[str]:
    """Delete every row about the person (known by `address`, or by `contact_id` with
    `address` empty); returns the addresses (lower-cased) they used."""
    key = email_key(address) if address else ""
    if contact_id is not None:
        contact_ids = {contact_id}
    else:
        contact_ids = set(
            session.scalars(sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == key))
        )
    # A merge keeps the merged contact's rows (for unmerge): they are the same person.
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
            break
        contact_ids |= merged
    needles = {address.strip().lower(), key} if address else set()
    needles |= {
        e.lower()
        for e in session.scalars(
            sa.select(ContactEmail.email).where(ContactEmail.contact_id.in_(contact_ids))
        )
    }
    keys = {email_key(n) for n in needles}
    result.linkedin = {
        p
        for p in session.scalars(
            sa.select(SightingRow.linkedin).where(SightingRow.contact_id.in_(contact_ids))
        )
        if p
    }
    result.phones = set(
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
    message_ids = {m.id for m in messages}
    result.files.extend(m.eml_path for m in messages if m.eml_path)
    enrollment_ids = set(
        session.scalars(sa.select(Enrollment.id).where(Enrollment.contact_id.in_(contact_ids)))
    )
    enrollment_ids |= {m.enrollment_id for m in messages}
    quarantined = [
        q.id
        for q in session.scalars(sa.select(Quarantined))
        if _mentions([q.raw, q.reason], needles)
    ]
    steps: list[sa.Delete | sa.Update] = [
        sa.delete(Interaction).where(
            sa.or_(Interaction.contact_id.in_(contact_ids), Interaction.message_id.in_(message_ids))
        ),
        sa.delete(InboundMail).where(
            sa.or_(InboundMail.contact_id.in_(contact_ids), InboundMail.message_id.in_(message_ids))
        ),
        sa.delete(Message).where(
            sa.or_(Message.id.in_(message_ids), Message.enrollment_id.in_(enrollment_ids))
        ),
        sa.delete(Enrollment).where(Enrollment.id.in_(enrollment_ids)),
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
        sa.delete(MatchKey).where(MatchKey.sighting_id.in_(sighting_ids)),
        sa.delete(SightingRow).where(SightingRow.id.in_(sighting_ids)),
        sa.update(Contact).where(Contact.id.in_(contact_ids)).values(merged_into=None),
        sa.delete(Contact).where(Contact.id.in_(contact_ids)),
        sa.delete(Quarantined).where(Quarantined.id.in_(quarantined)),
    ]
    for step in steps:
        session.execute(step, execution_options={"synchronize_session": False})
    result.scrubbed = _scrub_others(session, needles)
    result.contacts, result.sightings = len(contact_ids), len(sighting_ids)
    result.messages, result.quarantined = len(messages), len(quarantined)
    return needles


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


def _addressed_to(data: bytes, needles: set[str]) -> bool:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(data)
    people = " ".join(str(headers.get(h, "")) for h in ("To", "From", "Cc", "Bcc")).lower()
    return any(n in people for n in needles)


def _resolve(stored: str, bases: list[Path]) -> Path:
    """A stored .eml path: absolute as is; a relative one (rows written as `data/outbox/…`)
    against the first base folder where it exists (the current folder, then the project's)."""
    path = Path(stored)
    if path.is_absolute():
        return path
    for base in bases:
        if (base / path).is_file():
            return base / path
    return path


def _clean_outbox(outbox: Path | None, erased: set[Path], needles: set[str]) -> int:
    """Delete the person's .eml files; scrub mentions of them from other people's drafts."""
    deleted = 0
    erased = {p.resolve() for p in erased}
    candidates = set(erased)
    if outbox is not None and outbox.is_dir():
        candidates |= {p.resolve() for p in outbox.rglob("*.eml")}
    pattern = _pattern(needles)
    for path in sorted(candidates):
        if not path.is_file():
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        if path in erased or _addressed_to(data, needles):
            path.unlink()
            deleted += 1
        elif pattern.search(text):
            path.write_bytes(pattern.sub("[forgotten]", text).encode("utf-8"))
    return deleted


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
    erased = {_resolve(p, bases) for p in result.files}
    result.eml_files = _clean_outbox(outbox, erased, needles)
    result.addresses, result.sources = needles, sources
    return result


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row as JSON-able values (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _quarantined_mentioning(session: Session, needles: set[str]) -> list[dict[str, Any]]:
    return [
        {"source": q.source_file.name, **_row(q)}
        for q in session.scalars(sa.select(Quarantined).order_by(Quarantined.id))
        if _mentions([q.raw, q.reason], needles)
    ]


def everything_about_address(session: Session, address: str) -> dict[str, Any] | None:
    """What is stored about an address that belongs to no contact (an access request).

    The same keys as `everything_about`, with `contact` None: quarantined rows that mention
    the address, sightings not matched to a contact yet, and messages sent to it; exactly
    what `forget` would erase. None when nothing mentions it.

    Example: a row quarantined for unreadable bytes is found by the address it holds.
    """
    key = email_key(address)
    if "@" not in address or not key:
        return None
    needles = {address.strip().lower(), key}
    sightings = []
    for s in session.scalars(
        sa.select(SightingRow).where(SightingRow.contact_id.is_(None)).order_by(SightingRow.id)
    ):
        if key in (s.email_keys or []):
            item = _row(s)
            item["event"], item["source"] = s.event.name, s.source_file.name
            sightings.append(item)
    messages = [
        _row(m)
        for m in session.scalars(sa.select(Message).order_by(Message.id))
        if email_key(m.to_addr) == key
    ]
    quarantined = _quarantined_mentioning(session, needles)
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

    sightings = []
    for s in session.scalars(
        sa.select(SightingRow).where(SightingRow.contact_id == cid).order_by(SightingRow.id)
    ):
        item = _row(s)
        item["event"], item["source"] = s.event.name, s.source_file.name
        sightings.append(item)
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
