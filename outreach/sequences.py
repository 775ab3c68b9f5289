"""Sequences: named lists of stages read from the configuration file.

A stage's `condition` is one or more terms joined by " and ":

- `has-notes` / `no-notes`: the sighting at this event has booth notes (or not);
- `rating>=N`: the lead rating is a number of at least N (`rating=hot` for a word rating);
- `first-time` / `met-before`: the contact was (not) seen at an earlier event.

A stage whose condition does not hold is `skipped` with the reason, and the sequence
moves on to the next stage.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from contacts.errors import ConfigError
from contacts.model import Enrollment
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


_TERM = re.compile(r"^(has-notes|no-notes|first-time|met-before|rating(>=|=)(\S+))$")


@dataclass(frozen=True)
class Facts:
    """What a condition may look at for one contact at one event."""

    notes: str
    rating: str
    met_before: bool


def _terms(condition: str) -> list[str]:
    return [t.strip() for t in condition.split(" and ") if t.strip()]


def check_condition(condition: str, where: str) -> None:
    for term in _terms(condition):
        if not _TERM.match(term):
            raise ConfigError(
                f"{where}: condition term {term!r} is unknown; use has-notes, no-notes, "
                "rating>=N, rating=WORD, first-time or met-before (joined by ' and ')"
            )


def _holds(term: str, facts: Facts) -> bool:
    if term in ("has-notes", "no-notes"):
        return bool(facts.notes.strip()) == (term == "has-notes")
    if term in ("first-time", "met-before"):
        return facts.met_before == (term == "met-before")
    match = _TERM.match(term)
    assert match is not None  # validated when the sequence was loaded
    op, wanted = match.group(2), match.group(3)
    if op == "=":
        return facts.rating.strip().casefold() == wanted.casefold()
    try:
        return float(facts.rating) >= float(wanted)
    except ValueError:
        return False


def unmet(condition: str, facts: Facts) -> str:
    """'' when the condition holds, else the first term that does not (the skip reason)."""
    for term in _terms(condition):
        if not _holds(term, facts):
            return f"condition {term!r} not met"
    return ""


def _stage(source: str, seq: str, index: int, item: dict[str, Any]) -> Stage:
    where = f"{source} [sequences.{seq}] stage {index + 1}"
    try:
        name = str(item["name"])
    except KeyError as exc:
        raise ConfigError(f"{where}: every stage needs a name") from exc
    after = str(item.get("after", "event" if index == 0 else "previous"))
    if after not in ("event", "previous"):
        raise ConfigError(f"{where}: after = {after!r}; use 'event' or 'previous'")
    raw = item.get("delay", 1)
    try:
        delay = int(raw)
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: delay = inf
        raise ConfigError(f"{where}: delay must be a whole number of business days") from exc
    if delay < 0:
        raise ConfigError(
            f"{where} ({name}): delay = {raw!r}; use 0 or more business days after the {after}"
        )
    condition = str(item.get("condition", ""))
    check_condition(condition, where)
    return Stage(
        name=name,
        template=str(item.get("template", name)),
        delay=delay,
        after=after,
        condition=condition,
        attachments=tuple(str(a) for a in item.get("attachments", ())),
    )


def get_sequence(config: Config, name: str) -> Sequence:
    """The sequence called `name`, or an error listing the ones that exist."""
    sequences = config.sequences
    if name not in sequences:
        known = ", ".join(sorted(sequences)) or f"(none: add [sequences.NAME] to {config.name})"
        raise ConfigError(f"no sequence {name!r}; known sequences: {known}")
    body = sequences[name]
    items = enumerate(body.get("stages", []))
    stages = tuple(_stage(config.name, name, i, item) for i, item in items)
    if not stages:
        raise ConfigError(f"{config.name} [sequences.{name}] has no stages")
    return Sequence(name=name, description=str(body.get("description", "")), stages=stages)


class Sequences:
    """Each enrollment's sequence, read once per run.

    An enrollment whose sequence can no longer be read (renamed or removed from
    followup.toml, or now invalid) is left as it is and counted, so one bad sequence never
    stops the other events' planning; `problems` says which event, which sequence and the fix.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._read: dict[str, Sequence | ConfigError] = {}
        self._missed: Counter[tuple[str, str]] = Counter()

    def of(self, enrollment: Enrollment) -> Sequence | None:
        name = enrollment.sequence
        if name not in self._read:
            try:
                self._read[name] = get_sequence(self.config, name)
            except ConfigError as exc:
                self._read[name] = exc
        found = self._read[name]
        if isinstance(found, ConfigError):
            self._missed[(enrollment.event.name, name)] += 1
            return None
        return found

    def problems(self) -> list[str]:
        lines = []
        for (event, name), count in sorted(self._missed.items()):
            who = f"event {event!r}: {count} contact{'s' if count > 1 else ''} not planned"
            if name in self.config.sequences:
                lines.append(f"{who}: {self._read[name]}")
                continue
            known = ", ".join(sorted(self.config.sequences)) or "none"
            lines.append(
                f"{who}: they are enrolled in sequence {name!r}, which {self.config.name} no "
                f"longer has (known: {known}); restore [sequences.{name}] there (if you renamed "
                "it, rename it back) and plan again; their enrollments and messages are kept"
            )
        return lines
