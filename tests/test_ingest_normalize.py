"""Normalization added for real exports: Excel-damaged phones, country columns, keys."""

import pytest

from contacts.normalize import company_key, excel_damage, normalize, normalize_phone, region_for
from contacts.records import RawRecord, Sighting


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("4.42079460018E+11", "GB", "+442079460018"),  # every digit kept: recovered
        ("4.41E+11", "GB", None),  # digits rounded away: cannot be recovered
        ("4,42079460018E+11", "GB", "+442079460018"),  # a European Excel's decimal comma
        ("4,42079460018E+11", "", "+442079460018"),
        ("4,41E+11", "GB", None),
        ("447911123456", "GB", "+447911123456"),  # lost '+'
        ("4915112345678", "DE", "+4915112345678"),  # lost '+', country code matches
        ("7911123456", "GB", "+447911123456"),  # lost trunk '0'
        ("3456789", "US", None),  # local-only number: no E.164 without an area code
        ("+1 617 555 0142 ext. 12", "", "+16175550142;ext=12"),
    ],
)
def test_phones_repaired_only_when_certain(value: str, region: str, expected: str | None) -> None:
    assert normalize_phone(value, region) == expected


def test_excel_damage() -> None:
    assert excel_damage("4.41E+11") == ""
    assert excel_damage("1.2345E+4") == "12345"
    assert excel_damage("4,41E+11") == ""
    # one digit short: the last digit is not known (a 0, or rounded away): never invented
    assert excel_damage("4,91511234567E+12") == ""
    assert excel_damage("4.4207946001E+11") == ""
    assert excel_damage("4,42079460018E+11") == "442079460018"
    assert excel_damage("+44 20") is None


def test_damaged_and_unparseable_phones_are_kept_raw_and_flagged() -> None:
    item = normalize(
        RawRecord(record=1, values={"full_name": "Ann Lee", "phones": ["4.41E+11", "ask desk"]}),
        "GB",
    )
    assert isinstance(item, Sighting)
    assert item.phones == ["4.41E+11", "ask desk"]
    assert item.flags == ["phone-excel-damaged:4.41E+11", "phone-unparsed:ask desk"]


def test_row_country_wins_over_the_event_region() -> None:
    assert (region_for("DE"), region_for("Germany"), region_for("Österreich")) == ("DE", "DE", "AT")
    assert region_for("Atlantis") == ""
    item = normalize(
        RawRecord(
            record=1,
            values={"full_name": "Jan Novak", "phones": ["030 1234567"], "country": "Germany"},
        ),
        "US",
    )
    assert isinstance(item, Sighting) and item.phones == ["+49301234567"]


def test_company_key_keeps_sharp_s_and_diacritics_folded() -> None:
    assert company_key("Bäckerei Groß GmbH") == "backerei gross"
    assert company_key("ACME Ltd.") == "acme"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"full_name": "DR. MARY O'BRIEN PHD"}, ("Mary O'Brien", "Mary", "O'Brien")),
        (
            {"first_name": "ANNA", "last_name": "VAN DER BERG"},
            ("Anna van der Berg", "Anna", "van der Berg"),
        ),
        ({"first_name": "ian", "last_name": "mcdonald"}, ("Ian McDonald", "Ian", "McDonald")),
        ({"full_name": "Müller, Jürgen"}, ("Jürgen Müller", "Jürgen", "Müller")),
    ],
)
def test_names_recased_and_split(fields: dict[str, object], expected: tuple[str, str, str]) -> None:
    item = normalize(RawRecord(record=1, values=fields))
    assert isinstance(item, Sighting)
    assert (item.full_name, item.first_name, item.last_name) == expected


PHONE_SHAPES = [
    ("+44 20 7946 0018", ""), ("+1 (617) 555-0142", ""), ("+49 30 1234567", "US"),
    ("(617) 555-0142", "US"), ("1-617-555-0142", "US"), ("020 7946 0018", "GB"),
    ("07911 123456", "GB"), ("030 1234567", "DE"), ("01 23 45 67 89", "FR"),
    ("+33 1 23 45 67 89", ""), ("0612345678", "NL"), ("+81 3-1234-5678", ""),
    ("03-1234-5678", "JP"), ("+39 06 1234 5678", ""), ("(11) 91234-5678", "BR"),
    ("+61 2 9876 5432", ""), ("02 9876 5432", "AU"), ("555-0142", "US"), ("+999 1234", ""),
]  # fmt: skip


@pytest.mark.parametrize(("value", "region"), PHONE_SHAPES)
def test_phone_fast_path_agrees_with_phonenumbers(value: str, region: str) -> None:
    import phonenumbers

    from contacts.phones import fast_e164

    fast = fast_e164(value, region)
    try:
        number = phonenumbers.parse(value, region or None)
        possible = phonenumbers.is_possible_number_with_reason(number) == 0
        slow = phonenumbers.format_number(number, 0) if possible else None
    except phonenumbers.NumberParseException:
        slow = None
    assert fast is None or fast == slow  # the fast path never disagrees, it may defer


@pytest.mark.parametrize(
    "value",
    [
        "Jane.Doe@Example.COM", "a..b@example.com", ".a@example.com", "a@localhost",
        "o'brien@example.ie", "x@sub.domain.example.org", "name@domain", "ü@example.com",
        "a@b.invalid", "first+tag@gmail.com",
    ],
)  # fmt: skip
def test_email_fast_path_agrees_with_email_validator(value: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from contacts.normalize import normalize_email

    try:
        expected: str | None = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    result = normalize_email(value)
    assert (result[0] if result else None) == expected
