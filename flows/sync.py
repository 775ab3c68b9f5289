"""The `sync-replies` flow: read the mailbox for replies and bounces, on a schedule.

`followup serve` serves `deployment()` (every 15 minutes by default); `followup outbox
sync` runs the same plain function once, without Prefect.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.schedules import Cron

from contacts.errors import MailboxError
from outreach.config import load_config
from outreach.sync import SyncResult, sync_mailbox

EVERY_15_MINUTES = "*/15 * * * *"


def _worth_retrying(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a network failure; a refused login or a bad setting fails at once."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, MailboxError) and error.transient


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=60, retry_condition_fn=_worth_retrying)
def sync_task(db: str | None, config_path: str | None) -> SyncResult:
    return sync_mailbox(load_config(config_path), url=db)


@flow(name="sync-replies")
def sync_replies(db: str | None = None, config_path: str | None = None) -> SyncResult:
    """Read new mail; replies stop sequences, out-of-office pauses them, bounces suppress."""
    result = sync_task(db, config_path)
    create_markdown_artifact(
        key="sync-replies", markdown=result.summary(), description="mailbox sync"
    )
    return result


def deployment(
    name: str = "sync-replies", cron: str = EVERY_15_MINUTES, timezone: str | None = None
) -> Any:
    """The deployment `followup serve` runs: `sync_replies` every 15 minutes by default.

    The schedule's time zone is the sender's (`defaults.timezone`) unless given.
    """
    zone = timezone or str(load_config().get("defaults.timezone") or "UTC")
    return sync_replies.to_deployment(name=name, schedule=Cron(cron, timezone=zone))
