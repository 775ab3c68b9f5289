"""Rules for single rows of a file, decided against the event they are ingested for.

- A row exactly like one an earlier file of the same event brought (the export downloaded
  again after it grew) is not stored twice: `stored_rows` and `fingerprint`.
- A LinkedIn connection made well before the event was not made there: a whole
  `Connections.csv` lists every connection ever made (`connected_before`).
"""

from __future__ import annotations

import datetime as dt

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.model import Quarantined, SightingRow, SourceFile
from contacts.records import Rejected, Sighting

CONNECTED_FORMATS = ("%d %b %Y", "%d-%b-%y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
CONNECTED_MARGIN = dt.timedelta(days=7)  # people connect ahead to arrange a meeting


def connected_before(item: Sighting, event_day: dt.date) -> Rejected | None:
    """A LinkedIn connection made well before the event, set aside (quarantined): a whole
    `Connections.csv` lists every connection ever made, not only the people met there."""
    text = str(item.lead.get("Connected On", "")).strip()
    for fmt in CONNECTED_FORMATS:
        try:
            when = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if when >= event_day - CONNECTED_MARGIN:
            return None
        return Rejected(
            record=item.record,
            raw=item.raw,
            reason=(
                f"skipped: connected on LinkedIn on {when}, more than a week before the event "
                f"({event_day}), so not met there; ingest it for the event where you met"
            ),
        )
    return None


def fingerprint(raw: dict) -> bytes:
    """A row's cells as canonical JSON: equal for the same row in two downloads."""
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)


def stored_rows(session: Session, event_id: int, source_id: int) -> set[bytes]:
    """Fingerprints of the rows other files of the event brought (sightings, quarantined)."""
    sightings = sa.select(SightingRow.raw).where(
        SightingRow.event_id == event_id, SightingRow.source_file_id != source_id
    )
    quarantined = (
        sa.select(Quarantined.raw)
        .join(SourceFile, Quarantined.source_file_id == SourceFile.id)
        .where(SourceFile.event_id == event_id, SourceFile.id != source_id)
    )
    return {
        fingerprint(raw) for query in (sightings, quarantined) for raw in session.scalars(query)
    }
