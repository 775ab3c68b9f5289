"""Staging one message: who it goes to, from whom, when, and its rendered text.

A message that cannot be sent as intended is `blocked` with the reason (a template that
needs a missing value, a missing attachment, no sender address, no opt-out line); it is
shown in the outbox and never sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import RenderError
from contacts.model import Contact, Enrollment, Event, Message
from contacts.survivorship import primary_email
from outreach.compose import attachment_problem
from outreach.config import Config
from outreach.render import Rendered, Renderer
from outreach.senders import Sender, resolve_sender
from outreach.sequences import Facts, Sequence
from outreach.timing import Window, due_at, recipient_zone, zone


def make_message_id(event: str, sequence: str, stage: str, email_key: str, domain: str) -> str:
    """A deterministic Message-ID: the same contact, event and stage always give the same id."""
    digest = hashlib.sha256(f"{event}|{sequence}|{stage}|{email_key}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain or 'followup.invalid'}>"


def one_per_mailbox(session: Session, message: Message) -> bool:
    """Skip `message` when its address already gets this stage through another contact.

    Two contacts may share one address (a role mailbox like info@, a family's address); the
    mailbox gets the stage once, through the contact staged first. The second message is
    `skipped` with the reason, under an id of its own (never sent, so the id only has to be
    unique). Returns True when it was skipped; the caller ends that contact's sequence.
    """
    other = session.scalar(sa.select(Message).where(Message.message_id == message.message_id))
    if other is None:
        return False
    message.state = "skipped"
    message.reason = (
        f"{message.to_addr} already gets this stage through contact #{other.contact_id} "
        f"({other.to_name}); one message per mailbox. To write to {message.to_name} too, "
        "give this contact an address of their own"
    )
    digest, _, domain = message.message_id.strip("<>").partition("@")
    unique = hashlib.sha256(f"{digest}|{message.contact_id}".encode()).hexdigest()[:32]
    message.message_id = f"<{unique}@{domain}>"
    message.subject = message.body_text = message.body_html = ""
    message.attachments = []
    return True


def met_before(contact: Contact, event: Event) -> bool:
    """True when the contact was seen at another event that came before this one."""
    for row in contact.sightings:
        other = row.event
        if other.id == event.id:
            continue
        if other.date and event.date:
            if other.date < event.date:
                return True
        elif other.id < event.id:  # no dates: the event registered first came first
            return True
    return False


def facts_for(enrollment: Enrollment) -> Facts:
    sighting = enrollment.sighting
    return Facts(
        notes=sighting.notes if sighting else "",
        rating=sighting.rating if sighting else "",
        met_before=met_before(enrollment.contact, enrollment.event),
    )


def _primary(contact: Contact) -> tuple[str, str]:
    primary = primary_email(contact)
    return primary.email, primary.email_key


def build_context(
    enrollment: Enrollment,
    sender: Sender,
    stage_name: str,
    index: int,
    total: int,
    previous: Message | None,
) -> dict[str, Any]:
    """Everything a template may use (missing keys are errors: StrictUndefined)."""
    contact, event, sighting = enrollment.contact, enrollment.event, enrollment.sighting
    return {
        "contact": {
            "full_name": contact.full_name,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company,
            "title": contact.title,
            "email": _primary(contact)[0],
            "met_before": met_before(contact, event),
        },
        "event": {"name": event.name, "date": event.date, "slug": event.slug},
        "sighting": {
            "notes": sighting.notes if sighting else "",
            "rating": sighting.rating if sighting else "",
            "captured_by": sighting.captured_by if sighting else "",
            "captured_at": sighting.captured_at if sighting else "",
            "company": sighting.company if sighting else "",
            "title": sighting.title if sighting else "",
            "lead": dict(sighting.lead or {}) if sighting else {},
        },
        "sender": sender.as_context(),
        "stage": {"name": stage_name, "number": index + 1, "of": total},
        "previous": {
            "stage": previous.stage,
            "subject": previous.subject,
            "sent_at": previous.sent_at,
            "state": previous.state,
        }
        if previous
        else None,
    }


def _attachments(config: Config, names: tuple[str, ...]) -> list[str]:
    base = config.path.parent if config.path else Path.cwd()
    found = []
    for name in names:
        path = Path(name) if Path(name).is_absolute() else base / name
        problem = attachment_problem(str(path))
        if problem:
            raise RenderError(problem)
        found.append(str(path.resolve()))
    return found


def _check_sender(sender: Sender) -> None:
    # Before rendering: a sender with no address (and so, often, no name) is the problem
    # to report, not the empty `sender.name` the template would then stop at.
    if not sender.email or "@" not in sender.email:
        raise RenderError(
            f"sender {sender.key!r} has no address; set [sender] email in followup.toml "
            "(or FOLLOWUP_FROM), or email in its [senders.NAME] profile"
        )


def _check(rendered: Rendered) -> None:
    if "unsubscribe" not in rendered.text.lower():
        raise RenderError(
            "the text has no opt-out line; include _partials/footer.txt.j2 in the template"
        )


def base_date(
    enrollment: Enrollment, after: str, previous: Message | None, zone_name: str
) -> dt.date:
    """The day a stage's delay counts from: the event, or the previous stage's send day
    (its due day while that stage is only drafted)."""
    event_day = enrollment.event.date or enrollment.created_at.date()
    if after == "event" or previous is None:
        return event_day
    when = previous.sent_at or previous.due_at
    if when is None:
        return event_day
    # The previous send's day as the recipient saw it.
    return when.replace(tzinfo=dt.UTC).astimezone(zone(zone_name)).date()


def stage_message(
    enrollment: Enrollment,
    sequence: Sequence,
    index: int,
    config: Config,
    previous: Message | None,
    skip_reason: str = "",
    renderer: Renderer | None = None,
) -> Message:
    """The message for stage `index` of an enrollment: drafted, blocked or skipped."""
    stage = sequence.stages[index]
    contact, event = enrollment.contact, enrollment.event
    sighting = enrollment.sighting
    sender = resolve_sender(config, event.slug, sighting.captured_by if sighting else "")
    to_addr, key = _primary(contact)
    zone_name = recipient_zone(
        [p.phone for p in contact.phones],
        event.timezone,
        sender.timezone,
        event.region or str(config.get("defaults.region")),
    )
    window = Window.parse(str(config.get("send.window")))
    base = base_date(enrollment, stage.after, previous, zone_name)
    message = Message(
        enrollment_id=enrollment.id,
        contact_id=contact.id,
        stage=stage.name,
        stage_index=index,
        due_at=due_at(base, stage.delay, zone_name, window, config.holidays),
        to_addr=to_addr,
        to_name=contact.full_name,
        from_addr=sender.email,
        from_name=sender.name,
        timezone=zone_name,
        message_id=make_message_id(
            event.slug, sequence.name, stage.name, key, sender.email.rpartition("@")[2]
        ),
    )
    if skip_reason:
        message.state, message.reason = "skipped", skip_reason
        return message
    try:
        _check_sender(sender)
        renderer = renderer or Renderer(config.get("templates"))
        rendered = renderer.render(
            sequence.name,
            stage.template,
            build_context(enrollment, sender, stage.name, index, len(sequence.stages), previous),
        )
        _check(rendered)
        message.attachments = _attachments(config, stage.attachments)
    except RenderError as exc:
        message.state, message.reason = "blocked", str(exc)
        return message
    message.state = "drafted"
    message.subject, message.body_text, message.body_html = (
        rendered.subject,
        rendered.text,
        rendered.html,
    )
    return message
