"""The per-event funnel: sightings → contacts (new / known) → enrolled → emailed → replied.

People met at several events are credited to each of them. A contact is *known* at an
event when they were already seen at an earlier event (earlier date; same or missing date:
registered earlier), otherwise *new*. Replies, unsubscribes and bounces count a contact
once per event, from the interaction log and the contact's status.

"Emailed" lists every stage of the sequence(s) the event uses (its enrollments' sequences,
or the one it would be planned with), in stage order, with 0 for a stage nothing was sent
for yet; stages sent outside those sequences (keep-in-touch check-ins) follow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import ConfigError
from contacts.events import find_event
from contacts.model import Contact, Enrollment, Event, Interaction, Message, SightingRow
from contacts.store import session_scope
from outreach.config import Config, load_config
from outreach.planner import KEEP_IN_TOUCH, sequence_for
from outreach.sequences import get_sequence

OUTCOMES = ("replied", "unsubscribed", "bounced")


@dataclass
class FunnelRow:
    """The funnel of one event (plain data: fits a Prefect table artifact via `as_dict`)."""

    event: str
    slug: str
    date: dt.date | None
    sightings: int = 0
    contacts: int = 0
    new: int = 0
    known: int = 0
    enrolled: int = 0
    emailed: dict[str, int] = field(default_factory=dict)  # stage -> contacts sent it
    replied: int = 0
    unsubscribed: int = 0
    bounced: int = 0

    @property
    def emailed_any(self) -> int:
        """Contacts sent at least one message (the first stage's count is the most)."""
        return max(self.emailed.values(), default=0)

    @property
    def reply_rate(self) -> float:
        """The share of the people met at the event who replied (0.0 when nobody was met)."""
        return self.replied / self.contacts if self.contacts else 0.0

    def as_dict(self) -> dict[str, Any]:
        """A flat dict: `emailed:<stage>` columns, dates as ISO strings."""
        flat = asdict(self)
        flat["date"] = self.date.isoformat() if self.date else ""
        for stage, count in flat.pop("emailed").items():
            flat[f"emailed:{stage}"] = count
        flat["reply_rate"] = round(self.reply_rate, 3)
        return flat


def _event_order(event: Event) -> tuple[dt.date, int]:
    return (event.date or event.created_at.date(), event.id)


def _outcomes(session: Session) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for contact_id, kind in session.execute(
        sa.select(Interaction.contact_id, Interaction.kind).where(Interaction.kind.in_(OUTCOMES))
    ):
        found[contact_id].add(kind)
    for contact_id, status in session.execute(
        sa.select(Contact.id, Contact.status).where(Contact.status.in_(OUTCOMES))
    ):
        found[contact_id].add(status)
    return found


def _declared_stages(
    session: Session, events: list[Event], config: Config | None
) -> dict[int, list[tuple[int, str]]]:
    """event id -> the (index, name) of every stage of the sequences the event uses.

    Without a configuration the stages are those that have a message in any state."""
    used: dict[int, set[str]] = defaultdict(set)
    for event_id, sequence in session.execute(
        sa.select(Enrollment.event_id, Enrollment.sequence).distinct()
    ):
        if sequence != KEEP_IN_TOUCH:
            used[event_id].add(sequence)
    stages: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for event_id, index, stage in session.execute(
        sa.select(Enrollment.event_id, Message.stage_index, Message.stage)
        .join(Enrollment, Message.enrollment_id == Enrollment.id)
        .where(Enrollment.sequence != KEEP_IN_TOUCH)
        .distinct()
    ):
        stages[event_id].add((index, stage))
    if config is not None:
        for ev in events:
            try:
                names = used[ev.id] or {sequence_for(config, ev).name}
                for name in names:
                    stages[ev.id] |= {
                        (i, s.name) for i, s in enumerate(get_sequence(config, name).stages)
                    }
            except ConfigError:  # a sequence no longer configured: what was staged is shown
                continue
    return {event_id: sorted(found) for event_id, found in stages.items()}


def funnel_rows(session: Session, event: str = "", config: Config | None = None) -> list[FunnelRow]:
    """The funnel of every event (or one), in event date order.

    `config` names the stages of each event's sequence (see the module docstring)."""
    events = sorted(session.scalars(sa.select(Event)), key=_event_order)
    if event:
        wanted = find_event(session, event).id
    order = {e.id: i for i, e in enumerate(events)}
    seen: dict[int, set[int]] = defaultdict(set)  # event id -> contact ids
    counts: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}  # contact id -> position of the earliest event they were met at
    for event_id, contact_id in session.execute(
        sa.select(SightingRow.event_id, SightingRow.contact_id)
    ):
        counts[event_id] += 1
        if contact_id is not None:
            seen[event_id].add(contact_id)
            first[contact_id] = min(first.get(contact_id, order[event_id]), order[event_id])
    enrolled: dict[int, set[int]] = defaultdict(set)
    for event_id, contact_id in session.execute(
        sa.select(Enrollment.event_id, Enrollment.contact_id)
    ):
        enrolled[event_id].add(contact_id)
    emailed: dict[int, dict[tuple[int, str], set[int]]] = defaultdict(lambda: defaultdict(set))
    for event_id, index, stage, contact_id in session.execute(
        sa.select(Enrollment.event_id, Message.stage_index, Message.stage, Message.contact_id)
        .join(Enrollment, Message.enrollment_id == Enrollment.id)
        .where(Message.state == "sent")
    ):
        emailed[event_id][(index, stage)].add(contact_id)
    outcomes = _outcomes(session)
    declared = _declared_stages(session, events, config)
    rows = []
    for ev in events:
        if event and ev.id != wanted:
            continue
        people = seen[ev.id]
        row = FunnelRow(event=ev.name, slug=ev.slug, date=ev.date, sightings=counts[ev.id])
        row.contacts = len(people)
        row.new = sum(1 for c in people if first[c] == order[ev.id])
        row.known = row.contacts - row.new
        row.enrolled = len(enrolled[ev.id])
        row.emailed = {stage: 0 for _, stage in declared.get(ev.id, [])}
        for (_, stage), ids in sorted(emailed[ev.id].items()):
            row.emailed[stage] = row.emailed.get(stage, 0) + len(ids)
        for outcome in OUTCOMES:
            setattr(row, outcome, sum(1 for c in people if outcome in outcomes.get(c, ())))
        rows.append(row)
    return rows


def funnel(
    url: str | None = None, event: str = "", config: Config | None = None
) -> list[FunnelRow]:
    """The funnel rows read in one transaction (what `followup report` and flows show).

    Without `config`, the default configuration (FOLLOWUP_CONFIG or ./followup.toml) names
    the sequences' stages; when it cannot be read, only stages with a message are listed.
    """
    if config is None:
        try:
            config = load_config()
        except ConfigError:
            config = None
    with session_scope(url) as session:
        return funnel_rows(session, event, config)
