"""Benchmark: follow-up messages rendered per second for 10,000 contacts.

Renders the first stage of the shipped job-seeker and recruiter sequences (subject, text
and HTML, StrictUndefined, autoescape) for 10,000 synthetic contacts, then composes the
MIME message of each. Prints figures; asserts nothing. Target: >= 5,000 rendered/s.

    .venv/bin/python bench/outreach.py [--contacts N] [--runs R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contacts.model import Message  # noqa: E402
from outreach.compose import build_email  # noqa: E402
from outreach.render import render  # noqa: E402
from outreach.staging import make_message_id  # noqa: E402

FIRST = ["Maria", "Robert", "Aisha", "", "Lucas", "Chloé", "James", "Ngozi"]
COMPANIES = ["Northwind Analytics", "Contoso", "", "Fabrikam", "Globex & Partners"]
NOTES = ["the new-grad data program in Boston", "", "payments design reviews <and> on-call"]


def contexts(count: int) -> list[dict[str, object]]:
    out = []
    for i in range(count):
        first = FIRST[i % len(FIRST)]
        out.append(
            {
                "contact": {
                    "full_name": f"{first} Person{i}".strip(),
                    "first_name": first,
                    "last_name": f"Person{i}",
                    "company": COMPANIES[i % len(COMPANIES)],
                    "title": "Recruiter",
                    "email": f"person{i}@example.org",
                    "met_before": i % 7 == 0,
                },
                "event": {
                    "name": "Spring Career Fair 2026",
                    "date": dt.date(2026, 3, 12),
                    "slug": "s",
                },
                "sighting": {
                    "notes": NOTES[i % len(NOTES)],
                    "rating": str(i % 5 + 1),
                    "captured_by": "Priya Sharma",
                    "captured_at": "",
                    "company": COMPANIES[i % len(COMPANIES)],
                    "title": "Recruiter",
                    "lead": {},
                },
                "sender": {
                    "key": "default",
                    "name": "Priya Sharma",
                    "email": "priya@bellows.example",
                    "signature": "Priya Sharma\nportfolio: https://priya.example",
                },
                "stage": {"name": "thank-you", "number": 1, "of": 3},
                "previous": None,
            }
        )
    return out


def run(count: int) -> tuple[float, float]:
    items = contexts(count)
    templates = ROOT / "templates"
    start = time.perf_counter()
    rendered = [
        render(
            templates,
            "job-seeker" if i % 2 else "recruiter",
            "thank-you" if i % 2 else "next-steps",
            ctx,
        )
        for i, ctx in enumerate(items)
    ]
    render_s = time.perf_counter() - start
    start = time.perf_counter()
    for i, r in enumerate(rendered):
        message = Message(
            subject=r.subject,
            body_text=r.text,
            body_html=r.html,
            to_addr=f"person{i}@example.org",
            to_name=f"Person {i}",
            from_addr="priya@bellows.example",
            from_name="Priya Sharma",
            message_id=make_message_id("s", "job-seeker", "thank-you", str(i), "bellows.example"),
            attachments=[],
        )
        bytes(build_email(message))
    compose_s = time.perf_counter() - start
    return count / render_s, count / compose_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    render(ROOT / "templates", "job-seeker", "thank-you", contexts(1)[0])  # compile once
    results = [run(args.contacts) for _ in range(args.runs)]
    renders = [r for r, _ in results]
    composes = [c for _, c in results]
    print(f"contacts: {args.contacts:,}  runs: {args.runs}")
    print(
        f"rendered (subject + text + HTML): median {statistics.median(renders):,.0f} msg/s "
        f"(min {min(renders):,.0f}, max {max(renders):,.0f}); target >= 5,000 msg/s"
    )
    print(
        f"composed to MIME bytes: median {statistics.median(composes):,.0f} msg/s "
        f"(min {min(composes):,.0f}, max {max(composes):,.0f})"
    )


if __name__ == "__main__":
    main()
