"""CSV and XLSX readers (pandas / openpyxl): find the header row, map columns, yield rows.

Both readers share `records_from_table`, so a layout works the same in either format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from typing import IO

import pandas as pd

from contacts.records import RawRecord
from ingest.profiles import identifies_people, map_headers, refuse_unknown_layout
from ingest.sniff import decode

DELIMITERS = (",", ";", "\t", "|")
HEADER_SCAN_LINES = 15
MULTI_VALUE = " ::: "  # Google Contacts joins several values in one cell with this
_EXCEL_NUMBER = re.compile(r"^\d+(\.\d+)?[eE]\+\d+$")


def _find_header(lines: list[str], overrides: dict[str, str] | None) -> tuple[int, str]:
    """(index of the header line, delimiter): the first line whose cells name a person."""
    best: tuple[int, int, str] | None = None  # (-mapped columns, line index, delimiter)
    for index, line in enumerate(lines[:HEADER_SCAN_LINES]):
        for delimiter in DELIMITERS:
            if delimiter not in line and delimiter != ",":
                continue
            cells = next(csv.reader([line], delimiter=delimiter), [])
            mapping = map_headers(cells, overrides)
            if identifies_people(mapping) and (len(mapping) >= 2 or len(cells) == 1):
                candidate = (-len(mapping), index, delimiter)
                if best is None or candidate < best:
                    best = candidate
        if best is not None:
            return best[1], best[2]
    return -1, ","


def read_csv(
    fp: IO[bytes], name: str = "", overrides: dict[str, str] | None = None
) -> Iterator[RawRecord]:
    """Rows of a CSV export as raw records (1-based `record` = n-th data row after the header).

    Handles BOMs, UTF-16, Windows-1252, `,;\\t|` delimiters, preambles before the header
    (LinkedIn's `Notes:` block), blank padding rows and quoted newlines.
    """
    text = decode(fp.read(), name)
    lines = text.splitlines(keepends=True)
    index, delimiter = _find_header(lines, overrides)
    if index < 0:
        first = next((ln for ln in lines if ln.strip()), "")
        raise refuse_unknown_layout(name, next(csv.reader([first]), []))
    body = "".join(lines[index:])
    frame = pd.read_csv(
        io.StringIO(body),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=True,
        engine="c",
        quotechar='"',
        on_bad_lines="warn",
    )
    yield from records_from_table(list(frame.columns), frame.to_numpy().tolist(), name, overrides)


def read_xlsx(
    fp: IO[bytes], name: str = "", overrides: dict[str, str] | None = None
) -> Iterator[RawRecord]:
    """Rows of the first sheet of an Excel workbook, header found as for CSV."""
    frame = pd.read_excel(fp, sheet_name=0, header=None, dtype=str, engine="openpyxl")
    rows = [["" if pd.isna(v) else str(v) for v in row] for row in frame.to_numpy().tolist()]
    lines = [",".join(f'"{c}"' for c in row) + "\n" for row in rows[:HEADER_SCAN_LINES]]
    index, _ = _find_header(lines, overrides)
    if index < 0:
        raise refuse_unknown_layout(name, rows[0] if rows else [])
    yield from records_from_table(rows[index], rows[index + 1 :], name, overrides)


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return "" if text == "nan" else text.strip()


def records_from_table(
    headers: list[str],
    rows: Sequence[Sequence[object]],
    name: str,
    overrides: dict[str, str] | None = None,
) -> Iterator[RawRecord]:
    """Map each data row onto canonical fields; unmapped non-empty cells become lead metadata."""
    headers = [str(h).strip() for h in headers]
    mapping = map_headers(headers, overrides)
    if not identifies_people(mapping):
        raise refuse_unknown_layout(name, headers)
    position = 0
    for row in rows:
        cells = [_clean(v) for v in row]
        if not any(cells):
            continue  # blank padding row: not a record
        position += 1
        raw = {h: c for h, c in zip(headers, cells, strict=False) if c}
        values: dict[str, object] = {"emails": [], "phones": []}
        extra: dict[str, str] = {}
        for header, cell in zip(headers, cells, strict=False):
            if not cell:
                continue
            field = mapping.get(header)
            if field in ("emails", "phones"):
                for part in cell.split(MULTI_VALUE):
                    if field == "phones" and _EXCEL_NUMBER.match(part.strip()):
                        part = str(int(float(part)))
                    values[field].append(part.strip())  # type: ignore[attr-defined]
            elif field:
                values.setdefault(field, cell)
            else:
                extra[header] = cell
        yield RawRecord(record=position, raw=raw, values=values, extra=extra)
