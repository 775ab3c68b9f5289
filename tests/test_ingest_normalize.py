"""Normalization added for real exports: Excel-damaged phones, country columns, keys."""

import pytest

from contacts.normalize import company_key, excel_damage, normalize, normalize_phone, region_for
from contacts.records import RawRecord, Sighting


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("4.42079460018E+11", "GB", "+442079460018"),  # every digit kept: recovered
        ("4.41E+11", "GB", None),  # digits rounded away: cannot be recovered
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
