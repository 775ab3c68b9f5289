"""`followup contacts replied` takes a contact id or any of the contact's email addresses."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLES

FAIR = "Spring Career Fair 2026"


def test_replied_by_email_or_id(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", SAMPLES / "fair-scans.csv", "--event", FAIR, "--date", "2026-03-12")
    cli("outbox", "plan", "--event", FAIR)
    by_email = cli("contacts", "replied", "Maria.Garcia@northwind.example", "--note", "yes")
    assert (by_email.code, by_email.out, by_email.err) == (
        0,
        "Maria García replied; cancelled 1 pending messages\n",
        "",
    )
    by_id = cli("contacts", "replied", "2")
    assert by_id.out == "Robert Chen replied; cancelled 1 pending messages\n"
    unknown = cli("contacts", "replied", "nobody@x.example")
    assert (unknown.code, unknown.err) == (
        2,
        "error: no contact 'nobody@x.example': give a contact id or email address "
        "(find it with `followup contacts search NAME`)\n",
    )
