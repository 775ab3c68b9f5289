"""vCard content lines from raw bytes, before any card is assembled.

Real clients write vCards that strict parsers choke on, so the bytes are cleaned up here
and each content line's name and parameters are then parsed by vobject (`parseLine`):

- line endings CRLF, LF, lone CR and iOS's CR CR LF all end a line;
- folding with a space or a tab anywhere (inside emails and phones too) is undone;
- quoted-printable soft breaks (`=` at the end of a line) join the next line verbatim, also
  when Outlook did not indent it, and also when it splits a multibyte character (the value
  is decoded to bytes first, and only then to text with the property's CHARSET);
- CHARSET is honoured per property (UTF-8, Windows-1252, Shift_JIS, ...); a missing or
  invalid name falls back to UTF-8, then Windows-1252;
- base64 PHOTO/KEY/SOUND/LOGO values may run on unindented lines, be broken or never end:
  they are skipped, never decoded;
- `#` comment lines and stray lines that are not content lines are dropped.
"""

from __future__ import annotations

import codecs
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from vobject.base import ParseError, parseLine

from ingest.sniff import decode_line

# A content line starts with [group.]NAME followed by ';' (parameters) or ':' (value).
_CONTENT = re.compile(rb"^\s*(?:[A-Za-z0-9_-]+\.)?[A-Za-z][A-Za-z0-9_-]*\s*[;:]")
_NAME = re.compile(rb"^\s*(?:([A-Za-z0-9_-]+)\.)?([A-Za-z][A-Za-z0-9_-]*)")
_QP = re.compile(rb"QUOTED-PRINTABLE", re.IGNORECASE)
_B64 = re.compile(rb"[;:]\s*(?:ENCODING\s*=\s*)?(?:BASE64|B)\s*[;:]", re.IGNORECASE)
BINARY = {b"PHOTO", b"LOGO", b"SOUND", b"KEY"}
# Properties whose values we read; everything else is kept in `raw` undecoded.
WANTED = {
    b"BEGIN", b"END", b"VERSION", b"FN", b"N", b"EMAIL", b"TEL", b"ORG", b"TITLE",
    b"NOTE", b"URL", b"X-SOCIALPROFILE", b"NICKNAME",
}  # fmt: skip
_ESCAPE = re.compile(r"\\([\\;,:nN])")


@dataclass
class Property:
    """One content line: name (upper case), group, parameters and the decoded value."""

    name: str
    value: str
    group: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def types(self) -> list[str]:
        """TYPE values, upper case (2.1 bare parameters count as types)."""
        return [t.upper() for t in self.params.get("TYPE", [])]


def physical_lines(data: bytes) -> list[bytes]:
    """Lines of the file with any of CR CR LF, CR LF, LF or a lone CR as the end."""
    if b"\r" in data:
        data = data.replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data.split(b"\n")


@lru_cache(maxsize=4096)
def _kind(head: bytes) -> tuple[bool, bool, bool]:
    """(is a content line, quoted-printable, base64) from the part before the first ':'."""
    return (
        bool(_CONTENT.match(head + b":")),
        bool(_QP.search(head)),
        bool(_B64.search(head + b":")),
    )


def logical_lines(data: bytes) -> Iterator[bytes]:
    """Unfolded content lines (still bytes: the charset is per property)."""
    current: bytes | None = None
    qp = b64 = False
    for line in physical_lines(data):
        if current is not None:
            if qp and current.endswith(b"="):
                current = current[:-1] + line  # soft break: the next line is verbatim
                continue
            if line[:1] in (b" ", b"\t"):
                current += line.strip() if b64 else line[1:]
                continue
            if b64 and line.strip() and not _CONTENT.match(line):
                continue  # base64 written on unindented lines: skipped, never decoded
            yield current
            current = None
        if line[:1] in (b" ", b"\t", b"#", b""):
            line = line.lstrip()
            if not line:
                b64 = False  # a blank line ends a 2.1 base64 value
                continue
            if line[:1] == b"#":
                continue  # comment line
        colon = line.find(b":")
        content, qp, b64 = _kind(line[:colon]) if colon > 0 else (False, False, False)
        if content:
            current = line
    if current is not None:
        yield current


def _split_head(line: bytes) -> tuple[bytes, bytes]:
    """(name and parameters, value) split at the first ':' outside double quotes."""
    if b'"' not in line:
        head, _, value = line.partition(b":")
        return head, value
    quoted = False
    for index, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return line[:index], line[index + 1 :]
    return line, b""


def _codec(charset: str) -> str | None:
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    return "cp932" if name == "shift_jis" else name  # cp932: what phones really write


def decode_value(value: bytes, charset: str = "") -> str:
    """Bytes to text with the declared charset, else UTF-8, else Windows-1252.

    A value that mixes UTF-8 and Windows-1252, or has bytes neither can read, gets U+FFFD
    (see `ingest.sniff.decode_line`): the card is then quarantined, not stored garbled.
    """
    codec = _codec(charset) if charset else None
    if codec:
        return value.decode(codec, errors="replace")
    return decode_line(value)


def unescape(text: str) -> str:
    r"""Undo vCard escapes (`\,` `\;` `\:` `\\` `\n`); other backslashes stay as written."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def split_structured(text: str) -> list[str]:
    r"""'Gump;Sales\;Dept' -> ['Gump', 'Sales;Dept'] (split on unescaped ';', unescaped)."""
    if "\\" not in text:
        return text.split(";")
    parts = [""]
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            parts[-1] += text[index : index + 2]
            index += 2
            continue
        if char == ";":
            parts.append("")
        else:
            parts[-1] += char
        index += 1
    return [unescape(p) for p in parts]


@lru_cache(maxsize=4096)
def _params(head: str) -> dict[str, list[str]]:
    """Parameters of a content line's head, parsed by vobject (heads repeat: cached)."""
    try:
        _, pairs, _, _ = parseLine(head + ":")
    except ParseError:
        return {}
    params: dict[str, list[str]] = {}
    for pair in pairs:
        if len(pair) == 1:  # vCard 2.1 bare parameter: TEL;CELL;PREF
            bare = pair[0].upper()
            key = "ENCODING" if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT") else "TYPE"
            params.setdefault(key, []).append(bare)
        else:
            key = pair[0].upper()
            values = [v.upper() if key == "ENCODING" else v for v in pair[1:] if v]
            params.setdefault(key, []).extend(values)
    return params


@lru_cache(maxsize=4096)
def _head(head: bytes) -> tuple[str, str, bool, dict[str, list[str]]] | None:
    """(NAME, group, read the value?, parameters) of a line's head; None if no name."""
    found = _NAME.match(head)
    if not found:
        return None
    name = found.group(2).upper()
    group = (found.group(1) or b"").decode("ascii", "replace")
    if name in BINARY or (name not in WANTED and not name.startswith(b"X-")):
        return name.decode(), group, False, {}
    return name.decode(), group, True, _params(head.decode("utf-8", errors="replace"))


def parse_property(line: bytes) -> Property | None:
    """A content line as a `Property`; binary and unused values are not decoded."""
    head, value = _split_head(line)
    info = _head(head)
    if info is None:
        return None
    name, group, wanted, params = info
    if not wanted:
        if name.encode() in BINARY:
            return Property(name, f"[{len(value)} bytes not read]", group)
        return Property(name, value[:500].decode("utf-8", "replace"), group)
    if "QUOTED-PRINTABLE" in params.get("ENCODING", ()):
        value = quopri.decodestring(value)
    charset = params["CHARSET"][0] if params.get("CHARSET") else ""
    return Property(name, decode_value(value, charset).strip("\r\n"), group, params)
