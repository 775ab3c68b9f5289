"""A stray quote in a CSV never swallows the rows after it: the file is refused, naming
the record, line and field where the quote opens; quoted newlines keep working."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.errors import InputError
from contacts.model import Event, SightingRow, SourceFile
from contacts.store import session_scope
from ingest.pipeline import ingest_file, read_records

HEADER = "Name,Email,Notes\nAl One,al@example.com,ok\n"
FIX = (
    'add the closing quote where the field ends (a " inside a quoted field is written '
    '""), or remove the opening quote, then ingest the file again; nothing from this '
    "file was stored"
)


def _count(url: str, table: type) -> int:
    with session_scope(url) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def test_a_quote_never_closed_refuses_the_file_and_stores_nothing(  # type: ignore[no-untyped-def]
    project: Path, cli, db_url: str
) -> None:
    Path("sq.csv").write_text(
        HEADER + 'Bea Two,bea@example.com,"12"" screen demo\n'
        "Cy Three,cy@example.com,fine\nDee Four,dee@example.com,fine\n"
    )
    result = cli("ingest", "sq.csv", "--event", "Q")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: sq.csv: record 2 (line 3), field 'Notes': a quote (\") opens there and is "
        f"never closed, so every line after it (lines 4-5) was read into this field; {FIX}\n"
    )
    assert [_count(db_url, t) for t in (SourceFile, SightingRow, Event)] == [0, 0, 0]


def test_a_name_opening_a_quote_that_never_closes_is_named() -> None:
    data = HEADER + '"Bea Two,bea@example.com,x\nCy Three,,\nDee Four,,fine\n'
    _, records = read_records(data.encode(), "names.csv")
    with pytest.raises(InputError) as caught:
        list(records)
    assert str(caught.value) == (
        "names.csv: record 2 (line 3), field 'Name': a quote (\") opens there and is never "
        f"closed, so every line after it (lines 4-5) was read into this field; {FIX}"
    )


def test_a_quote_closed_rows_later_is_refused_at_the_swallowed_row() -> None:
    data = (
        "Name;E-Mail;Telefon;Notes\n"
        'Bea Two;;+44 20 7946 0018;"12"" screen\n'
        "Cy Three;;+44 20 7946 0019;needs\n"
        'Dee Four;dee@example.com;;"ok"\n'
        "Eve Five;eve@example.com;;\n"
    )
    _, records = read_records(data.encode(), "leads.csv")
    with pytest.raises(InputError) as caught:
        list(records)
    assert str(caught.value) == (
        "leads.csv: record 1 (line 2), field 'Notes': a quote (\") opens there and is not "
        "closed before line 3, which looks like a row of its own "
        f"('Cy Three;;+44 20 7946 0019;needs'); {FIX}"
    )


def test_quoted_newlines_and_a_last_unclosed_quote_lose_nothing(
    db_url: str, tmp_path: Path
) -> None:
    """Notes over several lines (even lines with commas and as many cells as a row) are
    one field; a quote left open on the last line swallows nothing, so it is kept."""
    path = tmp_path / "notes.csv"
    path.write_text(
        HEADER + 'Bea Two,bea@example.com,"met at booth\nasked about, pricing, and demo\n'
        'follow up"\nDee Four,dee@example.com,"fine\n'
    )
    result = ingest_file(path, "Fair", url=db_url)
    assert (result.read, result.accepted, result.quarantined) == (3, 3, 0)
    with session_scope(db_url) as session:
        notes = session.execute(sa.select(SightingRow.record, SightingRow.notes)).all()
    assert sorted(notes) == [
        (1, "ok"),
        (2, "met at booth\nasked about, pricing, and demo\nfollow up"),
        (3, "fine"),
    ]


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_old_mac_and_windows_line_ends_are_rows(newline: str) -> None:
    data = newline.join(["Name,Email", "A B,a@example.com", 'C D,"c@example.com"', ""])
    _, records = read_records(data.encode(), "mac.csv")
    assert [(r.record, r.raw) for r in records] == [
        (1, {"Name": "A B", "Email": "a@example.com"}),
        (2, {"Name": "C D", "Email": "c@example.com"}),
    ]


@pytest.mark.parametrize(
    ("data", "line", "field", "swallowed"),
    [
        (  # a LinkedIn export: the swallowed rows are known by their profile URL
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            'Ann,Able,https://www.linkedin.com/in/ann-able,,Acme,"Head of Growth,12 Mar 2026\n'
            "Bob,Baker,https://www.linkedin.com/in/bob-baker,,Globex,Engineer,12 Mar 2026\n"
            'Di,Dunn,https://www.linkedin.com/in/di-dunn,,Umbrella,"Chief ""Fun"" Officer",'
            "12 Mar 2026\n",
            2,
            "Position",
            "Bob,Baker,https://www.linkedin.com/in/bob-baker,,Globex,Engi",
        ),
        (  # rows ending in a delimiter have one cell more than the header
            "First Name,Last Name,Email,Notes\nAnn,A,ann@a.example,ok,\n"
            'Ben,B,ben@b.example,"the 27 monitor,\nCat,C,cat@c.example,wants a 12" laptop,\n'
            "Dan,D,dan@d.example,fine,\n",
            3,
            "Notes",
            'Cat,C,cat@c.example,wants a 12" laptop,',
        ),
    ],
)
def test_a_quote_closed_rows_later_is_found_by_the_rows_it_swallowed(
    data: str, line: int, field: str, swallowed: str
) -> None:
    _, records = read_records(data.encode(), "x.csv")
    with pytest.raises(InputError) as caught:
        list(records)
    assert str(caught.value) == (
        f'x.csv: record {line - 1} (line {line}), field {field!r}: a quote (") opens there '
        f"and is not closed before line {line + 1}, which looks like a row of its own "
        f"({swallowed!r}); {FIX}"
    )
