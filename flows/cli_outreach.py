"""`followup suppress` and `followup contacts replied`: the stop rules, by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contacts.addresslist import AddressList, read_address_list
from contacts.errors import InputError, printable
from contacts.stoprules import set_status, suppress_list
from contacts.store import session_scope
from flows.cliapp import DbOption, app, contacts_app, err, find_noting, out

REASONS = ("manual", "unsubscribed", "bounced", "complaint")


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
    bad = [a for a in emails or [] if "@" not in a]
    if bad:
        raise InputError(f"{bad[0]!r} is not an email address")
    listed = read_address_list(file) if file else AddressList()
    addresses = list(emails or []) + listed.addresses
    if not addresses and not listed.skipped:
        raise InputError("give an address or --file FILE")
    with session_scope(db) as session:
        added = suppress_list(session, addresses, reason)
    out.print(f"suppressed {added} new, {len(addresses) - added} already on the list")
    # The good rows are on the list; each bad one is named, and the exit code says so.
    for line in listed.skipped:
        err.print(printable(line))
    if listed.skipped:
        count = len(listed.skipped)
        raise InputError(
            f"{file}: {count} row{'s' if count > 1 else ''} skipped (named above); fix "
            "and import the file again (addresses already on the list are kept once)"
        )


@contacts_app.command("replied")
def contacts_replied(
    ref: Annotated[str, typer.Argument(help="Contact id or one of their email addresses.")],
    note: Annotated[str, typer.Option(help="What they said (kept in the log).")] = "",
    db: DbOption = None,
) -> None:
    """Record that a contact replied: every pending message to them is cancelled."""
    with session_scope(db, must_exist=True) as session:
        contact = find_noting(session, ref)
        cancelled = set_status(session, contact.id, "replied", note)
        name = contact.full_name
    out.print(f"{name} replied; cancelled {cancelled} pending messages")
