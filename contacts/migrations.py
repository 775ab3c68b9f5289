"""Schema migrations, one function per schema version, applied in order.

`MIGRATIONS[n]` takes a connection to a database at version n-1 and brings it to n.
New tables need no entry (`create_all` adds them); new columns and data changes do.
Version 1 is the initial schema, created whole by `create_all`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contacts.model import MatchDecision


def _v1(conn: Connection) -> None:
    """The initial schema: nothing to migrate from."""


def _v2(conn: Connection) -> None:
    """Index match decisions by kind: matching reads the keep-separate rules every time,
    and without the index that read walked every decision of the store."""
    table = sa.Table(MatchDecision.__tablename__, MatchDecision.metadata)
    kind = next(i for i in table.indexes if i.name == "ix_match_decisions_kind")
    kind.create(conn, checkfirst=True)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1, 2: _v2}
