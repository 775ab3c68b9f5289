"""Redact a person from the export files the drop folder keeps (`followup contacts forget`).

The drop folder moves every file it took in to `processed/<event>/` or `failed/<event>/`
(with an `.error.txt` note) beside the inbox; those originals still hold the person's row.
`redact_stored_exports` rewrites them without it:

- CSV / TSV / PSV (any delimiter): every record that mentions one of the addresses, phone
  numbers or LinkedIn profiles is dropped; the header and every other record are kept byte
  for byte, in the file's own encoding (a UTF-8 or UTF-16 byte-order mark is kept);
- vCard: the matching cards are dropped, everything else is kept as it was;
- XLSX: the matching rows are deleted from every sheet (openpyxl rewrites the workbook);
- `.error.txt` notes: mentions of an address are replaced by `[forgotten]`.

A phone matches when a run of digits (spaces, dots, dashes, brackets and `+` allowed
between them) ends with the last nine digits of one of the person's numbers: `+1 (617)
555-0142` and `617.555.0142` both match `+16175550142`.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.dropfolder import ERROR_SUFFIX, outbound_dirs

PHONE_TAIL = 9  # digits compared at the end of a number: the national number, mostly
_PHONE_RUN = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_CARD = re.compile(r"BEGIN:VCARD.*?END:VCARD[^\S\n]*(?:\r?\n)?", re.IGNORECASE | re.DOTALL)
_FOLD = re.compile(r"\r?\n[ \t]")
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


@dataclass(frozen=True)
class Person:
    """What identifies the person in a file: lower-cased addresses and phone digit tails."""

    emails: frozenset[str]
    phone_tails: frozenset[str]
    profiles: frozenset[str] = frozenset()  # 'linkedin.com/in/ann', lower case

    @classmethod
    def of(
        cls, emails: Iterable[str], phones: Iterable[str], profiles: Iterable[str] = ()
    ) -> Person:
        tails = {re.sub(r"\D", "", p)[-PHONE_TAIL:] for p in phones}
        return cls(
            frozenset(e.strip().lower() for e in emails if e.strip()),
            frozenset(t for t in tails if len(t) >= 7),
            frozenset(p.strip().lower().rstrip("/") for p in profiles if "/in/" in p),
        )

    def in_text(self, text: str) -> bool:
        """True when the text mentions one of the addresses, phone numbers or LinkedIn
        profiles (a whole profile: 'linkedin.com/in/ann' is not found in '.../in/anna')."""
        lowered = text.lower()
        if any(e in lowered for e in self.emails):
            return True
        for profile in self.profiles:
            if re.search(re.escape(profile) + r"(?![\w%-])", lowered):
                return True
        for run in _PHONE_RUN.findall(text):
            digits = re.sub(r"\D", "", run)
            if any(digits.endswith(tail) for tail in self.phone_tails):
                return True
        return False


def _decode(data: bytes) -> tuple[str, str, bytes]:
    """(text, codec, byte-order mark): what `ingest.sniff.decode` reads, reversibly."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="surrogateescape"), codec, bom
    try:
        return data.decode("utf-8"), "utf-8", b""
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="surrogateescape"), "cp1252", b""


def _encode(text: str, codec: str, bom: bytes) -> bytes:
    return bom + text.encode(codec, errors="surrogateescape")


def _records(text: str) -> list[str]:
    """The file's records with their line ends; a quoted field may hold line breaks."""
    records: list[str] = []
    pending = ""
    for line in _LINE.findall(text):
        pending += line
        if pending.count('"') % 2 == 0:
            records.append(pending)
            pending = ""
    if pending:
        records.append(pending)
    return records


def redact_delimited(text: str, person: Person) -> tuple[str, int]:
    """The CSV/TSV/PSV text without the person's records (the first record, the header,
    is always kept); returns (text, records dropped)."""
    records = _records(text)
    kept = records[:1] + [r for r in records[1:] if not person.in_text(r)]
    return "".join(kept), len(records) - len(kept)


def redact_vcards(text: str, person: Person) -> tuple[str, int]:
    """The vCard text without the person's cards; returns (text, cards dropped)."""
    dropped = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal dropped
        if person.in_text(_FOLD.sub("", match.group(0))):
            dropped += 1
            return ""
        return match.group(0)

    return _CARD.sub(drop, text), dropped


def redact_xlsx(data: bytes, person: Person) -> tuple[bytes, int]:
    """The workbook without the rows that mention the person; returns (bytes, rows dropped)."""
    from openpyxl import load_workbook  # only when there is a workbook to redact

    book = load_workbook(io.BytesIO(data))
    dropped = 0
    for sheet in book.worksheets:
        for row in range(sheet.max_row, 0, -1):
            cells = [c.value for c in sheet[row]]
            if person.in_text(" | ".join("" if v is None else str(v) for v in cells)):
                sheet.delete_rows(row)
                dropped += 1
    if not dropped:
        return data, 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), dropped


def redact_file(path: Path, person: Person) -> int:
    """Rewrite one stored file without the person; returns the rows/cards dropped (or, for an
    `.error.txt` note, the mentions replaced). An unchanged file is not written."""
    data = path.read_bytes()
    if path.name.endswith(ERROR_SUFFIX):
        text, codec, bom = _decode(data)
        pattern = re.compile("|".join(re.escape(e) for e in sorted(person.emails)), re.I)
        changed, count = pattern.subn("[forgotten]", text) if person.emails else (text, 0)
        if count:
            path.write_bytes(_encode(changed, codec, bom))
        return count
    if data.startswith(b"PK\x03\x04"):
        new, dropped = redact_xlsx(data, person)
        if dropped:
            path.write_bytes(new)
        return dropped
    text, codec, bom = _decode(data)
    is_vcard = re.search(r"BEGIN:VCARD", text[:4096], re.IGNORECASE) is not None
    changed, dropped = (redact_vcards if is_vcard else redact_delimited)(text, person)
    if dropped:
        path.write_bytes(_encode(changed, codec, bom))
    return dropped


def stored_export_folders(inbox: Path) -> list[Path]:
    """Where the drop folder keeps exports: the inbox, and processed/ and failed/ beside it."""
    processed, failed = outbound_dirs(inbox)
    return [Path(inbox).resolve(), processed, failed]


def redact_stored_exports(inbox: Path, person: Person) -> list[tuple[Path, int]]:
    """Redact the person from every file under the drop folders; returns (file, dropped)
    for each file changed, in path order. Hidden files and READMEs are left alone."""
    changed = []
    for folder in stored_export_folders(inbox):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.name.startswith(".") or path.name.lower().startswith("readme"):
                continue
            if path.name == "event.toml":
                continue
            dropped = redact_file(path, person)
            if dropped:
                changed.append((path, dropped))
    return changed


def files_mentioning(paths: Iterable[Path], person: Person) -> list[Path]:
    """Those of the files (e.g. ingested from elsewhere) that still mention the person."""
    found = []
    for path in sorted(set(paths)):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"PK\x03\x04"):
            if redact_xlsx(data, person)[1]:
                found.append(path)
        elif person.in_text(_FOLD.sub("", _decode(data)[0])):
            found.append(path)
    return found


def redact_person(
    inbox: Path | None,
    emails: Iterable[str],
    phones: Iterable[str],
    sources: Iterable[Path],
    profiles: Iterable[str] = (),
) -> tuple[list[tuple[Path, int]], list[Path]]:
    """After `contacts.forget.forget`: redact the copies the drop folder keeps for `inbox`
    and list the other ingested `sources` that still mention the person (left unchanged:
    they are the user's own files). Returns (redacted files with rows cut, still mentioned).
    """
    person = Person.of(emails, phones, profiles)
    redacted: list[tuple[Path, int]] = []
    others = set(sources)
    if inbox is not None:
        redacted = redact_stored_exports(inbox, person)
        kept = stored_export_folders(inbox)
        others = {p for p in others if not any(p.resolve().is_relative_to(f) for f in kept)}
    return redacted, files_mentioning(others, person)
