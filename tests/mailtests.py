"""Helpers for the mailbox tests: a sample outbox with sent messages, the committed mails
in tests/data/mail/, and a snapshot of every table to prove that nothing changed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.match import match_pending
from contacts.model import Base, Contact, Message
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from outreach.config import Config, load_config
from outreach.planner import plan_event
from outreach.sequences import get_sequence
from outreach.staging import stage_message
from tests.conftest import DATA, ROOT, SAMPLES

# Relative to today: the mailbox's internal dates are real time, and the export says
# "paused" only while a pause lasts in real time.
NOW = dt.datetime.combine(dt.date.today(), dt.time(12))
SENT_AT = NOW - dt.timedelta(days=3)  # the thank-you notes went out three days ago
SENT_TO = ("García", "Chen", "Rossi", "Nguyen", "Schmidt")  # last names
MAIL = DATA / "mail"
# The committed test mails, in delivery order.
EVERY_KIND = (
    "reply-threaded",
    "reply-unthreaded",
    "out-of-office",
    "bounce-hard",
    "bounce-soft",
    "newsletter",
    "stranger",
)


def clean_env(monkeypatch: pytest.MonkeyPatch, extra: dict[str, str]) -> None:
    """Drop the developer's FOLLOWUP_* settings and set only the given ones."""
    for name in list(os.environ):
        if name.startswith("FOLLOWUP_") and name not in ("FOLLOWUP_DB", "FOLLOWUP_TEST_PG_URL"):
            monkeypatch.delenv(name)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def sync_config(tmp_path: Path) -> Config:
    """The shipped followup.toml with the environment's overrides (IMAP from the fixture)."""
    config = load_config(ROOT / "followup.toml")
    config.values["outbox"] = str(tmp_path / "outbox")
    config.values["templates"] = str(ROOT / "templates")
    return config


def sent_outbox(url: str, tmp_path: Path) -> dict[str, str]:
    """The sample business cards as event 'Fair', first stage planned; five thank-you
    notes sent on Friday with their second stage drafted. Returns last name -> Message-ID."""
    ingest_file(SAMPLES / "business-cards.vcf", "Fair", date=dt.date(2026, 3, 12), url=url)
    match_pending(url)
    config = sync_config(tmp_path)
    assert plan_event("Fair", config, url=url).drafted == 10
    sent: dict[str, str] = {}
    with session_scope(url) as session:
        messages = session.scalars(
            sa.select(Message).join(Contact).where(Contact.last_name.in_(SENT_TO))
        ).all()
        for message in messages:
            message.state, message.sent_at = "sent", SENT_AT
            enrollment = message.enrollment
            sequence = get_sequence(config, enrollment.sequence)
            session.add(stage_message(enrollment, sequence, 1, config, message))
            sent[message.contact.last_name] = message.message_id
    assert sorted(sent) == sorted(SENT_TO)
    return sent


def mail(name: str, sent: dict[str, str], n: int = 1) -> bytes:
    """A committed test mail with our Message-IDs filled in, as CRLF bytes."""
    text = (MAIL / f"{name}.eml").read_text(encoding="utf-8")
    text = text.replace("{n}", str(n))
    for last_name, message_id in sent.items():
        key = {"García": "maria", "Chen": "robert", "Rossi": "sofia", "Nguyen": "emily"}.get(
            last_name, "hannah"
        )
        text = text.replace("{thank_you_" + key + "}", message_id)
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, sorted: equal snapshots mean nothing changed."""
    with session_scope(url) as session:
        return {
            table.name: sorted(
                tuple(str(v) for v in row) for row in session.execute(sa.select(table)).all()
            )
            for table in Base.metadata.sorted_tables
        }


def by_last_name(url: str) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """last name -> (status, [(stage, state, reason)]) for the contacts we wrote to."""
    with session_scope(url) as session:
        found: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
        for contact in session.scalars(sa.select(Contact).where(Contact.last_name.in_(SENT_TO))):
            messages = session.scalars(
                sa.select(Message).where(Message.contact_id == contact.id).order_by(Message.id)
            )
            found[contact.last_name] = (
                contact.status,
                [(m.stage, m.state, m.reason) for m in messages],
            )
        return found
