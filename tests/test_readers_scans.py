"""Badge-scanner logs: payload kinds, repeated scans, and bare IDs resolved by a roster."""

from __future__ import annotations

from contacts.records import RawRecord
from ingest.pipeline import load_roster, read_records
from ingest.scans import parse_bizcard, parse_mecard, parse_payload
from tests.conftest import DATA


def _read(name: str, roster: bool = True) -> tuple[str, list[RawRecord]]:
    index = load_roster(DATA / "eventbrite-attendees.csv") if roster else None
    fmt, records = read_records((DATA / name).read_bytes(), name, None, index)
    return fmt, list(records)


def test_mecard_with_last_comma_first_and_escapes() -> None:
    payload = "MECARD:N:Doe,John;TEL:+1 617;TEL:+1 618;EMAIL:j@d.example;ORG:A\\;B;;"
    assert parse_mecard(payload) == {
        "last_name": "Doe", "first_name": "John", "phones": ["+1 617", "+1 618"],
        "emails": ["j@d.example"], "company": "A;B",
    }  # fmt: skip


def test_bizcard_fields() -> None:
    assert parse_bizcard("BIZCARD:N:Mei;X:Chen;T:VP;C:Contoso;M:+1 206;E:m@c.example;;") == {
        "first_name": "Mei", "last_name": "Chen", "title": "VP", "company": "Contoso",
        "phones": ["+1 206"], "emails": ["m@c.example"],
    }  # fmt: skip


def test_payload_kinds() -> None:
    assert parse_payload("https://www.linkedin.com/in/ravi/")[0] == "linkedin"
    assert parse_payload("500110001") == (
        "badge", {"badge_id": "500110001", "emails": [], "phones": []},
    )  # fmt: skip
    assert parse_payload("hello world")[0] == "unknown"


def test_scan_log_lines_fold_repeats_and_resolve_badges() -> None:
    fmt, records = _read("scanner-log.txt")
    assert fmt == "scans"
    summary = [
        (r.record, r.extra.get("payload_kind"), r.extra.get("scans"), r.problem) for r in records
    ]
    assert summary == [
        (1, "mecard", "1", None),
        (2, "bizcard", "1", None),
        (3, "linkedin", "1", None),
        (4, "badge", "3", None),
        (5, "badge", "1", None),
        (
            7,
            "badge",
            "1",
            "badge ID 500119999 is not in the roster (--roster); check the attendee list",
        ),
        (8, "vcard", "1", None),
        (10, None, None, "scan payload is not a vCard, MECARD, BIZCARD, LinkedIn URL or badge ID"),
    ]
    priya = records[3]
    assert priya.extra["scan_records"] == "4, 6, 9"
    assert (priya.values["first_name"], priya.values["emails"]) == (
        "Priya", ["priya.sharma@uni.example"],
    )  # fmt: skip
    assert priya.extra["roster: What brings you here?"] == "Internships"
    assert records[6].values["full_name"] == "Ada Okafor"


def test_bare_ids_without_a_roster_are_reported_not_dropped() -> None:
    _, records = _read("scanner-log.txt", roster=False)
    problems = [r.problem for r in records if r.extra.get("payload_kind") == "badge"]
    assert problems == [
        "badge ID 500110001 cannot be resolved: pass the attendee list with --roster FILE",
        "badge ID 500110003 cannot be resolved: pass the attendee list with --roster FILE",
        "badge ID 500119999 cannot be resolved: pass the attendee list with --roster FILE",
    ]


def test_csv_scan_export_keeps_time_and_device() -> None:
    fmt, records = _read("scanner-export.csv")
    assert fmt == "scans"
    assert [(r.record, r.extra["scans"]) for r in records] == [(1, "2"), (2, "1"), (4, "1")]
    omar = records[0]
    assert (omar.values["captured_at"], omar.values["captured_by"]) == (
        "2026-03-12 10:01", "booth-ipad",
    )  # fmt: skip
    assert omar.values["emails"] == ["omar.haddad@firma.example"]
