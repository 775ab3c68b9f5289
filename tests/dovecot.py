"""A real IMAP server for the tests: Dovecot (Debian's dovecot-imapd) on 127.0.0.1.

One instance per test session, with its own configuration, passwd-file and Maildir in a
temporary folder; each test gets a fresh throwaway user (so a fresh, empty INBOX).
`make imap-server` (called by .ci/run) installs Dovecot when it is missing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from tests.smtpd import self_signed

CONF = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = followup-test-{port}
listen = 127.0.0.1
protocols = imap
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={internal} gid={internal_group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


USERS = 400  # throwaway mail users, one per test
PASSWORD = "s3cret-for-tests"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accounts() -> tuple[str, str, str]:
    """Users Dovecot runs as: its own system users as root, else the current user."""
    if os.geteuid() == 0:
        for name in ("dovecot", "dovenull"):
            pwd.getpwnam(name)  # created by the Debian package
        return "dovecot", "dovecot", "dovenull"
    me = pwd.getpwuid(os.geteuid()).pw_name
    return me, me, me


@dataclass
class Account:
    host: str
    port: int
    user: str
    password: str
    ssl_port: int = 0  # implicit TLS (imaps); `port` offers STARTTLS and plain text
    cafile: Path | None = None  # the server's self-signed certificate

    def env(self) -> dict[str, str]:
        """The FOLLOWUP_IMAP_* settings that point followup at this mailbox."""
        return {
            "FOLLOWUP_IMAP_HOST": self.host,
            "FOLLOWUP_IMAP_PORT": str(self.port),
            "FOLLOWUP_IMAP_USER": self.user,
            "FOLLOWUP_IMAP_PASSWORD": self.password,
            "FOLLOWUP_IMAP_SECURITY": "none",
        }

    def deliver(self, *mails: bytes, folder: str = "INBOX") -> None:
        """Put mails into a folder with IMAP APPEND, as a mail server's delivery would."""
        with MailBoxUnencrypted(self.host, self.port).login(self.user, self.password) as box:
            if not box.folder.exists(folder):
                box.folder.create(folder)
            for mail in mails:
                box.append(mail, folder)

    def flags(self, folder: str = "INBOX") -> list[tuple[str, ...]]:
        """The flags of every mail in the folder, in UID order (read without \\Seen)."""
        with MailBoxUnencrypted(self.host, self.port).login(
            self.user, self.password, initial_folder=folder
        ) as box:
            return [m.flags for m in box.fetch(mark_seen=False, headers_only=True)]


class Dovecot:
    """One running Dovecot; `account()` adds a fresh user with an empty Maildir."""

    def __init__(self, binary: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="followup-dovecot-"))
        self.root.chmod(0o755)  # Dovecot's own users must reach the Maildir
        self.port, self.ssl_port = free_port(), free_port()
        self.cafile, _ = self_signed(self.root)  # cert.pem and key.pem in the root
        internal, group, login = _accounts()
        (self.root / "mail").mkdir()
        shutil.chown(self.root / "mail", internal, group)
        # Users are written up front: Dovecot does not promise to re-read a changed
        # passwd-file at once, and a test must never wait for it.
        self.passwd = self.root / "passwd"
        self.passwd.write_text(
            "".join(f"user{n}:{{PLAIN}}{PASSWORD}::::::\n" for n in range(1, USERS + 1))
        )
        self.conf = self.root / "dovecot.conf"
        self.conf.write_text(
            CONF.format(
                root=self.root,
                port=self.port,
                ssl_port=self.ssl_port,
                internal=internal,
                internal_group=group,
                login=login,
            )
        )
        self.binary = binary
        self._users = count(1)
        # The daemon keeps its parent's stdout/stderr open: give it a file, not a pipe
        # (a pipe would never reach end-of-file and `run` would wait for ever).
        with (self.root / "start.log").open("wb") as log:
            subprocess.run(
                [binary, "-c", str(self.conf)], check=True, stdout=log, stderr=log,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        self._wait()

    def _wait(self) -> None:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        log = (self.root / "dovecot.log").read_text(errors="replace")
        raise RuntimeError(f"Dovecot did not start on port {self.port}:\n{log}")

    def account(self) -> Account:
        n = next(self._users)
        if n > USERS:
            raise RuntimeError(f"more than {USERS} mail users in one test session")
        return Account("127.0.0.1", self.port, f"user{n}", PASSWORD, self.ssl_port, self.cafile)

    def stop(self) -> None:
        subprocess.run(
            [self.binary, "-c", str(self.conf), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        for _ in range(50):
            if not (self.root / "run" / "master.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A Dovecot instance for the whole session (installed by `make imap-server`)."""
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        pytest.fail("Dovecot is not installed: run `make imap-server` (apt: dovecot-imapd)")
    server = Dovecot(binary)
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot: Dovecot) -> Account:
    """A fresh mail user with an empty INBOX on the session's Dovecot."""
    return dovecot.account()
