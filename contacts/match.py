"""Matching: resolve unmatched sightings into contacts, incrementally and explainably.

New sightings are compared only with the stored sightings that share a blocking key
with them (see `contacts.matching`), and with each other. Each resulting group becomes
or joins a contact: a sighting that founds one is recorded as `new`, one that joins as
`join` with the rule and the per-field evidence behind it; when a group holds two stored
contacts they are merged (`merge`, undoable). Pairs in the review band, or blocked by
conflicting evidence, become `possible` decisions for `followup review`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from contacts.bulk import insert_rows, timestamp, to_json
from contacts.exportid import exported_contact, store_id
from contacts.joining import Group, write_groups
from contacts.matching.engine import Matcher, Outcome, Thresholds
from contacts.matching.levels import Comparison
from contacts.matching.storage import chunks, matcher_for, rec_of, refresh_keys, store_keys
from contacts.merge import merge_contacts
from contacts.model import Contact, MatchDecision, SightingRow, utcnow
from contacts.store import session_scope
from contacts.survivorship import attach, recompute, refresh_contact

IDENTIFIERS = ("linkedin", "email", "phone")


# Pending sightings matched per transaction: a first import of a million rows is matched
# as ten imports of 100,000 would be, in about 2.5 GB instead of running out of memory.
SLICE = 100_000


@dataclass
class MatchResult:
    sightings: int = 0
    new_contacts: int = 0
    matched: int = 0
    review: int = 0

    def add(self, other: MatchResult) -> None:
        self.sightings += other.sightings
        self.new_contacts += other.new_contacts
        self.matched += other.matched
        self.review += other.review


def rule_of(comparison: Comparison) -> str:
    """The evidence a join rests on: an identifier ('email-exact') or the agreeing fields.

    Example: a LinkedIn row without email joining a badge scan -> 'name-exact+company-exact'.
    """
    for level in comparison.levels:
        if level.field in IDENTIFIERS and level.level == "exact":
            return f"{level.field}-exact"
    agreeing = sorted(
        (x for x in comparison.levels if x.weight >= 2.0), key=lambda x: (-x.weight, x.field)
    )
    return "+".join(f"{x.field}-{x.level}" for x in agreeing[:2]) or "score"


def _open_pairs(session: Session, contact_ids: set[int]) -> set[tuple[int, int]]:
    """Pairs (low, high) among these contacts that a possible or separate decision covers.

    Only the contact is filtered in SQL, so the look-up goes by the contact index (with
    the kind in the WHERE clause, SQLite may walk every possible decision by kind instead).
    """
    found: set[tuple[int, int]] = set()
    for chunk in chunks(contact_ids):
        for a, b, kind, undone, resolution in session.execute(
            sa.select(
                MatchDecision.contact_id,
                MatchDecision.other_contact_id,
                MatchDecision.kind,
                MatchDecision.undone_at,
                MatchDecision.resolution,
            ).where(MatchDecision.contact_id.in_(chunk))
        ):
            if (
                kind in ("possible", "separate")
                and undone is None
                and resolution in ("", "separate")
                and a is not None
                and b is not None
            ):
                found.add((min(a, b), max(a, b)))
    return found


def _apply(
    session: Session,
    matcher: Matcher,
    outcome: Outcome,
    pending: dict[int, SightingRow],
    run: str,
) -> MatchResult:
    """Write what the matcher decided: contacts founded, joined and merged, review pairs.

    A group that founds a contact or joins one stored contact is written in bulk
    (`contacts.joining`); one that merges stored contacts goes through `merge_contacts`.
    The cost follows the size of the batch, not a query per group.
    """
    result = MatchResult(sightings=len(pending))
    groups = sorted(outcome.groups.values(), key=min)
    # The contact of each stored sighting, as the neighbourhood read it (`Rec.cluster`).
    stored_of = {i: r.cluster for i, r in matcher.recs.items() if r.cluster is not None}
    stored = {g[0]: sorted({stored_of[m] for m in g if m in stored_of}) for g in groups}
    merging = [g for g in groups if len(stored[g[0]]) > 1]
    contact_for = _merge_groups(session, matcher, merging, stored, pending)
    plain = [g for g in groups if len(stored[g[0]]) <= 1]
    joins = [Group(next(iter(stored[g[0]]), None), [pending[m] for m in g if m in pending])
             for g in plain]  # fmt: skip
    written = write_groups(session, joins)
    founded = {cid for g, cid in zip(joins, written, strict=True) if g.contact_id is None}
    contact_for.update((g[0], contact_id) for g, contact_id in zip(plain, written, strict=True))
    contact_of: dict[int, int] = {}
    decided: list[dict[str, Any]] = []
    for members in groups:
        contact_id = contact_for[members[0]]
        for index, sid in enumerate(m for m in members if m in pending):
            founds = index == 0 and not stored[members[0]]
            decided.append(_decision(sid, contact_id, outcome, run, first=founds))
            result.new_contacts += founds
            result.matched += not founds
        contact_of.update((member, contact_id) for member in members)
    _insert_decisions(session, decided)
    result.review = _possible_pairs(session, outcome, {**stored_of, **contact_of}, founded)
    return result


def _merge_groups(
    session: Session,
    matcher: Matcher,
    groups: list[list[int]],
    stored: dict[int, list[int]],
    pending: dict[int, SightingRow],
) -> dict[int, int]:
    """Merge the stored contacts of each group into its first and attach its new sightings;
    returns the surviving contact of each group (keyed by the group's first member)."""
    loaded = _load_contacts(session, {c for g in groups for c in stored[g[0]]})
    survivors: dict[int, Contact] = {}
    for members in groups:
        ids = stored[members[0]]
        contact = loaded[ids[0]]
        for loser_id in ids[1:]:
            loser = loaded[loser_id]
            theirs = [s.id for s in loser.sightings]
            ours = [m for m in members if m not in theirs]
            best = max((matcher.pair(a, b) for a in ours for b in theirs), key=lambda c: c.score)
            evidence = best.as_dict()
            merge_contacts(
                session, contact, loser, "auto-merge", evidence, evidence.get("score", 0.0)
            )
        for sid in members:
            if sid in pending:
                attach(contact, pending[sid])
        survivors[members[0]] = contact
    session.flush()
    for contact in survivors.values():
        recompute(contact)
    session.flush()
    return {first: contact.id for first, contact in survivors.items()}


DECISION_COLUMNS = ("kind", "sighting_id", "contact_id", "other_contact_id", "rule", "score",
                    "evidence", "created_at", "resolution")  # fmt: skip


def _insert_decisions(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add decisions in one bulk insert, in the order given (ids follow it)."""
    now = timestamp(session, utcnow())
    insert_rows(
        session,
        MatchDecision,
        DECISION_COLUMNS,
        [
            (
                r["kind"],
                r.get("sighting_id"),
                r["contact_id"],
                r.get("other_contact_id"),
                r["rule"],
                float(r["score"]),
                to_json(r["evidence"]),
                now,
                "",
            )
            for r in rows
        ],
    )


def _decision(sid: int, contact_id: int, outcome: Outcome, run: str, first: bool) -> dict[str, Any]:
    """The record of one new sighting: founding its contact (first) or joining it, and why."""
    evidence: dict[str, Any] = {"run": run}
    rule, score = "new-contact", 0.0
    if not first:
        other, comparison = outcome.reasons[sid]
        rule, score = rule_of(comparison), comparison.score
        evidence = {**comparison.as_dict(), "with_sighting": other, "run": run}
    return {
        "kind": "new" if first else "join",
        "sighting_id": sid,
        "contact_id": contact_id,
        "rule": rule,
        "score": score,
        "evidence": evidence,
    }


def _load_contacts(session: Session, ids: set[int]) -> dict[int, Contact]:
    """Contacts by id, with their sightings, emails and phones loaded in a few queries."""
    found: dict[int, Contact] = {}
    for chunk in chunks(ids):
        for contact in session.scalars(
            sa.select(Contact)
            .where(Contact.id.in_(chunk))
            .options(
                selectinload(Contact.sightings),
                selectinload(Contact.emails),
                selectinload(Contact.phones),
            )
        ):
            found[contact.id] = contact
    return found


def _possible_pairs(
    session: Session, outcome: Outcome, contact_of: dict[int, int], founded: set[int]
) -> int:
    """Record each review pair between two contacts not already open or kept apart.

    Only pairs of contacts that were both stored before this match can be covered: a
    contact it founded has no review or keep-separate decision yet. So only theirs are
    looked up (on a big store, reading the decisions of every contact in a review pair
    was a fifth of the step when the store was not in the page cache).
    """
    pairs = [
        (contact_of.get(a), contact_of.get(b), a, b, comparison)
        for a, b, comparison in outcome.review
    ]
    covered = _open_pairs(
        session,
        {
            c
            for ca, cb, *_ in pairs
            if ca and cb and ca not in founded and cb not in founded
            for c in (ca, cb)
        },
    )
    added: list[dict[str, Any]] = []
    for ca, cb, a, b, comparison in pairs:
        if ca is None or cb is None or ca == cb:
            continue
        low, high = min(ca, cb), max(ca, cb)
        if (low, high) in covered:
            continue
        covered.add((low, high))
        added.append(
            {
                "kind": "possible",
                "contact_id": low,
                "other_contact_id": high,
                "rule": "conflict" if comparison.conflicts else "review-band",
                "score": comparison.score,
                "evidence": {**comparison.as_dict(), "sightings": [a, b]},
            }
        )
    _insert_decisions(session, added)
    return len(added)


def match_pending(
    url: str | None = None, thresholds: Thresholds | None = None, slice_size: int = SLICE
) -> MatchResult:
    """Resolve every sighting that has no contact yet against the store.

    The oldest `slice_size` pending sightings are matched in one transaction, then the
    next ones against them and the rest of the store, and so on. If a slice fails, those
    before it stay matched and the others stay pending for the next run.
    """
    total = MatchResult()
    while True:
        done = _match_slice(url, thresholds, slice_size)
        total.add(done)
        if done.sightings < slice_size:
            return total


def _match_slice(url: str | None, thresholds: Thresholds | None, size: int) -> MatchResult:
    """Match the oldest `size` pending sightings, in one transaction."""
    with session_scope(url) as session:
        refresh_keys(session)
        rows = session.scalars(
            sa.select(SightingRow)
            .where(SightingRow.contact_id.is_(None))
            .order_by(SightingRow.id)
            .limit(size)
        ).all()
        if not rows:
            return MatchResult()
        run = uuid.uuid4().hex
        claimed = _join_exported(session, rows, run)
        rows = [s for s in rows if s.id not in claimed]
        pending = {s.id: s for s in rows}
        new = [rec_of(s) for s in rows]
        matcher = matcher_for(session, new, thresholds)
        outcome = matcher.resolve(new)
        result = _apply(session, matcher, outcome, pending, run)
        store_keys(session, new)
        result.sightings += len(claimed)
        result.matched += len(claimed)
    return result


def _join_exported(session: Session, rows: Sequence[SightingRow], run: str) -> set[int]:
    """Join each sighting read from this store's own export to the contact it names.

    Returns the ids of the sightings joined (see `contacts.exportid`). Their keys are
    stored before the others are matched, so those can still meet them.
    """
    store = store_id(session)
    joined: list[SightingRow] = []
    for sighting in rows:
        contact = exported_contact(session, sighting, store)
        if contact is None:
            continue
        attach(contact, sighting)
        uid = str(sighting.raw.get("UID", ""))
        session.add(
            MatchDecision(
                kind="join",
                sighting_id=sighting.id,
                contact_id=contact.id,
                rule="export-id",
                score=0.0,
                evidence={"export_uid": uid, "run": run},
            )
        )
        refresh_contact(session, contact)
        joined.append(sighting)
    store_keys(session, [rec_of(s) for s in joined])
    session.flush()
    return {s.id for s in joined}
