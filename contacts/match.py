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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.exportid import exported_contact, store_id
from contacts.matching.engine import Outcome, Thresholds
from contacts.matching.levels import Comparison
from contacts.matching.storage import matcher_for, rec_of, refresh_keys, store_keys
from contacts.merge import merge_contacts
from contacts.model import Contact, MatchDecision, SightingRow
from contacts.store import session_scope
from contacts.survivorship import attach, refresh_contact

IDENTIFIERS = ("linkedin", "email", "phone")


@dataclass
class MatchResult:
    sightings: int = 0
    new_contacts: int = 0
    matched: int = 0
    review: int = 0


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


def _open_pair(session: Session, a: int, b: int) -> bool:
    """True when a possible or separate decision already covers contacts a and b."""
    return (
        session.scalar(
            sa.select(MatchDecision.id).where(
                MatchDecision.kind.in_(("possible", "separate")),
                MatchDecision.undone_at.is_(None),
                MatchDecision.resolution.in_(("", "separate")),
                sa.or_(
                    sa.and_(MatchDecision.contact_id == a, MatchDecision.other_contact_id == b),
                    sa.and_(MatchDecision.contact_id == b, MatchDecision.other_contact_id == a),
                ),
            )
        )
        is not None
    )


def _apply(
    session: Session,
    outcome: Outcome,
    pending: dict[int, SightingRow],
    pair: Callable[[int, int], Comparison],
    run: str,
) -> MatchResult:
    result = MatchResult(sightings=len(pending))
    contact_of: dict[int, int] = {}
    for root in sorted(outcome.groups, key=lambda r: min(outcome.groups[r])):
        members = outcome.groups[root]
        stored = sorted(
            {
                s.contact_id
                for s in session.scalars(
                    sa.select(SightingRow).where(
                        SightingRow.id.in_(members), SightingRow.contact_id.is_not(None)
                    )
                )
                if s.contact_id is not None
            }
        )
        new_ids = [m for m in members if m in pending]
        if stored:
            contact = session.get_one(Contact, stored[0])
            for loser_id in stored[1:]:
                loser = session.get_one(Contact, loser_id)
                theirs = [s.id for s in loser.sightings]
                ours = [m for m in members if m not in theirs]
                best = max((pair(a, b) for a in ours for b in theirs), key=lambda c: c.score)
                evidence = best.as_dict()
                merge_contacts(
                    session, contact, loser, "auto-merge", evidence, evidence.get("score", 0.0)
                )
        else:
            contact = Contact()
            session.add(contact)
            session.flush()
            result.new_contacts += 1
        for index, sid in enumerate(new_ids):
            sighting = pending[sid]
            attach(session, contact, sighting)
            if index == 0 and not stored:
                decision = MatchDecision(
                    kind="new",
                    sighting_id=sid,
                    contact_id=contact.id,
                    rule="new-contact",
                    score=0.0,
                    evidence={"run": run},
                )
            else:
                other, comparison = outcome.reasons[sid]
                result.matched += 1
                decision = MatchDecision(
                    kind="join",
                    sighting_id=sid,
                    contact_id=contact.id,
                    rule=rule_of(comparison),
                    score=comparison.score,
                    evidence={**comparison.as_dict(), "with_sighting": other, "run": run},
                )
            session.add(decision)
        refresh_contact(session, contact)
        for member in members:
            contact_of[member] = contact.id
    for a, b, comparison in outcome.review:
        ca, cb = contact_of.get(a), contact_of.get(b)
        if ca is None:
            ca = session.get_one(SightingRow, a).contact_id
        if cb is None:
            cb = session.get_one(SightingRow, b).contact_id
        if ca is None or cb is None or ca == cb or _open_pair(session, ca, cb):
            continue
        low, high = min(ca, cb), max(ca, cb)
        rule = "conflict" if comparison.conflicts else "review-band"
        session.add(
            MatchDecision(
                kind="possible",
                contact_id=low,
                other_contact_id=high,
                rule=rule,
                score=comparison.score,
                evidence={**comparison.as_dict(), "sightings": [a, b]},
            )
        )
        result.review += 1
    session.flush()
    return result


def match_pending(url: str | None = None, thresholds: Thresholds | None = None) -> MatchResult:
    """Resolve every sighting that has no contact yet against the store, in one transaction."""
    with session_scope(url) as session:
        refresh_keys(session)
        rows = session.scalars(
            sa.select(SightingRow).where(SightingRow.contact_id.is_(None)).order_by(SightingRow.id)
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
        result = _apply(session, outcome, pending, matcher.pair, run)
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
        attach(session, contact, sighting)
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
