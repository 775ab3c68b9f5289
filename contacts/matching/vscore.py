"""`levels.compare` for many pairs at once: the same levels, weights and conflicts as arrays.

Pairs of simple records (at most one email and one phone each) are scored column-wise
(the name level in `vnames`); string similarities (nicknames, OSA, Jaro-Winkler,
token-set ratios) are worked out once per distinct pair of values. Pairs with another
record fall back to `levels.screen`. The
scores equal `Comparison.score` exactly (same additions in the same order, Python's
rounding), which the tests check pair by pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz.fuzz import token_set_ratio
from rapidfuzz.process import cpdist

from contacts.matching.levels import SAME_NAME_ELSEWHERE, Stats, screen, spells_name
from contacts.matching.table import Table, codes, sorted_unique
from contacts.matching.vnames import (
    CASE_LEVEL,
    NL,
    NameScorer,
    cpdist_of,
    per_distinct_pair,
    per_value,
)

EMAIL_LEVELS = ("null", "exact", "exact-shared", "same-username-of-name", "same-username",
                "same-domain-other-address", "work-and-personal", "else")  # fmt: skip
EL = {name: code for code, name in enumerate(EMAIL_LEVELS)}


@dataclass
class Scores:
    """Per candidate pair (a, b positions, a the lower id): score, name level, conflicts."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    name: np.ndarray
    hard: np.ndarray  # a conflict that forbids merging and breaks cluster coherence
    soft: np.ndarray  # only 'same name at different companies with different emails'


def table_stats(table: Table) -> Stats:
    """Term frequencies and shared identifiers of a table, as `Stats.add` counts them."""
    stats = Stats()
    stats.total = len(table)
    for prefix, values in (("ln:", table.text["last"]), ("fn:", table.first_keys()),
                           ("co:", table.text["company"])):  # fmt: skip
        found, uniques = codes(values)
        tally = np.bincount(found, minlength=len(uniques))
        stats.counts.update(
            {prefix + k: int(c) for k, c in zip(uniques.tolist(), tally.tolist(), strict=True) if k}
        )
    last, names = table.code("last")
    has_last = table.text["last"] != ""
    for column in ("emails", "phones"):
        pos, ident, idents = table.idents(column)
        keep = has_last[pos]
        pos, ident = pos[keep], ident[keep]
        seen = sorted_unique(ident * len(names) + last[pos])
        holders = np.bincount(seen // len(names), minlength=len(idents))
        shared = np.flatnonzero(holders[ident] > 1)
        for i, p in zip(ident[shared].tolist(), pos[shared].tolist(), strict=True):
            stats.holders.setdefault(idents[i], set()).add(names[last[p]])
    return stats


class Scorer:
    """Column-wise `compare` over one table, with its frequencies."""

    def __init__(self, table: Table, stats: Stats) -> None:
        self.t, self.stats = table, stats
        self.simple = table.simple()
        text = table.text
        self.name = NameScorer(table, stats)
        self.company_c, self.companies = table.code("company")
        self.wc = per_value(
            lambda k: stats.tf_weight("co:" + k, 0.001, 0.9, 5.0, 8.0), self.companies
        )
        self.title_c, self.titles = table.code("title")
        self.linkedin_c, _ = table.code("linkedin")
        self.email_c, emails = table.code("emails")
        self.phone_c, phones = table.code("phones")
        parts = table.email_parts()
        self.local = parts["local_code"][self.email_c]
        self.domain = parts["domain_code"][self.email_c]
        self.role, self.free = parts["role"][self.email_c], parts["free"][self.email_c]
        self.local_len = parts["local_len"][self.email_c]
        shared = [k for k, v in stats.holders.items() if len(v) > 1]
        self.email_shared = pd.Index(emails).isin(shared)[self.email_c]
        self.phone_shared = pd.Index(phones).isin(shared)[self.phone_c]
        self.has_email, self.has_phone = text["emails"] != "", text["phones"] != ""
        self.has_company, self.has_title = text["company"] != "", text["title"] != ""
        self.has_linkedin = text["linkedin"] != ""

    # -- the other fields ----------------------------------------------------------------
    def email(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        level = np.full(len(a), EL["else"], np.int8)
        weight = np.full(len(a), -1.0)
        both = self.has_email[a] & self.has_email[b]
        same = both & (self.email_c[a] == self.email_c[b])
        strong = same & ~self.role[a] & ~self.email_shared[a]
        level[same], weight[same] = EL["exact-shared"], 1.0
        level[strong], weight[strong] = EL["exact"], 16.0
        pa, pb = self.free[a], self.free[b]
        same_local = (both & ~same & (pa | pb) & (self.local[a] == self.local[b])
                      & (self.local_len[a] >= 5) & ~self.role[a])  # fmt: skip
        found = np.flatnonzero(same_local)
        spells = np.fromiter(
            (self._spells(int(x), int(y)) for x, y in zip(a[found], b[found], strict=True)),
            bool,
            len(found),
        )
        level[found] = np.where(spells, EL["same-username-of-name"], EL["same-username"])
        weight[found] = np.where(spells, 1.0, 4.0)
        work = (both & ~same & ~same_local & ~(pa & pb) & ~pa
                & (self.domain[a] == self.domain[b]))  # fmt: skip
        level[work], weight[work] = EL["same-domain-other-address"], -6.0
        mixed = both & ~same & ~same_local & (pa != pb)
        level[mixed], weight[mixed] = EL["work-and-personal"], 0.0
        level[~both], weight[~both] = EL["null"], 0.0
        return level, weight

    def _spells(self, x: int, y: int) -> bool:
        local = self.t.text["emails"][x].partition("@")[0]
        return spells_name(local, self.t.rec(x)) or spells_name(local, self.t.rec(y))

    def phone(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        both = self.has_phone[a] & self.has_phone[b]
        same = both & (self.phone_c[a] == self.phone_c[b])
        weight = np.where(same, np.where(self.phone_shared[a], 0.5, 10.0), -1.5)
        exact = same & ~self.phone_shared[a]
        return np.where(both, exact, False), np.where(both, weight, 0.0)

    def company(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(company 'else'?, weight)."""
        both = self.has_company[a] & self.has_company[b]
        ca, cb = self.company_c[a], self.company_c[b]
        same = both & (ca == cb)
        weight = np.where(same, self.wc[ca], 0.0)
        differ = np.flatnonzero(both & ~same)
        fuzzy = per_distinct_pair(_company_fuzzy, ca[differ], cb[differ], self.companies)
        weight[differ] = np.where(fuzzy.astype(bool), 2.0, -4.0)
        other = np.zeros(len(a), bool)
        other[differ] = ~fuzzy.astype(bool)
        return other, weight

    def title_weight(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        both = self.has_title[a] & self.has_title[b]
        ta, tb = self.title_c[a], self.title_c[b]
        weight = np.where(both & (ta == tb), 0.8, 0.0)
        differ = np.flatnonzero(both & (ta != tb))
        ratio = per_distinct_pair(cpdist_of(token_set_ratio), ta[differ], tb[differ], self.titles)
        weight[differ] = np.where(ratio >= 80, 0.5, -0.3)
        return weight

    # -- all together ------------------------------------------------------------------
    def score(self, pairs: np.ndarray) -> Scores:
        """Scores of candidate pairs (keys lo * n + hi), without those `screen` drops."""
        n = len(self.t)
        a, b = pairs // n, pairs % n
        fast = self.simple[a] & self.simple[b]
        slow = Scores(*self._fallback(a[~fast], b[~fast]))
        a, b = a[fast], b[fast]
        case = self.name.case(a, b)
        name_level = CASE_LEVEL[case]
        both_li = self.has_linkedin[a] & self.has_linkedin[b]
        same_li = both_li & (self.linkedin_c[a] == self.linkedin_c[b])
        hf, hl = self.name.has_first, self.name.has_last
        four = hf[a] & hf[b] & hl[a] & hl[b]
        same_email = self.has_email[a] & (self.email_c[a] == self.email_c[b])
        same_phone = self.has_phone[a] & (self.phone_c[a] == self.phone_c[b])
        keep = ~((name_level == NL["else"]) & four & ~same_li & ~same_email & ~same_phone)
        a, b, name_level, case = a[keep], b[keep], name_level[keep], case[keep]
        name_w = self.name.weights(case, a, b)
        both_li, same_li, four = both_li[keep], same_li[keep], four[keep]
        li_w = np.where(both_li, np.where(same_li, 18.0, -12.0), 0.0)
        email_level, email_w = self.email(a, b)
        phone_exact, phone_w = self.phone(a, b)
        company_else, company_w = self.company(a, b)
        total = li_w + email_w + phone_w + name_w + company_w + self.title_weight(a, b)
        personal_else = ((email_level == EL["else"]) & (phone_w == -1.5)
                         & self.free[a] & self.free[b])  # fmt: skip
        hard = ((both_li & ~same_li) | ((name_level == NL["else"]) & four)
                | (email_level == EL["same-domain-other-address"]) | personal_else)  # fmt: skip
        soft = (np.isin(name_level, (NL["exact"], NL["swapped"], NL["nickname"])) & company_else
                & np.isin(email_level, (EL["else"], EL["work-and-personal"],
                                        EL["same-domain-other-address"]))
                & ~phone_exact)  # fmt: skip
        fast_scores = Scores(a, b, py_round(total), name_level, hard, soft)
        return _concat(fast_scores, slow)

    def _fallback(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
        found = []
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            c = screen(self.t.rec(x), self.t.rec(y), self.stats)
            if c is not None:
                found.append((x, y, c))
        return comparisons_as_arrays(found)


def comparisons_as_arrays(found: list) -> tuple[np.ndarray, ...]:
    """(a, b, score, name level, hard, soft) arrays of (a, b, Comparison) triples."""
    return (
        np.asarray([x for x, _, _ in found], np.int64),
        np.asarray([y for _, y, _ in found], np.int64),
        np.asarray([c.score for *_, c in found], np.float64),
        np.asarray([NL[c.level("name")] for *_, c in found], np.int8),
        np.asarray([c.hard_conflict for *_, c in found], bool),
        np.asarray([SAME_NAME_ELSEWHERE in c.conflicts for *_, c in found], bool),
    )


def _company_fuzzy(xs: list, ys: list) -> np.ndarray:
    """`levels._company`'s fuzzy test: one key inside the other, or token-set ratio >= 90."""
    close = cpdist(xs, ys, scorer=token_set_ratio, dtype=np.float64, workers=-1) >= 90
    rest = np.flatnonzero(~close)
    close[rest] = [xs[i] in ys[i] or ys[i] in xs[i] for i in rest.tolist()]
    return close


def py_round(values: np.ndarray) -> np.ndarray:
    """round(x, 3) as Python rounds (correctly), not numpy's scale-and-round."""
    out = np.round(values, 3)
    scaled = values * 1000.0
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    out[near_half] = [round(float(x), 3) for x in values[near_half]]
    return out


def _concat(x: Scores, y: Scores) -> Scores:
    if not len(y.a):
        return x
    return Scores(*(np.concatenate([getattr(x, f), getattr(y, f)]) for f in
                    ("a", "b", "score", "name", "hard", "soft")))  # fmt: skip
