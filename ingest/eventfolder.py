"""An event folder: export files plus an optional `event.toml` with the event's metadata."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from contacts.checks import check_event_name, check_region, check_timezone
from contacts.errors import InputError, not_utf8
from contacts.events import ensure_event, parse_date
from contacts.store import session_scope
from ingest.profiles import check_map_field

METADATA_FILE = "event.toml"
IGNORED = {METADATA_FILE, "README.md", "README.txt"}


@dataclass
class EventFolder:
    folder: Path
    name: str
    date: dt.date | None = None
    region: str = ""
    timezone: str = ""
    sequence: str = ""
    roster: str = ""
    map: dict[str, str] = field(default_factory=dict)  # column -> field, as --map
    files: list[Path] = field(default_factory=list)
    named: bool = False  # the name comes from event.toml, not from the folder's name


def export_files(folder: Path) -> list[Path]:
    """The export files in a folder, sorted by name (hidden files and event.toml skipped)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.name not in IGNORED
        and not p.name.endswith(".error.txt")
    )


KEYS = frozenset(("name", "date", "region", "timezone", "sequence", "roster", "map"))


def read_event_folder(folder: str | Path) -> EventFolder:
    """The event described by a folder: `event.toml` if present, else the folder's name."""
    path = Path(folder)
    if path.is_file():
        raise InputError(
            f"{path}: is a file, not an event folder; put it in a folder with the event's "
            f'other exports, or ingest it alone: followup ingest {path} --event "NAME"'
        )
    if not path.is_dir():
        raise InputError(f"{path}: no such folder; pass a folder that holds the event's exports")
    meta: dict[str, object] = {}
    meta_file = path / METADATA_FILE
    if meta_file.exists():
        try:
            meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{meta_file}: not valid TOML ({exc}); fix that line") from exc
        except UnicodeDecodeError as exc:
            raise InputError(not_utf8(meta_file, exc)) from exc
        except OSError as exc:
            raise InputError(
                f"{meta_file}: cannot be read ({exc.strerror or exc}); it must be a text file"
            ) from exc
    unknown = sorted(set(meta) - KEYS)
    if unknown:  # a misspelt key would otherwise be ignored and its default used silently
        raise InputError(
            f"{meta_file}: unknown key {unknown[0]!r}; the keys are {', '.join(sorted(KEYS))}"
        )
    roster = str(meta.get("roster", ""))
    if roster and not (path / roster).is_file():
        raise InputError(
            f"{meta_file} roster: {roster!r} is not in {path}; put the organiser's attendee "
            "list there or remove the roster line"
        )
    files = [p for p in export_files(path) if p.name != roster]
    name = meta.get("name")
    return EventFolder(
        folder=path,
        name=(
            check_event_name(str(name), f"{meta_file} name")
            if name is not None
            else path.resolve().name
        ),
        date=parse_date(meta.get("date"), f"{meta_file} date"),  # type: ignore[arg-type]
        region=check_region(str(meta.get("region", "")), f"{meta_file} region"),
        timezone=check_timezone(str(meta.get("timezone", "")), f"{meta_file} timezone"),
        sequence=str(meta.get("sequence", "")),
        roster=str(path / roster) if roster else "",
        map=read_map(meta.get("map"), meta_file),
        files=files,
        named=name is not None,
    )


def read_map(value: object, meta_file: Path) -> dict[str, str]:
    """`map = {"E-Mail Adresse" = "email"}` (or a `[map]` table): column -> field."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InputError(
            f'{meta_file} map: write it as map = {{"E-Mail Adresse" = "email"}} '
            "(column name = field name)"
        )
    return {
        column.strip(): check_map_field(field.strip(), f"{meta_file} map {column!r}")
        for column, field in value.items()
    }


def record_event(info: EventFolder, url: str | None = None) -> str:
    """Store the folder's event metadata (blanks only: registered values win); its slug.

    Done before ingesting, so the event's time zone and sequence from `event.toml` are kept
    for planning and sending, not only its name, date and region.
    """
    with session_scope(url) as session:
        event = ensure_event(
            session,
            info.name,
            date=info.date,
            region=info.region,
            timezone=info.timezone,
            sequence=info.sequence,
        )
        return event.slug
