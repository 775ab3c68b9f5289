"""The same content again says where it went the first time."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from tests.conftest import SAMPLES


def test_same_content_under_another_event_and_name_names_the_first(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("ingest", str(SAMPLES / "fair-scans.csv"), "--event", "Spring Fair")
    assert first.code == 0, first.err
    shutil.copy(SAMPLES / "fair-scans.csv", "scans-copy.csv")
    again = cli("ingest", "scans-copy.csv", "--event", "Autumn Fair")
    assert again.code == 0, again.err
    today = dt.datetime.now(dt.UTC).date()
    assert (
        f"scans-copy.csv: already ingested for event 'Spring Fair' on {today} as fair-scans.csv "
        "(same content); nothing to do\n"
    ) in again.out
    listed = cli("events", "list")
    assert "autumn-fair" not in listed.out
