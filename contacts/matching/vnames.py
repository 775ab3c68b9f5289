"""The name level of `levels._name` for many pairs at once (see `vscore`).

Given and family names are coded once per distinct folded value; nicknames, OSA,
Jaro-Winkler and swapped letters are worked out once per distinct pair of values. Each
pair gets the branch of `levels._name` it takes (an index into `CASES`) and, from it,
the same weight.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cpdist

from contacts.matching.levels import INCOHERENT_NAMES, Stats, transposed
from contacts.matching.nicknames import roots, same_name
from contacts.matching.table import Table, code_of

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


def per_value(
    fn: Callable[[str], float], uniques: np.ndarray, dtype: type = np.float64
) -> np.ndarray:
    """fn of each distinct value, as an array indexed by the values' codes."""
    return np.fromiter((fn(u) for u in uniques), dtype, len(uniques))


def per_distinct_pair(
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


def cpdist_of(scorer: Callable, cutoff: float | None = None) -> Callable[[list, list], np.ndarray]:
    """A rapidfuzz scorer over two equal-length lists, element by element (all cores)."""
    return lambda xs, ys: cpdist(
        xs, ys, scorer=scorer, dtype=np.float64, score_cutoff=cutoff, workers=-1
    )


class NameScorer:
    """Name codes and term-frequency weights of one table; `case` and `weights` per pair."""

    def __init__(self, table: Table, stats: Stats) -> None:
        text = table.text
        self.has_first, self.has_last = text["first"] != "", text["last"] != ""
        self.name_codes, self.names = table.code("name")
        n = len(table)
        self.first, self.last = self.name_codes[:n], self.name_codes[n:]
        fk_codes, fk_uniques = table.first_key_codes()
        fk_w = per_value(lambda k: stats.tf_weight("fn:" + k, 0.003, 0.9, 1.0, 6.0), fk_uniques)
        self.wf = np.where(self.has_first, fk_w[fk_codes], 0.0)
        lasts = np.unique(self.last)
        ln_w = np.zeros(len(self.names))
        ln_w[lasts] = per_value(
            lambda k: stats.tf_weight("ln:" + k, 0.001, 0.95, 1.0, 9.0), self.names[lasts]
        )
        self.wl = np.where(self.has_last, ln_w[self.last], 0.0)
        self.first, self.last = self.first.astype(np.int32), self.last.astype(np.int32)
        self.name_len = np.fromiter((len(u) for u in self.names), np.int64, len(self.names))
        self.empty = code_of(self.names, "")
        self.initial = pd.factorize(np.asarray([u[:1] for u in self.names], dtype=object))[0]

    def case(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
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
        agree, ra, rb = eqf[rest], fa[rest], fb[rest]  # given names agree: same, nickname, swap
        agree[~agree] = self._same_name(ra[~agree], rb[~agree])
        swap = np.flatnonzero(~agree)
        swap = swap[self.name_len[ra[swap]] == self.name_len[rb[swap]]]
        agree[swap] = per_distinct_pair(_each(transposed), ra[swap], rb[swap], self.names)
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
        typo = np.flatnonzero(nick & (lena == lenb))  # 'Samule' is Samuel mistyped
        found = per_distinct_pair(_each(transposed), fa[typo], fb[typo], self.names)
        case[typo[found.astype(bool)]] = C["transposed-given-name"]
        init = open_ & ((lena == 1) | (lenb == 1)) & (self.initial[fa] == self.initial[fb])
        case[init] = C["initial"]
        open_ &= ~init
        near = np.flatnonzero(open_ & (np.minimum(lena, lenb) >= 4) & (np.abs(lena - lenb) <= 1))
        osa = per_distinct_pair(cpdist_of(OSA.distance, 1), fa[near], fb[near], self.names)
        one = near[osa <= 1]
        swap = one[lena[one] == lenb[one]]
        trans = per_distinct_pair(_each(transposed), fa[swap], fb[swap], self.names).astype(bool)
        case[one] = C["fuzzy-given-name"]
        case[swap[trans]] = C["transposed-given-name"]
        return case

    def _other_surname(self, la: np.ndarray, lb: np.ndarray, case: np.ndarray) -> np.ndarray:
        """Given names agree, surnames differ: 'fuzzy' when the surnames are close."""
        lena, lenb = self.name_len[la], self.name_len[lb]
        near = np.flatnonzero((np.minimum(lena, lenb) >= 4) & (np.abs(lena - lenb) <= 1))
        osa = per_distinct_pair(cpdist_of(OSA.distance, 1), la[near], lb[near], self.names)
        case[near[osa <= 1]] = C["fuzzy+5"]
        rest = np.flatnonzero(case != C["fuzzy+5"])
        width = len(self.names)
        distinct, inverse = np.unique(
            la[rest].astype(np.int64) * width + lb[rest], return_inverse=True
        )
        da, db = distinct // width, distinct % width
        ok = np.flatnonzero(self._may_be_similar(da, db))
        jw = np.zeros(len(distinct))
        jw[ok] = cpdist_of(JaroWinkler.similarity)(self.names[da[ok]], self.names[db[ok]])
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

    def weights(self, case: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The name weight of each pair from its case: (cf * wf + cl * wl) + constant.

        A fuzzy surname is capped: wf + min(constant, the lower surname weight - 1).
        """
        out = (CASE_F[case] * self.wf[a] + CASE_L[case] * self.wl[a]) + CASE_C[case]
        fuzzy = np.flatnonzero((case == C["fuzzy+5"]) | (case == C["fuzzy+3"]))
        fa, fb = a[fuzzy], b[fuzzy]
        near = np.minimum(self.wl[fa], self.wl[fb]) - 1.0
        out[fuzzy] = self.wf[fa] + np.minimum(CASE_C[case[fuzzy]], near)
        return out

    def _same_name(self, fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
        """`nicknames.same_name` per pair: by root where each name has one, else by table."""
        if not hasattr(self, "_root"):
            found = [roots(u) for u in self.names]
            root_code = {r: i for i, r in enumerate(sorted({r for rs in found for r in rs}))}
            self._root = np.asarray([root_code[min(rs)] if len(rs) == 1 else -1 for rs in found])
        ra, rb = self._root[fa], self._root[fb]
        out = (fa != fb) & (ra == rb) & (ra >= 0)
        either = np.flatnonzero((ra < 0) | (rb < 0))
        out[either] = per_distinct_pair(_each(same_name), fa[either], fb[either], self.names)
        return out


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
