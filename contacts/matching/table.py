"""Records as columns, for matching a big batch with array operations (see `batch`).

A `Table` holds the same fields as a list of `Rec` (already folded by `make_rec`), one
numpy array per field, plus integer codes for the string fields so that equality tests
and group-bys run on integers. Emails and phones are joined by newlines (nothing in an
email key or an E.164 number holds one); a record with at most one of each is "simple"
and is scored column-wise, any other pair falls back to `levels.compare`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from contacts.matching.levels import FREE_MAIL
from contacts.matching.records import ROLE_MAILBOXES, Rec, first_key

SEP = "\n"
TEXT_FIELDS = ("first", "last", "emails", "phones", "company", "title", "linkedin")


def codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of strings (equal strings, equal codes) and the distinct strings."""
    found, uniques = pd.factorize(values)
    return found.astype(np.int64), np.asarray(uniques, dtype=object)


def ordered(column: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Codes that sort as the strings do (Python's order), from `codes`' output."""
    found, uniques = column
    if not len(uniques):
        return found
    order = np.argsort(np.asarray(uniques, dtype=str), kind="stable")
    rank = np.empty(len(uniques), np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[found]


@dataclass
class Table:
    """Columns of records; position i is one record. `new` marks those being resolved."""

    ids: np.ndarray
    text: dict[str, np.ndarray]
    cluster: np.ndarray  # contact id or -1
    new: np.ndarray
    recs: Sequence[Rec] | None = None
    _codes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _parts: dict[str, np.ndarray] = field(default_factory=dict)
    _idents: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def from_recs(cls, recs: Sequence[Rec], new: np.ndarray | None = None,
                  cluster: Sequence[int] | None = None) -> Table:  # fmt: skip
        """Columns of `recs`; `cluster` (-1: none) overrides each record's own."""
        text = text_columns(recs)
        return cls(
            ids=np.fromiter((r.id for r in recs), np.int64, len(recs)),
            text={k: np.asarray(v, dtype=object) for k, v in text.items()},
            cluster=np.asarray(
                [-1 if r.cluster is None else r.cluster for r in recs]
                if cluster is None
                else cluster,
                np.int64,
            ).reshape(-1),  # fmt: skip
            new=np.ones(len(recs), bool) if new is None else new,
            recs=recs,
        )

    @classmethod
    def from_columns(cls, ids: np.ndarray, **text: Sequence[str]) -> Table:
        """Columns already folded as `make_rec` folds them (emails/phones newline-joined)."""
        n = len(ids)
        return cls(
            ids=np.asarray(ids, dtype=np.int64),
            text={k: np.asarray(text.get(k, [""] * n), dtype=object) for k in TEXT_FIELDS},
            cluster=np.full(n, -1, np.int64),
            new=np.ones(n, bool),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def code(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, sorted uniques) of a text column, or of 'name' = first and last together."""
        if name not in self._codes:
            if name == "name":
                both = np.concatenate([self.text["first"], self.text["last"]])
                found, uniques = codes(both)
                n = len(self)
                self._codes["first"] = (found[:n], uniques)
                self._codes["last"] = (found[n:], uniques)
                self._codes[name] = (found, uniques)
            else:
                self._codes[name] = codes(self.text[name])
        return self._codes[name]

    def rec(self, i: int) -> Rec:
        """The `Rec` at position i (built from the columns when the table has none)."""
        if self.recs is not None:
            return self.recs[i]
        t = {k: self.text[k][i] for k in TEXT_FIELDS}
        emails = tuple(t["emails"].split(SEP)) if t["emails"] else ()
        phones = tuple(t["phones"].split(SEP)) if t["phones"] else ()
        rid = int(self.ids[i])
        rec = Rec(rid, t["first"], t["last"], emails, phones, t["company"], t["title"],
                  t["linkedin"], None if self.cluster[i] < 0 else int(self.cluster[i]))  # fmt: skip
        rec.sort_key = (t["last"], t["first"], emails, phones, t["company"], t["linkedin"],
                        t["title"], rid)  # fmt: skip
        return rec

    def email_parts(self) -> dict[str, np.ndarray]:
        """`email_parts` of each distinct value of the emails column (by its code)."""
        if not self._parts:
            self._parts.update(email_parts(self.code("emails")[1]))
        return self._parts

    def idents(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(position, code, distinct values) of each email, phone or profile of each record."""
        if column not in self._idents:
            found, uniques = self.code(column)
            if not _contains(uniques, SEP).any():
                pos = np.flatnonzero(found != code_of(uniques, ""))
                self._idents[column] = (pos, found[pos], uniques)
            else:
                pos, values = exploded(self.text[column])
                self._idents[column] = (pos, *codes(values))
        return self._idents[column]

    def simple(self) -> np.ndarray:
        """True where a record has at most one email and at most one phone."""
        several = [_contains(u, SEP)[found] for found, u in map(self.code, ("emails", "phones"))]
        return ~(several[0] | several[1])

    def sort_rank(self) -> np.ndarray:
        """Each record's rank in `Rec.sort_key` order (the tie-break between equal scores)."""
        keys = [self.ids] + [
            ordered(self.code(k)) for k in ("title", "linkedin", "company", "phones", "emails")
        ]
        names = ordered(self.code("name"))
        keys += [names[: len(self)], names[len(self) :]]
        order = np.lexsort(keys)
        rank = np.empty(len(self), np.int64)
        rank[order] = np.arange(len(self))
        return rank

    def first_keys(self) -> np.ndarray:
        """The nickname-folded given name of each record ('bob' -> 'robert'), '' for none."""
        found, uniques = self.code("first")
        mapped = np.asarray([first_key(u) for u in uniques], dtype=object)
        return mapped[found]

    def last_keys(self) -> np.ndarray:
        """Each surname folded like a given name (`first_key`), for the either-order name key."""
        found, uniques = self.code("last")
        mapped = np.asarray([first_key(u) for u in uniques], dtype=object)
        return mapped[found]

    def first_key_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(code, distinct values) of `first_keys`, without re-hashing every record."""
        found, uniques = self.code("first")
        mapped_codes, mapped = pd.factorize(
            np.asarray([first_key(u) for u in uniques], dtype=object)
        )
        return mapped_codes[found], np.asarray(mapped, dtype=object)


def text_columns(recs: Sequence[Rec]) -> dict[str, list[str]]:
    """The text fields of `recs` as columns (emails and phones newline-joined)."""
    return {
        "first": [r.first for r in recs],
        "last": [r.last for r in recs],
        "emails": [SEP.join(r.emails) for r in recs],
        "phones": [SEP.join(r.phones) for r in recs],
        "company": [r.company for r in recs],
        "title": [r.title for r in recs],
        "linkedin": [r.linkedin for r in recs],
    }


def _contains(values: np.ndarray, needle: str) -> np.ndarray:
    return np.fromiter((needle in v for v in values), bool, len(values))


def email_parts(emails: np.ndarray) -> dict[str, np.ndarray]:
    """Per simple record's email: local part, domain, role mailbox?, free-mail domain?"""
    split = [e.partition("@") for e in emails]
    local = np.asarray([x[0] for x in split], dtype=object)
    domain = np.asarray([x[2] for x in split], dtype=object)
    role = np.fromiter((x.split("+", 1)[0] in ROLE_MAILBOXES for x in local), bool, len(local))
    free = np.fromiter((d in FREE_MAIL for d in domain), bool, len(domain))
    local_code, local_uniques = pd.factorize(local)
    return {
        "local": local,
        "local_code": local_code,
        "local_uniques": np.asarray(local_uniques, dtype=object),
        "local_len": np.fromiter((len(x) for x in local), np.int64, len(local)),
        "domain_code": pd.factorize(domain)[0],
        "role": role & (emails != ""),
        "free": free,
    }


def code_of(uniques: np.ndarray, value: str) -> int:
    """The code of `value` among distinct strings, or -1 when absent."""
    found = np.flatnonzero(uniques == value)
    return int(found[0]) if len(found) else -1


def exploded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position, value) for each non-empty newline-separated value of a column."""
    pos = np.flatnonzero(values != "")
    found = values[pos]
    multi = np.flatnonzero(_contains(found, SEP))
    if not len(multi):
        return pos, found
    single = np.ones(len(pos), bool)
    single[multi] = False
    split = [
        (p, v)
        for p, joined in zip(pos[multi].tolist(), found[multi], strict=True)
        for v in joined.split(SEP)
    ]
    extra_pos = np.asarray([p for p, _ in split], np.int64)
    extra = np.asarray([v for _, v in split], dtype=object)
    return np.r_[pos[single], extra_pos], np.concatenate([found[single], extra])


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for int64 keys, by one in-place sort."""
    values.sort()
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values
