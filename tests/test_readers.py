import io

import pytest

from contacts.errors import InputError
from ingest.pipeline import read_records
from ingest.profiles import header_key, map_headers
from ingest.sniff import sniff
from tests.conftest import SAMPLES


def _records(name: str):  # type: ignore[no-untyped-def]
    data = (SAMPLES / name).read_bytes()
    fmt, records = read_records(data, name)
    return fmt, list(records)


def test_linkedin_export_skips_the_notes_preamble() -> None:
    fmt, records = _records("Connections.csv")
    assert fmt == "csv"
    assert len(records) == 12
    first = records[0]
    assert first.record == 1
    assert first.values["first_name"] == "Maria"
    assert first.values["linkedin"] == "https://www.linkedin.com/in/maria-garcia-recruiting"
    assert first.values["emails"] == ["maria.garcia@northwind.example"]
    assert first.extra == {"Connected On": "12 Mar 2026"}


def test_lead_retrieval_export_keeps_lead_metadata() -> None:
    fmt, records = _records("fair-scans.csv")
    assert (fmt, len(records)) == ("csv", 19)
    maria = records[0]
    assert maria.values["notes"] == "the new-grad data engineering program in Boston"
    assert maria.values["rating"] == "5"
    assert maria.values["captured_by"] == "Priya Sharma"
    assert maria.values["captured_at"] == "2026-03-12 10:04"
    assert maria.extra == {"Hiring For": "New grad"}
    assert records[10].values == {
        "emails": [],
        "phones": [],
        "notes": "badge did not scan - ask the organisers",
        "captured_by": "Priya Sharma",
        "captured_at": "2026-03-12 12:15",
    }


def test_vcard_file_gives_one_record_per_card() -> None:
    fmt, records = _records("business-cards.vcf")
    assert (fmt, len(records)) == ("vcard", 10)
    robert = records[1]
    assert robert.values["full_name"] == "Robert Chen"
    assert robert.values["company"] == "Contoso"
    assert robert.values["emails"] == ["Robert.Chen@contoso.example"]
    assert robert.values["linkedin"] == "https://www.linkedin.com/in/robertchen-payments"
    assert [r.record for r in records] == list(range(1, 11))


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n", "vcard"),
        (b"# exported\nbegin:vcard\nFN:A\nend:vcard\n", "vcard"),
        (b"\xef\xbb\xbfEmail,Name\na@b.example,A\n", "csv"),
        (b"PK\x03\x04rest-of-zip", "xlsx"),
    ],
)
def test_sniff_by_content(content: bytes, fmt: str) -> None:
    assert sniff(content, "x") == fmt


def test_binary_content_is_an_unknown_format() -> None:
    with pytest.raises(InputError, match=r"^photo.jpg: unknown format \(binary content\)"):
        sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00", "photo.jpg")


def test_semicolon_delimited_csv_from_european_excel() -> None:
    data = "Vorname;Nachname;E-Mail;Firma\nJürgen;Groß;jg@firma.example;Firma GmbH\n".encode(
        "cp1252"
    )
    _, records = read_records(data, "leads.csv")
    (only,) = list(records)
    assert only.values == {
        "first_name": "Jürgen",
        "last_name": "Groß",
        "emails": ["jg@firma.example"],
        "phones": [],
        "company": "Firma GmbH",
    }


def test_unknown_layout_is_refused_with_the_headers_seen_and_the_fix() -> None:
    data = b"Col A,Col B\n1,2\n"
    with pytest.raises(InputError) as info:
        list(read_records(data, "odd.csv")[1])
    assert str(info.value) == (
        "odd.csv: no name, email or phone column found. Headers seen: 'Col A', 'Col B'. "
        'Tell followup which column is which, e.g. --map "E-Mail Adresse=email" '
        '--map "Nom complet=full_name"'
    )


def test_map_overrides_name_a_column() -> None:
    _, records = read_records(
        b"Kontakt,Wer\nx@y.example,Ann\n", "odd.csv", {"Kontakt": "email", "Wer": "full_name"}
    )
    (only,) = list(records)
    assert only.values == {"emails": ["x@y.example"], "phones": [], "full_name": "Ann"}


def test_outlook_title_is_an_honorific_when_job_title_exists() -> None:
    mapping = map_headers(
        ["Title", "First Name", "Job Title", "E-mail Address", "E-mail 2 Address"]
    )
    assert mapping == {
        "Title": "prefix",
        "First Name": "first_name",
        "Job Title": "title",
        "E-mail Address": "emails",
        "E-mail 2 Address": "emails",
    }
    assert header_key("E-mail 2 Address") == "email2address"


def test_xlsx_reader_reads_the_first_sheet() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Full Name", "Email", "Company"])
    sheet.append(["Ann Lee", "ann@lee.example", "Lee & Co"])
    buffer = io.BytesIO()
    book.save(buffer)
    fmt, records = read_records(buffer.getvalue(), "leads.xlsx")
    assert fmt == "xlsx"
    (only,) = list(records)
    assert only.values == {
        "full_name": "Ann Lee",
        "emails": ["ann@lee.example"],
        "phones": [],
        "company": "Lee & Co",
    }
