"""Two commands at once on one store (SQLite and PostgreSQL): `ingest`, `outbox plan`."""

from __future__ import annotations

import os
import shutil
import threading
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from contacts.model import (
    Contact,
    Enrollment,
    Event,
    MatchDecision,
    Message,
    SightingRow,
    SourceFile,
)
from contacts.store import engine_for, session_scope
from flows.cli import main
from tests.conftest import SAMPLES

FAIR = ["--event", "Spring Career Fair 2026", "--date", "2026-03-12"]


def at_once(url: str, hold: str, *commands: list[str]) -> list[int]:
    """`followup COMMAND` for each command, all at once (one thread each); the exit codes
    (1 for a traceback).

    The first run to send a statement containing `hold` waits (up to 3 s) until another
    run sends one too: the overlap two terminals produce now and then, made certain here.
    """
    first: list[str] = []
    other_came, guard = threading.Event(), threading.Lock()

    def hold_the_first(*args: Any) -> None:
        if hold not in args[2]:
            return
        me = threading.current_thread().name
        with guard:
            wait = not first
            if wait:
                first.append(me)
            elif me != first[0]:
                other_came.set()
        if wait:
            other_came.wait(timeout=3)

    codes: dict[int, int] = {}

    def run(index: int) -> None:
        try:
            codes[index] = main(commands[index])
        except Exception:  # noqa: BLE001  (what the user sees: a traceback, exit code 1)
            traceback.print_exc()  # shown with the failing test
            codes[index] = 1

    engine = engine_for(url)
    sa.event.listen(engine, "after_cursor_execute", hold_the_first)
    # Typer (0.29) sets PYDANTIC_DISABLE_PLUGINS while it parses a command line and deletes
    # it after, so two in-process runs in threads can delete it twice (KeyError). With the
    # variable already set it only restores it. Separate processes, as users run, never meet.
    plugins = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "1"
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(commands))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sa.event.remove(engine, "after_cursor_execute", hold_the_first)
        if plugins is None:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]
    return [codes[i] for i in range(len(commands))]


PENDING = "WHERE sightings.contact_id IS NULL ORDER BY sightings.id"  # what is left to match
EVENT = "WHERE events.slug = "  # does the event exist yet?


def ingest_at_once(url: str, hold: str, *files: str) -> list[int]:
    return at_once(url, hold, *(["ingest", f, *FAIR] for f in files))


def test_two_ingests_at_once_make_each_contact_once(project: Path, db_url: str) -> None:
    for name in ("fair-scans.csv", "Connections.csv", "business-cards.vcf"):
        shutil.copy(SAMPLES / name, name)
    assert main(["ingest", "fair-scans.csv", *FAIR]) == 0
    assert ingest_at_once(db_url, PENDING, "Connections.csv", "business-cards.vcf") == [0, 0]
    with session_scope(db_url) as session:
        contacts = session.scalars(sa.select(Contact.id)).all()
        empty = session.scalars(
            sa.select(Contact.id).where(~Contact.sightings.any()).order_by(Contact.id)
        ).all()
        decided = Counter(
            session.scalars(
                sa.select(MatchDecision.sighting_id).where(MatchDecision.kind.in_(("new", "join")))
            )
        )
        sightings = session.scalars(sa.select(SightingRow.id)).all()
    # As when the files are ingested one after the other: 30 people, each sighting
    # resolved once, and no contact left without a sighting.
    assert (len(contacts), empty) == (30, [])
    assert sorted(decided) == sorted(sightings) and set(decided.values()) == {1}


def test_two_ingests_at_once_into_a_new_event_store_both_files(project: Path, db_url: str) -> None:
    for name in ("Connections.csv", "fair-scans.csv"):
        shutil.copy(SAMPLES / name, name)
    engine_for(db_url)  # a new store: neither the event nor the match index exists yet
    assert ingest_at_once(db_url, EVENT, "Connections.csv", "fair-scans.csv") == [0, 0]
    with session_scope(db_url) as session:
        files = session.scalars(sa.select(SourceFile.name).order_by(SourceFile.name)).all()
        events = session.scalars(sa.select(Event.name)).all()
    assert (files, events) == (["Connections.csv", "fair-scans.csv"], ["Spring Career Fair 2026"])


ENROLLED = "WHERE enrollments.contact_id = "  # is this contact enrolled yet?


def test_two_plans_at_once_enroll_and_draft_each_contact_once(project: Path, db_url: str) -> None:
    names = ("fair-scans.csv", "Connections.csv", "business-cards.vcf")
    for name in names:
        shutil.copy(SAMPLES / name, name)
    assert main(["ingest", *names, *FAIR]) == 0
    plan = ["outbox", "plan", "--event", "Spring Career Fair 2026"]
    assert at_once(db_url, ENROLLED, plan, plan) == [0, 0]
    with session_scope(db_url) as session:
        enrolled = session.scalars(sa.select(Enrollment.contact_id)).all()
        drafted = session.scalars(sa.select(Message.contact_id).where(Message.state == "drafted"))
        assert len(enrolled) == len(set(enrolled)) == 25
        assert sorted(drafted) == sorted(enrolled)
