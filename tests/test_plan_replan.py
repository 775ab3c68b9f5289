"""Planning again: a sequence gone from the config, and counts that tell the truth."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlalchemy as sa

from contacts.model import Enrollment, Message
from contacts.store import session_scope
from tests.conftest import SAMPLES

FAIR = "Spring Career Fair 2026"
HOLE = '\n[sequences.hole]\nstages = [ { name = "a", template = "a", delay = 0 } ]\n'


def add_hole_sequence(project: Path) -> None:
    """A one-stage sequence `hole` (templates/hole/a.*) in followup.toml."""
    (project / "templates/hole").mkdir()
    (project / "templates/hole/a.subject.j2").write_text("Hello from {{ event.name }}")
    (project / "templates/hole/a.txt.j2").write_text('Hi\n{% include "_partials/footer.txt.j2" %}')
    (project / "templates/hole/a.html.j2").write_text(
        '<p>Hi</p>\n{% include "_partials/footer.html.j2" %}'
    )
    toml = project / "followup.toml"
    toml.write_text(toml.read_text() + HOLE)
    (project / "hole.csv").write_text("Email\nnobody@hole.example\n")


def mark_sent(url: str) -> None:
    with session_scope(url) as session:
        for message in session.scalars(sa.select(Message)):
            message.state, message.sent_at = "sent", dt.datetime(2026, 5, 4, 14, 0)


def test_a_removed_sequence_is_reported_and_the_other_events_still_advance(
    project: Path, db_url: str, cli
) -> None:  # type: ignore[no-untyped-def]
    add_hole_sequence(project)
    cli("ingest", "hole.csv", "--event", "Hole Fair", "--date", "2026-05-01")
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    assert cli("outbox", "plan", "--event", "Hole Fair", "--sequence", "hole").code == 0
    assert cli("outbox", "plan", "--event", FAIR).code == 0
    mark_sent(db_url)
    toml = project / "followup.toml"
    toml.write_text(toml.read_text().replace(HOLE, ""))  # the sequence is gone

    planned = cli("outbox", "plan")  # the daily run: every enrolled contact
    assert planned.code == 3
    assert planned.out == counts(drafted=18)  # the fair's second stage
    assert planned.err == (
        "error: event 'Hole Fair': 1 contact not planned: they are enrolled in sequence "
        "'hole', which followup.toml no longer has (known: job-seeker, keep-in-touch, "
        "recruiter); restore [sequences.hole] there (if you renamed it, rename it back) and "
        "plan again; their enrollments and messages are kept\n"
    )
    with session_scope(db_url) as session:
        hole = session.scalars(sa.select(Enrollment).where(Enrollment.sequence == "hole")).one()
        assert (hole.state, hole.reason) == ("active", "")
        kept = session.execute(
            sa.select(Message.stage, Message.state).where(Message.enrollment_id == hole.id)
        ).all()
        assert kept == [("a", "sent")]
        portfolio = session.scalar(sa.select(sa.func.count()).where(Message.stage == "portfolio"))
        assert portfolio == 18

    toml.write_text(toml.read_text() + HOLE)  # restored: planning is whole again
    again = cli("outbox", "plan")
    assert (again.code, again.err) == (0, "")
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        hole = session.scalars(sa.select(Enrollment).where(Enrollment.sequence == "hole")).one()
        assert hole.state == "done"  # its only stage was sent


def test_what_was_not_planned_reaches_the_run_summary() -> None:
    from flows.post_event import PostEventResult
    from outreach.planner import PlanResult

    problem = "event 'Hole Fair': 1 contact not planned: ..."
    result = PostEventResult(event="Hole Fair", plan=PlanResult(problems=[problem]))
    assert result.summary().failures == [problem]


def counts(
    enrolled: int = 0,
    already: int = 0,
    drafted: int = 0,
    blocked: int = 0,
    still: int = 0,
    other: int = 0,
    no_email: int = 0,
) -> str:
    return (
        f"enrolled {enrolled}, already enrolled {already}, drafted {drafted}, "
        f"blocked {blocked}, still blocked {still}, skipped 0, stopped 0, suppressed 0, "
        f"in another event's sequence {other}, without email {no_email}\n"
    )


def test_planning_again_counts_who_is_already_enrolled(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    assert cli("outbox", "plan", "--event", FAIR).out == counts(enrolled=18, drafted=18)
    assert cli("outbox", "plan", "--event", FAIR).out == counts(already=18)
    # Met again at a later event: already in the fair's conversation, not enrolled twice.
    text = (SAMPLES / "Connections.csv").read_text(encoding="utf-8")
    Path("Connections.csv").write_text(text.replace(" Mar 2026", " Oct 2026"))  # connected there
    cli("ingest", "Connections.csv", "--event", "Fall Meetup", "--date", "2026-10-01")
    meetup = cli("outbox", "plan", "--event", "Fall Meetup")
    assert meetup.out == counts(enrolled=3, drafted=3, other=4, no_email=5)


def test_planning_again_counts_messages_still_blocked(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    subject = project / "templates/job-seeker/thank-you.subject.j2"
    good = subject.read_text()
    subject.write_text("Your role: {{ contact.nickname }}")
    assert cli("outbox", "plan", "--event", FAIR).out == counts(enrolled=18, blocked=18)
    assert cli("outbox", "plan", "--event", FAIR).out == counts(already=18, still=18)
    assert cli("outbox", "plan").out == counts(still=18)  # the daily run, across events
    subject.write_text(good)
    assert cli("outbox", "plan").out == counts(drafted=18)
    assert cli("outbox", "plan").out == counts()
