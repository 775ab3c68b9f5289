"""A file of each kind through `followup ingest` into `followup export contacts --format
json`: every record read is a sighting or a quarantined row (repeated badge scans fold into
one sighting that lists them). Quarantine is listed and exported; a crash stores nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.model import Event, Quarantined, SightingRow, SourceFile
from contacts.records import RawRecord
from contacts.store import engine_for, session_scope
from ingest.pipeline import ingest_file, store_file
from tests.conftest import DATA, SHARED

FILES = [
    "google-contacts.csv", "google-legacy.csv", "outlook-unicode.csv", "outlook-unicode-be.csv",
    "thunderbird-1252.csv", "eventbrite-attendees.csv", "cvent-leads.csv", "swapcard-leads.tsv",
    "talque-leads.psv", "handshake-candidates.csv", "Connections.csv", "leads.xlsx",
    "scanner-log.txt", "scanner-export.csv", "hard-cases.vcf",
]  # fmt: skip
# file -> (records read, sightings, quarantined, repeated scans folded)
COUNTS = {
    "google-contacts.csv": (3, 2, 1, 0), "google-legacy.csv": (2, 2, 0, 0),
    "outlook-unicode.csv": (2, 2, 0, 0), "outlook-unicode-be.csv": (1, 1, 0, 0),
    "thunderbird-1252.csv": (2, 2, 0, 0), "eventbrite-attendees.csv": (4, 3, 1, 0),
    "cvent-leads.csv": (2, 2, 0, 0), "swapcard-leads.tsv": (2, 2, 0, 0),
    "talque-leads.psv": (1, 1, 0, 0), "handshake-candidates.csv": (1, 1, 0, 0),
    "Connections.csv": (2, 2, 0, 0), "leads.xlsx": (2, 2, 0, 0),
    "scanner-log.txt": (10, 6, 2, 2), "scanner-export.csv": (4, 3, 0, 1),
    "hard-cases.vcf": (6, 5, 1, 0),
}  # fmt: skip


def _ingest_all(cli, tmp: Path):  # type: ignore[no-untyped-def]
    paths = [str(DATA / f) for f in FILES]
    roster = str(DATA / "eventbrite-attendees.csv")
    return cli("ingest", *paths, "--event", "Autumn Fair", "--region", "US", "--roster", roster)


def test_every_record_of_every_kind_is_accounted_for(project: Path, cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    result = _ingest_all(cli, project)
    assert result.code == 0, result.err
    assert "scanner-log.txt: 2 repeated scans folded into their badge's sighting" in result.out
    assert (
        "scanner-log.txt: record 7 quarantined: badge ID 500119999 is not in the roster "
        "(--roster); check the attendee list" in result.out
    )
    assert cli("export", "contacts", "--format", "json", "-o", "c.json").code == 0
    contacts = json.loads(Path("c.json").read_text())
    exported: dict[str, list[int]] = {}
    for contact in contacts:
        for s in contact["sightings"]:
            exported.setdefault(s["source"], []).append(s["record"])
    with session_scope(db_url) as session:
        sources = {s.name: s for s in session.scalars(sa.select(SourceFile))}
        quarantined: dict[str, list[int]] = {}
        for q in session.scalars(sa.select(Quarantined)):
            quarantined.setdefault(q.source_file.name, []).append(q.record)
        scan_counts = [
            int(r.lead.get("scans", "1")) for r in session.scalars(sa.select(SightingRow))
        ]
    for name in FILES:
        read, accepted, held, scans = COUNTS[name]
        source = sources[name]
        assert (source.records_read, source.accepted, source.quarantined) == (read, accepted, held)
        assert len(exported.get(name, [])) == accepted, name
        assert len(quarantined.get(name, [])) == held, name
        # every input record once: sightings + quarantined + scans folded into a sighting
        assert len(exported.get(name, [])) + held + scans == read, name
        assert sorted(exported.get(name, []) + quarantined.get(name, [])) == sorted(
            set(exported.get(name, []) + quarantined.get(name, []))
        )
    assert sorted(scan_counts)[-2:] == [2, 3]  # the lead metadata keeps the scan counts


def test_quarantine_list_and_export(project: Path, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    engine_for(db_url)  # a store that exists but holds nothing yet
    assert cli("quarantine", "list").out == "nothing is quarantined\n"
    assert _ingest_all(cli, project).code == 0
    listed = cli("quarantine", "list", "--file", "eventbrite-attendees.csv")
    assert (listed.code, listed.out) == (
        0,
        "eventbrite-attendees.csv record 2: skipped: attendee status is 'Refunded' (refunded "
        "or cancelled ticket) [Order #=1102; Order Date=11/29/24 22:30; First Name=Tom; "
        "Last Name=Becker]\n1 quarantined record; export them with "
        "`followup quarantine export -o FILE`\n",
    )
    exported = cli("quarantine", "export", "-o", "q.csv")
    assert (exported.code, exported.err) == (0, "wrote q.csv\n")
    rows = list(csv.DictReader(io.StringIO(Path("q.csv").read_text(encoding="utf-8"))))
    summary = [(r["file"], r["record"], r["reason"]) for r in rows]
    assert summary == [
        ("google-contacts.csv", "3", "no name, no email and no phone"),
        ("eventbrite-attendees.csv", "2",
         "skipped: attendee status is 'Refunded' (refunded or cancelled ticket)"),
        ("scanner-log.txt", "7",
         "badge ID 500119999 is not in the roster (--roster); check the attendee list"),
        ("scanner-log.txt", "10",
         "scan payload is not a vCard, MECARD, BIZCARD, LinkedIn URL or badge ID"),
        ("hard-cases.vcf", "4", "no name, no email and no phone"),
    ]  # fmt: skip
    assert {r["event"] for r in rows} == {"Autumn Fair"}
    assert rows[1]["Email"] == "tom.becker@example.com"
    assert rows[1]["Attendee Status"] == "Refunded"
    assert rows[2]["payload"] == "500119999"
    only = cli("quarantine", "export", "--file", "hard-cases.vcf")
    assert only.out == (
        "file,event,record,reason,VERSION,NOTE,PHOTO\n"
        'hard-cases.vcf,Autumn Fair,4,"no name, no email and no phone",3.0,met at booth 12,'
        "[29 bytes not read]\n"
    )
    by_slug = cli("quarantine", "list", "--event", "autumn-fair", "--file", "hard-cases.vcf")
    assert by_slug.out.startswith("hard-cases.vcf record 4: no name, no email and no phone")


@pytest.mark.parametrize("command", ["list", "export"])
def test_quarantine_of_an_unknown_event_is_an_error(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, command: str
) -> None:
    engine_for(db_url)  # a store that exists but holds nothing yet
    assert cli("quarantine", command, "--event", "Nope").err == (
        "error: no event 'Nope'; known events: (none yet)\n"
    )
    assert _ingest_all(cli, project).code == 0
    result = cli("quarantine", command, "--event", "Nope")
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: no event 'Nope'; known events: autumn-fair\n"
    assert cli("contacts", "list", "--event", "Nope").err == result.err


def test_roster_that_names_no_badges_is_refused(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "ingest", str(DATA / "scanner-log.txt"), "--event", "Fair",
        "--roster", str(DATA / "talque-leads.psv"),
    )  # fmt: skip
    assert result.code == 2
    assert result.err.startswith(
        f"error: {DATA / 'talque-leads.psv'}: no badge IDs found in this csv roster"
    )


def _failing_reader(after: int) -> Iterator[RawRecord]:
    for n in range(1, after + 1):
        yield RawRecord(record=n, values={"full_name": f"Person {n}", "emails": [], "phones": []})
    raise RuntimeError("disk went away mid-file")


def test_a_crash_mid_file_leaves_nothing(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("x")
    # 4500 records: two bulk INSERT chunks are already sent when the reader fails.
    with pytest.raises(RuntimeError, match="disk went away"):
        store_file(path, "0" * 64, "csv", _failing_reader(4500), "Crash Fair", url=db_url)
    with session_scope(db_url) as session:
        for table in (SourceFile, SightingRow, Quarantined, Event):
            assert session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
    # ...and the same file can simply be ingested again afterwards.
    again = [RawRecord(record=1, values={"full_name": "Person 1", "emails": [], "phones": []})]
    ok = store_file(path, "0" * 64, "csv", again, "Crash Fair", url=db_url)
    assert (ok.read, ok.accepted, ok.quarantined) == (1, 1, 0)


REPEATED_CARDS = ["aosp__v30_multibyte_param.vcf", "jeroendesloovere__invalid_encoding.vcf"]


@pytest.mark.skipif(not (SHARED / "corpus" / "vcards").is_dir(), reason="../shared is absent")
def test_the_whole_vcard_corpus_ingests_and_accounts_for_every_card(db_url: str) -> None:
    total, repeated = 0, []
    for path in sorted((SHARED / "corpus" / "vcards").glob("*.vcf")):
        result = ingest_file(path, "Corpus", region="US", url=db_url)
        assert result.read == result.accepted + result.quarantined + result.repeated, path.name
        total += result.read
        repeated += [path.name] * result.repeated
    assert total == 65
    # cards whose every property equals a card of an earlier file (one event): kept once
    assert repeated == REPEATED_CARDS
    with session_scope(db_url) as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(SightingRow))
        held = session.scalar(sa.select(sa.func.count()).select_from(Quarantined))
    assert (count, held) == (63 - len(repeated), 2)


def test_quarantine_export_neutralizes_formulas(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("inj.csv").write_text(
        'First Name,Last Name,Email,Company,Notes\n,,,=HYPERLINK("http://x"),=1+1\n'
    )
    assert cli("ingest", "inj.csv", "--event", "Inj Fair").code == 0
    assert cli("quarantine", "export").out == (
        "file,event,record,reason,Company,Notes\n"
        'inj.csv,Inj Fair,1,"no name, no email and no phone","\'=HYPERLINK(""http://x"")",'
        "'=1+1\n"
    )


def test_quarantine_list_with_an_unknown_file_is_an_error(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("a.csv").write_text("Name,Email\n,\n-,nobody\n")
    assert cli("ingest", "a.csv", "--event", "Fair").code == 0
    result = cli("quarantine", "list", "--file", "nope.csv")
    assert (result.code, result.err) == (
        2,
        "error: --file 'nope.csv': no file of that name was ingested; files: a.csv\n",
    )
