"""The funnel artifact of the post-event and send flows, and per-file ingest tasks that
a task runner spreads (two worker threads here; a Dask cluster in production)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from prefect.task_runners import ThreadPoolTaskRunner

from flows.outreach_flows import send_due
from flows.post_event import post_event
from flows.summary import funnel_table
from tests.conftest import SAMPLES
from tests.flows.test_dropfolder_flow import artifacts_of
from tests.smtpd import followup_smtp

FAIR = "Spring Career Fair 2026"


def sample_files() -> list[str]:
    return sorted(str(p) for p in SAMPLES.iterdir() if p.suffix in (".csv", ".vcf"))


def table(data: object) -> list[dict[str, Any]]:
    rows = json.loads(data) if isinstance(data, str) else data
    assert isinstance(rows, list)
    return rows


class Row:
    def __init__(self, **values: Any) -> None:
        self.values = values

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)


def test_funnel_table_gives_every_event_every_column() -> None:
    rows = [Row(event="A", **{"emailed:thank-you": 3}), Row(event="B", sightings=2)]
    assert funnel_table(rows) == [
        {"event": "A", "emailed:thank-you": 3, "sightings": 0},
        {"event": "B", "emailed:thank-you": 0, "sightings": 2},
    ]
    assert funnel_table([]) == []


def test_post_event_and_send_due_publish_the_funnel(
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    state = post_event(
        event=FAIR,
        files=sample_files(),
        date=dt.date(2026, 3, 12),
        region="US",
        db=db_url,
        return_state=True,
    )
    artifacts = artifacts_of(state.state_details.flow_run_id)
    assert sorted(artifacts) == [
        "post-event-funnel",
        "post-event-summary",
        "post-event-summary-files",
    ]
    [fair] = table(artifacts["post-event-funnel"])
    assert (fair["event"], fair["sightings"], fair["contacts"], fair["new"]) == (FAIR, 40, 30, 30)
    assert (fair["enrolled"], fair["replied"]) == (25, 0)
    assert all(fair[k] == 0 for k in fair if k.startswith("emailed:"))

    assert cli("outbox", "approve", "--all").code == 0
    with followup_smtp(monkeypatch) as recorder:
        config = str(project / "followup.toml")
        sent = send_due(
            db=db_url, config_path=config, send=True, ignore_window=True, return_state=True
        )
    result = sent.result()  # type: ignore[union-attr]
    assert result.sent == len(recorder.messages) > 0
    artifacts = artifacts_of(sent.state_details.flow_run_id)
    assert sorted(artifacts) == ["send-due-funnel", "send-due-summary"]
    [fair] = table(artifacts["send-due-funnel"])
    assert fair["event"] == FAIR and fair["emailed:thank-you"] == result.sent


def test_ingests_spread_over_two_threads_give_the_same_result(project: Path, db_url: str) -> None:
    shutil.copy(SAMPLES / "business-cards.vcf", "cards-again.vcf")  # same content: duplicate
    Path("photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    files = [*sample_files(), "photo.jpg", "cards-again.vcf"]
    threaded = post_event.with_options(task_runner=ThreadPoolTaskRunner(max_workers=2))
    summary = threaded(event=FAIR, files=files, region="US", sequence="job-seeker", db=db_url)
    statuses = [(f.file, f.status) for f in summary.files]
    # In the order given, whichever thread finished first; one of the two identical
    # files is a duplicate of the other (the store decides which).
    assert statuses[:4] == [
        ("Connections.csv", "ingested"),
        ("business-cards.vcf", statuses[1][1]),
        ("fair-scans.csv", "ingested"),
        ("photo.jpg", "failed"),
    ]
    assert sorted([statuses[1][1], statuses[4][1]]) == ["duplicate", "ingested"]
    assert summary.files[3].problems[0][1].startswith("photo.jpg: unknown format")
    assert sum(f.read for f in summary.files) == 41
    # The same contacts and drafts as the one-file-at-a-time run (test_post_event.py).
    assert (summary.match.new_contacts, summary.match.matched) == (30, 10)
    assert (summary.plan.enrolled, summary.plan.drafted, summary.plan.no_email) == (25, 25, 5)
