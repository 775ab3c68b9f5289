"""A keep-in-touch check-in is due like any other stage: at the send window's opening in the
recipient's time zone, on the day or the next business day."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlalchemy as sa

from contacts.model import Enrollment, Message
from contacts.store import session_scope
from outreach.timing import Window, first_opening
from tests.bookdata import SPRING, contact_id, load_spring

MARIA = "maria.garcia@northwind.example"  # a Boston number: America/New_York
NINE_TO_FIVE = Window(dt.time(9), dt.time(17))


def _check_in(url: str) -> Message:
    with session_scope(url) as session:
        message = session.scalars(
            sa.select(Message).join(Enrollment).where(Enrollment.sequence == "keep-in-touch")
        ).one()
        session.expunge(message)
    return message


def test_check_in_due_at_the_windows_opening_on_the_next_business_day(  # type: ignore[no-untyped-def]
    project: Path, cli
) -> None:
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    assert cli("outbox", "plan", "--event", SPRING).code == 0
    maria = contact_id(url, MARIA)
    assert cli("contacts", "replied", str(maria)).code == 0  # the sequence is over
    assert cli("contacts", "keep-in-touch", MARIA, "--every", "1d").code == 0
    # 2027-05-29 is a Saturday: due Monday 2027-05-31, 09:00 in New York (13:00 UTC).
    assert cli("today", "--on", "2027-05-29", "--draft").code == 0
    message = _check_in(url)
    assert (message.timezone, message.due_at) == (
        "America/New_York",
        dt.datetime(2027, 5, 31, 13, 0),
    )
    shown = cli("outbox", "show", str(message.id))
    assert "Due: 2027-05-31 09:00 EDT (13:00 UTC, recipient's zone America/New_York)" in shown.out


def test_first_opening() -> None:
    tuesday, saturday = dt.date(2027, 6, 1), dt.date(2027, 6, 5)
    assert first_opening(tuesday, "America/New_York", NINE_TO_FIVE) == dt.datetime(
        2027, 6, 1, 13, 0
    )
    assert first_opening(saturday, "Europe/Berlin", NINE_TO_FIVE) == dt.datetime(2027, 6, 7, 7, 0)
    assert first_opening(tuesday, "UTC", NINE_TO_FIVE, [tuesday]) == dt.datetime(2027, 6, 2, 9, 0)
