"""File names holding control characters (a line break, a carriage return, an escape
sequence, C1 controls, bytes that are not UTF-8) are printed escaped wherever followup
names a file, so they cannot forge a line of output or colour the terminal; ordinary
Unicode ('Café.csv') is printed as it is. Real files and the real CLI, nothing mocked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.errors import InputError, printable
from contacts.model import Message
from contacts.store import session_scope
from flows.summary import RunSummary
from tests.conftest import DATA

GOOD = "a\nb\x1b[31m.csv"  # read: 3 records, one quarantined, one flagged
GOOD_SHOWN = "a\\nb\\x1b[31m.csv"
BAD = "c\r\x85\udc9b.jpg"  # not an export; \udc9b is the byte 0x9b (not UTF-8) on disk
BAD_SHOWN = "c\\r\\x85\\udc9b.jpg"
ROWS = (
    "First Name,Last Name,Email,Company\n"
    "Ada,Lovelace,ada@example.org,Analytical\n"
    ",,,Nobody\x1b[0m\n"
    "Bob,Smith,bob@,X\n"
)
BINARY = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb.csv", "a\\nb.csv"),
        ("x\x1b[31m.csv", "x\\x1b[31m.csv"),
        ("\r\t\x00\x07\x7f", "\\r\\t\\x00\\x07\\x7f"),
        ("\x85\x9b.csv", "\\x85\\x9b.csv"),  # C1: NEL, CSI
        ("\udc9b.csv", "\\udc9b.csv"),
        ("Café 名片 ü.vcf", "Café 名片 ü.vcf"),
        ("a\\nb.csv", "a\\nb.csv"),  # a backslash stays: escaping twice changes nothing
    ],
)
def test_printable_escapes_control_characters_only(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert str(InputError(f"{text}: unknown format")) == f"{shown}: unknown format"


def test_a_run_summary_keeps_each_failure_and_note_on_its_line() -> None:
    summary = RunSummary(title="t", failures=[f"{GOOD}: broken"], notes=[f"{BAD} waits"])
    assert summary.markdown().endswith(
        f"\n\n- {BAD_SHOWN} waits\n\n## Failures\n\n- {GOOD_SHOWN}: broken\n"
    )


def test_ingest_names_such_files_escaped_in_the_table_and_every_line(
    project: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    Path(GOOD).write_text(ROWS)
    Path(BAD).write_bytes(BINARY)
    result = cli("ingest", GOOD, BAD, "--event", "Fair")
    assert result.code == 2
    assert result.err == (
        f"error: {BAD_SHOWN}: unknown format (binary content). followup reads vCard (.vcf), "
        "CSV and XLSX exports; export the contacts in one of those formats\n"
    )
    table, after = result.out.split("┘\n")
    rows = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    assert rows == [GOOD_SHOWN, BAD_SHOWN]
    assert after == (
        f"{GOOD_SHOWN}: record 2 quarantined: no name, no email and no phone\n"
        f"{GOOD_SHOWN}: record 3 flagged: email 'bob@' is not a valid address and was left "
        "out; correct it in the export and ingest it again\n"
        "contacts: 2 new, 0 matched from 2 new sightings\n"
    )
    shutil.copy(GOOD, "Café.csv")  # ordinary Unicode is shown as it is
    again = cli("ingest", "Café.csv", "--event", "Fair").out.splitlines()
    assert again[-2:] == [
        f"Café.csv: already ingested for event 'Fair' on {dt.datetime.now(dt.UTC).date()} "
        f"as {GOOD_SHOWN} (same content); nothing to do",
        "contacts: 0 new, 0 matched from 0 new sightings",
    ]

    listed = cli("quarantine", "list")
    assert listed.out == (
        f"{GOOD_SHOWN} record 2: no name, no email and no phone [Company=Nobody\\x1b[0m]\n"
        "1 quarantined record; export them with `followup quarantine export -o FILE`\n"
    )
    shown = cli("contacts", "show", "1")
    assert f"│ met  │ met at Fair ({GOOD_SHOWN} record 1) │" in shown.out
    assert "\x1b" not in shown.out


def test_review_names_the_sources_escaped(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    cards = shutil.copy(DATA / "match" / "cards.csv", "cards\x1b[8m.csv")
    for name in (DATA / "match" / "badges.csv", cards, DATA / "match" / "connections.csv"):
        assert cli("ingest", "--event", "Expo", "--region", "US", name).code == 0
    listed = cli("review", "--list")
    assert "│ sources  │ cards\\x1b[8m.csv#5 " in listed.out
    assert "\x1b" not in listed.out


def test_suppress_names_the_address_file_escaped(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    name = "list\n\x1b[2J.txt"
    Path(name).write_text("ok@example.org\nnope\n")
    result = cli("suppress", "--file", name)
    shown = "list\\n\\x1b[2J.txt"
    assert (result.code, result.out) == (2, "suppressed 1 new, 0 already on the list\n")
    assert result.err == (
        f"{shown} row 2: 'nope' is not an email address; skipped\n"
        f"error: {shown}: 1 row skipped (named above); fix and import the file again "
        "(addresses already on the list are kept once)\n"
    )


def test_outbox_show_names_an_attachment_escaped(project: Path, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    Path("scans.csv").write_text(ROWS)
    assert cli("ingest", "scans.csv", "--event", "Fair", "--date", "2026-03-12").code == 0
    assert cli("outbox", "plan", "--event", "Fair").code == 0
    attachment = project / "files" / "cv\n\x1b[2J.pdf"
    with session_scope(db_url) as session:
        session.execute(sa.update(Message).values(attachments=[str(attachment)]))
    shown = cli("outbox", "show", "1").out.splitlines()
    missing = f"{project}/files/cv\\n\\x1b[2J.pdf"
    assert shown[7] == (
        f"Attachment: cv\\n\\x1b[2J.pdf (MISSING: attachment {missing} not found; add the "
        "file or fix the stage)"
    )


def test_forget_names_the_files_it_redacts_escaped(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path(GOOD).write_text(ROWS)
    assert cli("ingest", GOOD, "--event", "Fair").code == 0
    dropped = project / "data" / "inbox" / "fair" / BAD.replace(".jpg", ".csv")
    dropped.parent.mkdir(parents=True)
    dropped.write_text(ROWS)
    result = cli("contacts", "forget", "ada@example.org", "--yes")
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        f"redacted {dropped.parent}/c\\r\\x85\\udc9b.csv (1 removed)",
        "still mentions them (ingested from outside the drop folder, not changed): "
        f"{project}/{GOOD_SHOWN}",
    ]
