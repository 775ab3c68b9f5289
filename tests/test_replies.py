"""Classifying mail without a store or a server: the committed test mails and variants."""

from __future__ import annotations

import email

import pytest

from outreach.replies import BouncedRecipient, classify
from tests.mailtests import EVERY_KIND, mail

IDS = {"García": "<thanks-maria@bellows.example>", "Nguyen": "<thanks-emily@bellows.example>"}


def _parse(raw: bytes) -> email.message.Message:
    return email.message_from_bytes(raw)


def test_the_committed_mails_are_classified() -> None:
    kinds = {name: classify(_parse(mail(name, IDS))) for name in EVERY_KIND}
    assert {name: c.kind for name, c in kinds.items()} == {
        "reply-threaded": "mail",
        "reply-unthreaded": "mail",
        "out-of-office": "auto-reply",
        "bounce-hard": "bounce",
        "bounce-soft": "bounce",
        "newsletter": "ignored",
        "stranger": "mail",
    }
    threaded = kinds["reply-threaded"]
    assert (threaded.sender, threaded.subject, threaded.refers_to) == (
        "maria.garcia@northwind.example",
        "Re: Great meeting you at Fair",
        ("<thanks-maria@bellows.example>",),
    )
    assert threaded.mail_key == "<CAF3x1-reply-maria@mail.northwind.example>"
    assert kinds["reply-unthreaded"].sender == "robert.chen@contoso.example"
    hard = kinds["bounce-hard"]
    assert hard.refers_to == ("<thanks-emily@bellows.example>",)
    assert [(r.address, r.status, r.hard) for r in hard.bounced] == [
        ("emily.nguyen@tailspin.example", "5.1.1", True)
    ]
    soft = kinds["bounce-soft"]
    assert soft.bounced == (
        BouncedRecipient("hannah.schmidt@litware.example", "4.2.2", "smtp; 452 4.2.2 Mailbox full"),
    )


HEADERS = "From: Ana <ana@example.org>\nTo: me@example.com\nMessage-ID: <x@example.org>\n"


@pytest.mark.parametrize(
    ("extra", "kind", "reason"),
    [
        ("Subject: Out of Office: back Monday\n", "auto-reply",
         "subject 'Out of Office: back Monday'"),
        ("Subject: Abwesenheitsnotiz\n", "auto-reply", "subject 'Abwesenheitsnotiz'"),
        ("Subject: =?utf-8?q?R=C3=A9ponse_automatique?=\n", "auto-reply",
         "subject 'Réponse automatique'"),
        ("Subject: Re: hello\nX-Autoreply: yes\n", "auto-reply", "X-Autoreply header"),
        ("Subject: Re: hello\nPrecedence: auto_reply\n", "auto-reply", "Precedence: auto_reply"),
        ("Subject: Re: hello\nAuto-Submitted: no\n", "mail", ""),
        ("Subject: Re: my office move\n", "mail", ""),
    ],
)  # fmt: skip
def test_auto_replies_are_told_apart_from_replies(extra: str, kind: str, reason: str) -> None:
    result = classify(_parse((HEADERS + extra + "\nbody\n").encode()))
    assert (result.kind, result.reason) == (kind, reason)


def test_a_report_of_successful_delivery_bounces_nobody() -> None:
    raw = mail("bounce-hard", IDS).replace(b"Action: failed", b"Action: delivered")
    result = classify(_parse(raw))
    assert (result.kind, result.bounced) == ("bounce", ())
