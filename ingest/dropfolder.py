"""The drop folder: `<inbox>/<event-slug>/` files in, `processed/` or `failed/` out.

Plain functions (no Prefect): `flows/dropfolder.py` wraps them as tasks, and
`run_pass` composes them for callers without Prefect. A file is only ever moved *after*
the store has committed it, so a crash in the middle leaves it in the inbox and the store
unchanged for it; the next pass does it again (a committed file is then a duplicate).
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from contacts.errors import InputError, printable
from contacts.events import slugify
from contacts.locks import named_lock, waiting_lock
from contacts.match import MatchResult, match_pending
from ingest.eventfolder import IGNORED, read_event_folder, record_event
from ingest.pipeline import IngestResult, ingest_file, load_roster
from ingest.registered import with_registration

LOCK_NAME = "ingest"  # shared with post-event runs: one writer of new files at a time
LOCK_WAIT_SECONDS = 600.0
ERROR_SUFFIX = ".error.txt"
UNSORTED = "_unsorted"  # failed/ folder of files put loose in the inbox


def ingest_lock(url: str | None) -> AbstractContextManager[None]:
    """Hold the store's ingest lock, waiting up to `LOCK_WAIT_SECONDS` for another run.

    Whoever stores new files and matches them holds it (`followup ingest`, a post-event
    run): two runs matching the same new sightings at once would each make contacts of
    them, and two creating one new event at once would refuse a file as a duplicate.
    """
    return waiting_lock(LOCK_NAME, url, LOCK_WAIT_SECONDS, "another run")


@dataclass
class FileOutcome:
    """What one pass did with one file (plain data: safe to pass between Prefect tasks).

    `status`: ingested | duplicate | failed (moved to failed/ with a reason) | waiting (still
    being written: left for the next pass) | retry (an unexpected fault: left in the inbox).
    """

    file: str  # path relative to the inbox, e.g. "spring-fair/scans.csv"
    event: str
    status: str
    records: int = 0
    accepted: int = 0
    quarantined: int = 0
    moved_to: str = ""
    error: str = ""


def outbound_dirs(inbox: str | Path) -> tuple[Path, Path]:
    """`processed/` and `failed/`, beside the inbox."""
    parent = Path(inbox).resolve().parent
    return parent / "processed", parent / "failed"


def scan_inbox(inbox: str | Path) -> list[str]:
    """Every candidate file under `<inbox>/<event-folder>/`, as sorted inbox-relative paths.

    Hidden files, `event.toml`, READMEs, `.error.txt` notes and the roster named in
    `event.toml` are not exports. Loose files in the inbox itself, and files in a folder
    inside an event folder, are listed too (they fail with a message saying where to put
    them).
    """
    root = Path(inbox)
    if not root.is_dir():
        raise InputError(f"{root}: the inbox folder does not exist; create it or pass --inbox DIR")
    found: list[str] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.name not in IGNORED:
            found.append(entry.name)
        elif entry.is_dir():
            try:
                files = read_event_folder(entry).files
            except InputError:  # a bad event.toml fails each of its files, with the reason
                files = [p for p in sorted(entry.iterdir()) if _is_candidate(p)]
            found.extend(f"{entry.name}/{p.name}" for p in files)
            # files in a sub-folder are listed too: they fail, saying to move them up
            for sub in sorted(p for p in entry.iterdir() if p.is_dir() and p.name[:1] != "."):
                nested = (p for p in sorted(sub.rglob("*")) if _is_candidate(p))
                found.extend(f"{entry.name}/{p.relative_to(entry).as_posix()}" for p in nested)
    return found


def _is_candidate(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith(".")
        and name not in IGNORED
        and not name.endswith(ERROR_SUFFIX)
    )


def wait_until_stable(path: Path, settle: float, max_wait: float) -> bool:
    """True once the file's size and mtime stayed the same for `settle` seconds.

    A file last modified more than `settle` seconds ago is stable at once. Gives up (False)
    after `max_wait` seconds of growth, so a copy still running is left for the next pass.
    """
    deadline = time.monotonic() + max_wait
    before = path.stat()
    if time.time() - before.st_mtime >= settle:
        return True
    while time.monotonic() < deadline:
        time.sleep(settle)
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
            return True
        before = after
    return False


def move_unique(path: Path, folder: Path) -> Path:
    """Move `path` into `folder` without overwriting: `scans.csv`, then `scans-2.csv`, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists() or Path(f"{target}{ERROR_SUFFIX}").exists():
        n += 1
        target = folder / f"{path.stem}-{n}{path.suffix}"
    try:
        os.replace(path, target)  # atomic on one file system
    except OSError:
        shutil.move(str(path), str(target))
    return target


def error_note(rel: str, reason: str) -> str:
    """The text of `<file>.error.txt`: what was wrong, how to fix it, how to retry.

    Names and reason are `printable`: a file name with a line break stays on its line.
    """
    rel, reason = printable(rel), printable(reason)
    folder = rel.split("/", 1)[0] if "/" in rel else "<event-slug>"
    return (
        f"followup could not ingest {rel}\n\n"
        f"What was wrong:\n  {reason}\n\n"
        "How to fix it:\n"
        "  Fix the problem above (export the file again, or correct event.toml), then move\n"
        f"  the file back into the inbox folder {folder}/; the next pass picks it up.\n"
        "  Only vCard (.vcf), CSV and XLSX exports can be read. To map columns followup\n"
        f"  does not know, add them to {folder}/event.toml, e.g.\n"
        '  map = { "E-Mail Adresse" = "email" }\n'
    )


def fail_file(path: Path, rel: str, failed_dir: Path, reason: str) -> Path:
    """Move a file that cannot be ingested to failed/ with its `.error.txt` beside it.

    Call `clear_failures` first: a failed copy with the same bytes is then gone, so the
    newest reason replaces the old one instead of piling up `scans-2.csv`, `scans-3.csv`.
    """
    target = move_unique(path, failed_dir)
    Path(f"{target}{ERROR_SUFFIX}").write_text(error_note(rel, reason), encoding="utf-8")
    return target


def clear_failures(path: Path, folders: Iterable[Path]) -> None:
    """Tidy the failed/ folders `path` may have come back from, before it moves on.

    A note whose file has gone (moved back into the inbox to retry, or deleted) is
    removed, and so is a failed copy with the same bytes as `path` (copied back rather
    than moved), with its note: whatever happens to `path` now, its old explanation is
    stale. A different file of the same name stays, with its own note. Each note thus
    always describes the file beside it.

    Example: failed/fair/scans.csv.error.txt without failed/fair/scans.csv is removed
    when fair/scans.csv is read again; if it fails again, it is failed/fair/scans.csv
    with the new reason, not scans-2.csv beside the old note.
    """
    pattern = re.compile(rf"{re.escape(path.stem)}(-\d+)?{re.escape(path.suffix)}")
    for folder in folders:
        if not folder.is_dir():
            continue
        for note in sorted(folder.glob(f"*{ERROR_SUFFIX}")):
            failed = note.with_name(note.name.removesuffix(ERROR_SUFFIX))
            if not pattern.fullmatch(failed.name):
                continue
            try:
                if not failed.exists():
                    note.unlink()
                elif filecmp.cmp(failed, path, shallow=False):
                    failed.unlink()
                    note.unlink()
            except OSError:  # tidying is never a reason to fail the file itself
                continue


def process_file(
    inbox: str | Path,
    rel: str,
    url: str | None = None,
    settle: float = 2.0,
    max_wait: float = 30.0,
    default_region: str = "",
) -> FileOutcome:
    """Ingest one inbox file and move it to processed/ or failed/ (see `FileOutcome`).

    Only bad input (`InputError`) sends a file to failed/. Any other fault (database down,
    a bug) leaves it where it is and is reported as `retry`; so does a file still growing.
    """
    root = Path(inbox)
    path = root / rel
    processed_dir, failed_dir = outbound_dirs(root)
    slug = slugify(rel.split("/", 1)[0]) if "/" in rel else ""
    outcome = FileOutcome(file=rel, event=slug, status="retry")
    # where a file of this name failed before: its event's folder, or loose in the inbox
    failed_dirs = [failed_dir / slug] if slug else []
    failed_dirs.append(failed_dir / UNSORTED)
    if not path.exists():  # another pass moved it between its scan and ours
        outcome.status, outcome.error = "duplicate", "already handled by another pass"
        return outcome
    try:
        if not slug:
            raise InputError(
                f"{rel}: files must be in an event folder; move it to {root}/<event-slug>/"
            )
        if rel.count("/") > 1:
            raise InputError(
                f"{rel}: files must sit directly in the event folder; move it to "
                f"{root}/{rel.split('/', 1)[0]}/"
            )
        if not wait_until_stable(path, settle, max_wait):
            outcome.status = "waiting"
            outcome.error = f"still being written after {max_wait:.0f} s; next pass"
            return outcome
        meta = with_registration(read_event_folder(path.parent), url)
        roster = load_roster(meta.roster) if meta.roster else None
        record_event(meta, url)
        result = ingest_file(
            path,
            meta.name,
            date=meta.date,
            region=meta.region,
            url=url,
            overrides=meta.map,
            roster=roster,
            strict_map=False,  # event.toml's map may fit only some of the folder's files
            default_region=default_region,
        )
    except InputError as exc:
        outcome.status, outcome.error = "failed", str(exc)
        clear_failures(path, failed_dirs)
        outcome.moved_to = str(fail_file(path, rel, failed_dir / (slug or UNSORTED), str(exc)))
        return outcome
    except Exception as exc:  # noqa: BLE001  (an unexpected fault must not lose the file)
        outcome.error = printable(
            f"{type(exc).__name__}: {exc}; left in the inbox for the next pass"
        )
        return outcome
    clear_failures(path, failed_dirs)  # before the move: it compares the bytes
    return _done(outcome, result, path, processed_dir / slug)


def _done(outcome: FileOutcome, result: IngestResult, path: Path, folder: Path) -> FileOutcome:
    outcome.status = result.status
    outcome.event = result.event or outcome.event
    outcome.records, outcome.accepted = result.read, result.accepted
    outcome.quarantined = result.quarantined
    outcome.moved_to = str(move_unique(path, folder))
    return outcome


@dataclass
class PassResult:
    """One drop-folder pass. `locked` is False when another pass held the lock (no work)."""

    locked: bool
    files: list[FileOutcome] = field(default_factory=list)
    match: MatchResult = field(default_factory=MatchResult)


def run_pass(
    inbox: str | Path,
    url: str | None = None,
    settle: float = 2.0,
    max_wait: float = 30.0,
    lock_timeout: float = 0.0,
) -> PassResult:
    """One whole pass without Prefect: lock, scan, ingest and move each file, match.

    The Prefect flow `drop-folder` runs the same steps as tasks (and plans drafts).
    """
    with named_lock(LOCK_NAME, url, lock_timeout) as mine:
        if not mine:
            return PassResult(locked=False)
        files = [process_file(inbox, rel, url, settle, max_wait) for rel in scan_inbox(inbox)]
        return PassResult(locked=True, files=files, match=match_pending(url))
