import datetime as dt
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.errors import InputError
from contacts.model import ContactEmail, Enrollment, Interaction, Message
from contacts.store import session_scope
from outreach.keepintouch import due_reminders, parse_every
from tests.bookdata import SPRING, contact_id, load_spring, mark_sent, set_statuses
from tests.test_ingest_overlap import at_once

MARIA, ROBERT = "maria.garcia@northwind.example", "robert.chen@contoso.example"
AISHA = "a.okafor@fabrikam.example"


@pytest.mark.parametrize(
    ("text", "days"), [("90d", 90), ("12w", 84), ("3m", 90), ("1Y", 365), ("30", 30)]
)
def test_parse_every(text: str, days: int) -> None:
    assert parse_every(text) == days


@pytest.mark.parametrize("text", ["0d", "soon", "-5d", "90 days", ""])
def test_parse_every_refuses_nonsense(text: str) -> None:
    with pytest.raises(InputError, match=r"write a period such as 90d, 12w, 3m or 1y"):
        parse_every(text)


def _due(url: str, day: dt.date) -> list[tuple[str, str, dt.date]]:
    with session_scope(url) as session:
        return [(r.email, r.why, r.due_on) for r in due_reminders(session, day)]


def _setup(cli) -> str:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    assert cli("outbox", "plan", "--event", SPRING).code == 0
    assert mark_sent(url, SPRING, [MARIA, AISHA], dt.datetime(2026, 3, 13, 9)) == 2
    set_statuses(url, {AISHA: "bounced"})
    maria = contact_id(url, MARIA)
    result = cli("contacts", "keep-in-touch", MARIA, "--every", "90d")
    assert result.out == f"keeping in touch with #{maria} every 90 days\n"
    for address in (ROBERT, AISHA):
        assert cli("contacts", "tag", address, "mentor").code == 0
    result = cli("contacts", "keep-in-touch", "--tag", "Mentor", "--every", "30d")
    assert result.out == "keeping in touch with tag mentor every 30 days\n"
    return url


def test_due_after_the_cadence_once_the_sequence_has_ended(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    assert _due(url, dt.date(2026, 6, 10)) == []
    due = [
        (MARIA, "every 90 days (own cadence); last: emailed on 2026-03-13", dt.date(2026, 6, 11))
    ]
    assert _due(url, dt.date(2026, 6, 11)) == due
    # Robert's thank-you is still a draft (his sequence runs); Aisha bounced: neither is due.
    assert _due(url, dt.date(2027, 1, 1)) == due[:1]


def test_a_reply_resets_the_clock_and_tags_give_a_cadence(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    robert = contact_id(url, ROBERT)
    set_statuses(url, {ROBERT: "replied"})  # cancels his pending thank-you
    with session_scope(url) as session:
        reply = session.scalars(
            sa.select(Interaction).where(Interaction.contact_id == robert)
        ).one()
        reply.at = dt.datetime(2026, 7, 1, 15, 30)
        session.add(
            Interaction(
                contact_id=contact_id(url, MARIA), kind="replied", at=dt.datetime(2026, 6, 1, 8)
            )
        )
    assert _due(url, dt.date(2026, 7, 30)) == []
    assert (
        _due(url, dt.date(2026, 8, 30))
        == [
            (
                MARIA,
                "every 90 days (own cadence); last: replied on 2026-06-01",
                dt.date(2026, 8, 30),
            ),
            (
                ROBERT,
                "every 30 days (tag mentor); last: replied on 2026-07-01",
                dt.date(2026, 7, 31),
            ),
        ][::-1]
    )
    stopped = cli("contacts", "keep-in-touch", "--tag", "mentor", "--stop")
    assert stopped.out == "stopped keeping in touch with tag mentor\n"
    assert [d[0] for d in _due(url, dt.date(2026, 8, 30))] == [MARIA]


def test_today_lists_and_drafts_check_ins_into_the_outbox(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    shown = cli("today", "--on", "2026-06-11")
    assert shown.code == 0 and shown.out.startswith("1 to keep in touch with on 2026-06-11\n")
    drafted = cli("today", "--on", "2026-06-11", "--draft")
    assert drafted.err == "drafted 1 check-ins into the outbox (0 blocked)\n"
    with session_scope(url) as session:
        message = session.scalars(
            sa.select(Message).join(Enrollment).where(Enrollment.sequence == "keep-in-touch")
        ).one()
        assert (message.stage, message.state, message.to_addr) == (
            "check-in-2026-06-11",
            "drafted",
            MARIA,
        )
        assert message.due_at == dt.datetime(2026, 6, 11, 13)  # 09:00 in New York
        assert message.subject == "How are things at Northwind Analytics?"
        assert message.body_text.startswith("Hi Maria,\n\nIt's been a while since we last wrote")
        path = Path(message.eml_path)
    assert path.parent == Path("data/outbox/keep-in-touch")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The check-in is now pending: nobody is due until it has gone out.
    assert cli("today", "--on", "2026-06-12").out == (
        "nobody to reach out to on 2026-06-12: 3 contacts have a keep-in-touch cadence, 2 of "
        "them still have a message pending (set one with `followup contacts keep-in-touch ID "
        "--every 90d`)\n"
    )
    mark_sent(url, SPRING, [MARIA], dt.datetime(2026, 6, 12, 9))
    assert [d[2] for d in _due(url, dt.date(2026, 9, 10))] == [dt.date(2026, 9, 10)]


def test_a_shared_address_gets_one_check_in(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    mark_sent(url, SPRING, [ROBERT], dt.datetime(2026, 3, 13, 9))
    assert cli("contacts", "keep-in-touch", ROBERT, "--every", "90d").code == 0
    robert, maria = contact_id(url, ROBERT), contact_id(url, MARIA)
    with session_scope(url) as session:  # Robert now reads his mail at Maria's address
        mine = sa.select(ContactEmail).where(ContactEmail.contact_id == robert)
        email = session.scalars(mine).one()
        email.email = email.email_key = MARIA
    # the mailbox is due once, through Maria (the first of the two)
    assert [r[0] for r in _due(url, dt.date(2026, 6, 11))] == [MARIA]
    for _ in range(2):  # drafting twice on one day adds nothing the second time
        drafted = cli("today", "--on", "2026-06-11", "--draft")
        assert drafted.code == 0, drafted.err
    with session_scope(url) as session:
        rows = session.execute(
            sa.select(Message.contact_id, Message.state)
            .join(Enrollment)
            .where(Enrollment.sequence == "keep-in-touch")
        ).all()
    assert [tuple(r) for r in rows] == [(maria, "drafted")]
    # Once it went out, neither is due again before the cadence has passed for the mailbox.
    mark_sent(url, SPRING, [MARIA], dt.datetime(2026, 6, 12, 9))
    assert _due(url, dt.date(2026, 6, 13)) == []
    assert [r[0] for r in _due(url, dt.date(2026, 9, 10))] == [MARIA]


def test_keep_in_touch_errors(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    load_spring(os.environ["FOLLOWUP_DB"])
    both = cli("contacts", "keep-in-touch", MARIA, "--tag", "x", "--every", "9d")
    assert both.err == "error: keep-in-touch: give a contact (ID or email) or --tag TAG, not both\n"
    never = cli("contacts", "keep-in-touch", MARIA)
    assert never.err == (
        "error: keep-in-touch: say how often with --every, e.g. --every 90d (or --stop)\n"
    )
    bad = cli("contacts", "keep-in-touch", MARIA, "--every", "often")
    assert (bad.code, bad.err) == (
        2,
        "error: --every 'often': write a period such as 90d, 12w, 3m or 1y\n",
    )
    assert cli("today", "--on", "tomorrow").err == (
        "error: --on: 'tomorrow' is not a date; write it as YYYY-MM-DD\n"
    )


def test_two_today_drafts_at_once_draft_each_check_in_once(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    today = ["today", "--on", "2026-06-11", "--draft"]
    assert at_once(url, "WHERE enrollments.contact_id = ", today, today) == [0, 0]
    with session_scope(url) as session:
        check_ins = session.scalars(
            sa.select(Message.to_addr)
            .join(Enrollment)
            .where(Enrollment.sequence == "keep-in-touch")
        ).all()
    assert check_ins == [MARIA]
