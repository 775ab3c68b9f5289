"""Events registered ahead, and the daily post-event run that processes the ended ones."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from flows.post_event import post_event, post_event_daily
from ingest.registered import due_events
from tests.conftest import SAMPLES


def copy_exports(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("Connections.csv", "business-cards.vcf", "fair-scans.csv"):
        shutil.copy(SAMPLES / name, target / name)
    return target


def test_events_add_and_list(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    copy_exports(Path("exports/spring"))
    added = cli(
        "events", "add", "Spring Career Fair 2026", "--date", "2026-03-12",
        "--folder", "exports/spring", "--sequence", "job-seeker",
    )  # fmt: skip
    folder = (project / "exports" / "spring").resolve()
    assert (added.code, added.out) == (
        0,
        f"registered spring-career-fair-2026: 2026-03-12, folder {folder}\n",
    )
    later = cli("events", "add", "Autumn Meetup", "--date", "2026-10-01", "--folder", "later")
    assert later.code == 0
    assert later.out.endswith("note: later does not exist yet; put the event's exports there\n")
    moved = cli("events", "add", "Autumn Meetup", "--date", "2026-10-02", "--folder", "later")
    assert moved.out.startswith("updated autumn-meetup: 2026-10-02, folder ")
    listing = cli("events", "list")
    assert listing.code == 0
    later_folder = (project / "later").resolve()
    assert listing.out == (
        f"2026-03-12  spring-career-fair-2026  'Spring Career Fair 2026'  sequence=job-seeker  "
        f"folder={folder}\n"
        f"2026-10-02  autumn-meetup  'Autumn Meetup'  sequence=(default)  folder={later_folder}\n"
    )


def test_events_add_rejects_a_bad_date_and_an_unknown_sequence(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad = cli("events", "add", "Fair", "--date", "March 12", "--folder", "x")
    assert (bad.code, bad.err) == (
        2,
        "error: --date: 'March 12' is not a date; write it as YYYY-MM-DD\n",
    )
    unknown = cli(
        "events", "add", "Fair", "--date", "2026-03-12", "--folder", "x", "--sequence", "spam"
    )
    assert (unknown.code, unknown.err) == (
        3,
        "error: no sequence 'spam'; known sequences: job-seeker, keep-in-touch, recruiter\n",
    )


def test_the_daily_run_processes_ended_events_with_new_files_once(
    project: Path, db_url: str, cli
) -> None:  # type: ignore[no-untyped-def]
    copy_exports(Path("exports/spring"))
    copy_exports(Path("exports/future"))
    assert cli("events", "add", "Spring Career Fair 2026", "--date", "2026-03-12",
               "--folder", "exports/spring").code == 0  # fmt: skip
    assert cli("events", "add", "Fair 2099", "--date", "2099-01-01",
               "--folder", "exports/future").code == 0  # fmt: skip
    # The day itself is not over yet in New York at 23:00 local time.
    on_the_day = dt.datetime(2026, 3, 13, 3, 0, tzinfo=dt.UTC)
    assert [e.slug for e in due_events(db_url, now=on_the_day)] == ["spring-career-fair-2026"]
    with_tz = cli("events", "add", "Spring Career Fair 2026", "--date", "2026-03-12",
                  "--folder", "exports/spring", "--timezone", "America/New_York")  # fmt: skip
    assert with_tz.code == 0
    assert due_events(db_url, now=on_the_day) == []

    assert post_event_daily(db=db_url) == ["spring-career-fair-2026"]
    assert len(list(Path("data/outbox/spring-career-fair-2026").glob("*.eml"))) == 25
    assert post_event_daily(db=db_url) == []  # nothing new in the folder
    shutil.copy(SAMPLES / "fair-scans.csv", "exports/spring/fair-scans-copy.csv")
    assert due_events(db_url) == []  # same content under another name: already ingested
    Path("exports/spring/late.csv").write_text(
        "First Name,Last Name,Email\nGrace,Hopper,grace@navy.example\n"
    )
    due = due_events(db_url)
    assert [(e.slug, [Path(f).name for f in e.files]) for e in due] == [
        ("spring-career-fair-2026", ["late.csv"])
    ]
    assert post_event_daily(db=db_url) == ["spring-career-fair-2026"]


def test_post_event_reads_a_folder_and_its_event_toml(project: Path, db_url: str) -> None:
    result = post_event(folder=str(SAMPLES), db=db_url)
    assert result.event == "Spring Career Fair 2026"
    assert [f.file for f in result.files] == [
        "Connections.csv", "business-cards.vcf", "fair-scans.csv"
    ]  # fmt: skip
    assert result.plan.drafted == 25


def test_run_on_a_registered_folder_is_that_event(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import os

    import sqlalchemy as sa

    from contacts.model import Enrollment, Event
    from contacts.store import session_scope

    copy_exports(Path("exports/spring"))
    assert cli(
        "events", "add", "Spring Career Fair 2026", "--date", "2026-03-12",
        "--folder", "exports/spring", "--sequence", "recruiter",
    ).code == 0  # fmt: skip
    result = cli("run", "exports/spring")
    assert result.code == 0, result.err
    assert "Post-event run: Spring Career Fair 2026" in result.out
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        events = session.scalars(sa.select(Event)).all()
        assert [(e.name, e.date, e.sequence) for e in events] == [
            ("Spring Career Fair 2026", dt.date(2026, 3, 12), "recruiter")
        ]
        sequences = set(session.scalars(sa.select(Enrollment.sequence)))
        assert sequences == {"recruiter"}
