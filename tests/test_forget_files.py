"""`forget` reaches the files too: the exports the drop folder keeps (inbox, processed/,
failed/ with its .error.txt notes) lose the person's rows and cards, every other byte kept;
and the person's .eml drafts are found when forget runs from another folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from contacts.match import match_pending
from contacts.model import Base
from contacts.store import session_scope
from ingest.dropfolder import run_pass
from ingest.redact import Person, redact_delimited, redact_vcards
from tests.conftest import SAMPLES

MARIA = "maria.garcia@northwind.example"
CP1252_PSV = (
    "Name|Email|Phone\r\n"
    "Jörg Müller|joerg@example.de|+49 30 1234567\r\n"
    "M. García|(no email)|617.555.0142\r\n"
    "Zoë Brontë|zoe@example.org|\r\n"
).encode("cp1252")


def _without(data: bytes, *chunks: bytes) -> bytes:
    for chunk in chunks:
        assert chunk in data
        data = data.replace(chunk, b"", 1)
    return data


def _drop_folder(project: Path) -> Path:
    """The sample fair taken in by the drop folder, plus a failed workbook, a failed PSV in
    Windows-1252 and a file still waiting in the inbox."""
    inbox = project / "data" / "inbox"
    shutil.copytree(SAMPLES, inbox / "spring-fair")
    result = run_pass(inbox, os.environ["FOLLOWUP_DB"], settle=0)
    assert [f.status for f in result.files] == ["ingested"] * 3
    match_pending(os.environ["FOLLOWUP_DB"])
    failed = project / "data" / "failed" / "spring-fair"
    failed.mkdir(parents=True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("Name", "Phone"), ("Maria", "+1 617-555-0142"), ("Robert", "+1 206 555 0199")):
        sheet.append(row)
    book.save(failed / "leads.xlsx")
    (failed / "leads.xlsx.error.txt").write_text(
        f"leads.xlsx: no email column (first row mentions {MARIA.upper()})\n", encoding="utf-8"
    )
    (failed / "old.psv").write_bytes(CP1252_PSV)
    waiting = inbox / "spring-fair" / "late.csv"
    waiting.write_bytes(b"\xef\xbb\xbfName,Email\nMaria,Maria.Garcia@Northwind.example\nAl,a@b.c")
    return inbox


def test_forget_redacts_the_exports_the_drop_folder_keeps(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _drop_folder(project)
    assert cli("outbox", "plan", "--event", "spring-career-fair-2026").code == 0
    processed = project / "data" / "processed" / "spring-fair"
    failed = project / "data" / "failed" / "spring-fair"
    originals = {name: (SAMPLES / name).read_bytes() for name in os.listdir(processed)}
    assert sorted(originals) == ["Connections.csv", "business-cards.vcf", "fair-scans.csv"]

    result = cli("contacts", "forget", MARIA, "--yes")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f"forgot {MARIA}: 1 contacts, 3 sightings, 1 messages")
    assert sorted(lines[1:]) == sorted(
        f"redacted {path} ({count} removed)"
        for path, count in (
            (project / "data/inbox/spring-fair/late.csv", 1),
            (processed / "Connections.csv", 1),
            (processed / "business-cards.vcf", 1),
            (processed / "fair-scans.csv", 1),
            (failed / "leads.xlsx", 1),
            (failed / "leads.xlsx.error.txt", 1),
            (failed / "old.psv", 1),
        )
    )
    scans = originals["fair-scans.csv"]
    maria_scan = next(line for line in scans.splitlines(keepends=True) if MARIA.encode() in line)
    assert (processed / "fair-scans.csv").read_bytes() == _without(scans, maria_scan)
    cards = originals["business-cards.vcf"]
    start = cards.index(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Garc"
        if b"\r\n" in cards
        else b"BEGIN:VCARD\nVERSION:3.0\nN:Garc"
    )
    end = cards.index(b"END:VCARD", start) + len(b"END:VCARD") + (2 if b"\r\n" in cards else 1)
    assert (processed / "business-cards.vcf").read_bytes() == cards[:start] + cards[end:]
    links = originals["Connections.csv"]
    maria_link = next(line for line in links.splitlines(keepends=True) if MARIA.encode() in line)
    assert (processed / "Connections.csv").read_bytes() == _without(links, maria_link)
    assert (failed / "old.psv").read_bytes() == _without(
        CP1252_PSV, "M. García|(no email)|617.555.0142\r\n".encode("cp1252")
    )
    rows = list(openpyxl.load_workbook(failed / "leads.xlsx").active.values)  # type: ignore[union-attr]
    assert rows == [("Name", "Phone"), ("Robert", "+1 206 555 0199")]
    assert (failed / "leads.xlsx.error.txt").read_text(encoding="utf-8") == (
        "leads.xlsx: no email column (first row mentions [forgotten])\n"
    )
    assert (project / "data/inbox/spring-fair/late.csv").read_bytes() == (
        b"\xef\xbb\xbfName,Email\nAl,a@b.c"
    )
    for folder in ("inbox", "processed", "failed"):
        for path in (project / "data" / folder).rglob("*"):
            if path.is_file() and path.suffix != ".xlsx":
                text = path.read_bytes().decode("utf-8", "replace").lower()
                assert MARIA not in text and "555-0142" not in text and "555 0142" not in text


def test_forget_finds_the_drafts_from_another_folder(
    project: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _drop_folder(project)
    assert cli("outbox", "plan", "--event", "spring-career-fair-2026").code == 0
    drafts = sorted((project / "data/outbox").rglob("*.eml"))
    mine = [p for p in drafts if MARIA in p.read_text(encoding="utf-8", errors="replace")]
    assert len(mine) == 1
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = cli("contacts", "forget", MARIA, "--yes", "--config", project / "followup.toml")
    assert result.code == 0, result.err
    assert ", 1 .eml files," in result.out.splitlines()[0]
    assert not mine[0].exists()
    assert len(sorted((project / "data/outbox").rglob("*.eml"))) == len(drafts) - 1
    # The drop folder of the project (found beside followup.toml) was redacted as well.
    assert f"redacted {project / 'data/processed/spring-fair/fair-scans.csv'} (1 removed)" in (
        result.out
    )


def test_redaction_keeps_records_with_quoted_line_breaks_and_other_people() -> None:
    person = Person.of([MARIA], ["+16175550142"])
    text = 'Name,Notes\r\n"Al","met at\r\nthe fair"\r\nMaria,"ring +1 (617) 555-0142"\r\nBo,\r\n'
    assert redact_delimited(text, person) == (
        'Name,Notes\r\n"Al","met at\r\nthe fair"\r\nBo,\r\n',
        1,
    )
    folded = "BEGIN:VCARD\nFN:M\nEMAIL:maria.garcia@north\n wind.example\nEND:VCARD\n"
    other = "BEGIN:VCARD\nFN:Al\nEND:VCARD\n"
    assert redact_vcards(folded + other, person) == (other, 1)


def test_forget_by_contact_id_erases_someone_without_an_address(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _drop_folder(project)
    processed = project / "data" / "processed" / "spring-fair"
    links = (SAMPLES / "Connections.csv").read_bytes()
    found = cli("contacts", "search", "Daniel Park")
    daniel = found.out.split("│")[1].strip()
    assert daniel.isdigit(), found.out
    shown = json.loads(cli("contacts", "show", "--all", daniel).out)
    assert (shown["emails"], shown["phones"]) == ([], [])  # a LinkedIn row: no address at all

    result = cli("contacts", "forget", daniel, "--yes")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"forgot contact {daniel}: 1 contacts, 1 sightings, 0 messages, 0 quarantined rows, "
        "0 .eml files, 0 mentions in other records; suppressed (hashed) 0 addresses",
        f"redacted {processed / 'Connections.csv'} (1 removed)",
    ]
    line = next(x for x in links.splitlines(keepends=True) if b"/in/danielpark19" in x)
    assert (processed / "Connections.csv").read_bytes() == _without(links, line)
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(sa.select(table)):
                text = json.dumps([str(v) for v in row], ensure_ascii=False).lower()
                assert "danielpark19" not in text and "daniel park" not in text
    again = cli("contacts", "forget", daniel, "--yes")
    assert (again.code, again.out) == (2, "")
    assert again.err == (
        f"error: forget: no contact {daniel}: give a contact id shown by `followup contacts "
        "list` or `search`, or an email address\n"
    )
