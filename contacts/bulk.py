"""Fast appends and updates for tables filled with many rows at once (sightings, keys...).

SQLAlchemy's per-row parameter processing (JSON serialization, type processors) costs
more than the database work for a 100,000-row export, so callers hand over tuples whose
JSON columns are already serialized (orjson), written through the connection of the
current transaction. On SQLite that is one `executemany` of plain, portable SQL; on
PostgreSQL (psycopg) inserts are streamed with COPY and upserts go many rows to a
statement, because psycopg's executemany costs a round trip a row. PostgreSQL casts the
JSON text to `json` itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import Base

if TYPE_CHECKING:
    import psycopg

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def to_json(value: Any) -> str:
    """JSON text for a JSON column (what SQLAlchemy's JSON type would store)."""
    if not value:
        return "[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else "null"
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")


def timestamp(session: Session, when: dt.datetime) -> Any:
    """A naive UTC datetime as the driver stores it (SQLite: SQLAlchemy's text format)."""
    if session.connection().dialect.name == "sqlite":
        return when.strftime("%Y-%m-%d %H:%M:%S.%f")
    return when


def _statement_args(
    session: Session, n: int, rows: Sequence[Sequence[Any]]
) -> tuple[sa.Connection, list[str], list[Any]]:
    """The connection, `n` placeholders in the driver's style, and `rows` to bind to them."""
    conn = session.connection()
    style = conn.dialect.paramstyle
    if style in _MARKS:
        return conn, [_MARKS[style]] * n, list(rows)
    if style == "numeric":
        return conn, [f":{i + 1}" for i in range(n)], list(rows)
    named = [{f"p{i}": v for i, v in enumerate(r)} for r in rows]
    return conn, [f":p{i}" for i in range(n)], named


def insert_rows(
    session: Session, model: type[Base], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (tuples in `columns` order) into `model`'s table, in the session's
    transaction. On PostgreSQL (psycopg) the rows are streamed with COPY."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.driver == "psycopg":
        raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
        statement = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    _insert(session, f"INSERT INTO {model.__tablename__} ({', '.join(columns)})", "", rows)


# psycopg's executemany costs a round trip a row (~0.1 ms), so other drivers get several
# rows per statement; psycopg caches the parsing of a statement only under 4 KB.
ROWS_PER_STATEMENT = 200


def _insert(session: Session, head: str, tail: str, rows: Sequence[Sequence[Any]]) -> None:
    """`head VALUES (...) tail` for every row: one executemany on SQLite (its loop is in
    C), statements of `ROWS_PER_STATEMENT` rows elsewhere."""
    if not rows:
        return
    conn, marks, params = _statement_args(session, len(rows[0]), rows)
    one = f"({', '.join(marks)})"
    if conn.dialect.name == "sqlite" or conn.dialect.paramstyle not in _MARKS:
        conn.exec_driver_sql(f"{head} VALUES {one} {tail}", params)
        return
    for start in range(0, len(params), ROWS_PER_STATEMENT):
        batch = params[start : start + ROWS_PER_STATEMENT]
        values = ", ".join([one] * len(batch))
        flat = tuple(value for row in batch for value in row)
        conn.exec_driver_sql(f"{head} VALUES {values} {tail}", flat)


def update_rows(
    session: Session,
    model: type[Base],
    columns: Sequence[str],
    key: str,
    rows: Sequence[Sequence[Any]],
) -> None:
    """UPDATE `model`'s table SET `columns` WHERE `key` matches, for each row in one executemany:
    `rows` are tuples of the new values in `columns` order followed by the key's value."""
    if not rows:
        return
    conn, marks, params = _statement_args(session, len(columns) + 1, rows)
    sets = ", ".join(f"{c} = {m}" for c, m in zip(columns, marks, strict=False))
    sql = f"UPDATE {model.__tablename__} SET {sets} WHERE {key} = {marks[-1]}"
    conn.exec_driver_sql(sql, params)


def add_to_counts(
    session: Session, model: type[Base], key: str, count: str, rows: Sequence[tuple[str, int]]
) -> None:
    """Add each row's number to the `count` column of the row with its `key`, creating the
    row when missing (INSERT ... ON CONFLICT, which SQLite and PostgreSQL both take).
    Each key may come once: PostgreSQL refuses one statement changing a row twice."""
    table = model.__tablename__
    _insert(
        session,
        f"INSERT INTO {table} ({key}, {count})",
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
        rows,
    )
