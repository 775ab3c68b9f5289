"""The outreach flows: `plan-followups` stages later stages as they fall due, and
`send-due` sends approved messages whose time has come.

Both are thin wrappers over `outreach.planner.plan_due` and `outreach.sending.send_due`.
Sending does its own retries with backoff for transient SMTP errors (and at-most-once
bookkeeping), so its task is not retried by Prefect: a retry could only re-do what the
mailer already decided. Planning reads and writes the store only, and retries on I/O.
`send-due` publishes the per-event funnel beside its summary, so the UI shows what the
sends did to each event's numbers.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.post_event import IO_RETRIES, IO_RETRY_DELAY, funnel_task, retry_on_io
from flows.summary import RunSummary, publish, publish_funnel
from outreach.config import load_config
from outreach.planner import PlanResult, plan_due
from outreach.sending import SendResult, problem_lines
from outreach.sending import send_due as send_due_now


@task(
    cache_policy=NO_CACHE,
    retries=IO_RETRIES,
    retry_delay_seconds=IO_RETRY_DELAY,
    retry_condition_fn=retry_on_io,
)
def plan_due_task(db: str | None, config_path: str | None, all_stages: bool) -> PlanResult:
    return plan_due(load_config(config_path), url=db, all_stages=all_stages)


@task(cache_policy=NO_CACHE)
def send_due_task(
    db: str | None, config_path: str | None, send: bool, ignore_window: bool
) -> SendResult:
    return send_due_now(load_config(config_path), url=db, send=send, ignore_window=ignore_window)


@flow(name="plan-followups")
def plan_followups(
    db: str | None = None, config_path: str | None = None, all_stages: bool = False
) -> PlanResult:
    """Stage every enrolled contact's next stage as it falls due (drafts for review)."""
    result = plan_due_task(db, config_path, all_stages)
    summary = RunSummary(title="plan-followups", plan=result, failures=list(result.problems))
    summary.notes.append(
        f"stopped {result.stopped}, skipped {result.skipped}, suppressed {result.suppressed}"
    )
    get_run_logger().info("plan-followups: %s", summary.totals())
    publish(summary, "plan-followups-summary")
    return result


@flow(name="send-due")
def send_due(
    db: str | None = None,
    config_path: str | None = None,
    send: bool = False,
    ignore_window: bool = False,
) -> SendResult:
    """Send approved messages whose time has come (`send=False`: write .eml files only)."""
    result = send_due_task(db, config_path, send, ignore_window)
    summary = RunSummary(title="send-due", sent=result.sent)
    if result.failed:
        summary.failures.append(f"{result.failed} message(s) failed: see `followup outbox list`")
    summary.failures.extend(problem_lines(result))
    summary.notes.append(
        f"dry run {result.dry_run}, waiting {result.waiting}, not due yet {result.not_due}, "
        "over the daily cap "
        f"{result.capped}, deferred {result.deferred}, cancelled {result.cancelled}, "
        f"failed {result.failed}, reconciled after a crash {result.reconciled}"
    )
    get_run_logger().info("send-due: %s", summary.notes[-1])
    publish(summary, "send-due-summary")
    publish_funnel(funnel_task(db), "send-due-funnel", summary.title)
    return result
