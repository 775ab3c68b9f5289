"""`post-event` with its per-file ingest tasks on a Dask cluster (prefect-dask), against
Prefect's default thread pool: the same contacts and drafts, and the wall time of each.

Needs the dask extra: `.venv/bin/pip install -e '.[dask]'`. Run:
`.venv/bin/python bench/dask_ingest.py [--files 4] [--people 500] [--address tcp://host:8786]`.
Without `--address` a local cluster is started in this process (`processes=False`, two
workers); with it, the workers must see this machine's temporary folder, so use a local
scheduler for that case too or run the script where the files are shared.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.flows import flow_workdir, write_fair  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4, help="export files in the event")
    parser.add_argument("--people", type=int, default=500, help="badge scans per file")
    parser.add_argument("--address", default="", help="an existing Dask scheduler")
    args = parser.parse_args()
    work = flow_workdir("followup-dask-")
    import flows  # noqa: F401  (Prefect defaults before Prefect is imported)

    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        sys.exit("prefect-dask is not installed: .venv/bin/pip install -e '.[dask]'")
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.post_event import post_event

    files: list[str] = []
    for i in range(args.files):
        part = write_fair(work / f"part{i}", people=args.people, cards=args.people // 5)
        # The same people with other addresses in every part: each file is new content,
        # and matching has cross-file work to do (phones and names join them).
        for path in part:
            text = Path(path).read_text(encoding="utf-8").replace(".example", f"{i}.example")
            Path(path).write_text(text, encoding="utf-8")
        files += part
    dask = (
        DaskTaskRunner(address=args.address)
        if args.address
        else DaskTaskRunner(cluster_kwargs={"n_workers": 2, "processes": False})
    )
    runners = {"threads (default)": ThreadPoolTaskRunner(), "dask": dask}
    # The first flow call starts Prefect's temporary API: keep that out of the timings.
    post_event(event="Warm-up", files=files[1:2], db=f"sqlite:///{work / 'warm.db'}")
    results = {}
    for n, (name, runner) in enumerate(runners.items()):
        url = f"sqlite:///{work / f'run{n}.db'}"
        start = time.perf_counter()
        run = post_event.with_options(task_runner=runner)(
            event="Bench Fair", files=files, region="US", sequence="job-seeker", db=url
        )
        took = time.perf_counter() - start
        results[name] = (
            [(f.file, f.status, f.read) for f in run.files],
            run.match.new_contacts,
            run.plan.drafted,
        )
        print(
            f"{name:18s}: {took:6.2f} s  {len(files)} files, {run.match.new_contacts} contacts, "
            f"{run.plan.drafted} drafts"
        )
    same = len({repr(r) for r in results.values()}) == 1
    print("same files, contacts and drafts with both runners" if same else "RESULTS DIFFER")
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
