"""`followup serve`: every deployment, served from one long-running process.

`SCHEDULED` maps a `[schedules]` key to its flow; adding a scheduled flow is one line
there (and a default cron in `flows.schedules.DEFAULTS`). `MANUAL` lists flows served
without a schedule, to be triggered from the UI or `prefect deployment run`.

The database is not a parameter: every run reads `FOLLOWUP_DB` from the environment of
the serving process (or worker), so no credentials end up in Prefect.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment

from flows.dropfolder import drop_folder
from flows.outreach_flows import plan_followups, send_due
from flows.post_event import post_event, post_event_daily
from flows.schedules import load_schedules
from flows.sync import sync_replies
from outreach.config import Config, load_config

SCHEDULED_NAME = "scheduled"
MANUAL_NAME = "manual"

SCHEDULED: dict[str, Flow[..., Any]] = {
    "drop_folder": drop_folder,
    "post_event_daily": post_event_daily,
    "plan_followups": plan_followups,
    "send_due": send_due,
    "sync_replies": sync_replies,
}
MANUAL: tuple[Flow[..., Any], ...] = (post_event,)


def _base_parameters(flow: Flow[..., Any], config_path: Path | None) -> dict[str, Any]:
    accepted = inspect.signature(flow.fn).parameters
    params: dict[str, Any] = {}
    if config_path is not None and "config_path" in accepted:
        params["config_path"] = str(config_path.resolve())
    return params


def build_deployments(
    config_file: str | None = None, inbox: str | None = None
) -> list[RunnerDeployment]:
    """The deployments `followup serve` serves, built but not started (tests check them).

    Paths (config, inbox) are made absolute, so runs work whatever the worker's folder.
    """
    config = load_config(config_file)
    specs = load_schedules(config)
    deployments: list[RunnerDeployment] = []
    for key, flow in SCHEDULED.items():
        spec = specs[key]
        if key == "sync_replies" and not mailbox_set(config):
            # no mailbox to read: the run would fail every 15 minutes; served, run by hand
            spec = replace(spec, active=False)
        params = _base_parameters(flow, config.path) | spec.parameters
        if "inbox" in inspect.signature(flow.fn).parameters:
            chosen = inbox or params.get("inbox") or "data/inbox"
            params["inbox"] = str(Path(chosen).resolve())
        deployment = flow.to_deployment(
            name=SCHEDULED_NAME,
            schedule=spec.schedule(),
            parameters=params,
            description=f"{flow.name}: [schedules] {key} = {spec.cron} ({spec.timezone})",
        )
        deployments.append(cast(RunnerDeployment, deployment))
    for flow in MANUAL:
        deployment = flow.to_deployment(
            name=MANUAL_NAME, parameters=_base_parameters(flow, config.path)
        )
        deployments.append(cast(RunnerDeployment, deployment))
    return deployments


def mailbox_set(config: Config) -> bool:
    """True when an IMAP host is configured (sync-replies has a mailbox to read)."""
    return bool(str(config.get("imap.host")).strip())


def describe_schedule(deployment: RunnerDeployment) -> str:
    """'*/5 * * * * (America/New_York)', or 'by hand' for a deployment without a schedule."""
    parts = []
    for item in deployment.schedules or []:
        cron, tz = getattr(item.schedule, "cron", None), getattr(item.schedule, "timezone", "")
        if cron:
            parts.append(f"{cron} ({tz})" + ("" if item.active else " inactive"))
    return ", ".join(parts) or "by hand"


def serve_all(deployments: list[RunnerDeployment], limit: int = 4) -> None:
    """Serve the deployments until interrupted (blocks; Ctrl-C stops it)."""
    serve(*deployments, limit=limit)
