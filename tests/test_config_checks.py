"""Settings are checked when read: ranges, addresses, the file they came from; the IMAP port
follows the security setting unless one is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from contacts.errors import ConfigError
from outreach.config import load_config
from outreach.mailbox import imap_settings
from outreach.sequences import get_sequence

MAILBOX = {
    "FOLLOWUP_IMAP_HOST": "127.0.0.1",
    "FOLLOWUP_IMAP_USER": "priya",
    "FOLLOWUP_IMAP_PASSWORD": "pw",
}


@pytest.mark.parametrize(
    ("security", "port"), [("ssl", 993), ("starttls", 143), ("none", 143), ("SSL", 993)]
)
def test_imap_port_follows_the_security_setting(
    project: Path, monkeypatch: pytest.MonkeyPatch, security: str, port: int
) -> None:
    for name, value in MAILBOX.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FOLLOWUP_IMAP_SECURITY", security)
    assert imap_settings(load_config()).port == port  # the shipped followup.toml
    assert load_config().get("imap.port") == port  # what `followup config` shows


def test_a_given_imap_port_is_kept(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in MAILBOX.items():
        monkeypatch.setenv(name, value)
    path = project / "mail.toml"
    path.write_text('[imap]\nsecurity = "starttls"\nport = 1143\n')
    assert imap_settings(load_config(path)).port == 1143
    monkeypatch.setenv("FOLLOWUP_IMAP_PORT", "10993")
    monkeypatch.setenv("FOLLOWUP_IMAP_SECURITY", "none")
    assert imap_settings(load_config(path)).port == 10993


@pytest.mark.parametrize(
    ("env", "value", "error"),
    [
        (
            "FOLLOWUP_DAILY_CAP",
            "-3",
            "FOLLOWUP_DAILY_CAP='-3': send.daily_cap must be at least 0; "
            "fix or unset FOLLOWUP_DAILY_CAP (default 50)",
        ),
        (
            "FOLLOWUP_SMTP_PORT",
            "0",
            "FOLLOWUP_SMTP_PORT='0': smtp.port must be between 1 and 65535; "
            "fix or unset FOLLOWUP_SMTP_PORT (default 587)",
        ),
        (
            "FOLLOWUP_SEND_PAUSE",
            "soon",
            "FOLLOWUP_SEND_PAUSE='soon': send.pause must be a number; "
            "fix or unset FOLLOWUP_SEND_PAUSE (default 2.0)",
        ),
        (
            "FOLLOWUP_SEND_PAUSE",
            "inf",
            "FOLLOWUP_SEND_PAUSE='inf': send.pause must be a finite number; "
            "fix or unset FOLLOWUP_SEND_PAUSE (default 2.0)",
        ),
        (
            "FOLLOWUP_SMTP_BACKOFF",
            "nan",
            "FOLLOWUP_SMTP_BACKOFF='nan': smtp.backoff must be a finite number; "
            "fix or unset FOLLOWUP_SMTP_BACKOFF (default 2.0)",
        ),
        (
            "FOLLOWUP_SMTP_TIMEOUT",
            "-inf",
            "FOLLOWUP_SMTP_TIMEOUT='-inf': smtp.timeout must be a whole number; "
            "fix or unset FOLLOWUP_SMTP_TIMEOUT (default 30)",
        ),
        (
            "FOLLOWUP_IMAP_TIMEOUT",
            "0",
            "FOLLOWUP_IMAP_TIMEOUT='0': imap.timeout must be at least 1; "
            "fix or unset FOLLOWUP_IMAP_TIMEOUT (default 30)",
        ),
        (
            "FOLLOWUP_FROM",
            "notanemail",
            "FOLLOWUP_FROM='notanemail': sender.email is not an email address (An email "
            "address must have an @-sign.); fix or unset FOLLOWUP_FROM (your address, "
            "e.g. priya@example.org)",
        ),
    ],
)
def test_a_bad_setting_in_the_environment_is_one_line(  # type: ignore[no-untyped-def]
    project: Path, monkeypatch: pytest.MonkeyPatch, cli, env: str, value: str, error: str
) -> None:
    monkeypatch.setenv(env, value)
    result = cli("config")
    assert (result.code, result.out, result.err) == (3, "", f"error: {error}\n")


@pytest.mark.parametrize(
    ("window", "problem"),
    [
        ("9-5", "write it as HH:MM-HH:MM, e.g. 09:00-17:00"),
        ("17:00-09:00", "the start must be before the end"),
    ],
)
def test_a_bad_send_window_names_where_it_came_from(  # type: ignore[no-untyped-def]
    project: Path, monkeypatch: pytest.MonkeyPatch, cli, window: str, problem: str
) -> None:
    monkeypatch.setenv("FOLLOWUP_SEND_WINDOW", window)
    result = cli("config")
    assert (result.code, result.err) == (
        3,
        f"error: FOLLOWUP_SEND_WINDOW={window!r}: send.window {problem}; "
        "fix or unset FOLLOWUP_SEND_WINDOW (default 09:00-17:00)\n",
    )
    monkeypatch.delenv("FOLLOWUP_SEND_WINDOW")
    toml = project / "followup.toml"
    toml.write_text(toml.read_text().replace('window = "09:00-17:00"', f"window = {window!r}"))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value) == (
        f"followup.toml: send.window = {window!r}: {problem}; "
        "fix it in followup.toml or remove it (default 09:00-17:00)"
    )


def test_a_bad_setting_in_a_file_names_the_file(  # type: ignore[no-untyped-def]
    project: Path, tmp_path: Path, cli
) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[send]\ndaily_cap = -3\n[sender]\nemail = "priya@bellows.example"\n')
    result = cli("config", "--config", path)
    assert (result.code, result.err) == (
        3,
        f"error: {path}: send.daily_cap = -3: must be at least 0; "
        f"fix it in {path} or remove it (default 50)\n",
    )
    path.write_text('[sender]\nemail = "Priya Sharma"\n')
    with pytest.raises(ConfigError, match=rf"^{path}: sender.email = 'Priya Sharma': is not an"):
        load_config(path)
    path.write_text('[sender]\nemail = "priya@bellows.example"\n[send]\ndaily_cap = 0\n')
    loaded = load_config(path)
    assert (loaded.get("sender.email"), loaded.get("send.daily_cap")) == (
        "priya@bellows.example",
        0,
    )


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("pause = inf", "send.pause = inf: must be a finite number"),
        ("pause = nan", "send.pause = nan: must be a finite number"),
        ("daily_cap = inf", "send.daily_cap = inf: must be a whole number"),
    ],
)
def test_a_number_from_a_file_must_be_finite(tmp_path: Path, line: str, error: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(f"[send]\n{line}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    default = 50 if "daily_cap" in line else 2.0
    remedy = f"fix it in {path} or remove it (default {default})"
    assert str(raised.value) == f"{path}: {error}; {remedy}"


def test_the_default_region_is_checked_like_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_REGION", "UK")
    with pytest.raises(ConfigError) as raised:
        load_config(None)
    assert str(raised.value) == (
        "FOLLOWUP_REGION='UK': defaults.region is not a country code; did you mean GB? use a "
        "two-letter country code such as US, GB, DE; fix or unset FOLLOWUP_REGION (default US)"
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "[send]\ndaily_kap = 5\n",
            "[send] 'daily_kap' is not a setting; the settings of [send] are daily_cap, "
            "holidays, pause, window",
        ),
        (
            'outbx = "mail"\n',
            "unknown setting 'outbx'; the top-level names are bounces, defaults, events, imap, "
            "outbox, replies, schedules, send, sender, senders, sequences, smtp, templates",
        ),
        (
            '[events.booth-2026]\nsequnce = "recruiter"\n',
            "[events.booth-2026] 'sequnce' is not a key it can have; the keys are sender, sequence",
        ),
        (
            '[sequences.fair]\nstages = [{ name = "a", conditon = "rating>=4" }]\n',
            "[sequences.fair] stage 1 'conditon' is not a key it can have; the keys are after, "
            "attachments, condition, delay, name, template",
        ),
        (
            '[senders.bob]\nnme = "Bob"\n',
            "[senders.bob] 'nme' is not a key it can have; the keys are captured_by, email, "
            "name, signature, timezone, unsubscribe_url",
        ),
    ],
)
def test_a_misspelt_key_is_refused_not_ignored(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: {error}; fix the name or remove it"


def test_sequence_errors_name_the_file_that_was_read(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[sequences.fair]\nstages = [{ name = "hi", after = "lunch" }]\n')
    with pytest.raises(ConfigError) as error:
        get_sequence(load_config(path), "fair")
    assert str(error.value) == (
        f"{path} [sequences.fair] stage 1: after = 'lunch'; use 'event' or 'previous'"
    )
    stages = '[{ name = "hi" }, { name = "again", delay = -2 }]'
    path.write_text(f"[sequences.fair]\nstages = {stages}\n")
    with pytest.raises(ConfigError) as error:
        get_sequence(load_config(path), "fair")
    assert str(error.value) == (
        f"{path} [sequences.fair] stage 2 (again): delay = -2; use 0 or more business days "
        "after the previous"
    )
    path.write_text("[sequences.fair]\nstages = []\n")
    with pytest.raises(ConfigError, match=rf"^{path} \[sequences.fair\] has no stages$"):
        get_sequence(load_config(path), "fair")
    path.write_text("")
    with pytest.raises(ConfigError, match=rf"\(none: add \[sequences.NAME\] to {path}\)$"):
        get_sequence(load_config(path), "fair")
