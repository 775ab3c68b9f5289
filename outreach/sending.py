"""Sending approved messages whose time has come, at most once each.

Every message moves approved → sending → sent, and each step is its own committed
transaction:

1. *claim*: `UPDATE … SET state='sending' WHERE id=? AND state='approved'` commits before
   any byte goes to the server; a second process (or a second run) cannot claim it again;
2. *deliver* through `outreach.mailer` (transient errors retried with backoff there);
3. *record*: `sent` with the time, or `failed` / back to `approved` with the reason.

The pause between sends comes before the claim, and Ctrl-C before the message data went
out returns a claimed message to `approved`. A crash between 1 and 3 once the data is on
its way leaves the row in `sending`. The next run *reconciles* it: a row
that has been `sending` for longer than any delivery attempt can take is marked `failed`
("interrupted; may have been delivered"), never re-sent automatically. A person who has
checked their Sent folder can re-approve it by id. The Message-ID is deterministic, so even
a deliberate resend is recognised as the same message by mail clients.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import RenderError, SendError
from contacts.model import Interaction, Message, utcnow
from contacts.stoprules import is_suppressed, set_status, suppress
from contacts.store import session_scope
from outreach.compose import build_email, write_eml
from outreach.config import Config
from outreach.mailer import Mailer, SmtpSettings
from outreach.planner import eml_path, stops, unsubscribe_url
from outreach.sequences import get_sequence
from outreach.timing import Window, due_at, in_window, zone


@dataclass
class SendResult:
    sent: int = 0
    dry_run: int = 0  # .eml written instead of sending
    failed: int = 0  # rejected, or blocked at send time (an attachment gone since planning)
    deferred: int = 0  # transient trouble: still approved, tried again next run
    waiting: int = 0  # due, but held: outside the window, or the previous stage too recent
    not_due: int = 0  # approved, due later (a later stage drafted ahead, a check-in)
    capped: int = 0  # over the daily cap: next run
    cancelled: int = 0  # a stop rule or the suppression list caught it at send time
    reconciled: int = 0  # left in 'sending' by a crash: marked failed, not re-sent
    files: list[str] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)  # (message id, why it waits)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (id, state, reason)
    untried: int = 0  # due, but not tried: the server stayed unavailable, so the run stopped

    @property
    def unreachable(self) -> bool:
        """Nothing went out because the server could not be reached or stayed unavailable."""
        return self.sent == 0 and self.deferred > 0


def problem_lines(result: SendResult) -> list[str]:
    """One line per reason messages failed, were blocked or deferred (deferred last).

    Example: `deferred message 3: SMTP mail.example:587 (starttls): cannot connect
    ([Errno 111] Connection refused); check ...; 17 more due messages wait for the next run`.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for message_id, state, reason in result.problems:
        groups.setdefault((state, reason), []).append(message_id)
    lines = []
    for state in ("failed", "blocked", "deferred"):
        for (kind, reason), ids in groups.items():
            if kind != state:
                continue
            which = (
                f"message {ids[0]}"
                if len(ids) == 1
                else f"{len(ids)} messages ({', '.join(map(str, ids))})"
            )
            line = f"{state} {which}: {reason}"
            if state == "deferred" and result.untried:
                line += f"; {result.untried} more due messages wait for the next run"
            lines.append(line)
    return lines


INTERRUPTED = "the run was interrupted before the message went to the server"


def stale_after(config: Config) -> dt.timedelta:
    """How long a row may honestly stay in 'sending': every attempt timing out, plus slack."""
    attempts = int(config.get("smtp.retries")) + 1
    return dt.timedelta(seconds=2 * float(config.get("smtp.timeout")) * attempts + 60)


def reconcile(session: Session, config: Config, now: dt.datetime) -> int:
    """Mark rows a crashed run left in 'sending' as failed (never sent a second time)."""
    rows = session.scalars(
        sa.select(Message).where(
            Message.state == "sending", Message.updated_at < now - stale_after(config)
        )
    ).all()
    for message in rows:
        message.state = "failed"
        message.reason = (
            "interrupted while sending (the run stopped between 'sending' and 'sent'); it may "
            "have been delivered, so it is not sent again: check your Sent folder, then "
            f"`followup outbox approve {message.id} --resend` if it did not go out"
        )
    return len(rows)


def _not_yet(session: Session, message: Message, config: Config, now: dt.datetime) -> str:
    """Why an approved message must wait (''= it may go now), window aside."""
    earlier = session.scalars(
        sa.select(Message)
        .where(
            Message.enrollment_id == message.enrollment_id,
            Message.stage_index < message.stage_index,
        )
        .order_by(Message.stage_index)
    ).all()
    pending = [m for m in earlier if m.state not in ("sent", "skipped")]
    if pending:
        return f"waiting for stage {pending[0].stage} ({pending[0].state})"
    sent = [m for m in earlier if m.state == "sent" and m.sent_at]
    if sent:
        # Never sooner than this stage's delay after the previous stage actually went out.
        stages = {s.name: s for s in get_sequence(config, message.enrollment.sequence).stages}
        stage = stages.get(message.stage)
        delay = stage.delay if stage else 1
        last = sent[-1].sent_at
        assert last is not None
        local_day = last.replace(tzinfo=dt.UTC).astimezone(zone(message.timezone)).date()
        window = Window.parse(str(config.get("send.window")))
        earliest = due_at(local_day, delay, message.timezone, window, config.holidays)
        if message.due_at is None or message.due_at < earliest:
            message.due_at = earliest
    if message.due_at and message.due_at > now:
        return f"due {message.due_at:%Y-%m-%d %H:%M} UTC"
    return ""


def _stop_reason(session: Session, message: Message) -> str:
    contact = message.contact
    if stops(contact.status, message.enrollment.sequence):
        return f"contact {contact.status}"
    if is_suppressed(session, message.to_addr):
        return "address suppressed"
    if message.enrollment.state in ("stopped", "superseded"):
        return f"enrollment {message.enrollment.state}: {message.enrollment.reason}"
    return ""


def _claim(url: str | None, message_id: int, now: dt.datetime) -> bool:
    with session_scope(url) as session:
        claimed = session.execute(
            sa.update(Message)
            .where(Message.id == message_id, Message.state == "approved")
            .values(state="sending", attempts=Message.attempts + 1, updated_at=now, reason="")
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _record(url: str | None, message_id: int, status: str, detail: str, now: dt.datetime) -> None:
    with session_scope(url) as session:
        message = session.get(Message, message_id)
        if message is None:  # `contacts forget` erased it while it was on its way
            return
        if status == "sent":
            message.state, message.sent_at, message.reason = "sent", now, ""
            session.add(
                Interaction(
                    contact_id=message.contact_id,
                    kind="emailed",
                    at=now,
                    detail=f"{message.enrollment.sequence}/{message.stage}",
                    message_id=message.id,
                )
            )
        elif status == "deferred":
            message.state, message.reason = "approved", f"deferred, tried again next run: {detail}"
        else:
            message.state, message.reason = "failed", detail
            if status == "rejected" and " 5.1." in f" {detail}":  # mailbox does not exist
                set_status(session, message.contact_id, "bounced", detail, message.id)
                suppress(session, message.to_addr, "bounced")


def _candidates(url: str | None, now: dt.datetime) -> tuple[list[int], int]:
    """The approved messages due by `now`, oldest first, and how many are due later."""
    with session_scope(url) as session:
        due = list(
            session.scalars(
                sa.select(Message.id)
                .where(Message.state == "approved", Message.due_at <= now)
                .order_by(Message.due_at, Message.id)
            )
        )
        later = session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.state == "approved", Message.due_at > now
            )
        )
        return due, int(later or 0)


def sent_in_last_day(session: Session, now: dt.datetime) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.state.in_(("sent", "sending")),
                sa.or_(Message.sent_at > now - dt.timedelta(days=1), Message.sent_at.is_(None)),
            )
        )
        or 0
    )


def send_due(
    config: Config,
    url: str | None = None,
    now: dt.datetime | None = None,
    send: bool = False,
    ignore_window: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Send approved messages whose time has come (a dry run writes .eml files only).

    `ignore_window` ignores only the send window, never the suppression list, the stop
    rules, the order of stages or the daily cap.
    """
    now = now or utcnow()
    result = SendResult()
    window = Window.parse(str(config.get("send.window")))
    cap, pause = int(config.get("send.daily_cap")), float(config.get("send.pause"))
    mailer: Mailer | None = None
    hol = config.holidays
    with session_scope(url) as session:
        result.reconciled = reconcile(session, config, now) if send else 0
    candidates, result.not_due = _candidates(url, now)
    try:
        for done, message_id in enumerate(candidates, start=1):
            with session_scope(url) as session:
                message = session.get(Message, message_id)
                if message is None:  # `contacts forget` erased it since the run listed it
                    continue
                stop = _stop_reason(session, message)
                if stop:
                    message.state, message.reason = "cancelled", stop
                    result.cancelled += 1
                    continue
                wait = _not_yet(session, message, config, now)
                if not (wait or ignore_window or in_window(now, message.timezone, window, hol)):
                    wait = f"outside the send window in {message.timezone}"
                if not wait and message.contact.status == "paused":
                    wait = "contact paused"
                if wait:
                    result.waiting += 1
                    result.held.append((message.id, wait))
                    continue
                if sent_in_last_day(session, now) + result.dry_run >= cap:
                    result.capped += 1
                    continue
                message.sent_at = now if send else None  # only for the Date header
                try:
                    mail = build_email(message, unsubscribe_url(config, message))
                except RenderError as exc:  # an attachment gone since planning
                    message.state, message.reason = "blocked", str(exc)
                    result.failed += 1
                    result.problems.append((message.id, "blocked", str(exc)))
                    continue
                finally:
                    message.sent_at = None
                if not send:
                    path = Path(config.get("outbox")) / "dry-run" / eml_path(Path(), message)
                    write_eml(mail, path, False)
                    result.files.append(str(path))
                    result.dry_run += 1
                    continue
                sender, recipient = message.from_addr, message.to_addr
            if mailer is None:
                # Settings are checked before the first claim: a configuration error leaves
                # every message approved, never stuck in 'sending'.
                mailer = Mailer(SmtpSettings.from_config(config), sleep=sleep)
            elif pause > 0:
                # Pause *before* claiming: Ctrl-C while waiting leaves the message approved.
                sleep(pause)
            if not _claim(url, message_id, now):
                continue  # another run claimed it first
            try:
                delivery = mailer.deliver(mail, sender, recipient)
            except SendError as exc:  # nothing went out (login, TLS, sender refused)
                _record(url, message_id, "deferred", str(exc), now)
                raise
            except (KeyboardInterrupt, SystemExit):
                if not mailer.handing_over:  # stopped before the data: nothing went out
                    _record(url, message_id, "deferred", INTERRUPTED, now)
                raise  # else it may have arrived: left in 'sending', reconciled later
            _record(url, message_id, delivery.status, delivery.detail, now)
            if delivery.status == "sent":
                result.sent += 1
            elif delivery.status == "deferred":
                result.deferred += 1
                result.problems.append((message_id, "deferred", delivery.detail))
                # The server is unavailable: the rest stay approved for the next run.
                result.untried = len(candidates) - done
                break
            else:
                result.failed += 1
                result.problems.append((message_id, "failed", delivery.detail))
    finally:
        if mailer is not None:
            mailer.close()
    return result
