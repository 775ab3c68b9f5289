"""Ingest throughput: read + normalize + store into a SQLite file, records per second.

Generates a 100,000-row lead-retrieval CSV and a 20,000-card vCard 3.0 file (names
drawn from small pools, as real events repeat first names, companies and domains; every
email and phone is distinct), then times `ingest_file` on each. Matching is not timed.

    .venv/bin/python bench/ingest.py [--rows 100000] [--cards 20000] [--runs 1]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contacts import store  # noqa: E402
from ingest.pipeline import ingest_file  # noqa: E402

FIRST = [
    "Maria",
    "James",
    "Aiko",
    "Lena",
    "Omar",
    "Priya",
    "Sean",
    "Chloé",
    "Jürgen",
    "Ada",
    "Ravi",
    "Emma",
    "Lukas",
    "Nora",
    "Kim",
    "Daniel",
    "Sofia",
    "Jean",
    "Mei",
    "Tom",
]
LAST = [
    "García",
    "O'Brien",
    "Tanaka",
    "Fischer",
    "Haddad",
    "Sharma",
    "McDonald",
    "Dubois",
    "Groß",
    "Okafor",
    "Kumar",
    "van der Berg",
    "Meier",
    "Hansen",
    "Lee",
    "Rossi",
    "Chen",
]
COMPANIES = [f"{w} {s}" for w in ("Northwind", "Contoso", "Globex", "Initech", "Umbrella",
             "Fjord Data", "Kumo Robotics", "Lumen", "Atelier", "Polder") for s in
             ("Inc.", "GmbH", "Ltd", "LLC", "BV")]  # fmt: skip
TITLES = ["Recruiter", "Engineer", "Data Scientist", "CTO", "Student", "Talent Partner"]


def _person(rng: random.Random, n: int) -> tuple[str, str, str, str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    domain = company.split()[0].lower() + ".example"
    email = f"{first[0].lower()}.{n}@{domain}"
    phone = f"(617) {200 + n // 10000:03d}-{n % 10000:04d}"
    return first, last, email, company, rng.choice(TITLES), phone


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "First Name",
                "Last Name",
                "Email",
                "Company",
                "Job Title",
                "Phone",
                "Rating",
                "Notes",
                "Captured By",
                "Captured At",
                "Interested in",
            ]
        )
        for n in range(rows):
            first, last, email, company, title, phone = _person(rng, n)
            writer.writerow(
                [
                    first,
                    last,
                    email,
                    company,
                    title,
                    phone,
                    rng.randint(1, 5),
                    "talked about the grad program",
                    "Dana Lee",
                    f"2026-03-12 {9 + n % 8:02d}:{n % 60:02d}",
                    "Data",
                ]
            )


def write_vcards(path: Path, cards: int) -> None:
    rng = random.Random(11)
    with path.open("w", newline="", encoding="utf-8") as fh:
        for n in range(cards):
            first, last, email, company, title, phone = _person(rng, n)
            fh.write(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{last};{first};;;\r\nFN:{first} {last}\r\n"
                f"ORG:{company};Talent\r\nTITLE:{title}\r\nEMAIL;TYPE=INTERNET,WORK:{email}\r\n"
                f"TEL;TYPE=CELL:{phone}\r\nitem1.URL:https://www.linkedin.com/in/{first.lower()}"
                f"-{n}\r\nitem1.X-ABLabel:_$!<HomePage>!$_\r\nNOTE:met at booth {n % 40}\r\n"
                "END:VCARD\r\n"
            )


def timed(path: Path, url: str, event: str) -> tuple[int, float, float]:
    """(records, wall seconds, CPU seconds of this process) for one ingest."""
    start, cpu = time.perf_counter(), time.process_time()
    result = ingest_file(path, event, region="US", url=url)
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    assert result.read == result.accepted + result.quarantined
    return result.read, elapsed, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path, vcf_path = folder / "leads.csv", folder / "cards.vcf"
        write_csv(csv_path, args.rows)
        write_vcards(vcf_path, args.cards)
        print(
            f"files: {csv_path.stat().st_size / 1e6:.1f} MB CSV, "
            f"{vcf_path.stat().st_size / 1e6:.1f} MB vCard (SQLite file, read+normalize+store)"
        )
        for run in range(1, args.runs + 1):
            url = f"sqlite:///{folder / f'bench{run}.db'}"
            store.engine_for(url)  # schema creation is not part of ingest
            for label, path, unit in (("CSV", csv_path, "records"), ("vCard", vcf_path, "cards")):
                count, seconds, cpu = timed(path, url, f"Bench {run}")
                print(
                    f"run {run} {label:5}: {count:7d} {unit} in {seconds:6.2f} s = "
                    f"{count / seconds:8,.0f} {unit}/s wall, {count / cpu:8,.0f} {unit}/s "
                    "per CPU second"
                )
            store.dispose(url)


if __name__ == "__main__":
    main()
