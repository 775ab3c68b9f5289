"""`followup outbox sync`: its summary, and one clear line when the mailbox fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dovecot import Account, free_port
from tests.mailtests import mail, sent_outbox, snapshot


def test_sync_prints_what_it_did(  # type: ignore[no-untyped-def]
    project: Path,
    db_url: str,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
    cli,
) -> None:
    for name, value in imap_account.env().items():
        monkeypatch.setenv(name, value)
    sent = sent_outbox(db_url, project)
    imap_account.deliver(mail("reply-threaded", sent), mail("bounce-hard", sent))
    result = cli("outbox", "sync")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "read 2 new mails in 1 folder: 1 replies, 0 out-of-office (paused), 1 hard bounces, "
        "0 soft bounces; cancelled 2 pending messages, suppressed 1 addresses\n"
    )
    exported = cli("export", "contacts", "--format", "json", "-o", "contacts.json")
    assert exported.code == 0
    assert '"status": "bounced"' in Path("contacts.json").read_text()


@pytest.mark.parametrize("failure", ["refused", "password", "tls", "folder"])
def test_a_broken_mailbox_gives_one_line_and_changes_nothing(  # type: ignore[no-untyped-def]
    project: Path,
    db_url: str,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
    cli,
    failure: str,
) -> None:
    env = imap_account.env()
    port = env["FOLLOWUP_IMAP_PORT"]
    if failure == "refused":
        port = env["FOLLOWUP_IMAP_PORT"] = str(free_port())
    elif failure == "password":
        env["FOLLOWUP_IMAP_PASSWORD"] = "not-the-password"
    elif failure == "tls":
        env["FOLLOWUP_IMAP_SECURITY"] = "ssl"
    else:
        env["FOLLOWUP_IMAP_FOLDERS"] = "INBOX, Archive/2026"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sent = sent_outbox(db_url, project)
    imap_account.deliver(mail("reply-threaded", sent), mail("bounce-hard", sent))
    before = snapshot(db_url)

    result = cli("outbox", "sync")

    where = f"127.0.0.1:{port}"
    hint = "check FOLLOWUP_IMAP_HOST, FOLLOWUP_IMAP_PORT and FOLLOWUP_IMAP_SECURITY"
    expected = {
        "refused": f"cannot reach the IMAP server {where} (none) while connecting "
        f"(Connection refused): {hint}",
        "password": f"the IMAP server {where} (none) refused the login of "
        f"'{imap_account.user}': check FOLLOWUP_IMAP_USER and FOLLOWUP_IMAP_PASSWORD "
        "(Gmail and Outlook need an app password)",
        "tls": f"TLS failed with the IMAP server {where} (ssl) while connecting "
        f"(WRONG_VERSION_NUMBER): {hint}",
        "folder": f"the IMAP server {where} (none) has no folder 'Archive/2026': "
        "fix FOLLOWUP_IMAP_FOLDERS (comma-separated, e.g. INBOX)",
    }[failure]
    assert (result.code, result.out, result.err) == (6, "", f"error: {expected}\n")
    assert snapshot(db_url) == before


def test_sync_without_a_mailbox_says_what_to_set(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("outbox", "sync")
    assert (result.code, result.out) == (3, "")
    assert result.err == (
        "error: no mailbox to read: set FOLLOWUP_IMAP_HOST, FOLLOWUP_IMAP_USER, "
        "FOLLOWUP_IMAP_PASSWORD (host and user may also go in [imap] of followup.toml; the "
        "password only in the environment)\n"
    )


def test_imap_settings_are_checked(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FOLLOWUP_IMAP_HOST", "imap.example")
    monkeypatch.setenv("FOLLOWUP_IMAP_USER", "me@example.com")
    monkeypatch.setenv("FOLLOWUP_IMAP_PASSWORD", "app-password")
    monkeypatch.setenv("FOLLOWUP_IMAP_SECURITY", "tls")
    result = cli("outbox", "sync")
    assert (result.code, result.err) == (
        3,
        "error: FOLLOWUP_IMAP_SECURITY='tls': imap.security must be none, starttls or ssl; "
        "fix or unset FOLLOWUP_IMAP_SECURITY (default ssl)\n",
    )
    monkeypatch.delenv("FOLLOWUP_IMAP_SECURITY")
    monkeypatch.setenv("FOLLOWUP_IMAP_MARK_SEEN", "maybe")
    result = cli("outbox", "sync")
    assert (result.code, result.err) == (
        3,
        "error: FOLLOWUP_IMAP_MARK_SEEN='maybe': imap.mark_seen must be true or false; "
        "fix or unset FOLLOWUP_IMAP_MARK_SEEN (default false)\n",
    )
    Path("followup.toml").write_text('[imap]\npassword = "hunter2"\n')
    result = cli("outbox", "sync")
    assert (result.code, result.err) == (
        3,
        "error: followup.toml: imap.password must not be in a file; set "
        "FOLLOWUP_IMAP_PASSWORD in the environment instead\n",
    )


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_to_a_self_signed_server_needs_its_certificate(  # type: ignore[no-untyped-def]
    project: Path,
    db_url: str,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
    cli,
    security: str,
) -> None:
    port = imap_account.ssl_port if security == "ssl" else imap_account.port
    env = imap_account.env() | {
        "FOLLOWUP_IMAP_SECURITY": security,
        "FOLLOWUP_IMAP_PORT": str(port),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sent = sent_outbox(db_url, project)
    imap_account.deliver(mail("reply-threaded", sent))
    before = snapshot(db_url)
    refused = cli("outbox", "sync")
    assert (refused.code, refused.err) == (
        6,
        f"error: the IMAP server 127.0.0.1:{port} ({security}) sent a certificate that is "
        "not trusted (self-signed certificate): check FOLLOWUP_IMAP_HOST; for a "
        "self-signed server set FOLLOWUP_IMAP_CAFILE to its certificate\n",
    )
    assert snapshot(db_url) == before
    monkeypatch.setenv("FOLLOWUP_IMAP_CAFILE", str(imap_account.cafile))
    result = cli("outbox", "sync")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("read 1 new mails in 1 folder: 1 replies,")
