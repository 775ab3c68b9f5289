"""Wall time of the `post-event` flow for a 500-person fair, and Prefect's overhead.

Run: `.venv/bin/python bench/flows.py [--runs 3]`. Everything happens in a temporary
folder (a fresh SQLite store per run, a fresh PREFECT_HOME, so the first flow call is
truly cold: it starts Prefect's temporary local API and creates its database).

Prints: the plain functions called directly (ingest_file, match_pending, plan_event),
the first flow call in the process (cold), later flow calls (warm), and the overhead of
a warm flow run over the plain functions (target: at most 2 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Barbara",
    "Edsger",
    "Frances",
    "Donald",
    "Margaret",
    "John",
    "Katherine",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Liskov",
    "Dijkstra",
    "Allen",
    "Knuth",
    "Hamilton",
    "Backus",
    "Johnson",
]
COMPANIES = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adatum",
    "Proseware",
    "Wingtip",
]


def write_fair(folder: Path, people: int = 500, cards: int = 100) -> list[str]:
    """A lead-retrieval CSV of `people` badge scans plus a .vcf where `cards` reappear."""
    folder.mkdir(parents=True)
    scans = ["First Name,Last Name,Email,Company,Job Title,Phone,Notes,Rating"]
    vcards = []
    for i in range(people):
        first, last = FIRST[i % 10], f"{LAST[(i // 10) % 10]}{i}"
        company = COMPANIES[i % len(COMPANIES)]
        email = f"{first}.{last}@{company}.example".lower()
        phone = f"+1 617 555 {i:04d}"
        scans.append(f"{first},{last},{email},{company},Engineer,{phone},talked about data,{i % 5}")
        if i < cards:
            vcards.append(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n"
                f"EMAIL:{email}\r\nORG:{company}\r\nEND:VCARD\r\n"
            )
    (folder / "scans.csv").write_text("\n".join(scans) + "\n", encoding="utf-8")
    (folder / "cards.vcf").write_text("".join(vcards), encoding="utf-8")
    return [str(folder / "scans.csv"), str(folder / "cards.vcf")]


def plain(files: list[str], url: str) -> tuple[int, int]:
    from contacts.match import match_pending
    from ingest.pipeline import ingest_file
    from outreach.config import load_config
    from outreach.planner import plan_event

    for f in files:
        ingest_file(f, "Bench Fair", region="US", url=url)
    matched = match_pending(url)
    plan = plan_event("Bench Fair", load_config(), url=url, sequence_name="job-seeker")
    return matched.new_contacts, plan.drafted


def flow(files: list[str], url: str) -> tuple[int, int]:
    from flows.post_event import post_event

    result = post_event(event="Bench Fair", files=files, region="US", sequence="job-seeker", db=url)
    return result.match.new_contacts, result.plan.drafted


def timed(fn, files: list[str], url: str) -> tuple[float, tuple[int, int]]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    counts = fn(files, url)
    return time.perf_counter() - start, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each kind")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="followup-bench-"))
    os.environ["PREFECT_HOME"] = str(work / "prefect-home")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    shutil.copy(ROOT / "followup.toml", work / "followup.toml")
    shutil.copytree(ROOT / "templates", work / "templates")
    os.chdir(work)
    sys.path.insert(0, str(ROOT))
    import flows  # noqa: F401  (Prefect defaults before Prefect is imported)

    files = write_fair(work / "fair")
    n = iter(range(1000))

    def fresh() -> str:
        return f"sqlite:///{work / f'run{next(n)}.db'}"

    plain(files, fresh())  # import everything once, outside the timings
    plain_times, warm_times = [], []
    for _ in range(args.runs):
        plain_times.append(timed(plain, files, fresh())[0])
    cold, counts = timed(flow, files, fresh())
    for _ in range(args.runs):
        warm_times.append(timed(flow, files, fresh())[0])
    p, w = statistics.median(plain_times), statistics.median(warm_times)
    print(f"fair: 500 badge scans + 100 business cards -> {counts[0]} contacts, {counts[1]} drafts")
    print(f"plain functions : {p:6.2f} s  (median of {args.runs}: {_fmt(plain_times)})")
    print(f"post_event cold : {cold:6.2f} s  (first flow call: starts the temporary Prefect API)")
    print(f"post_event warm : {w:6.2f} s  (median of {args.runs}: {_fmt(warm_times)})")
    verdict = "within" if w - p <= 2.0 else "OVER"
    print(f"Prefect overhead: {w - p:6.2f} s warm ({verdict} the 2 s target)")
    print(f"                  {cold - p:6.2f} s cold")
    shutil.rmtree(work, ignore_errors=True)


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
