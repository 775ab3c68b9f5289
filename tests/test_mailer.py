"""The mailer against a real SMTP server on 127.0.0.1 (aiosmtpd in the test process)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from contacts.errors import ConfigError, SendError
from contacts.model import Message
from outreach.compose import build_email
from outreach.config import load_config
from outreach.mailer import Mailer, SmtpSettings
from tests.smtpd import Authenticator, Recorder, self_signed, server_tls, smtp_server

TEXT = "Hi Ann,\n\nThank you for your time.\n\nreply unsubscribe to opt out\n"
HTML = "<p>Hi <b>Ann</b>,</p><p>Thank you for your time.</p>"


def settings(port: int, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "user": "",
        "password": "",
        "security": "none",
        "timeout": 5.0,
        "ca_file": "",
        "retries": 2,
        "backoff": 0.01,
    }
    values.update(overrides)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def mail(to: str = "ann@contoso.example", n: int = 1, name: str = "Ann Lee"):  # type: ignore[no-untyped-def]
    message = Message(
        subject=f"Thank you {n}",
        to_addr=to,
        to_name=name,
        from_addr="priya@bellows.example",
        from_name="Priya Sharma",
        message_id=f"<m{n}@bellows.example>",
        body_text=TEXT,
        body_html=HTML,
        attachments=[],
    )
    return build_email(message, "https://bellows.example/u?x=1")


def test_message_arrives_with_headers_and_both_parts() -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port, Mailer(settings(port)) as mailer:
        delivery = mailer.deliver(mail(), "priya@bellows.example", "ann@contoso.example")
    assert delivery.status == "sent"
    assert recorder.envelopes == [("priya@bellows.example", ["ann@contoso.example"])]
    got = recorder.messages[0]
    assert got.get_all("Message-ID") == ["<m1@bellows.example>"]
    assert got["From"] == "Priya Sharma <priya@bellows.example>"
    assert got["To"] == "Ann Lee <ann@contoso.example>"
    assert got["List-Unsubscribe"] == (
        "<mailto:priya@bellows.example?subject=unsubscribe>, <https://bellows.example/u?x=1>"
    )
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = got.get_body(("plain",))
    rich = got.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content().replace("\r\n", "\n") == TEXT  # real text, no tags
    assert "<b>Ann</b>" in rich.get_content()
    assert got.get_content_type() == "multipart/alternative"


def test_one_session_serves_a_batch() -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port, Mailer(settings(port)) as mailer:
        for n in range(3):
            assert mailer.deliver(mail(n=n), "priya@bellows.example", "ann@x.example").status == (
                "sent"
            )
    assert recorder.sessions == 1 and len(recorder.messages) == 3


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_auth_login_and_a_wrong_password() -> None:
    options = {"authenticator": Authenticator("priya", "s3cret"), "auth_require_tls": False}
    recorder = Recorder()
    with smtp_server(recorder, auth_required=True, **options) as port:
        with Mailer(settings(port, user="priya", password="s3cret")) as mailer:
            assert mailer.deliver(mail(), "priya@bellows.example", "a@x.example").status == "sent"
        with (
            Mailer(settings(port, user="priya", password="wrong")) as mailer,
            pytest.raises(SendError, match=r"login as 'priya' refused \(535 "),
        ):
            mailer.deliver(mail(), "priya@bellows.example", "a@x.example")
    assert len(recorder.messages) == 1


def test_starttls_verifies_the_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    recorder = Recorder()
    with smtp_server(recorder, tls_context=server_tls(cert, key), require_starttls=True) as port:
        with (
            Mailer(settings(port, security="starttls")) as mailer,
            pytest.raises(SendError, match="TLS certificate is not trusted .*smtp.ca_file"),
        ):
            mailer.deliver(mail(), "priya@bellows.example", "a@x.example")
        with Mailer(settings(port, security="starttls", ca_file=str(cert))) as mailer:
            assert mailer.deliver(mail(), "priya@bellows.example", "a@x.example").status == "sent"
    assert len(recorder.messages) == 1


def test_a_refused_recipient_fails_only_that_message() -> None:
    recorder = Recorder(reject={"gone@x.example"})
    with smtp_server(recorder) as port, Mailer(settings(port)) as mailer:
        first = mailer.deliver(mail(n=1), "priya@bellows.example", "gone@x.example")
        second = mailer.deliver(mail(n=2), "priya@bellows.example", "ann@x.example")
    assert first.status == "rejected"
    assert first.detail == "recipient refused: 550 5.1.1 <gone@x.example>: user unknown"
    assert second.status == "sent"
    assert [m["Message-ID"] for m in recorder.messages] == ["<m2@bellows.example>"]


def test_an_idn_domain_goes_as_punycode_with_a_valid_to_header() -> None:
    recorder = Recorder()
    to = "user@Exämple.example"
    with smtp_server(recorder, enable_SMTPUTF8=False) as port, Mailer(settings(port)) as mailer:
        delivery = mailer.deliver(mail(to, name="José Pérez"), "priya@bellows.example", to)
    assert delivery.status == "sent"
    assert recorder.envelopes == [("priya@bellows.example", ["user@xn--exmple-cua.example"])]
    assert recorder.mail_options == [[]]  # plain SMTP: no SMTPUTF8 needed
    to_line = next(line for line in recorder.raw[0].splitlines() if line.startswith(b"To:"))
    assert to_line == b"To: =?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <user@xn--exmple-cua.example>"
    assert str(recorder.messages[0]["To"]) == "José Pérez <user@xn--exmple-cua.example>"


def test_a_non_ascii_local_part_goes_with_smtputf8() -> None:
    recorder = Recorder()
    to = "josé@uni.example"
    with smtp_server(recorder, enable_SMTPUTF8=True) as port, Mailer(settings(port)) as mailer:
        delivery = mailer.deliver(mail(to, name="José Pérez"), "priya@bellows.example", to)
    assert delivery.status == "sent"
    assert recorder.envelopes == [("priya@bellows.example", ["josé@uni.example"])]
    assert recorder.mail_options == [["SMTPUTF8", "BODY=8BITMIME"]]
    to_line = next(line for line in recorder.raw[0].splitlines() if line.startswith(b"To:"))
    assert to_line == "To: José Pérez <josé@uni.example>".encode()  # RFC 6532 UTF-8 header


@pytest.mark.parametrize(
    ("to", "detail"),
    [
        (
            "josé@uni.example",
            "not sent: josé@uni.example has non-ASCII letters before the @, which needs "
            "SMTPUTF8, and the SMTP server (smtp.host) does not offer it; write to another "
            "address of this contact, or send through a server that offers SMTPUTF8",
        ),
        (
            "ann@-exämple.example",
            "not sent: the domain of ann@-exämple.example is not a valid internationalized "
            "domain name (Label must not start or end with a hyphen); fix the address",
        ),
    ],
)
def test_an_address_the_server_cannot_take_fails_only_that_message(to: str, detail: str) -> None:
    recorder = Recorder()
    with smtp_server(recorder, enable_SMTPUTF8=False) as port, Mailer(settings(port)) as mailer:
        first = mailer.deliver(mail(to, n=1), "priya@bellows.example", to)
        second = mailer.deliver(mail(n=2), "priya@bellows.example", "ann@x.example")
    assert (first.status, first.detail) == ("rejected", detail)
    assert second.status == "sent" and recorder.mails == 1
    assert [m["Message-ID"] for m in recorder.messages] == ["<m2@bellows.example>"]


def test_transient_errors_are_retried_with_backoff() -> None:
    recorder = Recorder(tempfail_once={"ann@x.example"}, drop_at_mail={2})
    slept: list[float] = []
    with smtp_server(recorder) as port, Mailer(settings(port), sleep=slept.append) as mailer:
        # 451 on RCPT, then the server hangs up at the next MAIL; the third try goes through.
        assert mailer.deliver(mail(), "priya@bellows.example", "ann@x.example").status == "sent"
    assert slept == [0.01, 0.02]
    assert len(recorder.messages) == 1


def test_a_hang_up_after_the_data_is_never_retried() -> None:
    recorder = Recorder(drop_after_data={1: True})
    with smtp_server(recorder) as port, Mailer(settings(port)) as mailer:
        first = mailer.deliver(mail(n=1), "priya@bellows.example", "ann@x.example")
        second = mailer.deliver(mail(n=2), "priya@bellows.example", "ann@x.example")
    assert first.status == "unknown"
    assert first.detail.startswith("connection lost while the server was receiving the message")
    assert second.status == "sent"  # reconnected for the next one
    assert len(recorder.messages) == 2  # the first did arrive, exactly once


def test_a_silent_server_times_out_and_is_deferred() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        with Mailer(settings(port, timeout=0.3, retries=0)) as mailer:
            delivery = mailer.deliver(mail(), "priya@bellows.example", "ann@x.example")
    finally:
        for sock in accepted:
            sock.close()
        listener.close()
    assert delivery.status == "deferred"
    assert delivery.detail.startswith(f"SMTP 127.0.0.1:{port} (none): cannot connect (")


def test_an_unreachable_server_is_deferred_not_an_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Mailer(settings(port, retries=1), sleep=lambda s: None) as mailer:
        delivery = mailer.deliver(mail(), "priya@bellows.example", "ann@x.example")
    assert delivery.status == "deferred"
    assert "Connection refused" in delivery.detail


def test_implicit_tls_port(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    recorder = Recorder()
    with (
        smtp_server(recorder, ssl_context=server_tls(cert, key)) as port,
        Mailer(settings(port, security="ssl", ca_file=str(cert))) as mailer,
    ):
        assert mailer.deliver(mail(), "priya@bellows.example", "a@x.example").status == "sent"
    assert len(recorder.messages) == 1


def test_settings_come_from_the_environment_and_never_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "followup.toml"
    path.write_text('[smtp]\nhost = "mail.example"\nuser = "priya"\nsecurity = "ssl"\n')
    for name in ("FOLLOWUP_SMTP_PASSWORD", "FOLLOWUP_SMTP_HOST", "FOLLOWUP_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(
        SendError, match="SMTP user 'priya' has no password: set FOLLOWUP_SMTP_PASSWORD"
    ):
        SmtpSettings.from_config(load_config(path))
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", "pw")
    monkeypatch.setenv("FOLLOWUP_SMTP_HOST", "relay.example")
    monkeypatch.setenv("FOLLOWUP_SMTP_PORT", "2525")
    loaded = SmtpSettings.from_config(load_config(path))
    assert (loaded.host, loaded.port, loaded.user, loaded.password, loaded.security) == (
        "relay.example",
        2525,
        "priya",
        "pw",
        "ssl",
    )
    path.write_text('[smtp]\npassword = "oops"\n')
    with pytest.raises(ConfigError, match="smtp.password must not be in a file"):
        load_config(path)
    monkeypatch.setenv("FOLLOWUP_SMTP_SECURITY", "tls")
    path.write_text("")
    with pytest.raises(
        ConfigError, match="^FOLLOWUP_SMTP_SECURITY='tls': smtp.security must be none, starttls"
    ):
        load_config(path)  # checked when read, before any SMTP setting is used
