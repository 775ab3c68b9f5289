"""The outbox as a person reviews it: list, preview, edit and approve drafts.

Callers pass their open session; every change is part of their transaction.
"""

from __future__ import annotations

import html
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from contacts.errors import InputError, RenderError
from contacts.events import find_event
from contacts.model import MAX_ID, Enrollment, Message, utcnow
from outreach.compose import header_safe
from outreach.config import Config
from outreach.planner import write_draft


def messages(session: Session, state: str = "", event: str = "") -> list[Message]:
    """Messages in due order (then id), optionally of one state or one event."""
    query = (
        sa.select(Message)
        .join(Enrollment)
        .options(selectinload(Message.enrollment).selectinload(Enrollment.event))
        .order_by(Message.due_at, Message.id)
    )
    if state:
        query = query.where(Message.state == state)
    if event:
        query = query.where(Enrollment.event_id == find_event(session, event).id)
    return list(session.scalars(query))


def get_message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id) if 0 < message_id <= MAX_ID else None
    if message is None:
        raise InputError(f"no message {message_id}; `followup outbox list` shows the ids")
    return message


def approve(
    session: Session,
    message_id: int | None = None,
    event: str = "",
    everything: bool = False,
    resend: bool = False,
) -> int:
    """Approve one draft (by id), an event's drafts, or all drafts; returns how many.

    `resend` re-approves one *failed* message (after checking it really did not go out).
    """
    if message_id is not None:
        message = get_message(session, message_id)
        allowed = ("drafted", "failed") if resend else ("drafted",)
        if message.state == "blocked":
            raise InputError(
                f"message {message_id} is blocked ({message.reason}); fix it and run "
                "`followup outbox plan` again"
            )
        if message.state not in allowed:
            hint = (
                " (add --resend to send a failed message again)"
                if message.state == "failed"
                else ""
            )
            raise InputError(
                f"message {message_id} is {message.state}; only drafts can be approved{hint}"
            )
        chosen = [message]
    elif event or everything:
        chosen = messages(session, "drafted", event)
    else:
        raise InputError("say which drafts to approve: an ID, --event NAME or --all")
    for message in chosen:
        message.state, message.reason, message.approved_at = "approved", "", utcnow()
    session.flush()
    return len(chosen)


def text_to_html(text: str) -> str:
    """Plain text as simple, escaped HTML paragraphs (for an edited body)."""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return "".join(
        "<p>" + html.escape(p.strip()).replace("\n", "<br>\n") + "</p>\n" for p in paragraphs
    )


def edit(
    session: Session,
    config: Config,
    message_id: int,
    subject: str | None = None,
    text: str | None = None,
) -> Message:
    """Override the subject and/or body of one draft; it goes back to 'drafted'.

    The HTML part is rebuilt from the edited text, so both parts say the same thing.
    """
    message = get_message(session, message_id)
    if message.state not in ("drafted", "approved"):
        raise InputError(f"message {message_id} is {message.state}; only drafts can be edited")
    if subject is not None:
        if not header_safe(subject):
            raise InputError("--subject is empty; give the new subject line")
        message.subject = header_safe(subject)
    if text is not None:
        if "unsubscribe" not in text.lower():
            raise InputError(
                "the new body has no opt-out line; keep the footer that says how to unsubscribe"
            )
        message.body_text = text.strip() + "\n"
        message.body_html = text_to_html(text)
    message.state, message.edited, message.approved_at = "drafted", True, None
    write_draft(message, config)
    session.flush()
    return message


def preview(
    session: Session, config: Config, chosen: list[Message]
) -> tuple[list[Path], list[tuple[int, str]]]:
    """(Re)write the .eml of each drafted/approved/failed message.

    Returns the paths written and, for each message that could not be written, its id and
    why (an attachment moved since planning); the others are written all the same.
    """
    paths, problems = [], []
    for message in chosen:
        if message.state not in ("drafted", "approved", "failed"):
            continue
        try:
            paths.append(write_draft(message, config))
        except RenderError as exc:
            problems.append((message.id, str(exc)))
    session.flush()
    return paths, problems
