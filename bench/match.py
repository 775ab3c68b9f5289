"""Benchmark our matcher on generated event data with known truth; prints the figures.

Quality (default): ~2,500 sightings of ~1,200 people written as CSV exports (badge scans,
business cards, LinkedIn connections, sign-up forms over four events), ingested file by
file into a fresh SQLite store and matched incrementally after each file, exactly as
`followup ingest` does. Prints pairwise precision / recall / F1 of the contacts, blocking
recall, review pairs and time.

Scale (`--scale N`): the in-memory matching core only (blocking + scoring + clustering,
`contacts.matching.engine.Matcher`), no database: N pre-normalized sightings resolved in
one batch, then 1,000 new sightings added to that store. Prints seconds and peak memory.

    python bench/match.py                 # quality, end to end through the store
    python bench/match.py --scale 1000000 # the core at a million sightings
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import blocking_recall, pairwise, peak_rss_gb, rss_gb, to_rec  # noqa: E402
from bench.synth import people, sightings  # noqa: E402

HEADERS = {
    "scan": ["Attendee ID", "First Name", "Last Name", "Email", "Company", "Job Title", "Phone"],
    "card": ["Attendee ID", "Name", "E-mail", "Mobile", "Organization", "Title"],
    "linkedin": ["Attendee ID", "First Name", "Last Name", "URL", "Email Address", "Company",
                 "Position"],
    "form": ["Attendee ID", "first_name", "last_name", "email", "phone", "company"],
}  # fmt: skip


def _row(layout: str, tag: str, r: dict) -> list[str]:
    if layout == "scan":
        return [tag, r["first"], r["last"], r["email"], r["company"], r["title"], r["phone"]]
    if layout == "card":
        return [tag, f"{r['first']} {r['last']}", r["email"], r["phone"], r["company"], r["title"]]
    if layout == "linkedin":
        return [tag, r["first"], r["last"], r["linkedin"], r["email"], r["company"], r["title"]]
    return [tag, r["first"], r["last"], r["email"], r["phone"], r["company"]]


def write_exports(rows: list[dict], folder: Path) -> list[Path]:
    """One CSV per event and layout; 'Attendee ID' carries the row index (not matched on)."""
    files: dict[str, list[list[str]]] = {}
    for i, r in enumerate(rows):
        name = f"event{r['event'] + 1}-{r['layout']}.csv"
        files.setdefault(name, []).append(_row(r["layout"], f"R{i}", r))
    paths = []
    for name, body in sorted(files.items()):
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS[name.split("-")[1].removesuffix(".csv")])
            writer.writerows(body)
        paths.append(path)
    return paths


def quality(n_people: int, seed: int) -> None:
    import sqlalchemy as sa

    from contacts.match import match_pending
    from contacts.matching.engine import Thresholds
    from contacts.model import MatchDecision, SightingRow
    from contacts.store import session_scope
    from ingest.pipeline import ingest_file

    found, companies = people(n_people, seed)
    rows = sightings(found, companies, seed + 1)
    truth = [r["pid"] for r in rows]
    folder = Path(tempfile.mkdtemp(prefix="followup-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    for path in write_exports(rows, folder):
        event = f"Event {path.name[5]}"
        ingest_file(path, event, region="US", url=url)
        match_pending(url)
    seconds = time.perf_counter() - started
    with session_scope(url) as session:
        by_contact: dict[int, list[int]] = {}
        for sighting in session.scalars(sa.select(SightingRow)):
            index = int(sighting.raw["Attendee ID"][1:])
            by_contact.setdefault(sighting.contact_id or -sighting.id, []).append(index)
        possible = session.scalars(
            sa.select(MatchDecision.evidence).where(MatchDecision.kind == "possible")
        ).all()
    scores = pairwise(by_contact.values(), truth)
    review_true = sum(truth[_idx(url, e["sightings"][0])] == truth[_idx(url, e["sightings"][1])]
                      for e in possible)  # fmt: skip
    recs = [to_rec(i, r) for i, r in enumerate(rows)]
    print(f"records {len(rows)}  people {len(set(truth))}  true pairs {scores['pairs']}  "
          f"files {len(list(folder.glob('*.csv')))}")  # fmt: skip
    print(f"ours (store, incremental per file): precision {scores['precision']:.4f}  "
          f"recall {scores['recall']:.4f}  F1 {scores['f1']:.4f}  contacts {len(by_contact)}  "
          f"{seconds:.1f} s (ingest + match)")  # fmt: skip
    print(
        f"blocking recall {blocking_recall(recs, truth, Thresholds().block_cap):.4f}  "
        f"review pairs {len(possible)} ({review_true} truly the same person)"
    )


_ID_CACHE: dict[int, int] = {}


def _idx(url: str, sighting_id: int) -> int:
    if not _ID_CACHE:
        import sqlalchemy as sa

        from contacts.model import SightingRow
        from contacts.store import session_scope

        with session_scope(url) as session:
            for sid, raw in session.execute(sa.select(SightingRow.id, SightingRow.raw)):
                _ID_CACHE[sid] = int(raw["Attendee ID"][1:])
    return _ID_CACHE[sighting_id]


def scale(n_sightings: int, seed: int) -> None:
    from contacts.matching.engine import Matcher

    started = time.perf_counter()
    found, companies = people(int(n_sightings / 2.1), seed)
    rows = sightings(found, companies, seed + 1)
    extra = rows[n_sightings : n_sightings + 1000]
    rows = rows[:n_sightings]
    truth = [r["pid"] for r in rows]
    recs = [to_rec(i, r) for i, r in enumerate(rows)]
    print(f"generated {len(recs)} sightings of {len(set(truth))} people "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    print(f"memory held before matching (generated rows and records): {rss_gb():.2f} GB")
    matcher = Matcher()
    started = time.perf_counter()
    outcome = matcher.resolve(recs)
    seconds = time.perf_counter() - started
    scores = pairwise(outcome.groups.values(), truth)
    print(f"core batch: {len(recs)} sightings in {seconds:.1f} s, candidate pairs "
          f"{outcome.candidate_pairs}, peak RSS {peak_rss_gb():.2f} GB")  # fmt: skip
    print(f"  precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  "
          f"F1 {scores['f1']:.4f}  review pairs {len(outcome.review)}")  # fmt: skip
    new = [to_rec(len(recs) + i, r) for i, r in enumerate(extra)]
    started = time.perf_counter()
    matcher.resolve(new)
    print(f"incremental: {len(new)} new sightings against {len(recs)} stored in "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1200)
    parser.add_argument("--scale", type=int, default=0, help="sightings for the core run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.seed)
    else:
        quality(args.people, args.seed)


if __name__ == "__main__":
    main()
