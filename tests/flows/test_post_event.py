import email
import shutil
from email import policy
from pathlib import Path

import sqlalchemy as sa

from contacts.model import Message
from contacts.store import session_scope
from flows.post_event import post_event
from tests.conftest import SAMPLES


def test_post_event_flow_end_to_end_on_the_sample(project: Path, db_url: str) -> None:
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix in (".csv", ".vcf"))
    summary = post_event(
        event="Spring Career Fair 2026",
        files=files,
        date=None,
        region="US",
        sequence="job-seeker",
        db=db_url,
    )
    assert [(f.file, f.status, f.read, f.quarantined) for f in summary.files] == [
        ("Connections.csv", "ingested", 12, 0),
        ("business-cards.vcf", "ingested", 10, 0),
        ("fair-scans.csv", "ingested", 19, 1),
    ]
    assert (summary.match.new_contacts, summary.match.matched) == (30, 10)
    assert (summary.plan.enrolled, summary.plan.drafted, summary.plan.no_email) == (25, 25, 5)
    emls = sorted(Path("data/outbox/spring-career-fair-2026").glob("*.eml"))
    assert len(emls) == 25
    with session_scope(db_url) as session:
        states = session.scalars(sa.select(Message.state)).all()
        assert states == ["drafted"] * 25
    maria = next(p for p in emls if "maria-garcia" in p.name)
    parsed = email.message_from_bytes(maria.read_bytes(), policy=policy.default)
    assert parsed["To"] == "Maria García <maria.garcia@northwind.example>"
    assert parsed["X-Unsent"] == "1"
    text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "I enjoyed hearing about the new-grad data engineering program in Boston" in text

    # Running again changes nothing: files are duplicates, no new drafts.
    again = post_event(event="Spring Career Fair 2026", files=files, region="US", db=db_url)
    assert [f.status for f in again.files] == ["duplicate"] * 3
    assert (again.match.sightings, again.plan.drafted) == (0, 0)


def test_a_bad_file_is_reported_and_the_others_go_on(project: Path, db_url: str) -> None:
    shutil.copy(SAMPLES / "business-cards.vcf", "cards.vcf")
    Path("photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    summary = post_event(event="Fair", files=["photo.jpg", "cards.vcf"], db=db_url)
    assert [(f.file, f.status) for f in summary.files] == [
        ("photo.jpg", "failed"),
        ("cards.vcf", "ingested"),
    ]
    assert summary.files[0].problems[0][1].startswith("photo.jpg: unknown format")
    assert summary.plan.drafted == 10
