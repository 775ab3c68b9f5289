"""Schema migrations, one function per schema version, applied in order.

`MIGRATIONS[n]` takes a connection to a database at version n-1 and brings it to n.
New tables need no entry (`create_all` adds them); new columns and data changes do.
Version 1 is the initial schema, created whole by `create_all`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contacts.model import SURNAMES_COUNTED, MatchDecision, MatchKeyCount


def _v1(conn: Connection) -> None:
    """The initial schema: nothing to migrate from."""


def _v2(conn: Connection) -> None:
    """Index match decisions by kind: matching reads the keep-separate rules every time,
    and without the index that read walked every decision of the store."""
    table = sa.Table(MatchDecision.__tablename__, MatchDecision.metadata)
    kind = next(i for i in table.indexes if i.name == "ix_match_decisions_kind")
    kind.create(conn, checkfirst=True)


def _v3(conn: Connection) -> None:
    """Count the term-frequency keys of the key index into `match_key_counts` once; from
    then on the counts are kept as keys are stored and erased."""
    sa.Table(MatchKeyCount.__tablename__, MatchKeyCount.metadata).create(conn, checkfirst=True)
    conn.execute(sa.delete(MatchKeyCount))
    conn.exec_driver_sql(
        "INSERT INTO match_key_counts (key, n) SELECT key, COUNT(*) FROM match_keys"
        " WHERE substr(key, 1, 3) IN ('ln:', 'fn:', 'co:') GROUP BY key"
    )
    surnames = conn.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(MatchKeyCount.n), 0)).where(
            MatchKeyCount.key.like("ln:%")
        )
    )
    conn.execute(sa.insert(MatchKeyCount).values(key=SURNAMES_COUNTED, n=surnames))


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1, 2: _v2, 3: _v3}
