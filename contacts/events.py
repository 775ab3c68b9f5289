"""Events: where sightings were made. Created on first ingest or registered ahead."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import InputError
from contacts.model import Event, SourceFile


def slugify(name: str) -> str:
    """'Spring Career Fair 2026' -> 'spring-career-fair-2026'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "event"


def parse_date(value: str | dt.date | None, source: str = "--date") -> dt.date | None:
    """A YYYY-MM-DD date, or None; a clear error names where the bad value came from."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InputError(f"{source}: {value!r} is not a date; write it as YYYY-MM-DD") from exc


def ensure_event(
    session: Session,
    name: str,
    date: dt.date | None = None,
    region: str = "",
    timezone: str = "",
    sequence: str = "",
    folder: str = "",
) -> Event:
    """The event called `name` (by slug), created if new; given fields fill in blanks."""
    slug = slugify(name)
    event = session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        event = Event(
            slug=slug,
            name=name.strip(),
            date=date,
            region=region.upper(),
            timezone=timezone,
            sequence=sequence,
            folder=folder,
        )
        session.add(event)
        session.flush()
        return event
    for attr, value in (
        ("date", date),
        ("region", region.upper()),
        ("timezone", timezone),
        ("sequence", sequence),
        ("folder", folder),
    ):
        if value and not getattr(event, attr):
            setattr(event, attr, value)
    return event


def find_event(session: Session, name_or_slug: str) -> Event:
    """An existing event by name or slug, or an error listing the known ones."""
    event = session.scalar(sa.select(Event).where(Event.slug == slugify(name_or_slug)))
    if event is None:
        known = session.scalars(sa.select(Event.slug).order_by(Event.slug)).all()
        raise InputError(
            f"no event {name_or_slug!r}; known events: {', '.join(known) or '(none yet)'}"
        )
    return event


def register_event(
    session: Session,
    name: str,
    date: dt.date,
    folder: str,
    sequence: str = "",
    region: str = "",
    timezone: str = "",
) -> tuple[Event, bool]:
    """Register an event ahead of time (or update its date, folder and sequence).

    Unlike `ensure_event`, given values replace the stored ones: registering again is how a
    date or folder is corrected. Returns the event and whether it was new.
    """
    existing = session.scalar(sa.select(Event.id).where(Event.slug == slugify(name)))
    event = ensure_event(session, name, date=date, region=region, timezone=timezone)
    event.date, event.folder = date, folder
    if sequence:
        event.sequence = sequence
    return event, existing is None


def list_events(session: Session) -> list[Event]:
    """Every event, by date (undated last), then slug."""
    return list(
        session.scalars(
            sa.select(Event).order_by(Event.date.is_(None), Event.date, Event.slug)
        ).all()
    )


def ingested_digests(session: Session, digests: list[str]) -> set[str]:
    """Which of these sha256 digests belong to files already in the store."""
    if not digests:
        return set()
    return set(session.scalars(sa.select(SourceFile.sha256).where(SourceFile.sha256.in_(digests))))
