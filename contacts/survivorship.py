"""Survivorship: which sighting's values a contact shows.

Per field: the most frequent value wins, then the most recent, then the most complete;
a properly cased value beats an ALL-CAPS one. Every email and phone is kept; the primary
is the one seen most often, then first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from contacts.model import Contact, SightingRow


def _case_score(value: str) -> int:
    letters = [c for c in value if c.isalpha()]
    return 0 if letters and (value.isupper() or value.islower()) else 1


def choose(values: Sequence[str]) -> str:
    """The surviving value among sightings' values listed oldest first.

    Example: choose(['ACME', 'Acme Inc', 'Acme Inc']) -> 'Acme Inc'.
    """
    present = [v for v in values if v]
    if not present:
        return ""
    counts = Counter(present)
    last_seen = {v: i for i, v in enumerate(present)}
    return max(counts, key=lambda v: (counts[v], _case_score(v), last_seen[v], len(v)))


def refresh_contact(session: Session, contact: Contact) -> None:
    """Recompute a contact's display fields and primary email/phone from its sightings."""
    session.flush()
    sightings: list[SightingRow] = sorted(contact.sightings, key=lambda s: s.id)
    full = choose([s.full_name for s in sightings])
    contact.full_name = full
    same_name = [s for s in sightings if s.full_name == full] or sightings
    contact.first_name = choose([s.first_name for s in same_name])
    contact.last_name = choose([s.last_name for s in same_name])
    contact.company = choose([s.company for s in sightings])
    contact.title = choose([s.title for s in sightings])
    contact.linkedin = choose([s.linkedin for s in sightings])
    email_counts = Counter(k for s in sightings for k in s.email_keys)
    _mark_primary(contact.emails, lambda e: email_counts[e.email_key])
    phone_counts = Counter(p for s in sightings for p in s.phones)
    _mark_primary(contact.phones, lambda p: phone_counts[p.phone])


def _mark_primary(items: Sequence[Any], count: Callable[[Any], int]) -> None:
    """Flag the most often seen item as primary; the earliest one wins a tie."""
    for item in items:
        item.is_primary = False
    if items:
        best = max(range(len(items)), key=lambda i: (count(items[i]), -i))
        items[best].is_primary = True
