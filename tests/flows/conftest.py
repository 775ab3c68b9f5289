"""Flow tests run against a temporary Prefect API (one per test session)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="followup-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect.testing.utilities import prefect_test_harness  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def prefect_api() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=90):
        yield
