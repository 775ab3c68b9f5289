"""What a person's contact carries besides sightings: tags, notes and the interaction log,
a keep-in-touch cadence, and the status the stop rules read.

A merge hands these to the survivor (`take_over`), recording exactly what changed in the
merge's evidence; unmerge gives them back (`give_back`), so both contacts show what they
showed before. A stronger status on the merged contact (it replied, unsubscribed or
bounced) becomes the survivor's, and the survivor's pending messages are cancelled for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import Cadence, Contact, ContactTag, Enrollment, Interaction, Message
from contacts.stoprules import PENDING_STATES, STATUSES


def _rank(status: str | None) -> int:
    return STATUSES.index(status or "active")


def take_over(session: Session, survivor: Contact, loser: Contact) -> dict[str, Any]:
    """Move the loser's tags, interactions and cadence to the survivor; raise its status.

    Returns what changed, for the merge's evidence (`give_back` reads it).
    """
    had = set(
        session.scalars(sa.select(ContactTag.tag).where(ContactTag.contact_id == survivor.id))
    )
    tags = [
        t
        for t in session.scalars(sa.select(ContactTag).where(ContactTag.contact_id == loser.id))
        if t.tag not in had  # a tag both had stays on the loser too: nothing to undo
    ]
    interactions = list(
        session.scalars(sa.select(Interaction).where(Interaction.contact_id == loser.id))
    )
    cadences = []
    if session.scalar(sa.select(Cadence.id).where(Cadence.contact_id == survivor.id)) is None:
        cadences = list(session.scalars(sa.select(Cadence).where(Cadence.contact_id == loser.id)))
    for tag in tags:
        tag.contact_id = survivor.id
    for interaction in interactions:
        interaction.contact_id = survivor.id
    for cadence in cadences:
        cadence.contact_id = survivor.id
    changed: dict[str, Any] = {
        "tags": [t.id for t in tags],
        "interactions": [i.id for i in interactions],
        "cadences": [c.id for c in cadences],
        "status_before": survivor.status,
        "paused_until_before": survivor.paused_until.isoformat() if survivor.paused_until else None,
        "cancelled": {},
    }
    if _rank(loser.status) > _rank(survivor.status):
        survivor.status = loser.status
    if survivor.status == "paused" and loser.paused_until:
        survivor.paused_until = max(survivor.paused_until or loser.paused_until, loser.paused_until)
    changed["status_after"] = survivor.status
    stopped = survivor.status in ("replied", "unsubscribed", "bounced")
    # a stage the merged contact was already sent at an event is not sent to the person again
    went_out = {
        (event_id, stage)
        for event_id, stage in session.execute(
            sa.select(Enrollment.event_id, Message.stage)
            .join(Enrollment, Message.enrollment_id == Enrollment.id)
            .where(Message.contact_id == loser.id, Message.state.in_(("sent", "sending")))
        )
    }
    for message, event_id in session.execute(
        sa.select(Message, Enrollment.event_id)
        .join(Enrollment, Message.enrollment_id == Enrollment.id)
        .where(Message.contact_id == survivor.id, Message.state.in_(PENDING_STATES))
    ):
        if stopped:
            reason = f"contact {survivor.status} (merged from contact {loser.id})"
        elif (event_id, message.stage) in went_out:
            reason = f"already sent to this person as contact {loser.id} (merged)"
        else:
            continue
        changed["cancelled"][str(message.id)] = [message.state, message.reason]
        message.state, message.reason = "cancelled", reason
    session.flush()
    return changed


def give_back(session: Session, survivor: Contact, loser: Contact, evidence: dict) -> None:
    """Undo `take_over` from a merge's evidence (older merges recorded none: no-op)."""
    for model, key in ((ContactTag, "tags"), (Interaction, "interactions"), (Cadence, "cadences")):
        ids = evidence.get(key, [])
        if ids:
            session.execute(sa.update(model).where(model.id.in_(ids)).values(contact_id=loser.id))
    # the status comes back unless something happened since (a reply after the merge stays)
    if "status_before" in evidence and survivor.status == evidence.get("status_after"):
        survivor.status = evidence["status_before"]
        before = evidence.get("paused_until_before")
        survivor.paused_until = dt.datetime.fromisoformat(before) if before else None
    for message_id, (state, reason) in evidence.get("cancelled", {}).items():
        session.execute(
            sa.update(Message)
            .where(Message.id == int(message_id), Message.state == "cancelled")
            .values(state=state, reason=reason)
        )
