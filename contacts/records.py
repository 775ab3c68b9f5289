"""The record types that flow between the stages.

Readers in `ingest/` produce `RawRecord`s; `contacts.normalize` turns each into a
`Sighting` (or a quarantine reason). Both are plain dataclasses so tests can build them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Canonical field names every reader maps its columns or vCard properties onto.
# Multi-valued fields (emails, phones) are lists; the rest are single strings.
CANONICAL_FIELDS = (
    "full_name",
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "emails",
    "phones",
    "company",
    "title",
    "linkedin",
    "notes",
    "rating",
    "captured_by",
    "captured_at",
    "country",
    "badge_id",
)


@dataclass
class RawRecord:
    """One record as a reader found it.

    Attributes:
        record: 1-based position in the file as a person counts (n-th data row, n-th card).
        raw: the original field names and values, kept for provenance.
        values: canonical field -> value (str), or list of str for `emails` / `phones`.
        extra: lead metadata that has no canonical field (custom questions, scan counts).
        problem: why the record could not be read at all (it is then quarantined).
    """

    record: int
    raw: dict[str, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    def text(self, name: str) -> str:
        """The stripped single value of a canonical field, or ''."""
        value = self.values.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value or "").strip()

    def many(self, name: str) -> list[str]:
        """All non-empty values of a (possibly multi-valued) canonical field."""
        value = self.values.get(name)
        items = value if isinstance(value, list) else [value]
        return [str(v).strip() for v in items if v is not None and str(v).strip()]


@dataclass
class Sighting:
    """A normalized record of one person in one source file (before it is stored)."""

    record: int
    raw: dict[str, str]
    full_name: str = ""
    first_name: str = ""
    last_name: str = ""
    emails: list[str] = field(default_factory=list)  # as given (validated syntax)
    email_keys: list[str] = field(default_factory=list)  # canonical, for matching
    phones: list[str] = field(default_factory=list)  # E.164 where parseable, else raw
    company: str = ""
    company_key: str = ""
    title: str = ""
    linkedin: str = ""
    notes: str = ""
    rating: str = ""
    captured_by: str = ""
    captured_at: str = ""
    lead: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # e.g. "phone-unparsed:+1-800-MYFAX"


@dataclass
class Rejected:
    """A record that could not become a sighting, with a reason a person can act on."""

    record: int
    raw: dict[str, str]
    reason: str
