"""The drop folder's plain functions (no Prefect): real files in a tmp inbox, SQLite + PG."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from contacts.locks import named_lock
from contacts.model import Event, Quarantined, SightingRow, SourceFile
from contacts.store import engine_for, session_scope
from ingest.dropfolder import LOCK_NAME, PassResult, run_pass, scan_inbox
from tests.conftest import DATA, ROOT, SAMPLES

HEADER = "First Name,Last Name,Email,Company\n"


def make_inbox(tmp_path: Path, *names: str, event_toml: bool = True) -> Path:
    """data/inbox/spring-fair/ with the named sample files (and its event.toml)."""
    inbox = tmp_path / "data" / "inbox"
    folder = inbox / "spring-fair"
    folder.mkdir(parents=True)
    if event_toml:
        shutil.copy(SAMPLES / "event.toml", folder / "event.toml")
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
        os.utime(folder / name, (time.time() - 60, time.time() - 60))  # written a while ago
    return inbox


def rows(n: int, start: int = 0) -> str:
    return "".join(f"Ada{i},Lovelace{i},ada{i}@example.org,Analytical\n" for i in range(start, n))


def count(url: str, table: type) -> int:
    with session_scope(url) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def statuses(result: PassResult) -> list[tuple[str, str, int]]:
    return [(f.file, f.status, f.records) for f in result.files]


def unreadable(name: str) -> str:
    """The reason given for a binary file (BINARY), e.g. a photo of a badge."""
    return (
        f"{name}: unknown format (binary content). followup reads vCard (.vcf), CSV and "
        "XLSX exports; export the contacts in one of those formats"
    )


def expected_note(rel: str, reason: str) -> str:
    """The whole `.error.txt` for a file of the inbox's spring-fair/ folder."""
    return (
        f"followup could not ingest {rel}\n\n"
        f"What was wrong:\n  {reason}\n\n"
        "How to fix it:\n"
        "  Fix the problem above (export the file again, or correct event.toml), then move\n"
        "  the file back into the inbox folder spring-fair/; the next pass picks it up.\n"
        "  Only vCard (.vcf), CSV and XLSX exports can be read. To map columns followup\n"
        "  does not know, add them to spring-fair/event.toml, e.g.\n"
        '  map = { "E-Mail Adresse" = "email" }\n'
    )


def listing(folder: Path) -> dict[str, str]:
    """Each file of a failed/ folder with its text (the bytes' repr for a non-UTF-8 file)."""
    found = {}
    for p in sorted(folder.iterdir()):
        data = p.read_bytes()
        found[p.name] = data.decode() if data.isascii() else repr(data)
    return found


BINARY = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"  # not an export: fails


def test_a_pass_ingests_moves_and_fails_a_corrupt_file_without_blocking_the_rest(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, "fair-scans.csv", "business-cards.vcf")
    (inbox / "spring-fair" / "badge.jpg").write_bytes(BINARY)
    (inbox / "loose.csv").write_text(HEADER + rows(2))
    assert scan_inbox(inbox) == [
        "loose.csv",
        "spring-fair/badge.jpg",
        "spring-fair/business-cards.vcf",
        "spring-fair/fair-scans.csv",
    ]
    result = run_pass(inbox, db_url, settle=0.2)
    assert result.locked
    assert statuses(result) == [
        ("loose.csv", "failed", 0),
        ("spring-fair/badge.jpg", "failed", 0),
        ("spring-fair/business-cards.vcf", "ingested", 10),
        ("spring-fair/fair-scans.csv", "ingested", 19),
    ]
    assert [f.event for f in result.files] == ["", "spring-fair", *["spring-career-fair-2026"] * 2]
    assert (result.match.new_contacts, result.match.matched) == (23, 5)
    data = tmp_path / "data"
    assert sorted(p.name for p in (data / "processed" / "spring-fair").iterdir()) == [
        "business-cards.vcf",
        "fair-scans.csv",
    ]
    assert sorted(p.name for p in (inbox / "spring-fair").iterdir()) == ["event.toml"]
    note = data / "failed" / "spring-fair" / "badge.jpg.error.txt"
    assert note.read_text() == expected_note("spring-fair/badge.jpg", unreadable("badge.jpg"))
    assert (data / "failed" / "spring-fair" / "badge.jpg").exists()
    loose = data / "failed" / "_unsorted" / "loose.csv.error.txt"
    assert "loose.csv: files must be in an event folder; move it to" in loose.read_text()
    assert count(db_url, SourceFile) == 2
    with session_scope(db_url) as session:  # event.toml's metadata is kept on the event
        event = session.scalar(sa.select(Event).where(Event.slug == "spring-career-fair-2026"))
        assert event is not None
        assert (event.name, str(event.date), event.region, event.timezone, event.sequence) == (
            "Spring Career Fair 2026",
            "2026-03-12",
            "US",
            "America/New_York",
            "job-seeker",
        )


def test_the_same_file_twice_is_a_duplicate_and_is_kept_beside_the_first(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, "Connections.csv")
    assert statuses(run_pass(inbox, db_url, settle=0)) == [
        ("spring-fair/Connections.csv", "ingested", 12)
    ]
    shutil.copy(SAMPLES / "Connections.csv", inbox / "spring-fair" / "Connections.csv")
    again = run_pass(inbox, db_url, settle=0)
    assert statuses(again) == [("spring-fair/Connections.csv", "duplicate", 0)]
    assert again.files[0].moved_to.endswith("processed/spring-fair/Connections-2.csv")
    assert (count(db_url, SourceFile), count(db_url, SightingRow)) == (1, 12)


def test_a_file_still_being_written_is_read_only_once_complete(tmp_path: Path, db_url: str) -> None:
    inbox = make_inbox(tmp_path)
    target = inbox / "spring-fair" / "scans.csv"
    target.write_text(HEADER)

    def writer() -> None:
        for chunk in range(8):
            time.sleep(0.15)
            with target.open("a") as fp:
                fp.write(rows((chunk + 1) * 5, chunk * 5))

    thread = threading.Thread(target=writer)
    thread.start()
    result = run_pass(inbox, db_url, settle=0.6, max_wait=20)
    thread.join()
    assert statuses(result) == [("spring-fair/scans.csv", "ingested", 40)]
    assert count(db_url, SightingRow) == 40


def test_a_file_that_keeps_growing_is_left_for_the_next_pass(tmp_path: Path, db_url: str) -> None:
    inbox = make_inbox(tmp_path)
    target = inbox / "spring-fair" / "scans.csv"
    target.write_text(HEADER)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with target.open("a") as fp:
                fp.write(rows(i + 1, i))
            i += 1
            time.sleep(0.1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = run_pass(inbox, db_url, settle=0.4, max_wait=1.0)
    finally:
        stop.set()
        thread.join()
    assert [(f.status, f.error) for f in result.files] == [
        ("waiting", "still being written after 1 s; next pass")
    ]
    assert target.exists() and count(db_url, SourceFile) == 0
    assert statuses(run_pass(inbox, db_url, settle=0.2))[0][1] == "ingested"


def test_a_bad_event_toml_fails_its_files_with_the_fix(tmp_path: Path, db_url: str) -> None:
    inbox = make_inbox(tmp_path, "Connections.csv", event_toml=False)
    (inbox / "spring-fair" / "event.toml").write_text('date = "12/03/2026"\n')
    result = run_pass(inbox, db_url, settle=0)
    assert [(f.status, f.error) for f in result.files] == [
        (
            "failed",
            f"{inbox / 'spring-fair' / 'event.toml'} date: '12/03/2026' is not a date; "
            "write it as YYYY-MM-DD",
        )
    ]


def test_a_file_moved_back_after_the_fix_loses_its_old_error_note(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, "Connections.csv", event_toml=False)
    (inbox / "spring-fair" / "event.toml").write_text('date = "12/03/2026"\n')
    run_pass(inbox, db_url, settle=0)
    failed = tmp_path / "data" / "failed" / "spring-fair"
    assert sorted(p.name for p in failed.iterdir()) == [
        "Connections.csv",
        "Connections.csv.error.txt",
    ]
    (inbox / "spring-fair" / "event.toml").write_text('date = "2026-03-12"\n')
    shutil.move(failed / "Connections.csv", inbox / "spring-fair" / "Connections.csv")
    result = run_pass(inbox, db_url, settle=0)
    assert statuses(result) == [("spring-fair/Connections.csv", "ingested", 12)]
    assert list(failed.iterdir()) == []


def test_a_file_that_fails_again_after_moving_back_has_only_the_new_reason(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path)
    dropped, failed = (
        inbox / "spring-fair" / "bad.csv",
        tmp_path / "data" / "failed" / "spring-fair",
    )
    dropped.write_bytes(BINARY)
    assert statuses(run_pass(inbox, db_url, settle=0)) == [("spring-fair/bad.csv", "failed", 0)]
    shutil.move(failed / "bad.csv", dropped)
    dropped.write_text("First Name,Last Name,Email\n")  # fixed, but now without records
    again = run_pass(inbox, db_url, settle=0)
    no_records = f"{dropped}: no records found in this csv file; is it the right export?"
    assert [(f.status, f.error, f.moved_to) for f in again.files] == [
        ("failed", no_records, str(failed / "bad.csv"))
    ]
    assert listing(failed) == {
        "bad.csv": "First Name,Last Name,Email\n",
        "bad.csv.error.txt": expected_note("spring-fair/bad.csv", no_records),
    }
    shutil.move(failed / "bad.csv", dropped)
    dropped.write_text(HEADER + rows(2))
    assert statuses(run_pass(inbox, db_url, settle=0)) == [("spring-fair/bad.csv", "ingested", 2)]
    assert listing(failed) == {}


def test_a_copy_put_back_replaces_its_failed_twin_and_both_go_once_it_is_read(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, event_toml=False)
    folder, failed = inbox / "spring-fair", tmp_path / "data" / "failed" / "spring-fair"
    (folder / "event.toml").write_text('date = "12/03/2026"\n')
    shutil.copy(SAMPLES / "Connections.csv", folder / "Connections.csv")
    run_pass(inbox, db_url, settle=0)
    shutil.copy(failed / "Connections.csv", folder / "Connections.csv")  # copied, not moved
    (folder / "event.toml").write_text('date = "2026/03/12"\n')  # still wrong
    again = run_pass(inbox, db_url, settle=0)
    reason = f"{folder / 'event.toml'} date: '2026/03/12' is not a date; write it as YYYY-MM-DD"
    assert [(f.status, f.moved_to) for f in again.files] == [
        ("failed", str(failed / "Connections.csv"))
    ]
    assert sorted(listing(failed)) == ["Connections.csv", "Connections.csv.error.txt"]
    assert listing(failed)["Connections.csv.error.txt"] == expected_note(
        "spring-fair/Connections.csv", reason
    )
    shutil.copy(failed / "Connections.csv", folder / "Connections.csv")
    (folder / "event.toml").write_text('date = "2026-03-12"\n')
    read = run_pass(inbox, db_url, settle=0)
    assert statuses(read) == [("spring-fair/Connections.csv", "ingested", 12)]
    assert listing(failed) == {}


def test_a_different_file_of_the_same_name_keeps_its_own_note(tmp_path: Path, db_url: str) -> None:
    inbox = make_inbox(tmp_path)
    dropped, failed = (
        inbox / "spring-fair" / "bad.csv",
        tmp_path / "data" / "failed" / "spring-fair",
    )
    dropped.write_bytes(BINARY)
    run_pass(inbox, db_url, settle=0)
    dropped.write_text("First Name,Last Name,Email\n")  # a new export; the old one stays
    second = run_pass(inbox, db_url, settle=0)
    assert [f.moved_to for f in second.files] == [str(failed / "bad-2.csv")]
    no_records = f"{dropped}: no records found in this csv file; is it the right export?"
    expected = {
        "bad-2.csv": "First Name,Last Name,Email\n",
        "bad-2.csv.error.txt": expected_note("spring-fair/bad.csv", no_records),
        "bad.csv": repr(BINARY),
        "bad.csv.error.txt": expected_note("spring-fair/bad.csv", unreadable("bad.csv")),
    }
    assert listing(failed) == expected
    dropped.write_text(HEADER + rows(1))
    assert statuses(run_pass(inbox, db_url, settle=0)) == [("spring-fair/bad.csv", "ingested", 1)]
    assert listing(failed) == expected  # never read: they stay until moved back or deleted


def test_a_loose_file_moved_into_its_event_folder_leaves_no_note_behind(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path)
    (inbox / "loose.csv").write_text(HEADER + rows(2))
    unsorted = tmp_path / "data" / "failed" / "_unsorted"
    assert statuses(run_pass(inbox, db_url, settle=0)) == [("loose.csv", "failed", 0)]
    assert sorted(listing(unsorted)) == ["loose.csv", "loose.csv.error.txt"]
    shutil.move(unsorted / "loose.csv", inbox / "spring-fair" / "loose.csv")
    assert statuses(run_pass(inbox, db_url, settle=0)) == [("spring-fair/loose.csv", "ingested", 2)]
    assert listing(unsorted) == {}


def test_a_file_named_with_control_characters_gets_its_note_in_the_safe_form(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path)
    name, shown = "b\nerror: forged\x1b[31m.jpg", "b\\nerror: forged\\x1b[31m.jpg"
    (inbox / "spring-fair" / name).write_bytes(BINARY)
    result = run_pass(inbox, db_url, settle=0)
    assert [(f.file, f.error) for f in result.files] == [
        (f"spring-fair/{name}", unreadable(shown))  # the file's own name, then the message
    ]
    assert listing(tmp_path / "data" / "failed" / "spring-fair") == {
        name: repr(BINARY),
        f"{name}.error.txt": expected_note(f"spring-fair/{shown}", unreadable(shown)),
    }


def test_a_pass_skips_while_another_holds_the_lock(tmp_path: Path, db_url: str) -> None:
    inbox = make_inbox(tmp_path, "Connections.csv")
    with named_lock(LOCK_NAME, db_url) as mine:
        assert mine
        skipped = run_pass(inbox, db_url, settle=0)
    assert (skipped.locked, skipped.files) == (False, [])
    assert (inbox / "spring-fair" / "Connections.csv").exists()
    assert statuses(run_pass(inbox, db_url, settle=0))[0][1] == "ingested"


def test_two_overlapping_passes_in_threads_ingest_each_file_once(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, "Connections.csv", "fair-scans.csv", "business-cards.vcf")
    engine_for(db_url)
    barrier = threading.Barrier(2)
    results: list[PassResult] = []

    def one_pass() -> None:
        barrier.wait()
        results.append(run_pass(inbox, db_url, settle=0, lock_timeout=60))

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The second pass waited for the lock, then found the inbox empty.
    assert sorted(len(r.files) for r in results) == [0, 3]
    assert all(r.locked for r in results)
    assert count(db_url, SourceFile) == 3


OVERLAP_SCRIPT = """
import json, sys
from ingest.dropfolder import run_pass
r = run_pass(sys.argv[1], sys.argv[2], settle=0, lock_timeout=float(sys.argv[3]))
print(json.dumps({"locked": r.locked, "files": [[f.file, f.status] for f in r.files]}))
"""


def test_two_overlapping_processes_never_ingest_a_file_twice(tmp_path: Path, db_url: str) -> None:
    inbox = make_inbox(tmp_path, "Connections.csv", "fair-scans.csv", "business-cards.vcf")
    engine_for(db_url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OVERLAP_SCRIPT, str(inbox), db_url, timeout],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for timeout in ("0", "60")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert not any("database is locked" in err for _, err in outputs)
    ingested = sorted(
        name
        for out, _ in outputs
        for name, status in json.loads(out)["files"]
        if status == "ingested"
    )
    assert ingested == [
        "spring-fair/Connections.csv",
        "spring-fair/business-cards.vcf",
        "spring-fair/fair-scans.csv",
    ]
    assert count(db_url, SourceFile) == 3
    assert len(list((tmp_path / "data" / "processed" / "spring-fair").iterdir())) == 3


CRASH_SCRIPT = """
import sys
from ingest.dropfolder import run_pass
run_pass(sys.argv[1], sys.argv[2], settle=0)
"""


def test_a_crash_mid_file_leaves_it_in_the_inbox_and_the_store_unchanged(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, "fair-scans.csv")
    engine = engine_for(db_url)
    # Hold the store's write lock so the pass is stuck inside the file when it is killed.
    if engine.dialect.name == "sqlite":
        blocker: object = sqlite3.connect(str(engine.url.database), timeout=0)
        blocker.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
    else:
        blocker = engine.connect()
        blocker.execute(sa.text("LOCK TABLE source_files IN ACCESS EXCLUSIVE MODE"))  # type: ignore[attr-defined]
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_SCRIPT, str(inbox), db_url],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the child holds the ingest lock
            with named_lock(LOCK_NAME, db_url) as free:
                if not free:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("the child never started its pass")
        time.sleep(1.0)
        assert child.poll() is None  # still stuck in the file
    finally:
        child.kill()
        child.wait()
        blocker.rollback()  # type: ignore[attr-defined]
        blocker.close()  # type: ignore[attr-defined]
    assert (inbox / "spring-fair" / "fair-scans.csv").exists()
    assert (count(db_url, SourceFile), count(db_url, SightingRow)) == (0, 0)
    again = run_pass(inbox, db_url, settle=0, lock_timeout=30)
    assert statuses(again) == [("spring-fair/fair-scans.csv", "ingested", 19)]


def test_the_roster_named_in_event_toml_resolves_badges_and_stays(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path, event_toml=False)
    folder = inbox / "spring-fair"
    (folder / "event.toml").write_text('name = "Autumn Fair"\nroster = "attendees.csv"\n')
    shutil.copy(DATA / "eventbrite-attendees.csv", folder / "attendees.csv")
    shutil.copy(DATA / "scanner-log.txt", folder / "scanner-log.txt")
    assert scan_inbox(inbox) == ["spring-fair/scanner-log.txt"]
    result = run_pass(inbox, db_url, settle=0)
    assert [(f.file, f.status, f.event) for f in result.files] == [
        ("spring-fair/scanner-log.txt", "ingested", "autumn-fair")
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["attendees.csv", "event.toml"]
    with session_scope(db_url) as session:
        reasons = session.execute(
            sa.select(Quarantined.record, Quarantined.reason).order_by(Quarantined.record)
        ).all()
    assert [tuple(r) for r in reasons] == [
        (7, "badge ID 500119999 is not in the roster (--roster); check the attendee list"),
        (10, "scan payload is not a vCard, MECARD, BIZCARD, LinkedIn URL or badge ID"),
    ]


def test_a_file_in_a_sub_folder_of_an_event_fails_saying_where_it_belongs(
    tmp_path: Path, db_url: str
) -> None:
    inbox = make_inbox(tmp_path)
    nested = inbox / "spring-fair" / "sub" / "nested.csv"
    nested.parent.mkdir()
    nested.write_text(HEADER + rows(1))
    os.utime(nested, (time.time() - 60, time.time() - 60))
    result = run_pass(inbox, db_url, settle=0)
    assert [(f.file, f.status, f.error) for f in result.files] == [
        (
            "spring-fair/sub/nested.csv",
            "failed",
            "spring-fair/sub/nested.csv: files must sit directly in the event folder; move it "
            f"to {inbox}/spring-fair/",
        )
    ]
    assert not nested.exists()
    assert (tmp_path / "data" / "failed" / "spring-fair" / "nested.csv").exists()
