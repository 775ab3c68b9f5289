"""`followup ingest` and `followup run`: getting exports into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from contacts.checks import check_event_name, check_region
from contacts.errors import InputError, printable
from contacts.events import parse_date
from contacts.flags import explain_flag
from contacts.match import match_pending
from flows.cliapp import ConfigOption, DbOption, app, out, say, say_error
from ingest.dropfolder import ingest_lock
from ingest.pipeline import IngestResult, ingest_file, load_roster
from ingest.profiles import MAP_FIELDS, check_map_field, header_key
from outreach.config import load_config
from outreach.sequences import get_sequence


def _parse_maps(maps: list[str] | None) -> dict[str, str]:
    """`--map "Column=field"` options as {column: field}.

    An unknown field is refused, and so is a column mapped to two fields (columns compare
    as headers do: 'Kontakt' and 'kontakt' are one column), since only one could win.
    """
    result: dict[str, str] = {}
    given: dict[str, tuple[str, str]] = {}  # header key -> (the option, its field)
    for item in maps or []:
        column, sep, field = item.rpartition("=")
        if not sep or not column or not field:
            raise InputError(
                f'--map {item!r}: write it as --map "Column Name=field", e.g. '
                '--map "E-Mail Adresse=email"'
            )
        column = column.strip()
        field = check_map_field(field.strip(), f"--map {item!r}")
        earlier, earlier_field = given.setdefault(header_key(column), (item, field))
        if earlier_field != field:
            raise InputError(
                f"--map {item!r}: the column {column!r} is already mapped to {earlier_field} "
                f"by --map {earlier!r}; a column maps to one field, so keep one of the two"
            )
        result[column] = field
    return result


def _ingest_table(results: list[IngestResult]) -> Table:
    table = Table(title="Ingest")
    for column in ("file", "format", "status", "read", "accepted", "quarantined"):
        table.add_column(
            column, justify="right" if column in ("read", "accepted", "quarantined") else "left"
        )
    for r in results:
        table.add_row(
            printable(r.file), r.format, r.status, str(r.read), str(r.accepted), str(r.quarantined)
        )
    return table


FLAG_LINES = 20  # flagged records shown after an ingest; the JSON export has them all


def _print_flags(results: list[IngestResult]) -> None:
    """One line per flagged value (a bad email, an unreadable phone), at most FLAG_LINES."""
    lines = [
        f"{r.file}: record {record} flagged: {explain_flag(flag, r.region)}"
        for r in results
        for record, flag in r.flags
    ]
    for line in lines[:FLAG_LINES]:
        say(line)
    if len(lines) > FLAG_LINES:
        out.print(
            f"… and {len(lines) - FLAG_LINES} more; see followup export contacts --format json"
        )


def _print_problems(results: list[IngestResult]) -> None:
    for r in results:
        if r.status == "duplicate":
            note = r.note or "already ingested (same content)"
            say(f"{r.file}: {note}; nothing to do")
        elif r.note:  # how the file was read, e.g. which sheets of a workbook
            say(f"{r.file}: {r.note}")
        if r.scans:
            say(f"{r.file}: {r.scans} repeated scans folded into their badge's sighting")
        if r.repeated:
            say(
                f"{r.file}: {r.repeated} rows were already imported from an earlier file of "
                "this event (the same cells); not stored again"
            )
        for record, reason in r.problems:
            if r.status == "failed":
                say_error(reason)
            else:
                say(f"{r.file}: record {record} quarantined: {reason}")
    _print_flags(results)


MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help='Map a column: "Column Name=field" (fields: ' + ", ".join(MAP_FIELDS) + ").",
    ),
]


@app.command()
def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Export files: vCard (.vcf), CSV/TSV/PSV (.csv, .tsv, .psv, .txt), Excel "
            "(.xlsx) or a badge-scanner log (.txt, one scan per line); the format is read "
            "from the content, not the name."
        ),
    ],
    event: Annotated[str, typer.Option("--event", help="Event the contacts were met at.")],
    date: Annotated[str | None, typer.Option(help="Event date, YYYY-MM-DD.")] = None,
    region: Annotated[
        str, typer.Option(help="Country code for phone numbers without +, e.g. US, GB, DE.")
    ] = "",
    roster: Annotated[
        Path | None, typer.Option(help="Organiser's attendee list, to resolve bare badge IDs.")
    ] = None,
    map_: MapOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Ingest export files for an event, normalize and match them into contacts."""
    event = check_event_name(event)
    when = parse_date(date)
    region = check_region(region)
    overrides = _parse_maps(map_)
    attendees = load_roster(roster)
    fallback = load_config(config).phone_region
    results, refused = [], []
    with ingest_lock(db):  # another ingest or a post-event run waits its turn
        for f in files:
            try:
                results.append(ingest_file(
                    f, event, date=when, region=region, url=db, overrides=overrides,
                    roster=attendees, default_region=fallback,
                ))  # fmt: skip
            except InputError as exc:  # one bad file does not stop the others
                if len(files) == 1:
                    raise
                refused.append(exc)
                results.append(IngestResult(file=f.name, status="failed", problems=[(0, str(exc))]))
        if len(refused) == len(files):
            for problem in refused:
                say_error(str(problem))
            raise typer.Exit(InputError.exit_code)
        matched = match_pending(db)
    out.print(_ingest_table(results))
    _print_problems(results)
    out.print(
        f"contacts: {matched.new_contacts} new, {matched.matched} matched "
        f"from {matched.sightings} new sightings"
    )
    if refused:
        raise typer.Exit(InputError.exit_code)


@app.command()
def run(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Event folder: exports plus optional event.toml (name, date, region, "
            "timezone, sequence, roster, map)."
        ),
    ],
    event: Annotated[
        str | None, typer.Option(help="Event name (default: event.toml, else the folder's name).")
    ] = None,
    sequence: Annotated[str, typer.Option(help="Sequence to enroll contacts in.")] = "",
    map_: MapOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Run the post-event pipeline on a folder: ingest, match, stage first drafts.

    Columns can also be mapped in event.toml: map = {"E-Mail Adresse" = "email"}.
    """
    from flows.post_event import post_event
    from ingest.eventfolder import read_event_folder
    from ingest.registered import with_registration

    if event is not None:
        event = check_event_name(event)
    overrides = _parse_maps(map_)
    info = with_registration(read_event_folder(folder), db)
    if not info.files:
        raise InputError(
            f"{folder}: no export files found; put the .csv/.vcf/.xlsx exports "
            "of the event in this folder"
        )
    cfg = load_config(config)  # fail fast on a bad configuration, before Prefect starts
    if sequence or info.sequence:
        get_sequence(cfg, sequence or info.sequence)  # and on an unknown sequence
    # The flow reads the folder itself (a deployment starts it without this CLI); what was
    # read here only let a bad folder or sequence fail before Prefect starts.
    summary = post_event(
        event=event or "",
        folder=str(folder),
        sequence=sequence,
        column_map=overrides,
        db=db,
        config_path=config,
    )
    out.print(_ingest_table(summary.files))
    _print_problems(summary.files)
    table = Table(title=f"Post-event run: {summary.event}")
    table.add_column("step")
    table.add_column("count", justify="right")
    for label, value in (
        ("files", len(summary.files)),
        ("records read", sum(f.read for f in summary.files)),
        ("quarantined", sum(f.quarantined for f in summary.files)),
        ("contacts created", summary.match.new_contacts),
        ("contacts matched", summary.match.matched),
        ("drafts staged", summary.plan.drafted),
        ("drafts blocked", summary.plan.blocked + summary.plan.still_blocked),
    ):
        table.add_row(label, str(value))
    out.print(table)
    cfg = load_config(config)
    out.print(f"Drafts are in {cfg.get('outbox')}/; review them with `followup outbox list`.")
    if summary.failed:
        raise typer.Exit(1)
