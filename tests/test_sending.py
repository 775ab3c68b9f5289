"""Sending the sample fair's approved messages to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
from collections import Counter
from email import policy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from contacts.forget import forget
from contacts.model import Contact, Interaction, Message
from contacts.stoprules import set_status, suppress
from contacts.store import session_scope
from outreach.config import Config
from outreach.outbox import approve
from outreach.planner import plan_due, plan_event
from outreach.sending import send_due
from tests.smtpd import Recorder, free_port, smtp_server
from tests.test_outreach_plan import FAIR, config_in, ingest

# Tuesday 2026-11-24 15:00 UTC: 10:00 in New York, 16:00 in Berlin, but 07:00 on the
# US west coast, outside the 09:00-17:00 window (Robert 206, Emily 415, Priyanka 425).
NOW = dt.datetime(2026, 11, 24, 15, 0)
SATURDAY = dt.datetime(2026, 11, 28, 15, 0)


def ready(project: Path, url: str, port: int, all_stages: bool = False) -> Config:
    """The sample fair planned and approved; SMTP pointed at the test server."""
    ingest(url)
    config = config_in(project)
    config.values.update(
        {
            "smtp.port": port,
            "smtp.security": "none",
            "smtp.backoff": 0.01,
            "send.pause": 0.0,
        }
    )
    plan_event(FAIR, config, url=url, all_stages=all_stages)
    with session_scope(url) as session:
        approve(session, everything=True)
    return config


def by_state(url: str) -> Counter[str]:
    with session_scope(url) as session:
        return Counter(session.scalars(sa.select(Message.state)))


def test_dry_run_writes_eml_and_needs_no_network(project: Path, db_url: str) -> None:
    config = ready(project, db_url, free_port())  # nothing listens there
    result = send_due(config, url=db_url, now=NOW)
    assert (result.dry_run, result.sent, result.waiting) == (15, 0, 3)
    assert {reason for _, reason in result.held} == {
        "outside the send window in America/Los_Angeles"
    }
    assert by_state(db_url) == Counter({"approved": 18})
    first = Path(result.files[0])
    assert first.resolve().parent == project / "data/outbox/dry-run/spring-career-fair-2026"
    parsed = email.message_from_bytes(first.read_bytes(), policy=policy.default)
    assert parsed["X-Unsent"] is None and len(parsed.get_all("Message-ID")) == 1


def test_send_delivers_each_message_once(project: Path, db_url: str) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        result = send_due(config, url=db_url, now=NOW, send=True)
        again = send_due(config, url=db_url, now=NOW, send=True)
    assert (result.sent, result.waiting, result.failed) == (15, 3, 0)
    assert (again.sent, again.waiting) == (0, 3)
    assert recorder.sessions == 1 and len(recorder.messages) == 15
    with session_scope(db_url) as session:
        sent = session.scalars(sa.select(Message).where(Message.state == "sent")).all()
        waiting = session.scalars(
            sa.select(Message.to_addr).where(Message.state == "approved").order_by(Message.to_addr)
        ).all()
        emailed = session.scalar(
            sa.select(sa.func.count(Interaction.id)).where(Interaction.kind == "emailed")
        )
        assert {m.message_id for m in sent} == {m["Message-ID"] for m in recorder.messages}
        assert {m.sent_at for m in sent} == {NOW} and emailed == 15
        assert waiting == [
            "emily.nguyen@tailspin.example",
            "priyanka.iyer@contoso.example",
            "robert.chen@contoso.example",
        ]
    maria = next(m for m in recorder.messages if "maria" in m["To"])
    assert maria["Subject"] == "Thank you for your time at Spring Career Fair 2026"
    assert maria["List-Unsubscribe"] == (
        "<mailto:priya.sharma@bellows.example?subject=unsubscribe>"
    )
    text = maria.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "I enjoyed hearing about the new-grad data engineering program in Boston" in text
    assert "<p>" not in text and 'reply "unsubscribe"' in text
    assert "<p>Hi Maria,</p>" in maria.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_window_cap_and_stop_rules_at_send_time(project: Path, db_url: str) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        assert send_due(config, url=db_url, now=SATURDAY, send=True).waiting == 18
        with session_scope(db_url) as session:
            suppress(session, "MARIA.GARCIA@northwind.example", "manual")
            aisha = session.scalars(sa.select(Contact).where(Contact.first_name == "Aisha")).one()
            set_status(session, aisha.id, "paused")
        # Suppressed after approval: caught at send time even with --ignore-window.
        config.values["send.daily_cap"] = 5
        result = send_due(config, url=db_url, now=SATURDAY, send=True, ignore_window=True)
    assert (result.sent, result.capped, result.waiting, result.cancelled) == (5, 11, 1, 0)
    assert result.held[0][1] == "contact paused"
    assert len(recorder.messages) == 5
    states = by_state(db_url)
    assert states == Counter({"sent": 5, "approved": 12, "cancelled": 1})
    with session_scope(db_url) as session:
        cancelled = session.scalars(sa.select(Message).where(Message.state == "cancelled")).one()
        assert (cancelled.to_addr, cancelled.reason) == (
            "maria.garcia@northwind.example",
            "address suppressed (manual)",
        )


def test_suppressed_or_replied_between_runs_is_cancelled(project: Path, db_url: str) -> None:
    with smtp_server(Recorder()) as port:
        config = ready(project, db_url, port)
        with session_scope(db_url) as session:
            # Straight into the table, as an import by another process would: the check at
            # send time must catch it even though the approved message was not touched.
            session.execute(
                sa.text(
                    "INSERT INTO suppressions (email_key, reason, created_at) VALUES "
                    "('ethan.wright@northwind.example', 'complaint', :now)"
                ),
                {"now": NOW},
            )
        result = send_due(config, url=db_url, now=NOW, send=True)
    assert (result.sent, result.cancelled) == (14, 1)
    with session_scope(db_url) as session:
        reason = session.scalars(
            sa.select(Message.reason).where(Message.to_addr == "ethan.wright@northwind.example")
        ).one()
    assert reason == "address suppressed"


def test_drops_and_rejections_leave_each_message_sent_once_or_failed(
    project: Path, db_url: str
) -> None:
    # The 3rd MAIL hangs up (retried), Robert's mailbox does not exist (failed, bounced),
    # and the 6th DATA is received but never answered (failed: may have been delivered).
    recorder = Recorder(
        reject={"a.okafor@fabrikam.example"}, drop_at_mail={3}, drop_after_data={6: True}
    )
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        result = send_due(config, url=db_url, now=NOW, send=True)
        again = send_due(config, url=db_url, now=NOW, send=True)
    assert (result.sent, result.failed, result.waiting) == (13, 2, 3)
    assert again.sent == 0
    with session_scope(db_url) as session:
        rows = session.scalars(sa.select(Message)).all()
        failed = {m.to_addr: m.reason for m in rows if m.state == "failed"}
        aisha = session.scalars(sa.select(Contact).where(Contact.first_name == "Aisha")).one()
        assert aisha.status == "bounced"
    on_server = Counter(m["Message-ID"] for m in recorder.messages)
    assert set(on_server.values()) == {1}  # nothing twice
    assert failed["a.okafor@fabrikam.example"] == (
        "recipient refused: 550 5.1.1 <a.okafor@fabrikam.example>: user unknown"
    )
    unknown = [a for a, r in failed.items() if r.startswith("connection lost while the server")]
    assert len(unknown) == 1 and len(on_server) == 14  # that one did arrive, once


def test_a_crash_between_sending_and_sent_never_sends_twice(project: Path, db_url: str) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        with session_scope(db_url) as session:
            # What a run killed while the server was receiving Maria's message leaves behind
            # (claimed, never recorded), written as that other process would have.
            session.execute(
                sa.update(Message)
                .where(Message.to_addr == "maria.garcia@northwind.example")
                .values(state="sending", updated_at=NOW)
            )
        soon = send_due(config, url=db_url, now=NOW, send=True, sleep=lambda s: None)
        later = send_due(
            config, url=db_url, now=NOW + dt.timedelta(hours=1), send=True, sleep=lambda s: None
        )
    # A run right away leaves the in-flight row alone; a later one reconciles it.
    assert (soon.sent, soon.reconciled, later.reconciled, later.sent) == (14, 0, 1, 0)
    assert by_state(db_url) == Counter({"sent": 14, "failed": 1, "approved": 3})
    assert len(recorder.messages) == 14
    assert len(set(m["Message-ID"] for m in recorder.messages)) == 14
    with session_scope(db_url) as session:
        failed = session.scalars(sa.select(Message).where(Message.state == "failed")).one()
        assert failed.to_addr == "maria.garcia@northwind.example"
        assert failed.reason.startswith("interrupted while sending")
        assert f"followup outbox approve {failed.id} --resend" in failed.reason


def test_ctrl_c_while_pausing_between_sends_strands_nothing(project: Path, db_url: str) -> None:
    recorder = Recorder()
    pauses: list[float] = []

    def ctrl_c_on_second_pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt  # Ctrl-C while waiting to send the 3rd message

    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        config.values["send.pause"] = 1.0
        with pytest.raises(KeyboardInterrupt):
            send_due(config, url=db_url, now=NOW, send=True, sleep=ctrl_c_on_second_pause)
        assert by_state(db_url) == Counter({"sent": 2, "approved": 16})
        again = send_due(config, url=db_url, now=NOW, send=True, sleep=lambda s: None)
    assert pauses == [1.0, 1.0]
    assert (again.sent, again.reconciled, again.failed) == (13, 0, 0)
    assert by_state(db_url) == Counter({"sent": 15, "approved": 3})
    assert len({m["Message-ID"] for m in recorder.messages}) == len(recorder.messages) == 15


def test_ctrl_c_while_retrying_returns_the_message_to_approved(project: Path, db_url: str) -> None:
    recorder = Recorder()

    def ctrl_c(seconds: float) -> None:
        raise KeyboardInterrupt  # during the backoff after the first 451: nothing went out

    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        with session_scope(db_url) as session:
            recorder.tempfail_once = set(session.scalars(sa.select(Message.to_addr)))
        with pytest.raises(KeyboardInterrupt):
            send_due(config, url=db_url, now=NOW, send=True, sleep=ctrl_c)
        assert by_state(db_url) == Counter({"approved": 18})
        with session_scope(db_url) as session:
            reasons = [r for r in session.scalars(sa.select(Message.reason)) if r]
        assert reasons == [
            "deferred, tried again next run: the run was interrupted before the message "
            "went to the server"
        ]
        again = send_due(config, url=db_url, now=NOW, send=True, sleep=lambda s: None)
    assert (again.sent, again.reconciled, again.failed) == (15, 0, 0)
    assert len(recorder.messages) == 15


def test_later_stages_wait_for_the_previous_send(project: Path, db_url: str) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port, all_stages=True)
        first = send_due(config, url=db_url, now=NOW, send=True)
        # Two weeks later the fair's 2nd stage is long "due" by its draft date, but only
        # 5 business days after the real send count: one stage per person per run.
        later = send_due(
            config, url=db_url, now=NOW + dt.timedelta(days=14), send=True, ignore_window=True
        )
    # The west-coast thank-yous go now; their portfolios wait 5 business days after that.
    assert (first.sent, later.sent, later.waiting) == (15, 18, 21)
    with session_scope(db_url) as session:
        portfolio = session.scalars(
            sa.select(Message).where(Message.stage == "portfolio", Message.to_addr.like("maria%"))
        ).one()
        assert portfolio.due_at == dt.datetime(2026, 12, 2, 14, 0)  # Thanksgiving skipped
        sent_stages = Counter(
            s for s in session.scalars(sa.select(Message.stage).where(Message.state == "sent"))
        )
    assert sent_stages == Counter({"thank-you": 18, "portfolio": 15})
    assert plan_due(config, url=db_url).drafted == 0  # all stages were drafted up front


def test_an_unreachable_server_defers_and_keeps_the_queue(project: Path, db_url: str) -> None:
    config = ready(project, db_url, free_port())
    config.values["smtp.retries"] = 1
    result = send_due(config, url=db_url, now=NOW, send=True, sleep=lambda s: None)
    assert (result.sent, result.deferred) == (0, 1)
    assert by_state(db_url) == Counter({"approved": 18})
    with session_scope(db_url) as session:
        reasons = [r for r in session.scalars(sa.select(Message.reason)) if r]
    assert len(reasons) == 1 and reasons[0].startswith("deferred, tried again next run: SMTP")


def test_someone_forgotten_while_a_run_sends_is_skipped(project: Path, db_url: str) -> None:
    # `contacts forget` in another terminal while `outbox send --send` pauses between two
    # sends: the run had listed Rachel's message; it is gone now, and the run goes on.
    recorder = Recorder()

    def forget_rachel(seconds: float) -> None:
        if not forgotten:
            forgotten.append(forget(db_url, "rachel.green@northwind.example").messages)

    forgotten: list[int] = []
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        config.values["send.pause"] = 1.0
        result = send_due(config, url=db_url, now=NOW, send=True, sleep=forget_rachel)
    assert forgotten == [1]
    assert (result.sent, result.waiting, result.failed) == (14, 3, 0)
    assert by_state(db_url) == Counter({"sent": 14, "approved": 3})
    assert [m["To"] for m in recorder.messages if "rachel" in m["To"]] == []


class ForgetsDuringData(Recorder):
    """Erases the recipient (`contacts forget`) while receiving their message's data."""

    url = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if envelope.rcpt_tos == ["maria.garcia@northwind.example"]:
            forget(self.url, "maria.garcia@northwind.example")
        return await super().handle_DATA(server, session, envelope)


def test_someone_forgotten_while_their_message_goes_out_ends_the_run_cleanly(
    project: Path, db_url: str
) -> None:
    recorder = ForgetsDuringData()
    recorder.url = db_url
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        result = send_due(config, url=db_url, now=NOW, send=True)
    # It had gone out already; nothing about Maria is recorded, the others are sent.
    assert (result.sent, result.waiting, result.failed) == (15, 3, 0)
    assert by_state(db_url) == Counter({"sent": 14, "approved": 3})
    with session_scope(db_url) as session:
        emailed = session.scalars(
            sa.select(Interaction.detail).where(Interaction.kind == "emailed")
        ).all()
    assert len(emailed) == 14 and len(recorder.messages) == 15
