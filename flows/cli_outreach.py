"""`followup suppress` and `followup contacts replied`: the stop rules, by hand."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from contacts.errors import InputError
from contacts.book import find_contact
from contacts.stoprules import set_status, suppress_list
from contacts.store import session_scope
from flows.cliapp import DbOption, app, contacts_app, out

REASONS = ("manual", "unsubscribed", "bounced", "complaint")
_ADDRESS = re.compile(r"[^\s,;<>\"']+@[^\s,;<>\"']+")


def read_list(path: Path) -> list[str]:
    """Every address in a file: one per line, or a CSV/export with an email column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as UTF-8 text ({exc})") from exc
    found = _ADDRESS.findall(text)
    if not found:
        raise InputError(f"{path}: no email address found; put one address on each line")
    return found


@app.command("suppress")
def suppress_command(
    emails: Annotated[list[str] | None, typer.Argument(help="Addresses never to email.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Import a list: one address per line (or CSV).")
    ] = None,
    reason: Annotated[
        str, typer.Option(help="manual, unsubscribed, bounced or complaint.")
    ] = "manual",
    db: DbOption = None,
) -> None:
    """Add addresses to the suppression list; pending messages to them are cancelled."""
    if reason not in REASONS:
        raise InputError(f"--reason {reason!r}: use one of {', '.join(REASONS)}")
    addresses = list(emails or []) + (read_list(file) if file else [])
    if not addresses:
        raise InputError("give an address or --file FILE")
    bad = [a for a in addresses if "@" not in a]
    if bad:
        raise InputError(f"{bad[0]!r} is not an email address")
    with session_scope(db) as session:
        added = suppress_list(session, addresses, reason)
    out.print(f"suppressed {added} new, {len(addresses) - added} already on the list")


@contacts_app.command("replied")
def contacts_replied(
    ref: Annotated[str, typer.Argument(help="Contact id or one of their email addresses.")],
    note: Annotated[str, typer.Option(help="What they said (kept in the log).")] = "",
    db: DbOption = None,
) -> None:
    """Record that a contact replied: every pending message to them is cancelled."""
    with session_scope(db) as session:
        contact = find_contact(session, ref)
        cancelled = set_status(session, contact.id, "replied", note)
        name = contact.full_name
    out.print(f"{name} replied; cancelled {cancelled} pending messages", markup=False)
