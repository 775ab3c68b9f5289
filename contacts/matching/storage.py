"""Between the store and the matcher: sightings as `Rec`s, candidates by key, frequencies.

Only the neighbourhood of new sightings is read: stored sightings that share a blocking
key with one of them, plus the other sightings of those contacts (for cluster coherence).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.bulk import add_to_counts, insert_rows
from contacts.matching.engine import Matcher, Thresholds
from contacts.matching.levels import Stats
from contacts.matching.records import KEYS_VERSION, Rec, block_keys, make_rec, stat_keys
from contacts.model import (
    SURNAMES_COUNTED,
    MatchDecision,
    MatchKey,
    MatchKeyCount,
    Meta,
    SightingRow,
)

CHUNK = 500
STAT_PREFIXES = frozenset(("ln:", "fn:", "co:"))  # the keys `stat_keys` makes
KEYS_META = "match_keys_version"  # absent: indexed before key rules were versioned (1)


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = sorted(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SightingFields(Protocol):
    """What the matcher reads of a sighting: a `SightingRow` or a row of `REC_COLUMNS`."""

    id: int
    first_name: str
    last_name: str
    full_name: str
    email_keys: list[Any]
    phones: list[Any]
    company_key: str
    title: str
    linkedin: str
    contact_id: int | None


# Selected as plain rows, these load far faster than whole SightingRow objects.
REC_COLUMNS = (
    SightingRow.id, SightingRow.first_name, SightingRow.last_name, SightingRow.full_name,
    SightingRow.email_keys, SightingRow.phones, SightingRow.company_key, SightingRow.title,
    SightingRow.linkedin, SightingRow.contact_id,
)  # fmt: skip


def rec_of(sighting: SightingFields) -> Rec:
    """The matcher's view of one stored sighting."""
    return make_rec(
        sighting.id,
        first=sighting.first_name,
        last=sighting.last_name,
        full=sighting.full_name,
        emails=sighting.email_keys,
        phones=[p for p in sighting.phones if p.startswith("+")],
        company=sighting.company_key,
        title=sighting.title,
        linkedin=sighting.linkedin,
        cluster=sighting.contact_id,
    )


def store_keys(session: Session, recs: list[Rec]) -> None:
    """Index new sightings by their blocking and frequency keys (one bulk insert), and add
    their frequency keys to the stored counts."""
    rows = [
        (rec.id, key[:400]) for rec in recs for key in sorted(set(block_keys(rec) + stat_keys(rec)))
    ]
    insert_rows(session, MatchKey, ("sighting_id", "key"), rows)
    _add_counts(session, Counter(key[:400] for rec in recs for key in stat_keys(rec)))


def forget_keys(session: Session, sighting_ids: Iterable[int]) -> None:
    """Take sightings out of the key index and their frequency keys out of the counts."""
    ids = sorted(set(sighting_ids))
    gone: Counter[str] = Counter()
    for chunk in chunks(ids):
        gone.update(
            key
            for key in session.scalars(
                sa.select(MatchKey.key).where(MatchKey.sighting_id.in_(chunk))
            )
            if key[:3] in STAT_PREFIXES
        )
        session.execute(sa.delete(MatchKey).where(MatchKey.sighting_id.in_(chunk)))
    _add_counts(session, Counter({key: -n for key, n in gone.items()}))
    session.execute(sa.delete(MatchKeyCount).where(MatchKeyCount.n <= 0))


def _add_counts(session: Session, counts: Counter[str]) -> None:
    """Add to the stored frequency counts (`MatchKeyCount`), and to the surnames counted."""
    surnames = sum(n for key, n in counts.items() if key.startswith("ln:"))
    rows = sorted(counts.items())  # every writer locks rows in one order: no deadlock
    if surnames:
        rows.insert(0, (SURNAMES_COUNTED, surnames))
    add_to_counts(session, MatchKeyCount, "key", "n", rows)


def refresh_keys(session: Session) -> int:
    """Re-index every matched sighting when the key rules changed since the store was indexed.

    Keys are derived from the sightings, so they are rebuilt, never migrated. Returns the
    number of sightings re-indexed: 0 when the index already follows `KEYS_VERSION`.
    """
    meta = session.get(Meta, KEYS_META)
    if meta is not None and meta.value == str(KEYS_VERSION):
        return 0
    session.execute(sa.delete(MatchKey))
    session.execute(sa.delete(MatchKeyCount))
    ids = session.scalars(
        sa.select(SightingRow.id).where(SightingRow.contact_id.is_not(None))
    ).all()
    for chunk in chunks(ids):
        rows = session.scalars(sa.select(SightingRow).where(SightingRow.id.in_(chunk)))
        store_keys(session, [rec_of(s) for s in rows])
    if meta is None:
        session.add(Meta(key=KEYS_META, value=str(KEYS_VERSION)))
    else:
        meta.value = str(KEYS_VERSION)
    return len(ids)


def load_stats(session: Session, recs: Iterable[Rec]) -> Stats:
    """Stored frequencies of the recs' surnames, given names and companies, and holders."""
    recs = list(recs)
    stats = Stats()
    wanted = {key for rec in recs for key in stat_keys(rec)}
    for chunk in chunks(wanted | {SURNAMES_COUNTED}):
        for key, count in session.execute(
            sa.select(MatchKeyCount.key, MatchKeyCount.n).where(MatchKeyCount.key.in_(chunk))
        ):
            if key == SURNAMES_COUNTED:
                stats.total = count
            else:
                stats.counts[key] = count
    for rec in recs:
        if rec.cluster is not None:
            stats.note_holders(rec)
    return stats


def neighbourhood(session: Session, new: list[Rec], cap: int) -> list[Rec]:
    """Stored sightings sharing a key with a new one, with every sighting of their contacts."""
    keys = {key for rec in new for key in block_keys(rec)}
    # Counting reads only the key index; a key held by more than `cap` sightings (a big
    # employer's surname + company) is skipped before its holders are fetched row by row.
    usable: list[str] = []
    for chunk in chunks(keys):
        usable.extend(
            key
            for key, count in session.execute(
                sa.select(MatchKey.key, sa.func.count())
                .where(MatchKey.key.in_(chunk))
                .group_by(MatchKey.key)
            )
            if count <= cap
        )
    ids: set[int] = set()
    for chunk in chunks(usable):
        ids.update(session.scalars(sa.select(MatchKey.sighting_id).where(MatchKey.key.in_(chunk))))
    contact_ids: set[int] = set()
    for chunk in chunks(ids):
        contact_ids.update(
            cid
            for cid in session.scalars(
                sa.select(SightingRow.contact_id).where(SightingRow.id.in_(chunk))
            )
            if cid is not None
        )
    known: list[Rec] = []
    for chunk in chunks(contact_ids):
        known.extend(
            rec_of(row)
            for row in session.execute(
                sa.select(*REC_COLUMNS)
                .where(SightingRow.contact_id.in_(chunk))
                .order_by(SightingRow.id)
            )
        )
    return known


def matcher_for(session: Session, new: list[Rec], thresholds: Thresholds | None = None) -> Matcher:
    """A matcher loaded with the stored neighbourhood of `new` and its keep-separate rules."""
    thresholds = thresholds or Thresholds()
    known = neighbourhood(session, new, thresholds.block_cap)
    matcher = Matcher(thresholds, load_stats(session, known + new))
    matcher.add_known(known, count_stats=False)
    loaded = set(matcher.recs) | {rec.id for rec in new}
    for decision in session.scalars(
        sa.select(MatchDecision).where(
            MatchDecision.kind == "separate", MatchDecision.undone_at.is_(None)
        )
    ):
        left = [i for i in decision.evidence.get("left", []) if i in loaded]
        right = [i for i in decision.evidence.get("right", []) if i in loaded]
        matcher.keep_separate(left, right)
    return matcher
