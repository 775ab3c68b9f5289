"""Keeping in touch: cadences per contact or per tag, due reminders, and check-in drafts.

A contact with a cadence of N days is due N days after their last interaction (met,
emailed, replied: a reply resets the clock), but only once their sequences have ended (no
message still pending) and never when they unsubscribed, bounced, are paused or their
address is suppressed. A contact's own cadence wins over their tags'; among tags the
shortest wins. Due reminders can be drafted into the outbox from the `keep-in-touch`
template set like any other stage.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from contacts.book import TimelineEntry, last_touches, normalize_tag
from contacts.errors import InputError
from contacts.events import slugify
from contacts.locks import waiting_lock
from contacts.model import (
    Cadence,
    Contact,
    ContactEmail,
    ContactTag,
    Enrollment,
    Message,
    SightingRow,
)
from contacts.stoprules import is_suppressed
from contacts.store import session_scope
from contacts.survivorship import primary_email
from outreach.compose import build_email, private_dir, write_eml
from outreach.config import Config
from outreach.planner import KEEP_IN_TOUCH, PLAN_LOCK, PLAN_WAIT_SECONDS, unsubscribe_url
from outreach.sequences import Sequence, Stage, get_sequence
from outreach.staging import one_per_mailbox, stage_message
from outreach.timing import Window, first_opening

SEQUENCE = KEEP_IN_TOUCH
UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}
# Messages in these states mean a sequence is still running for the contact.
RUNNING = ("planned", "drafted", "approved", "sending", "blocked")
_EVERY = re.compile(r"^\s*(\d+)\s*([dwmy]?)\s*$", re.IGNORECASE)


def parse_every(text: str) -> int:
    """A cadence in days: '90d', '12w', '3m' (30 days each), '1y', or a bare number of days."""
    match = _EVERY.match(text)
    days = int(match.group(1)) * UNITS[(match.group(2) or "d").lower()] if match else 0
    if not 1 <= days <= 3660:
        raise InputError(f"--every {text!r}: write a period such as 90d, 12w, 3m or 1y")
    return days


def set_cadence(
    session: Session, every_days: int, contact_id: int | None = None, tag: str = ""
) -> None:
    """Keep in touch every `every_days` with one contact or with everyone tagged `tag`."""
    cleaned = normalize_tag(tag) if tag else ""
    cadence = session.scalar(
        sa.select(Cadence).where(Cadence.contact_id == contact_id, Cadence.tag == cleaned)
        if contact_id is not None
        else sa.select(Cadence).where(Cadence.contact_id.is_(None), Cadence.tag == cleaned)
    )
    if cadence is None:
        session.add(Cadence(contact_id=contact_id, tag=cleaned, every_days=every_days))
    else:
        cadence.every_days = every_days
    session.flush()


def clear_cadence(session: Session, contact_id: int | None = None, tag: str = "") -> bool:
    """Stop keeping in touch with a contact (or a tag); False when there was no cadence."""
    where = (
        Cadence.contact_id == contact_id
        if contact_id is not None
        else sa.and_(Cadence.contact_id.is_(None), Cadence.tag == normalize_tag(tag))
    )
    return bool(session.execute(sa.delete(Cadence).where(where)).rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Reminder:
    """Someone to reach out to today, why, and the last interaction with them."""

    contact_id: int
    name: str
    email: str
    every_days: int
    source: str  # "own cadence" or "tag mentor"
    last: TimelineEntry | None
    due_on: dt.date

    @property
    def why(self) -> str:
        """E.g. 'every 90 days (tag mentor); 97 days since replied'."""
        since = (
            f"; last: {self.last.kind} on {self.last.at.date().isoformat()}" if self.last else ""
        )
        return f"every {self.every_days} days ({self.source}){since}"


def _cadences(session: Session) -> dict[int, tuple[int, str, dt.datetime]]:
    """contact id -> (days, source, cadence start) for everyone with a cadence."""
    found: dict[int, tuple[int, str, dt.datetime]] = {}
    tag_rules = session.scalars(
        sa.select(Cadence)
        .where(Cadence.contact_id.is_(None))
        .order_by(Cadence.every_days, Cadence.tag)
    ).all()
    for rule in tag_rules:
        for contact_id, tagged_at in session.execute(
            sa.select(ContactTag.contact_id, ContactTag.created_at).where(
                ContactTag.tag == rule.tag
            )
        ):
            if contact_id not in found:
                found[contact_id] = (
                    rule.every_days,
                    f"tag {rule.tag}",
                    max(tagged_at, rule.created_at),
                )
    for rule in session.scalars(sa.select(Cadence).where(Cadence.contact_id.is_not(None))):
        assert rule.contact_id is not None
        found[rule.contact_id] = (rule.every_days, "own cadence", rule.created_at)
    return found


def _running(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Message.contact_id).where(Message.state.in_(RUNNING))))


def cadence_counts(session: Session) -> tuple[int, int]:
    """(contacts with a cadence, how many of them still have a message pending)."""
    cadences = _cadences(session)
    return len(cadences), len(set(cadences) & _running(session))


def due_reminders(session: Session, today: dt.date) -> list[Reminder]:
    """Everyone due for a check-in on `today`, most overdue first (then by contact id)."""
    cadences = _cadences(session)
    running = _running(session)
    candidates = session.scalars(
        sa.select(Contact)
        .where(
            Contact.id.in_(list(cadences)),
            Contact.status.not_in(("paused", "unsubscribed", "bounced")),
        )
        .options(selectinload(Contact.emails))
        .order_by(Contact.id)
    ).all()
    candidates = [c for c in candidates if c.id not in running and c.emails]
    # One mailbox, one check-in: contacts sharing an address (info@, a family's) are due as
    # one, through the first of them, counting the latest touch of any of them, and not at
    # all while a message to that address is pending.
    busy = set(
        session.scalars(
            sa.select(ContactEmail.email_key).where(ContactEmail.contact_id.in_(list(running)))
        )
    )
    by_mailbox: dict[str, list[Contact]] = {}
    for contact in candidates:
        by_mailbox.setdefault(primary_email(contact).email_key, []).append(contact)
    touches = last_touches(session, [c.id for c in candidates])
    reminders = []
    for key, sharing in by_mailbox.items():
        contact, primary = sharing[0], primary_email(sharing[0])
        if key in busy or is_suppressed(session, primary.email):
            continue
        days, source, started = cadences[contact.id]
        seen = [t for t in (touches[c.id] for c in sharing) if t is not None]
        last = max(seen, key=lambda t: t.at) if seen else None
        due_on = (last.at if last else started).date() + dt.timedelta(days=days)
        if due_on <= today:
            reminders.append(
                Reminder(contact.id, contact.full_name, primary.email, days, source, last, due_on)
            )
    return sorted(reminders, key=lambda r: (r.due_on, r.contact_id))


def _latest_sighting(session: Session, contact_id: int) -> SightingRow:
    return session.scalars(
        sa.select(SightingRow)
        .where(SightingRow.contact_id == contact_id)
        .order_by(SightingRow.id.desc())
    ).first()  # type: ignore[return-value]


def draft_due(config: Config, today: dt.date, url: str | None = None) -> list[Message]:
    """Draft a check-in for everyone due today into the outbox (.eml files included)."""
    base = get_sequence(config, SEQUENCE)
    stage = base.stages[0]
    outbox = private_dir(Path(config.get("outbox")))
    window = Window.parse(str(config.get("send.window")))
    drafted = []
    with (
        waiting_lock(PLAN_LOCK, url, PLAN_WAIT_SECONDS, "another plan"),
        session_scope(url) as session,
    ):
        for reminder in due_reminders(session, today):
            sighting = _latest_sighting(session, reminder.contact_id)
            enrollment = session.scalar(
                sa.select(Enrollment).where(
                    Enrollment.contact_id == reminder.contact_id,
                    Enrollment.event_id == sighting.event_id,
                    Enrollment.sequence == SEQUENCE,
                )
            )
            if enrollment is None:
                enrollment = Enrollment(
                    contact_id=reminder.contact_id,
                    event_id=sighting.event_id,
                    sequence=SEQUENCE,
                    sighting_id=sighting.id,
                )
                session.add(enrollment)
                session.flush()
            else:
                # A new round: the last one may have ended ('done') or been stopped by a
                # reply before replies reset the clock (rows from older versions).
                enrollment.state, enrollment.reason = "active", ""
            # One stage per round, named by its date: message ids stay unique and stable.
            dated = Stage(f"{stage.name}-{today.isoformat()}", stage.template, 0, "event")
            rounds = Sequence(SEQUENCE, base.description, (dated,))
            previous = session.scalars(
                sa.select(Message)
                .where(Message.contact_id == reminder.contact_id, Message.state == "sent")
                .order_by(Message.sent_at.desc(), Message.id.desc())
            ).first()
            message = stage_message(enrollment, rounds, 0, config, previous)
            message.enrollment = enrollment
            one_per_mailbox(session, message)
            # Due like any stage: the window's opening in the recipient's zone, on `today`
            # or the next business day.
            message.due_at = first_opening(today, message.timezone, window, config.holidays)
            session.add(message)
            session.flush()
            if message.state == "drafted":
                mail = build_email(message, unsubscribe_url(config, message))
                name = slugify(enrollment.contact.full_name or "contact")[:40]
                path = (
                    outbox / SEQUENCE / f"{message.contact_id:05d}-{today.isoformat()}-{name}.eml"
                )
                message.eml_path = str(write_eml(mail, path))
            drafted.append(message)
    return drafted
