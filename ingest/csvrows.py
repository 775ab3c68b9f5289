"""CSV rows with their line numbers, and a guard against a quote that swallows rows.

A stray `"` at the start of a field opens a quoted field that, by the CSV rules, runs on
over the line ends until the next `"`. Python's csv module (like Excel) accepts that
quietly, so one typo can turn every later row into the notes of one person. A quoted
field that spans lines is legitimate (notes with newlines), so a row that spans lines is
refused only when its quote is still open at the end of the file, or when a line it
swallowed looks like a row of its own (as many cells as the header, or one more for a
trailing delimiter, and an email, phone or profile URL in the column that holds them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from contacts.errors import InputError

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[\d\s()./-]+")
_URL = re.compile(r"(https?://|www\.)\S+$", re.IGNORECASE)
FIX = (
    'add the closing quote where the field ends (a " inside a quoted field is written '
    '""), or remove the opening quote, then ingest the file again; nothing from this '
    "file was stored"
)


class _Lines:
    """An iterator over physical lines that remembers the lines csv.reader took."""

    def __init__(self, text: str) -> None:
        # newline="": lines end at \n, \r\n or a lone \r, and are passed on unchanged,
        # which is how the csv module wants its input (a lone \r is an old Mac export).
        self._lines = io.StringIO(text, newline="")
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


class CsvRows:
    """The rows of CSV text that starts at its header line, checked as they are read.

    `first_line` is the header's 1-based line number in the file; `headers` (made unique)
    and `identity` (indexes of the email and phone columns) come from the caller once the
    header is read, and are used only to describe a runaway quote.

    Example: for 'Name,Email,Notes\\nBea,bea@x.org,"12"" screen\\nCy,cy@x.org,ok\\n',
    iterating raises InputError("...: record 1 (line 2), field 'Notes': a quote (\\")
    opens there and is never closed ...").
    """

    def __init__(self, text: str, delimiter: str, name: str, first_line: int = 1) -> None:
        self._lines = _Lines(text)
        self._reader = csv.reader(self._lines, delimiter=delimiter)
        self.delimiter = delimiter
        self.name = name
        self.line = first_line  # 1-based line number of the next line to read
        self.record = 0  # non-blank rows after the header, as `records_from_table` counts
        self.headers: list[str] = []
        self.identity: list[int] = []

    def header(self) -> list[str]:
        """The first row (the header), or [] for empty text."""
        row = next(self, [])
        self.record = 0
        return row

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        row = next(self._reader)
        taken, self._lines.taken = self._lines.taken, []
        start, self.line = self.line, self.line + len(taken)
        if any(cell.strip() for cell in row):
            self.record += 1
        if len(taken) > 1 and self.headers:
            self._check_spanning(row, taken, start)
        return row

    def _check_spanning(self, row: list[str], taken: list[str], start: int) -> None:
        """Refuse a row whose quoted field is open at the end or swallowed another row."""
        column = next((i for i, cell in enumerate(row) if "\n" in cell or "\r" in cell), 0)
        opens = start + sum(_breaks(cell) for cell in row[:column])
        where = f"{self.name}: record {self.record} (line {opens}), field {self._header(column)!r}"
        if _open_at_end("".join(taken), self.delimiter):
            last = start + len(taken) - 1
            raise InputError(
                f'{where}: a quote (") opens there and is never closed, so every line '
                f"after it (lines {opens + 1}-{last}) was read into this field; {FIX}"
            )
        for offset, text in enumerate(taken[1:], start=1):
            if self._looks_like_row(text):
                raise InputError(
                    f'{where}: a quote (") opens there and is not closed before line '
                    f"{start + offset}, which looks like a row of its own "
                    f"({text.strip()[:60]!r}); {FIX}"
                )

    def _header(self, column: int) -> str:
        return self.headers[column] if column < len(self.headers) else f"column {column + 1}"

    def _looks_like_row(self, text: str) -> bool:
        """As many cells as the header (or one more: a trailing delimiter), with an
        address, a phone or a profile URL in the column that holds them."""
        cells = next(csv.reader([text], delimiter=self.delimiter), [])
        if len(cells) not in (len(self.headers), len(self.headers) + 1) or len(cells) < 2:
            return False
        for index in self.identity:
            cell = cells[index].strip()
            if _EMAIL.fullmatch(cell) or _URL.match(cell):
                return True
            if _PHONE.fullmatch(cell) and sum(c.isdigit() for c in cell) >= 7:
                return True
        return False


def _breaks(cell: str) -> int:
    return len(cell.splitlines()) - 1 if cell else 0


def _open_at_end(text: str, delimiter: str) -> bool:
    """True when `text` (one CSV record) ends inside a quoted field.

    csv.reader accepts that silently; with a line appended, an open field takes the line
    in as well (one row), a closed one does not (two or more rows).
    """
    rows = csv.reader(io.StringIO(text + "\nx", newline=""), delimiter=delimiter)
    return sum(1 for _ in rows) == 1
