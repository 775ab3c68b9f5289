"""Schema migrations, one function per schema version, applied in order.

`MIGRATIONS[n]` takes a connection to a database at version n-1 and brings it to n.
New tables need no entry (`create_all` adds them); new columns and data changes do.
Version 1 is the initial schema, created whole by `create_all`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection


def _v1(conn: Connection) -> None:
    """The initial schema: nothing to migrate from."""


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1}
