import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts import store
from contacts.errors import StoreError
from contacts.model import SCHEMA_VERSION, Meta


def test_schema_is_created_on_first_use_and_versioned(db_url: str) -> None:
    engine = store.engine_for(db_url)
    tables = set(sa.inspect(engine).get_table_names())
    assert {
        "events",
        "source_files",
        "sightings",
        "contacts",
        "contact_emails",
        "contact_phones",
        "match_decisions",
        "messages",
        "quarantine",
        "meta",
    } <= tables
    assert store.schema_version(db_url) == SCHEMA_VERSION


def test_older_schema_version_is_migrated_in_place(db_url: str) -> None:
    engine = store.engine_for(db_url)
    with engine.begin() as conn:
        conn.execute(sa.update(Meta).values(value="0"))
    store.dispose(db_url)
    store.engine_for(db_url)
    assert store.schema_version(db_url) == SCHEMA_VERSION


def test_newer_schema_version_is_refused_with_advice(db_url: str) -> None:
    engine = store.engine_for(db_url)
    with engine.begin() as conn:
        conn.execute(sa.update(Meta).values(value=str(SCHEMA_VERSION + 1)))
    store.dispose(db_url)
    with pytest.raises(StoreError, match="newer than this followup"):
        store.engine_for(db_url)


def test_sqlite_file_is_created_readable_by_owner_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'f.db'}"
    store.engine_for(url)
    mode = stat.S_IMODE(os.stat(tmp_path / "sub" / "f.db").st_mode)
    store.dispose(url)
    assert mode == 0o600


def test_unusable_url_says_how_to_fix_it() -> None:
    with pytest.raises(StoreError, match="set FOLLOWUP_DB or --db"):
        store.engine_for("not a url")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://u@localhost/x", "No module named 'MySQLdb'"),
        ("foo://x", "Can't load plugin: sqlalchemy.dialects:foo"),
    ],
)
def test_a_url_without_a_driver_is_one_clear_error(url: str, reason: str) -> None:
    with pytest.raises(StoreError) as caught:
        store.engine_for(url)
    assert str(caught.value) == (
        f"cannot use the database URL {url}: its driver is not available ({reason}). "
        "followup ships drivers for SQLite (sqlite:///path.db) and PostgreSQL "
        "(postgresql+psycopg://user@host/db)"
    )


def test_default_url_honours_followup_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOLLOWUP_DB", raising=False)
    assert store.resolve_url() == "sqlite:///data/followup.db"
    monkeypatch.setenv("FOLLOWUP_DB", "sqlite:///x.db")
    assert store.resolve_url() == "sqlite:///x.db"
    assert store.resolve_url("sqlite:///y.db") == "sqlite:///y.db"


def test_a_sqlite_path_that_cannot_be_a_database_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database\n")
    with pytest.raises(StoreError) as below_a_file:
        store.engine_for(f"sqlite:///{tmp_path}/notes.txt/x.db")
    assert str(below_a_file.value).startswith(
        f"cannot open the database sqlite:///{tmp_path}/notes.txt/x.db: cannot create "
        f"{tmp_path}/notes.txt/x.db ("
    )
    with pytest.raises(StoreError) as not_sqlite:
        store.engine_for(f"sqlite:///{tmp_path}/notes.txt")
    assert str(not_sqlite.value) == (
        f"cannot open the database sqlite:///{tmp_path}/notes.txt: file is not a database. "
        "Check FOLLOWUP_DB / --db: it must be a SQLite file you can write to, in a folder "
        "you can write to."
    )
    assert (tmp_path / "notes.txt").read_text() == "not a database\n"
