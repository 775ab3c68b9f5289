"""`followup export` and `followup contacts`: the contact book."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from contacts import export as exporter
from contacts.errors import InputError
from contacts.store import session_scope
from flows.cliapp import DbOption, contacts_app, err, export_app, out


@export_app.command("contacts")
def export_contacts(
    format_: Annotated[str, typer.Option("--format", help="json, csv or vcard.")] = "json",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (default: standard output)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export every contact with its emails, phones, events and sightings."""
    if format_ not in ("json", "csv", "vcard"):
        raise InputError(f"--format {format_!r}: use json, csv or vcard")
    with session_scope(db) as session:
        if format_ == "json":
            text = (
                json.dumps(exporter.export_json_rows(session), indent=2, ensure_ascii=False) + "\n"
            )
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
        table.add_row(
            str(row["id"]),
            row["full_name"],
            (row["emails"] or [""])[0],
            row["company"],
            ", ".join(row["events"]),
        )
    out.print(table)
