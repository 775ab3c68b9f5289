"""CSV/XLSX exports people bring home, one committed fixture per layout in tests/data/.

Each case reads the file, normalizes every record with the event's region, and checks
what a person would see: name, emails, phones, company, title (or the quarantine reason).
"""

from __future__ import annotations

import pytest

from contacts.errors import InputError
from contacts.normalize import normalize
from contacts.records import RawRecord, Rejected
from ingest.pipeline import read_records
from tests.conftest import DATA

Row = tuple[str, list[str], list[str], str, str]
NO_ONE = "no name, no email and no phone"

CASES: dict[str, tuple[str, str, list[Row | str]]] = {
    "google-contacts.csv": ("csv", "US", [
        ("Aiko Tanaka", ["aiko.tanaka@kumo.example", "aiko@home.example"],
         ["+819012345678", "+81312345678"], "Kumo Robotics K.K.", "Head of Talent"),
        ("Daniel McDonald", ["dan.mcdonald@gmail.com", "daniel@fjord.example"],
         ["+447911123456", "4.41E+11"], "Fjord Data AS", "Data Engineer"),
        NO_ONE,
    ]),
    "google-legacy.csv": ("csv", "FR", [
        ("Sofia Rossi", ["sofia.rossi@lumen.example"], ["+393471234567"], "Lumen S.r.l.",
         "Recruiter"),
        ("Jean Dupont", ["jean.dupont@orange.example"], ["+33123456789"], "", ""),
    ]),
    "outlook-unicode.csv": ("csv", "FR", [
        ("Chloé Dubois", ["chloe.dubois@atelier.example", "chloe@perso.example"],
         ["+33142685300", "+33612345678"], "Atelier Lumière SARL", "Talent Partner"),
        ("Seán Ó Briain", ["sean.obriain@example.ie"], [], "", ""),
    ]),
    "outlook-unicode-be.csv": ("csv", "", [
        ("Maja Nowak", ["maja.nowak@example.pl"], ["+48512345678"], "", ""),
    ]),
    "thunderbird-1252.csv": ("csv", "DE", [
        ("Jürgen Groß", ["j.gross@werk.example", "juergen@privat.example"],
         ["+49301234567", "+4915123456789"], "Werk AG", "Einkäufer"),
        ("René", ["rene@example.fr"], [], "", ""),
    ]),
    "eventbrite-attendees.csv": ("csv", "US", [
        ("Priya Sharma", ["priya.sharma@uni.example"], ["+16175550101"], "State University",
         "Student"),
        "skipped: attendee status is 'Refunded' (refunded or cancelled ticket)",
        ("Lena Fischer", ["lena.fischer@firma.example"], ["+4915123456789"], "Firma GmbH", "CTO"),
        ("Omar Haddad", ["omar.haddad@firma.example"], [], "Firma GmbH", "Engineer"),
    ]),
    "cvent-leads.csv": ("csv", "US", [
        ("Ana Lima", ["ana.lima@example.br"], ["+551134567890"], "Cia Ltda", "Analyst"),
        ("Kim Lee", [], ["+16175550199"], "", ""),
    ]),
    "swapcard-leads.tsv": ("csv", "US", [
        ("Lukas Meier", ["lukas.meier@alpen.example"], ["+41446681800"], "Alpen Tech AG", "CTO"),
        ("Emma van der Berg", ["emma@polder.example"], ["+31201234567"], "Polder BV",
         "Recruiter"),
    ]),
    "talque-leads.psv": ("csv", "", [
        ("Nora Hansen", ["nora.hansen@example.no"], [], "Fjell ASA", "Founder"),
    ]),
    "handshake-candidates.csv": ("csv", "US", [
        ("Jamie O'Neil", ["jamie.oneil@college.example"], [], "State College", ""),
    ]),
    "Connections.csv": ("csv", "", [
        ("Grace Hopper", [], [], "Navy Labs", "Rear Admiral,\nretired"),
        ("Alan Turing", ["alan@bletchley.example"], [], "Bletchley Park", "Cryptanalyst"),
    ]),
    "leads.xlsx": ("xlsx", "GB", [
        ("Amara Nwosu", ["amara.nwosu@example.ng"], ["+447911123456"], "Lagos Labs Ltd",
         "Researcher"),
        ("Pat O'Brien", ["pat.obrien@example.ie"], [], "Emerald Inc.", ""),
    ]),
}  # fmt: skip


def _read(name: str) -> tuple[str, list[RawRecord]]:
    fmt, records = read_records((DATA / name).read_bytes(), name)
    return fmt, list(records)


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_layouts_read_and_normalize(name: str) -> None:
    fmt, region, expected = CASES[name]
    got_fmt, records = _read(name)
    got: list[Row | str] = []
    for raw in records:
        item = normalize(raw, region)
        if isinstance(item, Rejected):
            got.append(item.reason)
        else:
            got.append((item.full_name, item.emails, item.phones, item.company, item.title))
    assert got_fmt == fmt
    assert got == expected
    assert [r.record for r in records] == list(range(1, len(expected) + 1))


def test_google_multi_values_flags_and_linkedin_from_a_website_column() -> None:
    _, records = _read("google-contacts.csv")
    aiko = normalize(records[0], "US")
    assert not isinstance(aiko, Rejected)
    assert aiko.linkedin == "linkedin.com/in/aiko-tanaka-88"
    assert aiko.notes == "Met at booth 14\r\nwants the grad deck"
    assert aiko.lead == {}  # labels and types are noise, not lead metadata
    daniel = normalize(records[1], "US")
    assert not isinstance(daniel, Rejected)
    assert daniel.flags == ["phone-excel-damaged:4.41E+11"]


def test_lead_export_keeps_custom_questions_and_lead_fields() -> None:
    _, records = _read("cvent-leads.csv")
    ana = normalize(records[0])
    assert not isinstance(ana, Rejected)
    assert (ana.rating, ana.captured_by, ana.captured_at) == ("Hot", "Dana Lee", "2026-03-12 10:04")
    assert ana.notes == 'asked about "remote" roles; send deck'
    assert ana.lead == {"Interested in": "Data", "Graduation year": "2026"}
    assert records[0].values["badge_id"] == "R-1001"


def test_outlook_title_is_the_honorific_and_row_country_sets_the_region() -> None:
    _, records = _read("outlook-unicode.csv")
    assert records[0].values["prefix"] == "Ms."
    assert records[0].extra == {"Department": "RH"}
    _, swiss = _read("swapcard-leads.tsv")
    assert swiss[0].values["country"] == "Switzerland"


def test_a_row_with_more_cells_than_headers_loses_nothing() -> None:
    data = b"Name,Email\nAnn Lee,ann@lee.example,extra cell\n,\nBo Ek,bo@ek.example\n"
    _, records = read_records(data, "odd.csv")
    rows = list(records)
    assert [r.raw for r in rows] == [
        {"Name": "Ann Lee", "Email": "ann@lee.example", "column 3": "extra cell"},
        {"Name": "Bo Ek", "Email": "bo@ek.example"},
    ]
    assert rows[0].extra == {"column 3": "extra cell"}


def test_duplicate_headers_are_kept_apart() -> None:
    _, records = read_records(b"Name,Email,Notes,Notes\nAnn,a@b.example,one,two\n", "d.csv")
    (only,) = list(records)
    assert only.values["notes"] == "one"
    assert only.extra == {"Notes (2)": "two"}


def test_map_names_columns_of_an_unknown_layout() -> None:
    data = "Kontakt;Elektronische Post;Firma\nJörg Ernst;je@ernst.example;Ernst KG\n".encode(
        "cp1252"
    )
    with pytest.raises(InputError, match="Headers seen: 'Kontakt', 'Elektronische Post', 'Firma'"):
        list(read_records(data, "de.csv", {"Firma": "company"})[1])
    _, records = read_records(
        data, "de.csv", {"Kontakt": "full_name", "Elektronische Post": "email"}
    )
    (only,) = list(records)
    assert only.values == {
        "full_name": "Jörg Ernst", "emails": ["je@ernst.example"], "phones": [],
        "company": "Ernst KG",
    }  # fmt: skip
