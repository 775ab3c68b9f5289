"""An attachment moved or deleted after planning: that message is blocked with the reason,
the others go out, and preview and show name the problem (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import email
from collections import Counter
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.model import Message
from contacts.store import session_scope
from outreach.outbox import approve, edit
from outreach.planner import plan_due
from outreach.sending import problem_lines, send_due
from tests.conftest import SAMPLES
from tests.smtpd import Recorder, followup_smtp, smtp_server
from tests.test_sending import NOW, by_state, ready

FAIR = "Spring Career Fair 2026"


def gone(path: Path) -> str:
    return f"attachment {path.resolve()} not found; add the file or fix the stage"


def test_a_moved_attachment_blocks_its_message_and_the_run_goes_on(
    project: Path, db_url: str
) -> None:
    resume = project / "templates/job-seeker/files/resume.pdf"
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port, all_stages=True)
        assert send_due(config, url=db_url, now=NOW, send=True).sent == 15  # the thank-yous
        with session_scope(db_url) as session:
            maria = session.scalars(
                sa.select(Message).where(
                    Message.stage == "portfolio", Message.to_addr.like("maria%")
                )
            ).one()
            maria_id = maria.id
            edit(session, config, maria_id, subject="My résumé, as promised")
            approve(session, maria_id)
        moved = resume.read_bytes()
        resume.unlink()  # moved after planning
        later = NOW + dt.timedelta(days=14)
        run = send_due(config, url=db_url, now=later, send=True, ignore_window=True)
        # The three west-coast thank-yous still go; every portfolio is blocked, none is
        # stranded in 'sending' and nothing is reconciled later as "may have been delivered".
        assert (run.sent, run.failed, run.deferred) == (3, 15, 0)
        assert by_state(db_url) == Counter(
            {"sent": 18, "blocked": 15, "approved": 21}  # 3 portfolios, 18 check-ins wait
        )
        lines = problem_lines(run)
        assert len(lines) == 1
        assert lines[0].startswith("blocked 15 messages (") and lines[0].endswith(
            f"): {gone(resume)}"
        )
        with session_scope(db_url) as session:
            reasons = set(
                session.scalars(sa.select(Message.reason).where(Message.state == "blocked"))
            )
        assert reasons == {gone(resume)}

        resume.write_bytes(moved)  # put back: `plan` drafts them again, keeping the edit
        assert plan_due(config, url=db_url).drafted == 15
        with session_scope(db_url) as session:
            assert session.get_one(Message, maria_id).subject == "My résumé, as promised"
            approve(session, everything=True)
        again = send_due(config, url=db_url, now=later, send=True, ignore_window=True)
    assert (again.sent, again.failed) == (15, 0)
    assert len({m["Message-ID"] for m in recorder.messages}) == len(recorder.messages) == 33
    with_resume = [
        m
        for m in recorder.messages
        if [a.get_filename() for a in m.iter_attachments()] == ["resume.pdf"]
    ]
    assert len(with_resume) == 15
    assert "My résumé, as promised" in {m["Subject"] for m in with_resume}


@pytest.fixture
def fair_with_a_first_stage_attachment(project: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    """The fair planned and approved with a thank-you that attaches files/cv.pdf."""
    cv = project / "files" / "cv.pdf"
    cv.parent.mkdir()
    cv.write_bytes(b"%PDF-1.4 cv")
    toml = project / "followup.toml"
    toml.write_text(
        toml.read_text().replace(
            '{ name = "thank-you", template = "thank-you", delay = 1, after = "event" }',
            '{ name = "thank-you", template = "thank-you", delay = 1, after = "event", '
            'attachments = ["files/cv.pdf"] }',
            1,
        )
    )
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    assert "drafted 18, blocked 0" in cli("outbox", "plan", "--event", FAIR).out
    assert cli("outbox", "approve", "--all").out.strip() == "approved 18"
    return cv


def test_preview_show_and_dry_run_name_a_missing_attachment(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, fair_with_a_first_stage_attachment: Path
) -> None:
    cv = fair_with_a_first_stage_attachment
    with session_scope(db_url) as session:
        session.execute(
            sa.update(Message).where(Message.id > 1).values(attachments=[])
        )  # only message 1 still attaches the file
    cv.unlink()

    shown = cli("outbox", "show", "1")
    assert shown.code == 0
    assert f"Attachment: cv.pdf (MISSING: {gone(cv)})" in shown.out.splitlines()

    preview = cli("outbox", "preview", "--event", FAIR)
    assert preview.code == 1
    assert preview.err == f"message 1 not previewed: {gone(cv)}\nwrote 17 .eml files\n"
    assert len(preview.out.splitlines()) == 17

    dry = cli("outbox", "send", "--ignore-window")
    assert dry.code == 0
    assert dry.err == f"blocked message 1: {gone(cv)}\n"
    assert dry.out.splitlines()[-1] == (
        "dry run (not sent), .eml written: 17; failed 1, deferred 0, waiting 0, not due yet 0, "
        "over the daily cap 0, cancelled 0, reconciled 0"
    )
    listed = cli("outbox", "list", "--state", "blocked")
    assert "1 messages" in listed.out
    approve_again = cli("outbox", "approve", "1")
    assert approve_again.err.startswith(f"error: message 1 is blocked ({gone(cv)}); fix it")


def test_a_real_send_skips_past_the_missing_attachment(  # type: ignore[no-untyped-def]
    project: Path,
    db_url: str,
    cli,
    monkeypatch: pytest.MonkeyPatch,
    fair_with_a_first_stage_attachment: Path,
) -> None:
    cv = fair_with_a_first_stage_attachment
    with session_scope(db_url) as session:
        session.execute(sa.update(Message).where(Message.id != 2).values(attachments=[]))
    cv.unlink()
    with followup_smtp(monkeypatch) as recorder:
        result = cli("outbox", "send", "--send", "--ignore-window")
        again = cli("outbox", "send", "--send", "--ignore-window")
    assert (result.code, result.err) == (0, f"blocked message 2: {gone(cv)}\n")
    assert result.out.splitlines()[-1].startswith("sent: 17; failed 1, deferred 0")
    assert (again.code, again.err) == (0, "")
    assert again.out.splitlines()[-1].startswith("sent: 0; failed 0, deferred 0")
    assert len(recorder.messages) == 17
    assert by_state(db_url) == Counter({"sent": 17, "blocked": 1})
    parsed = [email.message_from_bytes(bytes(m), policy=policy.default) for m in recorder.messages]
    assert all(not list(m.iter_attachments()) for m in parsed)
