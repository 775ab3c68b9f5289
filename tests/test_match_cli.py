"""`followup review`, `followup contacts why` and `followup contacts unmerge` end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.conftest import DATA

FILES = [str(DATA / "match" / n) for n in ("badges.csv", "cards.csv", "connections.csv")]


def ingest(cli) -> None:  # type: ignore[no-untyped-def]
    for name in FILES:  # one file at a time, as they arrive
        assert cli("ingest", "--event", "Expo", "--region", "US", name).code == 0


def test_why_prints_levels_weights_and_verdict(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli)
    result = cli("contacts", "why", "3", "8")
    assert result.code == 0
    lines = [line.strip("│ ") for line in result.out.splitlines()]
    assert "name     │ exact │ +14.33 │ john lee / john lee" in lines
    assert "company  │ else  │ -4.00  │ globex / initrode" in lines
    assert "total    │       │ +10.13" in lines
    assert result.out.endswith(
        "verdict: keep apart (conflict: same name at different companies with different "
        "emails)\ndecision 13: possible by conflict\n"
    )
    missing = cli("contacts", "why", "3", "99")
    assert (missing.code, missing.err) == (
        2,
        "error: no contact 99 with sightings; see `followup contacts list`\n",
    )


def test_review_lists_side_by_side_and_takes_answers_from_stdin(
    project: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    ingest(cli)
    listed = cli("review", "--list")
    assert "possible duplicate 16: score 13.91 (review-band)" in listed.out
    assert "│ sources  │ cards.csv#5      │ connections.csv#2         │" in listed.out
    monkeypatch.setattr("sys.stdin", io.StringIO("x\nkeep\ns\n"))
    answered = cli("review")
    assert answered.err == "'x': answer m (merge), k (keep-separate) or s (skip)\n"
    assert answered.code == 0
    assert "contacts 9 and 10 are kept separate" in answered.out
    assert "skipped 13" in answered.out
    again = cli("review", "--list")
    assert "possible duplicate 16" not in again.out
    assert "possible duplicate 13" in again.out  # skipped: still open


def test_review_decide_merge_is_reflected_in_the_export_and_unmerge_restores_it(
    project: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    ingest(cli)
    before = json.loads(cli("export", "contacts", "--format", "json").out)
    assert len(before) == 10
    assert cli("review", "--decide", "16=merge").out == "merged contact 10 into contact 9\n"
    merged = json.loads(cli("export", "contacts", "--format", "json").out)
    assert len(merged) == 9
    chris = next(c for c in merged if c["id"] == 9)
    assert (chris["full_name"], chris["company"], chris["emails"]) == (
        "Chris Park", "Wingtip Toys", ["c.park@gmail.com"]
    )  # fmt: skip
    assert chris["sightings"] == [
        {"event": "Expo", "source": "cards.csv", "record": 5, "flags": []},
        {"event": "Expo", "source": "connections.csv", "record": 2, "flags": []},
    ]
    undone = cli("contacts", "unmerge", "9")
    assert undone.out == (
        "undid merge 17: contact 9 (Chris Park) and contact 10 (Chris Park) are separate again\n"
    )
    assert json.loads(cli("export", "contacts", "--format", "json").out) == before


def test_review_and_unmerge_errors_are_one_clear_line(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli)
    bad = cli("review", "--decide", "16=maybe")
    assert (bad.code, bad.err) == (
        2,
        "error: --decide '16=maybe': write ID=merge, ID=keep-separate or ID=skip (e.g. 3=merge)\n",
    )
    unknown = cli("review", "--decide", "99=merge")
    assert unknown.err == "error: no possible duplicate 99; see `followup review`\n"
    nothing = cli("contacts", "unmerge", "2")
    assert nothing.err == "error: contact 2 has nothing merged into it; nothing to undo\n"


def test_a_merged_contacts_id_leads_to_the_survivor_with_a_note(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli)
    assert cli("review", "--decide", "16=merge").out == "merged contact 10 into contact 9\n"
    note = "note: contact 10 was merged into #9; using #9\n"
    tagged = cli("contacts", "tag", "10", "mentor")
    assert (tagged.out, tagged.err) == ("#9 tags: mentor\n", note)
    replied = cli("contacts", "replied", "10")
    assert (replied.out, replied.err) == (
        "Chris Park replied; cancelled 0 pending messages\n",
        note,
    )
    assert "tags: mentor" in cli("contacts", "show", "9").out
