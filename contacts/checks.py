"""Checks of event settings given by the user (options and `event.toml`), done up front.

A bad region or time zone would otherwise be stored and make every later phone number
or plan fail; each check names where the value came from and a value that works.
"""

from __future__ import annotations

import unicodedata
import zoneinfo

import phonenumbers

from contacts.errors import InputError

_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_REGION_HINTS = {"UK": "GB", "EN": "GB", "USA": "US", "GER": "DE", "D": "DE"}


def check_event_name(name: str, where: str = "--event") -> str:
    """The event name, stripped; an InputError when it is blank or holds a line break or
    another control character (it goes into subjects, reports and file names)."""
    if not name.strip():
        raise InputError(
            f'{where}: the event name is empty; give the event\'s name, e.g. "Spring Fair 2026"'
        )
    if any(unicodedata.category(c) == "Cc" for c in name.strip()):
        raise InputError(
            f"{where}: {name.strip()!r} holds a line break or another control character; "
            'write the name on one line, e.g. "Spring Fair 2026"'
        )
    return name.strip()


def region_problem(region: str) -> str:
    """What is wrong with a phone region ('' when nothing is: a known code, or none)."""
    code = region.strip().upper()
    if not code or code in _REGIONS:
        return ""
    hint = f"did you mean {_REGION_HINTS[code]}? " if code in _REGION_HINTS else ""
    return f"is not a country code; {hint}use a two-letter country code such as US, GB, DE"


def check_region(region: str, where: str = "--region") -> str:
    """A phone region ('us' -> 'US'), '' for none; an InputError for an unknown code.

    Example: "UK" is refused with "did you mean GB?" (phonenumbers uses ISO 3166 codes).
    """
    problem = region_problem(region)
    if problem:
        raise InputError(f"{where}: {region!r} {problem}")
    return region.strip().upper()


def check_timezone(timezone: str, where: str = "--timezone") -> str:
    """An IANA time zone ('Europe/Berlin'), '' for none; an InputError for an unknown one."""
    name = timezone.strip()
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"{where}: {timezone!r} is not a time zone; use an IANA name such as "
            "Europe/Berlin, America/New_York or UTC"
        ) from exc
    return name
