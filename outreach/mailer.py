"""The mailer: the only module that talks SMTP (through yagmail's connection).

yagmail is used for what it does well (connecting, STARTTLS/SSL, login); its traps are
avoided on purpose:

- we compose the MIME message ourselves (`outreach.compose`), so the text/plain part is
  real text and the one Message-ID is our deterministic one;
- TLS is verified with `ssl.create_default_context()` (plus `smtp.ca_file` for a private
  CA), and every connection has a timeout;
- nothing here is touched by a dry run, so a dry run needs no network;
- a login name without "@" is passed so that yagmail does not append "@gmail.com".

We drive the SMTP transaction ourselves (MAIL, RCPT, DATA) so every failure is known to
have happened *before* the server could have the message (safe to retry: transient 4xx
and lost connections are retried with backoff) or *while* it was receiving it (ambiguous:
never retried, so a message is sent at most once).
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

import yagmail

from contacts.errors import SendError
from outreach.compose import as_bytes, ascii_domain, needs_smtputf8
from outreach.config import SECURITY_CHOICES, Config

_CHECK = "check FOLLOWUP_SMTP_HOST, FOLLOWUP_SMTP_PORT and FOLLOWUP_SMTP_SECURITY"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    security: str
    timeout: float
    ca_file: str
    retries: int
    backoff: float

    @classmethod
    def from_config(cls, config: Config) -> SmtpSettings:
        """Settings from followup.toml + FOLLOWUP_SMTP_*; the password from the environment
        or the keyring (service "followup"), never from a file."""
        security = str(config.get("smtp.security")).lower()
        if security not in SECURITY_CHOICES:
            raise SendError(f"smtp.security = {security!r}: use none, starttls or ssl")
        host = str(config.get("smtp.host")).strip()
        if not host:
            raise config.source("smtp.host").error(
                config.get("smtp.host"), "must name the SMTP server"
            )
        user = str(config.get("smtp.user"))
        password = str(config.get("smtp.password") or os.environ.get("FOLLOWUP_SMTP_PASSWORD", ""))
        if user and not password:
            password = _keyring_password(user)
        return cls(
            host=host,
            port=int(config.get("smtp.port")),
            user=user,
            password=password,
            security=security,
            timeout=float(config.get("smtp.timeout")),
            ca_file=str(config.get("smtp.ca_file")),
            retries=int(config.get("smtp.retries")),
            backoff=float(config.get("smtp.backoff")),
        )


def _keyring_password(user: str) -> str:
    password = None
    try:
        import keyring  # optional: `pip install keyring`
        from keyring.errors import KeyringError
    except ImportError:
        pass
    else:
        try:
            password = keyring.get_password("followup", user)
        except KeyringError:  # no usable backend (a headless server): as if not stored
            password = None
    if not password:
        raise SendError(
            f"SMTP user {user!r} has no password: set FOLLOWUP_SMTP_PASSWORD, or store it "
            f"with `keyring set followup {user}`"
        )
    return str(password)


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying TLS context; `ca_file` adds a private CA to the system's trust."""
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SendError(f"smtp.ca_file {ca_file}: cannot load it as PEM ({exc})") from exc
    return context


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: sent | rejected | deferred | unknown."""

    status: str
    detail: str = ""


def _envelope(address: str) -> str:
    """An address for MAIL FROM / RCPT TO: its IDN domain as punycode (ValueError if invalid)."""
    local, at, domain = address.rpartition("@")
    try:
        return f"{local}{at}{ascii_domain(domain)}"
    except ValueError as exc:
        raise ValueError(
            f"the domain of {address} is not a valid internationalized domain name ({exc}); "
            "fix the address"
        ) from exc


class _Transient(Exception):
    """Nothing was handed over; trying again is safe."""


def _code_text(code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"


class Mailer:
    """One SMTP session reused for a batch; reconnects after a lost connection."""

    def __init__(self, settings: SmtpSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        self._yag: yagmail.SMTP | None = None
        # True once the message data of the current delivery started going to the server:
        # from then on an interruption may have delivered it.
        self.handing_over = False

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._yag is not None:
            self._yag.close()
            self._yag = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if self._yag is not None:
            return self._yag.smtp
        context = tls_context(s.ca_file)
        extra: dict[str, object] = {"timeout": s.timeout}
        if s.security == "ssl":
            extra["context"] = context
        login = s.user or "followup@localhost"
        yag = yagmail.SMTP(
            # NOTE: a plain string without "@" would become "<user>@gmail.com" in yagmail;
            # the one-entry {user: alias} form keeps the login name exactly as configured.
            user={login: login},
            password=s.password or None,
            host=s.host,
            port=s.port,
            smtp_ssl=s.security == "ssl",
            smtp_starttls={"context": context} if s.security == "starttls" else False,
            smtp_skip_login=not s.user,
            soft_email_validation=False,
            **extra,
        )
        where = f"SMTP {s.host}:{s.port} ({s.security})"
        try:
            yag.login()
        except ssl.SSLCertVerificationError as exc:
            raise SendError(
                f"{where}: the server's TLS certificate is not trusted ({exc.verify_message}); "
                "for a private CA set smtp.ca_file (FOLLOWUP_SMTP_CA_FILE)"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"{where}: login as {s.user!r} refused "
                f"({_code_text(exc.smtp_code, exc.smtp_error)}); "
                "check FOLLOWUP_SMTP_USER and FOLLOWUP_SMTP_PASSWORD"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise SendError(
                f"{where}: {exc}; set smtp.security (FOLLOWUP_SMTP_SECURITY) to what the "
                "server offers"
            ) from exc
        except ssl.SSLError as exc:
            if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):  # cut off: retry
                raise _Transient(f"{where}: TLS connection cut off ({exc}); {_CHECK}") from exc
            # A plain server on an ssl port (or the reverse): retrying cannot help.
            raise SendError(
                f"{where}: TLS handshake failed ({exc.reason or exc}); set smtp.security "
                "(FOLLOWUP_SMTP_SECURITY) to what the port speaks: ssl on 465, starttls on "
                "587, none on a local test server"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise _Transient(
                f"{where}: cannot connect ({exc or type(exc).__name__}); {_CHECK}"
            ) from exc
        self._yag = yag
        return yag.smtp

    def _drop(self) -> None:
        if self._yag is not None:
            with contextlib.suppress(OSError):
                self._yag.smtp.close()
            self._yag = None

    def _transaction(self, mail: EmailMessage, sender: str, recipient: str) -> Delivery:
        self.handing_over = False  # a 4xx after the data means the server did not keep it
        try:
            sender, recipient = _envelope(sender), _envelope(recipient)
        except ValueError as exc:  # an IDN that is not valid: no server can take it
            return Delivery("rejected", f"not sent: {exc}")
        utf8 = needs_smtputf8(sender) or needs_smtputf8(recipient)
        try:
            smtp = self._connect()
            smtp.ehlo_or_helo_if_needed()
            options: list[str] = []
            if utf8:
                if not smtp.has_extn("smtputf8"):  # nothing sent yet: fail this one only
                    return Delivery(
                        "rejected",
                        f"not sent: {recipient if needs_smtputf8(recipient) else sender} has "
                        "non-ASCII letters before the @, which needs SMTPUTF8, and the SMTP "
                        "server (smtp.host) does not offer it; write to another address of "
                        "this contact, or send through a server that offers SMTPUTF8",
                    )
                options = ["SMTPUTF8", "BODY=8BITMIME"]
            code, reply = smtp.mail(sender, options)
            if code != 250:
                smtp.rset()
                if 400 <= code < 500:
                    raise _Transient(f"MAIL FROM refused: {_code_text(code, reply)}")
                raise SendError(
                    f"the server refuses the sender {sender}: {_code_text(code, reply)}"
                )
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                if 400 <= code < 500:
                    raise _Transient(f"RCPT TO refused: {_code_text(code, reply)}")
                return Delivery("rejected", f"recipient refused: {_code_text(code, reply)}")
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                smtp.rset()
                if 400 <= code < 500:
                    raise _Transient(f"DATA refused: {_code_text(code, reply)}")
                return Delivery("rejected", f"DATA refused: {_code_text(code, reply)}")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise _Transient(f"connection lost before the message was sent ({exc})") from exc
        # From here on the server may have the message: never retry.
        payload = smtplib._quote_periods(as_bytes(mail, "\r\n"))  # type: ignore[attr-defined]
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        self.handing_over = True
        try:
            smtp.send(payload + b".\r\n")
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return Delivery(
                "unknown", f"connection lost while the server was receiving the message ({exc})"
            )
        if code == 250:
            return Delivery("sent", _code_text(code, reply))
        if 400 <= code < 500:
            raise _Transient(f"message refused for now: {_code_text(code, reply)}")
        return Delivery("rejected", f"message refused: {_code_text(code, reply)}")

    def deliver(self, mail: EmailMessage, sender: str, recipient: str) -> Delivery:
        """Send one message to one recipient, retrying transient failures with backoff.

        Raises:
            SendError: a problem no retry fixes (login refused, untrusted certificate).
        """
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            try:
                return self._transaction(mail, sender, recipient)
            except _Transient as exc:
                detail = str(exc)
                if attempt == self.settings.retries:
                    return Delivery("deferred", detail)
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover
