"""Planning: enroll an event's contacts in a sequence and stage each next stage as it falls due.

- `plan_event` enrolls everyone seen at one event (one enrollment per contact: a contact
  already in another event's active sequence is not started on a second, parallel one) and
  stages their first stage.
- `plan_due` walks every active enrollment, across events, and stages the next stage once
  the previous one has been sent (or skipped). With `all_stages` every remaining stage is
  drafted up front so a person can review the whole conversation; each is re-checked
  against the stop rules and its timing when it is sent.

Drafts are rendered at once and written as .eml files to the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from contacts.events import find_event, slugify
from contacts.locks import waiting_lock
from contacts.model import Contact, Enrollment, Event, Message, SightingRow
from contacts.stoprules import is_suppressed
from contacts.store import session_scope
from contacts.survivorship import primary_email
from outreach.compose import build_email, private_dir, write_eml
from outreach.config import Config
from outreach.render import Renderer
from outreach.senders import resolve_sender
from outreach.sequences import Sequence, Sequences, get_sequence, unmet
from outreach.staging import (
    facts_for,
    make_message_id,
    one_per_mailbox,
    stage_message,
)

__all__ = ["PlanResult", "make_message_id", "plan_due", "plan_event"]

STOPPED = ("replied", "unsubscribed", "bounced")  # contact statuses that end a sequence
KEEP_IN_TOUCH = "keep-in-touch"  # the check-ins sequence: a reply resets its clock instead
# Previous-stage states that let the next stage be staged (all_stages: also the unsent ones).
GO_ON = ("sent", "skipped")
GO_ON_UP_FRONT = ("sent", "skipped", "drafted", "approved", "planned")
PLAN_LOCK, PLAN_WAIT_SECONDS = "plan", 600.0  # one plan at a time: enrolls and drafts once


@dataclass
class PlanResult:
    """What one planning run did; on a re-plan, also what it found already done or stuck."""

    enrolled: int = 0
    already_enrolled: int = 0  # contacts of the event enrolled by an earlier run
    drafted: int = 0
    blocked: int = 0  # newly blocked
    still_blocked: int = 0  # blocked before, tried again, still blocked
    skipped: int = 0
    no_email: int = 0
    stopped: int = 0
    superseded: int = 0
    eml_files: int = 0
    suppressed: int = 0
    # What could not be planned at all, one line per event and cause, with the fix.
    problems: list[str] = field(default_factory=list)


def eml_path(outbox: Path, message: Message) -> Path:
    name = slugify(message.to_name or "contact")[:40]
    slug = message.enrollment.event.slug
    return (
        outbox
        / slug
        / f"{message.contact_id:05d}-{message.stage_index + 1}-{message.stage}-{name}.eml"
    )


def write_draft(message: Message, config: Config) -> Path:
    """Write (or rewrite) the .eml of a message; what is previewed is what is sent."""
    path = eml_path(private_dir(Path(config.get("outbox"))), message)
    mail = build_email(message, unsubscribe_url(config, message))
    message.eml_path = str(write_eml(mail, path))
    return path


def unsubscribe_url(config: Config, message: Message) -> str:
    sighting = message.enrollment.sighting
    sender = resolve_sender(
        config, message.enrollment.event.slug, sighting.captured_by if sighting else ""
    )
    return sender.unsubscribe_url


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


def sequence_for(config: Config, event: Event, explicit: str = "") -> Sequence:
    """`--sequence`, else `[events.<slug>] sequence`, else the event's, else the default."""
    name = (
        explicit
        or str(config.events.get(event.slug, {}).get("sequence", ""))
        or event.sequence
        or str(config.get("defaults.sequence"))
    )
    return get_sequence(config, name)


def stops(status: str, sequence: str) -> bool:
    """True when a contact with this status must get no further message of the sequence.

    A reply ends an event's follow-up sequence, but for keeping in touch it only resets the
    clock (the next check-in falls due a cadence after the reply), so there only an
    unsubscribe or a bounce stops. Example: `stops("replied", "keep-in-touch")` is False.
    """
    if sequence == KEEP_IN_TOUCH:
        return status in ("unsubscribed", "bounced")
    return status in STOPPED


def _enroll(session: Session, event: Event, sequence: Sequence, result: PlanResult) -> None:
    for contact, sighting in _sightings_at(session, event).items():
        if not contact.emails:
            result.no_email += 1
            continue
        primary = primary_email(contact)
        if is_suppressed(session, primary.email):  # also people who asked to be forgotten
            result.suppressed += 1
            continue
        mine = session.scalars(
            sa.select(Enrollment).where(Enrollment.contact_id == contact.id)
        ).all()
        if any(e.event_id == event.id for e in mine):
            result.already_enrolled += 1
            continue
        enrollment = Enrollment(
            contact_id=contact.id,
            event_id=event.id,
            sequence=sequence.name,
            sighting_id=sighting.id,
        )
        running = [e for e in mine if e.state == "active"]
        if running:
            # One conversation at a time: never two parallel sequences to one person.
            enrollment.state = "superseded"
            enrollment.reason = f"already in {running[0].sequence} for {running[0].event.name}"
            result.superseded += 1
        else:
            result.enrolled += 1
        session.add(enrollment)
    session.flush()


def _retry_blocked(
    enrollment: Enrollment,
    sequence: Sequence,
    blocked: Message,
    previous: Message | None,
    config: Config,
    result: PlanResult,
    renderer: Renderer,
) -> None:
    """Render a blocked message again (the template or data may have been fixed)."""
    index = blocked.stage_index
    if index >= len(sequence.stages) or sequence.stages[index].name != blocked.stage:
        result.still_blocked += 1  # its stage is no longer in the sequence
        return
    fresh = stage_message(enrollment, sequence, index, config, previous, "", renderer)
    if fresh.state != "drafted":
        blocked.reason = fresh.reason
        result.still_blocked += 1
        return
    names = ["attachments", "from_addr", "from_name"]
    if not blocked.edited:  # blocked at send time after an edit: the person's text stays
        names += ["subject", "body_text", "body_html"]
    for name in names:
        setattr(blocked, name, getattr(fresh, name))
    blocked.state, blocked.reason = "drafted", ""
    write_draft(blocked, config)
    result.drafted += 1
    result.eml_files += 1


def _advance(
    session: Session,
    enrollment: Enrollment,
    config: Config,
    all_stages: bool,
    result: PlanResult,
    renderer: Renderer,
    sequences: Sequences,
) -> None:
    """Stage the next stage(s) of one enrollment when they may be staged."""
    contact = enrollment.contact
    if stops(contact.status, enrollment.sequence):
        enrollment.state, enrollment.reason = "stopped", f"contact {contact.status}"
        result.stopped += 1
        return
    if contact.status == "paused" or not contact.emails:
        return
    sequence = sequences.of(enrollment)
    if sequence is None:  # its sequence is gone from the config: reported, left as it is
        return
    messages = session.scalars(
        sa.select(Message)
        .where(Message.enrollment_id == enrollment.id)
        .order_by(Message.stage_index, Message.id)
    ).all()
    for i, message in enumerate(messages):
        if message.state == "blocked":
            _retry_blocked(
                enrollment,
                sequence,
                message,
                messages[i - 1] if i else None,
                config,
                result,
                renderer,
            )
    previous = messages[-1] if messages else None
    if previous is not None and previous.state == "cancelled":
        # A cancelled check-in ends only its round: `followup today --draft` starts the next.
        ended = "done" if enrollment.sequence == KEEP_IN_TOUCH else "stopped"
        enrollment.state, enrollment.reason = ended, previous.reason
        return
    if previous is None and is_suppressed(session, primary_email(contact).email):
        result.stopped += 1
        return
    allowed = GO_ON_UP_FRONT if all_stages else GO_ON
    facts = facts_for(enrollment)
    index = previous.stage_index + 1 if previous else 0
    while index < len(sequence.stages):
        if previous is not None and previous.state not in allowed:
            return
        reason = unmet(sequence.stages[index].condition, facts)
        message = stage_message(enrollment, sequence, index, config, previous, reason, renderer)
        message.enrollment = enrollment
        shared = one_per_mailbox(session, message)
        session.add(message)
        session.flush()
        if shared:  # the mailbox gets this sequence through another contact
            enrollment.state, enrollment.reason = "stopped", message.reason
            result.skipped += 1
            return
        if message.state == "drafted":
            write_draft(message, config)
            result.drafted += 1
            result.eml_files += 1
        else:
            setattr(result, message.state, getattr(result, message.state) + 1)
        previous, index = message, index + 1
        if message.state == "drafted" and not all_stages:
            return
    if previous is not None and all(m.state in ("sent", "skipped") for m in [*messages, previous]):
        enrollment.state = "done"


def _active(session: Session, event: Event | None = None) -> list[Enrollment]:
    query = (
        sa.select(Enrollment)
        .where(Enrollment.state == "active")
        .options(selectinload(Enrollment.contact).selectinload(Contact.emails))
        .order_by(Enrollment.id)
    )
    if event is not None:
        query = query.where(Enrollment.event_id == event.id)
    return list(session.scalars(query))


def plan_event(
    event_name: str,
    config: Config,
    url: str | None = None,
    sequence_name: str = "",
    all_stages: bool = False,
) -> PlanResult:
    """Enroll everyone seen at the event and stage each enrollment's due stage."""
    result = PlanResult()
    with (
        waiting_lock(PLAN_LOCK, url, PLAN_WAIT_SECONDS, "another plan"),
        session_scope(url) as session,
    ):
        event = find_event(session, event_name)
        _enroll(session, event, sequence_for(config, event, sequence_name), result)
        renderer, sequences = Renderer(config.get("templates")), Sequences(config)
        for enrollment in _active(session, event):
            _advance(session, enrollment, config, all_stages, result, renderer, sequences)
    result.problems = sequences.problems()
    return result


def plan_due(
    config: Config, url: str | None = None, now: dt.datetime | None = None, all_stages: bool = False
) -> PlanResult:
    """Stage every enrolled contact's next stage as it falls due, across events.

    `now` is accepted for symmetry with `send_due` and flows; staging does not depend on
    the clock (each staged message carries its own due time, checked when it is sent).
    """
    del now  # the due time is computed per message and enforced by sending
    result = PlanResult()
    with (
        waiting_lock(PLAN_LOCK, url, PLAN_WAIT_SECONDS, "another plan"),
        session_scope(url) as session,
    ):
        renderer, sequences = Renderer(config.get("templates")), Sequences(config)
        for enrollment in _active(session):
            _advance(session, enrollment, config, all_stages, result, renderer, sequences)
    result.problems = sequences.problems()
    return result
