"""Adding 1,000 sightings to a big store, through the real store: prints the figures.

`bench/match.py --scale` times the matching core with an in-memory stand-in for the
database's key index. This script goes through what `followup ingest` does on a SQLite
file: it builds a store of N generated sightings (multi-export event data, `bench/synth.py`)
by ingesting and matching them in chunks, then ingests 1,000 more sightings (a small
fair: several export files) and times the ingest and the one `match_pending` call that
matches them against the store: reading their neighbourhood by key, matching, and writing
contacts, joins, merges, review pairs and keys.

    python bench/match_store.py                  # a store of 100,000 sightings
    python bench/match_store.py --store 1000000  # a million (25 minutes or more to build)
    python bench/match_store.py --store 2100000  # a million contacts (an hour)
    python bench/match_store.py --store 1000000 --population 2100000  # the first million
        # of 2.1 million generated sightings (1,000,000 people), then the last fair
    python bench/match_store.py --db postgresql+psycopg://postgres@127.0.0.1/bench  # empty DB
    python bench/match_store.py --store 2100000 --keep /var/tmp/stores  # build once, keep it;
        # the same command again copies the kept store instead of building it

A kept store is copied, and the copy written out to disk (`os.sync`) before the new fair
is added: otherwise the commit's fsync also waits for gigabytes of the copy, which is not
what adding a fair to a store at rest costs. With `--cold` (root only) the OS page cache
is dropped before the fair is added, as for a store not read since the machine started:
its neighbourhood is then read from the disk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from bench.common import peak_rss_gb  # noqa: E402
from bench.match import write_exports  # noqa: E402
from bench.synth import people, sightings  # noqa: E402
from contacts.match import match_pending  # noqa: E402
from contacts.model import Contact, SightingRow  # noqa: E402
from contacts.store import dispose, session_scope  # noqa: E402
from ingest.pipeline import ingest_file  # noqa: E402


def ingest_folder(rows: list[dict], folder: Path, label: str, url: str) -> int:
    """Write rows as export files (one per event and layout) and ingest each; returns files."""
    folder.mkdir()
    paths = write_exports(rows, folder)
    for path in paths:
        ingest_file(path, f"{label} {path.stem}", region="US", url=url)
    return len(paths)


def build(stored: list[dict], chunk: int, work: Path, url: str) -> None:
    """Ingest and match the store's sightings in chunks, as imports of that size would."""
    started = time.perf_counter()
    for step, start in enumerate(range(0, len(stored), chunk)):
        ingest_folder(stored[start : start + chunk], work / f"chunk{step}", f"C{step}", url)
        shutil.rmtree(work / f"chunk{step}")
        match_pending(url)
        print(f"  store: {min(start + chunk, len(stored))} sightings matched, "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=100_000, help="sightings in the store")
    parser.add_argument("--chunk", type=int, default=100_000, help="sightings per build step")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="an empty database URL (default: a new SQLite file)")
    parser.add_argument(
        "--population",
        type=int,
        help="generate this many sightings (default: the store's); the store takes the "
        "first ones and the new fair the 1,000 after all of them",
    )
    parser.add_argument("--keep", type=Path, help="a folder to keep built SQLite stores in")
    parser.add_argument("--cold", action="store_true", help="drop the OS page cache (root)")
    args = parser.parse_args()
    population = max(args.population or args.store, args.store)
    found, companies = people(int(population / 2.1), args.seed)
    rows = sightings(found, companies, args.seed + 1)[: population + 1000]
    stored, new = rows[: args.store], rows[population:]
    del found
    work = Path(tempfile.mkdtemp(prefix="followup-bench-store-"))
    url = args.db or f"sqlite:///{work / 'store.db'}"
    kept = None
    if args.keep and not args.db:
        name = f"store-{args.store}-of-{population}-seed{args.seed}-chunk{args.chunk}.db"
        kept = args.keep / name
    started = time.perf_counter()
    if kept and kept.exists():
        shutil.copyfile(kept, work / "store.db")
        os.sync()
        print(f"store copied from {kept}, on disk: {time.perf_counter() - started:.0f} s")
    else:
        build(stored, args.chunk, work, url)
        if kept:
            dispose(url)  # the last connection closed: the WAL is checkpointed into the file
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "store.db", kept)
            os.sync()
            print(f"store kept as {kept}")
    if url.startswith("postgresql"):
        # What autovacuum does after a big load; this machine's server runs with it off,
        # and without statistics or a visibility map every key count visits the table.
        with sa.create_engine(url).connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    with session_scope(url) as session:
        contacts = session.scalar(
            sa.select(sa.func.count()).select_from(Contact).where(Contact.merged_into.is_(None))
        )
        count = session.scalar(sa.select(sa.func.count()).select_from(SightingRow))
    built = time.perf_counter() - started
    print(f"store ready: {count} sightings, {contacts} contacts, {built:.0f} s "
          f"(ingest + match in chunks of {args.chunk}, or a kept store copied)")  # fmt: skip
    if args.cold:
        dispose(url)
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")  # needs root
        print("OS page cache dropped")
    started = time.perf_counter()
    files = ingest_folder(new, work / "new", "New fair", url)
    ingested = time.perf_counter() - started
    started = time.perf_counter()
    result = match_pending(url)
    matched = time.perf_counter() - started
    print(f"adding {len(new)} sightings ({files} files) to the store of {count}: ingest "
          f"{ingested:.2f} s, match {matched:.2f} s; {result.new_contacts} new contacts, "
          f"{result.matched} joined, {result.review} review pairs")  # fmt: skip
    print(f"peak RSS {peak_rss_gb():.2f} GB (the build's); store {url}")


if __name__ == "__main__":
    main()
