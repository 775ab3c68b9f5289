"""`followup report [EVENT] [--html FILE]`: the per-event funnel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from contacts.store import engine_for
from flows.cliapp import ConfigOption, DbOption, app, check_output, out, write_output
from outreach.config import load_config
from outreach.report import FunnelRow, funnel
from outreach.report_html import render_html


def funnel_table(rows: list[FunnelRow]) -> Table:
    """The funnel read top-down: one row per step (a row per stage emailed), one column per
    event, so that a few events fit a narrow terminal."""
    stages: list[str] = []
    for row in rows:
        stages += [s for s in row.emailed if s not in stages]
    table = Table(title="Funnel per event (people met at several events count at each)")
    table.add_column("step", no_wrap=True)
    for r in rows:
        table.add_column(f"{r.event}\n{r.date or ''}".rstrip(), justify="right")
    steps: list[tuple[str, list[str]]] = [
        ("sightings", [str(r.sightings) for r in rows]),
        ("contacts", [str(r.contacts) for r in rows]),
        ("  new", [str(r.new) for r in rows]),
        ("  met before", [str(r.known) for r in rows]),
        ("enrolled", [str(r.enrolled) for r in rows]),
        *((f"emailed {stage}", [str(r.emailed.get(stage, 0)) for r in rows]) for stage in stages),
        ("replied", [str(r.replied) for r in rows]),
        ("unsubscribed", [str(r.unsubscribed) for r in rows]),
        ("bounced", [str(r.bounced) for r in rows]),
        ("reply rate", [f"{round(r.reply_rate * 100)}%" for r in rows]),
    ]
    for label, values in steps:
        table.add_row(label, *values)
    return table


@app.command("report")
def report(
    event: Annotated[str, typer.Argument(help="Only this event (default: every event).")] = "",
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML report here.")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show the funnel per event: sightings, contacts, enrolled, emailed (every stage of the
    event's sequence, 0 until sent), replied, opted out."""
    if html:
        check_output(html, "report.html")  # before the work, not after the table
    engine_for(db, must_exist=True)  # a report reads; it never creates a store
    rows = funnel(db, event, load_config(config))
    out.print(funnel_table(rows))
    if html:
        write_output(html, render_html(rows), "report.html")
