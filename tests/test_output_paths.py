"""Every command that writes a file the user named turns a bad path into one line on stderr
(what is wrong and how to fix it) and exit code 2, never a traceback; no folder is created."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.bookdata import load_spring

# (command before the output path, the flag, the example file name in the message)
COMMANDS = [
    (("report",), "--html", "report.html"),
    (("export", "contacts"), "-o", "contacts.json"),
    (("export", "contacts", "--format", "vcard"), "-o", "contacts.vcf"),
    (("export", "contacts", "--format", "csv", "--layout", "google"), "-o", "contacts.csv"),
    (("quarantine", "export"), "--output", "quarantine.csv"),
]
IDS = ["report-html", "export-json", "export-vcard", "export-csv", "quarantine-export"]


@pytest.fixture
def loaded(project: Path) -> Path:
    load_spring(os.environ["FOLLOWUP_DB"])
    return project


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_a_folder_is_not_a_file_name(loaded: Path, cli, command, flag, example) -> None:  # type: ignore[no-untyped-def]
    (loaded / "out").mkdir()
    result = cli(*command, flag, "out")
    assert (result.code, result.err) == (
        2,
        f"error: out is a folder; give a file name, e.g. out/{example}\n",
    )


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_a_missing_folder_is_not_created(loaded: Path, cli, command, flag, example) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, flag, f"nonexistent/dir/{example}")
    assert (result.code, result.err) == (
        2,
        "error: folder nonexistent/dir does not exist; create it first "
        "(mkdir -p nonexistent/dir)\n",
    )
    assert not (loaded / "nonexistent").exists()


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_a_folder_where_files_cannot_be_made(loaded: Path, cli, command, flag, example) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, flag, f"/proc/{example}")
    assert (result.code, result.err) == (
        2,
        f"error: cannot create {example} in /proc; choose another folder\n",
    )


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_a_file_is_not_a_folder(loaded: Path, cli, command, flag, example) -> None:  # type: ignore[no-untyped-def]
    (loaded / "notes.txt").write_text("x", encoding="utf-8")
    result = cli(*command, flag, f"notes.txt/{example}")
    assert (result.code, result.err) == (
        2,
        f"error: notes.txt is not a folder; choose another path for {example}\n",
    )


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_permission_denied(loaded: Path, cli, command, flag, example) -> None:  # type: ignore[no-untyped-def]
    locked = loaded / "locked"
    locked.mkdir()
    (locked / example).write_text("", encoding="utf-8")
    (locked / example).chmod(0o400)
    locked.chmod(0o500)
    # root ignores file modes; /sys refuses new files even to root
    writable = os.access(locked / example, os.W_OK)
    path = f"/sys/{example}" if writable else f"locked/{example}"
    try:
        result = cli(*command, flag, path)
    finally:
        locked.chmod(0o700)
    assert (result.code, result.err) == (
        2,
        f"error: {path}: permission denied; choose another path\n",
    )


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_a_good_path_is_written(loaded: Path, cli, command, flag, example) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, flag, example)
    assert (result.code, result.err) == (0, f"wrote {example}\n")
    assert (loaded / example).stat().st_size > 0


def test_report_refuses_a_bad_path_before_it_prints_the_table(loaded: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("report", "--html", "nonexistent/report.html")
    assert (result.code, result.out) == (2, "")


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_written_files_are_readable_by_their_owner_only(
    loaded: Path, cli, command, flag, example
) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, flag, example)
    assert (result.code, result.err) == (0, f"wrote {example}\n")
    assert (loaded / example).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("command", "flag", "example"), COMMANDS, ids=IDS)
def test_an_existing_file_is_made_owner_only_and_replaced(
    loaded: Path, cli, command, flag, example
) -> None:  # type: ignore[no-untyped-def]
    target = loaded / example
    target.write_text("old content that is much longer than nothing\n" * 2000)
    target.chmod(0o644)
    result = cli(*command, flag, example)
    assert (result.code, result.err) == (0, f"wrote {example}\n")
    assert target.stat().st_mode & 0o777 == 0o600
    assert "old content" not in target.read_text(encoding="utf-8")
