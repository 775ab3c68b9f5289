"""What `outbox send` reports: each failure's or deferral's reason, a non-zero exit when the
SMTP server cannot be reached (nothing listening, or a TLS mismatch against a real aiosmtpd
server), and the approved messages that are not due yet."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.model import Message
from contacts.store import session_scope
from outreach.sending import SendResult, problem_lines, send_due
from tests.conftest import SAMPLES
from tests.smtpd import Recorder, free_port, smtp_server
from tests.test_sending import by_state, ready

FAIR = "Spring Career Fair 2026"
HINT = "check FOLLOWUP_SMTP_HOST, FOLLOWUP_SMTP_PORT and FOLLOWUP_SMTP_SECURITY"


def _approved(cli, date: str = "2026-03-12", *plan: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", date).code == 0
    assert cli("outbox", "plan", "--event", FAIR, *plan).code == 0
    assert cli("outbox", "approve", "--all").code == 0


def _smtp_env(monkeypatch: pytest.MonkeyPatch, port: int, security: str) -> None:
    for name, value in {
        "FOLLOWUP_SMTP_PORT": str(port),
        "FOLLOWUP_SMTP_SECURITY": security,
        "FOLLOWUP_SMTP_RETRIES": "1",
        "FOLLOWUP_SMTP_BACKOFF": "0.01",
        "FOLLOWUP_SEND_PAUSE": "0",
    }.items():
        monkeypatch.setenv(name, value)


def _first_due(url: str) -> int:
    with session_scope(url) as session:
        first = session.scalars(
            sa.select(Message.id)
            .where(Message.state == "approved")
            .order_by(Message.due_at, Message.id)
        ).first()
    assert first is not None
    return first


def test_a_closed_port_is_one_error_line_with_the_reason_and_exit_5(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(cli)
    port = free_port()  # nothing listens there
    _smtp_env(monkeypatch, port, "none")
    first = _first_due(db_url)
    result = cli("outbox", "send", "--send", "--ignore-window")
    assert result.code == 5
    assert result.out == (
        "sent: 0; failed 0, deferred 1, waiting 0, not due yet 0, over the daily cap 0, "
        "cancelled 0, reconciled 0\n"
    )
    assert result.err.startswith(
        f"error: nothing sent: deferred message {first}: SMTP 127.0.0.1:{port} (none): "
        "cannot connect ([Errno 111] Connection refused); "
    )
    assert result.err.endswith(f"; {HINT}; 17 more due messages wait for the next run\n")
    assert result.err.count("\n") == 1
    assert by_state(db_url) == Counter({"approved": 18})
    # The dry run still needs no network and exits 0.
    dry = cli("outbox", "send", "--ignore-window")
    assert (dry.code, dry.err) == (0, "")
    assert dry.out.endswith(
        "dry run (not sent), .eml written: 18; failed 0, deferred 0, waiting 0, not due yet 0, "
        "over the daily cap 0, cancelled 0, reconciled 0\n"
    )


def test_ssl_against_a_plain_server_stops_at_once_with_exit_5(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(cli)
    recorder = Recorder()
    with smtp_server(recorder) as port:
        _smtp_env(monkeypatch, port, "ssl")
        result = cli("outbox", "send", "--send", "--ignore-window")
    assert (result.code, result.out) == (5, "")
    assert result.err == (
        f"error: SMTP 127.0.0.1:{port} (ssl): TLS handshake failed (WRONG_VERSION_NUMBER); "
        "set smtp.security (FOLLOWUP_SMTP_SECURITY) to what the port speaks: ssl on 465, "
        "starttls on 587, none on a local test server\n"
    )
    assert recorder.messages == []
    assert by_state(db_url) == Counter({"approved": 18})


def test_a_refused_recipient_is_named_and_the_rest_go_out(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(cli)
    gone = "maria.garcia@northwind.example"
    with session_scope(db_url) as session:
        maria = session.scalars(sa.select(Message.id).where(Message.to_addr == gone)).one()
    recorder = Recorder(reject={gone})
    with smtp_server(recorder) as port:
        _smtp_env(monkeypatch, port, "none")
        result = cli("outbox", "send", "--send", "--ignore-window")
    assert result.code == 0
    assert result.out == (
        "sent: 17; failed 1, deferred 0, waiting 0, not due yet 0, over the daily cap 0, "
        "cancelled 0, reconciled 0\n"
    )
    assert result.err == (
        f"failed message {maria}: recipient refused: 550 5.1.1 <{gone}>: user unknown\n"
    )
    assert len(recorder.messages) == 17


def test_later_stages_approved_ahead_are_counted_as_not_due_yet(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli
) -> None:
    _approved(cli, "2030-03-12", "--all-stages")  # the fair is years ahead: nothing is due
    with session_scope(db_url) as session:
        approved = session.scalar(
            sa.select(sa.func.count(Message.id)).where(Message.state == "approved")
        )
    assert approved is not None and approved > 18
    result = cli("outbox", "send", "--ignore-window")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "dry run (not sent), .eml written: 0; failed 0, deferred 0, waiting 0, "
        f"not due yet {approved}, over the daily cap 0, cancelled 0, reconciled 0\n"
    )


def test_not_due_yet_after_the_first_stage_went_out(project: Path, db_url: str) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port, all_stages=True)
        # Friday 2026-03-13 18:00 UTC: every thank-you is due, the later stages are not.
        now = dt.datetime(2026, 3, 13, 18, 0)
        result = send_due(config, url=db_url, now=now, send=True, ignore_window=True)
    with session_scope(db_url) as session:
        later = session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.state == "approved", Message.due_at > now
            )
        )
    assert (result.sent, result.waiting, result.not_due) == (18, 0, later)
    assert later and later == by_state(db_url)["approved"]
    assert problem_lines(result) == []


def test_problem_lines_group_a_shared_reason() -> None:
    result = SendResult(failed=2, deferred=1, untried=4)
    result.problems = [
        (3, "failed", "message refused: 554 5.7.1 spam"),
        (5, "deferred", "SMTP x:25 (none): message refused for now: 451 4.3.0 later"),
        (4, "failed", "message refused: 554 5.7.1 spam"),
    ]
    assert problem_lines(result) == [
        "failed 2 messages (3, 4): message refused: 554 5.7.1 spam",
        "deferred message 5: SMTP x:25 (none): message refused for now: 451 4.3.0 later; "
        "4 more due messages wait for the next run",
    ]
    assert result.unreachable  # nothing went out: the CLI's error, exit 5
    result.sent = 1
    assert not result.unreachable  # something did: the lines are reported, exit 0
