"""Benchmark `followup outbox sync`: classify speed, and a first and a repeat sync of a
mailbox of N mails on a real Dovecot (started here, as in the tests). Prints figures.

    .venv/bin/python bench/sync.py [N]      # N mails in INBOX, default 1000
"""

from __future__ import annotations

import datetime as dt
import email
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imap_tools import MailBoxUnencrypted  # noqa: E402

from contacts import store  # noqa: E402
from outreach.replies import classify  # noqa: E402
from outreach.sync import sync_mailbox  # noqa: E402
from tests.dovecot import Dovecot  # noqa: E402
from tests.mailtests import NOW, mail, sent_outbox, sync_config  # noqa: E402

KINDS = ("reply-threaded", "reply-unthreaded", "out-of-office", "bounce-hard", "bounce-soft")


def unrelated(i: int) -> bytes:
    return (
        f"From: Person {i} <person{i}@elsewhere.example>\r\nTo: me@bellows.example\r\n"
        f"Subject: Hello number {i}\r\nMessage-ID: <bench-{i}@elsewhere.example>\r\n"
        f"Date: Mon, 16 Mar 2026 09:00:00 +0000\r\n\r\n" + "Some text.\r\n" * 40
    ).encode()


def main(n: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="followup-bench-sync-"))
    url = f"sqlite:///{work / 'bench.db'}"
    server = Dovecot("/usr/sbin/dovecot")
    try:
        account = server.account()
        for name in [k for k in os.environ if k.startswith("FOLLOWUP_")]:
            del os.environ[name]
        os.environ.update(account.env())
        sent = sent_outbox(url, work)
        mails = [mail(k, sent) for k in KINDS] + [unrelated(i) for i in range(n - len(KINDS))]

        started = time.perf_counter()
        for raw in mails:
            classify(email.message_from_bytes(raw))
        took = time.perf_counter() - started
        print(f"classify: {n} mails in {took:.3f} s ({n / took:,.0f} mails/s)")

        with MailBoxUnencrypted(account.host, account.port).login(
            account.user, account.password
        ) as box:
            for raw in mails:
                box.append(raw, "INBOX")
        config = sync_config(work)
        for label in ("first sync", "repeat sync"):
            started = time.perf_counter()
            result = sync_mailbox(config, url=url, now=NOW + dt.timedelta(minutes=1))
            took = time.perf_counter() - started
            print(f"{label}: {took:.2f} s, {result.summary()}")
    finally:
        server.stop()
        store.dispose(url)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
