"""Removing a forgotten person from what stays: other people's records and the outbox.

After `contacts.forget` has deleted the person's own rows, their addresses may still stand
in what is kept about others (a colleague's sighting notes, a draft that names them in
Cc). Those mentions are replaced by '[forgotten]'; the person's own .eml files, and any
draft addressed to them, are deleted.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.footprint import mentions
from contacts.model import Interaction, Message, SightingRow


def _pattern(needles: set[str]) -> re.Pattern[str]:
    if not needles:
        return re.compile(r"(?!)")  # no address: matches nothing (an empty pattern matches all)
    return re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.I)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """The value with every mention of the addresses replaced by '[forgotten]'."""
    if isinstance(value, str):
        return pattern.sub("[forgotten]", value)
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    return value


def scrub_others(session: Session, needles: set[str]) -> int:
    """Remove the addresses from what remains about other people (their sightings' raw
    fields and notes, their messages' bodies, their interaction log); returns how many
    records changed. Call it after the person's own rows are deleted."""
    pattern, scrubbed = _pattern(needles), 0
    fields = (
        (SightingRow, ("raw", "notes", "lead")),
        (Message, ("subject", "body_text", "body_html")),
        (Interaction, ("detail",)),
    )
    for model, names in fields:
        for row in session.scalars(sa.select(model).order_by(model.id)):
            values = [getattr(row, name) for name in names]
            if mentions(values, needles):
                for name, value in zip(names, values, strict=True):
                    setattr(row, name, _scrub(value, pattern))
                scrubbed += 1
    session.flush()
    return scrubbed


def _addressed_to(data: bytes, needles: set[str]) -> bool:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(data)
    people = " ".join(str(headers.get(h, "")) for h in ("To", "From", "Cc", "Bcc")).lower()
    return any(n in people for n in needles)


def _resolve(stored: str, bases: list[Path]) -> Path:
    """A stored .eml path: absolute as is; a relative one (rows written as `data/outbox/…`)
    against the first base folder where it exists (the current folder, then the project's)."""
    path = Path(stored)
    if path.is_absolute():
        return path
    for base in bases:
        if (base / path).is_file():
            return base / path
    return path


def clean_outbox(
    outbox: Path | None, files: list[str], bases: list[Path], needles: set[str]
) -> int:
    """Delete the person's .eml files (`files`, as their erased rows stored them, resolved
    against `bases`) and any draft under `outbox` addressed to them; scrub mentions of them
    from other people's drafts. Returns how many files were deleted."""
    deleted = 0
    erased = {_resolve(p, bases).resolve() for p in files}
    candidates = set(erased)
    if outbox is not None and outbox.is_dir():
        candidates |= {p.resolve() for p in outbox.rglob("*.eml")}
    pattern = _pattern(needles)
    for path in sorted(candidates):
        if not path.is_file():
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        if path in erased or _addressed_to(data, needles):
            path.unlink()
            deleted += 1
        elif pattern.search(text):
            path.write_bytes(pattern.sub("[forgotten]", text).encode("utf-8"))
    return deleted
