"""The store: opening the database, creating and migrating its schema, and sessions.

Any SQLAlchemy URL works (`FOLLOWUP_DB` or `--db`); SQLite and PostgreSQL are tested.
The schema is created on first use and its version is kept in the `meta` table, so a
later release can migrate an existing database in place (`contacts.migrations`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from contacts.errors import StoreError
from contacts.migrations import MIGRATIONS
from contacts.model import SCHEMA_VERSION, Base, Meta

DEFAULT_DB = "sqlite:///data/followup.db"

_engines: dict[str, Engine] = {}


def resolve_url(url: str | None = None) -> str:
    """The database URL: the argument, else `FOLLOWUP_DB`, else the default SQLite file."""
    return url or os.environ.get("FOLLOWUP_DB") or DEFAULT_DB


def sqlite_file(url: sa.URL) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another database."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _prepare_sqlite_file(url: sa.URL) -> None:
    """Create the SQLite file's folder, and the file itself readable by its owner only."""
    path = sqlite_file(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


BUSY_SECONDS = 30  # how long a SQLite connection waits for another process's lock


def _json_loads(text: str | bytes) -> Any:
    """JSON columns are read with orjson, several times quicker than `json.loads` (a match
    reads the emails and phones of thousands of sightings). A value only `json.loads`
    takes (NaN, which `json.dumps` writes) still reads."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL + a busy timeout let overlapping runs wait for each other instead of failing
    # with "database is locked"; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    _use_wal(cursor)
    cursor.close()


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (once: the mode is kept in the file).

    Switching needs the file to itself, and SQLite answers "database is locked" at once
    instead of waiting (the busy timeout does not apply), which two processes opening a
    new store together hit. So the switch is retried for as long as a lock is waited for.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _connect_args(url: sa.URL) -> dict[str, object]:
    """Driver options for a server database.

    psycopg prepares a statement on the server once it has run five times, and PostgreSQL
    may then plan it once for any parameters. Matching runs the same `key IN (...)` look-ups
    hundreds of times in a long-lived process (a big import, `watch`, `serve`); with a
    generic plan, adding 1,000 sightings to a 100,000-sighting store took 83 s instead of 3 s.
    """
    return {"prepare_threshold": None} if url.get_driver_name() == "psycopg" else {}


def engine_for(url: str | None = None, *, must_exist: bool = False) -> Engine:
    """The (cached) engine for a URL, with the schema created or migrated.

    With `must_exist` a SQLite file that is not there is refused instead of created, for
    commands that read or change what is stored: a mistyped `--db` (or a command run in
    the wrong folder) must not leave an empty store behind and answer 'no contacts'. A
    server database is not created here anyway.
    """
    resolved = resolve_url(url)
    if resolved in _engines:
        return _engines[resolved]
    try:
        parsed = sa.make_url(resolved)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot understand the database URL {resolved!r}: use a SQLAlchemy URL such as "
            f"{DEFAULT_DB} or postgresql+psycopg://user@host/db (set FOLLOWUP_DB or --db)"
        ) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            path = sqlite_file(parsed)
            if must_exist and path is not None and not path.exists():
                raise StoreError(
                    f"no contact store at {path}: run `followup ingest FILE` or `followup "
                    "run FOLDER` first, or point --db / FOLLOWUP_DB at your store"
                )
            try:
                _prepare_sqlite_file(parsed)
            except OSError as exc:
                raise StoreError(
                    f"cannot open the database {resolved}: cannot create {parsed.database} "
                    f"({exc.strerror or exc}); set FOLLOWUP_DB or --db to a file in a folder "
                    "you can write to"
                ) from exc
            engine = sa.create_engine(
                parsed, connect_args={"timeout": BUSY_SECONDS}, json_deserializer=_json_loads
            )
            sa_event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = sa.create_engine(
                parsed,
                pool_pre_ping=True,
                connect_args=_connect_args(parsed),
                json_deserializer=_json_loads,
            )
    except (ImportError, NoSuchModuleError) as exc:
        raise StoreError(
            f"cannot use the database URL {parsed.render_as_string(hide_password=True)}: "
            f"its driver is not available ({exc}). followup ships drivers for SQLite "
            "(sqlite:///path.db) and PostgreSQL (postgresql+psycopg://user@host/db)"
        ) from exc
    try:
        ensure_schema(engine)
    except (OperationalError, DatabaseError) as exc:
        hint = (
            "Check FOLLOWUP_DB / --db: it must be a SQLite file you can write to, in a "
            "folder you can write to"
            if parsed.get_backend_name() == "sqlite"
            else "Check FOLLOWUP_DB / --db and that the server is running"
        )
        raise StoreError(
            f"cannot open the database {parsed.render_as_string(hide_password=True)}: "
            f"{getattr(exc, 'orig', exc)}. {hint}."
        ) from exc
    _engines[resolved] = engine
    return engine


def ensure_schema(engine: Engine) -> int:
    """Create the schema on first use, or migrate it up to `SCHEMA_VERSION`.

    Returns the schema version the database is at afterwards. A store that is up to date
    is only read, so a start never waits for another process's long ingest. Otherwise the
    work runs in one transaction that takes a lock first (the write lock on SQLite, an
    advisory lock on PostgreSQL): of two processes starting together the second waits,
    then finds the schema and the store id the first made, instead of failing with
    'table meta already exists' or a duplicate store id.
    """
    with engine.connect() as conn:
        if _up_to_date(conn):
            return SCHEMA_VERSION
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(461077)"))
        elif conn.dialect.name == "sqlite":
            # pysqlite begins a transaction only before a write (and then a deferred one),
            # so the checks below would read outside it; CREATE TABLE would even commit
            # on its own. BEGIN IMMEDIATE makes the whole block one locked transaction.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        inspector = sa.inspect(conn)
        if not inspector.has_table("meta"):
            Base.metadata.create_all(conn)
            conn.execute(sa.insert(Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            _ensure_store_id(conn)
            return SCHEMA_VERSION
        row = conn.execute(sa.select(Meta.value).where(Meta.key == "schema_version")).scalar()
        version = int(row or 0)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the database is at schema version {version}, newer than this followup "
                f"({SCHEMA_VERSION}): upgrade followup (pip install -U followup)"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](conn)
        # New tables of later versions are created without touching existing ones.
        Base.metadata.create_all(conn)
        if version != SCHEMA_VERSION:
            conn.execute(
                sa.update(Meta)
                .where(Meta.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )
        _ensure_store_id(conn)
        return SCHEMA_VERSION


STORE_ID = "store_id"


def _up_to_date(conn: sa.Connection) -> bool:
    """Whether the store has every table, this schema version and its store id."""
    if not set(Base.metadata.tables) <= set(sa.inspect(conn).get_table_names()):
        return False
    meta = {key: value for key, value in conn.execute(sa.select(Meta.key, Meta.value))}
    return meta.get("schema_version") == str(SCHEMA_VERSION) and STORE_ID in meta


def _ensure_store_id(conn: sa.Connection) -> None:
    """Give the store a random id once (exports name their contacts with it, see
    `contacts.exportid`); an existing store gets one on its next start."""
    if conn.execute(sa.select(Meta.value).where(Meta.key == STORE_ID)).scalar() is None:
        conn.execute(sa.insert(Meta).values(key=STORE_ID, value=uuid.uuid4().hex))


def schema_version(url: str | None = None) -> int:
    """The schema version recorded in the database at `url`."""
    with session_scope(url) as session:
        return int(session.scalar(sa.select(Meta.value).where(Meta.key == "schema_version")) or 0)


@contextmanager
def session_scope(url: str | None = None, *, must_exist: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any exception.

    `must_exist`: refuse a SQLite file that is not there (see `engine_for`).
    """
    factory = sessionmaker(engine_for(url, must_exist=must_exist), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose(url: str | None = None) -> None:
    """Close pooled connections of one URL (or all), e.g. before a test drops tables."""
    for key in [resolve_url(url)] if url else list(_engines):
        engine = _engines.pop(key, None)
        if engine is not None:
            engine.dispose()
