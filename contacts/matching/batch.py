"""Resolve a big batch column-wise, with exactly the decisions `Matcher.resolve` makes.

`Matcher` takes edges strongest first and joins two groups when the edge may merge and
every pair across them is coherent. Where every pair inside a connected component of
mergeable edges is coherent, that walk joins the whole component, so the component is
the answer and no walk is needed. Only the few components holding an incoherent pair
(a namesake, a shared line, a keep-separate) are walked edge by edge, as `Matcher` does.
Review pairs are the strongest edge between each two final groups, as there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from contacts.matching.blocking import candidate_pairs
from contacts.matching.levels import Comparison, Stats, compare
from contacts.matching.outcome import Outcome, Thresholds
from contacts.matching.table import Table
from contacts.matching.vnames import INCOHERENT
from contacts.matching.vscore import Scorer, Scores, table_stats

WALK_ABOVE = 40  # a component bigger than this is walked edge by edge, not checked pairwise


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label of each of n nodes: the smallest node of its connected component."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[a], label[b])
        before = label.copy()
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label


def _pairs_within(label: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions sharing a label (members: positions to consider)."""
    order = members[np.argsort(label[members], kind="stable")]
    lab = label[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    sizes = np.diff(np.r_[starts, len(lab)])
    size = np.repeat(sizes, sizes)
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    out_a, out_b = [], []
    active = np.flatnonzero(size - rank > 1)
    step = 1
    while len(active):
        out_a.append(order[active])
        out_b.append(order[active + step])
        step += 1
        active = active[size[active] - rank[active] > step]
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_a), np.concatenate(out_b)


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found?, index) of each key in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool), np.zeros(len(keys), np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys, at


class LazyReasons(Mapping):
    """new id -> (other id, Comparison) of the edge it joined by, worked out when read."""

    def __init__(self, ids: np.ndarray, other: np.ndarray,
                 pair: Callable[[int, int], Comparison]) -> None:  # fmt: skip
        self._ids, self._other, self._pair = ids, other, pair
        self._joined = np.flatnonzero(other >= 0)
        self._pos: dict[int, int] | None = None

    def __getitem__(self, key: int) -> tuple[int, Comparison]:
        if self._pos is None:
            self._pos = dict(
                zip(self._ids[self._joined].tolist(), self._joined.tolist(), strict=True)
            )
        p = self._pos[key]
        q = int(self._other[p])
        return int(self._ids[q]), self._pair(p, q)

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids[self._joined].tolist())

    def __len__(self) -> int:
        return len(self._joined)


class LazyReview(Sequence):
    """(id, id, Comparison) per review pair, each comparison worked out when read."""

    def __init__(self, a: list[int], b: list[int], ids: np.ndarray,
                 pair: Callable[[int, int], Comparison]) -> None:  # fmt: skip
        self._a, self._b, self._ids, self._pair = a, b, ids, pair

    def __len__(self) -> int:
        return len(self._a)

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        x, y = self._a[i], self._b[i]
        return (int(self._ids[x]), int(self._ids[y]), self._pair(x, y))


class Batch:
    """One column-wise resolution of a table (known records carry their `cluster`)."""

    def __init__(self, table: Table, thresholds: Thresholds | None = None,
                 stats: Stats | None = None,
                 separate: set[tuple[int, int]] | None = None) -> None:  # fmt: skip
        self.t = table
        self.th = thresholds or Thresholds()
        self.stats = stats if stats is not None else table_stats(table)
        self.separate = separate or set()  # (lower id, higher id) pairs kept apart
        self._memo: dict[tuple[int, int], bool] = {}

    def pair(self, x: int, y: int) -> Comparison:
        """The comparison of two positions (lower id first), as `Matcher.pair`."""
        if self.t.ids[x] > self.t.ids[y]:
            x, y = y, x
        return compare(self.t.rec(x), self.t.rec(y), self.stats)

    def resolve(self) -> Outcome:
        t, n = self.t, len(self.t)
        pairs = candidate_pairs(t, self.th.block_cap)
        s = Scorer(t, self.stats).score(pairs)
        edge = s.score >= self.th.review
        e = Scores(*(getattr(s, f)[edge] for f in ("a", "b", "score", "name", "hard", "soft")))
        rank = t.sort_rank()
        order = np.lexsort((rank[e.b], rank[e.a], -e.score))
        e = Scores(*(getattr(e, f)[order] for f in ("a", "b", "score", "name", "hard", "soft")))
        merge = (e.score >= self.th.merge) & ~e.hard & ~e.soft
        # known records of one contact start as one group
        known = np.flatnonzero(t.cluster >= 0)
        first_of: dict[int, int] = {}
        link_a, link_b = [], []
        for p in known.tolist():
            c = int(t.cluster[p])
            if c in first_of:
                link_a.append(first_of[c])
                link_b.append(p)
            else:
                first_of[c] = p
        start = components(n, np.asarray(link_a, np.int64), np.asarray(link_b, np.int64))
        ma, mb = e.a[merge], e.b[merge]
        comp = components(n, np.r_[ma, link_a].astype(np.int64), np.r_[mb, link_b].astype(np.int64))
        self._index(s, pairs)
        walk = self._incoherent(comp, start, s, pairs)
        label = comp.copy()
        reason = np.full(n, -1, np.int64)
        walked = np.isin(comp[ma], walk) if len(walk) else np.zeros(len(ma), bool)
        self._first_edges(ma[~walked], mb[~walked], reason)
        if len(walk):
            self._walk(np.flatnonzero(merge)[walked], e, start, label, reason, s, pairs)
        return self._outcome(label, e, reason, len(pairs))

    # -- which components need a walk ---------------------------------------------------
    def _incoherent(self, comp: np.ndarray, start: np.ndarray, s: Scores,
                    pairs: np.ndarray) -> np.ndarray:  # fmt: skip
        """Labels of components holding an incoherent pair (or too big to check pairwise)."""
        n = len(self.t)
        sizes = np.bincount(comp, minlength=n)
        grouped = np.flatnonzero(sizes[comp] > 1)
        big = np.unique(comp[grouped][sizes[comp[grouped]] > WALK_ABOVE])
        small = grouped[sizes[comp[grouped]] <= WALK_ABOVE]
        xa, xb = _pairs_within(comp, small)
        cross = start[xa] != start[xb]
        xa, xb = xa[cross], xb[cross]
        bad = self._incoherent_pairs(xa, xb, s, pairs)
        return np.union1d(big, np.unique(comp[xa[bad]]))

    def _index(self, s: Scores, pairs: np.ndarray) -> None:
        """Sorted keys of the scored pairs and of all candidates, for lookups by key."""
        n = len(self.t)
        scored = s.a * n + s.b
        self._order = np.argsort(scored)
        self._scored = scored[self._order]
        self._pairs = pairs

    def _incoherent_pairs(self, xa: np.ndarray, xb: np.ndarray, s: Scores,
                          pairs: np.ndarray) -> np.ndarray:  # fmt: skip
        n, ids = len(self.t), self.t.ids
        swap = ids[xa] > ids[xb]
        lo, hi = np.where(swap, xb, xa), np.where(swap, xa, xb)
        key = lo * n + hi
        found, where = _lookup(self._scored, key)
        where = self._order[where]
        bad = np.zeros(len(key), bool)
        bad[found] = s.hard[where[found]] | np.isin(s.name[where[found]], INCOHERENT)
        # a candidate pair that `screen` dropped has different full names: incoherent
        dropped = ~found & _lookup(self._pairs, key)[0]
        bad[dropped] = True
        for i in np.flatnonzero(~found & ~dropped).tolist():
            bad[i] = self._incoherent_slow(int(lo[i]), int(hi[i]))
        if self.separate:
            for i in np.flatnonzero(~bad).tolist():
                pa, pb = int(ids[lo[i]]), int(ids[hi[i]])
                bad[i] = (pa, pb) in self.separate
        return bad

    def _verdicts(self, nodes: np.ndarray, s: Scores,
                  pairs: np.ndarray) -> dict[tuple[int, int], bool]:  # fmt: skip
        """Incoherent? for every candidate pair among `nodes` (positions, lower id first)."""
        n = len(self.t)
        inside = np.zeros(n, bool)
        inside[nodes] = True
        lo, hi = pairs // n, pairs % n
        among = inside[lo] & inside[hi]
        xa, xb = lo[among], hi[among]
        bad = self._incoherent_pairs(xa, xb, s, pairs)
        return dict(zip(zip(xa.tolist(), xb.tolist(), strict=True), bad.tolist(), strict=True))

    def _incoherent_slow(self, x: int, y: int) -> bool:
        key = (x, y)
        if key not in self._memo:
            self._memo[key] = self.pair(x, y).breaks_coherence()
        return self._memo[key]

    # -- joining --------------------------------------------------------------------------
    def _first_edges(self, ma: np.ndarray, mb: np.ndarray, reason: np.ndarray) -> None:
        """Each new record's first mergeable edge (in edge order) is the one it joined by."""
        ends = np.stack([ma, mb], axis=1).ravel()
        others = np.stack([mb, ma], axis=1).ravel()
        firsts, at = np.unique(ends, return_index=True)
        fresh = self.t.cluster[firsts] < 0
        reason[firsts[fresh]] = others[at][fresh]

    def _walk(self, chosen: np.ndarray, e: Scores, start: np.ndarray, label: np.ndarray,
              reason: np.ndarray, s: Scores, pairs: np.ndarray) -> None:  # fmt: skip
        """`Matcher.resolve`'s walk over the mergeable edges of incoherent components."""
        nodes = np.unique(np.r_[e.a[chosen], e.b[chosen]])
        nodes = np.flatnonzero(np.isin(start, start[nodes]))
        parent = {p: int(start[p]) for p in nodes.tolist()}
        members: dict[int, list[int]] = {}
        for p in nodes.tolist():
            members.setdefault(parent[p], []).append(p)
        for p in nodes.tolist():
            parent.setdefault(parent[p], parent[p])

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        verdict = self._verdicts(nodes, s, pairs)
        ids = self.t.ids.tolist()

        def incoherent(x: int, y: int) -> bool:
            if ids[x] > ids[y]:
                x, y = y, x
            found = verdict.get((x, y))
            if found is None:
                found = verdict[(x, y)] = (ids[x], ids[y]) in self.separate or (
                    self._incoherent_slow(x, y)
                )
            return found

        for a, b in zip(e.a[chosen].tolist(), e.b[chosen].tolist(), strict=True):
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            if any(incoherent(x, y) for x in members[ra] for y in members[rb]):
                continue
            if len(members[ra]) < len(members[rb]):
                ra, rb = rb, ra
            parent[rb] = ra
            members[ra].extend(members.pop(rb))
            for x, y in ((a, b), (b, a)):
                if self.t.cluster[x] < 0 and reason[x] < 0:
                    reason[x] = y
        for p in nodes.tolist():
            label[p] = find(p)

    def _outcome(self, label: np.ndarray, e: Scores, reason: np.ndarray, count: int) -> Outcome:
        t = self.t
        ids = t.ids
        outcome = Outcome(candidate_pairs=count)
        new = np.flatnonzero(t.new)
        wanted = np.unique(label[new])
        chosen = np.flatnonzero(np.isin(label, wanted))
        order = chosen[np.lexsort((ids[chosen], label[chosen]))]
        labs = label[order]
        starts = np.flatnonzero(np.r_[True, labs[1:] != labs[:-1]])[: len(order)]
        ends = np.r_[starts[1:], len(order)][: len(starts)]
        id_list = ids[order].tolist()
        for s0, s1 in zip(starts.tolist(), ends.tolist(), strict=True):
            members = id_list[s0:s1]
            outcome.groups[members[0]] = members
        outcome.reasons = LazyReasons(ids, reason, self.pair)  # type: ignore[assignment]
        la, lb = label[e.a], label[e.b]
        across = np.flatnonzero(la != lb)
        lo, hi = np.minimum(la[across], lb[across]), np.maximum(la[across], lb[across])
        _, first = np.unique(lo.astype(np.int64) * len(t) + hi, return_index=True)
        chosen_edges = np.sort(across[first])
        outcome.review = LazyReview(
            e.a[chosen_edges].tolist(), e.b[chosen_edges].tolist(), ids, self.pair
        )  # type: ignore[assignment]
        return outcome
