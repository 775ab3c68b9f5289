"""SMTP settings are checked before any message is claimed, and the password may come from
the keyring (an in-memory keyring backend defined here; a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from contacts.errors import SendError
from outreach.mailer import SmtpSettings
from outreach.sending import send_due
from tests.conftest import SAMPLES
from tests.smtpd import Authenticator, Recorder, followup_smtp, smtp_server
from tests.test_sending import NOW, by_state, ready


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict (keyring's own backend interface)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        ({"smtp.security": "bogus"}, "smtp.security = 'bogus': use none, starttls or ssl"),
        ({"smtp.user": "priya"}, "SMTP user 'priya' has no password: set FOLLOWUP_SMTP_PASSWORD"),
    ],
)
def test_a_settings_error_claims_nothing(
    project: Path,
    db_url: str,
    memory_keyring: MemoryKeyring,
    setting: dict[str, str],
    error: str,
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        config = ready(project, db_url, port)
        config.values.update(setting)
        with pytest.raises(SendError, match=error):
            send_due(config, url=db_url, now=NOW, send=True)
        assert by_state(db_url) == Counter({"approved": 18})
        # Fixed: the next run sends them all; nothing was left to reconcile as "failed".
        config.values.update({"smtp.security": "none", "smtp.user": ""})
        later = NOW.replace(minute=30)  # past the time a stuck "sending" row is reconciled
        result = send_due(config, url=db_url, now=later, send=True)
    assert (result.sent, result.reconciled, result.failed) == (15, 0, 0)
    assert len(recorder.messages) == 15
    assert by_state(db_url) == Counter({"sent": 15, "approved": 3})


def test_smtp_password_from_the_keyring(
    project: Path, db_url: str, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password("followup", "priya", "s3cret")
    recorder = Recorder()
    auth = {"authenticator": Authenticator("priya", "s3cret"), "auth_require_tls": False}
    with smtp_server(recorder, **auth) as port:
        config = ready(project, db_url, port)
        config.values["smtp.user"] = "priya"
        assert SmtpSettings.from_config(config).password == "s3cret"
        result = send_due(config, url=db_url, now=NOW, send=True)
    assert (result.sent, result.failed) == (15, 0)
    assert len(recorder.messages) == 15


def test_environment_password_wins_over_the_keyring(
    project: Path, db_url: str, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password("followup", "priya", "from-keyring")
    config = ready(project, db_url, 1)
    config.values.update({"smtp.user": "priya", "smtp.password": "from-env"})
    assert SmtpSettings.from_config(config).password == "from-env"


def test_no_keyring_backend_is_a_message_not_a_traceback(project: Path, db_url: str) -> None:
    from keyring.backends.fail import Keyring as NoBackend

    previous = keyring.get_keyring()
    keyring.set_keyring(NoBackend())
    try:
        config = ready(project, db_url, 1)
        config.values["smtp.user"] = "priya"
        with pytest.raises(SendError, match="`keyring set followup priya`"):
            SmtpSettings.from_config(config)
    finally:
        keyring.set_keyring(previous)


def _approve_the_fair(cli) -> None:  # type: ignore[no-untyped-def]
    """Ingest the sample badge scans, plan the fair's follow-ups and approve them all."""
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", "Fair", "--date", "2026-03-12")
    cli("outbox", "plan", "--event", "Fair")
    assert cli("outbox", "approve", "--all").code == 0


def test_send_with_a_bad_security_setting_exits_cleanly(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approve_the_fair(cli)
    with followup_smtp(monkeypatch) as recorder:
        monkeypatch.setenv("FOLLOWUP_SMTP_SECURITY", "bogus")
        result = cli("outbox", "send", "--send", "--ignore-window")
    assert (result.code, result.err) == (
        3,
        "error: FOLLOWUP_SMTP_SECURITY='bogus': smtp.security must be none, starttls or ssl; "
        "fix or unset FOLLOWUP_SMTP_SECURITY (default starttls)\n",
    )
    assert recorder.sessions == 0
    assert set(by_state(db_url)) == {"approved"}


@pytest.mark.parametrize("where", ["environment", "file"])
def test_an_empty_smtp_host_stops_the_run_before_any_claim(  # type: ignore[no-untyped-def]
    project: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    _approve_the_fair(cli)
    with followup_smtp(monkeypatch) as recorder:
        if where == "environment":
            monkeypatch.setenv("FOLLOWUP_SMTP_HOST", "")
            expected = (
                "error: FOLLOWUP_SMTP_HOST='': smtp.host must name the SMTP server; "
                "fix or unset FOLLOWUP_SMTP_HOST (default 127.0.0.1)\n"
            )
        else:
            toml = project / "followup.toml"
            toml.write_text(toml.read_text().replace('host = "127.0.0.1"', 'host = " "', 1))
            expected = (
                "error: followup.toml: smtp.host = ' ': must name the SMTP server; "
                "fix it in followup.toml or remove it (default 127.0.0.1)\n"
            )
        result = cli("outbox", "send", "--send", "--ignore-window")
    assert (result.code, result.err) == (3, expected)
    assert recorder.sessions == 0
    assert set(by_state(db_url)) == {"approved"}
