"""Shared set-up for the book, report, export and privacy tests: the sample fair, a second
(later) event, and outreach states written through our own store and stop rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from contacts.match import match_pending
from contacts.model import Contact, ContactEmail, Enrollment, Event, Message
from contacts.stoprules import set_status
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from outreach.config import Config, load_config
from outreach.planner import plan_event
from outreach.sequences import get_sequence
from outreach.staging import stage_message
from tests.conftest import DATA, ROOT, SAMPLES

SPRING = "Spring Fair"
AUTUMN = "Autumn Meetup"
SAMPLE_FILES = ("fair-scans.csv", "business-cards.vcf", "Connections.csv")


def load_spring(url: str) -> None:
    """The committed sample: 40 sightings, 31 contacts, at 'Spring Fair' (2026-03-12)."""
    for name in SAMPLE_FILES:
        ingest_file(SAMPLES / name, SPRING, date=dt.date(2026, 3, 12), region="US", url=url)
    match_pending(url)


def load_autumn(url: str) -> None:
    """A later event: Maria and Robert again (known), Nadia Haddad (new)."""
    ingest_file(DATA / "autumn-meetup.csv", AUTUMN, date=dt.date(2026, 10, 1), url=url)
    match_pending(url)


def config_for(tmp_path: Path) -> Config:
    config = load_config(ROOT / "followup.toml")
    config.values["outbox"] = str(tmp_path / "outbox")
    config.values["templates"] = str(ROOT / "templates")
    return config


def contact_id(url: str, address: str) -> int:
    with session_scope(url) as session:
        return session.scalars(
            sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == address.lower())
        ).one()


def mark_sent(url: str, event: str, addresses: list[str], at: dt.datetime) -> int:
    """Mark the event's drafted messages to these addresses as sent (as the sender would)."""
    count = 0
    with session_scope(url) as session:
        for m in session.scalars(
            sa.select(Message)
            .join(Enrollment)
            .join(Event)
            .where(Message.state == "drafted", Event.name == event)
        ):
            if m.to_addr.lower() in addresses:
                m.state, m.sent_at = "sent", at
                count += 1
    return count


def stage_next(url: str, tmp_path: Path, event: str, address: str) -> None:
    """Draft the next stage of the address's enrollment at the event (planner's own code)."""
    config = config_for(tmp_path)
    with session_scope(url) as session:
        previous = session.scalars(
            sa.select(Message)
            .join(Enrollment)
            .join(Event)
            .where(Event.name == event, sa.func.lower(Message.to_addr) == address)
            .order_by(Message.stage_index.desc())
        ).first()
        assert previous is not None
        enrollment = previous.enrollment
        sequence = get_sequence(config, enrollment.sequence)
        index = previous.stage_index + 1
        session.add(stage_message(enrollment, sequence, index, config, previous))


def set_statuses(url: str, statuses: dict[str, str]) -> None:
    """address -> replied | unsubscribed | bounced, through the shared stop rules."""
    with session_scope(url) as session:
        for address, status in statuses.items():
            cid = session.scalars(
                sa.select(ContactEmail.contact_id).where(ContactEmail.email_key == address)
            ).one()
            set_status(session, cid, status, detail="test")
            assert session.get_one(Contact, cid).status == status


def plan(url: str, tmp_path: Path, event: str) -> None:
    plan_event(event, config_for(tmp_path), url=url)
