"""Registered events that are due: ended, with export files the store has not seen yet.

The daily scheduled post-event run asks `due_events()` what to do, so the drafts of
yesterday's fair are waiting for review in the morning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contacts.events import ingested_digests, list_events
from contacts.store import session_scope
from ingest.eventfolder import EventFolder, read_event_folder


@dataclass
class DueEvent:
    """An ended event and the files of its folder that are not in the store yet."""

    name: str
    slug: str
    folder: str
    sequence: str
    files: list[str] = field(default_factory=list)
    roster: str = ""  # from the folder's event.toml


def file_digest(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks (the store keys source files by it)."""
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    """Today's date at the event's place (`now` is aware; an unknown zone means UTC)."""
    try:
        return now.astimezone(ZoneInfo(timezone)).date() if timezone else now.date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(dt.UTC).date()


def due_events(url: str | None = None, now: dt.datetime | None = None) -> list[DueEvent]:
    """Every registered event whose day is over and whose folder holds new export files.

    An event is over once its date is before today in its own time zone. Events without a
    folder or a date, and folders that have disappeared, are skipped. Sorted by date, slug.
    """
    now = now or dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        candidates = [
            (e.name, e.slug, e.folder, e.sequence)
            for e in list_events(session)
            if e.folder and e.date and e.date < local_today(now, e.timezone)
        ]
    due: list[DueEvent] = []
    for name, slug, folder, sequence in candidates:
        if not Path(folder).is_dir():
            continue
        info = read_event_folder(folder)
        files = info.files
        digests = {file_digest(p): str(p) for p in files}
        with session_scope(url) as session:
            seen = ingested_digests(session, sorted(digests))
        new = sorted(path for digest, path in digests.items() if digest not in seen)
        if new:
            due.append(DueEvent(name, slug, folder, sequence, new, info.roster))
    return due


def with_registration(info: EventFolder, url: str | None = None) -> EventFolder:
    """A folder without a name in event.toml that an event was registered for (`followup
    events add NAME --folder DIR`) is that event: its name, and its date, region, time zone
    and sequence where event.toml gives none."""
    if info.named:
        return info
    target = info.folder.resolve()
    with session_scope(url) as session:
        for e in list_events(session):
            if e.folder and Path(e.folder).resolve() == target:
                return replace(
                    info,
                    name=e.name,
                    date=info.date or e.date,
                    region=info.region or e.region,
                    timezone=info.timezone or e.timezone,
                    sequence=info.sequence or e.sequence,
                    named=True,
                )
    return info
