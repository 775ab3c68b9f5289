"""Every worksheet of a workbook with a header row is read; other sheets are named."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from contacts.errors import InputError
from contacts.model import SightingRow
from contacts.store import session_scope
from ingest.pipeline import read_records


def _workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_data_on_every_sheet_is_read_and_numbered_through_the_workbook() -> None:
    data = _workbook({
        "Day 1": [["Name", "Email"], ["Ann Lee", "ann@example.com"], ["Bo Chan", ""]],
        "Notes": [],
        "Day 2": [
            ["Event lead export"], [], ["Full Name", "E-Mail"], ["Cy Diaz", "cy@example.com"],
        ],
    })  # fmt: skip
    notes: list[str] = []
    fmt, records = read_records(data, "leads.xlsx", notes=notes)
    assert fmt == "xlsx"
    assert [(r.record, r.raw) for r in records] == [
        (1, {"sheet": "Day 1", "Name": "Ann Lee", "Email": "ann@example.com"}),
        (2, {"sheet": "Day 1", "Name": "Bo Chan"}),
        (3, {"sheet": "Day 2", "Full Name": "Cy Diaz", "E-Mail": "cy@example.com"}),
    ]
    assert notes == [
        "read sheet 'Day 1' (records 1-2), sheet 'Day 2' (record 3); "
        "not read: sheet 'Notes' (empty)"
    ]


def test_a_readme_sheet_before_the_data_is_skipped_by_name(project: Path, cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    Path("leads.xlsx").write_bytes(
        _workbook(
            {
                "Readme": [["This export lists the leads of the fair"]],
                "Leads": [["Name", "Email"], ["Ann Lee", "ann@example.com"]],
            }
        )  # fmt: skip
    )
    result = cli("ingest", "leads.xlsx", "--event", "Fair")
    assert (result.code, result.err) == (0, "")
    assert (
        "leads.xlsx: read sheet 'Leads' (record 1); not read: sheet 'Readme' (no name, email "
        "or phone column; first row: 'This export lists the leads of the fair')\n"
    ) in result.out
    with session_scope(db_url) as session:
        rows = session.execute(sa.select(SightingRow.full_name, SightingRow.raw)).all()
    assert [tuple(r) for r in rows] == [
        ("Ann Lee", {"sheet": "Leads", "Name": "Ann Lee", "Email": "ann@example.com"})
    ]


def test_a_mapped_column_may_be_on_any_sheet_that_is_read() -> None:
    data = _workbook({
        "Intro": [["Welcome"]],
        "Kontakte": [["Kontakt", "Elektronische Post"], ["Ann Lee", "ann@example.com"]],
    })  # fmt: skip
    overrides = {"Kontakt": "full_name", "Elektronische Post": "email"}
    _, records = read_records(data, "leads.xlsx", overrides)
    assert [r.values for r in records] == [
        {"full_name": "Ann Lee", "emails": ["ann@example.com"], "phones": []}
    ]


def test_no_sheet_with_people_names_every_sheet() -> None:
    data = _workbook({"Summary": [["Total", "12"]], "Chart": []})
    _, records = read_records(data, "report.xlsx")
    with pytest.raises(InputError) as caught:
        list(records)
    assert str(caught.value) == (
        "report.xlsx: no sheet has a name, email or phone column in its first 15 rows. "
        "Sheets: 'Summary' (no name, email or phone column; first row: 'Total', '12'); "
        "'Chart' (empty). If the contacts are on one of these sheets, tell followup which "
        'column is which, e.g. --map "E-Mail Adresse=email"'
    )
