"""Fast appends for the tables ingest fills with many rows (sightings, quarantine).

SQLAlchemy's per-row parameter processing (JSON serialization, type processors) costs
more than the database work for a 100,000-row export, so ingest hands over tuples whose
JSON columns are already serialized (orjson) and runs one `executemany` per chunk through
the connection of the current transaction. The SQL is a plain, portable INSERT with the
driver's own placeholder style (SQLite `?`, psycopg `%s`); PostgreSQL casts the JSON text
to `json` itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def to_json(value: Any) -> str:
    """JSON text for a JSON column (what SQLAlchemy's JSON type would store)."""
    if not value:
        return "[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else "null"
    return orjson.dumps(value).decode("utf-8")


def timestamp(session: Session, when: dt.datetime) -> Any:
    """A naive UTC datetime as the driver stores it (SQLite: SQLAlchemy's text format)."""
    if session.connection().dialect.name == "sqlite":
        return when.strftime("%Y-%m-%d %H:%M:%S.%f")
    return when


def insert_rows(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (tuples in `columns` order) into `table` inside the session's transaction."""
    if not rows:
        return
    conn = session.connection()
    style = conn.dialect.paramstyle
    if style in _MARKS:
        marks = ", ".join([_MARKS[style]] * len(columns))
    elif style == "numeric":
        marks = ", ".join(f":{i + 1}" for i in range(len(columns)))
    else:  # named
        marks = ", ".join(f":p{i}" for i in range(len(columns)))
        rows = [{f"p{i}": v for i, v in enumerate(r)} for r in rows]  # type: ignore[misc]
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))  # type: ignore[arg-type]
