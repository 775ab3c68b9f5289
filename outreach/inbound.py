"""Act on a classified mail: a reply stops the sequence, an out-of-office pauses it, a
bounce suppresses the address. Each mail is handled once (keyed by its Message-ID).

Callers pass their open session; `outreach.sync` runs one transaction per sync.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import RenderError
from contacts.model import ContactEmail, InboundMail, Message
from contacts.stoprules import (
    count_soft_bounce,
    email_key,
    mark_bounced,
    pause,
    set_status,
)
from outreach.compose import build_email, write_eml
from outreach.config import Config
from outreach.replies import Classified


@dataclass(frozen=True)
class Policy:
    """The settings that decide what a mail does (see `followup config`)."""

    window_days: int
    pause_days: int
    soft_limit: int
    use_other_address: bool
    own_addresses: frozenset[str]
    unsubscribe_url: str
    now: dt.datetime

    @classmethod
    def from_config(cls, config: Config, now: dt.datetime) -> Policy:
        own = {str(config.get("sender.email")), str(config.get("imap.user"))}
        return cls(
            window_days=int(config.get("replies.window_days")),
            pause_days=int(config.get("replies.pause_days")),
            soft_limit=max(1, int(config.get("bounces.soft_limit"))),
            use_other_address=bool(config.get("bounces.use_other_address")),
            own_addresses=frozenset(email_key(a) for a in own if "@" in a),
            unsubscribe_url=str(config.get("sender.unsubscribe_url")),
            now=now,
        )


@dataclass
class Outcome:
    """What handling one mail did; `kind` is '' when the mail was none of ours."""

    kind: str = ""
    cancelled: int = 0
    pushed: int = 0
    suppressed: int = 0
    readdressed: int = 0


def _by_thread(session: Session, refers_to: tuple[str, ...]) -> Message | None:
    if not refers_to:
        return None
    found = session.scalars(
        sa.select(Message).where(Message.message_id.in_(refers_to)).order_by(Message.id)
    ).all()
    by_id = {m.message_id: m for m in found}
    # The last reference is the message answered directly; prefer it.
    return next((by_id[i] for i in reversed(refers_to) if i in by_id), None)


def _by_address(session: Session, address: str, policy: Policy) -> Message | None:
    """The most recent message sent to a contact who owns this address, within the window."""
    key = email_key(address)
    owners = sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == key)
    cutoff = policy.now - dt.timedelta(days=policy.window_days)
    sent = session.scalars(
        sa.select(Message)
        .where(Message.contact_id.in_(owners), Message.sent_at >= cutoff)
        .order_by(Message.sent_at.desc(), Message.id.desc())
    ).all()
    # Several contacts may share an address (a switchboard): the one we wrote to there wins.
    exact = [m for m in sent if email_key(m.to_addr) == key]
    chosen = exact or list(sent)
    return chosen[0] if chosen else None


def _sent_to(session: Session, address: str, refers_to: tuple[str, ...]) -> Message | None:
    key = email_key(address)
    threaded = _by_thread(session, refers_to)
    if threaded is not None and email_key(threaded.to_addr) == key:
        return threaded
    sent = session.scalars(
        sa.select(Message)
        .where(Message.sent_at.is_not(None))
        .where(sa.func.lower(Message.to_addr) == address.lower())
        .order_by(Message.sent_at.desc(), Message.id.desc())
    ).first()
    if sent is not None:
        return sent
    owned = session.scalar(sa.select(ContactEmail.id).where(ContactEmail.email_key == key))
    return threaded if owned else None


def _record(session: Session, mail: Classified, kind: str, folder: str, uid: int, **kw) -> None:  # type: ignore[no-untyped-def]
    session.add(
        InboundMail(
            mail_key=mail.mail_key,
            folder=folder,
            uid=uid,
            kind=kind,
            sender=mail.sender[:320],
            subject=mail.subject,
            **kw,
        )
    )


def _rewrite_drafts(messages: list[Message], policy: Policy) -> None:
    """Re-addressed drafts get their .eml preview rewritten with the new To:."""
    for message in messages:
        if message.eml_path and Path(message.eml_path).exists():
            try:
                mail = build_email(message, policy.unsubscribe_url)
            except RenderError:  # an attachment gone: preview and send report it, not sync
                continue
            write_eml(mail, Path(message.eml_path))


def _bounce(session: Session, mail: Classified, policy: Policy, folder: str, uid: int) -> Outcome:
    outcome = Outcome()
    for recipient in mail.bounced:
        sent = _sent_to(session, recipient.address, mail.refers_to)
        if sent is None:
            continue
        detail = f"{recipient.address}: {recipient.status} {recipient.diagnostic}".strip()
        hard = recipient.hard
        if not hard:
            count = count_soft_bounce(session, recipient.address, detail)
            hard = count >= policy.soft_limit
            detail = f"{detail} (soft bounce {count} of {policy.soft_limit})"
        outcome.kind = outcome.kind or ("bounce" if recipient.hard else "soft-bounce")
        if hard:
            before = session.scalar(sa.select(sa.func.count()).where(Message.state == "cancelled"))
            moved = mark_bounced(
                session,
                recipient.address,
                "bounced" if recipient.hard else "soft-bounced",
                detail,
                sent.id,
                policy.use_other_address,
            )
            after = session.scalar(sa.select(sa.func.count()).where(Message.state == "cancelled"))
            outcome.cancelled += (after or 0) - (before or 0)
            outcome.suppressed += 1
            outcome.readdressed += len(moved)
            _rewrite_drafts(moved, policy)
        _record(
            session, mail, outcome.kind, folder, uid, contact_id=sent.contact_id,
            message_id=sent.id, detail=detail,
        )  # fmt: skip
        break  # one report, one record: the first of our recipients decides
    return outcome


def handle(session: Session, mail: Classified, policy: Policy, folder: str, uid: int) -> Outcome:
    """Apply one classified mail to the store; a mail handled before does nothing."""
    if session.scalar(sa.select(InboundMail.id).where(InboundMail.mail_key == mail.mail_key)):
        return Outcome()
    if mail.kind == "bounce":
        return _bounce(session, mail, policy, folder, uid)
    if mail.kind not in ("auto-reply", "mail") or email_key(mail.sender) in policy.own_addresses:
        return Outcome()
    ours = _by_thread(session, mail.refers_to)
    how = "threaded"
    if ours is None and mail.sender:
        ours, how = _by_address(session, mail.sender, policy), "by sender address"
    if ours is None:
        return Outcome()
    detail = f"{mail.subject} (from {mail.sender}, {how})"
    outcome = Outcome(kind="reply" if mail.kind == "mail" else "auto-reply")
    if mail.kind == "mail":
        outcome.cancelled = set_status(session, ours.contact_id, "replied", detail, ours.id)
    else:
        until = policy.now + dt.timedelta(days=policy.pause_days)
        outcome.pushed = pause(session, ours.contact_id, until, f"{detail}: {mail.reason}", ours.id)
    _record(
        session, mail, outcome.kind, folder, uid, contact_id=ours.contact_id,
        message_id=ours.id, detail=detail,
    )  # fmt: skip
    return outcome
