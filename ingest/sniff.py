"""Detect a file's format and text encoding from its content, not its name."""

from __future__ import annotations

import codecs
import re

from contacts.errors import InputError

_VCARD = re.compile(rb"^\s*(#[^\n]*\n\s*)*BEGIN:VCARD", re.IGNORECASE)


def decode(data: bytes, name: str = "") -> str:
    """Bytes to text: BOMs first (UTF-8, UTF-16 LE/BE), then UTF-8, then Windows-1252.

    Outlook's "Unicode" CSV export is UTF-16 LE with a BOM; Excel on Windows writes 1252.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff(data: bytes, name: str = "") -> str:
    """The format of a file's content: 'vcard', 'xlsx' or 'csv'.

    Raises:
        InputError: the content is none of these (binary, empty, another format).
    """
    if not data.strip():
        raise InputError(f"{name}: the file is empty; export it again from the source app")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = decode(data[:8192]).encode("utf-8")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    if _VCARD.search(head):
        return "vcard"
    if b"\x00" in head or _binary_share(head) > 0.1:
        raise InputError(
            f"{name}: unknown format (binary content). followup reads vCard (.vcf), "
            "CSV and XLSX exports; export the contacts in one of those formats"
        )
    return "csv"


def _binary_share(head: bytes) -> float:
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / max(len(head), 1)
