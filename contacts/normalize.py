"""Normalization shared by every reader: names, emails, phones, companies, LinkedIn URLs.

`normalize(raw, region)` turns a `RawRecord` into a `Sighting`, or a `Rejected` with a
reason when nothing identifies a person (no name, no email and no phone).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from nameparser import HumanName

from contacts.phones import excel_damage, normalize_phone
from contacts.records import RawRecord, Rejected, Sighting

__all__ = ["excel_damage", "normalize", "normalize_email", "normalize_phone"]

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
LEGAL_SUFFIXES = {
    "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "sarl", "bv",
    "nv", "plc", "corp", "corporation", "co", "company", "pty", "oy", "ab", "as", "srl",
    "spa", "kg", "se", "lp", "llp", "pllc", "kk", "pte",
}  # fmt: skip
_LINKEDIN = re.compile(r"linkedin\.com/(in|pub)/([^/?#\s]+)", re.IGNORECASE)
_ANGLE = re.compile(r"<([^<>]*@[^<>]*)>")
_LABEL = re.compile(r"\[[^\[\]]*\]|\{[^{}]*\}")  # '[Recruiter]', '{VIP}'
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
CACHE = 65536  # repeated values (companies, first names, domains) are normalized once


def fold_accents(text: str) -> str:
    """'José Müller' -> 'Jose Muller' (for matching keys only; display keeps accents)."""
    if text.isascii():  # NFKD leaves ASCII as it is
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_mono_case(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and (
        all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters)
    )


PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ten",
    "ter", "dos", "das", "do", "zu", "af",
}  # fmt: skip


@lru_cache(maxsize=CACHE)
def recase(text: str, surname: bool = False) -> str:
    """Re-case an ALL-CAPS or all-lower-case name; leave mixed case as the person wrote it.

    Example: 'MARY O'BRIEN' -> "Mary O'Brien", 'ian mcdonald' -> 'Ian McDonald',
    'Anna van der Berg' stays as it is; a surname field 'VAN DER BERG' -> 'van der Berg'.
    """
    if not _is_mono_case(text):
        return text
    name = HumanName(text)
    name.capitalize(force=True)
    result = str(name)
    if surname:
        words = result.split(" ")
        result = " ".join(
            w.lower() if w.lower() in PARTICLES and i < len(words) - 1 else w
            for i, w in enumerate(words)
        )
    return result


@lru_cache(maxsize=CACHE)
def split_name(full: str) -> tuple[str, str, str]:
    """(full, first, last) from a single full-name field; honorifics and suffixes dropped.

    'Last, First' is understood: 'Doe, Jane' -> ('Jane Doe', 'Jane', 'Doe'). A label in
    square or curly brackets is not part of the name: '[Recruiter] Tom Hanks' -> Tom Hanks
    (the raw row keeps it); a field that is only a label ('[VIP]') holds no name.
    """
    full = _LABEL.sub(" ", full).strip()
    if not full:
        return "", "", ""
    name = HumanName(full)
    if _is_mono_case(full):
        name.capitalize(force=True)
    first = name.first
    last = name.last
    middle = name.middle
    display = " ".join(part for part in (first, middle, last) if part)
    return display or full.strip(), first, last


_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=CACHE)
def _valid_domain(domain: str) -> str | None:
    """The normalized domain when email-validator accepts it, else None."""
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


@lru_cache(maxsize=CACHE)
def normalize_email(value: str) -> tuple[str, str] | None:
    """(address as given, canonical key) or None when the syntax is invalid (no DNS).

    The key lower-cases the address and, for Gmail, drops dots and +tags:
    'Jane.Doe+fair@GMail.com' -> 'janedoe@gmail.com'. A display name is dropped:
    '"Doe, Jane" <jane@example.org>' -> 'jane@example.org'.
    """
    found = _ANGLE.search(value)
    value = (found.group(1) if found else value).strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = "".join(value.split())  # folding inside an address leaves spaces
    local, _, domain = value.rpartition("@")
    if _DOT_ATOM.match(local) and len(local) <= 64 and len(value) <= 254 and domain.isascii():
        # Fast path for plain addresses: email-validator judges each domain once.
        checked = _valid_domain(domain)
        if checked is None:
            return None
        address = f"{local}@{checked}"
    else:
        try:
            address = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            return None
    local, _, domain = address.rpartition("@")
    domain = domain.lower()
    key_local = local.lower()
    if domain in GMAIL_DOMAINS:
        key_local = key_local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return address, f"{key_local}@{domain}"


@lru_cache(maxsize=CACHE)
def company_key(company: str) -> str:
    """A matching key for a company: accents folded, punctuation and legal suffixes gone.

    'Acme, Inc.' -> 'acme'; 'Müller GmbH' -> 'muller'.
    """
    words = re.findall(r"[\w&]+", fold_accents(company).casefold())
    while words and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=CACHE)
def canonical_linkedin(value: str) -> str:
    """'https://www.LinkedIn.com/in/Jane-Doe/?x=1' -> 'linkedin.com/in/jane-doe'; else ''."""
    found = _LINKEDIN.search(value)
    return f"linkedin.com/in/{found.group(2).lower()}" if found else ""


COUNTRIES = {
    "united states": "US", "usa": "US", "united states of america": "US", "canada": "CA",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
    "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "espana": "ES",
    "italy": "IT", "italia": "IT", "netherlands": "NL", "nederland": "NL", "belgium": "BE",
    "switzerland": "CH", "schweiz": "CH", "austria": "AT", "osterreich": "AT",
    "ireland": "IE", "portugal": "PT", "sweden": "SE", "norway": "NO", "denmark": "DK",
    "finland": "FI", "poland": "PL", "india": "IN", "china": "CN", "japan": "JP",
    "australia": "AU", "new zealand": "NZ", "brazil": "BR", "mexico": "MX",
    "singapore": "SG", "south africa": "ZA",
}  # fmt: skip


@lru_cache(maxsize=CACHE)
def region_for(country: str) -> str:
    """A row's country column as a region code for phones: 'DE', 'Germany' -> 'DE'; else ''."""
    text = fold_accents(country).strip().lower()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return COUNTRIES.get(text, "")


def name_from_linkedin(profile: str) -> tuple[str, str, str]:
    """A guess from a profile URL: 'linkedin.com/in/jane-doe-4b2a1' -> 'Jane Doe'."""
    slug = profile.rsplit("/", 1)[-1]
    words = [w for w in slug.split("-") if w and not any(ch.isdigit() for ch in w)]
    return split_name(" ".join(words).lower()) if words else (slug, "", "")


def _name_from_email(values: list[str], address: str) -> tuple[str, str, str]:
    """A name when only an email is known: its display name, else the local part."""
    for value in values:
        found = _ANGLE.search(value)
        display = value[: found.start()].strip().strip('"').strip() if found else ""
        if display:
            return split_name(display)
    return address.split("@")[0], "", ""


def _text(values: dict[str, object], name: str) -> str:
    """RawRecord.text without the method call (normalize runs once per record)."""
    value = values.get(name)
    if not value:
        return ""
    if value.__class__ is str:
        return value.strip()  # type: ignore[union-attr]
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _many(values: dict[str, object], name: str) -> list[str]:
    value = values.get(name)
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def normalize(raw: RawRecord, region: str = "") -> Sighting | Rejected:
    """Turn one raw record into a sighting, or reject it with a reason."""
    if raw.problem:
        return Rejected(raw.record, raw.raw, raw.problem)
    flags: list[str] = []
    values = raw.values
    get = values.get  # readers give stripped strings for single-valued fields

    first = recase(_text(values, "first_name"))
    last = recase(_text(values, "last_name"), surname=True)
    full = _text(values, "full_name")
    if full and not (first or last):
        full, first, last = split_name(full)
    elif first or last:
        middle = recase(_text(values, "middle_name"))
        cjk = _CJK.search(first + last)  # family name first, no spaces
        full = "".join((last, first)) if cjk else " ".join(p for p in (first, middle, last) if p)
    else:
        full = recase(full)

    emails: list[str] = []
    keys: list[str] = []
    for value in _many(values, "emails"):
        result = normalize_email(value)
        if result is None:
            flags.append(f"email-invalid:{value}")
        elif result[1] not in keys:
            emails.append(result[0])
            keys.append(result[1])

    phones: list[str] = []
    country = get("country")
    region = (region_for(country) or region) if country else region  # type: ignore[arg-type]
    for value in _many(values, "phones"):
        e164 = normalize_phone(value, region)
        if e164 is None:
            damaged = excel_damage(value) == ""
            flags.append(f"{'phone-excel-damaged' if damaged else 'phone-unparsed'}:{value}")
            if value not in phones:
                phones.append(value)
        elif e164 not in phones:
            phones.append(e164)

    linkedin = canonical_linkedin(get("linkedin") or "")  # type: ignore[arg-type]
    if not (full or emails or phones or linkedin):
        return Rejected(raw.record, raw.raw, "no name, no email and no phone")
    if not full and emails:
        full, first, last = _name_from_email(_many(values, "emails"), emails[0])
    elif not full and not phones:
        full, first, last = name_from_linkedin(linkedin)
        flags.append(f"name-from-linkedin:{linkedin}")

    company = str(get("company") or "")
    return Sighting(
        record=raw.record,
        raw=raw.raw,
        full_name=full,
        first_name=first,
        last_name=last,
        emails=emails,
        email_keys=keys,
        phones=phones,
        company=company,
        company_key=company_key(company),
        title=str(get("title") or ""),
        linkedin=linkedin,
        notes=str(get("notes") or ""),
        rating=str(get("rating") or ""),
        captured_by=str(get("captured_by") or ""),
        captured_at=str(get("captured_at") or ""),
        lead=dict(raw.extra),
        flags=flags,
    )
