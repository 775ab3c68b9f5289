"""Timing: business days, holidays, the recipient's time zone and the send window.

Every datetime stored is naive UTC (`contacts.model.utcnow`); local times exist only
inside these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

from contacts.errors import ConfigError


def add_business_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The date `days` business days after `start`, skipping weekends and holidays.

    Example: add_business_days(Friday 2026-03-13, 1) -> Monday 2026-03-16.
    """
    skip = set(holidays)
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in skip:
            remaining -= 1
    return current


def is_business_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


@dataclass(frozen=True)
class Window:
    """Local hours on business days when mail may go out, e.g. 09:00-17:00."""

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str) -> Window:
        """`"09:00-17:00"` -> Window; a clear error otherwise (`window_problem`)."""
        problem = window_problem(text)
        if problem:
            raise ConfigError(f"send.window = {text!r}: {problem}")
        return cls(*_bounds(text))


def window_problem(text: str) -> str:
    """What is wrong with a send window like "09:00-17:00" ('' when nothing is).

    The configuration checks `send.window` with it when it is read, so the error can name
    FOLLOWUP_SEND_WINDOW or the file.
    """
    try:
        first, last = _bounds(text)
    except ValueError:
        return "write it as HH:MM-HH:MM, e.g. 09:00-17:00"
    if first >= last:
        return "the start must be before the end"
    return ""


def _bounds(text: str) -> tuple[dt.time, dt.time]:
    """'09:00-17:00' -> (09:00, 17:00); ValueError for anything else."""
    first, last = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    return first, last


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name like Europe/Berlin"
        ) from exc


def zone_of_phone(phone: str, region: str = "") -> str:
    """The IANA zone of an E.164 number when the number pins down one clock, else ''.

    Example: "+4930123456" -> "Europe/Berlin"; a US number gives its area code's zone.
    """
    try:
        number = phonenumbers.parse(phone, region or None)
    except phonenumbers.NumberParseException:
        return ""
    zones = sorted(z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    # Several zones that keep the same clock all year (the UK and its islands) are one zone.
    clocks = {
        tuple(dt.datetime(2026, m, 15, tzinfo=ZoneInfo(z)).utcoffset() for m in (1, 7))
        for z in zones
    }
    return zones[-1] if len(clocks) == 1 else ""


def recipient_zone(
    phones: Iterable[str], event_zone: str, sender_zone: str, region: str = ""
) -> str:
    """The recipient's time zone: from a phone's country/area (numbers without +country
    read in `region`), then the event's zone, else the sender's."""
    for phone in phones:
        found = zone_of_phone(phone, region)
        if found:
            return found
    return event_zone or sender_zone or "UTC"


def to_utc(local: dt.datetime, zone_name: str) -> dt.datetime:
    """Local wall time in a zone -> naive UTC."""
    aware = local.replace(tzinfo=zone(zone_name))
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def due_at(
    base: dt.date, delay: int, zone_name: str, window: Window, holidays: Iterable[dt.date] = ()
) -> dt.datetime:
    """When a stage falls due: `delay` business days after `base`, at the window's opening
    in the recipient's zone (naive UTC)."""
    day = add_business_days(base, delay, holidays)
    return to_utc(dt.datetime.combine(day, window.start), zone_name)


def first_opening(
    day: dt.date, zone_name: str, window: Window, holidays: Iterable[dt.date] = ()
) -> dt.datetime:
    """The window's opening on `day` in the recipient's zone (naive UTC), or on the next
    business day when `day` is not one.

    Example: Saturday 2026-05-02 in America/New_York, 09:00-17:00 -> 2026-05-04 13:00.
    """
    delay = 0 if is_business_day(day, holidays) else 1
    return due_at(day, delay, zone_name, window, holidays)


def in_window(
    now: dt.datetime, zone_name: str, window: Window, holidays: Iterable[dt.date] = ()
) -> bool:
    """True when `now` (naive UTC) is inside the window on a business day, recipient-local."""
    local = now.replace(tzinfo=dt.UTC).astimezone(zone(zone_name))
    return is_business_day(local.date(), holidays) and window.start <= local.time() < window.end
