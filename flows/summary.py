"""What a run did, published as Prefect artifacts so the UI shows it.

Every flow fills one `RunSummary` and calls `publish()`: a table artifact with one row per
file, and a markdown artifact with the totals (files, records, quarantined, new and
matched contacts, review queue, drafts, sent, failures). The post-event and send flows
also publish the per-event funnel (`publish_funnel()`), as `followup report` shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from contacts.errors import printable
from contacts.match import MatchResult
from outreach.planner import PlanResult


@dataclass
class FileRow:
    """One file of a run, whatever produced it (an ingest, a drop-folder pass)."""

    file: str
    event: str
    status: str
    records: int = 0
    accepted: int = 0
    quarantined: int = 0
    note: str = ""


@dataclass
class RunSummary:
    """Totals of one run; `sent` is filled by the sending flow."""

    title: str
    files: list[FileRow] = field(default_factory=list)
    match: MatchResult = field(default_factory=MatchResult)
    plan: PlanResult = field(default_factory=PlanResult)
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "records": sum(f.records for f in self.files),
            "quarantined": sum(f.quarantined for f in self.files),
            "new contacts": self.match.new_contacts,
            "matched contacts": self.match.matched,
            "review queue": self.match.review,
            "drafts": self.plan.drafted,
            "blocked drafts": self.plan.blocked + self.plan.still_blocked,  # new and old
            "sent": self.sent,
            "failures": len(self.failures),
        }

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", "| what | count |", "|---|---:|"]
        lines += [f"| {name} | {value} |" for name, value in self.totals().items()]
        # a failure or note may name a file from the user's disk: one line each, always
        if self.notes:
            lines += [""] + [f"- {printable(note)}" for note in self.notes]
        if self.failures:
            lines += ["", "## Failures", ""] + [f"- {printable(why)}" for why in self.failures]
        return "\n".join(lines) + "\n"


def publish(summary: RunSummary, key: str) -> None:
    """Create the run's artifacts. `key`: lowercase letters, digits and dashes only."""
    create_markdown_artifact(key=key, markdown=summary.markdown(), description=summary.title)
    if summary.files:
        create_table_artifact(
            key=f"{key}-files",
            table=[
                {
                    "file": printable(f.file),
                    "event": f.event,
                    "status": f.status,
                    "records": f.records,
                    "accepted": f.accepted,
                    "quarantined": f.quarantined,
                    "note": printable(f.note),
                }
                for f in summary.files
            ],
            description=f"{summary.title}: files",
        )


class _AsDict(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


def funnel_table(rows: Iterable[_AsDict]) -> list[dict[str, Any]]:
    """Funnel rows (`outreach.report.funnel()`) as table rows that all share the same columns.

    Columns are taken from the rows themselves, in the order first seen, so a stage only
    one event has reached (`emailed:check-in`) is a column, 0 for the other events.
    """
    flat = [row.as_dict() for row in rows]
    columns = list(dict.fromkeys(name for row in flat for name in row))
    return [{name: row.get(name, 0) for name in columns} for row in flat]


def publish_funnel(rows: Iterable[_AsDict], key: str, title: str) -> None:
    """A table artifact with one row per event: sightings → contacts → enrolled → emailed
    per stage → replied / unsubscribed / bounced. Nothing is published for an empty store."""
    table = funnel_table(rows)
    if table:
        create_table_artifact(key=key, table=table, description=f"{title}: funnel per event")
