"""`followup report [EVENT] [--html FILE]`: the per-event funnel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cliapp import DbOption, app, err, out
from outreach.report import FunnelRow, funnel
from outreach.report_html import render_html


def funnel_table(rows: list[FunnelRow]) -> Table:
    """The funnel as a rich table: one row per event, one column per stage emailed."""
    stages: list[str] = []
    for row in rows:
        stages += [s for s in row.emailed if s not in stages]
    table = Table(title="Funnel per event (people met at several events count at each)")
    for column in ("event", "date", "sightings", "contacts", "new", "known", "enrolled"):
        table.add_column(column, justify="left" if column in ("event", "date") else "right")
    for stage in stages:
        table.add_column(f"emailed {stage}", justify="right")
    for column in ("replied", "unsubscribed", "bounced", "reply rate"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            r.event,
            r.date.isoformat() if r.date else "",
            *(str(v) for v in (r.sightings, r.contacts, r.new, r.known, r.enrolled)),
            *(str(r.emailed.get(s, 0)) for s in stages),
            *(str(v) for v in (r.replied, r.unsubscribed, r.bounced)),
            f"{round(r.reply_rate * 100)}%",
        )
    return table


@app.command("report")
def report(
    event: Annotated[str, typer.Argument(help="Only this event (default: every event).")] = "",
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML report here.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Show the funnel per event: sightings, contacts, enrolled, emailed, replied, opted out."""
    rows = funnel(db, event)
    out.print(funnel_table(rows))
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(rows), encoding="utf-8")
        err.print(f"wrote {html}")
