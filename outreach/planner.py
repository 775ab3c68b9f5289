"""Planning: enroll an event's contacts in its sequence and stage the due drafts.

Each staged message is rendered at once; a message that cannot render is `blocked` with
the reason (and is never sent). Drafts are also written as .eml files to the outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import RenderError
from contacts.events import find_event, slugify
from contacts.model import Contact, Enrollment, Event, Message, SightingRow
from contacts.stoprules import is_suppressed
from contacts.store import session_scope
from outreach.compose import build_email, private_dir, write_eml
from outreach.config import Config
from outreach.render import render
from outreach.sequences import Sequence, Stage, get_sequence
from outreach.timing import add_business_days

SEND_HOUR = 9  # drafts fall due at 09:00 on their day; the mailer applies send windows


@dataclass
class PlanResult:
    enrolled: int = 0
    drafted: int = 0
    blocked: int = 0
    no_email: int = 0
    eml_files: int = 0
    suppressed: int = 0


def make_message_id(event: str, sequence: str, stage: str, email_key: str, domain: str) -> str:
    """A deterministic Message-ID: the same contact, event and stage always give the same id."""
    digest = hashlib.sha256(f"{event}|{sequence}|{stage}|{email_key}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain or 'followup.invalid'}>"


def _context(
    contact: Contact,
    event: Event,
    sighting: SightingRow,
    config: Config,
    stage: Stage,
    index: int,
    previous: Message | None,
) -> dict[str, Any]:
    primary = next((e for e in contact.emails if e.is_primary), contact.emails[0])
    return {
        "contact": {
            "full_name": contact.full_name,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company,
            "title": contact.title,
            "email": primary.email,
        },
        "event": {"name": event.name, "date": event.date},
        "sighting": {
            "notes": sighting.notes,
            "rating": sighting.rating,
            "captured_by": sighting.captured_by,
            "company": sighting.company,
            "title": sighting.title,
            "lead": dict(sighting.lead or {}),
        },
        "sender": {
            "name": config.get("sender.name"),
            "email": config.get("sender.email"),
            "signature": config.get("sender.signature"),
        },
        "stage": {"name": stage.name, "number": index + 1},
        "previous": {"subject": previous.subject, "sent_at": previous.sent_at}
        if previous
        else None,
    }


def _eml_path(outbox: Path, event: Event, message: Message, contact: Contact) -> Path:
    name = slugify(contact.full_name or "contact")[:40]
    return (
        outbox / event.slug / f"{message.contact_id:05d}-{message.stage_index + 1}-"
        f"{message.stage}-{name}.eml"
    )


def _richness(row: SightingRow) -> tuple[bool, bool, bool, int]:
    # The sighting a template talks about: booth notes first, then a lead rating, then who
    # captured it; the earliest wins a tie.
    return (bool(row.notes), bool(row.rating), bool(row.captured_by), -row.id)


def _sightings_at(session: Session, event: Event) -> dict[Contact, SightingRow]:
    """Each contact seen at the event, with its most informative sighting there."""
    rows = session.scalars(
        sa.select(SightingRow)
        .where(SightingRow.event_id == event.id, SightingRow.contact_id.is_not(None))
        .order_by(SightingRow.contact_id, SightingRow.id)
    )
    found: dict[Contact, SightingRow] = {}
    for row in rows:
        assert row.contact is not None
        best = found.get(row.contact)
        if best is None or _richness(row) > _richness(best):
            found[row.contact] = row
    return found


def stage_message(
    session: Session,
    enrollment: Enrollment,
    sequence: Sequence,
    index: int,
    sighting: SightingRow,
    config: Config,
    previous: Message | None,
) -> Message:
    """Create and render the message for one stage of one enrollment."""
    stage = sequence.stages[index]
    contact, event = enrollment.contact, enrollment.event
    primary = next((e for e in contact.emails if e.is_primary), contact.emails[0])
    from_addr = str(config.get("sender.email"))
    base = (
        previous.due_at.date()
        if previous and previous.due_at and stage.after == "previous"
        else (event.date or dt.date.today())
    )
    due = dt.datetime.combine(add_business_days(base, stage.delay), dt.time(SEND_HOUR))
    message = Message(
        enrollment_id=enrollment.id,
        contact_id=contact.id,
        stage=stage.name,
        stage_index=index,
        due_at=due,
        to_addr=primary.email,
        from_addr=from_addr,
        message_id=make_message_id(
            event.slug, sequence.name, stage.name, primary.email_key, from_addr.rpartition("@")[2]
        ),
    )
    try:
        rendered = render(
            config.get("templates"),
            sequence.name,
            stage.template,
            _context(contact, event, sighting, config, stage, index, previous),
        )
    except RenderError as exc:
        message.state, message.reason = "blocked", str(exc)
    else:
        message.state = "drafted"
        message.subject, message.body_text, message.body_html = (
            rendered.subject,
            rendered.text,
            rendered.html,
        )
    session.add(message)
    session.flush()
    return message


def plan_event(
    event_name: str, config: Config, url: str | None = None, sequence_name: str = ""
) -> PlanResult:
    """Enroll everyone seen at the event and stage each enrollment's first due stage."""
    result = PlanResult()
    outbox = private_dir(Path(config.get("outbox")))
    with session_scope(url) as session:
        event = find_event(session, event_name)
        sequence = get_sequence(
            config, sequence_name or event.sequence or config.get("defaults.sequence")
        )
        for contact, sighting in _sightings_at(session, event).items():
            if not contact.emails:
                result.no_email += 1
                continue
            primary = next((e for e in contact.emails if e.is_primary), contact.emails[0])
            if is_suppressed(session, primary.email):  # also people who asked to be forgotten
                result.suppressed += 1
                continue
            enrollment = session.scalar(
                sa.select(Enrollment).where(
                    Enrollment.contact_id == contact.id,
                    Enrollment.event_id == event.id,
                    Enrollment.sequence == sequence.name,
                )
            )
            if enrollment is None:
                enrollment = Enrollment(
                    contact_id=contact.id,
                    event_id=event.id,
                    sequence=sequence.name,
                    sighting_id=sighting.id,
                )
                session.add(enrollment)
                session.flush()
                result.enrolled += 1
            if session.scalar(
                sa.select(Message.id).where(
                    Message.enrollment_id == enrollment.id, Message.stage_index == 0
                )
            ):
                continue
            message = stage_message(session, enrollment, sequence, 0, sighting, config, None)
            if message.state == "blocked":
                result.blocked += 1
                continue
            result.drafted += 1
            mail = build_email(
                message,
                str(config.get("sender.name")),
                contact.full_name,
                str(config.get("sender.unsubscribe_url")),
            )
            message.eml_path = str(write_eml(mail, _eml_path(outbox, event, message, contact)))
            result.eml_files += 1
    return result
