"""An event folder: export files plus an optional `event.toml` with the event's metadata."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from contacts.errors import InputError
from contacts.events import parse_date

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
    files: list[Path] = field(default_factory=list)


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


def read_event_folder(folder: str | Path) -> EventFolder:
    """The event described by a folder: `event.toml` if present, else the folder's name."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{path}: no such folder; pass a folder that holds the event's exports")
    meta: dict[str, object] = {}
    meta_file = path / METADATA_FILE
    if meta_file.exists():
        try:
            meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{meta_file}: not valid TOML ({exc}); fix that line") from exc
    roster = str(meta.get("roster", ""))
    files = [p for p in export_files(path) if p.name != roster]
    return EventFolder(
        folder=path,
        name=str(meta.get("name") or path.resolve().name),
        date=parse_date(meta.get("date"), f"{meta_file} date"),  # type: ignore[arg-type]
        region=str(meta.get("region", "")),
        timezone=str(meta.get("timezone", "")),
        sequence=str(meta.get("sequence", "")),
        roster=str(path / roster) if roster else "",
        files=files,
    )
