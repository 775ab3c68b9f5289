"""The `followup` command line: a thin skin over the core.

Every expected failure is a `FollowupError`; `main` turns it into one line on stderr and
the error's exit code. Nothing else in the project prints.
"""

from __future__ import annotations

import sys

import click
import typer
from rich.table import Table

import flows  # noqa: F401  (sets Prefect defaults before Prefect is imported)
import flows.cli_book
import flows.cli_contacts
import flows.cli_flows
import flows.cli_ingest
import flows.cli_match
import flows.cli_outbox
import flows.cli_outreach
import flows.cli_quarantine
import flows.cli_report
import flows.cli_sync  # noqa: F401  (each module registers its commands)
from contacts.errors import FollowupError
from contacts.store import resolve_url
from flows.cliapp import ConfigOption, app, err, out, say_error
from outreach.config import SETTINGS, load_config


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


# Typer 0.12-0.15 raises click's exceptions; later releases raise those of the click it
# bundles, which derive from `typer.TyperException`. Both are usage errors, never a crash.
_USAGE_ERRORS: tuple[type[Exception], ...] = (
    click.ClickException,
    *([typer.TyperException] if hasattr(typer, "TyperException") else []),
)
_EXITS = (click.exceptions.Exit, typer.Exit)
_ABORTS = (click.exceptions.Abort, typer.Abort)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; expected failures become one line on stderr and a non-zero exit code."""
    try:
        result = app(args=argv, prog_name="followup", standalone_mode=False)
    except FollowupError as exc:
        say_error(str(exc))
        return exc.exit_code
    except _EXITS as exc:
        return int(exc.exit_code)
    except _USAGE_ERRORS as exc:
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            say_error(str(exc))
        return int(getattr(exc, "exit_code", 2))
    except _ABORTS:
        err.print("aborted")
        return 130
    except OverflowError:  # an id beyond what the database stores (e.g. 99999999999999999999)
        say_error("that number is too large to be an id; use an id shown by a list command")
        return 2
    return result if isinstance(result, int) else 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":  # `python -m flows.cli ...` runs the CLI as `followup ...` does
    entry()
