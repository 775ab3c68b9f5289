"""Phone numbers in the Google / Outlook CSV layouts are written without the formula
guard (the importers would keep the apostrophe); anything else that could start a formula
still gets it."""

from __future__ import annotations

import pytest

from contacts.export_layouts import is_phone, layout_csv, safe_cell


@pytest.mark.parametrize(
    "phone",
    [
        "+16175550142",
        "+1 (617) 555-0142",
        "(617) 555-0142",
        "+44 20 7946 0958",
        "+49-30-1234567",
        "+12065550199 ::: +12065550117",  # Google's several values in one cell
    ],
)
def test_a_bare_phone_number_is_written_as_is(phone: str) -> None:
    assert is_phone(phone) and safe_cell(phone) == phone


@pytest.mark.parametrize(
    "value",
    [
        "+1+cmd|' /C calc'!A0",
        "+1234567 =A1",
        "-2+3+cmd|' /C notepad'!'B1'",
        "+SUM(A1:A9)",
        "=1234567",
        "@1234567",
        "+1",  # too few digits to be a phone number: guarded as before
        "-1234567",  # a negative number, not a phone number
        "+1 617 555 0142 ext. 7",
        "+12065550199 ::: =cmd",
    ],
)
def test_everything_else_that_starts_a_formula_is_still_guarded(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_google_and_outlook_rows_carry_the_plain_number() -> None:
    row = {
        "id": 1,
        "first_name": "Ann",
        "last_name": "Lee",
        "full_name": "Ann Lee",
        "company": "+cmd|' /C calc'!A0",
        "title": "",
        "emails": ["ann@example.com"],
        "phones": ["+16175550142", "+12065550117"],
        "linkedin": "",
        "tags": [],
        "events": ["Fair"],
    }
    google = layout_csv([row], "google")
    assert ",Mobile,+16175550142 ::: +12065550117," in google
    outlook = layout_csv([row], "outlook")
    assert ",+16175550142," in outlook and ",+12065550117," in outlook
    for text in (google, outlook):
        assert "'+1" not in text
        assert "'+cmd|' /C calc'!A0" in text
