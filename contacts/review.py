"""Possible duplicates: list them, decide them (merge / keep-separate / skip), explain pairs."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.errors import InputError
from contacts.matching.engine import Thresholds
from contacts.matching.levels import Comparison, compare
from contacts.matching.storage import load_stats, rec_of
from contacts.merge import get_contact, keep_separate, merge_contacts
from contacts.model import Contact, MatchDecision

ACTIONS = ("merge", "keep-separate", "skip")


def open_reviews(session: Session) -> list[MatchDecision]:
    """Possible duplicates still waiting for a person, strongest first.

    A pair kept apart since it was listed (an unmerge of an import's merge records that)
    is not asked about again.
    """
    decisions = session.scalars(
        sa.select(MatchDecision)
        .where(MatchDecision.kind == "possible", MatchDecision.resolution == "")
        .order_by(MatchDecision.score.desc(), MatchDecision.id)
    ).all()
    apart = {
        frozenset(pair)
        for pair in session.execute(
            sa.select(MatchDecision.contact_id, MatchDecision.other_contact_id).where(
                MatchDecision.kind == "separate", MatchDecision.undone_at.is_(None)
            )
        )
    }
    return [
        d
        for d in decisions
        if _live(session, d) and frozenset((d.contact_id, d.other_contact_id)) not in apart
    ]


def _live(session: Session, decision: MatchDecision) -> bool:
    pair = (decision.contact_id, decision.other_contact_id)
    contacts = [session.get(Contact, cid) for cid in pair if cid is not None]
    live = [c for c in contacts if c is not None and c.merged_into is None and c.sightings]
    return len(live) == 2


def decide(session: Session, decision_id: int, action: str) -> str:
    """Apply a person's answer to one possible duplicate; returns what was done."""
    if action not in ACTIONS:
        raise InputError(f"{decision_id}={action}: the answer must be merge, keep-separate or skip")
    decision = session.get(MatchDecision, decision_id)
    if decision is None or decision.kind != "possible":
        raise InputError(f"no possible duplicate {decision_id}; see `followup review`")
    if decision.resolution:
        raise InputError(
            f"possible duplicate {decision_id} was already decided: {decision.resolution}"
        )
    a = get_contact(session, decision.contact_id or 0)
    b = get_contact(session, decision.other_contact_id or 0)
    if action == "merge":
        merge_contacts(session, a, b, "manual", dict(decision.evidence), decision.score)
        decision.resolution = "merged"
        return f"merged contact {b.id} into contact {a.id}"
    if action == "keep-separate":
        keep_separate(session, a, b)
        decision.resolution = "separate"
        return f"contacts {a.id} and {b.id} are kept separate"
    return f"skipped {decision_id}"


@dataclass
class Explanation:
    """The best-scoring pair of sightings across two contacts and what it would decide."""

    comparison: Comparison
    sightings: tuple[int, int]
    verdict: str
    history: list[MatchDecision]


def why(
    session: Session, a_id: int, b_id: int, thresholds: Thresholds | None = None
) -> Explanation:
    """Explain how contacts a and b compare: levels, weights, verdict and past decisions."""
    t = thresholds or Thresholds()
    a, b = session.get(Contact, a_id), session.get(Contact, b_id)
    for cid, contact in ((a_id, a), (b_id, b)):
        if contact is None or not contact.sightings:
            raise InputError(f"no contact {cid} with sightings; see `followup contacts list`")
    assert a is not None and b is not None
    left = [rec_of(s) for s in a.sightings]
    right = [rec_of(s) for s in b.sightings]
    stats = load_stats(session, left + right)
    pairs = [(compare(x, y, stats), x.id, y.id) for x in left for y in right if x.id != y.id]
    if not pairs:
        raise InputError(f"contacts {a_id} and {b_id} are the same contact")
    best, sa_id, sb_id = max(pairs, key=lambda p: (p[0].score, -p[1], -p[2]))
    if best.conflicts:
        verdict = "keep apart (conflict: " + "; ".join(best.conflicts) + ")"
    elif best.score >= t.merge:
        verdict = f"merge (score {best.score:.2f} >= {t.merge})"
    elif best.score >= t.review:
        verdict = f"review (score {best.score:.2f} between {t.review} and {t.merge})"
    else:
        verdict = f"keep apart (score {best.score:.2f} < {t.review})"
    history = list(
        session.scalars(
            sa.select(MatchDecision)
            .where(
                MatchDecision.contact_id.in_((a_id, b_id)),
                MatchDecision.other_contact_id.in_((a_id, b_id)),
            )
            .order_by(MatchDecision.id)
        )
    )
    return Explanation(best, (sa_id, sb_id), verdict, history)
