"""Files that are not one encoding throughout: decoded line by line, never garbled.

A UTF-8 export with one Windows-1252 row keeps both right; a row whose bytes are neither
is quarantined with the field named, never stored with a replacement character.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sniff import decode, decode_line
from ingest.tabular import read_csv
from tests.conftest import DATA

UNREADABLE = "(neither UTF-8 nor Windows-1252); re-export the file as UTF-8"


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (b"Jos\xc3\xa9 Garc\xc3\xada\n", "José García\n"),  # UTF-8
        (b"J\xfcrgen M\xfcller\n", "Jürgen Müller\n"),  # Windows-1252
        (b"Gro\xc3\x9f\xfc\n", "Groß\ufffd\n"),  # both in one line: not guessed
        (b"X\x81y\n", "X\ufffdy\n"),  # 0x81 is undefined in Windows-1252
    ],
)
def test_decode_line(line: bytes, text: str) -> None:
    assert decode_line(line) == text


def test_a_utf8_file_is_decoded_whole_and_a_1252_file_line_by_line() -> None:
    assert decode("Zoë\n".encode()) == "Zoë\n"
    assert decode("Zoë\n".encode("cp1252")) == "Zoë\n"
    assert decode(b"\xef\xbb\xbfZo\xc3\xab\nJ\xfcrgen\n") == "Zoë\nJürgen\n"


def test_a_utf8_file_with_1252_rows_keeps_every_name_right() -> None:
    with (DATA / "mixed-encoding.csv").open("rb") as fp:
        records = list(read_csv(fp, "mixed-encoding.csv"))
    assert [(r.record, r.text("first_name"), r.text("last_name"), r.problem) for r in records] == [
        (1, "José", "García", None),
        (2, "Jürgen", "Müller", None),
        # UTF-8 and 1252 in one line: neither can be trusted, both bad fields are named
        (3, "Zoë", "Gro\ufffd", f"unreadable bytes in fields 'Last Name', 'Company' {UNREADABLE}"),
        (4, "Ben", "X\ufffdy", f"unreadable bytes in field 'Last Name' {UNREADABLE}"),
        (5, "Anna", "Smith", None),
    ]


def test_a_utf8_bom_file_with_a_1252_row_is_not_garbled() -> None:
    with (DATA / "utf8-bom-one-1252-row.csv").open("rb") as fp:
        records = list(read_csv(fp, "utf8-bom-one-1252-row.csv"))
    assert [(r.text("first_name"), r.problem) for r in records] == [
        ("Jürgen", None),
        ("Zoë", None),
    ]


def test_ingest_quarantines_unreadable_rows_naming_row_and_field(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(DATA / "mixed-encoding.csv"), "--event", "Fair")
    assert result.code == 0, result.err
    assert (
        "mixed-encoding.csv: record 3 quarantined: unreadable bytes in fields 'Last Name', "
        f"'Company' "
        f"{UNREADABLE}\n"
        f"mixed-encoding.csv: record 4 quarantined: unreadable bytes in field 'Last Name' "
        f"{UNREADABLE}\n"
    ) in result.out
    exported = cli("export", "contacts", "--format", "json")
    assert "José García" in exported.out and "Jürgen Müller" in exported.out
    assert "\ufffd" not in exported.out and "Ã" not in exported.out


def test_a_vcard_value_mixing_encodings_is_quarantined_the_others_read() -> None:
    from ingest.vcard import read_vcard

    with (DATA / "mixed-encoding.vcf").open("rb") as fp:
        records = list(read_vcard(fp, "mixed-encoding.vcf"))
    assert [(r.text("full_name"), r.problem) for r in records] == [
        ("Jürgen Müller", None),  # Windows-1252 without a CHARSET
        ("Groß\ufffd X", f"unreadable bytes in field 'full_name' {UNREADABLE}"),
        ("Zoë Kim", None),
    ]
