"""Comparison levels: for each field, named ordered levels with Fellegi-Sunter weights.

Every level's weight is log2(m/u): m = P(level | same person), u = P(level | different
people). Weights are hand-set (a single event is too small to train on; see
shared/research/dedupe-anchors.md) except where term frequencies adjust u: an exact
match on a rare surname, given name or company is worth more than on 'Smith'.
A null on either side is neutral (weight 0), never evidence against a match.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import NamedTuple

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from contacts.matching.nicknames import same_name
from contacts.matching.records import Rec, first_key, is_role_mailbox

FREE_MAIL = frozenset((
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com",
    "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "live.com", "msn.com",
    "mail.com", "yandex.ru", "me.com", "hey.com", "fastmail.com", "example.com",
))  # fmt: skip


SAME_NAME_ELSEWHERE = "same name at different companies with different emails"
# A conflict that a job change explains: it forbids a direct merge, but when a strong edge
# (a personal phone, an email, a profile) joins two groups it does not veto the rest.
SOFT_CONFLICTS = frozenset((SAME_NAME_ELSEWHERE,))
INCOHERENT_NAMES = ("else", "surname-only")


class Level(NamedTuple):
    """One field's outcome: the level reached and what it is worth."""

    field: str
    level: str
    weight: float
    detail: str = ""


class Comparison:
    """All levels for one pair of records, their total and any conflict that forbids a merge."""

    __slots__ = ("levels", "conflicts", "score")

    def __init__(self, levels: list[Level], conflicts: list[str] | None = None) -> None:
        self.levels = levels
        self.conflicts = conflicts or []
        self.score = round(sum(level.weight for level in levels), 3)

    def level(self, name: str) -> str:
        return next(x.level for x in self.levels if x.field == name)

    @property
    def hard_conflict(self) -> bool:
        """True when a conflict other than a soft one (`SOFT_CONFLICTS`) is listed."""
        return not SOFT_CONFLICTS.issuperset(self.conflicts)

    def breaks_coherence(self) -> bool:
        """True when this pair may not end up in one group: a hard conflict or other names."""
        return self.hard_conflict or self.level("name") in INCOHERENT_NAMES

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "levels": [[x.field, x.level, round(x.weight, 2), x.detail] for x in self.levels],
            "conflicts": list(self.conflicts),
        }


class Stats:
    """Term frequencies (surname, given name, company) and who shares an email or phone.

    `counts` maps 'ln:smith' / 'fn:robert' / 'co:acme' to how many sightings carry it;
    `holders` maps an email or phone to the distinct surnames seen with it.
    """

    def __init__(self) -> None:
        self.total = 0
        self.counts: Counter[str] = Counter()
        self.holders: dict[str, set[str]] = {}

    def add(self, rec: Rec, stat_keys: list[str]) -> None:
        self.total += 1
        self.counts.update(stat_keys)
        self.note_holders(rec)

    def note_holders(self, rec: Rec) -> None:
        """Remember the surname seen with each of the record's emails and phones."""
        for ident in (*rec.emails, *rec.phones):
            if rec.last:
                self.holders.setdefault(ident, set()).add(rec.last)

    def shared(self, ident: str) -> bool:
        """True when an email or phone has been seen with two or more surnames."""
        return len(self.holders.get(ident, ())) > 1

    def tf_weight(self, key: str, prior: float, m: float, low: float, high: float) -> float:
        """log2(m/u) with u the key's smoothed frequency (prior weighs as 1,000 sightings)."""
        u = (self.counts.get(key, 0) + 1000 * prior) / (self.total + 1000)
        return min(high, max(low, math.log2(m / u)))


def _name(a: Rec, b: Rec, stats: Stats) -> Level:
    if not (a.first or a.last) or not (b.first or b.last):
        return Level("name", "null", 0.0)
    wl = stats.tf_weight("ln:" + a.last, 0.001, 0.95, 1.0, 9.0) if a.last else 0.0
    wf = stats.tf_weight("fn:" + first_key(a.first), 0.003, 0.9, 1.0, 6.0) if a.first else 0.0
    shown = f"{a.first} {a.last} / {b.first} {b.last}"
    if a.first == b.first and a.last == b.last:
        return Level("name", "exact", wf + wl, shown)
    if a.first and a.last and a.first == b.last and a.last == b.first:
        return Level("name", "swapped", wf + wl - 1.0, shown)
    if a.last and a.last == b.last:
        if not (a.first and b.first):
            return Level("name", "surname-only", wl - 3.0, shown)
        if same_name(a.first, b.first):  # a typo of the name ('Samule') says so, same weight
            kind = "transposed-given-name" if transposed(a.first, b.first) else "nickname"
            return Level("name", kind, wl + wf - 1.0, shown)
        if (len(a.first) == 1 or len(b.first) == 1) and a.first[0] == b.first[0]:
            return Level("name", "initial", wl + 1.0, shown)
        if transposed(a.first, b.first):
            return Level("name", "transposed-given-name", wl + wf - 1.0, shown)
        if min(len(a.first), len(b.first)) >= 4 and OSA.distance(a.first, b.first) <= 1:
            return Level("name", "fuzzy-given-name", wl - 3.0, shown)
        return Level("name", "surname-only", wl - 12.0, shown)
    firsts_agree = (
        a.first
        and b.first
        and (a.first == b.first or same_name(a.first, b.first) or transposed(a.first, b.first))
    )
    if firsts_agree and a.last and b.last:
        if min(len(a.last), len(b.last)) >= 4 and OSA.distance(a.last, b.last) <= 1:
            close = 5.0
        else:
            close = 3.0 if JaroWinkler.similarity(a.last, b.last) >= 0.92 else 0.0
        if close:
            # a surname one typo away is worth less than the commoner spelling matched exactly
            near = min(wl, stats.tf_weight("ln:" + b.last, 0.001, 0.95, 1.0, 9.0)) - 1.0
            return Level("name", "fuzzy", wf + min(close, near), shown)
    if a.first and b.first and a.last and b.last:
        return Level("name", "else", -10.0, shown)
    return Level("name", "else", -4.0, shown)


def transposed(a: str, b: str) -> bool:
    """True when two given names differ only by two swapped neighbouring letters ('Graec').

    Names that really differ (Maria / Mario, Karin / Katrin) differ by a changed, added or
    dropped letter; a swap of neighbours is how hands mistype, so it counts almost as exact.
    """
    if len(a) != len(b) or len(a) < 4 or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    i = diff[0]
    return a[i] == b[i + 1] and a[i + 1] == b[i]


def _email(a: Rec, b: Rec, stats: Stats) -> Level:
    if not a.emails or not b.emails:
        return Level("email", "null", 0.0)
    both = sorted(set(a.emails).intersection(b.emails))
    if both:
        strong = [e for e in both if not is_role_mailbox(e) and not stats.shared(e)]
        if strong:
            return Level("email", "exact", 16.0, strong[0])
        return Level("email", "exact-shared", 1.0, f"{both[0]} (role or shared mailbox)")
    a_personal, b_personal = _personal(a), _personal(b)
    if a_personal or b_personal:
        locals_a = {e.partition("@")[0] for e in a.emails if not is_role_mailbox(e)}
        same_local = sorted(
            e for e in b.emails if len(e.partition("@")[0]) >= 5 and e.partition("@")[0] in locals_a
        )
        if same_local:
            local = same_local[0].partition("@")[0]
            if spells_name(local, a) or spells_name(local, b):
                # 'ingrid.brisondortov@' at work and at Yahoo: anyone so named might pick it
                return Level("email", "same-username-of-name", 1.0, same_local[0])
            return Level("email", "same-username", 4.0, same_local[0])
    if not (a_personal and b_personal):
        work_a = {e.partition("@")[2] for e in a.emails} - FREE_MAIL
        work_b = {e.partition("@")[2] for e in b.emails} - FREE_MAIL
        if work_a & work_b:
            return Level("email", "same-domain-other-address", -6.0, min(work_a & work_b))
    if _kind(a) is not None and _kind(b) is not None and _kind(a) != _kind(b):
        # a work address on one, a personal one on the other: how one person fills in a
        # booth scan and a sign-up form, and as common between strangers (m/u near 1)
        return Level("email", "work-and-personal", 0.0)
    return Level("email", "else", -1.0)


def _phone(a: Rec, b: Rec, stats: Stats) -> Level:
    if not a.phones or not b.phones:
        return Level("phone", "null", 0.0)
    both = sorted(set(a.phones) & set(b.phones))
    strong = [p for p in both if not stats.shared(p)]
    if strong:
        return Level("phone", "exact", 10.0, strong[0])
    if both:
        return Level("phone", "exact-shared", 0.5, f"{both[0]} (shared line)")
    return Level("phone", "else", -1.5)


def _linkedin(a: Rec, b: Rec) -> Level:
    if not a.linkedin or not b.linkedin:
        return Level("linkedin", "null", 0.0)
    if a.linkedin == b.linkedin:
        return Level("linkedin", "exact", 18.0, a.linkedin)
    return Level("linkedin", "else", -12.0)


def _company(a: Rec, b: Rec, stats: Stats) -> Level:
    if not a.company or not b.company:
        return Level("company", "null", 0.0)
    if a.company == b.company:
        return Level("company", "exact", stats.tf_weight("co:" + a.company, 0.001, 0.9, 5.0, 8.0))
    if (
        a.company in b.company
        or b.company in a.company
        or token_set_ratio(a.company, b.company) >= 90
    ):
        return Level("company", "fuzzy", 2.0, f"{a.company} / {b.company}")
    return Level("company", "else", -4.0, f"{a.company} / {b.company}")


def _title(a: Rec, b: Rec) -> Level:
    if not a.title or not b.title:
        return Level("title", "null", 0.0)
    if a.title == b.title:
        return Level("title", "exact", 0.8)
    if token_set_ratio(a.title, b.title) >= 80:
        return Level("title", "fuzzy", 0.5)
    return Level("title", "else", -0.3)


def screen(a: Rec, b: Rec, stats: Stats) -> Comparison | None:
    """`compare`, or None at once for a pair that can never reach review.

    That is a pair with no shared identifier and different full names. (Name 'else' is
    -10; the most the other fields can add without a shared identifier is same-username
    +4, company +8 and title +0.8, which stays below the review threshold.)
    """
    name = _name(a, b, stats)
    if (
        name.level == "else"
        and a.first
        and a.last
        and b.first
        and b.last
        and not (a.linkedin and a.linkedin == b.linkedin)
        and set(a.emails).isdisjoint(b.emails)
        and set(a.phones).isdisjoint(b.phones)
    ):
        return None
    return compare(a, b, stats, name)


def spells_name(local: str, rec: Rec) -> bool:
    """True when an address's user name is just the person's name ('jane.doe', 'jdoe12')."""
    letters = "".join(c for c in local if c.isalpha())
    return bool(rec.last) and rec.last in letters and (not rec.first or rec.first[0] in letters)


def _personal(rec: Rec) -> bool:
    return any(e.partition("@")[2] in FREE_MAIL for e in rec.emails)


def _kind(rec: Rec) -> bool | None:
    """True when all of a record's addresses are personal, False when all are work, else None."""
    kinds = {e.partition("@")[2] in FREE_MAIL for e in rec.emails}
    return kinds.pop() if len(kinds) == 1 else None


def compare(a: Rec, b: Rec, stats: Stats, name: Level | None = None) -> Comparison:
    """Score a pair field by field and list the conflicts that forbid merging them.

    `name` is the name level when the caller has already worked it out (`screen`).
    """
    name = name or _name(a, b, stats)
    email = _email(a, b, stats)
    phone = _phone(a, b, stats)
    linkedin = _linkedin(a, b)
    company = _company(a, b, stats)
    levels = [linkedin, email, phone, name, company, _title(a, b)]
    conflicts = []
    if linkedin.level == "else":
        conflicts.append("different LinkedIn profiles")
    if name.level == "else" and a.first and b.first and a.last and b.last:
        conflicts.append("different names")
    if email.level == "same-domain-other-address":
        conflicts.append("different addresses at the same company domain")
    if email.level == "else" and phone.level == "else" and _personal(a) and _personal(b):
        conflicts.append("different personal emails and different phones")
    if (
        name.level in ("exact", "swapped", "nickname")
        and company.level == "else"
        and email.level in ("else", "work-and-personal", "same-domain-other-address")
        and phone.level != "exact"
    ):
        conflicts.append(SAME_NAME_ELSEWHERE)
    return Comparison(levels, conflicts)
