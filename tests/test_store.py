import math
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from contacts import store
from contacts.errors import StoreError
from contacts.exportid import store_id
from contacts.model import SCHEMA_VERSION, MatchDecision, Meta


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


def test_must_exist_refuses_a_missing_sqlite_file_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        store.engine_for(f"sqlite:///{tmp_path / 'sub' / 'typo.db'}", must_exist=True)
    assert str(caught.value) == (
        f"no contact store at {tmp_path}/sub/typo.db: run `followup ingest FILE` or "
        "`followup run FOLDER` first, or point --db / FOLLOWUP_DB at your store"
    )
    assert list(tmp_path.iterdir()) == []


def test_must_exist_opens_a_store_that_is_there(db_url: str) -> None:
    store.engine_for(db_url)
    store.dispose(db_url)
    with store.session_scope(db_url, must_exist=True) as session:
        version = session.scalar(sa.select(Meta.value).where(Meta.key == "schema_version"))
    assert version == str(SCHEMA_VERSION)


def test_must_exist_leaves_a_server_database_to_the_server(pg_url: str) -> None:
    store.engine_for(pg_url, must_exist=True)  # the database is there, its schema is not yet
    assert store.schema_version(pg_url) == SCHEMA_VERSION


def _start_and_read_store_id(url: str, barrier: Any, results: Any) -> None:
    """A process's first start of the store, at the same moment as another's."""
    barrier.wait()
    try:
        with store.session_scope(url) as session:
            results.put(store_id(session))
    except StoreError as exc:
        results.put(f"error: {exc}")


def _start_two_processes_at_once(url: str) -> list[str]:
    """The store id each of two processes read after starting the store together."""
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, as two commands are
    barrier, results = spawn.Barrier(2), spawn.Queue()
    processes = [
        spawn.Process(target=_start_and_read_store_id, args=(url, barrier, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    found = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0]
    return found


def _store_ids(url: str) -> list[str]:
    with store.engine_for(url).connect() as conn:
        return list(conn.scalars(sa.select(Meta.value).where(Meta.key == store.STORE_ID)))


# One start of two processes hits the race about every other time; three rounds catch it.
ROUNDS = 3


def test_two_processes_giving_an_existing_store_its_id_agree_on_one(db_url: str) -> None:
    for _ in range(ROUNDS):
        engine = store.engine_for(db_url)
        with engine.begin() as conn:  # a store made before store ids existed
            conn.execute(sa.delete(Meta).where(Meta.key == store.STORE_ID))
        store.dispose(db_url)
        found = _start_two_processes_at_once(db_url)
        ids = _store_ids(db_url)
        assert len(ids) == 1
        assert found == [ids[0], ids[0]]


def test_two_processes_creating_a_new_sqlite_store_at_once_both_open_it(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        url = f"sqlite:///{tmp_path / f'new-{round_}.db'}"
        found = _start_two_processes_at_once(url)
        ids = _store_ids(url)
        assert len(ids) == 1
        assert found == [ids[0], ids[0]]
        assert store.schema_version(url) == SCHEMA_VERSION
        store.dispose(url)


def test_postgres_statements_are_never_prepared_on_the_server(pg_url: str) -> None:
    """Generic plans of prepared `IN (...)` look-ups made matching 30 times slower in a
    long-lived process (see store._connect_args)."""
    with store.engine_for(pg_url).connect() as conn:
        assert conn.connection.dbapi_connection.prepare_threshold is None  # type: ignore[union-attr]


def test_a_version_1_store_gets_the_decision_kind_index(db_url: str) -> None:
    """Version 2 indexes match_decisions.kind (keep-separate rules are read at every match)."""
    engine = store.engine_for(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_match_decisions_kind"))
        conn.execute(sa.update(Meta).where(Meta.key == "schema_version").values(value="1"))
    store.dispose(db_url)
    inspector = sa.inspect(store.engine_for(db_url))
    indexes = {i["name"] for i in inspector.get_indexes("match_decisions")}
    assert "ix_match_decisions_kind" in indexes
    assert store.schema_version(db_url) == SCHEMA_VERSION


def test_json_columns_read_back_what_was_written(db_url: str) -> None:
    """JSON columns are read with orjson; what the ORM wrote (accents, nesting, numbers)
    reads back equal, on SQLite and PostgreSQL."""
    evidence = {"levels": [["name", "exact", 13.29, "José Núñez / Jose Nunez"]], "n": 3}
    with store.session_scope(db_url) as session:
        session.add(MatchDecision(kind="possible", rule="review-band", evidence=evidence))
    store.dispose(db_url)
    with store.session_scope(db_url) as session:
        assert session.scalars(sa.select(MatchDecision.evidence)).one() == evidence


def test_a_sqlite_json_value_only_the_standard_library_reads_still_reads(tmp_path: Path) -> None:
    """`json.dumps` writes NaN, which orjson refuses: such a value (from an older release)
    must still read, through the standard library."""
    url = f"sqlite:///{tmp_path / 'followup.db'}"
    with store.session_scope(url) as session:
        session.add(MatchDecision(kind="possible", rule="review-band", evidence={"score": 1.0}))
    with store.engine_for(url).begin() as conn:
        conn.execute(sa.text("""UPDATE match_decisions SET evidence = '{"score": NaN}'"""))
    store.dispose(url)
    with store.session_scope(url) as session:
        score = session.scalars(sa.select(MatchDecision.evidence)).one()["score"]
    assert math.isnan(score)
    store.dispose(url)
