"""vCard quirks not covered by the shared corpus, in tests/data/hard-cases.vcf."""

import io

from contacts.normalize import normalize
from contacts.records import Rejected, Sighting
from ingest.vcard import read_vcard
from tests.conftest import DATA


def _records():  # type: ignore[no-untyped-def]
    return list(read_vcard(io.BytesIO((DATA / "hard-cases.vcf").read_bytes()), "hard-cases.vcf"))


def test_every_card_of_a_hard_file_is_a_record() -> None:
    records = _records()
    assert [r.record for r in records] == [1, 2, 3, 4, 5, 6]
    assert all(r.problem is None for r in records)


def test_windows_1252_quoted_printable_with_outlook_continuation() -> None:
    first = _records()[0]
    assert first.values["full_name"] == "Jürgen Müller"
    assert first.values["company"] == "Bäckerei Groß GmbH"
    assert (first.values["first_name"], first.values["last_name"]) == ("Jürgen", "Müller")


def test_soft_break_inside_a_utf8_character_and_folding_with_a_tab() -> None:
    second = _records()[1]
    assert second.values["full_name"] == "José García"
    assert second.values["emails"] == ["jose.garcia@example.org"]
    assert second.values["phones"] == ["+34 612345 678"]


def test_name_falls_back_to_the_email_display_name() -> None:
    third = normalize(_records()[2])
    assert isinstance(third, Sighting)
    assert (third.full_name, third.first_name, third.last_name, third.emails) == (
        "Ann Lee", "Ann", "Lee", ["ann.lee@example.com"],
    )  # fmt: skip


def test_a_card_naming_nobody_is_rejected_and_the_rest_go_on() -> None:
    results = [normalize(r, "US") for r in _records()]
    fourth = results[3]
    assert isinstance(fourth, Rejected)
    assert fourth.reason == "no name, no email and no phone"
    assert fourth.raw["NOTE"] == "met at booth 12"
    assert [type(r).__name__ for r in results] == ["Sighting"] * 3 + ["Rejected"] + ["Sighting"] * 2


def test_last_comma_first_tel_uri_extension_groups_and_missing_version() -> None:
    fifth = normalize(_records()[4])
    assert isinstance(fifth, Sighting)
    assert (fifth.full_name, fifth.first_name, fifth.last_name) == (
        "Sean O'Brien", "Sean", "O'Brien",
    )  # fmt: skip
    assert fifth.phones == ["+16175550142;ext=7"]
    assert fifth.linkedin == "linkedin.com/in/sean-obrien"


def test_shift_jis_card_that_never_ends() -> None:
    sixth = normalize(_records()[5], "JP")
    assert isinstance(sixth, Sighting)
    assert (sixth.full_name, sixth.first_name, sixth.last_name) == ("山田花子", "花子", "山田")
    assert sixth.phones == ["+81312345678"]
