"""Choice settings (smtp.security, imap.security) are checked when the configuration is
read, like the numbers: the error names the environment variable or the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.config import load_config


def test_smtp_security_names_the_environment_variable(  # type: ignore[no-untyped-def]
    project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_SMTP_SECURITY", "tls")
    result = cli("outbox", "send", "--send")
    assert (result.code, result.out, result.err) == (
        3,
        "",
        "error: FOLLOWUP_SMTP_SECURITY='tls': smtp.security must be none, starttls or ssl; "
        "fix or unset FOLLOWUP_SMTP_SECURITY (default starttls)\n",
    )


def test_imap_security_is_reported_before_missing_credentials(  # type: ignore[no-untyped-def]
    project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_IMAP_SECURITY", "tls")  # and no host, user or password
    result = cli("outbox", "sync")
    assert (result.code, result.err) == (
        3,
        "error: FOLLOWUP_IMAP_SECURITY='tls': imap.security must be none, starttls or ssl; "
        "fix or unset FOLLOWUP_IMAP_SECURITY (default ssl)\n",
    )


def test_a_bad_choice_in_a_file_names_the_file(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("followup.toml").write_text('[smtp]\nsecurity = "TLS"\n')
    result = cli("config")
    assert (result.code, result.err) == (
        3,
        "error: followup.toml: smtp.security = 'TLS': must be none, starttls or ssl; "
        "fix it in followup.toml or remove it (default starttls)\n",
    )


def test_choices_are_case_insensitive(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_SMTP_SECURITY", " SSL ")
    Path("followup.toml").write_text('[imap]\nsecurity = "StartTLS"\n')
    config = load_config()
    assert (config.get("smtp.security"), config.get("imap.security")) == ("ssl", "starttls")
    assert config.get("imap.port") == 143
