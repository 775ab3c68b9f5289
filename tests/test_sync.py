"""`sync_mailbox` against a real IMAP server (Dovecot on 127.0.0.1) and a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.export import export_json_rows
from contacts.model import (
    Contact,
    ContactEmail,
    InboundMail,
    Interaction,
    MailboxPosition,
    Message,
    Suppression,
)
from contacts.stoprules import email_key
from contacts.store import session_scope
from outreach.sync import sync_mailbox
from tests.dovecot import Account
from tests.mailtests import (
    EVERY_KIND,
    NOW,
    by_last_name,
    clean_env,
    mail,
    sent_outbox,
    snapshot,
    sync_config,
)

NOTHING_NEW = (
    "read 0 new mails in 1 folder: 0 replies, 0 out-of-office (paused), 0 hard bounces, "
    "0 soft bounces; cancelled 0 pending messages, suppressed 0 addresses"
)


@pytest.fixture
def imap(monkeypatch: pytest.MonkeyPatch, imap_account: Account) -> Account:
    clean_env(monkeypatch, imap_account.env())
    return imap_account


def test_each_kind_of_mail_has_its_effect_once(db_url: str, tmp_path: Path, imap: Account) -> None:
    sent = sent_outbox(db_url, tmp_path)
    imap.deliver(*(mail(name, sent) for name in EVERY_KIND))

    result = sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW)

    assert result.summary() == (
        "read 7 new mails in 1 folder: 2 replies, 1 out-of-office (paused), 1 hard bounces, "
        "1 soft bounces; cancelled 3 pending messages, suppressed 1 addresses"
    )
    thank, portfolio = "thank-you", "portfolio"
    assert by_last_name(db_url) == {
        "García": (
            "replied",
            [(thank, "sent", ""), (portfolio, "cancelled", "contact replied")],
        ),
        "Chen": ("replied", [(thank, "sent", ""), (portfolio, "cancelled", "contact replied")]),
        "Rossi": ("paused", [(thank, "sent", ""), (portfolio, "drafted", "")]),
        "Nguyen": ("bounced", [(thank, "sent", ""), (portfolio, "cancelled", "contact bounced")]),
        "Schmidt": ("active", [(thank, "sent", ""), (portfolio, "drafted", "")]),
    }
    with session_scope(db_url) as session:
        sofia = session.scalars(sa.select(Contact).where(Contact.last_name == "Rossi")).one()
        assert sofia.paused_until == NOW + dt.timedelta(days=7)
        due = session.scalars(
            sa.select(Message.due_at).where(
                Message.contact_id == sofia.id, Message.stage == "portfolio"
            )
        ).one()
        assert due == NOW + dt.timedelta(days=7)  # was 2026-03-20 09:00
        assert session.execute(sa.select(Suppression.email_key, Suppression.reason)).all() == [
            ("emily.nguyen@tailspin.example", "bounced")
        ]
        emails = session.execute(
            sa.select(ContactEmail.email_key, ContactEmail.bounced, ContactEmail.soft_bounces)
            .where(ContactEmail.bounced | (ContactEmail.soft_bounces > 0))
            .order_by(ContactEmail.email_key)
        ).all()
        assert emails == [
            ("emily.nguyen@tailspin.example", True, 0),
            ("hannah.schmidt@litware.example", False, 1),
        ]
        log = session.execute(
            sa.select(Contact.last_name, Interaction.kind, Interaction.detail)
            .join(Contact, Contact.id == Interaction.contact_id)
            .order_by(Interaction.id)
        ).all()
        assert log == [
            ("García", "replied", "Re: Great meeting you at Fair "
             "(from maria.garcia@northwind.example, threaded)"),
            ("Chen", "replied", "Following up from the fair "
             "(from robert.chen@contoso.example, by sender address)"),
            ("Rossi", "paused", "Automatic reply: Great meeting you at Fair "
             "(from sofia.rossi@initech.example, threaded): Auto-Submitted: auto-replied"),
            ("Nguyen", "bounced", "emily.nguyen@tailspin.example: 5.1.1 smtp; 550 5.1.1 "
             "<emily.nguyen@tailspin.example>: Recipient address rejected: User unknown in "
             "virtual mailbox table"),
            ("Schmidt", "soft-bounced", "hannah.schmidt@litware.example: 4.2.2 smtp; 452 "
             "4.2.2 Mailbox full"),
        ]  # fmt: skip
        kinds = session.scalars(sa.select(InboundMail.kind).order_by(InboundMail.uid)).all()
        assert kinds == ["reply", "reply", "auto-reply", "bounce", "soft-bounce"]
    statuses = {c["full_name"]: c["status"] for c in export_json_rows_at(db_url)}
    assert statuses["Maria García"] == "replied"
    assert statuses["Sofia Rossi"] == "paused"
    assert statuses["Emily Nguyen"] == "bounced"
    assert list(statuses.values()).count("active") == 6
    assert imap.flags() == [()] * 7  # nothing marked read

    before = snapshot(db_url)
    again = sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW + dt.timedelta(minutes=15))
    assert again.summary() == NOTHING_NEW
    assert snapshot(db_url) == before


def export_json_rows_at(url: str) -> list[dict]:  # type: ignore[type-arg]
    with session_scope(url) as session:
        return export_json_rows(session)


def test_a_mail_read_again_is_not_handled_twice(db_url: str, tmp_path: Path, imap: Account) -> None:
    sent = sent_outbox(db_url, tmp_path)
    imap.deliver(mail("reply-threaded", sent), mail("bounce-soft", sent))
    assert sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW).soft_bounces == 1
    with session_scope(db_url) as session:
        session.execute(sa.delete(MailboxPosition))  # as if the server changed UIDVALIDITY
    before = {k: v for k, v in snapshot(db_url).items() if k != "mailbox_positions"}
    result = sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW)
    assert (result.read, result.replies, result.soft_bounces) == (2, 0, 0)
    after = {k: v for k, v in snapshot(db_url).items() if k != "mailbox_positions"}
    assert after == before


def test_only_mail_newer_than_the_last_sync_is_read(
    db_url: str, tmp_path: Path, imap: Account
) -> None:
    imap.deliver(mail("stranger", {}), mail("newsletter", {}))
    # Nothing sent yet: the first sync only records where the folder stands.
    assert sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW).summary() == NOTHING_NEW
    with session_scope(db_url) as session:
        position = session.scalars(sa.select(MailboxPosition)).one()
        assert (position.account, position.folder, position.last_uid) == (
            f"{imap.user}@127.0.0.1",
            "INBOX",
            2,
        )
    sent = sent_outbox(db_url, tmp_path)
    imap.deliver(mail("reply-unthreaded", sent))
    result = sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW)
    assert (result.read, result.replies, result.cancelled) == (1, 1, 1)


def test_soft_bounces_suppress_after_the_configured_count(
    db_url: str, tmp_path: Path, imap: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_SOFT_BOUNCE_LIMIT", "2")
    sent = sent_outbox(db_url, tmp_path)
    imap.deliver(mail("bounce-soft", sent, n=1))
    assert sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW).suppressed == 0
    imap.deliver(mail("bounce-soft", sent, n=2))
    result = sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW)
    assert (result.soft_bounces, result.suppressed, result.cancelled) == (1, 1, 1)
    assert by_last_name(db_url)["Schmidt"][0] == "bounced"
    with session_scope(db_url) as session:
        assert session.execute(sa.select(Suppression.email_key, Suppression.reason)).all() == [
            ("hannah.schmidt@litware.example", "soft-bounced")
        ]


@pytest.mark.parametrize("use_other", [False, True])
def test_a_second_address_is_used_only_when_the_user_says_so(
    db_url: str, tmp_path: Path, imap: Account, monkeypatch: pytest.MonkeyPatch, use_other: bool
) -> None:
    monkeypatch.setenv("FOLLOWUP_BOUNCE_USE_OTHER_ADDRESS", "yes" if use_other else "no")
    sent = sent_outbox(db_url, tmp_path)
    draft = tmp_path / "portfolio.eml"
    draft.write_text("To: emily.nguyen@tailspin.example\n")
    with session_scope(db_url) as session:
        emily = session.scalars(sa.select(Contact).where(Contact.last_name == "Nguyen")).one()
        other = "Emily.Nguyen@personal.example"
        session.add(ContactEmail(contact_id=emily.id, email=other, email_key=email_key(other)))
        portfolio = session.scalars(
            sa.select(Message).where(Message.contact_id == emily.id, Message.stage_index == 1)
        ).one()
        portfolio.eml_path = str(draft)
    imap.deliver(mail("bounce-hard", sent))
    result = sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW)
    with session_scope(db_url) as session:
        emily = session.get_one(Contact, emily.id)
        portfolio = session.get_one(Message, portfolio.id)
        primary = [e.email for e in emily.emails if e.is_primary]
        if use_other:
            assert (emily.status, portfolio.state, portfolio.to_addr) == (
                "active",
                "drafted",
                other,
            )
            assert primary == [other]
            assert (result.readdressed, result.cancelled) == (1, 0)
            assert "To: Emily Nguyen <Emily.Nguyen@personal.example>" in draft.read_text()
        else:
            assert (emily.status, portfolio.state) == ("bounced", "cancelled")
            assert primary == ["emily.nguyen@tailspin.example"]
            assert (result.readdressed, result.cancelled) == (0, 1)
            assert draft.read_text() == "To: emily.nguyen@tailspin.example\n"
    assert result.suppressed == 1


def test_a_pause_ends_and_mail_is_marked_read_only_when_asked(
    db_url: str, tmp_path: Path, imap: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_IMAP_MARK_SEEN", "true")
    sent = sent_outbox(db_url, tmp_path)
    imap.deliver(mail("out-of-office", sent), mail("newsletter", sent))
    assert sync_mailbox(sync_config(tmp_path), url=db_url, now=NOW).auto_replies == 1
    assert imap.flags() == [("\\Seen",), ()]  # the newsletter is none of ours
    later = NOW + dt.timedelta(days=8)
    sofia = next(c for c in export_json_rows_at(db_url) if c["last_name"] == "Rossi")
    assert sofia["status"] == "paused"
    result = sync_mailbox(sync_config(tmp_path), url=db_url, now=later)
    assert result.summary() == NOTHING_NEW + "; 1 pauses ended"
    assert by_last_name(db_url)["Rossi"][0] == "active"
