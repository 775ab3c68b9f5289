"""A command that only reads (or acts on what is stored) refuses a SQLite store that is not
there, instead of creating an empty one and answering 'no contacts'; a command that brings
data in creates it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from contacts import store
from tests.conftest import SAMPLES

NEEDS_A_STORE = [
    ("contacts", "list"),
    ("contacts", "search", "ada"),
    ("contacts", "show", "1"),
    ("contacts", "why", "1", "2"),
    ("contacts", "note", "1", "met at the fair"),
    ("contacts", "tag", "1", "mentor"),
    ("contacts", "keep-in-touch", "1", "--every", "90d"),
    ("contacts", "replied", "1"),
    ("contacts", "unmerge", "1"),
    ("export", "contacts"),
    ("outbox", "list"),
    ("outbox", "show", "1"),
    ("outbox", "preview"),
    ("outbox", "edit", "1", "--subject", "Hello"),
    ("outbox", "approve", "--all"),
    ("review", "--list"),
    ("quarantine", "list"),
    ("quarantine", "export"),
    ("report",),
    ("events", "list"),
    ("today",),
]
FIX = (
    "run `followup ingest FILE` or `followup run FOLDER` first, or point --db / FOLLOWUP_DB "
    "at your store"
)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty folder and no FOLLOWUP_* settings: the default store is data/followup.db."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("FOLLOWUP_"):
            monkeypatch.delenv(name)
    # Engines are cached by URL, and a relative SQLite path is opened from the folder
    # current when it connects: start and end without engines made in other folders.
    store.dispose()
    yield tmp_path
    store.dispose()


@pytest.mark.parametrize("command", NEEDS_A_STORE, ids=" ".join)
def test_a_command_on_a_missing_store_says_so_and_creates_nothing(  # type: ignore[no-untyped-def]
    fresh: Path, cli, command: tuple[str, ...]
) -> None:
    result = cli(*command)
    assert (result.code, result.out) == (4, "")
    assert result.err == f"error: no contact store at data/followup.db: {FIX}\n"
    assert list(fresh.iterdir()) == []


def test_a_mistyped_db_is_named_and_not_created(fresh: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    typo = cli("contacts", "list", "--db", "sqlite:///typo.db")
    assert (typo.code, typo.out) == (4, "")
    assert typo.err == f"error: no contact store at typo.db: {FIX}\n"
    monkeypatch.setenv("FOLLOWUP_DB", "sqlite:///stores/mine.db")
    missing = cli("export", "contacts")
    assert (missing.code, missing.out) == (4, "")
    assert missing.err == f"error: no contact store at stores/mine.db: {FIX}\n"
    assert list(fresh.iterdir()) == []


BRING_DATA_IN = {
    "ingest": (
        ("ingest", str(SAMPLES / "fair-scans.csv"), "--event", "Spring Fair"),
        "(no date)  spring-fair  'Spring Fair'  sequence=(default)  folder=(none)\n",
    ),
    "events add": (
        ("events", "add", "Spring Fair", "--date", "2026-03-12", "--folder", "fair"),
        "2026-03-12  spring-fair  'Spring Fair'  sequence=(default)  folder={fresh}/fair\n",
    ),
    "suppress": (
        ("suppress", "someone@example.com"),
        "no events yet; register one with `followup events add NAME --date --folder`\n",
    ),
}


@pytest.mark.parametrize("name", BRING_DATA_IN)
def test_a_command_that_brings_data_in_creates_the_store(fresh: Path, cli, name: str) -> None:  # type: ignore[no-untyped-def]
    command, events = BRING_DATA_IN[name]
    assert cli(*command).code == 0
    assert (fresh / "data" / "followup.db").is_file()
    listed = cli("events", "list")
    assert (listed.code, listed.out, listed.err) == (0, events.format(fresh=fresh), "")
