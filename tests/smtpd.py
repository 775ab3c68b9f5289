"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in the test process).

`Recorder` keeps every accepted message and can misbehave on purpose: refuse some
recipients (permanently or once, temporarily), drop the connection at MAIL (before the
message) or at the end of DATA (after it: delivered, or not, with no reply).
"""

from __future__ import annotations

import datetime as dt
import email
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Recorder:
    reject: set[str] = field(default_factory=set)  # 550 5.1.1 on RCPT
    tempfail_once: set[str] = field(default_factory=set)  # 451 on the first RCPT
    drop_at_mail: set[int] = field(default_factory=set)  # n-th MAIL (1-based) hangs up
    drop_after_data: dict[int, bool] = field(default_factory=dict)  # n-th DATA: keep it?
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # each kept message as it arrived
    mail_options: list[list[str]] = field(default_factory=list)  # each MAIL's (SMTPUTF8...)
    mails: int = 0
    datas: int = 0
    sessions: int = 0

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mails += 1
        if self.mails in self.drop_at_mail:
            server.transport.close()
            return "421 4.3.2 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        self.mail_options.append(list(options))
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.reject:
            return f"550 5.1.1 <{address}>: user unknown"
        if address in self.tempfail_once:
            self.tempfail_once.discard(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.datas += 1
        keep = self.drop_after_data.get(self.datas, True)
        if keep:
            parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            self.raw.append(envelope.original_content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.datas in self.drop_after_data:
            server.transport.close()
        return "250 2.0.0 accepted"


class Authenticator:
    def __init__(self, user: str, password: str):
        self.user, self.password = user.encode(), password.encode()

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user,
            self.password,
        )
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(recorder: Recorder, **options: Any) -> Iterator[int]:
    """Run the server on a free port; yields the port."""
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextmanager
def followup_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """A plain server that followup sends to (FOLLOWUP_SMTP_*), with no pause between sends."""
    recorder = Recorder()
    with smtp_server(recorder) as port:
        monkeypatch.setenv("FOLLOWUP_SMTP_PORT", str(port))
        monkeypatch.setenv("FOLLOWUP_SMTP_SECURITY", "none")
        monkeypatch.setenv("FOLLOWUP_SEND_PAUSE", "0")
        yield recorder


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here (cert.pem, key.pem)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "followup test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
