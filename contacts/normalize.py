"""Normalization shared by every reader: names, emails, phones, companies, LinkedIn URLs.

`normalize(raw, region)` turns a `RawRecord` into a `Sighting`, or a `Rejected` with a
reason when nothing identifies a person (no name, no email and no phone).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from nameparser import HumanName

from contacts.records import RawRecord, Rejected, Sighting

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
LEGAL_SUFFIXES = {
    "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "sarl", "bv",
    "nv", "plc", "corp", "corporation", "co", "company", "pty", "oy", "ab", "as", "srl",
    "spa", "kg", "se", "lp", "llp", "pllc", "kk", "pte",
}  # fmt: skip
_LINKEDIN = re.compile(r"linkedin\.com/(in|pub)/([^/?#\s]+)", re.IGNORECASE)


def fold_accents(text: str) -> str:
    """'José Müller' -> 'Jose Muller' (for matching keys only; display keeps accents)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_mono_case(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and (
        all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters)
    )


def recase(text: str) -> str:
    """Re-case an ALL-CAPS or all-lower-case name; leave mixed case as the person wrote it.

    Example: 'MARY O'BRIEN' -> "Mary O'Brien", 'ian mcdonald' -> 'Ian McDonald',
    'Anna van der Berg' stays as it is.
    """
    if not _is_mono_case(text):
        return text
    name = HumanName(text)
    name.capitalize(force=True)
    return str(name)


def split_name(full: str) -> tuple[str, str, str]:
    """(full, first, last) from a single full-name field; honorifics and suffixes dropped.

    'Last, First' is understood: 'Doe, Jane' -> ('Jane Doe', 'Jane', 'Doe').
    """
    name = HumanName(full)
    if _is_mono_case(full):
        name.capitalize(force=True)
    first = name.first
    last = name.last
    middle = name.middle
    display = " ".join(part for part in (first, middle, last) if part)
    return display or full.strip(), first, last


def normalize_email(value: str) -> tuple[str, str] | None:
    """(address as given, canonical key) or None when the syntax is invalid.

    The key lower-cases the address and, for Gmail, drops dots and +tags:
    'Jane.Doe+fair@GMail.com' -> 'janedoe@gmail.com'.
    """
    value = value.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    try:
        valid = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    address = valid.normalized
    local, _, domain = address.rpartition("@")
    domain = domain.lower()
    key_local = local.lower()
    if domain in GMAIL_DOMAINS:
        key_local = key_local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return address, f"{key_local}@{domain}"


def normalize_phone(value: str, region: str = "") -> str | None:
    """E.164 (with ';ext=N' when there is an extension), or None when unparseable."""
    cleaned = value.strip()
    if cleaned.lower().startswith("tel:"):
        cleaned = cleaned[4:]
    try:
        number = phonenumbers.parse(cleaned, region.upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def company_key(company: str) -> str:
    """A matching key for a company: accents folded, punctuation and legal suffixes gone.

    'Acme, Inc.' -> 'acme'; 'Müller GmbH' -> 'muller'.
    """
    words = re.findall(r"[a-z0-9&]+", fold_accents(company).lower())
    while words and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def canonical_linkedin(value: str) -> str:
    """'https://www.LinkedIn.com/in/Jane-Doe/?x=1' -> 'linkedin.com/in/jane-doe'; else ''."""
    found = _LINKEDIN.search(value)
    return f"linkedin.com/in/{found.group(2).lower()}" if found else ""


def normalize(raw: RawRecord, region: str = "") -> Sighting | Rejected:
    """Turn one raw record into a sighting, or reject it with a reason."""
    if raw.problem:
        return Rejected(raw.record, raw.raw, raw.problem)
    flags: list[str] = []

    first = recase(raw.text("first_name"))
    last = recase(raw.text("last_name"))
    full = raw.text("full_name")
    if full and not (first or last):
        full, first, last = split_name(full)
    elif first or last:
        full = " ".join(p for p in (first, recase(raw.text("middle_name")), last) if p)
    else:
        full = recase(full)

    emails: list[str] = []
    keys: list[str] = []
    for value in raw.many("emails"):
        result = normalize_email(value)
        if result is None:
            flags.append(f"email-invalid:{value}")
        elif result[1] not in keys:
            emails.append(result[0])
            keys.append(result[1])

    phones: list[str] = []
    region = raw.text("country") if len(raw.text("country")) == 2 else region
    for value in raw.many("phones"):
        e164 = normalize_phone(value, region)
        if e164 is None:
            flags.append(f"phone-unparsed:{value}")
            if value not in phones:
                phones.append(value)
        elif e164 not in phones:
            phones.append(e164)

    if not (full or emails or phones):
        return Rejected(raw.record, raw.raw, "no name, no email and no phone")
    if not full and emails:
        full = emails[0].split("@")[0]

    company = raw.text("company")
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
        title=raw.text("title"),
        linkedin=canonical_linkedin(raw.text("linkedin")),
        notes=raw.text("notes"),
        rating=raw.text("rating"),
        captured_by=raw.text("captured_by"),
        captured_at=raw.text("captured_at"),
        lead=dict(raw.extra),
        flags=flags,
    )
