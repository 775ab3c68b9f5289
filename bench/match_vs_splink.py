"""Our matcher and Splink (DuckDB) side by side on the same generated event records.

Both tools get the same sightings, normalized the same way (folded names, canonical
emails, E.164 phones, company keys, LinkedIn slugs), and are scored pairwise against the
known truth. Each tool runs in its own fresh process so its peak memory is its own.
Ours is the in-memory matching core (`Matcher`, blocking + scoring + clustering, one
batch); Splink gets a person-data model in the style of its documented examples: name
comparisons with term-frequency adjustments, email, phone, LinkedIn, company and title;
the same union of blocking keys; prior from exact email, u by random sampling, EM on two
blocking rules; clusters by connected components at p >= 0.95.

Needs the bench extra: `pip install -e '.[bench]'` (or `make bench-match`).

    python bench/match_vs_splink.py                 # ~2,600 sightings of 1,200 people
    python bench/match_vs_splink.py --people 100000 # bigger
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import pairwise, peak_rss_gb, to_rec  # noqa: E402
from bench.synth import people, sightings  # noqa: E402


def _records(n_people: int, seed: int) -> tuple[list, list[int]]:
    found, companies = people(n_people, seed)
    rows = sightings(found, companies, seed + 1)
    return [to_rec(i, r) for i, r in enumerate(rows)], [r["pid"] for r in rows]


def run_ours(n_people: int, seed: int) -> dict:
    from contacts.matching.engine import Matcher

    recs, truth = _records(n_people, seed)
    started = time.perf_counter()
    outcome = Matcher().resolve(recs)
    seconds = time.perf_counter() - started
    return {**pairwise(outcome.groups.values(), truth), "seconds": seconds, "gb": peak_rss_gb()}


def run_splink(n_people: int, seed: int) -> dict:
    import logging

    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    recs, truth = _records(n_people, seed)
    frame = pd.DataFrame(
        {
            "unique_id": [r.id for r in recs],
            "first_name": [r.first or None for r in recs],
            "surname": [r.last or None for r in recs],
            "email": [r.emails[0] if r.emails else None for r in recs],
            "phone": [r.phones[0] if r.phones else None for r in recs],
            "linkedin": [r.linkedin or None for r in recs],
            "company": [r.company or None for r in recs],
            "title": [r.title or None for r in recs],
        }
    )
    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.ExactMatch("linkedin"),
            cl.JaroWinklerAtThresholds("company", [0.92]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("title", [0.88]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("linkedin"),
            block_on("first_name", "surname"),
            block_on("surname", "company"),
            block_on("first_name", "company"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("linkedin")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.95
    ).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    groups: dict[int, list[int]] = {}
    for uid, cluster in zip(clusters["unique_id"], clusters["cluster_id"], strict=True):
        groups.setdefault(cluster, []).append(int(uid))
    return {**pairwise(groups.values(), truth), "seconds": seconds, "gb": peak_rss_gb()}


def _child(target, n_people: int, seed: int, queue) -> None:  # type: ignore[no-untyped-def]
    try:
        queue.put(target(n_people, seed))
    except Exception as exc:  # report and let the parent go on
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def isolated(target, n_people: int, seed: int) -> dict:  # type: ignore[no-untyped-def]
    """Run one tool in a fresh process and return its figures (its own peak memory)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(target, n_people, seed, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    recs, truth = _records(args.people, args.seed)
    print(f"{len(recs)} sightings of {len(set(truth))} people, "
          f"{pairwise([[i] for i in range(len(recs))], truth)['pairs']} true pairs")  # fmt: skip
    print(f"{'tool':<22}{'precision':>10}{'recall':>9}{'F1':>8}{'seconds':>9}{'peak GB':>9}")
    from importlib.metadata import version

    tools = (("ours (core)", run_ours), (f"splink {version('splink')} duckdb", run_splink))
    for name, target in tools:
        r = isolated(target, args.people, args.seed)
        if "error" in r:
            print(f"{name:<22}failed: {r['error']}")
            continue
        print(f"{name:<22}{r['precision']:>10.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
              f"{r['seconds']:>9.2f}{r['gb']:>9.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
