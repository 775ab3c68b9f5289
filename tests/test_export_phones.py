"""Phone numbers in the Google / Outlook CSV layouts are written without the formula
guard (the importers would keep the apostrophe); anything else that could start a formula
still gets it."""

from __future__ import annotations

import pytest

from contacts.export_layouts import is_phone, layout_csv, safe_cell


@pytest.mark.parametrize(
    "phone",
    ["+16175550142", "+1 (617) 555-0142", "(617) 555-0142", "+44 20 7946 0958", "+49-30-1234567"],
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
        "phones": ["+16175550142"],
        "linkedin": "",
        "tags": [],
        "events": ["Fair"],
    }
    for layout in ("google", "outlook"):
        text = layout_csv([row], layout)
        assert ",+16175550142," in text or text.rstrip().endswith(",+16175550142")
        assert "'+16175550142" not in text
        assert "'+cmd|' /C calc'!A0" in text
