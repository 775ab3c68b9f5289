"""vCard reader (vobject): one raw record per card; one bad card never stops the file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

import vobject

from contacts.records import RawRecord
from ingest.sniff import decode

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)


def split_cards(text: str) -> Iterator[str]:
    """Top-level cards of a file as text, nested cards kept inside their parent."""
    depth = 0
    current: list[str] = []
    for line in text.splitlines():
        if _BEGIN.match(line.strip()):
            depth += 1
        if depth:
            current.append(line)
        if _END.match(line.strip()) and depth:
            depth -= 1
            if depth == 0:
                yield "\r\n".join(current) + "\r\n"
                current = []
    if current:  # a card that never ended: still a record
        yield "\r\n".join(current) + "\r\nEND:VCARD\r\n"


def _values(card: vobject.base.Component, name: str) -> list[str]:
    out = []
    for prop in card.contents.get(name, []):
        value = prop.value
        if isinstance(value, list):
            value = ";".join(str(v) for v in value)
        out.append(str(value).strip())
    return [v for v in out if v]


def card_to_record(card: vobject.base.Component, position: int) -> RawRecord:
    """Map a parsed card onto canonical fields."""
    raw: dict[str, str] = {}
    for name, props in card.contents.items():
        raw[name.upper()] = " | ".join(str(p.value) for p in props)[:2000]
    values: dict[str, object] = {"emails": _values(card, "email"), "phones": _values(card, "tel")}
    if "n" in card.contents:
        n = card.contents["n"][0].value
        values["first_name"] = str(getattr(n, "given", "") or "").strip()
        values["last_name"] = str(getattr(n, "family", "") or "").strip()
        values["middle_name"] = str(getattr(n, "additional", "") or "").strip()
    fn = _values(card, "fn")
    if fn:
        values["full_name"] = fn[0]
    org = card.contents.get("org")
    if org:
        parts = org[0].value
        values["company"] = (parts[0] if isinstance(parts, list) and parts else str(parts)).strip()
    for field, prop in (("title", "title"), ("notes", "note")):
        found = _values(card, prop)
        if found:
            values[field] = found[0]
    urls = [u for u in _values(card, "url") if "linkedin.com" in u.lower()]
    if urls:
        values["linkedin"] = urls[0]
    return RawRecord(record=position, raw=raw, values=values)


def read_vcard(fp: IO[bytes], name: str = "") -> Iterator[RawRecord]:
    """Cards of a .vcf file as raw records (1-based `record` = n-th top-level card)."""
    text = decode(fp.read(), name)
    for position, chunk in enumerate(split_cards(text), start=1):
        try:
            card = vobject.readOne(chunk, ignoreUnreadable=True)
        except Exception as exc:  # vobject raises many types for broken cards
            yield RawRecord(
                record=position,
                raw={"card": chunk[:2000]},
                problem=f"unreadable vCard: {exc}".splitlines()[0][:300],
            )
            continue
        yield card_to_record(card, position)
