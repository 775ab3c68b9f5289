"""The real-world vCard corpus in ../shared/corpus/vcards/: every file is read, and what
is extracted matches its MANIFEST.md (name | emails | phones | first ORG unit | TITLE)."""

from __future__ import annotations

import io

import pytest

from contacts.normalize import normalize
from contacts.records import Rejected, Sighting
from ingest.sniff import sniff
from ingest.vcard import read_vcard
from tests.conftest import SHARED

CORPUS = SHARED / "corpus" / "vcards"
N = "Ñ"
JD_IBM = "john.doe@ibm.com"

# file -> one tuple per card: (name, emails, phones, company, title); None = absent.
EXPECTED: dict[str, list[tuple[str | None, list[str], list[str], str | None, str | None]]] = {
    "ezvcard__John_Doe_ANDROID.vcf": [
        (None, ["john.doe@company.com"], [], None, None),
        (None, ["jane.doe@company.com"], [], None, None),
        (" ".join([N] * 5), [], ["123456789"], None, None),
        (" ".join([N] * 11), [], ["123456", "234567", "3456789", "45678901"], None, None),
        (" ".join([N] * 4), ["bob@company.com", N * 14], ["123456"] * 3, N * 12, None),
        (N * 4, ["henry@company.com"], ["55556666"], N * 44, None),
    ],
    "ezvcard__John_Doe_BLACK_BERRY.vcf": [
        ("John Doe", [], ["+96123456789"], "Acme Solutions", None)
    ],
    "ezvcard__John_Doe_EVOLUTION.vcf": [
        (
            "Mr. John Richter, James Doe Sr.", [JD_IBM], ["905-666-1234", "905-555-1234"],
            "IBM", "Money Counter",
        )
    ],
    "ezvcard__John_Doe_GMAIL.vcf": [
        (
            "Mr. John Richter, James Doe Sr.", [JD_IBM], ["905-555-1234", "905-666-1234"],
            "IBM", "Money Counter",
        )
    ],
    "ezvcard__gmail-list.vcf": [
        ("Arnold Smith", ["asmithk@gmail.com"], [], None, None),
        ("Chris Beatle", ["chrisy55d@yahoo.com"], [], None, None),
        ("Doug White", ["dwhite@gmail.com"], [], None, None),
    ],
    "ezvcard__gmail-single.vcf": [
        (
            "Greg Dartmouth", ["gdartmouth@hotmail.com"], ["555 555 1111", "555 555 2222"],
            "TheCompany", "TheJobTitle",
        )
    ],
    "ezvcard__gmail-single2.vcf": [
        (
            "VCard Test",
            [f"{k}@example.com" for k in ("email", "homeemail", "workemail", "otheremail")]
            + ["customcategory@example.com"],
            [f"55555511{n}" for n in range(11, 22)], "TheCompany", "TheJobTitle",
        )
    ],
    "ezvcard__John_Doe_IPHONE.vcf": [
        (
            "Mr. John Richter James Doe Sr.", [JD_IBM],
            [f"905-{d}-1234" for d in ("555", "666", "777", "888", "999", "111", "222")],
            "IBM", "Money Counter",
        )
    ],
    "ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf": [
        (
            "Mr. John Richter,James Doe Sr.", [JD_IBM],
            [f"905-{d}-1234" for d in ("777", "666", "555", "888", "999", "111", "222")],
            "IBM", "Money Counter",
        )
    ],
    "ezvcard__John_Doe_LOTUS_NOTES.vcf": [
        (
            "Mr. Doe John I Johny", [JD_IBM, "billy_bob@gmail.com"],
            ["+1 (212) 204-34456", "00-1-212-555-7777"], "IBM", "Generic Accountant",
        )
    ],
    "ezvcard__John_Doe_MS_OUTLOOK.vcf": [
        (
            "Mr. John Richter James Doe Sr.", ["john.doe@ibm.cm"],
            ["(905) 555-1234", "(905) 666-1234"], "IBM", "Money Counter",
        )
    ],
    "ezvcard__outlook-2003.vcf": [
        (
            "John Doe III", ["jdoe@hotmail.com"],
            ["BusinessPhone", "HomePhone", "MobilePhone", "BusinessFaxPhone"],
            "Company, The", "The Job Title",
        )
    ],
    "ezvcard__outlook-2007.vcf": [
        (
            "Mr. Michael Angstadt Jr.", ["mike.angstadt@gmail.com"],
            ["(111) 555-1111", "(111) 555-2222", "(111) 555-4444", "(111) 555-3333"],
            "TheCompany", "TheJobTitle",
        )
    ],
    "ezvcard__thunderbird-MoreFunctionsForAddressBook-extension.vcf": [
        (
            "John Doe",
            ["doe.john@hotmail.com", "additional-email@company.com"]
            + [f"additional-email{n}@company.com" for n in (1, 2, 3)],
            ["555-555-1111", "555-555-2222", "555-555-5555", "555-555-3333", "555-555-4444"],
            "TheOrganization", "TheTitle",
        )
    ],
    "ezvcard__fullcontact.vcf": [
        (
            "Prefix FirstName MiddleName LastName Suffix",
            [f"{k}@example.com" for k in ("home", "work", "school", "other", "custom")],
            [f"555-555-111{n}" for n in range(1, 10)], "Organization1", "Title1",
        )
    ],
    "ezvcard__issue114.vcf": [
        (
            "Dummy, Dummy", ["dummy.dummy@dummy.com"], ["+49 1234 56789", "+49 9876 54321"],
            "Dummy GmbH", None,
        )
    ],
    "ezvcard__rfc2426-example.vcf": [
        (
            "Frank Dawson", ["Frank_Dawson@Lotus.com", "fdawson@earthlink.net"],
            ["+1-919-676-9515", "+1-919-676-9564"], "Lotus Development Corporation", None,
        ),
        (
            "Tim Howes", ["howes@netscape.com"], ["+1-415-937-3419", "+1-415-528-4164"],
            "Netscape Communications Corp.", None,
        ),
    ],
    "ezvcard__rfc6350-example.vcf": [
        (
            "Simon Perreault", ["simon.perreault@viagenie.ca"],
            ["tel:+1-418-656-9254;ext=102", "tel:+1-418-262-6501"], "Viagenie", None,
        )
    ],
    "aosp__v21_japanese_1.vcf": [("安藤ロイド", [], ["0300000000"], None, None)],
    "aosp__v21_japanese_2.vcf": [("安藤 ロイド 1", [], [], None, None)],
    "aosp__v21_japanese_3.vcf": [("伊能 圭一 伊予", [], [], None, None)],
    "aosp__v30_japanese.vcf": [("伊能 圭一 伊予", [], [], None, None)],
    "aosp__v21_multiple_entry.vcf": [
        (f"安藤ロイド{n}", [], [str(t) for t in range(4 * n - 3, 4 * n + 1)], None, None)
        for n in (3, 4, 5)
    ],
    "aosp__v21_backslash.vcf": [("A;B\\C;D:E\\", [], [], None, None)],
    "aosp__v21_adr_multiple_line.vcf": [("bogus", [], [], None, None)],
    "aosp__v21_complicated.vcf": [
        (
            "Joe Due", ["forrestgump@walladalla.com", "cell@example.com"],
            ["(111) 555-1212", "(404) 555-1212", "0311111111", "0322222222", "0333333333"],
            "Gump Shrimp Co.", "Shrimp Man",
        )
    ],
    "aosp__v21_pref_handling.vcf": [
        ("Smith", ["test@example.com", "test2@examination.com"], ["1", "2", "3"], "Company",
         "Engineer")
    ],  # fmt: skip
    "aosp__v21_invalid_comment_line.vcf": [("Conference Call", [], [], None, None)],
    "aosp__v21_invalid_multiple_line.vcf": [
        ("Omega", ['"Omega" <omega@example.com>'], [], None, None)
    ],
    "aosp__v21_nest.vcf": [
        ("parent", [], ["1"], None, None),
        ("nest1", [], [], None, None),
        ("nest2", [], [], None, None),
    ],
    "aosp__v21_winmo_65.vcf": [("Example", [], [], None, None)],
    "aosp__v21_x_param.vcf": [
        ("Roid Ando", ["email@example.com", "email2@example.com"], ["1", "2"], None, None)
    ],
    "aosp__v21_android_custom_prop.vcf": [(None, [], [], None, None)],
    "aosp__v21_im.vcf": [(None, [], [], None, None)],
    "aosp__v21_malformed_photo.vcf": [("fullname", [], [], None, None)],
    "aosp__v21_base64_no_2_crlf.vcf": [("fullname", [], [], None, None)],
    "aosp__v30_comma_separated.vcf": [("G M F", [], ["1"], None, None)],
    "aosp__v30_multibyte_param.vcf": [("G M F", [], ["1"], None, None)],
    "aosp__v30_ios_613_multiline.vcf": [
        ("Bob Smith", ["bob@smithauto.com"], ["(650) 555-1212"], "Smith Auto Repair", None)
    ],
    "aosp__v30_pause_wait.vcf": [("Pause Wait", [], ["p1234p5678w9"], None, None)],
    "aosp__v30_simple.vcf": [("And Roid", [], ["0300000000"], "Open", None)],
    "aosp__v40_sort_as.vcf": [("安藤 ロイド", [], [], "グーグル", None)],
    "davx5-vcard4android__allfields-vcard3.vcf": [
        (
            "Ämi Display", ["private@example.com", "work@example.com"],
            ["+49 1234 56788", "+1-800-MYFAX"], "ABC, Inc.",
            "Director, Research and Development",
        )
    ],
    "davx5-vcard4android__strange-rev.vcf": [
        ("Name Name", [], ["+49000000", "+49000000"], None, None)
    ],
    "davx5-vcard4android__vcard4.vcf": [("VCard 4 Test", [], [], None, None)],
    "davx5-vcard4android__unknown-properties-with-labels.vcf": [
        ("Unknown property with label", [], [], None, None)
    ],
    "jeroendesloovere__contacts.vcf": [
        ("Thies-Tillman Jacobsen", [], [], None, None),
        ("Lenn Biernoth", ["lenn@lbi.net"], [], None, "Strassenreiniger"),
        ("Ludwig-Götz Graßl", ["ludwig-goetz@ludwig-goetz-grassl.org"], [], None, "Rentner"),
        ("Marita Kreutzer", [], [], None, "Rentnerin"),
        ("Kathi Hoelzl", ["kathi.hoelzl@alhilal.net"], [], None, None),
    ],
    "jeroendesloovere__example.vcf": [("Jeroen Desloovere", ["site@example.com"], [], None, None)],
    "jeroendesloovere__invalid_encoding.vcf": [
        ("Jeroen Desloovere", ["site@example.com"], [], None, None)
    ],
}  # fmt: skip

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


def _read(name: str):  # type: ignore[no-untyped-def]
    data = (CORPUS / name).read_bytes()
    assert sniff(data, name) == "vcard"
    return list(read_vcard(io.BytesIO(data), name))


@needs_corpus
def test_every_corpus_file_is_in_the_expectations() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.vcf")) == sorted(EXPECTED)
    assert len(EXPECTED) == 49


@needs_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_extraction_matches_the_manifest(name: str) -> None:
    records = _read(name)
    got = [
        (
            r.values.get("full_name"), r.values["emails"], r.values["phones"],
            r.values.get("company"), r.values.get("title"),
        )
        for r in records
    ]  # fmt: skip
    assert got == EXPECTED[name]
    assert [r.record for r in records] == list(range(1, len(records) + 1))
    assert all(r.problem is None for r in records)


@needs_corpus
def test_corpus_details_the_manifest_calls_out() -> None:
    (comment,) = _read("aosp__v21_invalid_comment_line.vcf")
    assert comment.values["notes"] == (
        "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."
    )
    (labels,) = _read("davx5-vcard4android__unknown-properties-with-labels.vcf")
    assert labels.extra == {"TestLabel": "TestValue"}
    (issue114,) = _read("ezvcard__issue114.vcf")
    assert (issue114.values["first_name"], issue114.values["last_name"]) == ("Dummy", "Dummy")
    (backslash,) = _read("aosp__v21_backslash.vcf")
    assert (backslash.values["first_name"], backslash.values["middle_name"]) == ("A;B\\", "C\\;")


@needs_corpus
def test_corpus_normalizes_with_fallbacks_flags_and_quarantine() -> None:
    android = [normalize(r, "US") for r in _read("ezvcard__John_Doe_ANDROID.vcf")]
    assert isinstance(android[0], Sighting) and android[0].full_name == "john.doe"
    fifth = android[4]
    assert isinstance(fifth, Sighting)
    assert fifth.emails == ["bob@company.com"]
    assert f"email-invalid:{N * 14}" in fifth.flags
    (omega,) = [normalize(r) for r in _read("aosp__v21_invalid_multiple_line.vcf")]
    assert isinstance(omega, Sighting) and omega.emails == ["omega@example.com"]
    (rfc,) = [normalize(r) for r in _read("ezvcard__rfc6350-example.vcf")]
    assert isinstance(rfc, Sighting)
    assert rfc.phones == ["+14186569254;ext=102", "+14182626501"]
    (outlook,) = [normalize(r, "US") for r in _read("ezvcard__outlook-2003.vcf")]
    assert isinstance(outlook, Sighting)
    assert outlook.flags == [
        "phone-unparsed:BusinessPhone", "phone-unparsed:HomePhone",
        "phone-unparsed:MobilePhone", "phone-unparsed:BusinessFaxPhone",
    ]  # fmt: skip
    for name in ("aosp__v21_im.vcf", "aosp__v21_android_custom_prop.vcf"):
        (nobody,) = [normalize(r) for r in _read(name)]
        assert isinstance(nobody, Rejected)
        assert nobody.reason == "no name, no email and no phone"
