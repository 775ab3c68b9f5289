"""The drop-folder flow end to end under the Prefect test harness, and `followup watch`."""

from __future__ import annotations

import shutil
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from contacts.locks import named_lock
from flows.dropfolder import drop_folder
from ingest.dropfolder import LOCK_NAME
from tests.conftest import SAMPLES

SAMPLE_FILES = ("Connections.csv", "business-cards.vcf", "fair-scans.csv")


def fill_inbox(root: Path) -> Path:
    folder = root / "data" / "inbox" / "spring-fair"
    folder.mkdir(parents=True)
    for name in ("event.toml", *SAMPLE_FILES):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "badge.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
    return folder


def artifacts_of(flow_run_id: object) -> dict[str, object]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])  # type: ignore[list-item]
            )
        )
    return {a.key: a.data for a in found if a.key}


def test_drop_folder_flow_ingests_plans_and_publishes_its_summary(
    project: Path, db_url: str
) -> None:
    fill_inbox(project)
    state = drop_folder(inbox="data/inbox", db=db_url, settle_seconds=0, return_state=True)
    run = state.result()  # type: ignore[union-attr]
    assert [(f.file, f.status, f.records) for f in run.result.files] == [
        ("spring-fair/Connections.csv", "ingested", 12),
        ("spring-fair/badge.jpg", "failed", 0),
        ("spring-fair/business-cards.vcf", "ingested", 10),
        ("spring-fair/fair-scans.csv", "ingested", 19),
    ]
    assert sorted(run.plans) == ["spring-career-fair-2026"]
    assert run.plans["spring-career-fair-2026"].drafted == 25
    assert len(list(Path("data/outbox/spring-career-fair-2026").glob("*.eml"))) == 25
    assert sorted(p.name for p in Path("data/processed/spring-fair").iterdir()) == list(
        SAMPLE_FILES
    )
    assert Path("data/failed/spring-fair/badge.jpg.error.txt").exists()

    artifacts = artifacts_of(state.state_details.flow_run_id)
    assert sorted(artifacts) == ["drop-folder-summary", "drop-folder-summary-files"]
    assert artifacts["drop-folder-summary"] == (
        "# drop-folder: data/inbox\n\n| what | count |\n|---|---:|\n"
        "| files | 4 |\n| records | 41 |\n| quarantined | 1 |\n| new contacts | 30 |\n"
        "| matched contacts | 10 |\n| review queue | 0 |\n| drafts | 25 |\n"
        "| blocked drafts | 0 |\n| sent | 0 |\n| failures | 1 |\n\n## Failures\n\n"
        "- spring-fair/badge.jpg: badge.jpg: unknown format (binary content). followup reads "
        "vCard (.vcf), CSV and XLSX exports; export the contacts in one of those formats\n"
    )

    # The next pass finds nothing new and plans nothing.
    again = drop_folder(inbox="data/inbox", db=db_url, settle_seconds=0)
    assert (again.result.files, again.plans) == ([], {})


def test_watch_once_runs_one_pass_and_reports_the_failed_file(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    fill_inbox(project)
    result = cli("watch", "--once", "--settle", "0")
    assert result.code == 1
    assert result.err == (
        "error: badge.jpg: unknown format (binary content). followup reads vCard (.vcf), CSV "
        "and XLSX exports; export the contacts in one of those formats\n"
    )
    assert result.out == (
        "spring-fair/Connections.csv: ingested, 12 records, 0 quarantined -> "
        "processed/spring-fair/Connections.csv\n"
        "spring-fair/badge.jpg: failed, 0 records, 0 quarantined -> failed/spring-fair/badge.jpg\n"
        "spring-fair/business-cards.vcf: ingested, 10 records, 0 quarantined -> "
        "processed/spring-fair/business-cards.vcf\n"
        "spring-fair/fair-scans.csv: ingested, 19 records, 1 quarantined -> "
        "processed/spring-fair/fair-scans.csv\n"
        "contacts: 30 new, 10 matched; drafts: 25\n"
    )
    clean = cli("watch", "--once", "--inbox", "data/inbox")
    assert (clean.code, clean.out, clean.err) == (
        0,
        "no new files\ncontacts: 0 new, 0 matched; drafts: 0\n",
        "",
    )


def test_watch_prints_a_file_name_with_control_characters_escaped(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = project / "data" / "inbox" / "spring-fair"
    folder.mkdir(parents=True)
    (folder / "b\r\x1b[2K.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
    result = cli("watch", "--once", "--settle", "0")
    assert (result.code, result.out, result.err) == (
        1,
        "spring-fair/b\\r\\x1b[2K.jpg: failed, 0 records, 0 quarantined -> "
        "failed/spring-fair/b\\r\\x1b[2K.jpg\n"
        "contacts: 0 new, 0 matched; drafts: 0\n",
        "error: b\\r\\x1b[2K.jpg: unknown format (binary content). followup reads vCard "
        "(.vcf), CSV and XLSX exports; export the contacts in one of those formats\n",
    )


def test_watch_without_an_inbox_says_how_to_fix_it(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("watch", "--once", "--inbox", "nowhere")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: nowhere: the inbox folder does not exist; create it or pass --inbox DIR\n"
    )


def test_an_unknown_sequence_keeps_the_files_and_reports_why_no_drafts(
    project: Path, db_url: str
) -> None:
    folder = project / "data" / "inbox" / "meetup"
    folder.mkdir(parents=True)
    (folder / "event.toml").write_text('name = "Data Meetup"\nsequence = "nope"\n')
    shutil.copy(SAMPLES / "business-cards.vcf", folder / "cards.vcf")
    run = drop_folder(inbox="data/inbox", db=db_url, settle_seconds=0)
    assert [(f.file, f.status) for f in run.result.files] == [("meetup/cards.vcf", "ingested")]
    assert run.plans == {}
    assert run.failures == [
        "data-meetup: drafts not planned: Task run encountered an exception ConfigError: "
        "no sequence 'nope'; known sequences: job-seeker, keep-in-touch, recruiter"
    ]


def test_a_pass_that_finds_the_lock_taken_does_nothing_and_says_so(
    project: Path, db_url: str, cli
) -> None:  # type: ignore[no-untyped-def]
    fill_inbox(project)
    with named_lock(LOCK_NAME, db_url) as mine:
        assert mine
        state = drop_folder(inbox="data/inbox", db=db_url, return_state=True)
        watched = cli("watch", "--once")
    run = state.result()  # type: ignore[union-attr]
    assert (run.result.locked, run.result.files, run.plans) == (False, [], {})
    assert artifacts_of(state.state_details.flow_run_id)["drop-folder-summary"] == (
        "# drop-folder: data/inbox\n\n| what | count |\n|---|---:|\n"
        "| files | 0 |\n| records | 0 |\n| quarantined | 0 |\n| new contacts | 0 |\n"
        "| matched contacts | 0 |\n| review queue | 0 |\n| drafts | 0 |\n"
        "| blocked drafts | 0 |\n| sent | 0 |\n| failures | 0 |\n\n"
        "- another pass held the ingest lock; this pass did nothing\n"
    )
    assert (watched.code, watched.out) == (
        0,
        "another drop-folder pass holds the ingest lock; this pass did nothing\n",
    )
    assert len(list(Path("data/inbox/spring-fair").iterdir())) == 5  # untouched
