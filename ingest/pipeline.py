"""Ingest one file: hash, sniff, read, normalize, and store it in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contacts.errors import InputError
from contacts.events import ensure_event
from contacts.model import Quarantined, SightingRow, SourceFile
from contacts.normalize import normalize
from contacts.records import RawRecord, Rejected
from contacts.store import session_scope
from ingest.sniff import sniff
from ingest.tabular import read_csv, read_xlsx
from ingest.vcard import read_vcard


@dataclass
class IngestResult:
    """What happened to one file (plain data: safe to pass between Prefect tasks)."""

    file: str
    status: str  # "ingested" | "duplicate"
    format: str = ""
    event: str = ""
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def read_bytes(path: Path) -> bytes:
    """The file's content, or an InputError that says what is wrong with the path."""
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path (ls {path.parent})")
    if path.is_dir():
        raise InputError(
            f"{path}: is a folder; pass the export files inside it, or use `followup run FOLDER`"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from exc


def read_records(
    data: bytes, name: str, overrides: dict[str, str] | None = None
) -> tuple[str, Iterator[RawRecord]]:
    """(format, raw records) for a file's content."""
    fmt = sniff(data, name)
    fp = io.BytesIO(data)
    if fmt == "vcard":
        return fmt, read_vcard(fp, name)
    if fmt == "xlsx":
        return fmt, read_xlsx(fp, name, overrides)
    return fmt, read_csv(fp, name, overrides)


def ingest_file(
    path: str | Path,
    event: str,
    date: dt.date | None = None,
    region: str = "",
    url: str | None = None,
    overrides: dict[str, str] | None = None,
) -> IngestResult:
    """Ingest one export into the store for `event`. Same content twice is a no-op.

    Everything for the file (source row, sightings, quarantined rows) is written in one
    transaction: a crash leaves no half-file, and the file can simply be ingested again.
    """
    path = Path(path)
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    with session_scope(url) as session:
        if session.scalar(sa.select(SourceFile.id).where(SourceFile.sha256 == digest)):
            return IngestResult(file=path.name, status="duplicate", event=event)
    fmt, records = read_records(data, path.name, overrides)
    result = IngestResult(file=path.name, status="ingested", format=fmt)
    try:
        with session_scope(url) as session:
            ev = ensure_event(session, event, date=date, region=region)
            result.event = ev.slug
            source = SourceFile(
                sha256=digest, name=path.name, path=str(path.resolve()), format=fmt, event_id=ev.id
            )
            session.add(source)
            session.flush()
            for raw in records:
                result.read += 1
                item = normalize(raw, region or ev.region)
                if isinstance(item, Rejected):
                    result.quarantined += 1
                    result.problems.append((item.record, item.reason))
                    session.add(
                        Quarantined(
                            source_file_id=source.id,
                            record=item.record,
                            reason=item.reason,
                            raw=item.raw,
                        )
                    )
                    continue
                result.accepted += 1
                session.add(
                    SightingRow(
                        source_file_id=source.id,
                        event_id=ev.id,
                        record=item.record,
                        raw=item.raw,
                        full_name=item.full_name,
                        first_name=item.first_name,
                        last_name=item.last_name,
                        emails=item.emails,
                        email_keys=item.email_keys,
                        phones=item.phones,
                        company=item.company,
                        company_key=item.company_key,
                        title=item.title,
                        linkedin=item.linkedin,
                        notes=item.notes,
                        rating=item.rating,
                        captured_by=item.captured_by,
                        captured_at=item.captured_at,
                        lead=item.lead,
                        flags=item.flags,
                    )
                )
            if result.read == 0:  # raised inside the transaction: nothing is stored
                raise InputError(
                    f"{path}: no records found in this {fmt} file; is it the right export?"
                )
            source.records_read = result.read
            source.accepted = result.accepted
            source.quarantined = result.quarantined
    except IntegrityError:
        # Another run ingested the same content between our check and our commit.
        return IngestResult(file=path.name, status="duplicate", event=event)
    return result
