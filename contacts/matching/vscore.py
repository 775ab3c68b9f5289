"""`levels.compare` for many pairs at once: the same levels, weights and conflicts as arrays.

Pairs of simple records (at most one email and one phone each) are scored column-wise;
string similarities (nicknames, OSA, Jaro-Winkler, token-set ratios) are worked out once
per distinct pair of values. Pairs with another record fall back to `levels.screen`. The
scores equal `Comparison.score` exactly (same additions in the same order, Python's
rounding), which the tests check pair by pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio
from rapidfuzz.process import cpdist

from contacts.matching.levels import (
    INCOHERENT_NAMES,
    SAME_NAME_ELSEWHERE,
    Stats,
    _spells_name,
    _transposed,
    screen,
)
from contacts.matching.nicknames import roots, same_name
from contacts.matching.table import Table, code_of, codes, sorted_unique

NAME_LEVELS = ("null", "exact", "swapped", "surname-only", "nickname", "initial",
               "transposed-given-name", "fuzzy-given-name", "fuzzy", "else")  # fmt: skip
NL = {name: code for code, name in enumerate(NAME_LEVELS)}
INCOHERENT = tuple(NL[x] for x in INCOHERENT_NAMES)
# Each branch of `levels._name`: (level, given-name weight factor, surname factor, constant)
CASES = (
    ("null", 0, 0, 0.0), ("exact", 1, 1, 0.0), ("swapped", 1, 1, -1.0),
    ("surname-only", 0, 1, -3.0), ("nickname", 1, 1, -1.0), ("initial", 0, 1, 1.0),
    ("transposed-given-name", 1, 1, -1.0), ("fuzzy-given-name", 0, 1, -3.0),
    ("surname-only", 0, 1, -12.0), ("fuzzy", 1, 0, 5.0), ("fuzzy", 1, 0, 3.0),
    ("else", 0, 0, -10.0), ("else", 0, 0, -4.0),
)  # fmt: skip
C = dict(zip(("null", "exact", "swapped", "surname-only-3", "nickname", "initial",
              "transposed-given-name", "fuzzy-given-name", "surname-only-12", "fuzzy+5",
              "fuzzy+3", "else-10", "else-4"), range(len(CASES)), strict=True))  # fmt: skip
CASE_LEVEL = np.asarray([NL[x[0]] for x in CASES], np.int8)
CASE_F = np.asarray([float(x[1]) for x in CASES])
CASE_L = np.asarray([float(x[2]) for x in CASES])
CASE_C = np.asarray([x[3] for x in CASES])
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


def _per_value(
    fn: Callable[[str], float], uniques: np.ndarray, dtype: type = np.float64
) -> np.ndarray:
    return np.fromiter((fn(u) for u in uniques), dtype, len(uniques))


def _distinct(
    fn: Callable[[list, list], np.ndarray], ca: np.ndarray, cb: np.ndarray, uniques: np.ndarray
) -> np.ndarray:
    """fn over the distinct (value, value) pairs of two code arrays, spread back to all."""
    if not len(ca):
        return np.zeros(0)
    width = len(uniques)
    distinct, inverse = np.unique(ca.astype(np.int64) * width + cb, return_inverse=True)
    values = np.asarray(fn(list(uniques[distinct // width]), list(uniques[distinct % width])))
    return values[inverse.reshape(-1)]


def _each(fn: Callable[[str, str], bool]) -> Callable[[list, list], np.ndarray]:
    return lambda xs, ys: np.fromiter(
        (fn(x, y) for x, y in zip(xs, ys, strict=True)), bool, len(xs)
    )


def _cp(scorer: Callable, cutoff: float | None = None) -> Callable[[list, list], np.ndarray]:
    return lambda xs, ys: cpdist(
        xs, ys, scorer=scorer, dtype=np.float64, score_cutoff=cutoff, workers=-1
    )


class Scorer:
    """Column-wise `compare` over one table, with its frequencies."""

    def __init__(self, table: Table, stats: Stats) -> None:
        self.t, self.stats = table, stats
        self.simple = table.simple()
        text = table.text
        self.has_first, self.has_last = text["first"] != "", text["last"] != ""
        self.name_codes, self.names = table.code("name")
        n = len(table)
        self.first, self.last = self.name_codes[:n], self.name_codes[n:]
        fk_codes, fk_uniques = table.first_key_codes()
        fk_w = _per_value(lambda k: stats.tf_weight("fn:" + k, 0.003, 0.9, 1.0, 6.0), fk_uniques)
        self.wf = np.where(self.has_first, fk_w[fk_codes], 0.0)
        lasts = np.unique(self.last)
        ln_w = np.zeros(len(self.names))
        ln_w[lasts] = _per_value(
            lambda k: stats.tf_weight("ln:" + k, 0.001, 0.95, 1.0, 9.0), self.names[lasts]
        )
        self.wl = np.where(self.has_last, ln_w[self.last], 0.0)
        self.first, self.last = self.first.astype(np.int32), self.last.astype(np.int32)
        self.name_len = np.fromiter((len(u) for u in self.names), np.int64, len(self.names))
        self.empty = code_of(self.names, "")
        self.initial = pd.factorize(np.asarray([u[:1] for u in self.names], dtype=object))[0]
        self.company_c, self.companies = table.code("company")
        self.wc = _per_value(
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

    # -- name --------------------------------------------------------------------------
    def name_case(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The branch of `levels._name` each pair takes (an index into `CASES`)."""
        fa, fb, la, lb = self.first[a], self.first[b], self.last[a], self.last[b]
        e = self.empty
        hfa, hfb, hla, hlb = fa != e, fb != e, la != e, lb != e
        four = hfa & hfb & hla & hlb
        case = np.where(four, C["else-10"], C["else-4"]).astype(np.int8)
        eqf, eql = fa == fb, la == lb
        case[eqf & eql] = C["exact"]
        case[hfa & hla & (fa == lb) & (la == fb) & ~(eqf & eql)] = C["swapped"]
        same = np.flatnonzero(hla & eql & ~eqf)  # same surname, other given name
        case[same] = self._same_surname(fa[same], fb[same], hfa[same] & hfb[same])
        rest = np.flatnonzero(four & ~eql & (case == C["else-10"]))
        agree = eqf[rest]
        agree[~agree] = self._same_name(fa[rest][~agree], fb[rest][~agree])
        swap = np.flatnonzero(~agree)
        swap = swap[self.name_len[fa[rest][swap]] == self.name_len[fb[rest][swap]]]
        agree[swap] = _distinct(_each(_transposed), fa[rest][swap], fb[rest][swap], self.names)
        rest = rest[agree]
        case[rest] = self._other_surname(la[rest], lb[rest], case[rest])
        case[~(hfa | hla) | ~(hfb | hlb)] = C["null"]
        return case

    def _same_surname(self, fa: np.ndarray, fb: np.ndarray, both: np.ndarray) -> np.ndarray:
        case = np.full(len(fa), C["surname-only-12"], np.int8)
        open_ = both.copy()
        case[~both] = C["surname-only-3"]
        nick = self._same_name(fa, fb) & open_
        case[nick] = C["nickname"]
        open_ &= ~nick
        lena, lenb = self.name_len[fa], self.name_len[fb]
        init = open_ & ((lena == 1) | (lenb == 1)) & (self.initial[fa] == self.initial[fb])
        case[init] = C["initial"]
        open_ &= ~init
        near = np.flatnonzero(open_ & (np.minimum(lena, lenb) >= 4) & (np.abs(lena - lenb) <= 1))
        osa = _distinct(_cp(OSA.distance, 1), fa[near], fb[near], self.names)
        one = near[osa <= 1]
        swap = one[lena[one] == lenb[one]]
        trans = _distinct(_each(_transposed), fa[swap], fb[swap], self.names).astype(bool)
        case[one] = C["fuzzy-given-name"]
        case[swap[trans]] = C["transposed-given-name"]
        return case

    def _other_surname(self, la: np.ndarray, lb: np.ndarray, case: np.ndarray) -> np.ndarray:
        """Given names agree, surnames differ: 'fuzzy' when the surnames are close."""
        lena, lenb = self.name_len[la], self.name_len[lb]
        near = np.flatnonzero((np.minimum(lena, lenb) >= 4) & (np.abs(lena - lenb) <= 1))
        osa = _distinct(_cp(OSA.distance, 1), la[near], lb[near], self.names)
        case[near[osa <= 1]] = C["fuzzy+5"]
        rest = np.flatnonzero(case != C["fuzzy+5"])
        width = len(self.names)
        distinct, inverse = np.unique(
            la[rest].astype(np.int64) * width + lb[rest], return_inverse=True
        )
        da, db = distinct // width, distinct % width
        ok = np.flatnonzero(self._may_be_similar(da, db))
        jw = np.zeros(len(distinct))
        jw[ok] = _cp(JaroWinkler.similarity)(self.names[da[ok]], self.names[db[ok]])
        case[rest[jw[inverse.reshape(-1)] >= 0.92]] = C["fuzzy+3"]
        return case

    def _may_be_similar(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """False where two names cannot reach Jaro-Winkler 0.92 (too few letters in common).

        JW >= 0.92 needs Jaro >= 0.8667 (the prefix bonus adds at most 0.4 (1 - Jaro)), so
        m/|x| + m/|y| >= 1.6 with m matching characters, and m is at most the letters the
        two have in common.
        """
        if not hasattr(self, "letters"):
            self.letters = _letter_counts(self.names)
        common = np.zeros(len(x), np.int64)
        for k in range(self.letters.shape[1]):
            column = self.letters[:, k]
            common += np.minimum(column[x], column[y])
        sx, sy = self.name_len[x], self.name_len[y]
        return common * (sx + sy) >= 1.58 * sx * sy

    def weights(self, case: np.ndarray, a: np.ndarray) -> np.ndarray:
        """The name weight of each pair from its case: (cf * wf + cl * wl) + constant."""
        return (CASE_F[case] * self.wf[a] + CASE_L[case] * self.wl[a]) + CASE_C[case]

    def _same_name(self, fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
        """`nicknames.same_name` per pair: by root where each name has one, else by table."""
        if not hasattr(self, "_root"):
            found = [roots(u) for u in self.names]
            root_code = {r: i for i, r in enumerate(sorted({r for rs in found for r in rs}))}
            self._root = np.asarray([root_code[min(rs)] if len(rs) == 1 else -1 for rs in found])
        ra, rb = self._root[fa], self._root[fb]
        out = (fa != fb) & (ra == rb) & (ra >= 0)
        either = np.flatnonzero((ra < 0) | (rb < 0))
        out[either] = _distinct(_each(same_name), fa[either], fb[either], self.names)
        return out

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
        return _spells_name(local, self.t.rec(x)) or _spells_name(local, self.t.rec(y))

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
        fuzzy = _distinct(_company_fuzzy, ca[differ], cb[differ], self.companies)
        weight[differ] = np.where(fuzzy.astype(bool), 2.0, -4.0)
        other = np.zeros(len(a), bool)
        other[differ] = ~fuzzy.astype(bool)
        return other, weight

    def title_weight(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        both = self.has_title[a] & self.has_title[b]
        ta, tb = self.title_c[a], self.title_c[b]
        weight = np.where(both & (ta == tb), 0.8, 0.0)
        differ = np.flatnonzero(both & (ta != tb))
        ratio = _distinct(_cp(token_set_ratio), ta[differ], tb[differ], self.titles)
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
        case = self.name_case(a, b)
        name_level = CASE_LEVEL[case]
        both_li = self.has_linkedin[a] & self.has_linkedin[b]
        same_li = both_li & (self.linkedin_c[a] == self.linkedin_c[b])
        four = self.has_first[a] & self.has_first[b] & self.has_last[a] & self.has_last[b]
        same_email = self.has_email[a] & (self.email_c[a] == self.email_c[b])
        same_phone = self.has_phone[a] & (self.phone_c[a] == self.phone_c[b])
        keep = ~((name_level == NL["else"]) & four & ~same_li & ~same_email & ~same_phone)
        a, b, name_level, case = a[keep], b[keep], name_level[keep], case[keep]
        name_w = self.weights(case, a)
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


def _spread(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, bool)
    out[rows] = values.astype(bool)
    return out


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


def _letter_counts(names: np.ndarray) -> np.ndarray:
    """How often each of 0-9 and a-z occurs in each name; the last column counts the rest."""
    alphabet = np.frombuffer("0123456789abcdefghijklmnopqrstuvwxyz".encode("utf-32-le"), np.uint32)
    fixed = np.asarray(names, dtype=str)
    width = max(fixed.dtype.itemsize // 4, 1)
    chars = fixed.view(np.uint32).reshape(len(names), width) if len(names) else np.zeros((0, 1))
    rows, cols = np.nonzero(chars)
    found = chars[rows, cols]
    slot = np.searchsorted(alphabet, found)
    known = (slot < len(alphabet)) & (alphabet[np.minimum(slot, len(alphabet) - 1)] == found)
    slot = np.where(known, slot, len(alphabet))
    out = np.zeros(len(names) * (len(alphabet) + 1), np.int64)
    np.add.at(out, rows * (len(alphabet) + 1) + slot, 1)
    return np.minimum(out, 255).astype(np.uint8).reshape(len(names), len(alphabet) + 1)
