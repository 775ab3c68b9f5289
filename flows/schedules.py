"""Schedules of the served deployments, read from `[schedules]` in followup.toml.

```toml
[schedules]
timezone = "America/New_York"          # default: [defaults] timezone
drop_folder = { cron = "*/5 * * * *" }
post_event_daily = { cron = "0 6 * * *" }
plan_followups = { cron = "0 7 * * *" }
send_due = { cron = "*/15 9-16 * * 1-5", active = true }
```

Each entry may also set `timezone`, `active` (false: served, but only run by hand) and
`parameters` (a table of flow parameters, e.g. `{ inbox = "data/inbox" }`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prefect.schedules import Cron, Schedule

from contacts.errors import ConfigError
from outreach.config import Config

DEFAULTS: dict[str, str] = {
    "drop_folder": "*/5 * * * *",  # every 5 minutes
    "post_event_daily": "0 6 * * *",  # yesterday's events, drafts ready by morning
    "plan_followups": "0 7 * * *",  # daily at 07:00
    "send_due": "*/15 9-16 * * 1-5",  # every 15 minutes, 09:00-16:45, Monday to Friday
}


@dataclass(frozen=True)
class ScheduleSpec:
    """One deployment's schedule: a cron line in a time zone, plus its parameters."""

    key: str
    cron: str
    timezone: str
    active: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)

    def schedule(self) -> Schedule:
        """The Prefect schedule (`to_deployment(cron=..., timezone=...)` raises in 3.9)."""
        try:
            return Cron(self.cron, timezone=self.timezone, active=self.active)
        except ValueError as exc:
            raise ConfigError(
                f"[schedules] {self.key}: cron {self.cron!r} is not valid ({exc}); "
                'write five fields, e.g. "*/5 * * * *"'
            ) from exc


def _check_timezone(name: str, where: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: unknown time zone {name!r}; use an IANA name such as Europe/Berlin"
        ) from exc
    return name


def load_schedules(config: Config) -> dict[str, ScheduleSpec]:
    """Every known schedule (the defaults, overridden by `[schedules]`), keyed by name."""
    section = dict(config.tree.get("schedules", {}))
    default_tz = _check_timezone(
        str(section.pop("timezone", None) or config.get("defaults.timezone") or "UTC"),
        "[schedules] timezone",
    )
    unknown = sorted(set(section) - set(DEFAULTS))
    if unknown:
        raise ConfigError(
            f"[schedules]: unknown schedule {', '.join(unknown)}; "
            f"known: {', '.join(sorted(DEFAULTS))}"
        )
    specs: dict[str, ScheduleSpec] = {}
    for key, cron in DEFAULTS.items():
        entry = section.get(key, {})
        if not isinstance(entry, dict):
            raise ConfigError(f'[schedules] {key}: write it as {key} = {{ cron = "{cron}" }}')
        specs[key] = ScheduleSpec(
            key=key,
            cron=str(entry.get("cron", cron)),
            timezone=_check_timezone(
                str(entry.get("timezone", default_tz)), f"[schedules] {key}.timezone"
            ),
            active=bool(entry.get("active", True)),
            parameters=dict(entry.get("parameters", {})),
        )
    for spec in specs.values():
        spec.schedule()  # validate every cron line now, not when serving
    return specs
