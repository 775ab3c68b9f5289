"""Realistic multi-export event data with known truth, for the matching benchmarks.

People get a Zipf-distributed surname and company, a work email on the company domain, a
personal address, a mobile, and sometimes a LinkedIn profile. Each person is seen 1-5
times across events and export layouts (badge scan, business card, LinkedIn connections,
sign-up form), each sighting damaged the way real exports are: nicknames, accents
stripped, ALL CAPS, typos, personal instead of work email, missing fields, job changes.
Hard negatives are planted on purpose: namesakes at other companies, colleagues with
near-identical names, and switchboard numbers shared by everyone at a company.

`people(n, seed)` and `sightings(people, seed)` are deterministic for a seed.
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
import zlib
from dataclasses import dataclass, field

from bench.vocab import (
    ACCENTED,
    COMPANY_KINDS,
    COMPANY_WORDS,
    FIRST,
    FREE,
    NICK,
    SIMILAR_FIRST,
    SUFFIXES,
    SURNAME_ACCENTS,
    SURNAME_ROOTS,
    SYLLABLES,
    TITLES,
)  # fmt: skip


@dataclass
class Person:
    pid: int
    first: str
    last: str
    company: int
    title: str
    work_email: str
    personal_email: str
    mobile: str
    linkedin: str
    new_company: int | None = None
    new_work_email: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Company:
    name: str
    domain: str
    switchboard: str


_CUMULATIVE: dict[tuple[int, float], list[float]] = {}


def zipf_pick(rng: random.Random, items: list, s: float = 1.0) -> int:
    """An index into `items`, the first ones far more often (Zipf with exponent s)."""
    key = (len(items), s)
    if key not in _CUMULATIVE:
        _CUMULATIVE[key] = list(itertools.accumulate(1 / (i + 1) ** s for i in range(len(items))))
    cumulative = _CUMULATIVE[key]
    return min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(items) - 1)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _mailbox(address: str) -> str:
    """The mailbox an address delivers to: Gmail drops dots in the local part."""
    local, _, domain = address.partition("@")
    return f"{local.replace('.', '')}@{domain}" if domain == "gmail.com" else address


def _ascii(text: str) -> str:
    return "".join(c for c in strip_accents(text).lower() if c.isalnum())


def make_companies(n: int, rng: random.Random) -> list[Company]:
    names: list[Company] = []
    seen: set[str] = set()
    while len(names) < n:
        word = rng.choice(COMPANY_WORDS)
        if len(names) > len(COMPANY_WORDS) * 4:  # big runs: invented names in the tail
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        base = f"{word.title()} {rng.choice(COMPANY_KINDS)}"
        domain = _ascii(base.split()[0]) + _ascii(base.split()[1])[:4] + ".example"
        if base in seen or domain in seen:
            continue
        seen.update((base, domain))
        switchboard = f"+1{rng.randint(201, 989)}555{rng.randint(1000, 9999)}"
        names.append(Company(base + rng.choice(SUFFIXES), domain, switchboard))
    return names


def surname_pool(n_people: int, rng: random.Random) -> list[str]:
    """Real surnames at the head (frequent), invented ones in a long tail for big runs."""
    pool = list(SURNAME_ROOTS)
    wanted = max(len(pool), n_people // 8)
    seen = set(pool)
    while len(pool) < wanted:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if name not in seen:
            seen.add(name)
            pool.append(name)
    return pool


def _display_last(root: str) -> str:
    return SURNAME_ACCENTS.get(root, root.title())


def _display_first(root: str) -> str:
    return ACCENTED.get(root, root.title())


def people(n: int, seed: int = 7) -> tuple[list[Person], list[Company]]:
    """n people at Zipf-sized companies, with planted namesakes and similar colleagues."""
    rng = random.Random(seed)
    companies = make_companies(max(40, n // 10), rng)
    surnames = surname_pool(n, rng)
    used_emails: set[str] = set()
    found: list[Person] = []

    def unique(address: str) -> str:
        """An address no one else has; Gmail ignores dots, so 'a.b' and 'ab' are one mailbox."""
        local, _, domain = address.partition("@")
        candidate, k = address, 1
        while _mailbox(candidate) in used_emails:
            k += 1
            candidate = f"{local}{k}@{domain}"
        used_emails.add(_mailbox(candidate))
        return candidate

    def work(first: str, last: str, company: int) -> str:
        c = companies[company]
        pattern = zlib.crc32(c.domain.encode()) % 3
        f, la = _ascii(first), _ascii(last)
        local = (f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}")[pattern]
        return unique(f"{local}@{c.domain}")

    for pid in range(n):
        roll = rng.random()
        twin = rng.choice(found) if found else None
        if twin and roll < 0.05:  # namesake: same name, another company
            first, last = twin.first, twin.last
            company = (twin.company + 1 + rng.randrange(len(companies) - 1)) % len(companies)
        elif twin and roll < 0.09 and twin.first in SIMILAR_FIRST:  # near-identical colleague
            first, last, company = SIMILAR_FIRST[twin.first], twin.last, twin.company
        else:
            first = rng.choice(FIRST)
            last = (
                surnames[zipf_pick(rng, surnames, 0.9)]
                if rng.random() < 0.5
                else rng.choice(surnames)
            )
            company = zipf_pick(rng, companies, 0.8)
        personal = unique(
            f"{_ascii(first)}{rng.choice(('.', '', '_'))}{_ascii(last)}"
            f"{rng.choice(('', str(rng.randint(1, 99))))}@{rng.choice(FREE)}"
        )
        mobile = f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(1000, 9999)}"
        linkedin = f"{_ascii(first)}-{_ascii(last)}-{pid:x}" if rng.random() < 0.6 else ""
        person = Person(
            pid,
            first,
            last,
            company,
            rng.choice(TITLES),
            work(first, last, company),
            personal,
            mobile,
            linkedin,
        )
        if rng.random() < 0.08:
            person.new_company = rng.randrange(len(companies))
            person.new_work_email = work(first, last, person.new_company)
        found.append(person)
    return found, companies


LAYOUTS = ("scan", "scan", "scan", "card", "card", "linkedin", "linkedin", "form")


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # transposition
    if kind < 0.7:
        return word[:i] + word[i + 1 :]  # deletion
    return word[:i] + rng.choice("aeiourstnl") + word[i + 1 :]  # substitution


def _gmail_variant(rng: random.Random, address: str) -> str:
    local, _, domain = address.partition("@")
    if domain != "gmail.com" or rng.random() > 0.4:
        return address
    if rng.random() < 0.5 and len(local) > 3:
        return f"{local[:3]}.{local[3:]}@{domain}"
    return f"{local}+fair@{domain}"


def _phone_text(rng: random.Random, e164: str) -> str:
    n = e164[2:]
    return rng.choice(
        (
            e164,
            f"({n[:3]}) {n[3:6]}-{n[6:]}",
            f"{n[:3]}.{n[3:6]}.{n[6:]}",
            f"+1 {n[:3]} {n[3:6]} {n[6:]}",
        )
    )


def sightings(found: list[Person], companies: list[Company], seed: int = 11) -> list[dict]:
    """Every sighting of every person (about 2.1 per person), damaged like real exports."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for person in found:
        count = rng.choices((1, 2, 3, 4, 5), weights=(0.33, 0.34, 0.18, 0.1, 0.05))[0]
        for _ in range(count):
            rows.append(_sighting(rng, person, companies))
    return rows


def _sighting(rng: random.Random, p: Person, companies: list[Company]) -> dict:
    layout = rng.choice(LAYOUTS)
    if layout == "linkedin" and not p.linkedin:
        layout = "scan"
    event = rng.randrange(4)
    company, work = p.company, p.work_email
    if p.new_company is not None and event >= 2:
        company, work = p.new_company, p.new_work_email
    first, last = _display_first(p.first), _display_last(p.last)
    if p.first in NICK and rng.random() < 0.25:
        first = rng.choice(NICK[p.first])
    if rng.random() < 0.5:
        first, last = strip_accents(first), strip_accents(last)
    if rng.random() < 0.03:
        last = _typo(rng, last)
    elif rng.random() < 0.03:
        first = _typo(rng, first)
    if rng.random() < 0.08:
        first, last = first.upper(), last.upper()
    row = {"pid": p.pid, "event": event, "layout": layout, "first": first, "last": last,
           "email": "", "phone": "", "company": companies[company].name, "title": p.title,
           "linkedin": ""}  # fmt: skip
    personal = _gmail_variant(rng, p.personal_email)
    if layout == "scan":
        row["email"] = work if rng.random() < 0.9 else personal
        roll = rng.random()
        row["phone"] = (
            companies[company].switchboard if roll < 0.3 else p.mobile if roll < 0.5 else ""
        )
    elif layout == "card":
        row["email"] = work if rng.random() < 0.75 else personal
        roll = rng.random()
        row["phone"] = (
            p.mobile if roll < 0.6 else companies[company].switchboard if roll < 0.8 else ""
        )
    elif layout == "linkedin":
        row["linkedin"] = f"https://www.linkedin.com/in/{p.linkedin}/"
        row["email"] = personal if rng.random() < 0.25 else ""
    else:
        row["email"] = personal if rng.random() < 0.7 else work
        row["phone"] = p.mobile if rng.random() < 0.5 else ""
        if rng.random() < 0.15:  # most sign-up forms ask for the employer
            row["company"] = ""
        row["title"] = ""
    if rng.random() < 0.2:
        row["title"] = ""
    if row["phone"]:
        row["phone"] = _phone_text(rng, str(row["phone"]))
    return row
