import datetime as dt
import io
from pathlib import Path

from rich.console import Console

from flows.cli_report import funnel_table
from outreach.report import FunnelRow, funnel
from outreach.report_html import render_html
from tests.bookdata import (
    AUTUMN,
    SPRING,
    load_autumn,
    load_spring,
    mark_sent,
    plan,
    set_statuses,
    stage_next,
)

MARIA, ROBERT = "maria.garcia@northwind.example", "robert.chen@contoso.example"
SOFIA, AISHA = "sofia.rossi@initech.example", "a.okafor@fabrikam.example"
NADIA = "nadia.haddad@tailwind.example"


def _two_events(url: str, tmp_path: Path) -> None:
    load_spring(url)
    load_autumn(url)
    plan(url, tmp_path, SPRING)
    plan(url, tmp_path, AUTUMN)
    assert mark_sent(url, SPRING, [MARIA, ROBERT, SOFIA, AISHA], dt.datetime(2026, 3, 13, 9)) == 4
    stage_next(url, tmp_path, SPRING, MARIA)
    assert mark_sent(url, SPRING, [MARIA], dt.datetime(2026, 3, 20, 9)) == 1
    assert mark_sent(url, AUTUMN, [NADIA], dt.datetime(2026, 10, 2, 9)) == 1
    set_statuses(url, {MARIA: "replied", ROBERT: "replied", SOFIA: "unsubscribed"})
    set_statuses(url, {AISHA: "bounced"})


def test_funnel_per_event_credits_people_met_at_several_events(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _two_events(db_url, tmp_path)
    spring, autumn = funnel(db_url)
    assert spring == FunnelRow(
        event=SPRING,
        slug="spring-fair",
        date=dt.date(2026, 3, 12),
        sightings=40,
        contacts=30,
        new=30,
        known=0,
        enrolled=25,
        emailed={"thank-you": 4, "portfolio": 1, "check-in": 0},
        replied=2,
        unsubscribed=1,
        bounced=1,
    )
    assert autumn == FunnelRow(
        event=AUTUMN,
        slug="autumn-meetup",
        date=dt.date(2026, 10, 1),
        sightings=3,
        contacts=3,
        new=1,
        known=2,
        enrolled=3,
        emailed={"thank-you": 1, "portfolio": 0, "check-in": 0},
        replied=2,
        unsubscribed=0,
        bounced=0,
    )
    assert (spring.emailed_any, round(spring.reply_rate, 3)) == (4, 0.067)
    assert autumn.as_dict()["emailed:thank-you"] == 1
    assert autumn.as_dict()["date"] == "2026-10-01"
    assert funnel(db_url, "autumn-meetup") == [autumn]


def test_report_table_has_a_row_per_step_and_stage(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _two_events(db_url, tmp_path)
    console = Console(file=io.StringIO(), width=80)
    console.print(funnel_table(funnel(db_url)))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    cells = {
        parts[0]: parts[1:]
        for parts in (
            [c.strip() for c in line.strip("│ ").split("│")] for line in lines if "│" in line
        )
    }
    assert cells["sightings"] == ["40", "3"]
    assert cells["new"] == ["30", "1"] and cells["met before"] == ["0", "2"]
    assert cells["emailed thank-you"] == ["4", "1"]
    assert cells["emailed portfolio"] == ["1", "0"]
    assert cells["emailed check-in"] == ["0", "0"]  # every stage of the sequence, sent or not
    steps = [k for k in cells if k.startswith("emailed")]
    assert steps == ["emailed thank-you", "emailed portfolio", "emailed check-in"]
    assert cells["replied"] == ["2", "2"] and cells["bounced"] == ["1", "0"]
    assert cells["reply rate"] == ["7%", "67%"]
    header = [line for line in lines if line.startswith("┃")]
    assert "Spring Fair" in header[0] and "Autumn Meetup" in header[0]
    assert "2026-03-12" in header[1] and "2026-10-01" in header[1]


def test_report_cli_writes_html_and_explains_unknown_events(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import os

    load_spring(os.environ["FOLLOWUP_DB"])
    Path("out").mkdir()  # output folders are not created on the fly
    result = cli("report", "--html", "out/report.html")
    assert result.code == 0, result.err
    assert result.err == "wrote out/report.html\n"
    assert result.out.startswith("Funnel per event")
    html = Path("out/report.html").read_text(encoding="utf-8")
    assert html.count('class="chart funnel"') == 1
    bad = cli("report", "Nope")
    assert (bad.code, bad.err) == (2, "error: no event 'Nope'; known events: spring-fair\n")


def test_html_is_self_contained_with_a_chart_per_event(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _two_events(db_url, tmp_path)
    html = render_html(funnel(db_url), generated=dt.datetime(2026, 11, 1, 12, 0))
    assert html.count('class="chart funnel"') == 2
    assert html.count('class="chart comparison"') == 1
    assert 'data-event="spring-fair"' in html and 'data-event="autumn-meetup"' in html
    assert "generated 2026-11-01 12:00" in html
    for external in ("<script", "<link", "src=", "url(", "@import", "http://", "https://"):
        assert external not in html
    assert "<b>67%</b><span>replied: best event, Autumn Meetup</span>" in html.replace("\n", "")
