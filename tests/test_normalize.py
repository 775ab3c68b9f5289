import pytest

from contacts.normalize import (
    canonical_linkedin,
    company_key,
    normalize,
    normalize_email,
    normalize_phone,
    recase,
    split_name,
)
from contacts.records import RawRecord, Rejected, Sighting


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane.Doe+fair@GMail.com", ("Jane.Doe+fair@gmail.com", "janedoe@gmail.com")),
        ("j.doe@googlemail.com", ("j.doe@googlemail.com", "jdoe@gmail.com")),
        (
            "Bob.Smith+x@Contoso.example",
            ("Bob.Smith+x@contoso.example", "bob.smith+x@contoso.example"),
        ),
        ("<ann@example.org>", ("ann@example.org", "ann@example.org")),
        ("mailto:ann@example.org", ("ann@example.org", "ann@example.org")),
        ("not an email", None),
        ("a@b", None),
    ],
)
def test_normalize_email(value: str, expected: tuple[str, str] | None) -> None:
    assert normalize_email(value) == expected


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("(617) 555-0142", "US", "+16175550142"),
        ("+49 30 5550 1234", "US", "+493055501234"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("tel:+1-206-555-0117;ext=42", "", "+12065550117;ext=42"),
        ("+1 206 555 0117 x 7", "", "+12065550117;ext=7"),
        ("+1-800-FLOWERS", "", "+18003569377"),
        ("n/a", "US", None),
        ("030 1234567", "US", None),  # a German trunk 0: no US number starts with 0
        ("030 1234567", "DE", "+49301234567"),
        ("+1 055 555 0142", "", None),  # no US area code starts with 0
    ],
)
def test_normalize_phone(value: str, region: str, expected: str | None) -> None:
    assert normalize_phone(value, region) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MARY O'BRIEN", "Mary O'Brien"),
        ("ian mcdonald", "Ian McDonald"),
        ("Anna van der Berg", "Anna van der Berg"),
        ("José", "José"),
        ("JOSÉ", "José"),
    ],
)
def test_recase(value: str, expected: str) -> None:
    assert recase(value) == expected


def test_split_name_understands_last_comma_first_and_honorifics() -> None:
    assert split_name("Doe, Jane") == ("Jane Doe", "Jane", "Doe")
    assert split_name("Dr. Robert Smith Jr.") == ("Robert Smith", "Robert", "Smith")
    assert split_name("[Recruiter] Tom Hanks") == ("Tom Hanks", "Tom", "Hanks")
    assert split_name("Ann Lee {VIP}") == ("Ann Lee", "Ann", "Lee")
    assert split_name("[VIP]") == ("", "", "")  # only a label: the name comes from elsewhere


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme, Inc.", "acme"),
        ("Müller GmbH", "muller"),
        ("Northwind Analytics LLC", "northwind analytics"),
        ("", ""),
    ],
)
def test_company_key(value: str, expected: str) -> None:
    assert company_key(value) == expected


def test_canonical_linkedin() -> None:
    assert (
        canonical_linkedin("https://www.LinkedIn.com/in/Jane-Doe/?x=1")
        == "linkedin.com/in/jane-doe"
    )
    assert canonical_linkedin("https://example.com/jane") == ""


def test_normalize_builds_a_sighting_with_keys_and_flags() -> None:
    raw = RawRecord(
        record=3,
        raw={"Name": "JANE DOE"},
        values={
            "full_name": "JANE DOE",
            "emails": ["Jane.Doe@Gmail.com", "bad@"],
            "phones": ["617-555-0142", "call me"],
            "company": "Acme Inc.",
        },
    )
    item = normalize(raw, "US")
    assert isinstance(item, Sighting)
    assert (item.record, item.full_name, item.first_name, item.last_name) == (
        3,
        "Jane Doe",
        "Jane",
        "Doe",
    )
    assert item.emails == ["Jane.Doe@gmail.com"] and item.email_keys == ["janedoe@gmail.com"]
    assert item.phones == ["+16175550142", "call me"]
    assert item.company_key == "acme"
    assert item.flags == ["email-invalid:bad@", "phone-unparsed:call me"]


def test_normalize_rejects_a_record_with_nothing_to_identify_a_person() -> None:
    item = normalize(RawRecord(record=7, raw={"Notes": "x"}, values={"notes": "x"}))
    assert item == Rejected(7, {"Notes": "x"}, "no name, no email and no phone")


def test_name_falls_back_to_the_email_local_part() -> None:
    item = normalize(RawRecord(record=1, values={"emails": ["kim@example.org"]}))
    assert isinstance(item, Sighting) and item.full_name == "kim"
