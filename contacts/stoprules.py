"""Stop rules shared by every stage that learns something about a contact.

A reply, an unsubscribe or a bounce cancels every pending message of the contact; a
suppressed address is never emailed again, whatever a later import says. Callers pass
their open session so the change is part of their transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import Contact, ContactEmail, Enrollment, Interaction, Message, Suppression
from contacts.normalize import normalize_email
from contacts.survivorship import primary_first

# Messages in these states may still go out; stop rules cancel them.
PENDING_STATES = ("planned", "drafted", "approved", "blocked")
# Contact statuses, strongest last: a contact never moves from a stronger to a weaker one.
STATUSES = ("active", "paused", "replied", "unsubscribed", "bounced")


def email_key(address: str) -> str:
    """The canonical key of an address (Gmail dots/+tags folded), or the lower-cased input."""
    result = normalize_email(address)
    return result[1] if result else address.strip().lower()


def hashed_key(address: str) -> str:
    """The hashed form of an address's key, kept for people who asked to be forgotten.

    Example: hashed_key("Ann@x.example") == "sha256:" + sha256(b"ann@x.example").hexdigest()
    """
    return "sha256:" + hashlib.sha256(email_key(address).encode()).hexdigest()


def _suppression_forms(address: str) -> list[str]:
    # A suppression is stored plain (unsubscribed, bounced, by hand) or hashed (forgotten).
    return [email_key(address), hashed_key(address)]


def is_suppressed(session: Session, address: str) -> bool:
    """True when the address (in any spelling that folds to the same key) is suppressed.

    Both forms are checked: the plain key and its hash (`hashed_key`), so a person who
    was forgotten stays suppressed although their address is no longer stored.
    """
    forms = _suppression_forms(address)
    found = session.scalar(sa.select(Suppression.id).where(Suppression.email_key.in_(forms)))
    return found is not None


def suppress(session: Session, address: str, reason: str = "manual") -> bool:
    """Add an address to the suppression list and cancel pending messages to it.

    Returns False when it was already suppressed (the first reason is kept).
    """
    key = email_key(address)
    if is_suppressed(session, address):
        return False
    session.add(Suppression(email_key=key, reason=reason))
    pending = session.scalars(
        sa.select(Message).where(
            Message.state.in_(PENDING_STATES),
            sa.func.lower(Message.to_addr) == address.strip().lower(),
        )
    ).all()
    contact_ids = session.scalars(
        sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == key)
    ).all()
    if contact_ids:
        pending = list(pending) + list(
            session.scalars(
                sa.select(Message).where(
                    Message.state.in_(PENDING_STATES), Message.contact_id.in_(contact_ids)
                )
            )
        )
    for message in {m.id: m for m in pending}.values():
        if email_key(message.to_addr) == key:
            message.state, message.reason = "cancelled", f"address suppressed ({reason})"
    session.flush()
    return True


def cancel_pending(session: Session, contact_id: int, reason: str) -> int:
    """Cancel every message of the contact that has not gone out; returns how many."""
    messages = session.scalars(
        sa.select(Message).where(
            Message.contact_id == contact_id, Message.state.in_(PENDING_STATES)
        )
    ).all()
    for message in messages:
        message.state, message.reason = "cancelled", reason
    session.flush()
    return len(messages)


def set_status(
    session: Session, contact_id: int, status: str, detail: str = "", message_id: int | None = None
) -> int:
    """Record that a contact replied / unsubscribed / bounced / paused; stops the sequence.

    Logs the interaction, raises the contact's status (never lowers it: a bounced contact
    that later 'replies' stays bounced) and, except for 'paused', cancels what is pending.
    Returns the number of cancelled messages.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    contact = session.get_one(Contact, contact_id)
    if STATUSES.index(status) > STATUSES.index(contact.status or "active"):
        contact.status = status
    session.add(
        Interaction(contact_id=contact_id, kind=status, detail=detail, message_id=message_id)
    )
    if status in ("active", "paused"):
        session.flush()
        return 0
    return cancel_pending(session, contact_id, f"contact {status}")


def contacts_with(session: Session, address: str) -> list[int]:
    """Ids of contacts that have the address (in any spelling that folds to the same key)."""
    key = email_key(address)
    return sorted(
        set(
            session.scalars(sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == key))
        )
    )


def suppress_list(session: Session, addresses: list[str], reason: str = "manual") -> int:
    """Suppress many addresses (an imported list); an unsubscribe or bounce also stops the
    contacts that have the address. Returns how many addresses were new on the list."""
    added = 0
    for address in addresses:
        added += suppress(session, address, reason)
        if reason in ("unsubscribed", "bounced"):
            for contact_id in contacts_with(session, address):
                set_status(session, contact_id, reason, f"suppression list: {address}")
    return added


@dataclass
class EnrollmentMerge:
    """What `merge_enrollments` did, kept in the merge's evidence so unmerge can undo it."""

    moved: list[int] = field(default_factory=list)  # enrollment ids now the kept contact's
    superseded: list[int] = field(default_factory=list)  # stayed with the merged contact
    cancelled: dict[str, list[str]] = field(default_factory=dict)  # message id -> state, reason


def merge_enrollments(session: Session, keep_id: int, gone_id: int) -> EnrollmentMerge:
    """When contact `gone_id` is merged into `keep_id`, keep one conversation, not two.

    The merged contact's enrollments move to the kept contact, unless the kept contact is
    already in a sequence (at that event, or any active one): then the moved enrollment is
    `superseded` and its pending messages are cancelled.
    """
    kept = list(session.scalars(sa.select(Enrollment).where(Enrollment.contact_id == keep_id)))
    result = EnrollmentMerge()
    for enrollment in session.scalars(
        sa.select(Enrollment).where(Enrollment.contact_id == gone_id).order_by(Enrollment.id)
    ).all():
        same_event = any(e.event_id == enrollment.event_id for e in kept)
        parallel = enrollment.state == "active" and any(e.state == "active" for e in kept)
        if same_event or parallel:
            enrollment.state = "superseded"
            enrollment.reason = f"merged into contact {keep_id}, already enrolled"
            for message in session.scalars(
                sa.select(Message).where(
                    Message.enrollment_id == enrollment.id, Message.state.in_(PENDING_STATES)
                )
            ):
                result.cancelled[str(message.id)] = [message.state, message.reason]
                message.state, message.reason = "cancelled", enrollment.reason
            result.superseded.append(enrollment.id)
            continue
        enrollment.contact_id = keep_id
        kept.append(enrollment)
        session.execute(
            sa.update(Message)
            .where(Message.enrollment_id == enrollment.id)
            .values(contact_id=keep_id)
        )
        result.moved.append(enrollment.id)
    session.flush()
    return result


def pause(
    session: Session,
    contact_id: int,
    until: dt.datetime,
    detail: str = "",
    message_id: int | None = None,
) -> int:
    """Pause a contact's sequence until `until` (an out-of-office); returns messages pushed.

    The contact's status becomes 'paused' (unless it is already stronger: a replied or
    bounced contact stays so), `paused_until` is extended, never shortened, and every
    pending message due before the end of the pause is pushed to it.
    """
    contact = session.get_one(Contact, contact_id)
    set_status(session, contact_id, "paused", detail, message_id)
    if contact.status != "paused":
        return 0
    contact.paused_until = max(contact.paused_until or until, until)
    pushed = session.scalars(
        sa.select(Message).where(
            Message.contact_id == contact_id,
            Message.state.in_(PENDING_STATES),
            Message.due_at < contact.paused_until,
        )
    ).all()
    for message in pushed:
        message.due_at = contact.paused_until
    session.flush()
    return len(pushed)


def resume_expired(session: Session, now: dt.datetime) -> int:
    """Set contacts whose pause has ended back to 'active'; returns how many."""
    contacts = session.scalars(
        sa.select(Contact)
        .where(Contact.status == "paused", Contact.paused_until <= now)
        .order_by(Contact.id)
    ).all()
    for contact in contacts:
        contact.status, contact.paused_until = "active", None
        session.add(Interaction(contact_id=contact.id, kind="resumed", detail="pause ended"))
    session.flush()
    return len(contacts)


def count_soft_bounce(session: Session, address: str, detail: str = "") -> int:
    """Count a temporary delivery failure of an address; returns its count so far."""
    key = email_key(address)
    rows = session.scalars(
        sa.select(ContactEmail).where(ContactEmail.email_key == key).order_by(ContactEmail.id)
    ).all()
    for row in rows:
        row.soft_bounces += 1
        session.add(Interaction(contact_id=row.contact_id, kind="soft-bounced", detail=detail))
    session.flush()
    return max((row.soft_bounces for row in rows), default=0)


def mark_bounced(
    session: Session,
    address: str,
    reason: str,
    detail: str = "",
    message_id: int | None = None,
    use_other_address: bool = False,
) -> list[Message]:
    """An address bounced for good: mark it, suppress it and stop what was going to it.

    A contact who owns the address is marked 'bounced' and all of their pending messages
    are cancelled, unless `use_other_address` is set and they have another address that
    has not bounced and is not suppressed: then that address becomes their primary one
    and their pending messages are re-addressed to it. Returns the re-addressed messages.
    """
    key = email_key(address)
    rows = session.scalars(
        sa.select(ContactEmail).where(ContactEmail.email_key == key).order_by(ContactEmail.id)
    ).all()
    for row in rows:
        row.bounced = True
    moved: list[Message] = []
    for contact_id in sorted({row.contact_id for row in rows}):
        contact = session.get_one(Contact, contact_id)
        others = [
            e
            for e in primary_first(contact.emails)
            if e.email_key != key and not e.bounced and not is_suppressed(session, e.email)
        ]
        if not (use_other_address and others):
            set_status(session, contact_id, "bounced", detail, message_id)
            continue
        for e in contact.emails:
            e.is_primary = e is others[0]
        session.add(
            Interaction(
                contact_id=contact_id,
                kind="bounced",
                detail=f"{detail}; going on at {others[0].email}",
                message_id=message_id,
            )
        )
        for message in session.scalars(
            sa.select(Message).where(
                Message.contact_id == contact_id, Message.state.in_(PENDING_STATES)
            )
        ):
            if email_key(message.to_addr) == key:
                message.to_addr = others[0].email
                moved.append(message)
    suppress(session, address, reason)
    return moved
