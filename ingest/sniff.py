"""Detect a file's format and text encoding from its content, not its name."""

from __future__ import annotations

import codecs
import re

from contacts.errors import InputError

UNREADABLE = "\ufffd"  # what `decode` puts for bytes it cannot read
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_VCARD = re.compile(rb"^\s*(#[^\n]*\n\s*)*BEGIN:VCARD", re.IGNORECASE)


def decode(data: bytes, name: str = "") -> str:
    """Bytes to text: BOMs first (UTF-16 LE/BE, UTF-8), then UTF-8, then line by line.

    Outlook's "Unicode" CSV export is UTF-16 LE with a BOM; Excel on Windows writes 1252.
    A file that is not valid UTF-8 as a whole is decoded one line at a time (see
    `decode_line`), so one Windows-1252 row pasted into a UTF-8 file garbles nothing.
    Bytes that are neither become U+FFFD (`UNREADABLE`); the CSV reader quarantines
    records that hold one rather than store a garbled name.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")  # the fast path: nearly every export
    except UnicodeDecodeError:
        return "".join(map(decode_line, data.splitlines(keepends=True)))


def decode_line(line: bytes) -> str:
    """One line of a file that is not UTF-8 throughout: UTF-8, else Windows-1252, else U+FFFD.

    Windows-1252 is only trusted when the line holds no UTF-8 sequence: a line mixing
    both (b"Jos\xc3\xa9 M\xfcller") cannot be decoded right either way. For example
    b"J\xfcrgen" is "Jürgen", and b"J\xc3\xbcrgen\xfc" is "Jürgen" plus U+FFFD.
    """
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _UTF8_SEQUENCE.search(line):
        try:
            return line.decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in 1252
            pass
    return line.decode("utf-8", errors="replace")


# Documents that are not exports, by their first bytes (lower case): (signature, what).
_OTHER_FORMATS = (
    (b"%pdf", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls or Word .doc file; save it as .xlsx or CSV"),
    (b"{\\rtf", "an RTF document"),
    (b"<!doctype html", "a web page"),
    (b"<html", "a web page"),
)


def unknown_format(name: str, what: str) -> InputError:
    """The error for content that is no export (binary, a PDF, text without columns)."""
    return InputError(
        f"{name}: unknown format ({what}). followup reads vCard (.vcf), "
        "CSV and XLSX exports; export the contacts in one of those formats"
    )


def unreadable_reason(raw: dict[str, str]) -> str | None:
    """Why a record with bytes that were neither UTF-8 nor Windows-1252 is quarantined, or None.

    `raw`: field (column or vCard property) -> text as decoded.
    """
    bad = [header for header, cell in raw.items() if UNREADABLE in cell]
    if not bad:
        return None
    fields = ("field " if len(bad) == 1 else "fields ") + ", ".join(repr(h) for h in bad)
    return (
        f"unreadable bytes in {fields} (neither UTF-8 nor Windows-1252); "
        "re-export the file as UTF-8"
    )


def sniff(data: bytes, name: str = "") -> str:
    """The format of a file's content: 'vcard', 'xlsx' or 'csv'.

    Raises:
        InputError: the content is none of these (binary, empty, another format).
    """
    if not data.strip():
        raise InputError(f"{name}: the file is empty; export it again from the source app")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    start = data[:16].lstrip().lower()
    for signature, what in _OTHER_FORMATS:
        if start.startswith(signature):
            raise unknown_format(name, what)
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = decode(data[:8192]).encode("utf-8")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    if _VCARD.search(head):
        return "vcard"
    if name.lower().endswith((".xlsx", ".xlsm")) and not _is_text(head):
        raise InputError(
            f"{name}: not a valid .xlsx file (an .xlsx workbook is a ZIP archive; this file "
            f"is not one and is not text either: it starts with {data[:8]!r}); open the "
            "original in Excel or LibreOffice and save it again as .xlsx, or export it as CSV"
        )
    if _binary_share(head) > 0.1:
        raise unknown_format(name, "binary content")
    _refuse_nul(data, name)
    return "csv"


def _is_text(head: bytes) -> bool:
    """True for the start of a text file: UTF-8 (a sequence cut at the end is fine)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and _binary_share(head) == 0
    return _binary_share(head) == 0


def _refuse_nul(data: bytes, name: str) -> None:
    """Refuse text with a NUL byte, naming its line: no export holds one, PostgreSQL
    cannot store one, and it marks a damaged file (a crash while saving, a bad copy)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = decode(data)  # NUL bytes are half of every character here
        at = text.find("\x00")
        line = text.count("\n", 0, at) + 1
    else:
        at = data.find(b"\x00")
        line = data.count(b"\n", 0, at) + 1
    if at >= 0:
        raise InputError(
            f"{name}: line {line} contains a NUL byte (\\x00), which no CSV export holds; "
            "the file is damaged or not plain text. Export it again as CSV UTF-8 (or delete "
            "the NUL byte in a text editor), then ingest it again"
        )


def _binary_share(head: bytes) -> float:
    """Share of control bytes (NUL included; tab, line ends, form feed excluded)."""
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / max(len(head), 1)
