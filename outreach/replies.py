"""Classify a mail read from the mailbox: bounce report, auto-reply, or a person's mail.

Pure functions over `email.message.Message`; nothing here touches the store or IMAP.
Whether a person's mail is a *reply* depends on our sent messages and is decided in
`outreach.inbound`. The order of the checks matters: a delivery status notification often
carries `Auto-Submitted: auto-replied` too, and is a bounce, not an out-of-office.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

# Header values that mark a mail as machine-written (RFC 3834 and common practice).
_PRECEDENCE_IGNORED = ("bulk", "junk", "list")
# Subjects of out-of-office and other automatic answers, in the languages seen most.
_AUTO_SUBJECT = re.compile(
    r"\b(out of (the )?office|automatic reply|auto[- ]?reply|auto[- ]?response|autoresponse"
    r"|away from (the )?office|on vacation|vacation reply|abwesenheitsnotiz"
    r"|automatische antwort|r[ée]ponse automatique|respuesta autom[áa]tica"
    r"|risposta automatica|automatisch antwoord)\b|^\s*auto:",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class BouncedRecipient:
    """One recipient of a delivery status notification that was not delivered."""

    address: str  # lower-cased bare address (Original-Recipient, else Final-Recipient)
    status: str  # enhanced status code, e.g. "5.1.1"
    diagnostic: str = ""

    @property
    def hard(self) -> bool:
        """A permanent failure (5.x.x): the address will not work."""
        return self.status.startswith("5")


@dataclass(frozen=True)
class Classified:
    """What a mail is, with the facts needed to act on it."""

    kind: str  # "bounce" | "auto-reply" | "mail" | "ignored"
    mail_key: str
    sender: str  # lower-cased bare From address
    subject: str
    # Message-IDs the mail refers to: In-Reply-To and References, or for a bounce the
    # Message-ID of the returned message.
    refers_to: tuple[str, ...] = ()
    bounced: tuple[BouncedRecipient, ...] = field(default_factory=tuple)
    reason: str = ""


def decoded(value: str | None) -> str:
    """A header as text, RFC 2047 encoded words decoded and whitespace folded."""
    if not value:
        return ""
    try:
        text = str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeDecodeError, ValueError):
        text = str(value)
    return " ".join(text.split())


def message_ids(*values: str | None) -> list[str]:
    """Every `<id>` token in the given header values, in order, without repeats.

    >>> message_ids("<a@x> <b@y>", "<a@x>")
    ['<a@x>', '<b@y>']
    """
    found: list[str] = []
    for value in values:
        for token in _MSGID.findall(value or ""):
            if token not in found:
                found.append(token)
    return found


def sender_of(msg: Message) -> str:
    """The bare From address, lower-cased ('' when there is none)."""
    pairs = getaddresses([decoded(msg.get("From"))])
    return pairs[0][1].strip().lower() if pairs and "@" in pairs[0][1] else ""


def mail_key(msg: Message) -> str:
    """A stable key of the mail: its Message-ID, else a digest of identifying headers."""
    ids = message_ids(msg.get("Message-ID"))
    if ids:
        return ids[0][:255]
    basis = "|".join(decoded(msg.get(h)) for h in ("From", "To", "Date", "Subject"))
    return "sha256:" + hashlib.sha256(basis.encode()).hexdigest()


def auto_reply_reason(msg: Message) -> str:
    """Why the mail is an automatic answer (out-of-office, vacation), or '' when it is not."""
    auto = decoded(msg.get("Auto-Submitted")).lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if msg.get(header) is not None:
            return f"{header} header"
    if decoded(msg.get("Precedence")).lower() == "auto_reply":
        return "Precedence: auto_reply"
    subject = decoded(msg.get("Subject"))
    if _AUTO_SUBJECT.search(subject):
        return f"subject {subject!r}"
    return ""


def _address(field_value: str) -> str:
    # "rfc822; someone@example.com" -> "someone@example.com"
    kind, _, address = field_value.partition(";")
    value = address if address else kind
    return value.strip().strip("<>").lower()


def delivery_status(msg: Message) -> tuple[list[BouncedRecipient], list[str]] | None:
    """The failed recipients and returned Message-IDs of an RFC 3464 report, else None.

    Only `multipart/report; report-type=delivery-status` is read. Recipients whose
    Action is delivered, relayed or expanded are left out: they did not bounce.
    """
    if msg.get_content_type() != "multipart/report":
        return None
    if str(msg.get_param("report-type") or "").lower() != "delivery-status":
        return None
    recipients: list[BouncedRecipient] = []
    returned: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks[1:] if isinstance(blocks, list) else []:
                recipient = _recipient(block) if isinstance(block, Message) else None
                if recipient:
                    recipients.append(recipient)
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            returned += _returned_ids(part)
    return recipients, returned


def _recipient(block: Message) -> BouncedRecipient | None:
    action = decoded(block.get("Action")).lower()
    if action in ("delivered", "relayed", "expanded"):
        return None
    address = _address(decoded(block.get("Original-Recipient"))) or _address(
        decoded(block.get("Final-Recipient"))
    )
    code = _STATUS.search(decoded(block.get("Status")))
    if not address or not code:
        return None
    status = code.group(0)
    if action == "delayed" and status.startswith("5"):
        status = "4" + status[1:]  # a delay is never final
    return BouncedRecipient(address, status, decoded(block.get("Diagnostic-Code")))


def _returned_ids(part: Message) -> list[str]:
    payload = part.get_payload()
    if isinstance(payload, list):  # message/rfc822: the returned message, parsed
        return [
            i for m in payload if isinstance(m, Message) for i in message_ids(m.get("Message-ID"))
        ]
    text = payload if isinstance(payload, str) else ""
    match = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
    return [match.group(1)] if match else []


def classify(msg: Message) -> Classified:
    """Say what a mail is: a bounce report, an auto-reply, a person's mail, or ignored."""
    key, sender, subject = mail_key(msg), sender_of(msg), decoded(msg.get("Subject"))
    report = delivery_status(msg)
    if report is not None:
        recipients, returned = report
        return Classified(
            "bounce", key, sender, subject, tuple(returned), tuple(recipients), "RFC 3464 report"
        )
    refers = tuple(message_ids(msg.get("In-Reply-To"), msg.get("References")))
    reason = auto_reply_reason(msg)
    if reason:
        return Classified("auto-reply", key, sender, subject, refers, reason=reason)
    precedence = decoded(msg.get("Precedence")).lower()
    if precedence in _PRECEDENCE_IGNORED or msg.get("List-Id") is not None:
        return Classified("ignored", key, sender, subject, refers, reason="list or bulk mail")
    return Classified("mail", key, sender, subject, refers)
