"""Bad settings are refused before any work is done: nothing half-done, no traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from contacts.model import SightingRow
from contacts.store import engine_for, session_scope
from tests.conftest import SAMPLES

MISSING = (
    "error: nope.toml: configuration file not found (from --config or FOLLOWUP_CONFIG); "
    "create it or fix the path\n"
)


def test_today_and_events_add_read_their_config_first(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    today = cli("today", "--config", "nope.toml")
    assert (today.code, today.out, today.err) == (3, "", MISSING)
    added = cli(
        "events", "add", "Y", "--date", "2026-05-01", "--folder", "y", "--config", "nope.toml"
    )
    assert (added.code, added.out, added.err) == (3, "", MISSING)
    assert cli("events", "list").out.count("Y") == 0


def test_run_with_an_unknown_sequence_ingests_nothing(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(SAMPLES, "spring")
    result = cli("run", "spring", "--sequence", "nosuch")
    assert (result.code, result.out) == (3, "")
    assert result.err.startswith("error: no sequence 'nosuch'; known sequences: job-seeker, ")
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SightingRow)) == 0


def test_ids_beyond_what_a_database_stores_are_usage_errors(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli
) -> None:
    engine_for(db_url)  # the ids are refused by a store that exists, not for its absence
    huge = "99999999999999999999999"
    shown = cli("contacts", "show", huge)
    assert (shown.code, shown.err) == (
        2,
        f"error: no contact '{huge}': give a contact id or email address "
        "(find it with `followup contacts search NAME`)\n",
    )
    for command in (("outbox", "show"), ("contacts", "unmerge"), ("outbox", "approve")):
        result = cli(*command, "2147483648")
        assert result.code == 2, command
        assert "Traceback" not in result.out + result.err


def test_an_unknown_message_state_lists_the_states(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("outbox", "list", "--state", "bogus")
    assert (result.code, result.err) == (
        2,
        "error: --state 'bogus': use one of planned, drafted, approved, sending, sent, "
        "blocked, skipped, cancelled, failed\n",
    )
