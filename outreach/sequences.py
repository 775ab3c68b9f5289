"""Sequences: named lists of stages read from the configuration file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contacts.errors import ConfigError
from outreach.config import Config


@dataclass(frozen=True)
class Stage:
    name: str
    template: str
    delay: int  # business days
    after: str  # "event" or "previous"
    condition: str = ""  # "" | "has-notes" | "rating>=N" | "first-time" | "met-before"
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sequence:
    name: str
    description: str
    stages: tuple[Stage, ...]


def _stage(seq: str, index: int, item: dict[str, Any]) -> Stage:
    where = f"followup.toml [sequences.{seq}] stage {index + 1}"
    try:
        name = str(item["name"])
    except KeyError as exc:
        raise ConfigError(f"{where}: every stage needs a name") from exc
    after = str(item.get("after", "event" if index == 0 else "previous"))
    if after not in ("event", "previous"):
        raise ConfigError(f"{where}: after = {after!r}; use 'event' or 'previous'")
    try:
        delay = int(item.get("delay", 1))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: delay must be a whole number of business days") from exc
    return Stage(
        name=name,
        template=str(item.get("template", name)),
        delay=delay,
        after=after,
        condition=str(item.get("condition", "")),
        attachments=tuple(str(a) for a in item.get("attachments", ())),
    )


def get_sequence(config: Config, name: str) -> Sequence:
    """The sequence called `name`, or an error listing the ones that exist."""
    sequences = config.sequences
    if name not in sequences:
        known = ", ".join(sorted(sequences)) or "(none: add [sequences.NAME] to followup.toml)"
        raise ConfigError(f"no sequence {name!r}; known sequences: {known}")
    body = sequences[name]
    stages = tuple(_stage(name, i, item) for i, item in enumerate(body.get("stages", [])))
    if not stages:
        raise ConfigError(f"followup.toml [sequences.{name}] has no stages")
    return Sequence(name=name, description=str(body.get("description", "")), stages=stages)
