"""`followup ingest A B C`: a file that cannot be read is refused, the others go on."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SAMPLES

PDF = (
    "error: bad.pdf: unknown format (a PDF document). followup reads vCard (.vcf), CSV and "
    "XLSX exports; export the contacts in one of those formats\n"
)


def test_one_bad_file_does_not_stop_the_others(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    shutil.copy(SAMPLES / "Connections.csv", "Connections.csv")
    result = cli("ingest", "bad.pdf", "Connections.csv", "--event", "Fair")
    assert result.code == 2
    assert result.err == PDF
    assert "│ bad.pdf         │        │ failed   │    0 │" in result.out
    assert "│ Connections.csv │ csv    │ ingested │   12 │       12 │" in result.out
    assert result.out.endswith("contacts: 12 new, 0 matched from 12 new sightings\n")
    again = cli("ingest", "Connections.csv", "--event", "Fair")
    assert "Connections.csv: already ingested" in again.out


def test_when_every_file_is_refused_each_says_why(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    result = cli("ingest", "bad.pdf", "nope.csv", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == PDF + "error: nope.csv: no such file; check the path (ls .)\n"


def test_run_on_a_file_says_it_is_a_file(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(SAMPLES / "Connections.csv", "Connections.csv")
    result = cli("run", "Connections.csv")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: Connections.csv: is a file, not an event folder; put it in a folder with the "
        "event's other exports, or ingest it alone: "
        'followup ingest Connections.csv --event "NAME"\n'
    )


def test_an_event_toml_naming_a_missing_roster_is_one_line(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("spring").mkdir()
    shutil.copy(SAMPLES / "Connections.csv", "spring/Connections.csv")
    Path("spring/event.toml").write_text('name = "Spring"\nroster = "attendees.csv"\n')
    result = cli("run", "spring")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: spring/event.toml roster: 'attendees.csv' is not in spring; put the "
        "organiser's attendee list there or remove the roster line\n"
    )


def test_a_misspelt_event_toml_key_is_refused_not_ignored(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("spring").mkdir()
    shutil.copy(SAMPLES / "Connections.csv", "spring/Connections.csv")
    Path("spring/event.toml").write_text('name = "Spring"\nsequnce = "recruiter"\n')
    result = cli("run", "spring")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: spring/event.toml: unknown key 'sequnce'; the keys are date, map, name, "
        "region, roster, sequence, timezone\n"
    )
