"""Header profiles: map export columns onto canonical fields by alias, never by position.

Headers are compared case-, space- and punctuation-insensitively ('E-mail Address',
'email_address' and 'EmailAddress' are the same key).
"""

from __future__ import annotations

import re

from contacts.errors import InputError

ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": (
        "firstname", "givenname", "first", "forename", "vorname", "prenom", "studentfirstname",
    ),
    "middle_name": ("middlename", "additionalname"),
    "last_name": (
        "lastname", "familyname", "surname", "last", "nachname", "nom", "studentlastname",
    ),
    "full_name": ("name", "fullname", "displayname", "attendeename", "contactname"),
    "prefix": ("nameprefix", "salutation", "honorific"),
    "suffix": ("namesuffix", "suffix"),
    "company": (
        "company", "companyname", "organization", "organisation", "organizationname",
        "organization1name", "employer", "institution", "org", "firma", "entreprise",
        "unternehmen", "societe",
    ),
    "title": (
        "title", "jobtitle", "position", "organizationtitle", "organization1title", "role",
    ),
    "linkedin": ("linkedin", "linkedinurl", "linkedinprofile", "profileurl", "url"),
    "notes": ("notes", "note", "comments", "comment", "boothnotes"),
    "rating": ("rating", "leadrating", "evaluationrating", "score", "leadscore"),
    "captured_by": ("capturedby", "scannedby", "leadowner", "collectedby", "staff"),
    "captured_at": (
        "capturedat", "scannedat", "scandate", "capturedate", "captureddate", "scantime",
    ),
    "country": ("country", "countrycode"),
    "badge_id": (
        "badgeid", "barcode", "badge", "attendeeid", "registrationid", "referenceid",
        "badgenumber", "badgebarcode", "identifier",
    ),
    "status": ("attendeestatus", "ticketstatus", "registrationstatus"),
}  # fmt: skip
_EMAIL = re.compile(
    r"^(e?mail|emailaddress|primaryemail|secondaryemail|workemail|personalemail|"
    r"studentemailaddress|studentemail|businessemail|attendeeemail|emailadresse)"
    r"\d*(address|value)?$|^e?mail\d+(address|value)$"
)
_PHONE = re.compile(
    r"^(phone|phonenumber|telephone|tel|mobile|mobilephone|mobilenumber|cellphone|cell|"
    r"workphone|businessphone|homephone|primaryphone|otherphone|carphone|mobilenumber|"
    r"phonework|phonemobile|telefon|handy)\d*(value)?$|^phone\d+value$"
)
# Columns kept in a sighting's raw fields but not as lead metadata: labels and types of
# numbered values, and address-book fields that say nothing about a meeting.
_NOISE = re.compile(
    r"^(e?mail|phone|address|website|organization|event|relation|im|customfield)\d*"
    r"(label|type|displayname)$|^e?mail\d*(type|displayname)$|^(birthday|anniversary|"
    r"gender|initials|mileage|sensitivity|priority|private|billinginformation|"
    r"directoryserver|groupmembership|labels|photo|fileas)$"
)
# Field names `--map "Column=field"` accepts ('email' and 'phone' may repeat).
MAP_FIELDS: tuple[str, ...] = ("email", "phone", *sorted(f for f in ALIASES if f != "status"))
_LOOKUP = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


def header_key(header: str) -> str:
    """'E-mail 2 Address' -> 'email2address'."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def map_headers(headers: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Column name -> canonical field for every column we understand.

    `overrides` ('E-Mail Adresse' -> 'email') come from `--map` and win over aliases.
    An Outlook export has both 'Title' (an honorific) and 'Job Title': then 'Title' is
    the prefix.
    """
    keys = {h: header_key(h) for h in headers}
    has_job_title = any(k == "jobtitle" for k in keys.values())
    over = {header_key(k): v for k, v in (overrides or {}).items()}
    mapping: dict[str, str] = {}
    for header, key in keys.items():
        if key in over:
            field = over[key]
            mapping[header] = (
                "emails" if field == "email" else "phones" if field == "phone" else field
            )
        elif _EMAIL.match(key):
            mapping[header] = "emails"
        elif _PHONE.match(key):
            mapping[header] = "phones"
        elif key == "title" and has_job_title:
            mapping[header] = "prefix"
        elif key in _LOOKUP:
            mapping[header] = _LOOKUP[key]
    return mapping


def check_map_field(field: str, where: str = "--map") -> str:
    """A `--map` target field, or an InputError listing the valid names ('emial' -> error)."""
    if field not in MAP_FIELDS:
        raise InputError(
            f"{where}: {field!r} is not a field followup knows; use one of {', '.join(MAP_FIELDS)}"
        )
    return field


def check_map_columns(name: str, headers: list[str], overrides: dict[str, str] | None) -> None:
    """Refuse a `--map` column that is not in the file, listing the headers seen."""
    keys = {header_key(h) for h in headers}
    for column in overrides or {}:
        if header_key(column) not in keys:
            seen = ", ".join(repr(h) for h in headers[:20]) or "(none)"
            raise InputError(
                f"{name}: the --map column {column!r} is not in this file. Headers seen: "
                f"{seen}. Copy the column name as it is written there (a --map applies to "
                "every CSV/XLSX file of the command; ingest files with other columns "
                "in a separate command)"
            )


def mapped_by_override(cells: list[str], overrides: dict[str, str] | None) -> bool:
    """True when one of the cells is a column named by `--map`."""
    if not overrides:
        return False
    over = {header_key(k) for k in overrides}
    return any(header_key(c) in over for c in cells)


def is_noise(header: str) -> bool:
    """True for columns that are not worth keeping as lead metadata ('E-mail 1 - Label')."""
    return bool(_NOISE.match(header_key(header)))


def identifies_people(mapping: dict[str, str]) -> bool:
    """True when the columns include a name, an email, a phone or a badge id."""
    wanted = {"full_name", "first_name", "last_name", "emails", "phones", "badge_id"}
    return bool(wanted & set(mapping.values()))


def refuse_unknown_layout(
    name: str, headers: list[str], overrides: dict[str, str] | None = None
) -> InputError:
    """The error for a file whose columns name no person, listing what was seen."""
    seen = ", ".join(repr(h) for h in headers[:20]) or "(none)"
    if overrides:  # the user mapped columns already: say what is still missing
        return InputError(
            f"{name}: no name, email or phone column found. Headers seen: {seen}. "
            "The --map columns given name no person; also map a column to email, phone, "
            'full_name, first_name, last_name or badge_id, e.g. --map "Kontakt=full_name"'
        )
    return InputError(
        f"{name}: no name, email or phone column found. Headers seen: {seen}. "
        'Tell followup which column is which, e.g. --map "E-Mail Adresse=email" '
        '--map "Nom complet=full_name"'
    )
