"""The funnel lists every stage of the event's sequence, with 0 until something is sent:
right after `followup run` (drafts only) the report already shows the steps to come."""

from __future__ import annotations

import io
import os
from pathlib import Path

from rich.console import Console

from flows.cli_report import funnel_table
from outreach.config import load_config
from outreach.report import funnel
from outreach.report_html import render_html
from tests.bookdata import SPRING, load_spring

STAGES = {"thank-you": 0, "portfolio": 0, "check-in": 0}


def _cells(rows) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    console = Console(file=io.StringIO(), width=100)
    console.print(funnel_table(rows))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    return {
        parts[0]: parts[1:]
        for parts in ([c.strip() for c in line.strip("│ ").split("│")] for line in lines)
        if len(parts) > 1
    }


def test_every_stage_is_listed_before_anything_is_sent(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    config = load_config(project / "followup.toml")
    # Not planned yet: the stages of the sequence the event would be planned with.
    (row,) = funnel(url, config=config)
    assert row.emailed == STAGES and row.emailed_any == 0
    assert cli("outbox", "plan", "--event", SPRING).code == 0  # drafts, nothing sent
    (row,) = funnel(url, SPRING, config)
    assert (row.enrolled, row.emailed) == (25, STAGES)
    assert row.as_dict()["emailed:check-in"] == 0
    cells = _cells([row])
    assert [k for k in cells if k.startswith("emailed")] == [
        "emailed thank-you",
        "emailed portfolio",
        "emailed check-in",
    ]
    assert cells["emailed thank-you"] == ["0"]
    html = render_html([row])
    for stage in STAGES:
        assert f"Emailed: {stage}" in html


def test_the_report_command_shows_the_stages(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    load_spring(os.environ["FOLLOWUP_DB"])
    assert cli("outbox", "plan", "--event", SPRING).code == 0
    result = cli("report")
    assert result.code == 0, result.err
    for stage in STAGES:
        assert f"emailed {stage}" in result.out


def test_without_a_configuration_the_staged_stages_are_listed(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    assert cli("outbox", "plan", "--event", SPRING).code == 0
    (project / "followup.toml").unlink()  # the built-in defaults name no sequence stages
    (row,) = funnel(url)
    assert row.emailed == {"thank-you": 0}
