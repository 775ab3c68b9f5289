"""Flagged values (a bad email, an unreadable phone) are shown after an ingest and exported."""

from __future__ import annotations

import json
from pathlib import Path

from contacts.flags import explain_flag
from tests.conftest import DATA

FLAGGED = (
    "flagged-leads.csv: record 1 flagged: email 'bad@@email' is not a valid address and was "
    "left out; correct it in the export and ingest it again\n"
    "flagged-leads.csv: record 2 flagged: phone '12' is not a phone number we can read (kept "
    "as written); add the country code (+44 ...) or pass --region\n"
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
