"""Named locks shared by every process that uses the same store.

A drop-folder pass or a scheduled ingest holds one while it reads files into the store, so
two overlapping runs never ingest the same file twice or race to create the same event.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection held
  for the whole block; it works across machines and is released if the process dies.
- SQLite (and anything else): an exclusive `flock` on a lock file next to the database.
  SQLite files are only shared by processes on one machine, so a file lock is enough;
  `flock` locks belong to the open file, so two threads of one process exclude each other
  too. The kernel drops the lock when the process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from contacts.errors import StoreError
from contacts.store import engine_for, resolve_url, sqlite_file

POLL_SECONDS = 0.2


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_lock`, derived from the lock's name."""
    digest = hashlib.sha256(f"followup:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file_for(url: str, name: str) -> Path:
    """Where the file lock for `name` lives: beside a SQLite file, else in the temp folder."""
    database = sqlite_file(sa.make_url(url))
    if database is not None:
        return Path(f"{database}.{name}.lock")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"followup-{digest}.{name}.lock"


def _wait(try_once, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        if try_once():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


@contextmanager
def _pg_lock(url: str, name: str, timeout: float) -> Iterator[bool]:
    key = lock_key(name)
    with engine_for(url).connect() as conn:

        def try_once() -> bool:
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()  # do not sit "idle in transaction" while holding the lock
            return bool(got)

        acquired = _wait(try_once, timeout)
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


@contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)

    def try_once() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        acquired = _wait(try_once, timeout)
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def named_lock(name: str, url: str | None = None, timeout: float = 0.0) -> Iterator[bool]:
    """Hold the lock called `name` for the store at `url`; yields whether it was acquired.

    Waits up to `timeout` seconds for another holder to let go; the caller decides what to
    do when it could not get the lock (usually: skip this pass, the holder does the work).

    >>> with named_lock("dropfolder", "sqlite:///data/followup.db") as mine:
    ...     if mine: ...
    """
    resolved = resolve_url(url)
    if sa.make_url(resolved).get_backend_name() == "postgresql":
        with _pg_lock(resolved, name, timeout) as acquired:
            yield acquired
    else:
        with _file_lock(lock_file_for(resolved, name), timeout) as acquired:
            yield acquired


@contextmanager
def waiting_lock(name: str, url: str | None, timeout: float, holder: str) -> Iterator[None]:
    """Hold the lock called `name`, waiting up to `timeout` seconds for `holder` to let go.

    Raises:
        StoreError: the other holder kept it all that time, e.g. "another run kept the
            ingest lock for 600 s; try again later".
    """
    with named_lock(name, url, timeout) as mine:
        if not mine:
            raise StoreError(f"{holder} kept the {name} lock for {timeout:.0f} s; try again later")
        yield
