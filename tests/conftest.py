"""Shared fixtures: a fresh database per test (SQLite file, and PostgreSQL when
FOLLOWUP_TEST_PG_URL is set), a project folder with the shipped config and templates, and
a way to run the CLI in-process and read its exact output."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts import store
from tests.dovecot import dovecot, imap_account  # noqa: F401  (IMAP server fixtures)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "spring-fair"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("FOLLOWUP_TEST_PG_URL", "")

BACKENDS = ["sqlite", "postgresql"]


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, then PostgreSQL (skipped when unset)."""
    url = f"sqlite:///{tmp_path / 'followup.db'}" if request.param == "sqlite" else _fresh_pg()
    yield url
    store.dispose(url)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, for what only a database server does."""
    url = _fresh_pg()
    yield url
    store.dispose(url)


def _fresh_pg() -> str:
    if not PG_URL:
        pytest.skip("FOLLOWUP_TEST_PG_URL is not set (.ci/run sets it)")
    store.dispose(PG_URL)
    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Path:
    """A working folder like a user's: followup.toml, templates, outbox, and FOLLOWUP_DB."""
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ROOT / "followup.toml", work / "followup.toml")
    shutil.copytree(ROOT / "templates", work / "templates")
    monkeypatch.chdir(work)
    monkeypatch.setenv("FOLLOWUP_DB", db_url)
    for name in list(os.environ):
        if name.startswith("FOLLOWUP_") and name not in ("FOLLOWUP_DB", "FOLLOWUP_TEST_PG_URL"):
            monkeypatch.delenv(name)
    return work


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `followup ARGS...` in-process; returns exit code, stdout and stderr."""
    from flows.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
