"""The `send-due` and `plan-followups` flows end to end against a real SMTP server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.model import Message
from contacts.store import session_scope
from flows.outreach_flows import plan_followups, send_due
from flows.post_event import post_event
from tests.conftest import SAMPLES
from tests.smtpd import followup_smtp


def test_send_due_then_plan_followups(
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix in (".csv", ".vcf"))
    post_event(
        event="Spring Career Fair 2026",
        files=files,
        date=dt.date(2026, 3, 12),
        region="US",
        db=db_url,
    )
    config = str(project / "followup.toml")

    dry = send_due(db=db_url, config_path=config, ignore_window=True)
    assert (dry.sent, dry.dry_run) == (0, 0)  # nothing approved yet: nothing goes out

    assert cli("outbox", "approve", "--all").code == 0
    with followup_smtp(monkeypatch) as recorder:
        sent = send_due(db=db_url, config_path=config, send=True, ignore_window=True)
        again = send_due(db=db_url, config_path=config, send=True, ignore_window=True)
    with session_scope(db_url) as session:
        states = session.scalars(sa.select(Message.state)).all()
    assert sent.sent == len(recorder.messages) == states.count("sent") > 0
    assert (again.sent, len(recorder.messages)) == (0, sent.sent)  # never twice

    planned = plan_followups(db=db_url, config_path=config)
    with session_scope(db_url) as session:
        second = session.scalars(sa.select(Message.state).where(Message.stage == "portfolio")).all()
    # Every sent thank-you gets its next stage staged (drafted or skipped by its condition).
    assert len(second) == sent.sent
    assert planned.drafted + planned.skipped + planned.blocked == sent.sent
