"""`followup outbox`: plan, review, approve and send follow-up emails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.table import Table

from contacts.errors import (
    ConfigError,
    InputError,
    RenderError,
    SendError,
    not_utf8,
    printable,
)
from contacts.model import MAX_ID
from contacts.store import session_scope
from flows.cliapp import ConfigOption, DbOption, err, out, outbox_app, say_error
from outreach import outbox
from outreach.compose import attachment_problem
from outreach.config import load_config

EventOption = Annotated[str, typer.Option("--event", help="Only this event's messages.")]


@outbox_app.command("plan")
def outbox_plan(
    event: EventOption = "",
    sequence: Annotated[
        str, typer.Option(help="Sequence for --event (default: the event's).")
    ] = "",
    all_stages: Annotated[
        bool,
        typer.Option(
            "--all-stages", help="Draft every remaining stage now, to review the whole sequence."
        ),
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Stage due drafts: enroll --event's contacts, or advance every enrolled contact."""
    from outreach.planner import plan_due, plan_event

    cfg = load_config(config)
    if event:
        result = plan_event(event, cfg, url=db, sequence_name=sequence, all_stages=all_stages)
    elif sequence:
        raise InputError("--sequence needs --event (the event to enroll in that sequence)")
    else:
        result = plan_due(cfg, url=db, all_stages=all_stages)
    out.print(
        f"enrolled {result.enrolled}, already enrolled {result.already_enrolled}, "
        f"drafted {result.drafted}, blocked {result.blocked}, "
        f"still blocked {result.still_blocked}, skipped {result.skipped}, "
        f"stopped {result.stopped}, suppressed {result.suppressed}, "
        f"in another event's sequence {result.superseded}, without email {result.no_email}"
    )
    for problem in result.problems:  # the rest was planned; these wait for the fix
        say_error(problem)
    if result.problems:
        raise typer.Exit(ConfigError.exit_code)


@outbox_app.command("list")
def outbox_list(
    state: Annotated[str, typer.Option(help="Only messages in this state.")] = "",
    event: EventOption = "",
    db: DbOption = None,
) -> None:
    """List messages with their state, due time and subject (or why they are blocked)."""
    if state and state not in MESSAGE_STATES:
        raise InputError(f"--state {state!r}: use one of {', '.join(MESSAGE_STATES)}")
    with session_scope(db, must_exist=True) as session:
        rows = outbox.messages(session, state, event)
        table = Table(title=f"{len(rows)} messages")
        for column in ("id", "to", "from", "stage", "state", "due (UTC)", "subject / reason"):
            table.add_column(column)
        for m in rows:
            table.add_row(
                str(m.id),
                m.to_addr,
                m.from_addr,
                f"{m.stage_index + 1}. {m.stage}",
                m.state,
                m.due_at.strftime("%Y-%m-%d %H:%M") if m.due_at else "",
                m.reason if m.state in ("blocked", "skipped", "cancelled", "failed") else m.subject,
            )
    out.print(table)


def _local_due(due_utc: dt.datetime, zone_name: str) -> str:
    """'2026-03-13 09:00 EDT (13:00 UTC, recipient's zone America/New_York)'."""
    try:
        local = due_utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone_name or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return f"{due_utc:%Y-%m-%d %H:%M} UTC (recipient's zone {zone_name})"
    return f"{local:%Y-%m-%d %H:%M %Z} ({due_utc:%H:%M} UTC, recipient's zone {zone_name or 'UTC'})"


MESSAGE_STATES = (
    "planned", "drafted", "approved", "sending", "sent",
    "blocked", "skipped", "cancelled", "failed",
)  # fmt: skip
MessageIdArg = Annotated[
    int, typer.Argument(help="Message id (from `outbox list`).", min=1, max=MAX_ID)
]


@outbox_app.command("show")
def outbox_show(
    message_id: MessageIdArg,
    body: Annotated[
        bool, typer.Option("--body", help="Only the plain-text body (to edit it in a file).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Show one message in full: headers, state, reason and the plain-text body."""
    with session_scope(db, must_exist=True) as session:
        m = outbox.get_message(session, message_id)
        if body:
            out.print(m.body_text, end="")
            return
        lines = [
            f"Message {m.id}: {m.enrollment.sequence} stage {m.stage_index + 1} ({m.stage})",
            f"State: {m.state}" + (f" ({m.reason})" if m.reason else ""),
            f"Due: {_local_due(m.due_at, m.timezone)}" if m.due_at else "Due: -",
            f"From: {m.from_name} <{m.from_addr}>",
            f"To: {m.to_name} <{m.to_addr}>",
            f"Subject: {m.subject}",
            f"Message-ID: {m.message_id}",
        ]
        for name in m.attachments or []:
            # What is still to go out names an attachment that has gone since planning.
            gone = attachment_problem(name) if m.state not in ("sent", "cancelled") else ""
            missing = f" (MISSING: {gone})" if gone else ""
            lines.append(printable(f"Attachment: {Path(name).name}{missing}"))
        lines += ["", m.body_text]
    out.print("\n".join(lines))


@outbox_app.command("preview")
def outbox_preview(
    message_id: Annotated[int | None, typer.Argument(help="One message id.")] = None,
    event: EventOption = "",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write .eml files (open them in a mail client) for drafts and approved messages."""
    cfg = load_config(config)
    with session_scope(db, must_exist=True) as session:
        chosen = (
            [outbox.get_message(session, message_id)]
            if message_id is not None
            else outbox.messages(session, "", event)
        )
        paths, problems = outbox.preview(session, cfg, chosen)
    for path in paths:
        out.print(str(path))
    for problem_id, problem in problems:
        err.print(f"message {problem_id} not previewed: {problem}")
    err.print(f"wrote {len(paths)} .eml files")
    if problems:
        raise typer.Exit(RenderError.exit_code)


@outbox_app.command("edit")
def outbox_edit(
    message_id: MessageIdArg,
    subject: Annotated[str | None, typer.Option(help="New subject line.")] = None,
    body_file: Annotated[
        Path | None, typer.Option(help="File with the new plain-text body (keep the footer).")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Override the subject and/or body of one draft (it must be approved again)."""
    if subject is None and body_file is None:
        raise InputError("nothing to change: give --subject and/or --body-file")
    text = None
    if body_file is not None:
        try:
            text = body_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{body_file}: cannot read it ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"{not_utf8(body_file, exc)} and edit again") from exc
    with session_scope(db, must_exist=True) as session:
        message = outbox.edit(session, load_config(config), message_id, subject, text)
        out.print(f"message {message.id} edited; approve it again to send it")


@outbox_app.command("approve")
def outbox_approve(
    message_id: Annotated[int | None, typer.Argument(help="One draft's id.")] = None,
    event: EventOption = "",
    all_: Annotated[bool, typer.Option("--all", help="Approve every draft.")] = False,
    resend: Annotated[
        bool, typer.Option(help="Re-approve a failed message (check it did not go out).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Approve drafts for sending: one (ID), one event's (--event) or all (--all)."""
    with session_scope(db, must_exist=True) as session:
        count = outbox.approve(session, message_id, event, all_, resend)
    out.print(f"approved {count}")


@outbox_app.command("send")
def outbox_send(
    send: Annotated[
        bool, typer.Option("--send", help="Really send (default: dry run, .eml files only).")
    ] = False,
    ignore_window: Annotated[
        bool,
        typer.Option(
            "--ignore-window",
            help="Send what is due now even outside the send window (caps and stop rules hold).",
        ),
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Send approved messages whose time has come (a dry run unless --send)."""
    from outreach.sending import problem_lines, send_due

    result = send_due(load_config(config), url=db, send=send, ignore_window=ignore_window)
    for path in result.files:
        out.print(path)
    verb = "sent" if send else "dry run (not sent), .eml written"
    out.print(
        f"{verb}: {result.sent if send else result.dry_run}; failed {result.failed}, "
        f"deferred {result.deferred}, waiting {result.waiting}, not due yet {result.not_due}, "
        f"over the daily cap {result.capped}, cancelled {result.cancelled}, "
        f"reconciled {result.reconciled}"
    )
    problems = problem_lines(result)
    # Nothing could be delivered (the server is unreachable): the deferral is the error.
    fatal = problems.pop() if result.unreachable else ""
    for line in problems:
        err.print(line)
    if fatal:
        raise SendError(f"nothing sent: {fatal}")
