"""The Typer application, its sub-command groups, consoles and shared options.

Command modules (`flows/cli_*.py`) register their commands on these objects; `flows/cli.py`
imports them all and runs the app. Only the CLI prints.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    help="followup: turn event exports into contacts and reviewed follow-up emails.",
    no_args_is_help=True,
    add_completion=False,
)
export_app = typer.Typer(help="Export data for other tools.", no_args_is_help=True)
outbox_app = typer.Typer(help="Review and send the staged follow-up emails.", no_args_is_help=True)
contacts_app = typer.Typer(help="Browse the contact book.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(outbox_app, name="outbox")
app.add_typer(contacts_app, name="contacts")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: FOLLOWUP_DB or sqlite:///data/followup.db)."),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config", help="Configuration file (default: FOLLOWUP_CONFIG or ./followup.toml)."
    ),
]


def say_error(message: str) -> None:
    """One plain line on stderr (no markup, so file names with [brackets] survive)."""
    err.print(f"error: {message}", markup=False, highlight=False)
