"""`--map "Column=field"`: one mapped column is enough; wrong fields and columns are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DATA

FILE = str(DATA / "email-only-de.csv")
HEADERS = "'E-Mail Adresse', 'Bemerkung', 'Stand'"


def test_one_column_without_map_is_refused_with_the_map_advice(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", "Messe")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"error: email-only-de.csv: no name, email or phone column found. Headers seen: "
        f"{HEADERS}. Tell followup which column is which, e.g. --map "
        '"E-Mail Adresse=email" --map "Nom complet=full_name"\n'
    )


def test_a_single_mapped_column_is_enough(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", "Messe", "--map", "E-Mail Adresse=email")
    assert result.code == 0, result.err
    assert result.out.endswith("contacts: 2 new, 0 matched from 2 new sightings\n")


def test_an_unknown_field_lists_the_valid_ones(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", "Messe", "--map", "Foo=emial")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: --map 'Foo=emial': 'emial' is not a field followup knows; use one of email, "
        "phone, badge_id, captured_at, captured_by, company, country, first_name, full_name, "
        "last_name, linkedin, middle_name, notes, prefix, rating, suffix, title\n"
    )


def test_a_column_not_in_the_file_names_the_file_and_the_headers(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", "Messe", "--map", "Mail=email")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: email-only-de.csv: the --map column 'Mail' is not in this file. Headers seen: "
        f"{HEADERS}. Copy the column name as it is written there (a --map applies to every "
        "CSV/XLSX file of the command; ingest files with other columns in a separate "
        "command)\n"
    )


def test_a_map_that_names_no_person_does_not_repeat_the_map_advice(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("stands.csv").write_text("Firma;Stand\nACME;B12\nInitech;C3\n")
    result = cli("ingest", "stands.csv", "--event", "Messe", "--map", "Firma=company")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: stands.csv: no name, email or phone column found. Headers seen: 'Firma', 'Stand'. "
        "The --map columns given name no person; also map a column to email, phone, "
        'full_name, first_name, last_name or badge_id, e.g. --map "Kontakt=full_name"\n'
    )


@pytest.mark.parametrize("second", ["Kontakt=email", " kontakt = email"])
def test_a_column_mapped_to_two_fields_is_refused(project: Path, cli, second: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", "Messe", "--map", "Kontakt=full_name", "--map", second)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"error: --map {second!r}: the column {second.split('=')[0].strip()!r} is already "
        "mapped to full_name by --map 'Kontakt=full_name'; a column maps to one field, so "
        "keep one of the two\n"
    )


def test_the_same_map_given_twice_is_one_map(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "ingest", FILE, "--event", "Messe", "--map", "E-Mail Adresse=email", "--map",
        "e-mail adresse=email",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.endswith("contacts: 2 new, 0 matched from 2 new sightings\n")
