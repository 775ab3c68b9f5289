"""Export layouts other tools import: Google Contacts CSV, Outlook CSV, vCard 3.0 and 4.0.

Every CSV cell goes through `safe_cell` (spreadsheet formula injection); vCards are UTF-8,
CRLF, folded at 75 octets, and carry the contact's UID (`contacts.exportid`), full name,
EMAIL, TEL and the LinkedIn URL so that ingesting the exported file again matches
everyone (no new contacts) and keeps their names.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from contacts.errors import InputError

# Google's importer reads these headers (the layout of its own "Google CSV" export).
GOOGLE_COLUMNS = [
    "Name",
    "Given Name",
    "Family Name",
    "Notes",
    "Group Membership",
    "E-mail 1 - Type",
    "E-mail 1 - Value",
    "E-mail 2 - Type",
    "E-mail 2 - Value",
    "Phone 1 - Type",
    "Phone 1 - Value",
    "Organization 1 - Name",
    "Organization 1 - Title",
    "Website 1 - Type",
    "Website 1 - Value",
]
# Outlook's importer maps these headers by name ("Title" is the honorific, so it stays empty).
OUTLOOK_COLUMNS = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Title",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
    "Mobile Phone",
    "Business Phone",
    "Company",
    "Job Title",
    "Web Page",
    "Notes",
    "Categories",
]
VCARD_VERSIONS = ("3.0", "4.0")


# Strictly a phone number: `+`, digits, spaces, dashes, dots and brackets, 7+ digits.
_PHONE = re.compile(r"^[+(\d][\d\s().\-+]*$")
PHONE_MIN_DIGITS = 7


def is_phone(text: str) -> bool:
    """True for a value that is only phone numbers ('+16175550142', '+1 (617) 555-0142', or
    Google's '+16175550142 ::: +12065550117').

    Such a cell cannot run a formula with side effects (no names, references or calls are
    possible with those characters), so it is written as is: Google Contacts and Outlook
    would keep a guarding apostrophe as part of the number.
    """
    return all(
        _PHONE.match(part) and sum(c.isdigit() for c in part) >= PHONE_MIN_DIGITS
        for part in text.split(" ::: ")
    )


def safe_cell(value: Any) -> str:
    """Neutralize spreadsheet formulas: a cell starting with = + - @ (or tab/CR) gets a ',
    except a value that is strictly a phone number (`is_phone`).

    Example: safe_cell("=HYPERLINK(...)") == "'=HYPERLINK(...)"; safe_cell("+16175550142")
    == "+16175550142"; safe_cell("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0".
    """
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not is_phone(text):
        return "'" + text
    return text


def profile_url(linkedin: str) -> str:
    """The stored profile ('linkedin.com/in/ann') as a URL other tools open."""
    if not linkedin or linkedin.lower().startswith(("http://", "https://")):
        return linkedin
    return "https://www." + linkedin.removeprefix("www.")


def _notes(row: dict[str, Any]) -> str:
    return "Met at: " + ", ".join(row["events"]) if row["events"] else ""


def _google(row: dict[str, Any]) -> list[str]:
    emails, phones = row["emails"], row["phones"]
    groups = " ::: ".join(["* myContacts", *row.get("tags", [])])
    return [
        row["full_name"],
        row["first_name"],
        row["last_name"],
        _notes(row),
        groups,
        "* Work" if emails else "",
        emails[0] if emails else "",
        "Other" if len(emails) > 1 else "",
        " ::: ".join(emails[1:]),
        "Mobile" if phones else "",
        " ::: ".join(phones),
        row["company"],
        row["title"],
        "LinkedIn" if row.get("linkedin") else "",
        profile_url(row.get("linkedin", "")),
    ]


def _outlook(row: dict[str, Any]) -> list[str]:
    emails, phones = row["emails"] + ["", "", ""], row["phones"] + ["", ""]
    return [
        row["first_name"],
        "",
        row["last_name"],
        "",
        emails[0],
        emails[1],
        "; ".join(e for e in emails[2:] if e),
        phones[0],
        "; ".join(p for p in phones[1:] if p),
        row["company"],
        row["title"],
        profile_url(row.get("linkedin", "")),
        _notes(row),
        ";".join(row.get("tags", [])),
    ]


LAYOUTS: dict[str, tuple[list[str], Callable[[dict[str, Any]], list[str]]]] = {
    "google": (GOOGLE_COLUMNS, _google),
    "outlook": (OUTLOOK_COLUMNS, _outlook),
}


def layout_csv(rows: list[dict[str, Any]], layout: str) -> str:
    """Contacts (JSON-form rows) as CSV in Google's or Outlook's import layout."""
    if layout not in LAYOUTS:
        raise InputError(f"--layout {layout!r}: use google or outlook (or leave it out)")
    columns, convert = LAYOUTS[layout]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in convert(row)])
    return out.getvalue()


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 6350 3.2)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def middle_names(full: str, first: str, last: str) -> str:
    """The names between the given name and the surname of a full name, if it has them.

    Example: middle_names('Juan Carlos García López', 'Juan', 'López') == 'Carlos García';
    a full name that does not read first ... last ('山田太郎') has none.
    """
    if not first:
        return ""
    head = first + " "
    tail = " " + last if last else ""
    if full.startswith(head) and full.endswith(tail) and len(full) > len(head) + len(tail):
        return full[len(head) : len(full) - len(tail)].strip()
    return ""


def vcard_names(row: dict[str, Any]) -> tuple[str, str]:
    """(FN, N) values, escaped, that read back as the contact's own name.

    N carries every given, middle and family name the contact has, so that ingesting the
    card gives the same full name ('N:López;Juan;Carlos García;;'). A contact with neither
    a given name nor a surname has no name of its own (it was made from an address, or
    has none): FN and N are left empty, so the card is named from its address again
    instead of from the address's user name read as a person's name.
    """
    first, last, full = row["first_name"], row["last_name"], row["full_name"]
    if not (first or last):
        return "", ";;;;"
    name = full or " ".join(p for p in (first, last) if p)
    middle = middle_names(name, first, last)
    return _escape(name), f"{_escape(last)};{_escape(first)};{_escape(middle)};;"


def vcard(row: dict[str, Any], version: str) -> str:
    """One contact as a vCard of the given version (with its `uid`, when the row has one)."""
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if version == "4.0":
        lines.append("KIND:individual")
    if row.get("uid"):
        lines.append("UID:" + row["uid"])
    fn, n = vcard_names(row)
    lines.append("FN:" + fn)
    lines.append("N:" + n)
    if row["company"]:
        lines.append("ORG:" + _escape(row["company"]))
    if row["title"]:
        lines.append("TITLE:" + _escape(row["title"]))
    for i, email in enumerate(row["emails"]):
        pref = (";PREF=1" if version == "4.0" else ",PREF") if i == 0 else ""
        kind = "TYPE=work" if version == "4.0" else "TYPE=INTERNET"
        lines.append(f"EMAIL;{kind}{pref}:{email}")
    for phone in row["phones"]:
        if version == "4.0":
            lines.append(f"TEL;VALUE=uri;TYPE=cell:tel:{phone.replace(' ', '')}")
        else:
            lines.append(f"TEL;TYPE=CELL:{phone}")
    if row.get("linkedin"):
        lines.append("URL;TYPE=linkedin:" + profile_url(row["linkedin"]))
    if row.get("tags"):
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in row["tags"]))
    if row["events"]:
        lines.append("NOTE:" + _escape(_notes(row)))
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


def vcards(rows: list[dict[str, Any]], version: str = "3.0") -> str:
    """All contacts as vCards of one version, in one UTF-8 text."""
    if version not in VCARD_VERSIONS:
        raise InputError(f"--vcard-version {version!r}: use 3.0 or 4.0")
    return "".join(vcard(row, version) for row in rows)
