"""The `drop-folder` flow: one pass over `<inbox>/<event-slug>/` (see `ingest.dropfolder`).

The pass holds the store's ingest lock, so overlapping passes (a schedule plus a
`followup watch --once` by hand, or two workers) never ingest a file twice: the second
one finds the lock taken and skips. Each file is its own task and never raises for bad
input, so a failing file never blocks the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from contacts.errors import printable
from contacts.locks import named_lock
from flows.post_event import default_region, io_task, match_task, plan_task
from flows.summary import FileRow, RunSummary, publish
from ingest.dropfolder import LOCK_NAME, FileOutcome, PassResult, process_file, scan_inbox
from outreach.planner import PlanResult

DEFAULT_INBOX = "data/inbox"


@dataclass
class DropFolderRun:
    """A pass plus the drafts planned for the events that got new files."""

    result: PassResult
    plans: dict[str, PlanResult] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def summary(self, inbox: str) -> RunSummary:
        summary = RunSummary(title=f"drop-folder: {inbox}", match=self.result.match)
        for f in self.result.files:
            summary.files.append(
                FileRow(f.file, f.event, f.status, f.records, f.accepted, f.quarantined, f.error)
            )
            if f.status in ("failed", "retry"):
                summary.failures.append(f"{f.file}: {f.error}")
        for plan in self.plans.values():
            summary.plan.enrolled += plan.enrolled
            summary.plan.drafted += plan.drafted
            summary.plan.blocked += plan.blocked
            summary.plan.still_blocked += plan.still_blocked
            summary.failures += plan.problems
        summary.failures += self.failures
        if not self.result.locked:
            summary.notes.append("another pass held the ingest lock; this pass did nothing")
        return summary


@io_task
def scan_task(inbox: str) -> list[str]:
    return scan_inbox(inbox)


@task(cache_policy=NO_CACHE)
def file_task(
    inbox: str, rel: str, db: str | None, settle: float, max_wait: float, default_region: str = ""
) -> FileOutcome:
    # No retries: process_file never raises; a transient fault is a "retry" outcome and
    # the file simply stays in the inbox for the next scheduled pass.
    return process_file(inbox, rel, db, settle, max_wait, default_region)


@flow(name="drop-folder")
def drop_folder(
    inbox: str = DEFAULT_INBOX,
    db: str | None = None,
    config_path: str | None = None,
    settle_seconds: float = 2.0,
    max_wait_seconds: float = 30.0,
    lock_wait_seconds: float = 0.0,
) -> DropFolderRun:
    """Ingest every new file under `<inbox>/<event-slug>/`, then match and plan drafts.

    Ingested files move to `processed/<event-slug>/` beside the inbox; files that cannot be
    read move to `failed/<event-slug>/` with a `.error.txt` saying what to fix.
    """
    logger = get_run_logger()
    run = DropFolderRun(result=PassResult(locked=False))
    with named_lock(LOCK_NAME, db, lock_wait_seconds) as mine:
        if mine:
            run.result.locked = True
            region = default_region(config_path)
            for rel in scan_task(inbox):
                outcome = file_task(inbox, rel, db, settle_seconds, max_wait_seconds, region)
                logger.info("%s: %s %s", printable(outcome.file), outcome.status, outcome.error)
                run.result.files.append(outcome)
            run.result.match = match_task(db)
        else:
            logger.warning("another drop-folder pass holds the ingest lock; skipping this pass")
    # event.toml's sequence is recorded on the event: the planner weighs it after
    # [events.<slug>] in followup.toml, as everywhere
    events = {f.event for f in run.result.files if f.status == "ingested"}
    for event in sorted(events):
        state = plan_task(event, db, config_path, "", return_state=True)
        if state.is_completed():
            run.plans[event] = state.result()
        else:  # e.g. an unknown sequence in event.toml: the files are in; drafts wait
            run.failures.append(f"{event}: drafts not planned: {state.message}")
    summary = run.summary(inbox)
    logger.info("%s: %s", summary.title, summary.totals())
    publish(summary, "drop-folder-summary")
    return run
