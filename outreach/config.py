"""Configuration: one file (`followup.toml`) plus `FOLLOWUP_*` environment overrides.

Every setting is listed once in `SETTINGS` with its default, environment variable and help
(`followup config` prints the table). Secrets (SMTP/IMAP passwords) come only from the
environment, never from the committed file.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contacts.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str  # dotted path in followup.toml
    default: Any
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("outbox", "data/outbox", "FOLLOWUP_OUTBOX", "Folder for .eml drafts"),
    Setting("templates", "templates", "FOLLOWUP_TEMPLATES", "Folder of Jinja2 templates"),
    Setting("defaults.sequence", "job-seeker", "FOLLOWUP_SEQUENCE", "Sequence for new events"),
    Setting("defaults.region", "US", "FOLLOWUP_REGION", "Phone region when a number has no +"),
    Setting("defaults.timezone", "UTC", "FOLLOWUP_TIMEZONE", "Time zone of the sender"),
    Setting("sender.name", "", "FOLLOWUP_FROM_NAME", "Sender's display name"),
    Setting("sender.email", "", "FOLLOWUP_FROM", "Sender's address (From:)"),
    Setting("sender.signature", "", "FOLLOWUP_SIGNATURE", "Signature under every message"),
    Setting(
        "sender.unsubscribe_url",
        "",
        "FOLLOWUP_UNSUBSCRIBE_URL",
        "One-click unsubscribe URL (List-Unsubscribe); mailto is always added",
    ),
    Setting("smtp.host", "127.0.0.1", "FOLLOWUP_SMTP_HOST", "SMTP server"),
    Setting("smtp.port", 587, "FOLLOWUP_SMTP_PORT", "SMTP port"),
    Setting("smtp.user", "", "FOLLOWUP_SMTP_USER", "SMTP user (empty: no login)"),
    Setting("smtp.password", "", "FOLLOWUP_SMTP_PASSWORD", "SMTP password (environment only)"),
    Setting("smtp.security", "starttls", "FOLLOWUP_SMTP_SECURITY", "none, starttls or ssl"),
    Setting("smtp.timeout", 30, "FOLLOWUP_SMTP_TIMEOUT", "Seconds before an SMTP call gives up"),
    Setting(
        "smtp.ca_file", "", "FOLLOWUP_SMTP_CA_FILE", "Extra CA certificate (PEM) to trust for TLS"
    ),
    Setting("smtp.retries", 3, "FOLLOWUP_SMTP_RETRIES", "Retries of a transient SMTP error"),
    Setting("smtp.backoff", 2.0, "FOLLOWUP_SMTP_BACKOFF", "First retry delay (s); doubles"),
    Setting(
        "send.window",
        "09:00-17:00",
        "FOLLOWUP_SEND_WINDOW",
        "Hours (recipient's time zone, business days) when mail may go out",
    ),
    Setting("send.daily_cap", 50, "FOLLOWUP_DAILY_CAP", "Most messages sent per day (UTC)"),
    Setting("send.pause", 2.0, "FOLLOWUP_SEND_PAUSE", "Seconds to wait between two sends"),
    Setting("imap.host", "", "FOLLOWUP_IMAP_HOST", "IMAP server read for replies and bounces"),
    Setting("imap.port", 993, "FOLLOWUP_IMAP_PORT", "IMAP port (993 ssl, 143 starttls/none)"),
    Setting("imap.user", "", "FOLLOWUP_IMAP_USER", "IMAP login, usually your address"),
    Setting("imap.password", "", "FOLLOWUP_IMAP_PASSWORD", "IMAP password (environment only)"),
    Setting("imap.security", "ssl", "FOLLOWUP_IMAP_SECURITY", "none, starttls or ssl"),
    Setting(
        "imap.cafile",
        "",
        "FOLLOWUP_IMAP_CAFILE",
        "CA certificate (PEM) to trust for a self-signed server (default: the system's)",
    ),
    Setting("imap.folders", "INBOX", "FOLLOWUP_IMAP_FOLDERS", "Folders to read, comma-separated"),
    Setting("imap.timeout", 30, "FOLLOWUP_IMAP_TIMEOUT", "Seconds to wait for the IMAP server"),
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
    ),
    Setting(
        "replies.pause_days", 7, "FOLLOWUP_PAUSE_DAYS", "Days an out-of-office pauses a sequence"
    ),
    Setting(
        "bounces.soft_limit",
        3,
        "FOLLOWUP_SOFT_BOUNCE_LIMIT",
        "Soft bounces (4.x.x) of one address before it is suppressed",
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


def load_config(explicit: str | Path | None = None) -> Config:
    """Read the configuration file (if any) and apply environment overrides."""
    path = config_path(explicit)
    tree: dict[str, Any] = {}
    if path is not None:
        try:
            tree = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix that line") from exc
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        from_file = _lookup(tree, setting.name)
        if setting.env in SECRET_ENV and from_file:
            raise ConfigError(
                f"{path}: {setting.name} must not be in a file; set "
                f"{setting.env} in the environment instead"
            )
        value = os.environ.get(setting.env, from_file)
        if value is None:
            value = setting.default
        if isinstance(setting.default, float) and not isinstance(value, int | float):
            try:
                value = float(value)
            except ValueError as exc:
                raise ConfigError(
                    f"{setting.env}={value!r}: {setting.name} must be a number"
                ) from exc
        if isinstance(setting.default, bool) and not isinstance(value, bool):
            if str(value).strip().lower() not in TRUE_WORDS + FALSE_WORDS:
                raise ConfigError(f"{setting.env}={value!r}: {setting.name} must be true or false")
            value = str(value).strip().lower() in TRUE_WORDS
        elif isinstance(setting.default, int) and not isinstance(value, int):
            try:
                value = int(value)
            except ValueError as exc:
                raise ConfigError(
                    f"{setting.env}={value!r}: {setting.name} must be a whole number"
                ) from exc
        values[setting.name] = value
    return Config(path=path, tree=tree, values=values)
