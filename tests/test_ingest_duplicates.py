"""The same content again says where it went the first time."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from contacts.model import Quarantined, SightingRow
from contacts.store import session_scope
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


def test_an_export_downloaded_again_after_it_grew_stores_only_the_new_rows(
    project: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    Path("leads.csv").write_text(
        "Name,Email\nAnn One,ann1@example.com\nBob Two,bob2@example.com\n,bad@@x\n"
    )
    assert cli("ingest", "leads.csv", "--event", "Fair").code == 0
    with Path("leads.csv").open("a") as fp:
        fp.write("Cat Three,cat3@example.com\n")
    again = cli("ingest", "leads.csv", "--event", "Fair")
    assert again.code == 0, again.err
    assert (
        "leads.csv: 3 rows were already imported from an earlier file of this event (the same "
        "cells); not stored again\ncontacts: 1 new, 0 matched from 1 new sightings\n"
    ) in again.out
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        sightings = session.scalars(sa.select(SightingRow.full_name).order_by(SightingRow.id))
        assert list(sightings) == ["Ann One", "Bob Two", "Cat Three"]
        assert session.scalar(sa.select(sa.func.count()).select_from(Quarantined)) == 1
    # another event's file with the same rows is not a repeat: those people were met there too
    Path("other.csv").write_text("Name,Email\nAnn One,ann1@example.com\nDee Four,d4@example.com\n")
    other = cli("ingest", "other.csv", "--event", "Other Fair")
    assert "already imported" not in other.out
    assert "contacts: 1 new, 1 matched from 2 new sightings\n" in other.out
