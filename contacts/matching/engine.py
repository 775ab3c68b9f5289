"""The in-memory matching core: blocking, scoring and coherent clustering.

`Matcher` holds records already resolved (with their contact as `cluster`) and resolves a
batch of new ones against them and each other. Only pairs sharing a blocking key are
scored. Edges are taken strongest first (ties broken by record content, not by id or
arrival order); two clusters join only when the edge clears the merge threshold and
no pair across them conflicts, has different names or was marked keep-separate
(cluster coherence: a chain A-B-C never glues A to C when A and C are different people).
A batch of `Thresholds.batch_from` or more new records goes to `contacts.matching.batch`,
which makes the same decisions column-wise (numpy) in a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from contacts.matching.batch import Batch
from contacts.matching.levels import (
    Comparison,
    Stats,
    compare,
    screen,
)
from contacts.matching.outcome import Outcome, Thresholds
from contacts.matching.records import Rec, block_keys, stat_keys
from contacts.matching.table import Table


def _index_rec(index: dict[str, list[int]], rec: Rec) -> None:
    for key in block_keys(rec):
        index.setdefault(key, []).append(rec.id)


class Matcher:
    """Resolve new records against known ones. Not thread-safe; one per batch or store."""

    def __init__(self, thresholds: Thresholds | None = None, stats: Stats | None = None):
        self.t = thresholds or Thresholds()
        self.stats = stats or Stats()
        self.recs: dict[int, Rec] = {}
        self._index: dict[str, list[int]] | None = None  # built when first needed
        self.parent: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.separate: set[tuple[int, int]] = set()
        self._cache: dict[tuple[int, int], Comparison] = {}

    # -- union-find ------------------------------------------------------------------
    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def _union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        return ra

    # -- loading -----------------------------------------------------------------------
    @property
    def index(self) -> dict[str, list[int]]:
        """Record ids by blocking key, in the order loaded. Only the pair-by-pair path reads
        it (the column-wise one blocks on its own), so it is built on first use."""
        if self._index is None:
            self._index = {}
            for rec in self.recs.values():
                _index_rec(self._index, rec)
        return self._index

    def _insert(self, rec: Rec, count_stats: bool = True) -> None:
        self.recs[rec.id] = rec
        self.parent[rec.id] = rec.id
        self.members[rec.id] = [rec.id]
        if self._index is not None:
            _index_rec(self._index, rec)
        if count_stats:
            self.stats.add(rec, stat_keys(rec))

    def add_known(self, recs: list[Rec], count_stats: bool = True) -> None:
        """Load records already resolved; records with the same `cluster` form one group."""
        first_of: dict[int, int] = {}
        for rec in recs:
            self._insert(rec, count_stats)
            if rec.cluster is not None:
                if rec.cluster in first_of:
                    self._union(first_of[rec.cluster], rec.id)
                else:
                    first_of[rec.cluster] = rec.id

    def keep_separate(self, left: list[int], right: list[int]) -> None:
        """Never put any record of `left` in one group with any record of `right`."""
        for a in left:
            for b in right:
                self.separate.add((min(a, b), max(a, b)))

    # -- scoring -----------------------------------------------------------------------
    def pair(self, a: int, b: int) -> Comparison:
        key = (min(a, b), max(a, b))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = compare(self.recs[key[0]], self.recs[key[1]], self.stats)
        return found

    def _candidates(self, new_ids: list[int]) -> Iterator[tuple[int, int]]:
        """Each pair of records sharing a blocking key, once, with one side new.

        Pairs are yielded as they are found (no set of all pairs is held): a new record
        yields its pairs with known records and with new records of a lower id.
        """
        new = set(new_ids)
        for rid in new_ids:
            seen: set[int] = set()
            for key in block_keys(self.recs[rid]):
                members = self.index[key]
                if len(members) > self.t.block_cap:
                    continue
                for other in members:
                    if other == rid or other in seen or (other > rid and other in new):
                        continue
                    seen.add(other)
                    yield (other, rid) if other < rid else (rid, other)

    def coherent(self, ra: int, rb: int) -> bool:
        """True when no pair across two groups conflicts, differs in name or is kept apart.

        A soft conflict (same name at another company) does not count here: the edge that
        joins the groups was checked for it, and a job change explains it elsewhere.
        """
        for a in self.members[ra]:
            for b in self.members[rb]:
                if (min(a, b), max(a, b)) in self.separate:
                    return False
                if self.pair(a, b).breaks_coherence():
                    return False
        return True

    # -- resolving ---------------------------------------------------------------------
    def resolve(self, new: list[Rec]) -> Outcome:
        """Add `new` records and group them; returns every group that contains one."""
        for rec in new:
            self._insert(rec)
        if len(new) >= self.t.batch_from:
            return self._resolve_columns(new)
        new_ids = [r.id for r in new]
        outcome = Outcome()
        edges = []
        for a, b in self._candidates(new_ids):
            outcome.candidate_pairs += 1
            c = self._cache.get((a, b)) or screen(self.recs[a], self.recs[b], self.stats)
            if c is not None and c.score >= self.t.review:  # only edges are kept
                self._cache[(a, b)] = c
                edges.append((-c.score, self.recs[a].sort_key, self.recs[b].sort_key, a, b, c))
        edges.sort(key=lambda e: e[:3])
        pending_review = []
        for _, _, _, a, b, c in edges:
            ra, rb = self.find(a), self.find(b)
            if ra == rb:
                continue
            if c.score >= self.t.merge and not c.conflicts and self.coherent(ra, rb):
                self._union(a, b)
                for x, y in ((a, b), (b, a)):
                    if self.recs[x].cluster is None and x not in outcome.reasons:
                        outcome.reasons[x] = (y, c)
            else:
                pending_review.append((a, b, c))
        seen_pairs: set[tuple[int, int]] = set()
        for a, b, c in pending_review:
            ra, rb = self.find(a), self.find(b)
            key = (min(ra, rb), max(ra, rb))
            if ra != rb and key not in seen_pairs:
                seen_pairs.add(key)
                outcome.review.append((a, b, c))
        for rid in new_ids:
            root = self.find(rid)
            if root not in outcome.groups:
                outcome.groups[root] = sorted(self.members[root])
        return outcome

    def _resolve_columns(self, new: list[Rec]) -> Outcome:
        """`resolve` for a big batch: the same decisions, worked out column-wise."""
        fresh = {r.id for r in new}
        recs = [r for r in self.recs.values() if r.id not in fresh] + list(new)
        groups = [-1 if r.id in fresh else self.find(r.id) for r in recs]
        table = Table.from_recs(recs, new=np.asarray([r.id in fresh for r in recs]), cluster=groups)
        outcome = Batch(table, self.t, self.stats, self.separate).resolve()
        for members in outcome.groups.values():
            for other in members[1:]:
                self._union(members[0], other)
        return outcome
