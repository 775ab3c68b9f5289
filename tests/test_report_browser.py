"""The HTML report in a real headless browser (Debian's chromium; `make browser` installs it)."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from outreach.report import funnel
from outreach.report_html import render_html
from tests.bookdata import AUTUMN, SPRING, load_autumn, load_spring, mark_sent, plan, set_statuses

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is missing: run `make browser` (the CI runs it before the tests)")
    return found


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_report_renders_in_a_headless_browser(tmp_path: Path) -> None:
    # The page is the same for both stores: one browser run, on a SQLite file, is enough.
    db_url = f"sqlite:///{tmp_path / 'report.db'}"
    load_spring(db_url)
    load_autumn(db_url)
    plan(db_url, tmp_path, SPRING)
    plan(db_url, tmp_path, AUTUMN)
    mark_sent(
        db_url,
        SPRING,
        ["maria.garcia@northwind.example", "robert.chen@contoso.example"],
        dt.datetime(2026, 3, 13, 9),
    )
    set_statuses(db_url, {"robert.chen@contoso.example": "replied"})
    page = tmp_path / "report.html"
    page.write_text(render_html(funnel(db_url)), encoding="utf-8")
    url = page.resolve().as_uri()

    shot = tmp_path / "report.png"
    result = _run(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", url)
    assert shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank 1200x900 page compresses to a few kilobytes

    dom = _run(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="chart funnel"') == 2
    assert 'data-event="spring-fair"' in dom.stdout
    assert 'data-event="autumn-meetup"' in dom.stdout
    assert dom.stdout.count('class="chart comparison"') == 1
    assert "<h2>Autumn Meetup</h2>" in dom.stdout
