"""Bad input files become one line on stderr and exit 2, and never stop the other files."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from ingest.dropfolder import run_pass
from tests.conftest import DATA, SAMPLES

XLSX_FIX = "open it in Excel or LibreOffice and save it again as .xlsx, or export it as CSV"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ((DATA / "truncated.xlsx").read_bytes(), "File is not a zip file"),
        (b"PK\x03\x04 not really a zip", "File is not a zip file"),
    ],
)
def test_a_broken_xlsx_is_one_line_and_exit_2(
    project: Path, cli, content: bytes, detail: str
) -> None:  # type: ignore[no-untyped-def]
    Path("leads.xlsx").write_bytes(content)
    result = cli("ingest", "leads.xlsx", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"error: leads.xlsx: not a readable XLSX workbook ({detail}); {XLSX_FIX}\n"


def test_a_zip_that_is_no_workbook_names_the_missing_part(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    with zipfile.ZipFile("report.xlsx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = cli("ingest", "report.xlsx", "--event", "Fair")
    assert result.code == 2
    assert result.err == (
        "error: report.xlsx: not a readable XLSX workbook (There is no item named "
        f"'[Content_Types].xml' in the archive); {XLSX_FIX}\n"
    )


def test_the_drop_folder_fails_a_broken_xlsx_and_ingests_the_rest(
    tmp_path: Path, db_url: str
) -> None:
    inbox = tmp_path / "data" / "inbox"
    folder = inbox / "spring-fair"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLES / "event.toml", folder / "event.toml")
    shutil.copy(SAMPLES / "fair-scans.csv", folder / "fair-scans.csv")
    shutil.copy(DATA / "truncated.xlsx", folder / "leads.xlsx")
    for p in folder.iterdir():
        os.utime(p, (time.time() - 60, time.time() - 60))
    result = run_pass(inbox, db_url, settle=0.2)
    assert [(f.file, f.status, f.records) for f in result.files] == [
        ("spring-fair/fair-scans.csv", "ingested", 19),
        ("spring-fair/leads.xlsx", "failed", 0),
    ]
    failed = tmp_path / "data" / "failed" / "spring-fair"
    assert sorted(p.name for p in failed.iterdir()) == ["leads.xlsx", "leads.xlsx.error.txt"]
    note = (failed / "leads.xlsx.error.txt").read_text()
    assert (
        "  leads.xlsx: not a readable XLSX workbook (File is not a zip file); " + XLSX_FIX
    ) in note
    assert sorted(p.name for p in folder.iterdir()) == ["event.toml"]


def test_ingest_help_names_every_readable_format() -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for kind in ("vCard (.vcf)", "CSV/TSV/PSV", ".tsv", ".psv", "Excel (.xlsx)", "scanner log"):
        assert kind in text


def _damaged(part: str) -> bytes:
    """leads.xlsx with one part cut in half (its XML no longer parses)."""
    import io
    import zipfile

    raw = (DATA / "leads.xlsx").read_bytes()
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in src.namelist():
            data = src.read(name)
            archive.writestr(name, data[: len(data) // 2] if name == part else data)
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_workbook_with_a_damaged_part_is_one_line(project: Path, cli, part: str) -> None:  # type: ignore[no-untyped-def]
    Path("leads.xlsx").write_bytes(_damaged(part))
    result = cli("ingest", "leads.xlsx", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("error: leads.xlsx: not a readable XLSX workbook (")
    assert result.err.endswith(f"); {XLSX_FIX}\n")
    assert len(result.err.splitlines()) == 1


def test_a_nul_byte_names_its_line_and_the_file_is_refused(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Past the first 4 KB too (before: stored as it was, and PostgreSQL then fails)."""
    rows = b"A B,a@example.com\n" * 300
    Path("leads.csv").write_bytes(b"Name,Email\n" + rows + b"C\x00D,c@example.com\n")
    result = cli("ingest", "leads.csv", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: leads.csv: line 302 contains a NUL byte (\\x00), which no CSV export holds; "
        "the file is damaged or not plain text. Export it again as CSV UTF-8 (or delete the "
        "NUL byte in a text editor), then ingest it again\n"
    )


def test_a_nul_byte_in_a_utf16_file_counts_characters_not_bytes(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = "Name\tEmail\r\nA B\ta@example.com\r\nC\x00D\tc@example.com\r\n"
    Path("outlook.csv").write_bytes(text.encode("utf-16"))
    result = cli("ingest", "outlook.csv", "--event", "Fair")
    assert result.code == 2
    assert result.err.startswith("error: outlook.csv: line 3 contains a NUL byte")


def test_an_empty_workbook_says_it_has_no_rows(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    openpyxl.Workbook().save("leads.xlsx")
    result = cli("ingest", "leads.xlsx", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: leads.xlsx: the workbook has no rows (sheets: 'Sheet'); open it to check the "
        "contacts were saved in it, or export them again\n"
    )


def test_binary_content_named_xlsx_is_not_a_valid_xlsx_and_a_csv_named_xlsx_is_read(
    project: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    Path("leads.xlsx").write_bytes(bytes(range(0x80, 0x100)) * 4 + b",a,b\n")
    result = cli("ingest", "leads.xlsx", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: leads.xlsx: not a valid .xlsx file (an .xlsx workbook is a ZIP archive; this "
        "file is not one and is not text either: it starts with "
        "b'\\x80\\x81\\x82\\x83\\x84\\x85\\x86\\x87'); open the original in Excel or "
        "LibreOffice and save it again as .xlsx, or export it as CSV\n"
    )
    Path("export.xlsx").write_text("Name,Email\nAnn Lee,ann@example.com\n")
    result = cli("ingest", "export.xlsx", "--event", "Fair")
    assert result.code == 0, result.err
    assert "│ export.xlsx │ csv    │ ingested │    1 │" in result.out
