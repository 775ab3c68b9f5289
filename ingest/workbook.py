"""XLSX reader (pandas / openpyxl): every worksheet with a header row, none dropped silently.

Exports put people on several sheets (one per day or per booth), or a read-me sheet
before the data. Each sheet is read like a CSV file (`records_from_table`); records are
numbered through the workbook in sheet order, and a sheet without a recognisable header
row is named in the notes the caller shows (`followup ingest` prints them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import pandas as pd

from contacts.errors import InputError
from contacts.records import RawRecord
from ingest.profiles import check_map_columns, refuse_unknown_layout
from ingest.tabular import HEADER_SCAN_LINES, find_header, records_from_table

Sheet = tuple[str, list[list[str]]]  # (sheet name, rows of cell text)


def read_xlsx(
    fp: IO[bytes],
    name: str = "",
    overrides: dict[str, str] | None = None,
    strict_map: bool = True,
    notes: list[str] | None = None,
) -> Iterator[RawRecord]:
    """Rows of every worksheet that has a header row, header found as for CSV.

    In a workbook of several sheets each record's `raw` starts with `sheet` (its sheet's
    name, unless a column has that name), and `notes` gets one line that says which
    records came from which sheet and which sheets were not read, and why. With
    `strict_map`, each `--map` column must be in the header of some sheet that is read.

    Raises:
        InputError: the content is not a readable workbook (truncated, a renamed file),
            or no sheet has a header row with a name, email or phone column.
    """
    sheets = _read_sheets(fp, name)
    found: list[tuple[str, list[str], list[list[str]]]] = []  # (sheet, header, data rows)
    skipped: list[str] = []
    for sheet, rows in sheets:
        lines = [",".join(f'"{c}"' for c in row) + "\n" for row in rows[:HEADER_SCAN_LINES]]
        index, _ = find_header(lines, overrides)
        if index >= 0:
            found.append((sheet, rows[index], rows[index + 1 :]))
        else:
            skipped.append(f"{sheet!r} ({_why_skipped(rows)})")
    if not found:
        raise _refuse(name, sheets, overrides)
    if strict_map:
        check_map_columns(name, [h for _, header, _ in found for h in header], overrides)
    position = 0
    spans: list[str] = []
    for sheet, header, rows in found:
        first = position + 1
        for record in records_from_table(
            header, rows, name, overrides, strict_map=False, start=position
        ):
            position = record.record
            if len(sheets) > 1 and "sheet" not in record.raw:
                record.raw = {"sheet": sheet, **record.raw}
            yield record
        if len(sheets) > 1:
            spans.append(_span(sheet, first, position))
    if notes is not None and len(sheets) > 1:
        note = "read sheet " + ", sheet ".join(spans)
        if skipped:
            note += "; not read: sheet " + ", sheet ".join(skipped)
        notes.append(note)


def _span(sheet: str, first: int, last: int) -> str:
    if last < first:
        return f"{sheet!r} (no records)"
    if last == first:
        return f"{sheet!r} (record {first})"
    return f"{sheet!r} (records {first}-{last})"


def _why_skipped(rows: list[list[str]]) -> str:
    filled = [row for row in rows if any(c.strip() for c in row)]
    if not filled:
        return "empty"
    first = ", ".join(repr(c) for c in filled[0] if c.strip())[:80]
    return f"no name, email or phone column; first row: {first}"


def _refuse(name: str, sheets: list[Sheet], overrides: dict[str, str] | None) -> InputError:
    """The error for a workbook where no sheet has a header row."""
    first_rows = [next((r for r in rows if any(c.strip() for c in r)), []) for _, rows in sheets]
    if not any(first_rows):
        listed = ", ".join(repr(sheet) for sheet, _ in sheets)
        return InputError(
            f"{name}: the workbook has no rows (sheets: {listed}); open it to check the "
            "contacts were saved in it, or export them again"
        )
    if len(sheets) == 1:
        check_map_columns(name, first_rows[0], overrides)
        return refuse_unknown_layout(name, first_rows[0], overrides)
    check_map_columns(name, [c for row in first_rows for c in row], overrides)
    listed = "; ".join(f"{sheet!r} ({_why_skipped(rows)})" for sheet, rows in sheets)
    example = (
        "also map a column to email, phone, full_name, first_name, last_name or badge_id"
        if overrides
        else "tell followup which column is which"
    )
    return InputError(
        f"{name}: no sheet has a name, email or phone column in its first "
        f"{HEADER_SCAN_LINES} rows. Sheets: {listed}. If the contacts are on one of "
        f'these sheets, {example}, e.g. --map "E-Mail Adresse=email"'
    )


def _read_sheets(fp: IO[bytes], name: str) -> list[Sheet]:
    """Every worksheet as (name, rows of text), or an InputError for a damaged workbook.

    A damaged workbook fails anywhere inside zipfile/zlib/openpyxl/lxml (BadZipFile,
    KeyError for a missing part, XML syntax errors, zlib.error, ...). The input is bytes
    in memory, so no I/O fault can reach here: any failure is the file's, never retried.
    """
    try:
        frames = pd.read_excel(fp, sheet_name=None, header=None, dtype=str, engine="openpyxl")
    except ImportError:
        raise  # a broken install, not a broken file
    except Exception as exc:  # noqa: BLE001
        detail = (str(exc).strip().strip("\"'") or type(exc).__name__)[:200]
        raise InputError(
            f"{name}: not a readable XLSX workbook ({detail}); open it in Excel or "
            "LibreOffice and save it again as .xlsx, or export it as CSV"
        ) from exc
    return [
        (str(sheet), [["" if pd.isna(v) else str(v) for v in row] for row in frame.to_numpy()])
        for sheet, frame in frames.items()
    ]
