"""The post-event flows: one event by hand, and the daily run over registered events.

`post-event` ingests an event's files (or a folder with `event.toml`), matches them into
contacts and stages first drafts. `post-event-daily` runs it for every registered event
that has ended and whose folder holds files not ingested yet.

Each task is a thin wrapper over a plain function; tasks pass paths, names and small
result records (never sessions or DataFrames), so results pickle cleanly. Only the I/O
tasks retry (a file share or database that hiccups); bad input never does: a
`FollowupError` is a result, not an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import State

from contacts.errors import FollowupError, InputError, StoreError
from contacts.events import ensure_event
from contacts.locks import named_lock
from contacts.match import MatchResult, match_pending
from contacts.store import resolve_url, session_scope
from flows.summary import FileRow, RunSummary, publish, publish_funnel
from ingest.dropfolder import LOCK_WAIT_SECONDS, ingest_lock
from ingest.eventfolder import read_event_folder, record_event
from ingest.pipeline import IngestResult, ingest_file, load_roster
from ingest.registered import DueEvent, due_events, with_registration
from outreach.config import load_config
from outreach.planner import PlanResult, plan_event
from outreach.report import FunnelRow, funnel

IO_RETRIES, IO_RETRY_DELAY = 2, 5  # only tasks that read files or the store retry


def retry_on_io(task: object, task_run: object, state: State) -> bool:
    """Retry a failed task unless it failed on bad input (a `FollowupError`: retrying the
    same file or configuration cannot help); a file share or database hiccup is retried."""
    try:
        state.result()
    except FollowupError:
        return False
    except Exception:  # noqa: BLE001
        return True
    return True


@dataclass
class PostEventResult:
    event: str
    files: list[IngestResult] = field(default_factory=list)
    match: MatchResult = field(default_factory=MatchResult)
    plan: PlanResult = field(default_factory=PlanResult)

    @property
    def failed(self) -> list[IngestResult]:
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> RunSummary:
        return RunSummary(
            title=f"post-event: {self.event}",
            files=[
                FileRow(f.file, f.event, f.status, f.read, f.accepted, f.quarantined)
                for f in self.files
            ],
            match=self.match,
            plan=self.plan,
            failures=[reason for f in self.failed for _, reason in f.problems] + self.plan.problems,
        )


# Tasks that read files or the store: retried on I/O faults, never on bad input.
io_task = task(
    cache_policy=NO_CACHE,
    retries=IO_RETRIES,
    retry_delay_seconds=IO_RETRY_DELAY,
    retry_condition_fn=retry_on_io,
)


@contextmanager
def _sqlite_takes_turns(db: str | None) -> Iterator[None]:
    """SQLite has one writer at a time, and an ingest writes for as long as it reads its
    file: ingests into one SQLite file take turns on a lock rather than wait out the busy
    timeout and fail with "database is locked". On PostgreSQL they run side by side."""
    if sa.make_url(resolve_url(db)).get_backend_name() != "sqlite":
        yield
        return
    with named_lock("sqlite-ingest", db, timeout=LOCK_WAIT_SECONDS) as mine:
        if not mine:
            raise StoreError(
                f"another ingest kept the SQLite store busy for {LOCK_WAIT_SECONDS:.0f} s; "
                "try again later, or use PostgreSQL (FOLLOWUP_DB) for parallel ingests"
            )
        yield


def default_region(config_path: str | None) -> str:
    """followup.toml's `[defaults] region`: phones without +country when no other region."""
    return load_config(config_path).phone_region


@io_task
def ingest_task(
    path: str,
    event: str,
    date: dt.date | None,
    region: str,
    db: str | None,
    roster: str = "",
    column_map: dict[str, str] | None = None,
    fallback_region: str = "",
) -> IngestResult:
    try:
        attendees = load_roster(roster) if roster else None
        with _sqlite_takes_turns(db):
            return ingest_file(
                path,
                event,
                date=date,
                region=region,
                url=db,
                overrides=column_map,
                roster=attendees,
                strict_map=False,  # a folder's map may fit only some of its files
                default_region=fallback_region,
            )
    except FollowupError as exc:
        # One bad file never stops the others; the summary reports it.
        return IngestResult(
            file=path.rsplit("/", 1)[-1], status="failed", event=event, problems=[(0, str(exc))]
        )


@io_task
def event_task(event: str, date: dt.date | None, region: str, db: str | None) -> None:
    with session_scope(db) as session:
        ensure_event(session, event, date=date, region=region)


def _file_result(future: PrefectFuture[IngestResult], path: str, event: str) -> IngestResult:
    """The file's result once its task is done; a task that failed even after its retries
    is that file's failure, not the run's (the other files are already on their way)."""
    future.wait()
    state = future.state
    if state.is_completed():
        return future.result()
    return IngestResult(
        file=path.rsplit("/", 1)[-1],
        status="failed",
        event=event,
        problems=[
            (0, f"{path}: ingest failed after {IO_RETRIES} retries ({state.message}); run it again")
        ],
    )


@task(cache_policy=NO_CACHE)
def match_task(db: str | None) -> MatchResult:
    return match_pending(db)


@io_task
def plan_task(event: str, db: str | None, config_path: str | None, sequence: str) -> PlanResult:
    return plan_event(event, load_config(config_path), url=db, sequence_name=sequence)


@flow(name="post-event")
def post_event(
    event: str = "",
    files: list[str] | None = None,
    folder: str | None = None,
    date: dt.date | None = None,
    region: str = "",
    sequence: str = "",
    roster: str = "",
    column_map: dict[str, str] | None = None,
    db: str | None = None,
    config_path: str | None = None,
) -> PostEventResult:
    """Ingest an event's export files, match them into contacts and stage first drafts.

    Give `files`, or a `folder` (its `event.toml` supplies name, date, region, sequence and
    roster unless given here; its sequence is recorded on the event, so `[events.<slug>]
    sequence` in followup.toml still comes first, as for `outbox plan`). `roster`: the
    organiser's attendee list, to resolve badge IDs.
    `column_map`: column name -> field, as `--map` (added to `event.toml`'s `map`; wins).
    """
    logger = get_run_logger()
    info = with_registration(read_event_folder(folder), db) if folder else None
    if info is not None:
        event, date = event or info.name, date or info.date
        region = region or info.region
        if info.name != event:  # event.toml is not recorded on this event: pass it along
            sequence = sequence or info.sequence
        roster = roster or info.roster
        column_map = {**info.map, **(column_map or {})}
        files = files or [str(p) for p in info.files]
    if not event or not files:
        raise InputError("post-event needs an event name and files (or a folder holding them)")
    result = PostEventResult(event=event)
    with ingest_lock(db):
        if info is not None and info.name == event:
            record_event(info, db)  # keeps event.toml's time zone and sequence
        if len(files) > 1:  # files are ingested side by side: none may race to create it
            event_task(event, date, region, db)
        # Submitted, not called: the flow's task runner (threads, or a Dask cluster) spreads
        # the files; results are gathered in the order the files were given.
        fallback = default_region(config_path)
        futures = [
            (p, ingest_task.submit(p, event, date, region, db, roster, column_map, fallback))
            for p in files
        ]
        result.files = [_file_result(future, path, event) for path, future in futures]
        result.match = match_task(db)
    if len(result.failed) < len(files):  # the event exists once any file was read
        result.plan = plan_task(event, db, config_path, sequence)
    summary = result.summary()
    logger.info("%s: %s", summary.title, summary.totals())
    publish(summary, "post-event-summary")
    publish_funnel(funnel_task(db), "post-event-funnel", summary.title)
    return result


@io_task
def funnel_task(db: str | None) -> list[FunnelRow]:
    return funnel(db)


@io_task
def due_events_task(db: str | None) -> list[DueEvent]:
    return due_events(db)


@flow(name="post-event-daily")
def post_event_daily(db: str | None = None, config_path: str | None = None) -> list[str]:
    """Run `post-event` for every registered event that has ended and has new files.

    Returns the slugs of the events it ran; each run publishes its own summary artifact.
    """
    logger = get_run_logger()
    done: list[str] = []
    due = due_events_task(db)
    if not due:
        logger.info("no registered event has ended with new files; nothing to do")
    summary = RunSummary(title="post-event-daily")
    for item in due:
        logger.info("%s: %d new file(s) in %s", item.slug, len(item.files), item.folder)
        state = post_event(
            event=item.name,
            files=item.files,
            sequence=item.sequence,
            roster=item.roster,
            db=db,
            config_path=config_path,
            return_state=True,
        )
        if state.is_completed():
            done.append(item.slug)
            summary.notes.append(f"{item.slug}: {len(item.files)} new file(s) processed")
        else:  # one event's failure never stops the others
            summary.failures.append(f"{item.slug}: {state.message}")
            logger.error("%s: post-event failed: %s", item.slug, state.message)
    publish(summary, "post-event-daily-summary")
    return done
