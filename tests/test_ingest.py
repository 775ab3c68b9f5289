import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.errors import InputError
from contacts.match import match_pending
from contacts.model import Contact, MatchDecision, Quarantined, SightingRow, SourceFile
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from tests.conftest import DATA, SAMPLES


def test_ingest_stores_sightings_and_quarantine_in_one_file_record(db_url: str) -> None:
    result = ingest_file(SAMPLES / "fair-scans.csv", "Spring Fair", region="US", url=db_url)
    assert (result.status, result.format, result.event) == ("ingested", "csv", "spring-fair")
    assert (result.read, result.accepted, result.quarantined) == (19, 18, 1)
    assert result.problems == [(11, "no name, no email and no phone")]
    with session_scope(db_url) as session:
        source = session.scalars(sa.select(SourceFile)).one()
        assert (source.name, source.records_read, source.accepted, source.quarantined) == (
            "fair-scans.csv",
            19,
            18,
            1,
        )
        records = session.scalars(sa.select(SightingRow.record).order_by(SightingRow.record)).all()
        assert records == [r for r in range(1, 20) if r != 11]
        q = session.scalars(sa.select(Quarantined)).one()
        assert (q.record, q.reason, q.raw["Captured By"]) == (
            11,
            "no name, no email and no phone",
            "Priya Sharma",
        )
        james = session.scalars(sa.select(SightingRow).where(SightingRow.record == 4)).one()
        assert (james.full_name, james.phones, james.email_keys) == (
            "James O'Brien",
            ["+13125550190"],
            ["james.obrien@globex.example"],
        )
        assert james.raw["First Name"] == "JAMES"


def test_same_content_twice_is_a_no_op(db_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "renamed.vcf"
    copy.write_bytes((SAMPLES / "business-cards.vcf").read_bytes())
    assert ingest_file(SAMPLES / "business-cards.vcf", "Fair", url=db_url).status == "ingested"
    again = ingest_file(copy, "Other Fair", url=db_url)
    assert (again.status, again.read) == ("duplicate", 0)
    with session_scope(db_url) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SightingRow)) == 10


def test_a_file_with_no_records_stores_nothing(db_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("First Name,Last Name,Email\n")
    with pytest.raises(InputError, match="no records found in this csv file"):
        ingest_file(empty, "Fair", url=db_url)
    with session_scope(db_url) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SourceFile)) == 0


def test_missing_file_and_folder_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no such file; check the path"):
        ingest_file(tmp_path / "nope.csv", "Fair", url="sqlite://")
    with pytest.raises(InputError, match=r"is a folder; pass the export files inside it"):
        ingest_file(tmp_path, "Fair", url="sqlite://")


def test_matching_over_the_sample(db_url: str) -> None:
    for name in ("fair-scans.csv", "business-cards.vcf", "Connections.csv"):
        ingest_file(SAMPLES / name, "Spring Fair", region="US", url=db_url)
    result = match_pending(db_url)
    assert (result.sightings, result.new_contacts, result.matched, result.review) == (40, 30, 10, 0)
    with session_scope(db_url) as session:
        maria = session.scalars(sa.select(Contact).where(Contact.full_name == "Maria García")).one()
        assert sorted((s.source_file.name, s.record) for s in maria.sightings) == [
            ("Connections.csv", 1),
            ("business-cards.vcf", 1),
            ("fair-scans.csv", 1),
        ]
        assert [p.phone for p in maria.phones] == ["+16175550142"]
        robert = session.scalars(sa.select(Contact).where(Contact.last_name == "Chen")).one()
        # Both of Robert's numbers are kept with their source; the email matched case-blind.
        assert sorted(p.phone for p in robert.phones) == ["+12065550117", "+12065550199"]
        assert [e.email_key for e in robert.emails] == ["robert.chen@contoso.example"]
        rules = session.scalars(sa.select(MatchDecision.rule)).all()
        assert sorted(set(rules)) == ["email-exact", "name-exact+company-exact", "new-contact"]
        assert rules.count("email-exact") == 9
        # Ethan Wright's LinkedIn row has no email: it joins his badge scan by name + company.
        ethan = session.scalars(sa.select(Contact).where(Contact.full_name == "Ethan Wright")).one()
        assert sorted(s.source_file.name for s in ethan.sightings) == [
            "Connections.csv",
            "fair-scans.csv",
        ]
        assert ethan.linkedin == "linkedin.com/in/ethan-wright-data"
    assert match_pending(db_url).sightings == 0  # nothing left to match


def test_linkedin_connections_made_well_before_the_event_are_set_aside(
    db_url: str, tmp_path: Path
) -> None:
    """A whole Connections.csv lists every connection ever made: only those made from a
    week before the event on are people met there; the rest are quarantined, not lost."""
    path = DATA / "Connections.csv"  # connected on 15 Mar 2024 (Grace) and 16 Mar 2024 (Alan)
    later = ingest_file(path, "Fall 2026", date=dt.date(2026, 10, 1), region="US", url=db_url)
    assert (later.read, later.accepted, later.quarantined) == (2, 0, 2)
    assert later.problems[0] == (
        1,
        "skipped: connected on LinkedIn on 2024-03-15, more than a week before the event "
        "(2026-10-01), so not met there; ingest it for the event where you met",
    )
    copy = tmp_path / "Connections.csv"  # other bytes: not the same content again
    copy.write_bytes(path.read_bytes() + b"\n")
    kept = ingest_file(copy, "Spring 2024", date=dt.date(2024, 3, 20), region="US", url=db_url)
    assert (kept.read, kept.accepted, kept.quarantined) == (2, 2, 0)
