"""The only module that talks IMAP (with imap-tools).

It reads, never changes: folders are opened read-only (EXAMINE) and bodies fetched with
BODY.PEEK, so nothing is marked read or deleted, unless the user turns on
`imap.mark_seen`. Every failure the user must act on becomes one `MailboxError` line.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags
from imap_tools.errors import ImapToolsError, MailboxLoginError
from imap_tools.mailbox import BaseMailBox

from contacts.errors import ConfigError, MailboxError
from outreach.config import SECURITY_CHOICES, Config

FETCH_BATCH = 100  # UIDs fetched per command: bounded memory and command length


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    security: str
    folders: tuple[str, ...]
    timeout: int
    mark_seen: bool
    cafile: str = ""

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def imap_settings(config: Config) -> ImapSettings:
    """The IMAP settings, checked: a missing host, user or password says what to set."""
    missing = [
        env
        for name, env in (
            ("imap.host", "FOLLOWUP_IMAP_HOST"),
            ("imap.user", "FOLLOWUP_IMAP_USER"),
            ("imap.password", "FOLLOWUP_IMAP_PASSWORD"),
        )
        if not str(config.get(name) or "").strip()
    ]
    if missing:
        raise ConfigError(
            f"no mailbox to read: set {', '.join(missing)} (host and user may also go in "
            "[imap] of followup.toml; the password only in the environment)"
        )
    security = str(config.get("imap.security")).strip().lower()
    if security not in SECURITY_CHOICES:
        raise ConfigError(f"FOLLOWUP_IMAP_SECURITY={security!r}: use one of none, starttls or ssl")
    cafile = str(config.get("imap.cafile") or "").strip()
    if cafile and not Path(cafile).is_file():
        raise ConfigError(
            f"FOLLOWUP_IMAP_CAFILE={cafile!r}: no such file; give the PEM file of the "
            "certificate (or CA) your IMAP server uses, or leave it empty"
        )
    raw = config.get("imap.folders")
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    folders = tuple(dict.fromkeys(str(f).strip() for f in parts if str(f).strip()))
    return ImapSettings(
        host=str(config.get("imap.host")).strip(),
        port=int(config.get("imap.port")),
        user=str(config.get("imap.user")).strip(),
        password=str(config.get("imap.password")),
        security=security,
        folders=folders or ("INBOX",),
        timeout=int(config.get("imap.timeout")),
        mark_seen=bool(config.get("imap.mark_seen")),
        cafile=cafile,
    )


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    message: Message


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int


class Reader:
    """An open, logged-in mailbox; see `open_mailbox`."""

    def __init__(self, box: BaseMailBox, settings: ImapSettings) -> None:
        self.box, self.settings = box, settings

    def state(self, folder: str) -> FolderState:
        """UIDVALIDITY and UIDNEXT of a folder (selected read-only)."""
        with _failures(self.settings, f"reading folder {folder!r}"):
            if not self.box.folder.exists(folder):
                raise MailboxError(
                    f"the IMAP server {self.settings.where} has no folder {folder!r}: "
                    "fix FOLLOWUP_IMAP_FOLDERS (comma-separated, e.g. INBOX)"
                )
            self.box.folder.set(folder, readonly=not self.settings.mark_seen)
            status = self.box.folder.status(folder, ["UIDVALIDITY", "UIDNEXT"])
        return FolderState(int(status["UIDVALIDITY"]), int(status["UIDNEXT"]))

    def new_uids(self, after_uid: int, since: dt.date | None) -> list[int]:
        """UIDs above `after_uid` in the selected folder (and from `since` on, if given)."""
        criteria = AND(uid=f"{after_uid + 1}:*", date_gte=since) if since else None
        with _failures(self.settings, "searching the folder"):
            found = self.box.uids(criteria or AND(uid=f"{after_uid + 1}:*"))
        # "n:*" always matches the last message, even below n: filter.
        return sorted(u for u in (int(x) for x in found) if u > after_uid)

    def fetch(self, uids: list[int], headers_only: bool) -> Iterator[FetchedMail]:
        """The mails with these UIDs, in UID order, without setting \\Seen."""
        for start in range(0, len(uids), FETCH_BATCH):
            batch = [str(u) for u in uids[start : start + FETCH_BATCH]]
            with _failures(self.settings, "fetching mail"):
                mails = list(
                    self.box.fetch(
                        uid_list=batch, mark_seen=False, headers_only=headers_only, bulk=True
                    )
                )
            for mail in sorted(mails, key=lambda m: int(m.uid or 0)):
                yield FetchedMail(int(mail.uid or 0), mail.obj)

    def mark_seen(self, folder: str, uids: list[int]) -> None:
        """Flag handled mails as read (only when the user turned `imap.mark_seen` on)."""
        if uids and self.settings.mark_seen:
            with _failures(self.settings, "marking mail read"):
                self.box.folder.set(folder)
                self.box.flag([str(u) for u in uids], MailMessageFlags.SEEN, True)


@contextmanager
def _failures(settings: ImapSettings, doing: str) -> Iterator[None]:
    """Turn every IMAP, TLS and network failure into one MailboxError line."""
    hint = "check FOLLOWUP_IMAP_HOST, FOLLOWUP_IMAP_PORT and FOLLOWUP_IMAP_SECURITY"
    try:
        yield
    except MailboxLoginError as exc:
        raise MailboxError(
            f"the IMAP server {settings.where} refused the login of {settings.user!r}: "
            "check FOLLOWUP_IMAP_USER and FOLLOWUP_IMAP_PASSWORD (Gmail and Outlook "
            "need an app password)"
        ) from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError(
            f"the IMAP server {settings.where} sent a certificate that is not trusted "
            f"({exc.verify_message or exc.reason}): check FOLLOWUP_IMAP_HOST; for a "
            "self-signed server set FOLLOWUP_IMAP_CAFILE to its certificate"
        ) from exc
    except ssl.SSLError as exc:
        raise MailboxError(
            f"TLS failed with the IMAP server {settings.where} while {doing} "
            f"({exc.reason or exc}): {hint}"
        ) from exc
    except TimeoutError as exc:
        raise MailboxError(
            f"the IMAP server {settings.where} did not answer within "
            f"{settings.timeout} s while {doing}: {hint}, or raise FOLLOWUP_IMAP_TIMEOUT",
            transient=True,
        ) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise MailboxError(
            f"cannot reach the IMAP server {settings.where} while {doing} ({reason}): {hint}",
            transient=True,
        ) from exc
    except (ImapToolsError, imaplib.IMAP4.error) as exc:
        raise MailboxError(
            f"the IMAP server {settings.where} failed while {doing}: "
            f"{str(exc).strip() or type(exc).__name__}"
        ) from exc


def _connect(settings: ImapSettings) -> BaseMailBox:
    host, port, timeout = settings.host, settings.port, settings.timeout
    # Certificates are always verified; a self-signed server is trusted via imap.cafile.
    context = ssl.create_default_context(cafile=settings.cafile or None)
    if settings.security == "ssl":
        return MailBox(host, port, timeout=timeout, ssl_context=context)
    if settings.security == "starttls":
        return MailBoxStartTls(host, port, timeout=timeout, ssl_context=context)
    return MailBoxUnencrypted(host, port, timeout=timeout)


@contextmanager
def open_mailbox(settings: ImapSettings) -> Iterator[Reader]:
    """Connect and log in; the connection is closed (logged out) when the block ends."""
    with _failures(settings, "connecting"):
        box = _connect(settings)
    try:
        with _failures(settings, "logging in"):
            box.login(settings.user, settings.password, initial_folder=None)
        yield Reader(box, settings)
    finally:
        # NOTE: a failing logout is ignored: the connection is going away anyway.
        with suppress(OSError, ImapToolsError, imaplib.IMAP4.error):
            box.logout()
