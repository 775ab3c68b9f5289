"""The Typer application, its sub-command groups, consoles and shared options.

Command modules (`flows/cli_*.py`) register their commands on these objects; `flows/cli.py`
imports them all and runs the app. Only the CLI prints.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from contacts.book import find_contact
from contacts.errors import InputError, printable
from contacts.model import Contact

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

# No markup or highlighting: names, titles and file names from exports are printed as they
# are ('Engineer [contract]' would otherwise lose its brackets, '[/x]' would crash).
out = Console(soft_wrap=True, markup=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

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


def find_noting(session: Session, ref: str) -> Contact:
    """`book.find_contact`, saying so when a merged contact's id led to its survivor."""
    contact = find_contact(session, ref)
    if ref.strip().isdigit() and int(ref) != contact.id:
        err.print(f"note: contact {int(ref)} was merged into #{contact.id}; using #{contact.id}")
    return contact


def say(line: str) -> None:
    """One line on stdout that holds file names or other text from the user's files: their
    control characters are escaped (`printable`), so a name cannot forge or colour a line."""
    out.print(printable(line))


def say_error(message: str) -> None:
    """One 'error: ...' line on stderr, control characters escaped as for `say` (the
    consoles take no markup)."""
    err.print(f"error: {printable(message)}")


def check_output(path: Path, example: str = "output.txt") -> None:
    """Refuse, before any work is done, an output path that can never be written.

    Example: `check_output(Path("/tmp"), "contacts.json")` raises InputError("/tmp is a
    folder; give a file name, e.g. /tmp/contacts.json").
    """
    if path.is_dir():
        raise InputError(_output_problem(path, IsADirectoryError(), example))
    if not path.parent.exists():
        raise InputError(_output_problem(path, FileNotFoundError(), example))
    if not path.parent.is_dir():
        raise InputError(_output_problem(path, NotADirectoryError(), example))


def write_output(path: Path, text: str, example: str = "output.txt") -> None:
    """Write a file the user named (`-o`, `--html`); a bad path is one line that says the fix.

    Missing folders are not created: a typo in a path should not leave folders behind. The
    text is personal data, so the file is readable by its owner only (0600): a new one is
    created so, and an existing regular file is made so before it is emptied and written
    (a file that cannot be made private is left as it was).
    """
    check_output(path, example)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, 0o600)
                os.ftruncate(fd, 0)
            handle.write(text)
    except OSError as exc:
        raise InputError(_output_problem(path, exc, example)) from None
    err.print(f"wrote {printable(path)}")


def _output_problem(path: Path, exc: OSError, example: str) -> str:
    parent = path.parent
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return f"{path} is a folder; give a file name, e.g. {path / example}"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied; choose another path"
    if isinstance(exc, NotADirectoryError) or (parent.exists() and not parent.is_dir()):
        return f"{parent} is not a folder; choose another path for {path.name}"
    if isinstance(exc, FileNotFoundError):
        if not parent.exists():
            return f"folder {parent} does not exist; create it first (mkdir -p {parent})"
        return f"cannot create {path.name} in {parent}; choose another folder"
    if exc.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {path}: {exc.strerror}; choose another path"
    return f"cannot write {path} ({exc.strerror or exc}); choose another path"
