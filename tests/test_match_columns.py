"""The column-wise resolver decides exactly as the pair-by-pair one (no database).

`Matcher.resolve` hands a batch of `Thresholds.batch_from` or more new records to
`contacts.matching.batch`; these tests run both paths on the same generated event data
(nicknames, typos, namesakes, shared lines, job changes) and require the same groups,
join reasons, review pairs and scores, pair by pair.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.common import to_rec
from bench.synth import people, sightings
from contacts.matching.blocking import candidate_pairs, sorted_entries, stored_neighbours
from contacts.matching.engine import Matcher, Thresholds
from contacts.matching.levels import SAME_NAME_ELSEWHERE, Stats, screen
from contacts.matching.records import Rec, block_keys, make_rec, stat_keys
from contacts.matching.table import Table
from contacts.matching.vnames import NL
from contacts.matching.vscore import Scorer, table_stats

PAIRWISE = Thresholds(batch_from=10**9)
COLUMNS = Thresholds(batch_from=1)


def _recs(n_people: int, seed: int) -> list[Rec]:
    found, companies = people(n_people, seed)
    recs = [to_rec(i, r) for i, r in enumerate(sightings(found, companies, seed + 1))]
    # a business card with two emails and two phones takes the fallback path
    recs.append(make_rec(len(recs), first=recs[0].first, last=recs[0].last,
                         emails=[*recs[0].emails, "second@home.example"],
                         phones=["+12025550143", "+12025550144"]))  # fmt: skip
    # swapped names whose given name folds to another key (Kate -> Catherine, Jose -> Joseph)
    for first, last in (("Kate", "Johnson"), ("Johnson", "Kate"), ("José", "Núñez"),
                        ("Nunez", "Jose")):  # fmt: skip
        recs.append(make_rec(len(recs), first=first, last=last, company="initech",
                             title="recruiter"))  # fmt: skip
    return recs


@pytest.fixture(scope="module")
def recs() -> list[Rec]:
    return _recs(1200, 7)


def _decisions(outcome) -> tuple:  # type: ignore[no-untyped-def]
    groups = sorted(sorted(g) for g in outcome.groups.values())
    reasons = {k: (v[0], v[1].as_dict()) for k, v in outcome.reasons.items()}
    review = [(a, b, c.as_dict()) for a, b, c in outcome.review]
    return groups, reasons, review, outcome.candidate_pairs


def test_scores_equal_compare_pair_by_pair(recs: list[Rec]) -> None:
    matcher = Matcher(PAIRWISE)
    matcher.add_known(recs)
    table = Table.from_recs(recs)
    pairs = candidate_pairs(table, PAIRWISE.block_cap)
    expected = {}
    for key in pairs.tolist():
        a, b = divmod(key, len(recs))
        c = screen(recs[a], recs[b], matcher.stats)
        if c is not None:
            soft = SAME_NAME_ELSEWHERE in c.conflicts
            hard = bool(set(c.conflicts) - {SAME_NAME_ELSEWHERE})
            expected[(a, b)] = (c.score, NL[c.level("name")], hard, soft)
    s = Scorer(table, matcher.stats).score(pairs)
    got = {
        (a, b): (score, name, hard, soft)
        for a, b, score, name, hard, soft in zip(
            s.a.tolist(), s.b.tolist(), s.score.tolist(), s.name.tolist(), s.hard.tolist(),
            s.soft.tolist(), strict=False,
        )
    }  # fmt: skip
    assert len(expected) > 8000
    assert got == expected


def test_blocking_and_frequencies_equal_the_pairwise_ones(recs: list[Rec]) -> None:
    table = Table.from_recs(recs)
    index: dict[str, list[int]] = {}
    stats = Stats()
    for rec in recs:
        stats.add(rec, stat_keys(rec))
        for key in block_keys(rec):
            index.setdefault(key, []).append(rec.id)
    expected = {
        (min(a, b), max(a, b))
        for members in index.values()
        if len(members) <= 100
        for a in members
        for b in members
        if a != b
    }
    pairs = candidate_pairs(table, 100)
    assert (
        set(zip((pairs // len(recs)).tolist(), (pairs % len(recs)).tolist(), strict=True))
        == expected
    )
    got = table_stats(table)
    assert (got.total, got.counts) == (stats.total, stats.counts)
    assert got.holders == {k: v for k, v in stats.holders.items() if len(v) > 1}


@pytest.mark.parametrize("seed", [7, 21])
def test_one_batch_same_decisions_both_ways(seed: int) -> None:
    recs = _recs(1200, seed)
    pairwise = _decisions(Matcher(PAIRWISE).resolve(recs))
    columns = _decisions(Matcher(COLUMNS).resolve(recs))
    assert len(pairwise[0]) < len(recs) - 900 and len(pairwise[2]) > 100
    assert columns == pairwise


def test_swapped_names_with_a_nickname_key_meet_both_ways(recs: list[Rec]) -> None:
    kate, _, jose, _ = (r.id for r in recs[-4:])
    for thresholds in (PAIRWISE, COLUMNS):
        groups = Matcher(thresholds).resolve(recs).groups.values()
        assert [kate, kate + 1] in groups
        assert [jose, jose + 1] in groups


def test_known_contacts_and_keep_separate_same_decisions_both_ways(recs: list[Rec]) -> None:
    first, second = recs[:1500], recs[1500:]
    before = Matcher(PAIRWISE).resolve(first)
    cluster = {m: root for root, members in before.groups.items() for m in members}
    known = [make_rec(r.id, first=r.first, last=r.last, emails=r.emails, phones=r.phones,
                      company=r.company, title=r.title, linkedin=r.linkedin,
                      cluster=cluster[r.id]) for r in first]  # fmt: skip
    apart = [(a, b) for a, b, _ in list(before.review)[:40]]
    outcomes = []
    for thresholds in (PAIRWISE, COLUMNS):
        matcher = Matcher(thresholds)
        matcher.add_known(known)
        for a, b in apart:
            matcher.keep_separate([a], [b])
        outcomes.append(_decisions(matcher.resolve(second)))
    assert outcomes[0][1] and outcomes[0][2]
    assert outcomes[1] == outcomes[0]


def test_a_matcher_resolving_batch_after_batch_decides_the_same_both_ways(
    recs: list[Rec],
) -> None:
    """The pair-by-pair path builds its key index on first use and extends it as records
    arrive: the second batch must meet the first one's records through it. (Its records
    carry no `cluster`, so the pair-by-pair path also names a reason for the first batch's
    records; only the second batch's are compared.)"""
    outcomes = []
    for thresholds in (PAIRWISE, COLUMNS):
        matcher = Matcher(thresholds)
        matcher.resolve(recs[::2])
        groups, reasons, review, count = _decisions(matcher.resolve(recs[1::2]))
        outcomes.append((groups, {k: v for k, v in reasons.items() if k % 2}, review, count))
    joined_earlier = [g for g in outcomes[0][0] if any(m % 2 == 0 for m in g)]
    assert len(joined_earlier) > 300
    assert outcomes[1] == outcomes[0]


def test_stored_neighbours_are_the_records_sharing_a_key(recs: list[Rec]) -> None:
    stored, new = recs[:2000], recs[2000:2100]
    table = Table.from_recs(stored)
    near = stored_neighbours(sorted_entries(table), Table.from_recs(new), 100)
    index: dict[str, list[int]] = {}
    for rec in stored:
        for key in block_keys(rec):
            index.setdefault(key, []).append(rec.id)
    expected = {
        sid
        for rec in new
        for key in block_keys(rec)
        if len(index.get(key, ())) <= 100
        for sid in index.get(key, ())
    }
    assert len(expected) > 50
    assert set(np.asarray(table.ids)[near].tolist()) == expected
