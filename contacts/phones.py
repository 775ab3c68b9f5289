"""Phone numbers to E.164 with phonenumbers, a fast path for the common shapes, and
repairs for what Excel does to phone columns.

`normalize_phone` is called once per phone of every record, so the common shapes
('+44 20 7946 0018', '(617) 555-0142', '030 1234567' with a region) are formatted
straight from phonenumbers' metadata (country codes, national prefix, possible lengths);
anything else (extensions, letters, odd prefixes, impossible lengths) goes through
`phonenumbers.parse`. `tests/test_ingest_normalize.py` checks both give the same answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

CACHE = 65536
_EXCEL = re.compile(r"^(\d)(?:[.,](\d+))?[eE]\+?(\d+)$")  # ',': a European Excel
_SEPARATORS = str.maketrans("", "", " -().\u00a0/")


def excel_damage(value: str) -> str | None:
    """Digits of a phone Excel wrote as a number ('4.42079460018E+11' -> '442079460018').

    A European Excel writes the decimal comma: '4,42079460018E+11' is the same number.

    Returns None when the value is not in scientific notation, or '' when any digit is
    implied rather than written ('4.41E+11', and '4.4207946001E+11': its last digit may
    have been a 0 or have been rounded away), so the number cannot be recovered for sure.
    """
    found = _EXCEL.match(value.strip())
    if not found:
        return None
    lead, fraction, exponent = found.group(1), found.group(2) or "", int(found.group(3))
    if len(fraction) < exponent:
        return ""  # a trailing digit is not written: it may have been rounded away
    return (lead + fraction)[: exponent + 1].ljust(exponent + 1, "0")


@lru_cache(maxsize=512)
def _metadata(region: str) -> PhoneMetadata | None:
    return PhoneMetadata.metadata_for_region(region.upper())


@lru_cache(maxsize=512)
def _general_pattern(region: str) -> re.Pattern[str] | None:
    meta = _metadata(region)
    pattern = meta.general_desc.national_number_pattern if meta and meta.general_desc else None
    return re.compile(pattern) if pattern else None


def _plausible(national: str, region: str) -> bool:
    """True when a national number fits the region's numbering plan as a whole (a US number
    never starts with 0 or 1). Coarser than `is_valid_number`, which would refuse numbers
    in ranges its metadata does not list yet; finer than a length check."""
    pattern = _general_pattern(region)
    return pattern is None or pattern.fullmatch(national) is not None


def fast_e164(value: str, region: str = "") -> str | None:
    """E.164 for plain numbers from metadata alone, or None to let phonenumbers decide."""
    text = value.translate(_SEPARATORS)
    intl = text.startswith("+")
    digits = text[1:] if intl else text
    if not digits.isascii() or not digits.isdigit():
        return None
    if intl:
        for size in (1, 2, 3):
            code = int(digits[:size])
            if code in COUNTRY_CODE_TO_REGION_CODE:
                break
        else:
            return None
        meta = _metadata(COUNTRY_CODE_TO_REGION_CODE[code][0])
        national = digits[size:]
        if meta is None or national.startswith("0"):
            return None
    else:
        meta = _metadata(region) if region else None
        prefix = meta.national_prefix if meta else None
        if meta is None or (meta.national_prefix_for_parsing or prefix) != prefix:
            return None  # a national prefix rule that needs the full parser
        national = digits
        if prefix and national.startswith(prefix):
            national = national[len(prefix) :]
        code = meta.country_code or 0
    if meta.general_desc is None or len(national) not in meta.general_desc.possible_length:
        return None
    if not _plausible(national, meta.id):
        return None
    return f"+{code}{national}"


def _parse(value: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(value, region.upper() or None)
    except phonenumbers.NumberParseException:
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    national = phonenumbers.national_significant_number(number)
    home = phonenumbers.region_code_for_country_code(number.country_code or 0)
    if not _plausible(national, home):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def _valid_region(value: str, region: str) -> str:
    """The region of a valid number, or ''."""
    try:
        number = phonenumbers.parse(value, region.upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.region_code_for_number(number) or ""


def _lost_plus(digits: str, region: str) -> bool:
    """'4915112345678' with region DE: the region's country code, then a valid number."""
    meta = _metadata(region)
    return (
        meta is not None
        and len(digits) >= 10
        and digits.startswith(str(meta.country_code))
        and _valid_region("+" + digits, region) == region.upper()
    )


@lru_cache(maxsize=CACHE)
def normalize_phone(value: str, region: str = "") -> str | None:
    """E.164 (with ';ext=N' when there is an extension), or None when unparseable.

    Numbers Excel damaged are repaired when that is certain: scientific notation with
    every digit kept, and a lost leading '+' (digits that only parse as international)
    or a lost trunk '0' (digits that only parse with it).
    """
    cleaned = value.strip()
    if cleaned.lower().startswith("tel:"):
        cleaned = cleaned[4:]
    digits = excel_damage(cleaned)
    if digits == "":
        return None
    if digits:
        cleaned = digits
    if cleaned.isdigit() and region and _lost_plus(cleaned, region):
        return _parse("+" + cleaned, region)
    parsed = fast_e164(cleaned, region) or _parse(cleaned, region)
    if parsed or not cleaned.isdigit():
        return parsed
    for candidate in ("+" + cleaned, "0" + cleaned):  # Excel dropped a leading + or 0
        repaired = _parse(candidate, region)
        if repaired and _valid_region(candidate, region):
            return repaired
    return None
