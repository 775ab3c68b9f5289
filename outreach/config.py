"""Configuration: one file (`followup.toml`) plus `FOLLOWUP_*` environment overrides.

Every setting is listed once in `SETTINGS` with its default, environment variable and help
(`followup config` prints the table). Secrets (SMTP/IMAP passwords) come only from the
environment, never from the committed file.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email

from contacts.checks import region_problem
from contacts.errors import ConfigError
from outreach.timing import window_problem


@dataclass(frozen=True)
class Setting:
    name: str  # dotted path in followup.toml
    default: Any
    env: str
    help: str
    minimum: float | None = None  # numbers: the smallest value that makes sense
    maximum: float | None = None
    email: bool = False  # an address, checked with email-validator (syntax only)
    choices: tuple[str, ...] = ()  # the only values allowed (compared lower-cased)
    problem: Callable[[str], str] | None = None  # what is wrong with a text value ('' = fine)


SECURITY_CHOICES = ("none", "starttls", "ssl")
SETTINGS: tuple[Setting, ...] = (
    Setting("outbox", "data/outbox", "FOLLOWUP_OUTBOX", "Folder for .eml drafts"),
    Setting("templates", "templates", "FOLLOWUP_TEMPLATES", "Folder of Jinja2 templates"),
    Setting("defaults.sequence", "job-seeker", "FOLLOWUP_SEQUENCE", "Sequence for new events"),
    Setting(
        "defaults.region",
        "US",
        "FOLLOWUP_REGION",
        "Country of phones written without +country, and whose time zone a recipient gets,"
        " when neither --region nor the event says",
        problem=region_problem,
    ),
    Setting("defaults.timezone", "UTC", "FOLLOWUP_TIMEZONE", "Time zone of the sender"),
    Setting("sender.name", "", "FOLLOWUP_FROM_NAME", "Sender's display name"),
    Setting("sender.email", "", "FOLLOWUP_FROM", "Sender's address (From:)", email=True),
    Setting("sender.signature", "", "FOLLOWUP_SIGNATURE", "Signature under every message"),
    Setting(
        "sender.unsubscribe_url",
        "",
        "FOLLOWUP_UNSUBSCRIBE_URL",
        "One-click unsubscribe URL (List-Unsubscribe); mailto is always added",
    ),
    Setting("smtp.host", "127.0.0.1", "FOLLOWUP_SMTP_HOST", "SMTP server"),
    Setting("smtp.port", 587, "FOLLOWUP_SMTP_PORT", "SMTP port", minimum=1, maximum=65535),
    Setting("smtp.user", "", "FOLLOWUP_SMTP_USER", "SMTP user (empty: no login)"),
    Setting("smtp.password", "", "FOLLOWUP_SMTP_PASSWORD", "SMTP password (environment only)"),
    Setting(
        "smtp.security",
        "starttls",
        "FOLLOWUP_SMTP_SECURITY",
        "none, starttls or ssl",
        choices=SECURITY_CHOICES,
    ),
    Setting("smtp.timeout", 30, "FOLLOWUP_SMTP_TIMEOUT", "Seconds before an SMTP call gives up", 1),
    Setting(
        "smtp.ca_file", "", "FOLLOWUP_SMTP_CA_FILE", "Extra CA certificate (PEM) to trust for TLS"
    ),
    Setting("smtp.retries", 3, "FOLLOWUP_SMTP_RETRIES", "Retries of a transient SMTP error", 0),
    Setting("smtp.backoff", 2.0, "FOLLOWUP_SMTP_BACKOFF", "First retry delay (s); doubles", 0),
    Setting(
        "send.window",
        "09:00-17:00",
        "FOLLOWUP_SEND_WINDOW",
        "Hours (recipient's time zone, business days) when mail may go out",
        problem=window_problem,
    ),
    Setting("send.daily_cap", 50, "FOLLOWUP_DAILY_CAP", "Most messages sent in any 24 hours", 0),
    Setting("send.pause", 2.0, "FOLLOWUP_SEND_PAUSE", "Seconds to wait between two sends", 0),
    Setting("imap.host", "", "FOLLOWUP_IMAP_HOST", "IMAP server read for replies and bounces"),
    Setting(
        "imap.port",
        993,
        "FOLLOWUP_IMAP_PORT",
        "IMAP port; unset: 993 for ssl, 143 for starttls and none",
        minimum=1,
        maximum=65535,
    ),
    Setting("imap.user", "", "FOLLOWUP_IMAP_USER", "IMAP login, usually your address"),
    Setting("imap.password", "", "FOLLOWUP_IMAP_PASSWORD", "IMAP password (environment only)"),
    Setting(
        "imap.security",
        "ssl",
        "FOLLOWUP_IMAP_SECURITY",
        "none, starttls or ssl",
        choices=SECURITY_CHOICES,
    ),
    Setting(
        "imap.cafile",
        "",
        "FOLLOWUP_IMAP_CAFILE",
        "CA certificate (PEM) to trust for a self-signed server (default: the system's)",
    ),
    Setting("imap.folders", "INBOX", "FOLLOWUP_IMAP_FOLDERS", "Folders to read, comma-separated"),
    Setting("imap.timeout", 30, "FOLLOWUP_IMAP_TIMEOUT", "Seconds to wait for the IMAP server", 1),
    Setting(
        "imap.mark_seen",
        False,
        "FOLLOWUP_IMAP_MARK_SEEN",
        "Mark handled replies/bounces as read (default: leave the mailbox untouched)",
    ),
    Setting(
        "replies.window_days",
        90,
        "FOLLOWUP_REPLY_WINDOW_DAYS",
        "A mail from a contact's address counts as a reply if we wrote to them this recently",
        1,
    ),
    Setting(
        "replies.pause_days", 7, "FOLLOWUP_PAUSE_DAYS", "Days an out-of-office pauses a sequence", 0
    ),
    Setting(
        "bounces.soft_limit",
        3,
        "FOLLOWUP_SOFT_BOUNCE_LIMIT",
        "Soft bounces (4.x.x) of one address before it is suppressed",
        1,
    ),
    Setting(
        "bounces.use_other_address",
        False,
        "FOLLOWUP_BOUNCE_USE_OTHER_ADDRESS",
        "After a hard bounce, go on with the contact's other good address (else stop)",
    ),
)
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")
SECRET_ENV = {"FOLLOWUP_SMTP_PASSWORD", "FOLLOWUP_IMAP_PASSWORD"}


@dataclass
class Config:
    """The loaded configuration: the raw TOML tree plus resolved settings."""

    path: Path | None
    tree: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values[name]

    @property
    def phone_region(self) -> str:
        """`[defaults] region` as a region code: phones without +country, when neither
        `--region` nor the event says."""
        return str(self.get("defaults.region") or "").strip().upper()

    @property
    def name(self) -> str:
        """The file to name in messages: the one read, else the default `followup.toml`."""
        return str(self.path) if self.path else "followup.toml"

    def source(self, name: str) -> Source:
        """Where setting `name` came from, to name it in an error found after loading."""
        setting = next(s for s in SETTINGS if s.name == name)
        return Source(setting, None if setting.env in os.environ else self.path)

    @property
    def sequences(self) -> dict[str, Any]:
        return dict(self.tree.get("sequences", {}))

    @property
    def senders(self) -> dict[str, Any]:
        return dict(self.tree.get("senders", {}))

    @property
    def events(self) -> dict[str, Any]:
        """Per-event settings: `[events.<slug>]` with `sender` and `sequence`."""
        return dict(self.tree.get("events", {}))

    @property
    def holidays(self) -> frozenset[dt.date]:
        """`[send] holidays = ["2026-12-25", ...]`: days that are not business days."""
        days = set()
        for value in self.tree.get("send", {}).get("holidays", []):
            try:
                days.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(value))
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"{self.path}: [send] holidays: {value!r} is not a date; write YYYY-MM-DD"
                ) from exc
        return frozenset(days)


def _lookup(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def config_path(explicit: str | Path | None = None) -> Path | None:
    """`--config`, else `FOLLOWUP_CONFIG`, else ./followup.toml when it exists."""
    chosen = explicit or os.environ.get("FOLLOWUP_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.exists():
            raise ConfigError(
                f"{path}: configuration file not found (from --config or "
                "FOLLOWUP_CONFIG); create it or fix the path"
            )
        return path
    default = Path("followup.toml")
    return default if default.exists() else None


@dataclass(frozen=True)
class Source:
    """Where a setting's value came from: its environment variable, or the file."""

    setting: Setting
    path: Path | None  # None: the environment

    def where(self, value: Any) -> str:
        """`FOLLOWUP_X='v': x.y` or `FILE: x.y = v:` (what is wrong follows)."""
        s = self.setting
        if self.path is None:
            return f"{s.env}={value!r}: {s.name}"
        return f"{self.path}: {s.name} = {value!r}:"

    def error(self, value: Any, problem: str, hint: str = "") -> ConfigError:
        """`<where> <problem>; fix or unset FOLLOWUP_X (default d)`, or `...; fix it in FILE
        or remove it (default d)`; `hint` replaces the default in the brackets."""
        s = self.setting
        remedy = f"fix or unset {s.env}" if self.path is None else f"fix it in {self.path}"
        if self.path is not None:
            remedy += " or remove it"
        return ConfigError(
            f"{self.where(value)} {problem}; {remedy} ({hint or f'default {s.default}'})"
        )


def _checked(setting: Setting, value: Any, source: Source) -> Any:
    """The value converted to the setting's type and checked, or a `ConfigError`."""
    default = setting.default
    if isinstance(default, bool):
        if not isinstance(value, bool):
            if str(value).strip().lower() not in TRUE_WORDS + FALSE_WORDS:
                hint = f"default {str(default).lower()}"
                raise source.error(value, "must be true or false", hint)
            value = str(value).strip().lower() in TRUE_WORDS
        return value
    if isinstance(default, int | float):
        kind = "a whole number" if isinstance(default, int) else "a number"
        try:
            number = int(value) if isinstance(default, int) else float(value)
        except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: int(inf)
            raise source.error(value, f"must be {kind}") from exc
        if not math.isfinite(number):  # inf, nan: no pause, a timeout that never ends
            raise source.error(value, "must be a finite number")
        low, high = setting.minimum, setting.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
            raise source.error(value, f"must be {bounds}")
        return number
    if setting.choices:
        choice = str(value).strip().lower()
        if choice not in setting.choices:
            *first, last = setting.choices
            raise source.error(value, f"must be {', '.join(first)} or {last}")
        return choice
    if setting.problem is not None:
        problem = setting.problem(str(value))
        if problem:
            raise source.error(value, problem)
    if setting.email and str(value).strip():
        try:
            validate_email(str(value).strip(), check_deliverability=False)
        except EmailNotValidError as exc:
            problem = f"is not an email address ({exc})"
            hint = "your address, e.g. priya@example.org"
            raise source.error(value, problem, hint) from exc
        return str(value).strip()
    return value


# Tables of named entries ([senders.dana], [events.<slug>], ...): the keys each entry may
# have. Their values are checked where they are read (sequences, senders, schedules).
ENTRY_KEYS = {
    "senders": frozenset(
        ("name", "email", "signature", "timezone", "unsubscribe_url", "captured_by")
    ),
    "events": frozenset(("sequence", "sender")),
    "sequences": frozenset(("description", "stages")),
    "schedules": frozenset(("cron", "timezone", "active", "parameters")),
}
STAGE_KEYS = frozenset(("name", "template", "delay", "after", "condition", "attachments"))
STRUCTURED = frozenset(ENTRY_KEYS)
EXTRA_KEYS = frozenset(("send.holidays",))


def _refuse_unknown_entries(tree: dict[str, Any], path: Path) -> None:
    """A misspelt key in a named entry (`[events.x] sequnce`, a stage's `conditon`)."""

    def refuse(where: str, key: str, allowed: frozenset[str]) -> None:
        raise ConfigError(
            f"{path}: {where} {key!r} is not a key it can have; the keys are "
            f"{', '.join(sorted(allowed))}; fix the name or remove it"
        )

    for table, allowed in ENTRY_KEYS.items():
        entries = tree.get(table, {})
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            if not isinstance(entry, dict):
                continue  # e.g. [schedules] timezone = "...": checked where it is read
            where = f"[{table}.{name}]"
            for key in entry:
                if key not in allowed:
                    refuse(where, key, allowed)
            stages = entry.get("stages", []) if table == "sequences" else []
            for number, stage in enumerate(stages if isinstance(stages, list) else [], 1):
                for key in stage if isinstance(stage, dict) else ():
                    if key not in STAGE_KEYS:
                        refuse(f"{where} stage {number}", key, STAGE_KEYS)


def _refuse_unknown(tree: dict[str, Any], path: Path) -> None:
    """A misspelt key (`daily_kap`) would be ignored and its default used: refuse it."""
    known = {s.name for s in SETTINGS} | EXTRA_KEYS
    tables = {name.partition(".")[0] for name in known if "." in name}
    for key, value in tree.items():
        if key in STRUCTURED or key in known:
            continue
        if key not in tables:
            expected = ", ".join(sorted({n.partition(".")[0] for n in known} | STRUCTURED))
            raise ConfigError(
                f"{path}: unknown setting {key!r}; the top-level names are {expected}; "
                "fix the name or remove it"
            )
        for inner in value if isinstance(value, dict) else {}:
            if f"{key}.{inner}" not in known:
                names = sorted(n.partition(".")[2] for n in known if n.startswith(key + "."))
                raise ConfigError(
                    f"{path}: [{key}] {inner!r} is not a setting; the settings of [{key}] are "
                    f"{', '.join(names)}; fix the name or remove it"
                )


def load_config(explicit: str | Path | None = None) -> Config:
    """Read the configuration file (if any) and apply environment overrides.

    Every value is checked here (type, range, choice, address syntax); an error names the setting,
    where the bad value came from (the environment variable or the file) and the fix, e.g.
    `FOLLOWUP_DAILY_CAP='-3': send.daily_cap must be at least 0; fix or unset ...`.
    """
    path = config_path(explicit)
    tree: dict[str, Any] = {}
    if path is not None:
        try:
            tree = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix that line") from exc
    if path is not None:
        _refuse_unknown(tree, path)
        _refuse_unknown_entries(tree, path)
    values: dict[str, Any] = {}
    given: set[str] = set()
    for setting in SETTINGS:
        from_file = _lookup(tree, setting.name)
        if setting.env in SECRET_ENV and from_file:
            raise ConfigError(
                f"{path}: {setting.name} must not be in a file; set "
                f"{setting.env} in the environment instead"
            )
        if setting.env in os.environ:
            value, source = os.environ[setting.env], Source(setting, None)
        elif from_file is not None:
            value, source = from_file, Source(setting, path)
        else:
            values[setting.name] = setting.default
            continue
        given.add(setting.name)
        values[setting.name] = _checked(setting, value, source)
    if "imap.port" not in given:  # the port follows the security setting unless given
        values["imap.port"] = 993 if str(values["imap.security"]).lower() == "ssl" else 143
    return Config(path=path, tree=tree, values=values)
