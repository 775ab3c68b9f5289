"""The contact book: list, search and show contacts; notes, tags and the interaction log.

A contact is referred to by its id or by any of its email addresses. The interaction log
(`timeline`) merges what the store already knows (sightings: "met at event X"; sent
messages: "emailed stage N") with the `interactions` table (replies, bounces, notes, ...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from contacts.errors import InputError, printable
from contacts.events import slugify
from contacts.merge import survivor_of
from contacts.model import (
    MAX_ID,
    Contact,
    ContactEmail,
    ContactTag,
    Enrollment,
    Event,
    Interaction,
    Message,
    SightingRow,
)
from contacts.stoprules import STATUSES, email_key
from contacts.survivorship import primary_first

# Interactions with the person (not notes about them): these reset a keep-in-touch clock.
TOUCH_KINDS = ("met", "emailed", "replied")


@dataclass
class BookEntry:
    """One line of the book: what `contacts list` and `contacts search` show."""

    id: int
    name: str
    email: str
    company: str
    title: str
    status: str
    events: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    """One interaction: when, what kind (met, emailed, replied, note, ...), and details."""

    at: dt.datetime
    kind: str
    detail: str


def find_contact(session: Session, ref: str | int) -> Contact:
    """A contact by id ("12") or by one of its email addresses, or a clear error.

    A contact that was merged into another leads to the one it was merged into (what it
    carried moved there), so a note or tag never lands on a contact no list shows.
    """
    text = str(ref).strip()
    contact: Contact | None = None
    if text.isdigit():
        contact = session.get(Contact, int(text)) if int(text) <= MAX_ID else None
    elif "@" in text:
        contact_id = session.scalar(
            sa.select(ContactEmail.contact_id)
            .where(ContactEmail.email_key == email_key(text))
            .order_by(ContactEmail.contact_id)
        )
        contact = session.get(Contact, contact_id) if contact_id else None
    contact = survivor_of(session, contact)
    if contact is None:
        raise InputError(
            f"no contact {text!r}: give a contact id or email address "
            "(find it with `followup contacts search NAME`)"
        )
    return contact


def normalize_tag(tag: str) -> str:
    """Tags are compared lower-cased and without surrounding space; empty tags are refused."""
    cleaned = " ".join(tag.split()).lower()
    if not cleaned or len(cleaned) > 64:
        raise InputError(f"tag {tag!r}: use 1 to 64 characters, e.g. `mentor`")
    return cleaned


def check_status(status: str) -> str:
    """A `--status` filter, refused unless it is a known status (an empty one passes)."""
    if status and status not in STATUSES:
        raise InputError(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    return status


def check_tag(session: Session, tag: str) -> str:
    """A `--tag` filter as stored (normalized), refused when no contact has it: a typo
    would otherwise select nobody and look like an empty book. An empty tag passes.

    Example: with contacts tagged mentor and recruiter, `check_tag(session, "nope")` raises
    InputError("no contact is tagged 'nope'; tags in use: mentor, recruiter").
    """
    if not tag:
        return ""
    cleaned = normalize_tag(tag)
    in_use = sorted(set(session.scalars(sa.select(ContactTag.tag))))
    if cleaned not in in_use:
        known = ", ".join(in_use) or "none yet (add one with `followup contacts tag ID TAG`)"
        raise InputError(f"no contact is tagged {cleaned!r}; tags in use: {known}")
    return cleaned


def contact_query(event: str = "", tag: str = "", status: str = "") -> sa.Select[Any]:
    query = sa.select(Contact).where(Contact.sightings.any()).order_by(Contact.id)
    if event:
        query = query.where(
            Contact.sightings.any(SightingRow.event.has(Event.slug == slugify(event)))
        )
    if tag:
        tagged = sa.select(ContactTag.contact_id).where(ContactTag.tag == normalize_tag(tag))
        query = query.where(Contact.id.in_(tagged))
    if status:
        query = query.where(Contact.status == status)
    return query


def _entries(session: Session, query: sa.Select[Any]) -> list[BookEntry]:
    contacts = session.scalars(
        query.options(
            selectinload(Contact.emails),
            selectinload(Contact.sightings).selectinload(SightingRow.event),
        )
    ).all()
    ids = [c.id for c in contacts]
    tags: dict[int, list[str]] = {}
    for contact_id, tag in session.execute(
        sa.select(ContactTag.contact_id, ContactTag.tag)
        .where(ContactTag.contact_id.in_(ids))
        .order_by(ContactTag.tag)
    ):
        tags.setdefault(contact_id, []).append(tag)
    entries = []
    for c in contacts:
        primary = primary_first(c.emails)
        events: list[str] = []
        for s in c.sightings:
            if s.event.name not in events:
                events.append(s.event.name)
        entries.append(
            BookEntry(
                id=c.id,
                name=c.full_name,
                email=primary[0].email if primary else "",
                company=c.company,
                title=c.title,
                status=c.status,
                events=events,
                tags=tags.get(c.id, []),
            )
        )
    return entries


def list_contacts(
    session: Session, event: str = "", tag: str = "", status: str = ""
) -> list[BookEntry]:
    """Contacts in id order, optionally only those met at `event`, tagged `tag`, or by status."""
    return _entries(session, contact_query(event, tag, status))


def search(session: Session, text: str) -> list[BookEntry]:
    """Contacts whose name, email, company, title, event or tag contains `text` (any case)."""
    needle = text.strip().lower()
    if not needle:
        raise InputError("search: give some text to look for, e.g. `followup contacts search acme`")

    def has(column: Any) -> sa.ColumnElement[bool]:
        return sa.func.lower(column).contains(needle, autoescape=True)

    by_email = sa.select(ContactEmail.contact_id).where(has(ContactEmail.email))
    by_tag = sa.select(ContactTag.contact_id).where(has(ContactTag.tag))
    by_event = (
        sa.select(SightingRow.contact_id)
        .join(Event, SightingRow.event_id == Event.id)
        .where(sa.or_(has(Event.name), has(Event.slug)))
    )
    query = contact_query().where(
        sa.or_(
            has(Contact.full_name),
            has(Contact.company),
            has(Contact.title),
            Contact.id.in_(by_email),
            Contact.id.in_(by_tag),
            Contact.id.in_(by_event),
        )
    )
    return _entries(session, query)


def add_note(session: Session, contact_id: int, text: str) -> Interaction:
    """Keep a note about a contact in their interaction log."""
    if not text.strip():
        raise InputError('note: the note is empty; write it in quotes, e.g. "met at the bar"')
    note = Interaction(contact_id=contact_id, kind="note", detail=text.strip())
    session.add(note)
    session.flush()
    return note


def add_tag(session: Session, contact_id: int, tag: str) -> bool:
    """Tag a contact; False when it already had the tag."""
    cleaned = normalize_tag(tag)
    exists = session.scalar(
        sa.select(ContactTag.id).where(
            ContactTag.contact_id == contact_id, ContactTag.tag == cleaned
        )
    )
    if exists:
        return False
    session.add(ContactTag(contact_id=contact_id, tag=cleaned))
    session.flush()
    return True


def remove_tag(session: Session, contact_id: int, tag: str) -> bool:
    """Remove a tag; False when the contact did not have it."""
    result = session.execute(
        sa.delete(ContactTag).where(
            ContactTag.contact_id == contact_id, ContactTag.tag == normalize_tag(tag)
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def tags_of(session: Session, contact_id: int) -> list[str]:
    """A contact's tags, sorted."""
    return list(
        session.scalars(
            sa.select(ContactTag.tag)
            .where(ContactTag.contact_id == contact_id)
            .order_by(ContactTag.tag)
        )
    )


def timelines(session: Session, contact_ids: list[int]) -> dict[int, list[TimelineEntry]]:
    """The interaction log of several contacts at once (a few queries, not a few per contact)."""
    found: dict[int, list[TimelineEntry]] = {cid: [] for cid in contact_ids}
    for s in session.scalars(
        sa.select(SightingRow)
        .where(SightingRow.contact_id.in_(contact_ids))
        .options(selectinload(SightingRow.event), selectinload(SightingRow.source_file))
        .order_by(SightingRow.id)
    ):
        assert s.contact_id is not None
        at = dt.datetime.combine(s.event.date, dt.time()) if s.event.date else s.created_at
        where = f"{printable(s.source_file.name)} record {s.record}"
        found[s.contact_id].append(TimelineEntry(at, "met", f"met at {s.event.name} ({where})"))
    logged = session.scalars(
        sa.select(Interaction)
        .where(Interaction.contact_id.in_(contact_ids), Interaction.kind != "met")
        .order_by(Interaction.at, Interaction.id)
    ).all()
    logged_messages = {i.message_id for i in logged if i.kind == "emailed"}
    for m, sequence in session.execute(
        sa.select(Message, Enrollment.sequence)
        .join(Enrollment, Message.enrollment_id == Enrollment.id)
        .where(Message.contact_id.in_(contact_ids), Message.state == "sent")
        .order_by(Message.sent_at, Message.id)
    ):
        if m.id not in logged_messages:
            detail = f"emailed stage {m.stage_index + 1} ({m.stage}) of {sequence}"
            found[m.contact_id].append(TimelineEntry(m.sent_at or m.updated_at, "emailed", detail))
    for i in logged:
        found[i.contact_id].append(TimelineEntry(i.at, i.kind, i.detail))
    for entries in found.values():
        entries.sort(
            key=lambda e: (e.at, TOUCH_KINDS.index(e.kind) if e.kind in TOUCH_KINDS else 9)
        )
    return found


def timeline(session: Session, contact_id: int) -> list[TimelineEntry]:
    """Everything that happened with a contact, oldest first.

    Example: met at Spring Career Fair 2026 (fair-scans.csv record 2) → emailed stage 1
    (thank-you) → replied.
    """
    return timelines(session, [contact_id])[contact_id]


def last_touches(session: Session, contact_ids: list[int]) -> dict[int, TimelineEntry | None]:
    """The most recent interaction with each person (met, emailed, replied), if any."""
    result: dict[int, TimelineEntry | None] = {}
    for cid, entries in timelines(session, contact_ids).items():
        touches = [e for e in entries if e.kind in TOUCH_KINDS]
        result[cid] = touches[-1] if touches else None
    return result


def last_touch(session: Session, contact_id: int) -> TimelineEntry | None:
    """The most recent interaction with the person (met, emailed, replied), if any."""
    return last_touches(session, [contact_id])[contact_id]
