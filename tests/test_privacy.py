import io
import json
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts.book import add_note, add_tag
from contacts.match import match_pending
from contacts.model import Base, Contact, Message, Suppression
from contacts.stoprules import hashed_key, is_suppressed, suppress
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from outreach.config import load_config
from outreach.keepintouch import set_cadence
from outreach.planner import plan_event
from tests.bookdata import AUTUMN, SPRING, contact_id, load_autumn, load_spring
from tests.conftest import DATA, SAMPLES

MARIA = "maria.garcia@northwind.example"


def _everything(url: str) -> str:
    """Every row of every table, as one lower-cased text."""
    chunks = []
    with session_scope(url) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(sa.select(table)):
                chunks.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(chunks).lower()


def _setup(cli) -> str:  # type: ignore[no-untyped-def]
    url = os.environ["FOLLOWUP_DB"]
    load_spring(url)
    load_autumn(url)
    ingest_file(DATA / "quarantine-mentions.csv", AUTUMN, url=url)
    match_pending(url)
    for event in (SPRING, AUTUMN):
        assert cli("outbox", "plan", "--event", event).code == 0
    maria = contact_id(url, MARIA)
    with session_scope(url) as session:
        add_note(session, maria, "García asked about the Boston program")
        add_tag(session, maria, "recruiter")
        set_cadence(session, 90, maria)
        suppress(session, MARIA, "unsubscribed")
    Path("data/outbox/sent").mkdir()
    Path("data/outbox/sent/copy.eml").write_text(f"To: {MARIA.upper()}\n\nhello\n")
    return url


def test_forget_erases_a_person_everywhere_and_keeps_a_hashed_suppression(
    project: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    before = _everything(url)
    assert MARIA in before and "maria-garcia-recruiting" in before and "garcía" in before
    emls = sorted(str(p) for p in Path("data/outbox").rglob("*.eml"))
    assert len(emls) == 27  # 25 spring drafts, Nadia's autumn draft, one copy

    result = cli("contacts", "forget", MARIA, "--yes")
    assert result.code == 0, result.err
    note = "still mentions them (ingested from outside the drop folder, not changed): "
    # The committed samples were ingested from where they are: reported, never rewritten.
    outside = [
        SAMPLES / "Connections.csv",
        SAMPLES / "business-cards.vcf",
        SAMPLES / "fair-scans.csv",
        DATA / "autumn-meetup.csv",
        DATA / "quarantine-mentions.csv",
    ]
    assert result.out == (
        f"forgot {MARIA}: 1 contacts, 4 sightings, 1 messages, 1 quarantined rows, "
        "2 .eml files, 2 mentions in other records; suppressed (hashed) 1 addresses\n"
        + "".join(f"{note}{p}\n" for p in outside)
    )
    after = _everything(url)
    for trace in (
        MARIA,
        "maria-garcia-recruiting",
        "garcía",
        "boston program",
        "6175550142",
        "555-0142",
    ):
        assert trace not in after, trace
    assert "introduced by [forgotten]" in after  # Nadia's notes kept, the address scrubbed
    assert len(list(Path("data/outbox").rglob("*.eml"))) == 25
    assert not any(MARIA in p.read_text().lower() for p in Path("data/outbox").rglob("*.eml"))
    with session_scope(url) as session:
        rows = session.execute(sa.select(Suppression.email_key, Suppression.reason)).all()
        assert rows == [(hashed_key(MARIA), "forgotten")]
        assert is_suppressed(session, "Maria.Garcia@Northwind.example")
        assert not suppress(session, MARIA)  # already suppressed, in its hashed form


def test_a_forgotten_person_imported_again_is_never_enrolled(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url = _setup(cli)
    assert cli("contacts", "forget", MARIA, "--yes").code == 0
    Path("winter.csv").write_text(
        f"First Name,Last Name,Email,Company\nMaria,García,{MARIA},Northwind Analytics\n"
        "Tom,Ito,tom.ito@fabrikam.example,Fabrikam\n",
        encoding="utf-8",
    )
    assert cli("ingest", "winter.csv", "--event", "Winter Fair").code == 0
    result = plan_event("Winter Fair", load_config("followup.toml"), url=url)
    assert (result.enrolled, result.drafted, result.suppressed) == (1, 1, 1)
    with session_scope(url) as session:
        to = session.scalars(sa.select(Message.to_addr).where(Message.state == "drafted")).all()
    assert MARIA not in [t.lower() for t in to]
    assert "tom.ito@fabrikam.example" in to


def test_show_all_prints_everything_stored_about_a_person(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _setup(cli)
    result = cli("contacts", "show", "--all", MARIA)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert sorted(data) == [
        "cadences",
        "contact",
        "emails",
        "enrollments",
        "interactions",
        "match_decisions",
        "messages",
        "phones",
        "quarantined",
        "sightings",
        "tags",
    ]
    assert data["contact"]["full_name"] == "Maria García"
    assert [e["email"] for e in data["emails"]] == [MARIA]
    assert data["emails"][0]["suppressed"] is True
    assert [s["source"] for s in data["sightings"]] == [
        "fair-scans.csv",
        "business-cards.vcf",
        "Connections.csv",
        "autumn-meetup.csv",
    ]
    assert data["sightings"][0]["raw"]["Notes"] == "the new-grad data engineering program in Boston"
    assert [m["state"] for m in data["messages"]] == ["cancelled"]
    assert data["messages"][0]["body_text"].startswith("Hi Maria,")
    assert [i["kind"] for i in data["interactions"]] == ["note"]
    assert [t["tag"] for t in data["tags"]] == ["recruiter"]
    assert data["cadences"][0]["every_days"] == 90
    assert [q["reason"] for q in data["quarantined"]] == ["no name, no email and no phone"]


def test_outbox_folders_and_drafts_are_owner_only(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    load_spring(os.environ["FOLLOWUP_DB"])
    assert cli("outbox", "plan", "--event", SPRING).code == 0
    for folder in (Path("data/outbox"), Path("data/outbox/spring-fair")):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = list(Path("data/outbox").rglob("*.eml"))
    assert len(files) == 25
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}


def test_forget_needs_an_email_address_or_a_contact_id(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("contacts", "forget", "Maria", "--yes")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: forget: 'Maria' is neither an email address nor a contact id, e.g. "
        "ann@example.com or 12 (find it with `followup contacts search NAME`)\n"
    )
    unknown = cli("contacts", "forget", "nobody@example.com", "--yes")
    assert unknown.out == (
        "forgot nobody@example.com: 0 contacts, 0 sightings, 0 messages, 0 quarantined rows, "
        "0 .eml files, 0 mentions in other records; suppressed (hashed) 1 addresses\n"
    )


@pytest.mark.parametrize(
    ("answer", "code", "err"),
    [
        ("n\n", 1, "nothing erased\n"),  # answering no
        ("", 130, "no answer; nothing forgotten; pass --yes to confirm non-interactively\n"),
    ],
    ids=["no", "closed-input"],
)
def test_forget_without_a_yes_erases_nothing_and_says_so(
    project: Path,
    cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    err: str,
) -> None:
    Path("a.csv").write_text("Full Name,Email\nMaria García,maria.garcia@northwind.example\n")
    assert cli("ingest", "a.csv", "--event", "Fair").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    result = cli("contacts", "forget", "maria.garcia@northwind.example")
    assert (result.code, result.err) == (code, err)
    assert "Traceback" not in result.out
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def test_show_all_reports_quarantined_rows_of_an_address_no_contact_has(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("bb.csv").write_bytes(
        b"Name,Email,Company\nRene Utf,rene@example.com,Cafe\nBad Bytes,bb@example.com,X\x81\x8d\n"
    )
    assert cli("ingest", "bb.csv", "--event", "B").code == 0
    result = cli("contacts", "show", "--all", "BB@example.com")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["contact"] is None
    assert data["emails"] == [{"email": "BB@example.com", "suppressed": False}]
    assert [(q["source"], q["record"], q["raw"]["Email"]) for q in data["quarantined"]] == [
        ("bb.csv", 2, "bb@example.com")
    ]
    assert data["sightings"] == data["messages"] == data["phones"] == []
    nobody = cli("contacts", "show", "--all", "nobody@example.com")
    assert (nobody.code, nobody.out) == (2, "")
    assert nobody.err.startswith("error: no contact 'nobody@example.com'")
    gone = cli("contacts", "forget", "bb@example.com", "--yes")
    assert ", 1 quarantined rows," in gone.out
    assert cli("contacts", "show", "--all", "bb@example.com").code == 2


def test_forget_after_a_merge_erases_both_halves(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from contacts.merge import get_contact, merge_contacts

    Path("a.csv").write_text("Full Name,Email\nMaria García,maria.garcia@northwind.example\n")
    Path("b.csv").write_text("Full Name,Email\nMaria Garcia,maria.g@gmail.com\n")
    assert cli("ingest", "a.csv", "b.csv", "--event", "Fair").code == 0
    url = os.environ["FOLLOWUP_DB"]
    with session_scope(url) as session:
        ids = sorted(session.scalars(sa.select(Contact.id)))
        assert len(ids) == 2  # two addresses, no company: kept apart for review
        merge_contacts(
            session, get_contact(session, ids[0]), get_contact(session, ids[1]), "manual", {}
        )
    result = cli("contacts", "forget", "maria.g@gmail.com", "--yes")
    assert result.code == 0, result.err
    assert result.out.startswith("forgot maria.g@gmail.com: 2 contacts, 2 sightings,")
    after = _everything(url)
    for trace in ("maria.garcia@northwind.example", "maria.g@gmail.com", "garcía", "garcia"):
        assert trace not in after, trace


def test_forget_with_config_from_another_folder_erases_from_the_projects_store(  # type: ignore[no-untyped-def]
    project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a store given by a relative path, as the default data/followup.db is (named per test:
    # engines are cached per URL in this process)
    monkeypatch.setenv("FOLLOWUP_DB", f"sqlite:///data/{project.parent.name}.db")
    Path("leads.csv").write_text("Name,Email\nKeep Me,keep.me@example.com\n")
    assert cli("ingest", "leads.csv", "--event", "Fair").code == 0
    Path("other").mkdir()
    monkeypatch.chdir("other")
    gone = cli("contacts", "forget", "keep.me@example.com", "--yes", "--config", "../followup.toml")
    assert gone.code == 0, gone.err
    assert gone.out.startswith("forgot keep.me@example.com: 1 contacts, 1 sightings")
    assert not Path("data").exists()  # no new empty store made here
    monkeypatch.chdir(project)
    assert cli("contacts", "search", "keep").out.startswith("0 contacts")
