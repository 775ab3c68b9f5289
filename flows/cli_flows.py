"""`followup watch`, `followup serve` and `followup events add|list`: running it with Prefect.

Prefect is imported inside the commands, so the rest of the CLI starts quickly.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from contacts.checks import check_event_name, check_region, check_timezone
from contacts.errors import printable
from contacts.events import list_events, parse_date, register_event
from contacts.store import engine_for, session_scope
from flows.cliapp import ConfigOption, DbOption, app, err, out, say, say_error
from outreach.config import load_config
from outreach.sequences import get_sequence

events_app = typer.Typer(help="Register events ahead and list them.", no_args_is_help=True)
app.add_typer(events_app, name="events")

InboxOption = Annotated[
    Path,
    typer.Option(help="Drop folder with one sub-folder per event; processed/ and failed/ beside."),
]


@app.command()
def watch(
    once: Annotated[bool, typer.Option("--once", help="Run one pass, then exit.")] = False,
    inbox: InboxOption = Path("data/inbox"),
    interval: Annotated[
        int, typer.Option(help="Seconds between passes when not --once.", min=1)
    ] = 300,
    settle: Annotated[
        float, typer.Option(help="Seconds a file must stop growing before it is read.")
    ] = 2.0,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Ingest new files dropped into INBOX/<event>/ (the drop-folder flow), once or forever."""
    from flows.dropfolder import drop_folder

    load_config(config)  # fail fast on a bad configuration, before Prefect starts
    engine_for(db)  # and on a database that cannot be opened
    if not inbox.is_dir():
        say_error(f"{inbox}: the inbox folder does not exist; create it or pass --inbox DIR")
        raise typer.Exit(2)
    while True:
        run = drop_folder(
            inbox=str(inbox), db=db, config_path=config, settle_seconds=settle, lock_wait_seconds=0
        )
        failed = _print_pass(run)
        if once:
            if failed:
                raise typer.Exit(1)
            return
        time.sleep(interval)


def _print_pass(run) -> bool:  # type: ignore[no-untyped-def]
    """Print one pass; True when a file failed or must be retried."""
    if not run.result.locked:
        out.print("another drop-folder pass holds the ingest lock; this pass did nothing")
        return False
    # One plain line per file (no table): long paths stay whole and greppable.
    for f in run.result.files:
        moved = "/".join(Path(f.moved_to).parts[-3:]) if f.moved_to else "left in the inbox"
        say(f"{f.file}: {f.status}, {f.records} records, {f.quarantined} quarantined -> {moved}")
    if not run.result.files:
        out.print("no new files")
    for f in run.result.files:
        if f.error and f.status == "waiting":  # normal: the next pass takes it
            err.print(printable(f"note: {f.file}: {f.error}"))
        elif f.error and f.status in ("failed", "retry"):
            say_error(f"{f.file}: {f.error}" if f.status != "failed" else f.error)
    for reason in run.failures:
        say_error(reason)
    summary = run.summary("")
    totals = summary.totals()
    out.print(
        f"contacts: {totals['new contacts']} new, {totals['matched contacts']} matched; "
        f"drafts: {totals['drafts']}"
    )
    return bool(totals["failures"])


@app.command("serve")
def serve_command(
    inbox: Annotated[
        Path | None,
        typer.Option(help="Drop folder (default: [schedules] drop_folder parameters, data/inbox)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="Flow runs at most at once.", min=1)] = 4,
    config: ConfigOption = None,
) -> None:
    """Serve every deployment on its [schedules] cron until Ctrl-C (Prefect UI: PREFECT_API_URL)."""
    from flows.serve import build_deployments, describe_schedule, mailbox_set, serve_all

    deployments = build_deployments(config, str(inbox) if inbox else None)
    for d in deployments:  # plain lines: paths stay whole at any terminal width
        out.print(f"{d.flow_name}/{d.name}: {describe_schedule(d)}; parameters {d.parameters}")
    if not mailbox_set(load_config(config)):
        err.print(
            "note: sync-replies is served inactive: no mailbox is set (imap.host or "
            "FOLLOWUP_IMAP_HOST); set it and restart `followup serve` to read replies"
        )
    serve_all(deployments, limit=limit)


@events_app.command("add")
def events_add(
    name: Annotated[str, typer.Argument(help="Event name, e.g. 'Spring Career Fair 2026'.")],
    date: Annotated[str, typer.Option("--date", help="Event date, YYYY-MM-DD.")],
    folder: Annotated[Path, typer.Option("--folder", help="Folder its exports will be put in.")],
    sequence: Annotated[str, typer.Option(help="Sequence (default: from followup.toml).")] = "",
    region: Annotated[str, typer.Option(help="Country code for phone numbers without +.")] = "",
    timezone: Annotated[str, typer.Option(help="Time zone of the event, e.g. Europe/Berlin.")] = "",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Register an event ahead: the daily run processes its folder the day after it ends."""
    name = check_event_name(name, "NAME")
    when = parse_date(date)
    assert when is not None
    region = check_region(region)
    timezone = check_timezone(timezone)
    cfg = load_config(config)  # a bad configuration fails now, whether used or not
    if sequence:
        get_sequence(cfg, sequence)  # an unknown sequence fails now
    with session_scope(db) as session:
        event, new = register_event(
            session, name, when, str(folder.resolve()), sequence, region, timezone
        )
        slug, stored_folder = event.slug, event.folder
    out.print(f"{'registered' if new else 'updated'} {slug}: {when}, folder {stored_folder}")
    if not folder.is_dir():
        out.print(f"note: {folder} does not exist yet; put the event's exports there")


@events_app.command("list")
def events_list(db: DbOption = None) -> None:
    """List events by date: registered ahead or created by an ingest."""
    with session_scope(db, must_exist=True) as session:
        rows = [
            (e.slug, e.name, str(e.date or ""), e.sequence, e.folder) for e in list_events(session)
        ]
    if not rows:
        out.print("no events yet; register one with `followup events add NAME --date --folder`")
        return
    for slug, name, date, sequence, folder in rows:
        line = f"{date or '(no date)'}  {slug}  {name!r}  sequence={sequence or '(default)'}"
        out.print(f"{line}  folder={folder or '(none)'}")
