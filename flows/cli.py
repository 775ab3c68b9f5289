"""The `followup` command line: a thin skin over the core.

Every expected failure is a `FollowupError`; `main` turns it into one line on stderr and
the error's exit code. Nothing else in the project prints.
"""

from __future__ import annotations


import json
import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.table import Table

import flows  # noqa: F401  (sets Prefect defaults before Prefect is imported)
from contacts import export as exporter
from contacts.errors import FollowupError, InputError
from contacts.events import parse_date
from contacts.match import match_pending
from contacts.store import resolve_url, session_scope
from ingest.pipeline import IngestResult, ingest_file
from outreach.config import SETTINGS, load_config

app = typer.Typer(help="followup: turn event exports into contacts and reviewed follow-up "
                       "emails.", no_args_is_help=True, add_completion=False)
export_app = typer.Typer(help="Export data for other tools.", no_args_is_help=True)
outbox_app = typer.Typer(help="Review and send the staged follow-up emails.",
                         no_args_is_help=True)
contacts_app = typer.Typer(help="Browse the contact book.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(outbox_app, name="outbox")
app.add_typer(contacts_app, name="contacts")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: "
                     "FOLLOWUP_DB or sqlite:///data/followup.db).")]
ConfigOption = Annotated[str | None, typer.Option("--config", help="Configuration file "
                         "(default: FOLLOWUP_CONFIG or ./followup.toml).")]


def _parse_maps(maps: list[str] | None) -> dict[str, str]:
    result = {}
    for item in maps or []:
        column, sep, field = item.rpartition("=")
        if not sep or not column or not field:
            raise InputError(f'--map {item!r}: write it as --map "Column Name=field", e.g. '
                             '--map "E-Mail Adresse=email"')
        result[column] = field.strip()
    return result


def _ingest_table(results: list[IngestResult]) -> Table:
    table = Table(title="Ingest")
    for column in ("file", "format", "status", "read", "accepted", "quarantined"):
        table.add_column(column, justify="right" if column in
                         ("read", "accepted", "quarantined") else "left")
    for r in results:
        table.add_row(r.file, r.format, r.status, str(r.read), str(r.accepted),
                      str(r.quarantined))
    return table


def _print_problems(results: list[IngestResult]) -> None:
    for r in results:
        if r.status == "duplicate":
            out.print(f"{r.file}: already ingested (same content); nothing to do")
        for record, reason in r.problems:
            if r.status == "failed":
                err.print(f"error: {reason}", markup=False, highlight=False)
            else:
                out.print(f"{r.file}: record {record} quarantined: {reason}", markup=False,
                          highlight=False)


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Export files: .vcf, .csv, .xlsx.")],
    event: Annotated[str, typer.Option("--event", help="Event the contacts were met at.")],
    date: Annotated[str | None, typer.Option(help="Event date, YYYY-MM-DD.")] = None,
    region: Annotated[str, typer.Option(help="Country code for phone numbers without +, "
                                        "e.g. US, GB, DE.")] = "",
    roster: Annotated[Path | None, typer.Option(help="Organiser's attendee list, to "
                                                "resolve bare badge IDs.")] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help='Map a column: '
                    '"Column Name=field" (fields: email, phone, full_name, first_name, '
                    'last_name, company, title, notes).')] = None,
    db: DbOption = None,
) -> None:
    """Ingest export files for an event, normalize and match them into contacts."""
    when = parse_date(date)
    overrides = _parse_maps(map_)
    results = [ingest_file(f, event, date=when, region=region.upper(), url=db,
                           overrides=overrides) for f in files]
    matched = match_pending(db)
    out.print(_ingest_table(results))
    _print_problems(results)
    out.print(f"contacts: {matched.new_contacts} new, {matched.matched} matched "
              f"from {matched.sightings} new sightings")


@app.command()
def run(
    folder: Annotated[Path, typer.Argument(help="Event folder: exports plus optional "
                                           "event.toml (name, date, region, sequence).")],
    event: Annotated[str | None, typer.Option(help="Event name (default: event.toml, "
                                              "else the folder's name).")] = None,
    sequence: Annotated[str, typer.Option(help="Sequence to enroll contacts in.")] = "",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Run the post-event pipeline on a folder: ingest, match, stage first drafts."""
    from flows.eventfolder import read_event_folder
    from flows.post_event import post_event

    info = read_event_folder(folder)
    if not info.files:
        raise InputError(f"{folder}: no export files found; put the .csv/.vcf/.xlsx exports "
                         "of the event in this folder")
    load_config(config)  # fail fast on a bad configuration, before Prefect starts
    summary = post_event(event=event or info.name, files=[str(p) for p in info.files],
                         date=info.date, region=info.region, sequence=sequence or info.sequence,
                         db=db, config_path=config)
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
        ("drafts blocked", summary.plan.blocked),
    ):
        table.add_row(label, str(value))
    out.print(table)
    cfg = load_config(config)
    out.print(f"Drafts are in {cfg.get('outbox')}/; review them with `followup outbox list`.")
    if summary.failed:
        raise typer.Exit(1)


@export_app.command("contacts")
def export_contacts(
    format_: Annotated[str, typer.Option("--format", help="json, csv or vcard.")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write "
                                                "(default: standard output).")] = None,
    db: DbOption = None,
) -> None:
    """Export every contact with its emails, phones, events and sightings."""
    if format_ not in ("json", "csv", "vcard"):
        raise InputError(f"--format {format_!r}: use json, csv or vcard")
    with session_scope(db) as session:
        if format_ == "json":
            text = json.dumps(exporter.export_json_rows(session), indent=2,
                              ensure_ascii=False) + "\n"
        elif format_ == "csv":
            text = exporter.export_csv(session)
        else:
            text = exporter.export_vcard(session)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


@contacts_app.command("list")
def contacts_list(db: DbOption = None) -> None:
    """List contacts with their primary email, company and events."""
    with session_scope(db) as session:
        rows = exporter.export_json_rows(session)
    table = Table(title=f"{len(rows)} contacts")
    for column in ("id", "name", "email", "company", "events"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), row["full_name"], (row["emails"] or [""])[0],
                      row["company"], ", ".join(row["events"]))
    out.print(table)


@outbox_app.command("plan")
def outbox_plan(
    event: Annotated[str, typer.Option("--event", help="Event whose contacts to plan.")],
    sequence: Annotated[str, typer.Option(help="Sequence (default: the event's).")] = "",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Enroll an event's contacts and stage their due drafts."""
    from outreach.planner import plan_event

    result = plan_event(event, load_config(config), url=db, sequence_name=sequence)
    out.print(f"enrolled {result.enrolled}, drafted {result.drafted}, blocked {result.blocked}, "
              f"without email {result.no_email}")


@outbox_app.command("list")
def outbox_list(db: DbOption = None) -> None:
    """List messages in the outbox with their state and due date."""
    import sqlalchemy as sa

    from contacts.model import Message

    with session_scope(db) as session:
        messages = session.scalars(sa.select(Message).order_by(Message.due_at, Message.id)).all()
        table = Table(title=f"{len(messages)} messages")
        for column in ("id", "to", "stage", "state", "due", "subject / reason"):
            table.add_column(column)
        for m in messages:
            table.add_row(str(m.id), m.to_addr, m.stage, m.state,
                          m.due_at.strftime("%Y-%m-%d %H:%M") if m.due_at else "",
                          m.subject if m.state != "blocked" else m.reason)
    out.print(table)


@app.command("config")
def show_config(config: ConfigOption = None) -> None:
    """Show every setting: its value, environment variable and meaning."""
    cfg = load_config(config)
    table = Table(title=f"Settings ({cfg.path or 'no followup.toml: defaults'})")
    for column in ("setting", "value", "environment", "help"):
        table.add_column(column)
    for s in SETTINGS:
        value = cfg.get(s.name)
        shown = "(set)" if "password" in s.name and value else str(value)
        table.add_row(s.name, shown, s.env, s.help)
    out.print(table)
    out.print(f"database: {resolve_url()}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; expected failures become one line on stderr and a non-zero exit code."""
    try:
        result = app(args=argv, prog_name="followup", standalone_mode=False)
    except FollowupError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    return result if isinstance(result, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


