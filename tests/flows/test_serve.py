"""The served deployments and their schedules (built, never started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contacts.errors import ConfigError
from flows.serve import build_deployments, describe_schedule


def test_serve_builds_every_deployment_with_its_schedule(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_IMAP_HOST", "imap.example.org")
    deployments = build_deployments()
    config = str((project / "followup.toml").resolve())
    inbox = str((project / "data" / "inbox").resolve())
    assert [(d.flow_name, d.name, describe_schedule(d), d.parameters) for d in deployments] == [
        (
            "drop-folder",
            "scheduled",
            "*/5 * * * * (America/New_York)",
            {"config_path": config, "inbox": inbox},
        ),
        ("post-event-daily", "scheduled", "0 6 * * * (America/New_York)", {"config_path": config}),
        ("plan-followups", "scheduled", "0 7 * * * (America/New_York)", {"config_path": config}),
        (
            "send-due",
            "scheduled",
            "*/15 9-16 * * 1-5 (America/New_York)",
            {"config_path": config, "send": True},
        ),
        ("sync-replies", "scheduled", "*/15 * * * * (America/New_York)", {"config_path": config}),
        ("post-event", "manual", "by hand", {"config_path": config}),
    ]
    schedule = deployments[0].schedules[0].schedule  # type: ignore[index]
    assert (schedule.cron, schedule.timezone) == ("*/5 * * * *", "America/New_York")  # type: ignore[union-attr]


def test_without_a_mailbox_sync_replies_is_served_but_never_scheduled(project: Path) -> None:
    sync = next(d for d in build_deployments() if d.flow_name == "sync-replies")
    assert describe_schedule(sync) == "*/15 * * * * (America/New_York) inactive"


def test_schedules_come_from_the_config(project: Path) -> None:
    with Path("followup.toml").open("a") as fp:
        fp.write(
            '\n[schedules.drop_folder]\ncron = "*/2 * * * *"\ntimezone = "Europe/Berlin"\n'
            "active = false\nparameters = { settle_seconds = 5.0 }\n"
        )
    text = Path("followup.toml").read_text()
    # drop the inline drop_folder entry of the shipped file so the table above is the only one
    Path("followup.toml").write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("drop_folder ="))
    )
    first = build_deployments(inbox="elsewhere")[0]
    assert describe_schedule(first) == "*/2 * * * * (Europe/Berlin) inactive"
    assert first.parameters["settle_seconds"] == 5.0
    assert first.parameters["inbox"] == str((project / "elsewhere").resolve())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'post_event_daily = { cron = "0 25 * * *" }',
            "[schedules] post_event_daily: cron '0 25 * * *' is not valid (Invalid cron "
            'string: "0 25 * * *"); write five fields, e.g. "*/5 * * * *"',
        ),
        (
            'post_event_daily = { cron = "0 6 * * *", timezone = "Mars/Olympus" }',
            "[schedules] post_event_daily.timezone: unknown time zone 'Mars/Olympus'; use an "
            "IANA name such as Europe/Berlin",
        ),
        (
            'nightly = { cron = "0 6 * * *" }',
            "[schedules]: unknown schedule nightly; known: drop_folder, plan_followups, "
            "post_event_daily, send_due, sync_replies",
        ),
    ],
)
def test_a_bad_schedule_is_a_config_error_that_says_what_to_write(
    project: Path, entry: str, message: str
) -> None:
    text = Path("followup.toml").read_text()
    text = "\n".join(
        line for line in text.splitlines() if not line.startswith("post_event_daily =")
    )
    Path("followup.toml").write_text(text.replace("[schedules]\n", f"[schedules]\n{entry}\n"))
    with pytest.raises(ConfigError) as caught:
        build_deployments()
    assert str(caught.value) == message
