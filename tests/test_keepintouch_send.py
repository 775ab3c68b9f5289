"""A reply resets the keep-in-touch clock and never cancels the next check-in: sent to a real
SMTP server on 127.0.0.1 after the contact replied (the event sequence stays stopped)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlalchemy as sa

from contacts.model import Contact, Enrollment, Interaction, Message
from contacts.store import session_scope
from outreach.config import load_config
from outreach.keepintouch import due_reminders
from outreach.planner import plan_due
from outreach.sending import send_due
from tests.bookdata import SPRING, contact_id, load_spring, mark_sent
from tests.smtpd import Recorder, smtp_server

MARIA = "maria.garcia@northwind.example"
REPLY_AT = dt.datetime(2026, 4, 2, 16, 30)


def _replied_with_cadence(cli) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    assert cli("outbox", "plan", "--event", SPRING).code == 0
    assert mark_sent(url, SPRING, [MARIA], dt.datetime(2026, 3, 13, 9)) == 1
    maria = contact_id(url, MARIA)
    assert cli("contacts", "replied", str(maria)).code == 0
    with session_scope(url) as session:
        reply = session.scalars(
            sa.select(Interaction).where(
                Interaction.contact_id == maria, Interaction.kind == "replied"
            )
        ).one()
        reply.at = REPLY_AT
    assert cli("contacts", "keep-in-touch", str(maria), "--every", "30d").code == 0
    return url, maria


def test_check_in_after_a_reply_is_due_a_cadence_later_and_is_sent(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url, maria = _replied_with_cadence(cli)
    due = (REPLY_AT + dt.timedelta(days=30)).date()
    day_before = cli("today", "--on", (due - dt.timedelta(days=1)).isoformat())
    assert day_before.out.startswith("nobody to reach out to on 2026-05-01")
    with session_scope(url) as session:
        (reminder,) = due_reminders(session, due)
    assert (reminder.contact_id, reminder.due_on) == (maria, due)
    assert reminder.why == "every 30 days (own cadence); last: replied on 2026-04-02"
    drafted = cli("today", "--on", due.isoformat(), "--draft")
    assert drafted.code == 0
    assert drafted.err == "drafted 1 check-ins into the outbox (0 blocked)\n"
    with session_scope(url) as session:
        check_in = session.scalars(
            sa.select(Message).join(Enrollment).where(Enrollment.sequence == "keep-in-touch")
        ).one()
        assert check_in.stage == f"check-in-{due.isoformat()}"
    assert cli("outbox", "approve", str(check_in.id)).code == 0
    config = load_config(project / "followup.toml")
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config.values.update({"smtp.port": port, "smtp.security": "none", "send.pause": 0.0})
        # Planning in between must not stop the check-in either (it stops the event sequence).
        plan_due(config, url=url)
        result = send_due(config, url=url, now=dt.datetime(2026, 5, 4, 15), send=True)
    assert (result.sent, result.cancelled) == (1, 0)
    assert [rcpts for _, rcpts in recorder.envelopes] == [[MARIA]]
    assert recorder.messages[0]["Subject"] == "How are things at Northwind Analytics?"
    with session_scope(url) as session:
        assert session.get_one(Message, check_in.id).state == "sent"
        assert session.get_one(Contact, maria).status == "replied"
        states = dict(
            session.execute(
                sa.select(Enrollment.sequence, Enrollment.state).where(
                    Enrollment.contact_id == maria
                )
            ).all()
        )
    assert states["keep-in-touch"] in ("active", "done")
    assert states[next(s for s in states if s != "keep-in-touch")] == "stopped"


def test_a_reply_cancels_the_pending_check_in_and_the_clock_restarts(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url, maria = _replied_with_cadence(cli)
    assert cli("today", "--on", "2026-05-02", "--draft").code == 0
    assert cli("contacts", "replied", str(maria)).code == 0  # a second reply, today
    config = load_config(project / "followup.toml")
    plan_due(config, url=url)
    with session_scope(url) as session:
        latest = session.scalars(
            sa.select(Interaction.at)
            .where(Interaction.contact_id == maria, Interaction.kind == "replied")
            .order_by(Interaction.at.desc())
        ).first()
        assert latest is not None
        assert session.scalars(
            sa.select(Message.state).where(Message.stage.like("check-in%"))
        ).all() == ["cancelled"]
    next_due = (latest + dt.timedelta(days=30)).date()
    again = cli("today", "--on", next_due.isoformat(), "--draft")
    assert again.err == "drafted 1 check-ins into the outbox (0 blocked)\n"
    with session_scope(url) as session:
        enrollment = session.scalars(
            sa.select(Enrollment).where(Enrollment.sequence == "keep-in-touch")
        ).one()
        assert enrollment.state == "active"
