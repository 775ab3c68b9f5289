"""Stop rules shared by every stage that learns something about a contact.

A reply, an unsubscribe or a bounce cancels every pending message of the contact; a
suppressed address is never emailed again, whatever a later import says. Callers pass
their open session so the change is part of their transaction.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import Contact, ContactEmail, Enrollment, Interaction, Message, Suppression
from contacts.normalize import normalize_email

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


def merge_enrollments(session: Session, keep_id: int, gone_id: int) -> int:
    """When contact `gone_id` is merged into `keep_id`, keep one conversation, not two.

    The merged contact's enrollments move to the kept contact, unless the kept contact is
    already in a sequence (at that event, or any active one): then the moved enrollment is
    `superseded` and its pending messages are cancelled. Returns how many were superseded.
    """
    kept = list(session.scalars(sa.select(Enrollment).where(Enrollment.contact_id == keep_id)))
    superseded = 0
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
                message.state, message.reason = "cancelled", enrollment.reason
            superseded += 1
            continue
        enrollment.contact_id = keep_id
        kept.append(enrollment)
        session.execute(
            sa.update(Message)
            .where(Message.enrollment_id == enrollment.id)
            .values(contact_id=keep_id)
        )
    session.flush()
    return superseded
