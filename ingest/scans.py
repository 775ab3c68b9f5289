"""Raw badge-scanner logs: one scan per line (or per CSV row), each a QR/barcode payload.

A payload is a vCard, a MECARD (`MECARD:N:Doe,John;EMAIL:...;;`), a BIZCARD
(`BIZCARD:N:John;X:Doe;E:...;;`), a LinkedIn profile URL, or a bare badge ID that only
the organiser's attendee list (`--roster FILE`) can resolve. The same payload scanned
several times is one record (the first scan's position) with the scan count kept.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contacts.records import RawRecord
from ingest.profiles import header_key
from ingest.vcard import read_vcard

_LINKEDIN = re.compile(r"^\s*(https?://)?([a-z]{2,3}\.)?linkedin\.com/(in|pub)/", re.IGNORECASE)
_BADGE = re.compile(r"^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{3,40}$")
_PAYLOAD_START = re.compile(
    r"^(MECARD:|BIZCARD:|BEGIN:VCARD|(https?://)?([a-z]{2,3}\.)?linkedin\.com/)", re.IGNORECASE
)
PAYLOAD_HEADERS = {
    "payload", "scandata", "scan", "qrdata", "qrcode", "qr", "barcodedata", "rawdata",
    "data", "content", "scannedvalue", "code", "rawscan",
}  # fmt: skip
TIME_HEADERS = {"scannedat", "timestamp", "scantime", "time", "scandate", "datetime"}
BY_HEADERS = {"scannedby", "device", "scanner", "user", "staff", "capturedby"}
MECARD_FIELDS = {
    "TEL": "phones", "EMAIL": "emails", "ORG": "company", "NOTE": "notes", "TITLE": "title",
    "URL": "linkedin",
}  # fmt: skip
BIZCARD_FIELDS = {
    "N": "first_name", "X": "last_name", "T": "title", "C": "company", "B": "phones",
    "M": "phones", "E": "emails",
}  # fmt: skip


@dataclass
class Scan:
    """One scan line: its 1-based position, payload, and what the scanner logged with it."""

    record: int
    payload: str
    meta: dict[str, str] = field(default_factory=dict)


def looks_like_scan_log(text: str) -> bool:
    """True when the first non-blank line is a payload (not a CSV header or a vCard file)."""
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if first.upper().startswith("BEGIN:VCARD"):
        return False
    return bool(_PAYLOAD_START.match(first) or _BADGE.match(first))


def scan_header(headers: list[str]) -> int | None:
    """Index of the payload column of a CSV scan log, or None."""
    keys = [header_key(h) for h in headers]
    return next((i for i, k in enumerate(keys) if k in PAYLOAD_HEADERS), None)


def scans_from_lines(text: str) -> Iterator[Scan]:
    """One scan per non-blank line; a multi-line vCard payload stays one scan."""
    lines = text.splitlines()
    position = 0
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        if line.upper().startswith("BEGIN:VCARD"):
            card = [line]
            while index < len(lines) and not card[-1].upper().startswith("END:VCARD"):
                card.append(lines[index].rstrip("\r"))
                index += 1
            line = "\n".join(card)
        position += 1
        yield Scan(position, line)


def scans_from_rows(headers: list[str], rows: Iterable[list[str]], column: int) -> Iterator[Scan]:
    """One scan per non-blank CSV row; other columns (time, device) kept as metadata."""
    keys = [header_key(h) for h in headers]
    position = 0
    for row in rows:
        if not any(c.strip() for c in row):
            continue
        position += 1
        payload = row[column].strip() if column < len(row) else ""
        meta = {h: c.strip() for h, k, c in zip(headers, keys, row, strict=False) if c.strip()}
        meta.pop(headers[column], None)
        yield Scan(position, payload, meta)


def _split_escaped(text: str) -> list[str]:
    parts, current, index = [], "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current += text[index + 1]
            index += 2
            continue
        if char == ";":
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    return [*parts, current] if current else parts


def _put(values: dict[str, object], name: str, value: str) -> None:
    if name in ("emails", "phones"):
        values.setdefault(name, []).append(value)  # type: ignore[attr-defined]
    else:
        values.setdefault(name, value)


def parse_mecard(payload: str) -> dict[str, object]:
    """'MECARD:N:Doe,John;TEL:+1 617;EMAIL:j@d.example;;' -> canonical values."""
    values: dict[str, object] = {"emails": [], "phones": []}
    for part in _split_escaped(payload.split(":", 1)[1]):
        key, _, value = part.partition(":")
        key, value = key.strip().upper(), value.strip()
        if not value:
            continue
        if key == "N":
            last, comma, first = value.partition(",")
            if comma:
                values["last_name"], values["first_name"] = last.strip(), first.strip()
            else:
                values["full_name"] = value
        elif key in MECARD_FIELDS:
            _put(values, MECARD_FIELDS[key], value)
    return values


def parse_bizcard(payload: str) -> dict[str, object]:
    """'BIZCARD:N:John;X:Doe;T:CTO;C:Acme;E:j@acme.example;;' -> canonical values."""
    values: dict[str, object] = {"emails": [], "phones": []}
    for part in _split_escaped(payload.split(":", 1)[1]):
        key, _, value = part.partition(":")
        if value.strip() and key.strip().upper() in BIZCARD_FIELDS:
            _put(values, BIZCARD_FIELDS[key.strip().upper()], value.strip())
    return values


def parse_payload(payload: str) -> tuple[str, dict[str, object]]:
    """(kind, canonical values) of one scan: vcard | mecard | bizcard | linkedin | badge."""
    upper = payload[:12].upper()
    if upper.startswith("BEGIN:VCARD"):
        records = list(read_vcard(io.BytesIO(payload.encode("utf-8"))))
        return "vcard", records[0].values if records else {}
    if upper.startswith("MECARD:"):
        return "mecard", parse_mecard(payload)
    if upper.startswith("BIZCARD:"):
        return "bizcard", parse_bizcard(payload)
    if _LINKEDIN.match(payload):
        return "linkedin", {"linkedin": payload.strip(), "emails": [], "phones": []}
    if _BADGE.match(payload.strip()):
        return "badge", {"badge_id": payload.strip(), "emails": [], "phones": []}
    return "unknown", {}


def read_scans(scans: Iterable[Scan], roster: dict[str, RawRecord] | None) -> Iterator[RawRecord]:
    """Raw records of a scan log: duplicates folded, bare badge IDs resolved by the roster."""
    first: dict[str, Scan] = {}
    repeats: dict[str, list[int]] = {}
    for scan in scans:
        key = scan.payload.strip()
        if key in first and key:
            repeats[key].append(scan.record)
            continue
        first[key or f"#{scan.record}"] = scan
        repeats[key or f"#{scan.record}"] = [scan.record]
    for key, scan in first.items():
        yield _scan_record(scan, repeats[key], roster)


def _scan_record(scan: Scan, records: list[int], roster: dict[str, RawRecord] | None) -> RawRecord:
    raw = {"payload": scan.payload[:2000], **scan.meta}
    extra = {"scans": str(len(records)), **scan.meta}
    if len(records) > 1:
        extra["scan_records"] = ", ".join(str(r) for r in records)
    kind, values = parse_payload(scan.payload)
    extra["payload_kind"] = kind
    for header, value in scan.meta.items():
        key = header_key(header)
        field = "captured_at" if key in TIME_HEADERS else "captured_by" if key in BY_HEADERS else ""
        if field:
            extra.pop(header, None)
            values = {**values, field: value}
    if kind == "unknown":
        problem = "scan payload is not a vCard, MECARD, BIZCARD, LinkedIn URL or badge ID"
        return RawRecord(scan.record, raw, problem=problem if scan.payload else "empty scan")
    if kind == "badge":
        badge = str(values["badge_id"])
        extra["badge_id"] = badge
        if roster is None:
            problem = (
                f"badge ID {badge} cannot be resolved: pass the attendee list with --roster FILE"
            )
            return RawRecord(scan.record, raw, extra=extra, problem=problem)
        match = roster.get(badge.lower())
        if match is None:
            return RawRecord(scan.record, raw, extra=extra, problem=unresolved(badge, roster))
        values = {**match.values, **{k: v for k, v in values.items() if k.startswith("captured")}}
        extra.update({f"roster: {k}": v for k, v in match.extra.items()})
    return RawRecord(scan.record, raw, values=values, extra=extra)


def unresolved(badge: str, roster: dict[str, RawRecord] | None) -> str:
    """The quarantine reason for a badge ID that names nobody (yet)."""
    if roster is None:
        return f"badge ID {badge} cannot be resolved: pass the attendee list with --roster FILE"
    return f"badge ID {badge} is not in the roster (--roster); check the attendee list"


def roster_index(records: Iterable[RawRecord]) -> dict[str, RawRecord]:
    """Badge ID (case-insensitive) -> the attendee's record, from an organiser's list."""
    return {
        r.text("badge_id").lower(): r for r in records if r.text("badge_id")
    }  # first row of a badge wins


def csv_rows(text: str, delimiter: str) -> tuple[list[str], Iterator[list[str]]]:
    """(headers, rows) of a CSV scan log."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return next(reader, []), reader
