"""Quarantined records: what could not become a sighting, with the reason, for review.

Each row names its file, its position in the file (`record`, as for sightings), the
reason and the raw fields exactly as read, so a person can fix the source and re-ingest.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import InputError
from contacts.events import find_event
from contacts.export_layouts import safe_cell
from contacts.model import Event, Quarantined, SourceFile

FIXED_COLUMNS = ("file", "event", "record", "reason")


def quarantined(session: Session, event: str = "", file: str = "") -> list[dict[str, Any]]:
    """Quarantined rows (oldest file first, then by record), optionally for one event/file.

    Raises:
        InputError: `event` names no event (the error lists the known ones), as for
            `contacts list --event`, or `file` names no ingested file: an unknown event or
            file is not an empty quarantine.
    """
    query = (
        sa.select(Quarantined, SourceFile.name, Event.name)
        .join(SourceFile, Quarantined.source_file_id == SourceFile.id)
        .join(Event, SourceFile.event_id == Event.id)
        .order_by(SourceFile.id, Quarantined.record, Quarantined.id)
    )
    if event:
        query = query.where(Event.id == find_event(session, event).id)
    if file:
        known = sorted(set(session.scalars(sa.select(SourceFile.name))))
        if file not in known:
            shown = ", ".join(known[:10]) + (", …" if len(known) > 10 else "")
            raise InputError(
                f"--file {file!r}: no file of that name was ingested; files: {shown or '(none)'}"
            )
        query = query.where(SourceFile.name == file)
    return [
        {"file": name, "event": event_name, "record": q.record, "reason": q.reason, "raw": q.raw}
        for q, name, event_name in session.execute(query)
    ]


def quarantine_csv(rows: list[dict[str, Any]]) -> str:
    """CSV: file, event, record, reason, then one column per raw field (first-seen order).

    Formula-injection safe like every CSV export (`safe_cell`): quarantined rows are raw,
    unchecked input.
    """
    fields: dict[str, None] = {}
    for row in rows:
        for key in row["raw"]:
            fields.setdefault(str(key), None)
    raw_columns = [k for k in fields if k not in FIXED_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *raw_columns])
    for row in rows:
        raw = row["raw"]
        writer.writerow(
            [safe_cell(row["file"]), safe_cell(row["event"]), row["record"], row["reason"]]
            + [safe_cell(raw.get(k, "")) for k in raw_columns]
        )
    return buffer.getvalue()
