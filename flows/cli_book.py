"""`followup contacts list|show|search|note|tag|keep-in-touch|forget` and `followup today`."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import click
import sqlalchemy as sa
import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import ArgumentError

from contacts import access, book
from contacts.errors import InputError
from contacts.events import find_event, parse_date
from contacts.forget import forget
from contacts.store import resolve_url, session_scope, sqlite_file
from contacts.survivorship import primary_first
from flows.cliapp import (
    ConfigOption,
    DbOption,
    app,
    contacts_app,
    err,
    find_noting,
    out,
    say,
)
from ingest.redact import redact_person
from outreach import keepintouch
from outreach.config import load_config

RefArg = Annotated[str, typer.Argument(help="Contact id or one of their email addresses.")]


def _table(entries: list[book.BookEntry], title: str) -> Table:
    table = Table(title=title)
    for column in ("id", "name", "email", "company", "events", "tags", "status"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.id), e.name, e.email, e.company, ", ".join(e.events), ", ".join(e.tags), e.status
        )
    return table


@contacts_app.command("list")
def contacts_list(
    event: Annotated[str, typer.Option("--event", help="Only people met at this event.")] = "",
    tag: Annotated[str, typer.Option("--tag", help="Only contacts with this tag.")] = "",
    status: Annotated[
        str, typer.Option("--status", help="Only active, paused, replied, unsubscribed or bounced.")
    ] = "",
    db: DbOption = None,
) -> None:
    """List contacts with their primary email, company, events, tags and status."""
    book.check_status(status)
    with session_scope(db, must_exist=True) as session:
        if event:
            find_event(session, event)
        book.check_tag(session, tag)
        entries = book.list_contacts(session, event=event, tag=tag, status=status)
    out.print(_table(entries, f"{len(entries)} contacts"))


@contacts_app.command("search")
def contacts_search(
    text: Annotated[str, typer.Argument(help="Part of a name, email, company, event or tag.")],
    db: DbOption = None,
) -> None:
    """Find contacts by name, email, company, title, event or tag (any case)."""
    with session_scope(db, must_exist=True) as session:
        entries = book.search(session, text)
    out.print(_table(entries, f"{len(entries)} contacts matching {text!r}"))


@contacts_app.command("show")
def contacts_show(
    ref: RefArg,
    all_: Annotated[
        bool, typer.Option("--all", help="Print everything stored about the person, as JSON.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Show a contact: details, tags, cadence and the interaction log."""
    with session_scope(db, must_exist=True) as session:
        try:
            contact = find_noting(session, ref)
        except InputError:
            # an access request about an address no contact has: it may still be held in
            # quarantined rows or unmatched sightings (what `forget` would erase)
            held = access.everything_about_address(session, ref) if all_ else None
            if held is None:
                raise
            out.print_json(json.dumps(held, ensure_ascii=False, default=str))
            return
        if all_:
            data = access.everything_about(session, contact)
            out.print_json(json.dumps(data, ensure_ascii=False, default=str))
            return
        emails = [e.email for e in primary_first(contact.emails)]
        tags = book.tags_of(session, contact.id)
        phones = [p.phone for p in contact.phones]
        log = book.timeline(session, contact.id)
    name = Text(contact.full_name or "(no name)", style="bold")
    out.print(name + f"  #{contact.id}  ({contact.status})")
    for label, value in (
        ("title", contact.title),
        ("company", contact.company),
        ("emails", ", ".join(emails)),
        ("phones", ", ".join(phones)),
        ("linkedin", contact.linkedin),
        ("tags", ", ".join(tags)),
    ):
        if value:
            out.print(f"{label}: {value}")
    table = Table(title="interactions")
    for column in ("when", "what", "detail"):
        table.add_column(column)
    for item in log:
        table.add_row(item.at.strftime("%Y-%m-%d"), item.kind, item.detail)
    out.print(table)


@contacts_app.command("note")
def contacts_note(
    ref: RefArg,
    text: Annotated[str, typer.Argument(help='The note, in quotes: "talked about Rust".')],
    db: DbOption = None,
) -> None:
    """Add a note to a contact's interaction log."""
    with session_scope(db, must_exist=True) as session:
        contact = find_noting(session, ref)
        book.add_note(session, contact.id, text)
    out.print(f"noted for #{contact.id} {contact.full_name}")


@contacts_app.command("tag")
def contacts_tag(
    ref: RefArg,
    tags: Annotated[list[str], typer.Argument(help="One or more tags, e.g. mentor alumni.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove the tags instead.")] = False,
    db: DbOption = None,
) -> None:
    """Tag a contact (or remove tags with --remove)."""
    with session_scope(db, must_exist=True) as session:
        contact = find_noting(session, ref)
        for tag in tags:
            (book.remove_tag if remove else book.add_tag)(session, contact.id, tag)
        now = book.tags_of(session, contact.id)
    out.print(f"#{contact.id} tags: {', '.join(now) or '(none)'}")


@contacts_app.command("keep-in-touch")
def contacts_keep_in_touch(
    ref: Annotated[str, typer.Argument(help="Contact id or email (leave out with --tag).")] = "",
    every: Annotated[str, typer.Option("--every", help="How often: 90d, 12w, 3m or 1y.")] = "",
    tag: Annotated[
        str, typer.Option("--tag", help="Set the cadence for everyone with this tag.")
    ] = "",
    stop: Annotated[bool, typer.Option("--stop", help="Stop keeping in touch.")] = False,
    db: DbOption = None,
) -> None:
    """Keep in touch with a contact (or everyone with a tag) every so often."""
    if bool(ref) == bool(tag):
        raise InputError("keep-in-touch: give a contact (ID or email) or --tag TAG, not both")
    if not stop and not every:
        raise InputError("keep-in-touch: say how often with --every, e.g. --every 90d (or --stop)")
    with session_scope(db, must_exist=True) as session:
        contact_id = find_noting(session, ref).id if ref else None
        who = f"#{contact_id}" if contact_id else f"tag {book.normalize_tag(tag)}"
        if stop:
            found = keepintouch.clear_cadence(session, contact_id, tag)
            message = f"stopped keeping in touch with {who}" if found else f"{who} had no cadence"
        else:
            days = keepintouch.parse_every(every)
            if tag:
                book.check_tag(session, tag)
            keepintouch.set_cadence(session, days, contact_id, tag)
            message = f"keeping in touch with {who} every {days} days"
    out.print(message)


def _store_of_project(db: str | None, config_file: Path | None) -> str:
    """The store to erase from: a relative SQLite file is looked up like the other paths
    (here, then beside followup.toml), so `--config` from another folder erases from the
    project's store, not from a new empty one made here."""
    url = resolve_url(db)
    try:
        parsed = sa.make_url(url)
    except ArgumentError:
        return url  # opening it says what is wrong with it
    database = sqlite_file(parsed)
    if database is None:
        return url
    path = _in_project(str(database), config_file)
    return parsed.set(database=str(path)).render_as_string(False) if path.exists() else url


def _in_project(value: str, config_file: Path | None) -> Path:
    """A configured folder: as given when it exists from here, else beside followup.toml."""
    path = Path(value)
    if path.is_absolute() or path.exists() or config_file is None:
        return path
    return config_file.resolve().parent / path


@contacts_app.command("forget")
def contacts_forget(
    ref: Annotated[
        str,
        typer.Argument(
            help="An email address of the person to erase, or their contact id (for people "
            "stored without an address)."
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help="Drop folder whose kept exports are redacted too (default: [schedules] "
            "drop_folder inbox, or data/inbox).",
        ),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Erase a person everywhere; keep only a hashed entry so they are never emailed again."""
    cfg = load_config(config)
    db = _store_of_project(db, cfg.path)
    who = f"contact {ref.strip()}" if ref.strip().isdigit() else ref
    if not yes:
        try:
            confirmed = typer.confirm(f"Erase everything about {who}? This cannot be undone")
        except (click.exceptions.Abort, typer.Abort):  # end of input (no terminal), Ctrl-C
            err.print("no answer; nothing forgotten; pass --yes to confirm non-interactively")
            raise typer.Exit(130) from None
        if not confirmed:
            err.print("nothing erased")
            raise typer.Exit(1)
    outbox = _in_project(str(cfg.get("outbox")), cfg.path)
    drop = cfg.tree.get("schedules", {}).get("drop_folder", {}).get("parameters", {})
    inbox = inbox or _in_project(str(drop.get("inbox", "data/inbox")), cfg.path)
    project = cfg.path.resolve().parent if cfg.path else None
    result = forget(db, ref, outbox, project=project)
    redacted, still_mentioned = redact_person(
        inbox, result.addresses, result.phones, result.sources, result.linkedin
    )
    out.print(
        f"forgot {who}: {result.contacts} contacts, {result.sightings} sightings, "
        f"{result.messages} messages, {result.quarantined} quarantined rows, "
        f"{result.eml_files} .eml files, {result.scrubbed} mentions in other records; "
        f"suppressed (hashed) {result.suppressions} addresses",
    )
    for path, count in redacted:
        say(f"redacted {path} ({count} removed)")
    for path in still_mentioned:
        say(f"still mentions them (ingested from outside the drop folder, not changed): {path}")


@app.command("today")
def today(
    draft: Annotated[
        bool, typer.Option("--draft", help="Draft a check-in email into the outbox for each.")
    ] = False,
    on: Annotated[str, typer.Option("--on", help="Pretend today is YYYY-MM-DD.")] = "",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Who to reach out to today, why, and the last interaction with them."""
    day = parse_date(on, "--on") or dt.date.today()
    cfg = load_config(config)  # a bad --config fails now, not only when drafting
    with session_scope(db, must_exist=True) as session:
        reminders = keepintouch.due_reminders(session, day)
        with_cadence, in_sequence = keepintouch.cadence_counts(session)
    if not reminders:
        out.print(
            f"nobody to reach out to on {day.isoformat()}: {with_cadence} contacts have a "
            f"keep-in-touch cadence, {in_sequence} of them still have a message pending "
            "(set one with `followup contacts keep-in-touch ID --every 90d`)",
        )
        return
    table = Table(title=f"{len(reminders)} to keep in touch with on {day.isoformat()}")
    for column in ("id", "who", "email", "why", "last interaction", "due since"):
        table.add_column(column)
    for r in reminders:
        last = f"{r.last.at.date()} {r.last.detail}" if r.last else "(none)"
        table.add_row(str(r.contact_id), r.name, r.email, r.why, last, r.due_on.isoformat())
    out.print(table)
    if draft and reminders:
        messages = keepintouch.draft_due(cfg, day, db)
        count = Counter(m.state for m in messages)
        other = f"{count['blocked']} blocked"
        if count["skipped"]:
            other += f", {count['skipped']} skipped; see `followup outbox list`"
        err.print(f"drafted {count['drafted']} check-ins into the outbox ({other})")
