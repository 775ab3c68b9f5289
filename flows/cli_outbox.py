"""`followup outbox`: plan, review and send follow-up emails."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import typer
from rich.table import Table

from contacts.model import Message
from contacts.store import session_scope
from flows.cliapp import ConfigOption, DbOption, out, outbox_app
from outreach.config import load_config


@outbox_app.command("plan")
def outbox_plan(
    event: Annotated[str, typer.Option("--event", help="Event whose contacts to plan.")],
    sequence: Annotated[str, typer.Option(help="Sequence (default: the event's).")] = "",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Enroll an event's contacts and stage their due drafts."""
    from outreach.planner import plan_event

    result = plan_event(event, load_config(config), url=db, sequence_name=sequence)
    out.print(
        f"enrolled {result.enrolled}, drafted {result.drafted}, blocked {result.blocked}, "
        f"without email {result.no_email}"
    )


@outbox_app.command("list")
def outbox_list(db: DbOption = None) -> None:
    """List messages in the outbox with their state and due date."""
    with session_scope(db) as session:
        messages = session.scalars(sa.select(Message).order_by(Message.due_at, Message.id)).all()
        table = Table(title=f"{len(messages)} messages")
        for column in ("id", "to", "stage", "state", "due", "subject / reason"):
            table.add_column(column)
        for m in messages:
            table.add_row(
                str(m.id),
                m.to_addr,
                m.stage,
                m.state,
                m.due_at.strftime("%Y-%m-%d %H:%M") if m.due_at else "",
                m.subject if m.state != "blocked" else m.reason,
            )
    out.print(table)
