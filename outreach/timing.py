"""Business-day arithmetic for due dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


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
