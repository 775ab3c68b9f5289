"""Entry points: Prefect flows, their deployments, and the `followup` CLI.

Prefect's local ephemeral API needs two defaults on a cold machine: no telemetry (it
locks the ephemeral SQLite database) and a start-up timeout longer than 20 s. They are
set here, before anything imports Prefect, and any value from the environment wins.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
