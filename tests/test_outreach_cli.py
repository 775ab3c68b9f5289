"""The outbox as a new user drives it: plan → list → show → preview → edit → approve → send."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from pathlib import Path

import sqlalchemy as sa

from contacts.model import Message, Suppression
from contacts.store import session_scope
from tests.conftest import SAMPLES
from tests.smtpd import followup_smtp

FAIR = "Spring Career Fair 2026"


def test_plan_review_approve_and_send(project: Path, db_url: str, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12").code == 0
    )
    planned = cli("outbox", "plan", "--event", FAIR)
    assert planned.out.strip() == (
        "enrolled 18, already enrolled 0, drafted 18, blocked 0, still blocked 0, skipped 0, "
        "stopped 0, suppressed 0, in another event's sequence 0, without email 0"
    )
    assert "18 messages" in cli("outbox", "list").out
    shown = cli("outbox", "show", "1")
    assert shown.out.splitlines()[:3] == [
        "Message 1: job-seeker stage 1 (thank-you)",
        "State: drafted",
        "Due: 2026-03-13 09:00 EDT (13:00 UTC, recipient's zone America/New_York)",
    ]
    assert "Hi Maria,\n" in shown.out
    assert cli("outbox", "show", "1", "--body").out.startswith("Hi Maria,\n\nThank you")
    preview = cli("outbox", "preview", "--event", FAIR)
    assert preview.err.strip() == "wrote 18 .eml files"
    eml = Path(preview.out.splitlines()[0])
    parsed = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed["X-Unsent"] == "1" and parsed.get_body(("plain",)) is not None

    body = project / "body.txt"
    body.write_text("Hi Maria,\n\nShort and sweet.\n\nReply unsubscribe to opt out.\n")
    edited = cli(
        "outbox", "edit", "1", "--subject", "Thanks!\r\nBcc: x@y.example", "--body-file", body
    )
    assert edited.out.strip() == "message 1 edited; approve it again to send it"
    body.write_text("no footer")
    refused = cli("outbox", "edit", "1", "--body-file", body)
    assert (refused.code, refused.err.strip()) == (
        2,
        "error: the new body has no opt-out line; keep the footer that says how to unsubscribe",
    )
    body.write_bytes(b"Dear Maria,\r\nGreat to meet you \xe9.\r\nreply unsubscribe\r\n")  # 1252
    notepad = cli("outbox", "edit", "1", "--body-file", body)
    assert (notepad.code, notepad.err.strip()) == (
        2,
        f"error: {body}: not UTF-8 text (byte 0xe9 at position 31); save it as UTF-8 and edit "
        "again",
    )

    assert cli("outbox", "approve", "1").out.strip() == "approved 1"
    again = cli("outbox", "approve", "1")
    assert again.err.strip() == "error: message 1 is approved; only drafts can be approved"
    assert cli("outbox", "approve").err.strip() == (
        "error: say which drafts to approve: an ID, --event NAME or --all"
    )
    assert cli("outbox", "approve", "--event", FAIR).out.strip() == "approved 17"

    assert cli("suppress", "mia.anderson@margiestravel.example").out.strip() == (
        "suppressed 1 new, 0 already on the list"
    )
    replied = cli("contacts", "replied", "2", "--note", "Let's talk Tuesday")
    assert replied.out.strip() == "Robert Chen replied; cancelled 1 pending messages"

    dry = cli("outbox", "send", "--ignore-window")
    assert dry.out.splitlines()[-1] == (
        "dry run (not sent), .eml written: 16; failed 0, deferred 0, waiting 0, not due yet 0, "
        "over the daily cap 0, cancelled 0, reconciled 0"
    )
    with followup_smtp(monkeypatch) as recorder:
        sent = cli("outbox", "send", "--send", "--ignore-window")
        twice = cli("outbox", "send", "--send", "--ignore-window")
    assert sent.out.strip().endswith(
        "sent: 16; failed 0, deferred 0, waiting 0, not due yet 0, over the daily cap 0, "
        "cancelled 0, reconciled 0"
    )
    assert twice.out.strip().startswith("sent: 0;")
    assert len(recorder.messages) == 16
    maria = next(m for m in recorder.messages if "maria" in m["To"])
    assert maria["Subject"] == "Thanks! Bcc: x@y.example" and maria["Bcc"] is None
    plain = maria.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert plain.replace("\r\n", "\n") == (
        "Hi Maria,\n\nShort and sweet.\n\nReply unsubscribe to opt out.\n"
    )
    with session_scope(db_url) as session:
        states = dict(session.execute(sa.select(Message.to_addr, Message.state)).all())
    assert states["mia.anderson@margiestravel.example"] == "cancelled"
    assert states["robert.chen@contoso.example"] == "cancelled"
    assert list(states.values()).count("sent") == 16


def test_suppression_list_import_survives_reimport(project: Path, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    listing = project / "unsubscribed.csv"
    listing.write_text("email,when\nRobert.Chen@contoso.example,2026-03-20\nnobody@x.example,\n")
    first = cli("suppress", "--file", listing, "--reason", "unsubscribed")
    assert first.out.strip() == "suppressed 2 new, 0 already on the list"
    assert (
        cli("suppress", "--file", listing).out.strip() == "suppressed 0 new, 2 already on the list"
    )
    # Re-importing the contacts never clears the list, and planning skips them.
    cli("ingest", SAMPLES / "Connections.csv", "--event", FAIR, "--date", "2026-03-12")
    assert cli("outbox", "plan", "--event", FAIR).out.strip() == (
        "enrolled 20, already enrolled 0, drafted 20, blocked 0, still blocked 0, skipped 0, "
        "stopped 0, suppressed 1, in another event's sequence 0, without email 5"
    )
    with session_scope(db_url) as session:
        assert session.scalar(sa.select(sa.func.count(Suppression.id))) == 2
        to = set(session.scalars(sa.select(Message.to_addr)))
    assert "Robert.Chen@contoso.example" not in to and "robert.chen@contoso.example" not in to
    bad = cli("suppress", "--file", project / "missing.txt")
    assert bad.code == 2 and bad.err.startswith("error: ")
    assert cli("suppress", "not-an-address").err.strip() == (
        "error: 'not-an-address' is not an email address"
    )


def test_send_window_holds_without_ignore_window(project: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    cli("outbox", "plan", "--event", FAIR)
    cli("outbox", "approve", "--all")
    monkeypatch.setenv("FOLLOWUP_SEND_WINDOW", "00:00-00:01")  # closed nearly all day
    result = cli("outbox", "send")
    if dt.datetime.now(dt.UTC).strftime("%H:%M") >= "00:02":  # skip the one open minute
        assert "written: 0;" in result.out and "waiting 18" in result.out
