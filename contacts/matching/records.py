"""The comparable form of a sighting (`Rec`) and the cheap keys used to block on it.

A `Rec` holds only what matching reads, already folded: lower case, accents stripped,
Gmail addresses canonical (done by `contacts.normalize`), phones in E.164.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from contacts.matching.nicknames import roots
from contacts.normalize import CACHE, fold_accents

# Local parts of role or shared mailboxes: an exact match on them says little about a person.
ROLE_MAILBOXES = frozenset((
    "info", "careers", "career", "jobs", "job", "hr", "recruiting", "recruitment", "recruiter",
    "talent", "contact", "contacts", "hello", "hi", "admin", "office", "sales", "support",
    "team", "events", "event", "press", "marketing", "noreply", "no-reply", "enquiries",
    "inquiries", "reception", "general", "mail", "hiring", "university", "campus", "students",
    "admissions", "service", "help", "team", "people", "staff", "webmaster", "billing",
    "accounts",
))  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=CACHE)
def fold(text: str) -> str:
    """'  José  MÜLLER-Smith ' -> 'jose muller smith' (for comparison only)."""
    return " ".join(_WORD.findall(fold_accents(text).lower()))


def is_role_mailbox(key: str) -> bool:
    """True for addresses like info@, careers@ or jobs+fair@ that a whole team reads."""
    local = key.partition("@")[0]
    return local.split("+", 1)[0] in ROLE_MAILBOXES


@dataclass(slots=True)
class Rec:
    """One sighting as the matcher sees it. `cluster` is its contact id when already stored."""

    id: int
    first: str = ""
    last: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    title: str = ""
    linkedin: str = ""
    cluster: int | None = None
    sort_key: tuple = field(default=(), compare=False)

    @property
    def name_key(self) -> str:
        return f"{self.first}|{self.last}"


def make_rec(
    id_: int,
    *,
    first: str = "",
    last: str = "",
    full: str = "",
    emails: list[str] | tuple[str, ...] = (),
    phones: list[str] | tuple[str, ...] = (),
    company: str = "",
    title: str = "",
    linkedin: str = "",
    cluster: int | None = None,
) -> Rec:
    """Build a `Rec` from normalized sighting fields (`company` is the company key).

    Only the first given name is kept ('Mary Ann' -> 'mary'); a missing first/last pair is
    split from the full name on whitespace.
    """
    first_f, last_f = fold(first), fold(last)
    if not (first_f or last_f) and full and "@" not in full:
        words = fold(full).split()
        if len(words) >= 2:
            first_f, last_f = words[0], " ".join(words[1:])
    first_f = first_f.split(" ", 1)[0] if first_f else ""
    last_f = last_f.replace(" ", "")
    emails_t = tuple(sorted(set(emails)))
    phones_t = tuple(sorted(set(phones)))
    rec = Rec(
        id=id_,
        first=first_f,
        last=last_f,
        emails=emails_t,
        phones=phones_t,
        company=company,
        title=fold(title),
        linkedin=linkedin,
        cluster=cluster,
    )
    rec.sort_key = (last_f, first_f, emails_t, phones_t, company, linkedin, rec.title, id_)
    return rec


# The rules of `block_keys` and `stat_keys` (with `first_key` and `nicknames.roots`). A store
# indexed under another version is re-indexed before its next match (`storage.refresh_keys`).
# 2: a given name one swap from a name in the nickname table takes that name's key.
# 3: the name key folds both slots, so 'Kate Johnson' meets 'Johnson Kate' (swapped).
KEYS_VERSION = 3


def first_key(first: str) -> str:
    """The one canonical given name used in blocking keys ('bob' -> 'robert')."""
    return min(roots(first)) if first else ""


def block_keys(rec: Rec) -> list[str]:
    """Cheap keys; two records are compared when they share at least one.

    LinkedIn slug, each email, each email's local part, each phone, the (nickname-folded)
    name in either order, surname + company and given name + company. Both slots of the
    name key are folded like a given name: in a swapped record the given name is the
    surname ('Johnson, Kate'), and it must give the key that 'Kate Johnson' gives.
    """
    keys: list[str] = []
    if rec.linkedin:
        keys.append("li:" + rec.linkedin)
    for email in rec.emails:
        keys.append("em:" + email)
        local = email.partition("@")[0]
        if len(local) >= 5 and not is_role_mailbox(email):
            keys.append("lp:" + local)
    keys.extend("ph:" + phone for phone in rec.phones)
    fk = first_key(rec.first)
    if fk and rec.last:
        keys.append("nm:" + "|".join(sorted((fk, first_key(rec.last)))))
        keys.append("ni:" + rec.first[0] + "|" + rec.last)
    if rec.company:
        if rec.last:
            keys.append("lc:" + rec.last + "|" + rec.company)
        if fk:
            keys.append("fc:" + fk + "|" + rec.company)
    return keys


def stat_keys(rec: Rec) -> list[str]:
    """Keys counted for term frequencies: surname, given name, company."""
    keys = []
    if rec.last:
        keys.append("ln:" + rec.last)
    if rec.first:
        keys.append("fn:" + first_key(rec.first))
    if rec.company:
        keys.append("co:" + rec.company)
    return keys
