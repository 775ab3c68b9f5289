"""Flagged values (a bad email, an unreadable phone) are shown after an ingest and exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contacts.flags import explain_flag
from tests.conftest import DATA

FLAGGED = (
    "flagged-leads.csv: record 1 flagged: email 'bad@@email' is not a valid address and was "
    "left out; correct it in the export and ingest it again\n"
    "flagged-leads.csv: record 2 flagged: phone '12' is not a valid phone number for region "
    "US (kept as written); check its digits in the export, or, if it is from another "
    "country, write it with its country code (+44 ...)\n"
    "flagged-leads.csv: record 3 flagged: phone '4.41E+11' was turned into a number by Excel "
    "and lost digits (kept as written); take the number from the original or export the "
    "column as text\n"
)


def test_explain_flag_names_field_value_and_fix() -> None:
    assert explain_flag("name-from-linkedin:https://www.linkedin.com/in/ada") == (
        "name 'https://www.linkedin.com/in/ada' the name was guessed from this LinkedIn "
        "profile URL; check it"
    )
    assert explain_flag("new-kind:x") == "new-kind 'x' needs a look"


def test_an_unreadable_phone_gets_advice_that_fits_the_region() -> None:
    """Without a region the fix is a country code or a region; with one, a region was
    given already: the number is not valid there."""
    assert explain_flag("phone-unparsed:12") == (
        "phone '12' is not a phone number we can read (kept as written); add the country "
        "code (+44 ...), or set the region its numbers are from (--region, region in "
        "event.toml, or [defaults] region in followup.toml)"
    )
    assert explain_flag("phone-unparsed:030 1234567", "US") == (
        "phone '030 1234567' is not a valid phone number for region US (kept as written); "
        "check its digits in the export, or, if it is from another country, write it with "
        "its country code (+44 ...)"
    )


def test_a_european_excel_phone_is_repaired_and_a_bad_one_gets_region_advice(
    project: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    Path("messe.csv").write_text(
        "Name;E-Mail;Telefon\nEu Excel;eu@example.com;4,42079460018E+11\n"
        "Eu Lost;lost@example.com;4,41E+11\nUs Call;us@example.com;030 1234567\n"
    )
    result = cli("ingest", "messe.csv", "--event", "Messe", "--region", "US")
    assert result.code == 0, result.err
    assert result.out.endswith(
        "messe.csv: record 2 flagged: phone '4,41E+11' was turned into a number by Excel and "
        "lost digits (kept as written); take the number from the original or export the "
        "column as text\n"
        "messe.csv: record 3 flagged: phone '030 1234567' is not a valid phone number for "
        "region US (kept as written); check its digits in the export, or, if it is from "
        "another country, write it with its country code (+44 ...)\n"
        "contacts: 3 new, 0 matched from 3 new sightings\n"
    )
    contacts = json.loads(cli("export", "contacts", "--format", "json").out)
    phones = {c["full_name"]: c["phones"] for c in contacts}
    assert phones["Eu Excel"] == ["+442079460018"]


def test_ingest_prints_each_flagged_value_and_the_export_keeps_them(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(DATA / "flagged-leads.csv"), "--event", "Fair", "--region", "US")
    assert result.code == 0, result.err
    assert result.out.endswith(FLAGGED + "contacts: 4 new, 0 matched from 4 new sightings\n")
    contacts = json.loads(cli("export", "contacts", "--format", "json").out)
    flags = {c["full_name"]: [s["flags"] for s in c["sightings"]] for c in contacts}
    assert flags == {
        "Ada Lovelace": [["email-invalid:bad@@email"]],
        "Ben Ortiz": [["phone-unparsed:12"]],
        "Cleo Park": [["phone-excel-damaged:4.41E+11"]],
        "Dan Wu": [[]],
    }
    assert set(contacts[0]["sightings"][0]) == {"event", "source", "record", "flags"}


def test_more_than_twenty_flags_are_cut_short(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(f"Person {i},p{i}@@example.org\n" for i in range(1, 26))
    Path("many.csv").write_text("Name,Email\n" + rows)
    result = cli("ingest", "many.csv", "--event", "Fair")
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if "flagged" in line]
    assert len(lines) == 20
    assert lines[-1].startswith("many.csv: record 20 flagged: email 'p20@@example.org'")
    assert "… and 5 more; see followup export contacts --format json\n" in result.out


def test_without_a_region_phones_are_read_in_the_configured_default_region(  # type: ignore[no-untyped-def]
    project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("a.csv").write_text("Name,Email,Phone\nAda Park,ada@acme.example,(617) 555-0101\n")
    assert cli("ingest", "a.csv", "--event", "X").code == 0  # followup.toml: region = "US"
    monkeypatch.setenv("FOLLOWUP_REGION", "GB")
    Path("b.csv").write_text("Name,Email,Phone\nBea Lane,bea@acme.example,020 7946 0018\n")
    assert cli("ingest", "b.csv", "--event", "Y").code == 0
    contacts = json.loads(cli("export", "contacts", "--format", "json").out)
    assert {c["full_name"]: c["phones"] for c in contacts} == {
        "Ada Park": ["+16175550101"],
        "Bea Lane": ["+442079460018"],
    }
