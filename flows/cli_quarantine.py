"""`followup quarantine list|export`: records that could not become sightings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contacts.quarantine import quarantine_csv, quarantined
from contacts.store import session_scope
from flows.cliapp import DbOption, app, out, say, write_output

quarantine_app = typer.Typer(
    help="Records that could not become contacts, with the reason.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")

EventFilter = Annotated[str, typer.Option("--event", help="Only this event (name or slug).")]
FileFilter = Annotated[str, typer.Option("--file", help="Only this source file (base name).")]


@quarantine_app.command("list")
def list_quarantine(event: EventFilter = "", file: FileFilter = "", db: DbOption = None) -> None:
    """List quarantined records: file, record number, reason and the first raw fields."""
    with session_scope(db, must_exist=True) as session:
        rows = quarantined(session, event=event, file=file)
    if not rows:
        out.print("nothing is quarantined")
        return
    for row in rows:
        excerpt = "; ".join(f"{k}={v}" for k, v in list(row["raw"].items())[:4])
        say(f"{row['file']} record {row['record']}: {row['reason']} [{excerpt[:120]}]")
    noun = "record" if len(rows) == 1 else "records"
    out.print(
        f"{len(rows)} quarantined {noun}; export them with `followup quarantine export -o FILE`"
    )


@quarantine_app.command("export")
def export_quarantine(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="CSV file to write (default: standard output)."),
    ] = None,
    event: EventFilter = "",
    file: FileFilter = "",
    db: DbOption = None,
) -> None:
    """Export quarantined records as CSV: file, event, record, reason, then the raw fields."""
    with session_scope(db, must_exist=True) as session:
        text = quarantine_csv(quarantined(session, event=event, file=file))
    if output:
        write_output(output, text, "quarantine.csv")
    else:
        out.print(text, end="", soft_wrap=True)
