"""Content that is no export is refused as an unknown format; UTF-16 vCards are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from contacts.errors import InputError
from ingest.pipeline import read_records
from ingest.sniff import sniff
from tests.conftest import DATA

READS = (
    "followup reads vCard (.vcf), CSV and XLSX exports; export the contacts in one of those formats"
)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ((DATA / "not-contacts.pdf").read_bytes(), "a PDF document"),
        (b"{\\rtf1\\ansi Name, Email\\par}", "an RTF document"),
        (b"<!DOCTYPE html><html><body>Name,Email</body></html>", "a web page"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "an old Excel .xls or Word .doc file; save it as .xlsx or CSV",
        ),
    ],
)
def test_other_documents_are_an_unknown_format(content: bytes, what: str) -> None:
    with pytest.raises(InputError) as caught:
        sniff(content, "file")
    assert str(caught.value) == f"file: unknown format ({what}). {READS}"


def test_prose_is_text_without_columns() -> None:
    with pytest.raises(InputError) as caught:
        read_records(b"Dear all,\nthanks for coming\nsee you next year\n", "letter.txt")
    assert str(caught.value) == f"letter.txt: unknown format (text without columns). {READS}"


def test_a_single_column_export_is_still_read() -> None:
    fmt, records = read_records(b"Email\nada@example.org\nben@example.org\n", "emails.csv")
    assert (fmt, [r.many("emails") for r in records]) == (
        "csv",
        [["ada@example.org"], ["ben@example.org"]],
    )


@pytest.mark.parametrize(
    ("name", "names"),
    [("utf16le-cards.vcf", ["Jürgen Müller", "Zoë Kim"]), ("utf16be-cards.vcf", ["Zoë Kim"])],
)
def test_utf16_vcards_are_read(name: str, names: list[str]) -> None:
    fmt, records = read_records((DATA / name).read_bytes(), name)
    assert (fmt, [r.text("full_name") for r in records]) == ("vcard", names)


def test_ingest_a_pdf_is_one_line_and_exit_2(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(DATA / "not-contacts.pdf"), "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"error: not-contacts.pdf: unknown format (a PDF document). {READS}\n"
