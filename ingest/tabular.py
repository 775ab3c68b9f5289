"""CSV reader: find the header row, map columns, yield rows.

`records_from_table` is shared with the XLSX reader (`ingest/workbook.py`), so a layout
works the same in either format.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from contacts.records import RawRecord
from ingest.csvrows import CsvRows
from ingest.profiles import (
    check_map_columns,
    identifies_people,
    is_noise,
    map_headers,
    mapped_by_override,
    refuse_unknown_layout,
)
from ingest.sniff import UNREADABLE, decode, unreadable_reason

DELIMITERS = (",", ";", "\t", "|")
HEADER_SCAN_LINES = 15
MULTI_VALUE = " ::: "  # Google Contacts joins several values in one cell with this
SKIPPED_STATUSES = {"refunded", "cancelled", "canceled", "not attending", "deleted"}


def find_header(lines: list[str], overrides: dict[str, str] | None) -> tuple[int, str]:
    """(index of the header line, delimiter): the first line whose cells name a person.

    A line needs two recognised columns (one stray 'Name' in a preamble is no header),
    unless it is the only column or a column named by `--map` is in it.
    """
    best: tuple[int, int, str] | None = None  # (-mapped columns, line index, delimiter)
    for index, line in enumerate(lines[:HEADER_SCAN_LINES]):
        for delimiter in DELIMITERS:
            if delimiter not in line and delimiter != ",":
                continue
            cells = next(csv.reader([line], delimiter=delimiter), [])
            mapping = map_headers(cells, overrides)
            if identifies_people(mapping) and (
                len(mapping) >= 2 or len(cells) == 1 or mapped_by_override(cells, overrides)
            ):
                candidate = (-len(mapping), index, delimiter)
                if best is None or candidate < best:
                    best = candidate
        if best is not None:
            return best[1], best[2]
    return -1, ","


def read_csv(
    fp: IO[bytes],
    name: str = "",
    overrides: dict[str, str] | None = None,
    strict_map: bool = True,
) -> Iterator[RawRecord]:
    """Rows of a CSV export as raw records (1-based `record` = n-th data row after the header).

    Handles BOMs, UTF-16, Windows-1252, `,;\\t|` delimiters, preambles before the header
    (LinkedIn's `Notes:` block), blank padding rows and quoted newlines. Rows are read
    with the csv module rather than pandas so that no row is ever dropped: a row with
    more cells than headers keeps the extra cells as `column N`.

    Raises:
        InputError: a quote that is never closed, or that swallows a following row (see
            `CsvRows`); raised while the rows are read, so inside the file's transaction.
    """
    text = decode(fp.read(), name)
    lines = text.splitlines(keepends=True)
    index, delimiter = find_header(lines, overrides)
    if index < 0:
        first = next((ln for ln in lines if ln.strip()), "")
        guess = max(DELIMITERS, key=first.count)
        seen = next(csv.reader([first], delimiter=guess), [])
        check_map_columns(name, seen, overrides)
        raise refuse_unknown_layout(name, seen, overrides)
    rows = CsvRows("".join(lines[index:]), delimiter, name, first_line=index + 1)
    headers = _unique(rows.header())
    mapping = map_headers(headers, overrides)
    rows.headers = headers
    rows.identity = [
        i for i, h in enumerate(headers) if mapping.get(h) in ("emails", "phones", "linkedin")
    ]
    # A file-wide test first, so readable files pay nothing per row.
    check = UNREADABLE in text
    yield from records_from_table(
        headers, rows, name, overrides, check_unreadable=check, strict_map=strict_map
    )


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return "" if text == "nan" else text.strip()


def _unique(headers: list[str]) -> list[str]:
    """Header names made unique ('Notes', 'Notes' -> 'Notes', 'Notes (2)'); blanks named."""
    seen: dict[str, int] = {}
    result = []
    for number, header in enumerate(headers, start=1):
        header = _clean(header) or f"column {number}"
        seen[header] = seen.get(header, 0) + 1
        result.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return result


def skip_reason(status: str) -> str | None:
    """Why a row is skipped on purpose (an Eventbrite refund), or None."""
    if status.strip().lower() in SKIPPED_STATUSES:
        return f"skipped: attendee status is {status.strip()!r} (refunded or cancelled ticket)"
    return None


def records_from_table(
    headers: list[str],
    rows: Iterable[Sequence[object]],
    name: str,
    overrides: dict[str, str] | None = None,
    check_unreadable: bool = False,
    strict_map: bool = True,
    start: int = 0,
) -> Iterator[RawRecord]:
    """Map each data row onto canonical fields; unmapped non-empty cells become lead metadata.

    Every non-blank row is a record: a refunded Eventbrite row is yielded with a
    `problem` (it is then quarantined with that reason, and so accounted for). With
    `check_unreadable`, so is a row with a cell the decoder could not read (U+FFFD).
    With `strict_map` (`followup ingest --map`), every mapped column must be in the file;
    without (an event folder's `map`, which may fit only some of its files), a mapped
    column is only named when the file is refused. Records are numbered from `start + 1`.
    """
    headers = _unique([str(h) for h in headers])
    if strict_map:
        check_map_columns(name, headers, overrides)
    mapping = map_headers(headers, overrides)
    if not identifies_people(mapping):
        check_map_columns(name, headers, overrides)
        raise refuse_unknown_layout(name, headers, overrides)
    # Per column: header and what to do with a cell ('emails'/'phones', a field, '' =
    # lead metadata, None = noise kept only in raw).
    plan: list[tuple[str, str | None]] = [
        (h, mapping.get(h) or (None if is_noise(h) else "")) for h in headers
    ]
    position = start
    for row in rows:
        cells = [v.strip() if v.__class__ is str else _clean(v) for v in row]
        if not any(cells):
            continue  # blank padding row: not a record
        position += 1
        if len(cells) > len(plan):
            plan += [(f"column {i + 1}", "") for i in range(len(plan), len(cells))]
        raw: dict[str, str] = {}
        emails: list[str] = []
        phones: list[str] = []
        values: dict[str, object] = {"emails": emails, "phones": phones}
        extra: dict[str, str] = {}
        for (header, field), cell in zip(plan, cells, strict=False):
            if not cell:
                continue
            raw[header] = cell
            if field == "emails" or field == "phones":
                target = emails if field == "emails" else phones
                if MULTI_VALUE in cell:
                    target.extend(p.strip() for p in cell.split(MULTI_VALUE) if p.strip())
                else:
                    target.append(cell)
            elif field:
                values.setdefault(field, cell)
            elif ("linkedin.com/" in cell or "LinkedIn.com/" in cell) and "linkedin" not in values:
                values["linkedin"] = cell  # e.g. Google's 'Website 1 - Value'
            elif field is not None:
                extra[header] = cell
        status = values.pop("status", None)
        problem = skip_reason(str(status)) if status else None
        if check_unreadable:
            problem = unreadable_reason(raw) or problem
        yield RawRecord(record=position, raw=raw, values=values, extra=extra, problem=problem)
