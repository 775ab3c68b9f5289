"""Benchmark our matcher on generated event data with known truth; prints the figures.

Quality (default): ~2,500 sightings of ~1,200 people written as CSV exports (badge scans,
business cards, LinkedIn connections, sign-up forms over four events), ingested file by
file into a fresh SQLite store and matched incrementally after each file, exactly as
`followup ingest` does. Prints pairwise precision / recall / F1 of the contacts, blocking
recall, review pairs and time.

Scale (`--scale N`): the matching core only, no database. A child process generates N +
1,000 normalized sightings; this process loads them as columns and resolves the N in one
batch with the column-wise resolver (`contacts.matching.batch`, what `Matcher.resolve`
uses for big batches). Then 1,000 new sightings are added as `followup match` adds them
to a store: the stored sightings sharing a blocking key with them (looked up in a sorted
key index standing in for the database's) and their contacts' other sightings go into
a `Matcher` with the new ones. Prints seconds, candidate pairs, peak memory and quality.

    python bench/match.py                 # quality, end to end through the store
    python bench/match.py --scale 1000000 # the core at a million sightings
    python bench/match.py --seeds 7,21,3  # the core on several data sets: the spread
"""

from __future__ import annotations

import argparse
import csv
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    after_review,
    blocking_recall,
    pairwise,
    peak_rss_gb,
    rss_gb,
    to_rec,
)
from bench.synth import people, sightings  # noqa: E402
from contacts.matching.records import make_rec  # noqa: E402

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
    shown = [(_idx(url, e["sightings"][0]), _idx(url, e["sightings"][1])) for e in possible]
    reviewed, review_true = after_review(by_contact.values(), shown, truth)
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
    print(f"after review (each true review pair merged): precision {reviewed['precision']:.4f}  "
          f"recall {reviewed['recall']:.4f}  F1 {reviewed['f1']:.4f}")  # fmt: skip


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


def generate(n_sightings: int, seed: int, out: Path) -> None:
    """Write n + 1,000 normalized sightings (columns) and the truth to `out` (a pickle)."""
    from contacts.matching.table import text_columns

    found, companies = people(int(n_sightings / 2.1), seed)
    rows = sightings(found, companies, seed + 1)[: n_sightings + 1000]
    columns = text_columns([to_rec(i, r) for i, r in enumerate(rows)])
    with out.open("wb") as handle:
        pickle.dump({"columns": columns, "truth": [r["pid"] for r in rows]}, handle)


def scale(n_sightings: int, seed: int) -> None:
    """The core at scale, in a process that never held the generator's rows."""
    import numpy as np

    from contacts.matching.batch import Batch
    from contacts.matching.blocking import sorted_entries, stored_neighbours
    from contacts.matching.engine import Matcher, Thresholds
    from contacts.matching.table import Table

    out = Path(tempfile.mkdtemp(prefix="followup-bench-")) / "sightings.pkl"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--generate", str(n_sightings), "--seed", str(seed),
         "--out", str(out)],
        check=True,
    )  # fmt: skip
    print(f"generated {n_sightings} + 1000 sightings in {time.perf_counter() - started:.1f} s "
          "(a child process)")  # fmt: skip
    with out.open("rb") as handle:
        data = pickle.load(handle)
    out.unlink()
    columns, truth = data["columns"], data["truth"]
    table = Table.from_columns(
        np.arange(n_sightings), **{k: v[:n_sightings] for k, v in columns.items()}
    )
    print(f"memory held before matching (the normalized sightings): {rss_gb():.2f} GB")
    batch = Batch(table)
    started = time.perf_counter()
    outcome = batch.resolve()
    seconds = time.perf_counter() - started
    peak = peak_rss_gb()
    scores = pairwise(outcome.groups.values(), truth[:n_sightings])
    print(f"core batch (column-wise): {n_sightings} sightings in {seconds:.1f} s, candidate "
          f"pairs {outcome.candidate_pairs}, peak RSS {peak:.2f} GB")  # fmt: skip
    print(f"  precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  "
          f"F1 {scores['f1']:.4f}  review pairs {len(outcome.review)}")  # fmt: skip
    # The store's indexes, kept by the database in real use: keys and contact members.
    stored = sorted_entries(table)
    label = np.empty(n_sightings, np.int64)
    for root, members in outcome.groups.items():
        label[members] = root
    by_label = np.argsort(label, kind="stable")
    sorted_label = label[by_label]
    new = [
        make_rec(n_sightings + i, **{k: columns[k][n_sightings + i] for k in
                 ("first", "last", "company", "title", "linkedin")},
                 emails=[e for e in [columns["emails"][n_sightings + i]] if e],
                 phones=[p for p in [columns["phones"][n_sightings + i]] if p])
        for i in range(len(columns["first"]) - n_sightings)
    ]  # fmt: skip
    started = time.perf_counter()
    thresholds = Thresholds()
    near = stored_neighbours(stored, Table.from_recs(new), thresholds.block_cap)
    contacts = np.unique(label[near])
    lo = np.searchsorted(sorted_label, contacts, "left")
    hi = np.searchsorted(sorted_label, contacts, "right")
    known = []
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        for p in by_label[a:b].tolist():
            rec = table.rec(p)
            rec.cluster = int(label[p])
            known.append(rec)
    matcher = Matcher(thresholds, batch.stats)
    matcher.add_known(known, count_stats=False)
    added = matcher.resolve(new)
    joined = sum(1 for members in added.groups.values() if len(members) > 1)
    print(f"incremental: {len(new)} new sightings against {n_sightings} stored in "
          f"{time.perf_counter() - started:.2f} s ({len(known)} stored sightings of "
          f"{len(contacts)} contacts share a key; {joined} groups now hold a new one)")  # fmt: skip


def spread(n_people: int, seeds: list[int]) -> None:
    """The matching core in one batch on several generated data sets: how much P/R vary."""
    from contacts.matching.engine import Matcher

    found_p, found_r, reviewed_r = [], [], []
    for seed in seeds:
        found, companies = people(n_people, seed)
        rows = sightings(found, companies, seed + 1)
        truth = [r["pid"] for r in rows]
        outcome = Matcher().resolve([to_rec(i, r) for i, r in enumerate(rows)])
        scores = pairwise(outcome.groups.values(), truth)
        shown = [(a, b) for a, b, _ in outcome.review]
        reviewed, review_true = after_review(outcome.groups.values(), shown, truth)
        found_p.append(scores["precision"])
        found_r.append(scores["recall"])
        reviewed_r.append(reviewed["recall"])
        print(f"seed {seed}: {len(rows)} sightings  precision {scores['precision']:.4f}  "
              f"recall {scores['recall']:.4f}  F1 {scores['f1']:.4f}  review pairs "
              f"{len(shown)} ({review_true} true), recall after review "
              f"{reviewed['recall']:.4f}")  # fmt: skip
    print(f"{len(seeds)} seeds: precision mean {sum(found_p) / len(seeds):.4f} "
          f"(lowest {min(found_p):.4f}), recall mean {sum(found_r) / len(seeds):.4f} "
          f"(lowest {min(found_r):.4f}), recall after review mean "
          f"{sum(reviewed_r) / len(seeds):.4f} (lowest {min(reviewed_r):.4f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1200)
    parser.add_argument("--scale", type=int, default=0, help="sightings for the core run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--seeds", type=lambda text: [int(x) for x in text.split(",")], default=None,
        help="comma-separated seeds: the core on each data set, and the spread",
    )  # fmt: skip
    parser.add_argument("--generate", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.seed, args.out)
    elif args.seeds:
        spread(args.people, args.seeds)
    elif args.scale:
        scale(args.scale, args.seed)
    else:
        quality(args.people, args.seed)


if __name__ == "__main__":
    main()
