"""`followup export contacts`: the contact book for other tools (the book is cli_book.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from contacts import export as exporter
from contacts.book import check_tag
from contacts.errors import InputError
from contacts.events import find_event
from contacts.store import session_scope
from flows.cliapp import DbOption, export_app, write_output

_SUFFIX = {"json": "json", "csv": "csv", "vcard": "vcf"}


@export_app.command("contacts")
def export_contacts(
    format_: Annotated[str, typer.Option("--format", help="json, csv or vcard.")] = "json",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (default: standard output)."),
    ] = None,
    layout: Annotated[
        str, typer.Option("--layout", help="CSV for an importer: google or outlook.")
    ] = "",
    vcard_version: Annotated[
        str, typer.Option("--vcard-version", help="vCard version: 3.0 or 4.0.")
    ] = "3.0",
    event: Annotated[str, typer.Option("--event", help="Only people met at this event.")] = "",
    tag: Annotated[str, typer.Option("--tag", help="Only contacts with this tag.")] = "",
    db: DbOption = None,
) -> None:
    """Export contacts with their emails, phones, events and sightings."""
    if format_ not in ("json", "csv", "vcard"):
        raise InputError(f"--format {format_!r}: use json, csv or vcard")
    if layout and format_ != "csv":
        raise InputError(f"--layout {layout}: only for --format csv")
    with session_scope(db, must_exist=True) as session:
        if event:
            find_event(session, event)
        check_tag(session, tag)
        if format_ == "json":
            rows = exporter.export_json_rows(session, event, tag)
            text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
        elif format_ == "csv":
            text = exporter.export_csv(session, layout, event, tag)
        else:
            text = exporter.export_vcard(session, vcard_version, event, tag)
    if output:
        write_output(output, text, f"contacts.{_SUFFIX[format_]}")
    else:
        sys.stdout.write(text)
