"""What a run did, published as Prefect artifacts so the UI shows it.

Every flow fills one `RunSummary` and calls `publish()`: a table artifact with one row per
file, and a markdown artifact with the totals (files, records, quarantined, new and
matched contacts, review queue, drafts, sent, failures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect.artifacts import create_markdown_artifact, create_table_artifact

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
            "blocked drafts": self.plan.blocked,
            "sent": self.sent,
            "failures": len(self.failures),
        }

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", "| what | count |", "|---|---:|"]
        lines += [f"| {name} | {value} |" for name, value in self.totals().items()]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        if self.failures:
            lines += ["", "## Failures", ""] + [f"- {reason}" for reason in self.failures]
        return "\n".join(lines) + "\n"


def publish(summary: RunSummary, key: str) -> None:
    """Create the run's artifacts. `key`: lowercase letters, digits and dashes only."""
    create_markdown_artifact(key=key, markdown=summary.markdown(), description=summary.title)
    if summary.files:
        create_table_artifact(
            key=f"{key}-files",
            table=[
                {
                    "file": f.file,
                    "event": f.event,
                    "status": f.status,
                    "records": f.records,
                    "accepted": f.accepted,
                    "quarantined": f.quarantined,
                    "note": f.note,
                }
                for f in summary.files
            ],
            description=f"{summary.title}: files",
        )
