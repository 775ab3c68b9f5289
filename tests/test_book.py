import datetime as dt
import os
from pathlib import Path

import pytest

from contacts import book
from contacts.errors import InputError
from contacts.store import session_scope
from tests.bookdata import (
    AUTUMN,
    SPRING,
    contact_id,
    load_autumn,
    load_spring,
    mark_sent,
    plan,
    set_statuses,
)

MARIA, NADIA = "maria.garcia@northwind.example", "nadia.haddad@tailwind.example"


def test_list_and_search_by_name_email_company_event_and_tag(db_url: str) -> None:
    load_spring(db_url)
    load_autumn(db_url)
    maria, nadia = contact_id(db_url, MARIA), contact_id(db_url, NADIA)
    with session_scope(db_url) as session:
        assert book.add_tag(session, nadia, " Mentor ") is True
        assert book.add_tag(session, nadia, "mentor") is False
        assert (
            len(book.list_contacts(session)) == 31
        )  # 30 from spring (one is met twice there) and Nadia
        autumn = book.list_contacts(session, event=AUTUMN)
        assert [e.email for e in autumn] == [MARIA, "robert.chen@contoso.example", NADIA]
        assert autumn[0].events == [SPRING, AUTUMN]
        assert [e.id for e in book.list_contacts(session, tag="MENTOR")] == [nadia]
        assert [e.tags for e in book.list_contacts(session, tag="mentor")] == [["mentor"]]

        def ids(text: str) -> list[int]:
            return [e.id for e in book.search(session, text)]

        assert ids("garcía") == [maria]  # name, any case
        assert ids("NORTHWIND.example") == [maria, *ids("northwind.example")[1:]]
        assert len(ids("northwind")) == 3  # Maria, Ethan (scan + LinkedIn, one contact), Rachel
        assert ids("autumn") == [e.id for e in autumn]  # event
        assert ids("mentor") == [nadia]  # tag
        assert ids("50%_") == []  # LIKE wildcards are literal
        with pytest.raises(InputError, match="give some text to look for"):
            book.search(session, "  ")
        assert book.remove_tag(session, nadia, "mentor") is True
        assert book.tags_of(session, nadia) == []


def test_timeline_met_emailed_replied_and_notes(db_url: str, tmp_path: Path) -> None:
    load_spring(db_url)
    load_autumn(db_url)
    plan(db_url, tmp_path, SPRING)
    mark_sent(db_url, SPRING, [MARIA], dt.datetime(2026, 3, 13, 9))
    maria = contact_id(db_url, MARIA)
    with session_scope(db_url) as session:
        book.add_note(session, maria, "  asked about Boston  ")
        with pytest.raises(InputError, match="the note is empty"):
            book.add_note(session, maria, " ")
    set_statuses(db_url, {MARIA: "replied"})
    with session_scope(db_url) as session:
        log = book.timeline(session, maria)
        touch = book.last_touch(session, maria)
    assert [(e.kind, e.detail) for e in log[:4]] == [
        ("met", "met at Spring Fair (fair-scans.csv record 1)"),
        ("met", "met at Spring Fair (business-cards.vcf record 1)"),
        ("met", "met at Spring Fair (Connections.csv record 1)"),
        ("emailed", "emailed stage 1 (thank-you) of job-seeker"),
    ]
    assert log[3].at == dt.datetime(2026, 3, 13, 9)
    assert [e.kind for e in log[4:]] == ["met", "note", "replied"]
    assert log[4].detail == "met at Autumn Meetup (autumn-meetup.csv record 1)"
    assert log[5].detail == "asked about Boston"
    assert touch is not None and touch.kind == "replied"


def test_book_commands(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    maria = contact_id(url, MARIA)
    assert cli("contacts", "note", MARIA, "likes Rust").out == f"noted for #{maria} Maria García\n"
    tagged = cli("contacts", "tag", str(maria), "mentor", "Alumni")
    assert tagged.out == f"#{maria} tags: alumni, mentor\n"
    assert (
        cli("contacts", "tag", str(maria), "alumni", "--remove").out == f"#{maria} tags: mentor\n"
    )
    listed = cli("contacts", "list", "--tag", "mentor")
    assert listed.code == 0 and listed.out.startswith("1 contacts\n")
    shown = cli("contacts", "show", MARIA)
    assert shown.out.startswith(f"Maria García  #{maria}  (active)\n")
    assert "tags: mentor\n" in shown.out and "likes Rust" in shown.out
    found = cli("contacts", "search", "maria")
    assert found.code == 0 and "Maria" in found.out
    missing = cli("contacts", "show", "999")
    assert (missing.code, missing.err) == (
        2,
        "error: no contact '999': give a contact id or email address "
        "(find it with `followup contacts search NAME`)\n",
    )
    bad = cli("contacts", "list", "--event", "Nope")
    assert bad.err == "error: no event 'Nope'; known events: spring-fair\n"


def test_brackets_in_exported_names_are_printed_as_they_are(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # Rich would read '[red]' as a style and drop it, and '[/x]' would crash the command.
    (project / "scans.csv").write_text(
        "First Name,Last Name,Email,Company,Job Title\n"
        "Ann [red],Lee,ann@acme.example,Acme [/x] Labs,Engineer [contract]\n",
        encoding="utf-8",
    )
    assert cli("ingest", "scans.csv", "--event", "Expo [day 1]").code == 0
    shown = cli("contacts", "show", "ann@acme.example")
    assert shown.code == 0 and shown.err == ""
    assert shown.out.startswith("Ann [red] Lee  #1  (active)\n")
    assert "title: Engineer [contract]\ncompany: Acme [/x] Labs\n" in shown.out
    listed = cli("contacts", "search", "acme")  # a table: cells wrap at 80 columns
    assert (
        listed.code == 0 and "│ Ann [red]    │" in listed.out and "│ Acme [/x]    │" in listed.out
    )
