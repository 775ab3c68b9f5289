"""Compose MIME messages (plain text + HTML alternative) and write them as .eml files.

Header values are built only through `header_safe`: a name or company containing CR/LF
can never add or change a header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import mimetypes
import os
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path

import idna

from contacts.errors import RenderError
from contacts.model import Message, utcnow

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def header_safe(value: str) -> str:
    """Collapse CR, LF and other control characters (header injection) into one space."""
    return _CONTROL.sub(" ", value).strip()


def ascii_domain(domain: str) -> str:
    """A domain as it goes over the wire: an IDN as punycode (IDNA 2008, UTS 46 mapping).

    Example: "Exämple.example" -> "xn--exmple-cua.example"; an ASCII domain is unchanged.

    Raises:
        ValueError: not a valid internationalized domain name (idna.IDNAError).
    """
    return domain if domain.isascii() else idna.encode(domain, uts46=True).decode("ascii")


def needs_smtputf8(address: str) -> bool:
    """True when the local part (before the @) is not ASCII: only SMTPUTF8 (RFC 6531) and
    UTF-8 headers (RFC 6532) can carry it; an IDN domain never needs it (punycode)."""
    return not address.rpartition("@")[0].isascii()


def mailbox(name: str, address: str) -> Address:
    """An RFC 5322 mailbox from untrusted parts; an IDN domain is written as punycode."""
    local, _, domain = header_safe(address).rpartition("@")
    with contextlib.suppress(ValueError):  # not a valid IDN: kept; the mailer refuses it
        domain = ascii_domain(domain)
    return Address(display_name=header_safe(name), username=local, domain=domain)


def as_bytes(mail: EmailMessage, linesep: str = "\n") -> bytes:
    """The message as bytes: 7-bit headers, or UTF-8 ones (RFC 6532) when an address's
    local part is not ASCII (an RFC 2047 word is not allowed inside an address)."""
    utf8 = any(
        not a.username.isascii()
        for name in ("From", "To")
        for a in getattr(mail[name], "addresses", ())
    )
    policy = mail.policy
    assert isinstance(policy, EmailPolicy)  # an EmailMessage's (email.policy.default)
    return mail.as_bytes(policy=policy.clone(linesep=linesep, utf8=utf8))


def list_unsubscribe(from_addr: str, url: str = "") -> str:
    """The List-Unsubscribe value: mailto always, the one-click URL when configured."""
    value = f"<mailto:{header_safe(from_addr)}?subject=unsubscribe>"
    return f"{value}, <{header_safe(url)}>" if url else value


def attachment_problem(name: str) -> str:
    """Why an attachment cannot go out ('' when it can), in the planner's words."""
    return (
        ""
        if Path(name).is_file()
        else f"attachment {name} not found; add the file or fix the stage"
    )


def _read_attachment(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:  # moved or deleted since planning, or unreadable
        problem = attachment_problem(str(path)) or (
            f"attachment {path} cannot be read ({exc.strerror}); fix the file or the stage"
        )
        raise RenderError(problem) from exc


def build_email(message: Message, unsubscribe_url: str = "") -> EmailMessage:
    """The full MIME message for an outbox row (what is previewed is what is sent).

    multipart/mixed (when there are attachments) > multipart/alternative (text/plain,
    text/html); one Message-ID, the deterministic one stored on the row.

    Raises:
        RenderError: an attachment is gone or unreadable (the message must not go without it).
    """
    mail = EmailMessage()
    mail["From"] = mailbox(message.from_name or "", message.from_addr)
    mail["To"] = mailbox(message.to_name or "", message.to_addr)
    mail["Subject"] = header_safe(message.subject)
    mail["Date"] = format_datetime(
        (message.sent_at or utcnow()).replace(tzinfo=dt.UTC), usegmt=True
    )
    mail["Message-ID"] = message.message_id
    mail["List-Unsubscribe"] = list_unsubscribe(message.from_addr, unsubscribe_url)
    if unsubscribe_url:
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # quoted-printable keeps the message 7-bit clean for any server, with short lines.
    mail.set_content(message.body_text, cte="quoted-printable")
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    for name in message.attachments or []:
        path = Path(name)
        kind, _ = mimetypes.guess_type(path.name)
        maintype, _, subtype = (kind or "application/octet-stream").partition("/")
        mail.add_attachment(
            _read_attachment(path),
            maintype=maintype,
            subtype=subtype,
            filename=header_safe(path.name),
        )
    return mail


def write_eml(mail: EmailMessage, path: Path, draft: bool = True) -> Path:
    """Write a message as an .eml file that opens in any mail client (as a draft)."""
    if draft and "X-Unsent" not in mail:
        mail["X-Unsent"] = "1"  # Outlook and others open it as an editable draft
    private_dir(path.parent)
    # Drafts hold personal data: the file is created readable by its owner only.
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fp:
        fp.write(as_bytes(mail))
    os.chmod(path, 0o600)
    return path


def private_dir(folder: Path) -> Path:
    """Create a folder and its missing parents readable by their owner only (0700)."""
    for missing in reversed([folder, *folder.parents]):
        if not missing.exists():
            missing.mkdir(mode=0o700, exist_ok=True)
            os.chmod(missing, 0o700)  # mkdir's mode is narrowed by the umask, not widened
    return folder
