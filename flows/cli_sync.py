"""`followup outbox sync`: read the mailbox once for replies and bounces."""

from __future__ import annotations

from flows.cliapp import ConfigOption, DbOption, out, outbox_app
from outreach.config import load_config


@outbox_app.command("sync")
def outbox_sync(db: DbOption = None, config: ConfigOption = None) -> None:
    """Read new mail (IMAP): replies stop sequences, out-of-office pauses, bounces suppress."""
    from outreach.sync import sync_mailbox

    result = sync_mailbox(load_config(config), url=db)
    out.print(result.summary())
