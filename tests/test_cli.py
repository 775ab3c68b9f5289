import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer.main

from flows.cli import app
from tests.conftest import SAMPLES


def test_missing_file_is_one_line_and_exit_2(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", "nope.csv", "--event", "Fair")
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: nope.csv: no such file; check the path (ls .)\n"


def test_unknown_format_is_one_line_and_exit_2(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00")
    result = cli("ingest", "photo.jpg", "--event", "Fair")
    assert result.code == 2
    assert result.err == (
        "error: photo.jpg: unknown format (binary content). followup reads vCard (.vcf), CSV "
        "and XLSX exports; export the contacts in one of those formats\n"
    )
    assert "Traceback" not in result.out + result.err


def test_bad_date_names_the_flag_and_the_format(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "ingest", str(SAMPLES / "fair-scans.csv"), "--event", "Fair", "--date", "12/03/2026"
    )
    assert (result.code, result.err) == (
        2,
        "error: --date: '12/03/2026' is not a date; write it as YYYY-MM-DD\n",
    )


def test_ingest_prints_a_summary_and_quarantined_rows_then_is_a_no_op(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    first = cli(
        "ingest", str(SAMPLES / "fair-scans.csv"), "--event", "Spring Fair", "--region", "us"
    )
    assert first.code == 0, first.err
    assert "fair-scans.csv: record 11 quarantined: no name, no email and no phone\n" in first.out
    assert first.out.endswith("contacts: 18 new, 0 matched from 18 new sightings\n")
    again = cli("ingest", str(SAMPLES / "fair-scans.csv"), "--event", "Spring Fair")
    assert again.code == 0
    today = dt.datetime.now(dt.UTC).date()
    assert (
        f"fair-scans.csv: already ingested for event 'Spring Fair' on {today} (same content); "
        "nothing to do\n"
    ) in again.out
    assert again.out.endswith("contacts: 0 new, 0 matched from 0 new sightings\n")


def test_json_export_lists_every_sample_record_exactly_once(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix in (".csv", ".vcf"))
    assert cli("ingest", *files, "--event", "Spring Career Fair 2026", "--region", "US").code == 0
    result = cli("export", "contacts", "--format", "json", "-o", "contacts.json")
    assert (result.code, result.err) == (0, "wrote contacts.json\n")
    contacts = json.loads(Path("contacts.json").read_text())
    seen = sorted((s["source"], s["record"]) for c in contacts for s in c["sightings"])
    expected = sorted(
        [("Connections.csv", r) for r in range(1, 13)]
        + [("business-cards.vcf", r) for r in range(1, 11)]
        + [("fair-scans.csv", r) for r in range(1, 20) if r != 11]
    )
    assert seen == expected
    keys = {
        "id",
        "full_name",
        "first_name",
        "last_name",
        "emails",
        "phones",
        "company",
        "title",
        "status",
        "events",
        "sightings",
        "messages",
    }
    assert all(set(c) == keys for c in contacts)
    maria = next(c for c in contacts if c["full_name"] == "Maria García")
    assert maria["emails"] == ["maria.garcia@northwind.example"]
    assert maria["events"] == ["Spring Career Fair 2026"]
    assert {s["event"] for s in maria["sightings"]} == {"Spring Career Fair 2026"}


def test_export_rejects_an_unknown_format(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "contacts", "--format", "xml")
    assert (result.code, result.err) == (2, "error: --format 'xml': use json, csv or vcard\n")


def test_bad_map_option_shows_the_right_form(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(SAMPLES / "fair-scans.csv"), "--event", "F", "--map", "Email")
    assert result.err == (
        "error: --map 'Email': write it as --map \"Column Name=field\", e.g. "
        '--map "E-Mail Adresse=email"\n'
    )


def test_run_on_a_folder_without_exports(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("empty-event").mkdir()
    result = cli("run", "empty-event")
    assert (result.code, result.err) == (
        2,
        "error: empty-event: no export files found; put the "
        ".csv/.vcf/.xlsx exports of the event in this folder\n",
    )


def test_csv_and_vcard_exports(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(SAMPLES / "business-cards.vcf", "cards.vcf")
    assert cli("ingest", "cards.vcf", "--event", "Fair").code == 0
    csv_out = cli("export", "contacts", "--format", "csv")
    assert csv_out.out.splitlines()[0] == (
        "id,full_name,first_name,last_name,email,other_emails,phone,company,title,events"
    )
    assert len(csv_out.out.splitlines()) == 11
    vcard = cli("export", "contacts", "--format", "vcard")
    assert vcard.out.count("BEGIN:VCARD") == 10
    assert "FN:Chloé Dubois" in vcard.out


# Typer may build its commands on click or on the copy of click it bundles: duck-typed.
def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if hasattr(command, "commands"):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


COMMANDS = _commands(typer.main.get_group(app))


def test_the_command_tree_is_walked() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"ingest", "run", "contacts why", "outbox send", "quarantine export"} <= names


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_every_command_has_meaningful_help(name: str, command: Any) -> None:
    assert command.help and len(command.help.split()) >= 4, name
    options = [p for p in command.params if p.param_type_name == "option" and p.name != "help"]
    for param in options:
        assert param.help, f"{name} {param.opts}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest",), "Missing argument 'files'."),
        (("nope",), "No such command 'nope'."),
        (("ingest", "x.csv", "--bogus"), "No such option: --bogus"),
        (("ingest", "x.csv", "--event"), "Option '--event' requires an argument."),
    ],
)
def test_usage_errors_are_a_message_and_exit_2_never_a_traceback(
    project: Path,
    cli,  # type: ignore[no-untyped-def]
    args: tuple[str, ...],
    message: str,
) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.err.rstrip().endswith(f"Error: {message}")
    assert "Traceback" not in result.out + result.err


def test_top_level_help_lists_the_commands(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--help")
    assert result.code == 0
    for command in ("ingest", "run", "export", "outbox", "contacts", "config"):
        assert command in result.out
