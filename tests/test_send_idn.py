"""Recipients with non-ASCII addresses, sent to a real SMTP server on 127.0.0.1: an IDN
domain goes as punycode; a non-ASCII local part needs SMTPUTF8, and without it only that
message fails while the run goes on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.model import Message
from contacts.store import session_scope
from tests.smtpd import Recorder, smtp_server
from tests.test_sending import by_state

LEADS = """First Name,Last Name,Email,Company
Ann,Lee,ann.lee@contoso.example,Contoso
Lena,Groß,lena@exämple.example,Exämple
José,Pérez,josé@uni.example,Uni
"""


def serve(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("FOLLOWUP_SMTP_PORT", str(port))
    monkeypatch.setenv("FOLLOWUP_SMTP_SECURITY", "none")
    monkeypatch.setenv("FOLLOWUP_SEND_PAUSE", "0")


def test_non_ascii_recipients_are_sent_or_fail_alone(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    leads = project / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    assert cli("ingest", leads, "--event", "Uni Fair", "--date", "2026-05-01").code == 0
    assert "drafted 3, blocked 0" in cli("outbox", "plan", "--event", "Uni Fair").out
    assert cli("outbox", "approve", "--all").out.strip() == "approved 3"
    with session_scope(db_url) as session:
        jose = session.scalars(sa.select(Message.id).where(Message.to_name == "José Pérez")).one()

    plain = Recorder()  # like `python -m aiosmtpd -n`: no SMTPUTF8
    with smtp_server(plain, enable_SMTPUTF8=False) as port:
        serve(monkeypatch, port)
        result = cli("outbox", "send", "--send", "--ignore-window")
    assert (result.code, result.err) == (
        0,
        f"failed message {jose}: not sent: josé@uni.example has non-ASCII letters before the "
        "@, which needs SMTPUTF8, and the SMTP server (smtp.host) does not offer it; write to "
        "another address of this contact, or send through a server that offers SMTPUTF8\n",
    )
    assert result.out.splitlines()[-1].startswith("sent: 2; failed 1, deferred 0")
    assert by_state(db_url) == Counter({"sent": 2, "failed": 1})  # nothing left in 'sending'
    assert sorted(rcpt for _, (rcpt,) in plain.envelopes) == [
        "ann.lee@contoso.example",
        "lena@xn--exmple-cua.example",
    ]
    lena = next(raw for raw in plain.raw if b"xn--exmple-cua" in raw)
    assert b"To: Lena =?utf-8?q?Gro=C3=9F?= <lena@xn--exmple-cua.example>" in lena.splitlines()

    # Through a server that offers SMTPUTF8, the failed one can be re-approved and sent.
    assert cli("outbox", "approve", str(jose), "--resend").out.strip() == "approved 1"
    utf8 = Recorder()
    with smtp_server(utf8, enable_SMTPUTF8=True) as port:
        serve(monkeypatch, port)
        again = cli("outbox", "send", "--send", "--ignore-window")
    assert (again.code, again.err) == (0, "")
    assert again.out.splitlines()[-1].startswith("sent: 1; failed 0")
    assert utf8.envelopes == [("priya.sharma@bellows.example", ["josé@uni.example"])]
    assert utf8.mail_options == [["SMTPUTF8", "BODY=8BITMIME"]]
    assert "To: José Pérez <josé@uni.example>".encode() in utf8.raw[0].splitlines()
    assert by_state(db_url) == Counter({"sent": 3})
