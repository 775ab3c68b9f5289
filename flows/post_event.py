"""The post-event flow: ingest files -> normalize -> match -> stage drafts.

Each task is a thin wrapper over a plain function; tasks pass paths, names and small
result records (never sessions or DataFrames), so results pickle cleanly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from contacts.errors import FollowupError
from contacts.match import MatchResult, match_pending
from ingest.pipeline import IngestResult, ingest_file
from outreach.config import load_config
from outreach.planner import PlanResult, plan_event


@dataclass
class RunSummary:
    event: str
    files: list[IngestResult] = field(default_factory=list)
    match: MatchResult = field(default_factory=MatchResult)
    plan: PlanResult = field(default_factory=PlanResult)

    @property
    def failed(self) -> list[IngestResult]:
        return [f for f in self.files if f.status == "failed"]


@task(cache_policy=NO_CACHE)
def ingest_task(
    path: str, event: str, date: dt.date | None, region: str, db: str | None
) -> IngestResult:
    try:
        return ingest_file(path, event, date=date, region=region, url=db)
    except FollowupError as exc:
        # One bad file never stops the others; the summary reports it.
        return IngestResult(
            file=path.rsplit("/", 1)[-1], status="failed", event=event, problems=[(0, str(exc))]
        )


@task(cache_policy=NO_CACHE)
def match_task(db: str | None) -> MatchResult:
    return match_pending(db)


@task(cache_policy=NO_CACHE)
def plan_task(event: str, db: str | None, config_path: str | None, sequence: str) -> PlanResult:
    return plan_event(event, load_config(config_path), url=db, sequence_name=sequence)


def publish_summary(summary: RunSummary) -> None:
    """A table artifact so the Prefect UI shows what the run did."""
    rows = [
        {
            "file": f.file,
            "status": f.status,
            "records": f.read,
            "accepted": f.accepted,
            "quarantined": f.quarantined,
        }
        for f in summary.files
    ]
    rows.append(
        {
            "file": "contacts",
            "status": f"{summary.match.new_contacts} new, {summary.match.matched} matched",
            "records": summary.match.sightings,
            "accepted": summary.plan.drafted,
            "quarantined": summary.plan.blocked,
        }
    )
    create_table_artifact(
        key="post-event-summary", table=rows, description=f"post_event for {summary.event}"
    )


@flow(name="post-event")
def post_event(
    event: str,
    files: list[str],
    date: dt.date | None = None,
    region: str = "",
    sequence: str = "",
    db: str | None = None,
    config_path: str | None = None,
) -> RunSummary:
    """Ingest an event's export files, match them into contacts and stage first drafts."""
    summary = RunSummary(event=event)
    for path in files:
        summary.files.append(ingest_task(path, event, date, region, db))
    summary.match = match_task(db)
    if len(summary.failed) < len(files):  # the event exists once any file was read
        summary.plan = plan_task(event, db, config_path, sequence)
    publish_summary(summary)
    return summary
