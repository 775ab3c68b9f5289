"""Sender profiles: who a follow-up comes from.

Resolution, first match wins (each step is explicit, none is an accident):

1. the lead's `Captured By` matches a profile's `captured_by` list
   (`[senders.dana] captured_by = ["Dana Whitfield", "dana"]`);
2. the event names a profile (`[events.<event-slug>] sender = "dana"`);
3. the default `[sender]` table (with the `FOLLOWUP_FROM*` environment overrides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contacts.errors import ConfigError
from outreach.config import Config


@dataclass(frozen=True)
class Sender:
    key: str  # "default" or the profile name
    name: str
    email: str
    signature: str
    timezone: str
    unsubscribe_url: str

    def as_context(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "email": self.email,
            "signature": signature_block(self.signature, self.name),
        }


def signature_block(signature: str, name: str) -> str:
    """The signature as it goes under `-- `: without a first line that only repeats the
    sender's name (every template's sign-off already ends with it).

    Example: signature_block("Priya Sharma\nBellows College", "Priya Sharma") ->
    "Bellows College".
    """
    lines = signature.strip("\n").splitlines()
    if lines and name.strip() and _fold(lines[0]) == _fold(name):
        lines = lines[1:]
    return "\n".join(lines).strip("\n")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def default_sender(config: Config) -> Sender:
    return Sender(
        key="default",
        name=str(config.get("sender.name")),
        email=str(config.get("sender.email")),
        signature=str(config.get("sender.signature")),
        timezone=str(config.get("defaults.timezone")),
        unsubscribe_url=str(config.get("sender.unsubscribe_url")),
    )


def profile(config: Config, key: str) -> Sender:
    """The sender profile `[senders.<key>]`; unset fields fall back to `[sender]`."""
    profiles = config.senders
    if key not in profiles:
        known = ", ".join(sorted(profiles)) or "(none)"
        raise ConfigError(f"no sender profile {key!r} ([senders.{key}]); known profiles: {known}")
    base, body = default_sender(config), profiles[key]
    return Sender(
        key=key,
        name=str(body.get("name", base.name)),
        email=str(body.get("email", base.email)),
        signature=str(body.get("signature", base.signature)),
        timezone=str(body.get("timezone", base.timezone)),
        unsubscribe_url=str(body.get("unsubscribe_url", base.unsubscribe_url)),
    )


def resolve_sender(config: Config, event_slug: str, captured_by: str) -> Sender:
    """The sender for one lead at one event (see the module docstring for the order)."""
    if captured_by:
        wanted = _fold(captured_by)
        for key in sorted(config.senders):
            names = config.senders[key].get("captured_by", [])
            if isinstance(names, str):
                names = [names]
            if wanted in {_fold(str(n)) for n in names}:
                return profile(config, key)
    event_sender = str(config.events.get(event_slug, {}).get("sender", ""))
    if event_sender:
        return profile(config, event_sender)
    return default_sender(config)
