"""Ingest one file: hash, sniff, read, normalize, and store it in one transaction."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contacts.bulk import insert_rows, timestamp, to_json
from contacts.errors import InputError
from contacts.events import ensure_event
from contacts.model import Event, Quarantined, SightingRow, SourceFile, utcnow
from contacts.normalize import normalize
from contacts.records import RawRecord, Rejected
from contacts.store import session_scope
from ingest.rowrules import connected_before, fingerprint, stored_rows
from ingest.scans import (
    csv_rows,
    looks_like_scan_log,
    read_scans,
    roster_index,
    scan_header,
    scans_from_lines,
    scans_from_rows,
    unresolved,
)
from ingest.sniff import decode, sniff, unknown_format
from ingest.tabular import DELIMITERS, HEADER_SCAN_LINES, find_header, read_csv
from ingest.vcard import read_vcard
from ingest.workbook import read_xlsx

SIGHTING_FIELDS = (
    "record", "raw", "full_name", "first_name", "last_name", "emails", "email_keys",
    "phones", "company", "company_key", "title", "linkedin", "notes", "rating",
    "captured_by", "captured_at", "lead", "flags",
)  # fmt: skip


@dataclass
class IngestResult:
    """What happened to one file (plain data: safe to pass between Prefect tasks)."""

    file: str
    status: str  # "ingested" | "duplicate"
    format: str = ""
    event: str = ""
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    scans: int = 0  # repeated scans folded into the sighting of their badge
    repeated: int = 0  # rows an earlier file of the event already brought (not stored again)
    problems: list[tuple[int, str]] = field(default_factory=list)
    flags: list[tuple[int, str]] = field(default_factory=list)  # (record, "kind:value")
    region: str = ""  # phones without +country were read in this region ('' = none)
    note: str = ""  # for a duplicate: where the same content went before; else how it was read


def read_bytes(path: Path) -> bytes:
    """The file's content, or an InputError that says what is wrong with the path."""
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path (ls {path.parent})")
    if path.is_dir():
        raise InputError(
            f"{path}: is a folder; pass the export files inside it, or use `followup run FOLDER`"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from exc


def read_records(
    data: bytes,
    name: str,
    overrides: dict[str, str] | None = None,
    roster: dict[str, RawRecord] | None = None,
    strict_map: bool = True,
    notes: list[str] | None = None,
) -> tuple[str, Iterator[RawRecord]]:
    """(format, raw records) for a file's content: vcard, xlsx, csv or scans.

    `strict_map`: every `overrides` column must be in a CSV/XLSX file (see
    `records_from_table`). `notes` gets what a person should know about how the file was
    read once the records are consumed (which sheets of a workbook were read or not).
    """
    fmt = sniff(data, name)
    fp = io.BytesIO(data)
    if fmt == "vcard":
        return fmt, read_vcard(fp, name)
    if fmt == "xlsx":
        return fmt, resolve_badges(read_xlsx(fp, name, overrides, strict_map, notes), roster)
    text = decode(data, name)
    if looks_like_scan_log(text):
        return "scans", read_scans(scans_from_lines(text), roster)
    lines = text.splitlines(keepends=True)
    index, delimiter = find_header(lines, overrides)
    if index < 0:  # no person columns: perhaps a scanner's CSV with a payload column
        headers, rows = csv_rows("".join(lines), delimiter)
        column = scan_header(headers)
        if column is not None:
            return "scans", read_scans(scans_from_rows(headers, rows, column), roster)
        if not has_columns(lines[:HEADER_SCAN_LINES]):
            raise unknown_format(name, "text without columns")
    return fmt, resolve_badges(read_csv(fp, name, overrides, strict_map), roster)


def has_columns(lines: list[str]) -> bool:
    """True when some line splits into two non-empty cells: delimited text, not prose."""
    return any(
        sum(1 for cell in line.split(d) if cell.strip()) >= 2 for line in lines for d in DELIMITERS
    )


def resolve_badges(
    records: Iterator[RawRecord], roster: dict[str, RawRecord] | None
) -> Iterator[RawRecord]:
    """Fill rows that carry only a badge ID (a lead export without contact data) from the roster."""
    for raw in records:
        if roster is None and "badge_id" not in raw.values:
            yield raw  # the common case: nothing to resolve
            continue
        badge = raw.text("badge_id")
        named = raw.text("full_name") or raw.text("first_name") or raw.text("last_name")
        if badge and not (named or raw.many("emails") or raw.many("phones")) and not raw.problem:
            match = roster.get(badge.lower()) if roster else None
            if match is not None:
                raw.values = {**match.values, **{k: v for k, v in raw.values.items() if v}}
            else:
                raw.problem = unresolved(badge, roster)
        yield raw


def load_roster(path: str | Path | None) -> dict[str, RawRecord] | None:
    """Badge ID -> attendee record from the organiser's list (`--roster FILE`)."""
    if path is None:
        return None
    path = Path(path)
    fmt, records = read_records(read_bytes(path), path.name)
    index = roster_index(records)
    if not index:
        raise InputError(
            f"{path}: no badge IDs found in this {fmt} roster; it needs a column such as "
            "'Barcode #', 'Badge ID' or 'Attendee ID' (or --map \"Column=badge_id\")"
        )
    return index


CHUNK = 5000  # rows per executemany
SIGHTING_COLUMNS = (*SIGHTING_FIELDS, "source_file_id", "event_id", "created_at")
JSON_FIELDS = frozenset({"raw", "emails", "email_keys", "phones", "lead", "flags"})
QUARANTINE_COLUMNS = ("source_file_id", "record", "reason", "raw", "created_at")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a large file allocates millions of small
    containers and none of them form cycles, so collections would only cost time."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@gc_paused()
def store_records(
    session: Session,
    records: Iterable[RawRecord],
    source: SourceFile,
    region: str,
    result: IngestResult,
) -> None:
    """Normalize and append every record as a sighting or a quarantined row.

    A row exactly like one an earlier file of the same event brought (an export downloaded
    again after it grew) is counted as `repeated` and not stored a second time.
    """
    seen = stored_rows(session, source.event_id, source.id)
    event_day = session.get_one(Event, source.event_id).date
    now = timestamp(session, utcnow())
    tail = (source.id, source.event_id, now)
    fields_of = attrgetter(*SIGHTING_FIELDS)
    json_at = [i for i, name in enumerate(SIGHTING_FIELDS) if name in JSON_FIELDS]
    sightings: list[tuple[object, ...]] = []
    rejected: list[tuple[object, ...]] = []
    for raw in records:
        scans = int(raw.extra.get("scans") or 1)  # repeated scans of one badge: one record
        result.read += scans
        result.scans += scans - 1
        item = normalize(raw, region)
        if seen and fingerprint(item.raw) in seen:
            result.repeated += 1
            continue
        if event_day is not None and not isinstance(item, Rejected):
            item = connected_before(item, event_day) or item
        if isinstance(item, Rejected):
            result.quarantined += 1
            result.problems.append((item.record, item.reason))
            rejected.append((source.id, item.record, item.reason, to_json(item.raw), now))
            continue
        result.accepted += 1
        if item.flags:
            result.flags.extend((item.record, flag) for flag in item.flags)
        row = list(fields_of(item))
        for index in json_at:
            row[index] = to_json(row[index])
        sightings.append((*row, *tail))
        if len(sightings) >= CHUNK:
            insert_rows(session, SightingRow, SIGHTING_COLUMNS, sightings)
            sightings = []
    insert_rows(session, SightingRow, SIGHTING_COLUMNS, sightings)
    for start in range(0, len(rejected), CHUNK):
        insert_rows(session, Quarantined, QUARANTINE_COLUMNS, rejected[start : start + CHUNK])


def ingest_file(
    path: str | Path,
    event: str,
    date: dt.date | None = None,
    region: str = "",
    url: str | None = None,
    overrides: dict[str, str] | None = None,
    roster: dict[str, RawRecord] | None = None,
    strict_map: bool = True,
    default_region: str = "",
) -> IngestResult:
    """Ingest one export into the store for `event`. Same content twice is a no-op.

    Phones without +country are read in `region`, else the event's region, else
    `default_region` (followup.toml's `[defaults] region`).

    `overrides` map columns to fields (`--map`); with `strict_map` each of them must be in
    the file, else only a file that is refused names the missing ones.

    Everything for the file (source row, sightings, quarantined rows) is written in one
    transaction: a crash leaves no half-file, and the file can simply be ingested again.
    Every record read becomes exactly one sighting or one quarantined row with a reason
    (repeated scans of one badge are one sighting that keeps the scan count).
    """
    path = Path(path)
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    with session_scope(url) as session:
        note = duplicate_note(session, digest, path.name)
    if note:
        return IngestResult(file=path.name, status="duplicate", event=event, note=note)
    notes: list[str] = []
    fmt, records = read_records(data, path.name, overrides, roster, strict_map, notes)
    try:
        result = store_file(path, digest, fmt, records, event, date, region, url, default_region)
        result.note = "; ".join(notes)
        return result
    except IntegrityError:
        # Another run ingested the same content between our check and our commit.
        with session_scope(url) as session:
            note = duplicate_note(session, digest, path.name)
        return IngestResult(file=path.name, status="duplicate", event=event, note=note)


def duplicate_note(session: Session, digest: str, name: str) -> str:
    """Where content with this sha256 was ingested before, or '' when it is new.

    Example: "already ingested for event 'Spring Fair' on 2026-03-12 (same content)", with
    "as scans.csv" added when the earlier copy had another name.
    """
    row = session.execute(
        sa.select(SourceFile.name, SourceFile.ingested_at, Event.name)
        .join(Event, SourceFile.event_id == Event.id)
        .where(SourceFile.sha256 == digest)
    ).first()
    if row is None:
        return ""
    earlier, when, event = row
    as_name = f" as {earlier}" if earlier != name else ""
    return f"already ingested for event {event!r} on {when:%Y-%m-%d}{as_name} (same content)"


def store_file(
    path: Path,
    digest: str,
    fmt: str,
    records: Iterable[RawRecord],
    event: str,
    date: dt.date | None = None,
    region: str = "",
    url: str | None = None,
    default_region: str = "",
) -> IngestResult:
    """Store one file's records in ONE transaction; any exception leaves nothing behind."""
    result = IngestResult(file=path.name, status="ingested", format=fmt)
    with session_scope(url) as session:
        ev = ensure_event(session, event, date=date, region=region)
        result.event = ev.slug
        source = SourceFile(
            sha256=digest, name=path.name, path=str(path.resolve()), format=fmt, event_id=ev.id
        )
        session.add(source)
        session.flush()
        result.region = region or ev.region or default_region or ""
        store_records(session, records, source, result.region, result)
        if result.read == 0:  # raised inside the transaction: nothing is stored
            raise InputError(
                f"{path}: no records found in this {fmt} file; is it the right export?"
            )
        source.records_read = result.read
        source.accepted = result.accepted
        source.quarantined = result.quarantined
    return result
