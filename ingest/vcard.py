"""vCard reader: one raw record per card; one bad card never stops the file.

Content lines come from `ingest.vcardlines` (which undoes what real clients break and
uses vobject to parse each line's parameters). Cards are assembled here: several per
file, nested cards (each its own record, numbered in the order they begin), missing
VERSION or END:VCARD, `item1.`/named groups with X-ABLabel.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO

from contacts.records import RawRecord
from ingest.sniff import UNREADABLE, unreadable_reason
from ingest.vcardlines import Property, logical_lines, parse_property, split_structured, unescape

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
RAW_LIMIT = 2000


def _name_from_n(parts: list[str]) -> str:
    """A display name from N (family;given;additional;prefix;suffix) when FN is missing."""
    family, given, middle = (parts + ["", "", ""])[:3]
    if _CJK.search(family + given):
        return "".join(p for p in (family, given, middle) if p)
    return " ".join(p for p in (given, middle, family) if p.strip())


def card_to_record(props: list[Property], position: int) -> RawRecord:
    """Map the properties of one card onto canonical fields."""
    raw: dict[str, str] = {}
    values: dict[str, object] = {"emails": [], "phones": []}
    labels: dict[str, str] = {}
    extra: dict[str, str] = {}
    for prop in props:
        key = f"{prop.group}.{prop.name}" if prop.group else prop.name
        raw[key] = f"{raw[key]} | {prop.value}" if key in raw else prop.value
        if prop.name == "X-ABLABEL" and prop.group:
            labels[prop.group] = prop.value
    for prop in props:
        name, value = prop.name, prop.value
        if name == "EMAIL" and value.strip():
            values["emails"].append(unescape(value).strip())  # type: ignore[attr-defined]
        elif name == "TEL" and value.strip():
            values["phones"].append(unescape(value).strip())  # type: ignore[attr-defined]
        elif name == "FN" and "full_name" not in values and value.strip():
            values["full_name"] = unescape(value).strip()
        elif name == "N" and "n" not in values:
            parts = [p.strip() for p in split_structured(value)]
            values["n"] = parts
            for field, index in (
                ("last_name", 0), ("first_name", 1), ("middle_name", 2), ("prefix", 3),
                ("suffix", 4),
            ):  # fmt: skip
                if len(parts) > index and parts[index]:
                    values[field] = parts[index]
        elif name == "ORG" and "company" not in values:
            units = split_structured(value)
            if units and units[0].strip():
                values["company"] = units[0].strip()
            if len(units) > 1 and "; ".join(u.strip() for u in units[1:] if u.strip()):
                extra["department"] = "; ".join(u.strip() for u in units[1:] if u.strip())
        elif name == "TITLE" and "title" not in values and value.strip():
            values["title"] = unescape(value).strip()
        elif name == "NOTE" and value.strip():
            note = unescape(value).strip()
            values["notes"] = f"{values['notes']}\n{note}" if "notes" in values else note
        elif name in ("URL", "X-SOCIALPROFILE") and "linkedin.com" in value.lower():
            values.setdefault("linkedin", unescape(value).strip())
        elif prop.group in labels and name != "X-ABLABEL":
            extra[labels[prop.group]] = unescape(value).strip()
    n_parts = values.pop("n", [])
    if "full_name" not in values and isinstance(n_parts, list) and _name_from_n(n_parts):
        values["full_name"] = _name_from_n(n_parts)
    raw = {k: v[:RAW_LIMIT] for k, v in raw.items()}
    return RawRecord(record=position, raw=raw, values=values, extra=extra)


def read_cards(data: bytes) -> Iterator[tuple[int, list[Property] | Exception]]:
    """(position, properties) per card in the order cards begin, nested ones included.

    A card with a line that cannot be read is yielded as (position, exception).
    """
    stack: list[tuple[int, list[Property]]] = []
    broken: dict[int, Exception] = {}
    done: list[tuple[int, list[Property]]] = []
    count = 0
    for line in logical_lines(data):
        try:
            prop = parse_property(line)
        except Exception as exc:  # noqa: BLE001 - quarantine the card, keep the file going
            if stack:
                broken.setdefault(stack[-1][0], exc)
            continue
        if prop is None:
            continue
        if prop.name == "BEGIN" and prop.value.strip().upper() == "VCARD":
            count += 1
            stack.append((count, []))
        elif prop.name == "END" and prop.value.strip().upper() == "VCARD":
            if stack:
                done.append(stack.pop())
        elif stack:
            stack[-1][1].append(prop)
        if not stack and done:
            yield from _finished(done, broken)
            done = []
    done.extend(stack)  # cards that never ended are still records
    yield from _finished(done, broken)


def _finished(
    done: list[tuple[int, list[Property]]], broken: dict[int, Exception]
) -> Iterator[tuple[int, list[Property] | Exception]]:
    for position, props in sorted(done, key=lambda item: item[0]):
        yield position, broken.get(position, props)


def _unreadable(record: RawRecord) -> str | None:
    """Why a card whose stored fields hold bytes no charset could read is quarantined.

    Only the fields kept on the sighting count (name, emails, phones, company, ...): a
    damaged part of the raw card that is not stored (a second ORG unit) is kept in `raw`.
    """
    bad = {
        name: str(value)
        for name, value in record.values.items()
        if UNREADABLE in (" ".join(value) if isinstance(value, list) else str(value))
    }
    return unreadable_reason(bad) if bad else None


def read_vcard(fp: IO[bytes], name: str = "") -> Iterator[RawRecord]:
    """Cards of a .vcf file as raw records (1-based `record` = n-th card as it begins).

    A UTF-16 file (with a BOM, as Windows tools write) is read as its UTF-8 equivalent.
    """
    data = fp.read()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    for position, card in read_cards(data):
        if isinstance(card, Exception):
            yield RawRecord(
                record=position,
                raw={},
                problem=f"unreadable vCard: {card}".splitlines()[0][:300],
            )
            continue
        try:
            record = card_to_record(card, position)
        except Exception as exc:  # noqa: BLE001 - one bad card never stops the file
            raw = {p.name: p.value[:RAW_LIMIT] for p in card}
            yield RawRecord(record=position, raw=raw, problem=f"unreadable vCard: {exc}"[:300])
            continue
        if not record.problem:
            record.problem = _unreadable(record)
        yield record
