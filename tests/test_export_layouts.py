import csv
import io
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.book import add_tag
from contacts.export_layouts import fold, is_phone, safe_cell
from contacts.match import match_pending
from contacts.model import Contact
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from tests.bookdata import AUTUMN, contact_id, load_autumn, load_spring
from tests.conftest import DATA


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_export_reimports_without_new_contacts(project: Path, cli, version: str) -> None:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    with session_scope(url) as session:
        before = session.scalar(sa.select(sa.func.count(Contact.id)))
    assert before == 30
    result = cli(
        "export", "contacts", "--format", "vcard", "--vcard-version", version, "-o", "all.vcf"
    )
    assert (result.code, result.err) == (0, "wrote all.vcf\n")
    text = Path("all.vcf").read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 30 and text.count(f"VERSION:{version}\r\n") == 30
    assert "FN:Maria García\r\n" in text
    assert "URL;TYPE=linkedin:https://www.linkedin.com/in/maria-garcia-recruiting\r\n" in text
    again = cli("ingest", "all.vcf", "--event", "Spring Fair")
    assert again.code == 0, again.err
    assert again.out.endswith("contacts: 0 new, 30 matched from 30 new sightings\n")
    with session_scope(url) as session:
        assert session.scalar(sa.select(sa.func.count(Contact.id))) == before


def test_vcard_versions_differ_where_the_standards_do(db_url: str) -> None:
    load_spring(db_url)
    from contacts.export import export_vcard

    with session_scope(db_url) as session:
        v3 = export_vcard(session, "3.0").split("END:VCARD\r\n")[0]
        v4 = export_vcard(session, "4.0").split("END:VCARD\r\n")[0]
    assert "EMAIL;TYPE=INTERNET,PREF:maria.garcia@northwind.example\r\n" in v3
    assert "TEL;TYPE=CELL:+16175550142\r\n" in v3
    assert "KIND:individual\r\n" in v4
    assert "EMAIL;TYPE=work;PREF=1:maria.garcia@northwind.example\r\n" in v4
    assert "TEL;VALUE=uri;TYPE=cell:tel:+16175550142\r\n" in v4


def test_google_and_outlook_layouts(db_url: str) -> None:
    load_spring(db_url)
    from contacts.export import export_csv

    maria = contact_id(db_url, "maria.garcia@northwind.example")
    with session_scope(db_url) as session:
        add_tag(session, maria, "Recruiter")
        google = _rows(export_csv(session, "google"))
        outlook = _rows(export_csv(session, "outlook"))
    assert len(google) == len(outlook) == 30
    assert google[0] == {
        "Name": "Maria García",
        "Given Name": "Maria",
        "Family Name": "García",
        "Notes": "Met at: Spring Fair",
        "Group Membership": "* myContacts ::: recruiter",
        "E-mail 1 - Type": "* Work",
        "E-mail 1 - Value": "maria.garcia@northwind.example",
        "E-mail 2 - Type": "",
        "E-mail 2 - Value": "",
        "Phone 1 - Type": "Mobile",
        "Phone 1 - Value": "+16175550142",  # a bare phone number needs no guard
        "Organization 1 - Name": "Northwind Analytics",
        "Organization 1 - Title": "University Recruiter",
        "Website 1 - Type": "LinkedIn",
        "Website 1 - Value": "https://www.linkedin.com/in/maria-garcia-recruiting",
    }
    assert outlook[0]["First Name"] == "Maria" and outlook[0]["Last Name"] == "García"
    assert outlook[0]["E-mail Address"] == "maria.garcia@northwind.example"
    assert outlook[0]["Job Title"] == "University Recruiter"
    assert outlook[0]["Categories"] == "recruiter"
    assert outlook[0]["Title"] == ""  # Outlook's Title is the honorific


def test_csv_cells_are_neutralized_against_formula_injection(db_url: str) -> None:
    ingest_file(DATA / "formula-injection.csv", "Evil Fair", url=db_url)
    match_pending(db_url)
    from contacts.export import export_csv

    with session_scope(db_url) as session:
        plain = _rows(export_csv(session))[0]
        google = _rows(export_csv(session, "google"))[0]
        outlook = _rows(export_csv(session, "outlook"))[0]
    assert plain["company"] == '\'=HYPERLINK("http://evil.example","x")'
    assert plain["title"] == "'-Engineer"
    assert google["Given Name"] == "'@Sum (1)"  # name casing is normalized on ingest
    assert google["Organization 1 - Name"].startswith("'=")
    assert outlook["First Name"] == "'@Sum (1)" and outlook["Company"].startswith("'=")
    for row in (plain, google, outlook):
        # only a bare phone number may start with + (it cannot run a formula)
        assert not any(v[:1] in ("=", "+", "-", "@") and not is_phone(v) for v in row.values())
    assert google["Phone 1 - Value"] == "+12065550100"
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@1", "\t=1", "a=1", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@1",
        "'\t=1",
        "a=1",
        "",
    ]


def test_filters_by_event_and_tag(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    load_autumn(url)
    with session_scope(url) as session:
        add_tag(session, contact_id(url, "nadia.haddad@tailwind.example"), "mentor")
    by_event = cli(
        "export", "contacts", "--format", "csv", "--layout", "outlook", "--event", AUTUMN
    )
    assert [r["E-mail Address"] for r in _rows(by_event.out)] == [
        "maria.garcia@northwind.example",
        "robert.chen@contoso.example",
        "nadia.haddad@tailwind.example",
    ]
    by_tag = cli("export", "contacts", "--format", "vcard", "--tag", "mentor")
    assert by_tag.out.count("BEGIN:VCARD") == 1 and "FN:Nadia Haddad\r\n" in by_tag.out
    assert "CATEGORIES:mentor\r\n" in by_tag.out
    bad = cli("export", "contacts", "--format", "csv", "--layout", "excel")
    assert (bad.code, bad.err) == (
        2,
        "error: --layout 'excel': use google or outlook (or leave it out)\n",
    )
    bad = cli("export", "contacts", "--format", "vcard", "--vcard-version", "2.1")
    assert (bad.code, bad.err) == (2, "error: --vcard-version '2.1': use 3.0 or 4.0\n")
    bad = cli("export", "contacts", "--event", "Winter")
    assert bad.code == 2
    assert bad.err == "error: no event 'Winter'; known events: autumn-meetup, spring-fair\n"


def test_long_utf8_lines_fold_at_75_octets_between_characters() -> None:
    line = "NOTE:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n")[:-1]
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def _people(path: str) -> list[dict[str, object]]:
    keep = ("id", "full_name", "first_name", "last_name", "emails", "phones", "company", "title")
    return [{k: c[k] for k in keep} for c in json.loads(Path(path).read_text())]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_round_trip_keeps_names_and_makes_no_contact(
    project: Path, cli, version: str
) -> None:  # type: ignore[no-untyped-def]
    Path("mid.csv").write_text(
        "Name,Email,Company\n"
        "Mary Ann Smith,mas@example.com,\n"
        "Juan Carlos García López,jcgl@example.com,\n"
        "Karl Berg,,\n"  # a name and nothing else
        "Peter Novak,,Acme\n",
        encoding="utf-8",
    )
    Path("nofn.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:nofn.person@example.com\r\nEND:VCARD\r\n"
    )
    assert cli("ingest", "mid.csv", "nofn.vcf", "--event", "MID").code == 0
    assert cli("export", "contacts", "--format", "json", "-o", "before.json").code == 0
    result = cli(
        "export", "contacts", "--format", "vcard", "--vcard-version", version, "-o", "mid.vcf"
    )
    assert result.code == 0, result.err
    text = Path("mid.vcf").read_bytes().decode("utf-8")
    assert "FN:Mary Ann Smith\r\nN:Smith;Mary;Ann;;\r\n" in text
    assert "FN:Juan Carlos García López\r\nN:López;Juan;Carlos García;;\r\n" in text
    # named from its address only: no name of its own is written, so none is read back
    assert "FN:\r\nN:;;;;\r\nEMAIL" in text
    assert text.count("\r\nUID:followup:") == 5
    again = cli("ingest", "mid.vcf", "--event", "MID2")
    assert again.code == 0, again.err
    assert again.out.endswith("contacts: 0 new, 5 matched from 5 new sightings\n")
    assert cli("export", "contacts", "--format", "json", "-o", "after.json").code == 0
    before, after = _people("before.json"), _people("after.json")
    assert [p["full_name"] for p in after] == [
        "Mary Ann Smith", "Juan Carlos García López", "Karl Berg", "Peter Novak", "nofn.person"
    ]  # fmt: skip
    assert after == before
    assert cli("review", "--list").out == "no possible duplicates to review\n"
    rules = cli("contacts", "show", "--all", "3").out
    assert '"rule": "export-id"' in rules


def test_a_foreign_or_edited_uid_is_matched_like_any_card(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("one.csv").write_text("Name\nKarl Berg\nLinda Smith\n")
    assert cli("ingest", "one.csv", "--event", "E").code == 0
    assert cli("export", "contacts", "--format", "vcard", "-o", "one.vcf").code == 0
    text = Path("one.vcf").read_bytes().decode("utf-8")
    store = text.split("UID:followup:")[1].split(":")[0]
    # another store's UID for Karl Berg; this store's UID of contact 1 on another person
    Path("two.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"UID:followup:{'0' * 32}:contact:1\r\nFN:Karl Berg\r\nN:Berg;Karl;;;\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"UID:followup:{store}:contact:1\r\nFN:Otto Lang\r\nN:Lang;Otto;;;\r\nEND:VCARD\r\n"
    )
    result = cli("ingest", "two.vcf", "--event", "F")
    assert result.code == 0, result.err
    assert result.out.endswith("contacts: 2 new, 0 matched from 2 new sightings\n")
