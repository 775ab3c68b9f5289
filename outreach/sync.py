"""`sync_mailbox`: read what is new in the mailbox and let it stop, pause or suppress.

The position in each folder (UIDVALIDITY + last UID read) is kept in the store, so each
sync reads only mail that arrived since the last one. All the reading happens first and
all the changes in one transaction afterwards: a mailbox that fails half-way leaves the
outbox exactly as it was. The first sync of a folder reads mail from the day before the
first message we sent (nothing older can answer us); with nothing sent yet it only
records where the folder stands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from contacts.model import MailboxPosition, Message, utcnow
from contacts.stoprules import resume_expired
from contacts.store import session_scope
from outreach.config import Config
from outreach.inbound import Outcome, Policy, handle
from outreach.mailbox import FetchedMail, FolderState, Reader, imap_settings, open_mailbox
from outreach.replies import classify


@dataclass
class SyncResult:
    """What one sync read and did (the CLI prints `summary()`)."""

    folders: int = 0
    read: int = 0
    replies: int = 0
    auto_replies: int = 0
    bounces: int = 0
    soft_bounces: int = 0
    cancelled: int = 0
    pushed: int = 0
    suppressed: int = 0
    readdressed: int = 0
    resumed: int = 0

    def add(self, outcome: Outcome) -> None:
        counter = {
            "reply": "replies",
            "auto-reply": "auto_replies",
            "bounce": "bounces",
            "soft-bounce": "soft_bounces",
        }.get(outcome.kind)
        if counter:
            setattr(self, counter, getattr(self, counter) + 1)
        self.cancelled += outcome.cancelled
        self.pushed += outcome.pushed
        self.suppressed += outcome.suppressed
        self.readdressed += outcome.readdressed

    def summary(self) -> str:
        """One line, e.g. 'read 5 new mails in 1 folder: 2 replies, ...'."""
        folders = "folder" if self.folders == 1 else "folders"
        text = (
            f"read {self.read} new mails in {self.folders} {folders}: {self.replies} replies, "
            f"{self.auto_replies} out-of-office (paused), {self.bounces} hard bounces, "
            f"{self.soft_bounces} soft bounces; cancelled {self.cancelled} pending messages, "
            f"suppressed {self.suppressed} addresses"
        )
        if self.readdressed:
            text += f", moved {self.readdressed} messages to another address"
        if self.resumed:
            text += f"; {self.resumed} pauses ended"
        return text


@dataclass
class _Folder:
    name: str
    state: FolderState
    last_uid: int
    mails: list[FetchedMail]


def _read_folder(reader: Reader, name: str, known: tuple[int, int] | None, since: dt.date | None):  # type: ignore[no-untyped-def]
    state = reader.state(name)
    if known and known[0] == state.uidvalidity:
        uids = reader.new_uids(known[1], None)
        last = known[1]
    else:
        uids = reader.new_uids(0, since) if since else []
        last = 0
    heads = list(reader.fetch(uids, headers_only=True))
    # Only delivery reports need their body; every other mail is judged by its headers.
    reports = [m.uid for m in heads if m.message.get_content_type() == "multipart/report"]
    full = {m.uid: m for m in reader.fetch(reports, headers_only=False)}
    last = max([last, state.uidnext - 1, *uids])
    return _Folder(name, state, last, [full.get(m.uid, m) for m in heads])


def sync_mailbox(
    config: Config, url: str | None = None, now: dt.datetime | None = None
) -> SyncResult:
    """Read new mail from the configured IMAP folders and act on replies and bounces."""
    settings = imap_settings(config)
    now = now or utcnow()
    policy = Policy.from_config(config, now)
    with session_scope(url) as session:
        positions = {
            p.folder: (p.uidvalidity, p.last_uid)
            for p in session.scalars(
                sa.select(MailboxPosition).where(MailboxPosition.account == settings.account)
            )
        }
        first_sent = session.scalar(sa.select(sa.func.min(Message.sent_at)))
    since = (first_sent - dt.timedelta(days=1)).date() if first_sent else None
    result = SyncResult()
    with open_mailbox(settings) as reader:
        folders = [
            _read_folder(reader, name, positions.get(name), since) for name in settings.folders
        ]
        handled: dict[str, list[int]] = {}
        with session_scope(url) as session:
            result.resumed = resume_expired(session, now)
            for folder in folders:
                result.folders += 1
                for mail in folder.mails:
                    result.read += 1
                    outcome = handle(session, classify(mail.message), policy, folder.name, mail.uid)
                    result.add(outcome)
                    if outcome.kind:
                        handled.setdefault(folder.name, []).append(mail.uid)
                _save_position(session, settings.account, folder, now)
        for name, uids in handled.items():
            reader.mark_seen(name, uids)
    return result


def _save_position(session, account: str, folder: _Folder, now: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    position = session.scalar(
        sa.select(MailboxPosition).where(
            MailboxPosition.account == account, MailboxPosition.folder == folder.name
        )
    )
    if position is None:
        position = MailboxPosition(account=account, folder=folder.name)
        session.add(position)
    elif (position.uidvalidity, position.last_uid) == (folder.state.uidvalidity, folder.last_uid):
        return  # nothing new: a sync that finds nothing changes nothing
    position.uidvalidity, position.last_uid = folder.state.uidvalidity, folder.last_uid
    position.synced_at = now
    session.flush()
