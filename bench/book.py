"""Benchmark the relationship features on a synthetic book: prints figures, asserts nothing.

Builds three events of N rows each (40% of each later event's people were met before),
then times the funnel, the HTML report, the exports, a search, `today` and one `forget`.

    .venv/bin/python bench/book.py [N] [--db URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contacts import book, export  # noqa: E402
from contacts.forget import forget  # noqa: E402
from contacts.match import match_pending  # noqa: E402
from contacts.store import session_scope  # noqa: E402
from ingest.pipeline import ingest_file  # noqa: E402
from outreach.keepintouch import due_reminders, set_cadence  # noqa: E402
from outreach.report import funnel  # noqa: E402
from outreach.report_html import render_html  # noqa: E402

EVENTS = [("Spring Fair", dt.date(2026, 3, 12)), ("Summer Meetup", dt.date(2026, 6, 4)),
          ("Autumn Fair", dt.date(2026, 10, 1))]  # fmt: skip


def _write_event(folder: Path, index: int, rows: int) -> Path:
    path = folder / f"event-{index}.csv"
    lines = ["First Name,Last Name,Email,Company,Job Title"]
    start = int(index * rows * 0.6)  # 40% overlap with the previous event
    for n in range(start, start + rows):
        lines.append(
            f"Person{n},Surname{n},person{n}@company{n % 97}.example,Company {n % 97},Engineer"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _timed(label: str, func):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func()
    print(f"{label:<40} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1000, help="rows per event")
    parser.add_argument("--db", default="", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="followup-bench-"))
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    for i, (name, date) in enumerate(EVENTS):
        path = _write_event(folder, i, args.rows)

        def load(path: Path = path, name: str = name, date: dt.date = date) -> None:
            ingest_file(path, name, date, url=url)
            match_pending(url)

        _timed(f"ingest + match {name} ({args.rows})", load)
    with session_scope(url) as session:
        for cid in range(1, args.rows // 2):
            set_cadence(session, 90, cid)
    rows = _timed("funnel (3 events)", lambda: funnel(url))
    print(f"  contacts per event: {[r.contacts for r in rows]}, known: {[r.known for r in rows]}")
    html = _timed("HTML report", lambda: render_html(rows))
    print(f"  HTML size: {len(html.encode()) / 1024:.1f} KiB")
    with session_scope(url) as session:
        cards = _timed("export vCard 4.0 (all)", lambda: export.export_vcard(session, "4.0"))
        print(f"  vCard size: {len(cards.encode()) / 1024:.1f} KiB")
        _timed("export CSV google layout (all)", lambda: export.export_csv(session, "google"))
        found = _timed("search 'company 7'", lambda: book.search(session, "company 7"))
        print(f"  matches: {len(found)}")
        due = _timed(
            f"today ({args.rows // 2 - 1} cadences)",
            lambda: due_reminders(session, dt.date(2027, 6, 1)),
        )
        print(f"  due: {len(due)}")
    _timed("forget one person", lambda: forget(url, "person10@company10.example"))


if __name__ == "__main__":
    main()
