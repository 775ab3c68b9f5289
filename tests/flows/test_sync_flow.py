"""The `sync-replies` flow end to end, and the deployment `followup serve` runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.sync import deployment, sync_replies
from tests.conftest import ROOT
from tests.dovecot import Account
from tests.mailtests import by_last_name, clean_env, mail, sent_outbox


def test_sync_replies_flow_stops_a_sequence(
    db_url: str, tmp_path: Path, imap_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env(monkeypatch, imap_account.env() | {"FOLLOWUP_OUTBOX": str(tmp_path / "outbox")})
    sent = sent_outbox(db_url, tmp_path)
    imap_account.deliver(mail("reply-unthreaded", sent))
    result = sync_replies(db=db_url, config_path=str(ROOT / "followup.toml"))
    assert (result.read, result.replies, result.cancelled) == (1, 1, 1)
    assert by_last_name(db_url)["Chen"][0] == "replied"


def test_the_deployment_runs_every_15_minutes_in_the_senders_zone() -> None:
    served = deployment(timezone="America/New_York")
    assert served.name == "sync-replies"
    [schedule] = served.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (
        "*/15 * * * *",
        "America/New_York",
    )
