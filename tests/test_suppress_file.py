"""`followup suppress --file`: every bad row is named, the good ones are imported, and the
exit code says something was skipped; a missing file says to check the path."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.addresslist import read_address_list
from contacts.errors import InputError
from contacts.model import Suppression
from contacts.store import session_scope


def _suppressed(url: str) -> list[str]:
    with session_scope(url) as session:
        return sorted(session.scalars(sa.select(Suppression.email_key)))


def test_a_bad_row_is_named_and_the_good_ones_are_imported(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli
) -> None:
    Path("sup.csv").write_text(
        "email,when\na@x.example,2026-03-20\nnot-an-email,\n,2026-03-21\nb@x.example,\n"
    )
    result = cli("suppress", "--file", "sup.csv", "--reason", "unsubscribed")
    assert (result.code, result.out) == (2, "suppressed 2 new, 0 already on the list\n")
    assert result.err == (
        "sup.csv row 3: 'not-an-email' is not an email address; skipped\n"
        "sup.csv row 4: no email address; skipped\n"
        "error: sup.csv: 2 rows skipped (named above); fix and import the file again "
        "(addresses already on the list are kept once)\n"
    )
    assert _suppressed(db_url) == ["a@x.example", "b@x.example"]
    Path("sup.csv").write_text("email,when\na@x.example,\nb@x.example,\nc@x.example,\n")
    fixed = cli("suppress", "--file", "sup.csv", "--reason", "unsubscribed")
    assert (fixed.code, fixed.out, fixed.err) == (
        0,
        "suppressed 1 new, 2 already on the list\n",
        "",
    )


def test_one_address_per_line(project: Path, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    Path("sup.txt").write_text(
        "# unsubscribed in March\na@x.example\n\nnot-an-email\nAnn <ann@x.example>\n"
    )
    result = cli("suppress", "--file", "sup.txt")
    assert (result.code, result.out) == (2, "suppressed 2 new, 0 already on the list\n")
    assert result.err.splitlines()[0] == (
        "sup.txt row 4: 'not-an-email' is not an email address; skipped"
    )
    assert _suppressed(db_url) == ["a@x.example", "ann@x.example"]


def test_a_missing_file_says_to_check_the_path(project: Path, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("suppress", "--file", "nope.csv")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "error: nope.csv: no such file; check the path\n",
    )


def test_the_reader_keeps_every_email_column(tmp_path: Path) -> None:
    path = tmp_path / "google.csv"
    path.write_text("Name;E-mail 1 - Value;E-mail 2 - Value\nAnn;ann@x.example;ann@y.example\n")
    found = read_address_list(path)
    assert (found.addresses, found.skipped) == (["ann@x.example", "ann@y.example"], [])
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(InputError, match="no email address found; put one address on each"):
        read_address_list(tmp_path / "empty.txt")
