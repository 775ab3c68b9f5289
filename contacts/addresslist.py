"""A list of addresses to suppress, read from a file: one address per line, or a CSV (an
export) with an email column. A row that holds no usable address is named, never dropped
in silence.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from contacts.errors import InputError

_ADDRESS = re.compile(r"[^\s,;<>\"'@]+@[^\s,;<>\"'@]+")
_DELIMITERS = (",", ";", "\t")


@dataclass
class AddressList:
    addresses: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per row that was skipped


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a folder; give the file that lists the addresses") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as UTF-8 text ({exc})") from exc


def _email_columns(first: str) -> tuple[str, list[int]] | None:
    """(delimiter, email column indexes) when the first line is a header naming an email
    column (`email`, `Email Address`, `E-mail 1 - Value`), else None."""
    if "@" in first:
        return None
    delimiter = max(_DELIMITERS, key=first.count)  # the one that splits the header most
    cells = next(csv.reader([first], delimiter=delimiter), [])
    columns = [i for i, cell in enumerate(cells) if "mail" in cell.lower()]
    return (delimiter, columns) if columns else None


def read_address_list(path: Path) -> AddressList:
    """Every address in the file, and a line naming each row skipped.

    Example: a file "a@x.example\\nnot-an-email\\n" gives addresses ["a@x.example"] and
    skipped ["FILE row 2: 'not-an-email' is not an email address; skipped"].
    """
    text = _read_text(path)
    lines = text.splitlines()
    found = AddressList()
    first = next((line for line in lines if line.strip()), "")
    header = _email_columns(first)
    if header is not None:
        delimiter, columns = header
        reader = csv.reader(lines, delimiter=delimiter)
        next(reader)  # the header
        for row in reader:
            cells = [row[i].strip() for i in columns if i < len(row) and row[i].strip()]
            if not cells:
                if any(cell.strip() for cell in row):
                    found.skipped.append(f"{path} row {reader.line_num}: no email address; skipped")
                continue
            for cell in cells:
                if _ADDRESS.fullmatch(cell.strip("<>")):
                    found.addresses.append(cell.strip("<>"))
                else:
                    found.skipped.append(_not_an_address(path, reader.line_num, cell))
        return found
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        addresses = _ADDRESS.findall(line)  # "Maria Garcia <maria@x.example>" is fine
        if addresses:
            found.addresses.extend(addresses)
        else:
            found.skipped.append(_not_an_address(path, number, line.strip()))
    if not found.addresses and not found.skipped:
        raise InputError(f"{path}: no email address found; put one address on each line")
    return found


def _not_an_address(path: Path, row: int, value: str) -> str:
    return f"{path} row {row}: {value!r} is not an email address; skipped"
