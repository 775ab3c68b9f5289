"""Empty values are holes too: printed unguarded they block the message, naming the value;
guarded (`if`, `fallback`, `default`) they render as the template says."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from contacts.errors import RenderError
from contacts.model import Message
from contacts.store import session_scope
from outreach.render import render
from tests.conftest import ROOT
from tests.test_outreach import CONTEXT

# A lead export with nothing but an address: every name, company and note is empty.
BARE: dict[str, Any] = {
    **CONTEXT,
    "contact": {
        "full_name": "",
        "first_name": None,
        "last_name": None,
        "company": None,
        "title": "",
        "email": "nobody@hole.example",
        "met_before": False,
    },
    "event": {"name": "Hole Fair", "date": dt.date(2026, 5, 1), "slug": "hole-fair"},
    "sighting": {
        "notes": "",
        "rating": "",
        "captured_by": "",
        "captured_at": "",
        "company": "",
        "title": "",
        "lead": {"Hiring For": "  "},
    },
    "sender": {**CONTEXT["sender"], "signature": ""},  # type: ignore[dict-item]
}


def one_template(folder: Path, source: str) -> Path:
    (folder / "s").mkdir()
    for part in ("subject", "txt", "html"):
        (folder / "s" / f"t.{part}.j2").write_text(source)
    return folder


def guards(name: str) -> str:
    return f'write {{% if {name} %}}…{{% endif %}} / {{{{ {name} | fallback("…") }}}}'


@pytest.mark.parametrize(
    ("source", "context", "reason"),
    [
        (
            "About your role as {{ contact.title }} at {{ contact.company }}",
            BARE,
            "s/t.subject.j2: contact.title is empty for this contact; fix: give the contact "
            f"a title, or {guards('contact.title')}",
        ),
        (
            "Hi {{ contact.first_name | upper }}",
            BARE,
            "s/t.subject.j2: contact.first_name is empty for this contact; fix: give the "
            f"contact a first name, or {guards('contact.first_name')}",
        ),
        (
            'Hiring for {{ sighting.lead["Hiring For"] }}',
            BARE,
            's/t.subject.j2: sighting.lead["Hiring For"] is empty for this contact; fix: fill '
            'in "Hiring For" in the lead export, or ' + guards('sighting.lead["Hiring For"]'),
        ),
        (
            "{{ sender.signature }}",
            BARE,
            "s/t.subject.j2: sender.signature is empty; fix: set signature for the sender in "
            "followup.toml ([sender], or the [senders.NAME] profile this message uses), or "
            f"{guards('sender.signature')}",
        ),
        (
            "On {{ event.date }}",
            {**CONTEXT, "event": {**CONTEXT["event"], "date": None}},  # type: ignore[dict-item]
            "s/t.subject.j2: event.date is empty; fix: give the event a date, or "
            f"{guards('event.date')}",
        ),
    ],
)
def test_an_empty_value_printed_unguarded_blocks_naming_it(
    tmp_path: Path, source: str, context: dict[str, Any], reason: str
) -> None:
    with pytest.raises(RenderError) as raised:
        render(one_template(tmp_path, source), "s", "t", context)
    assert str(raised.value) == reason


def test_guarded_empty_values_render(tmp_path: Path) -> None:
    source = (
        "Hi {{ contact.first_name | fallback('there') }}"
        "{% if contact.company %} at {{ contact.company }}{% endif %}"
        " / {{ contact.title | default('your role') }}"
        " / {{ sighting.lead['Hiring For'] or 'any team' }}"
        " / {{ contact.last_name | length }}"
        " / {{ 'none' if contact.company == None else 'some' }}"
        " / {% for c in sighting.notes %}{{ c }}{% endfor %}."
    )
    out = render(one_template(tmp_path, source), "s", "t", BARE)
    assert out.subject == "Hi there / your role / any team / 0 / none / ."


def test_values_that_are_set_print_as_they_are(tmp_path: Path) -> None:
    source = "{{ contact.title }} at {{ contact.company }}, met before: {{ contact.met_before }}"
    out = render(one_template(tmp_path, source), "s", "t", CONTEXT)
    assert out.subject == "Recruiter at Contoso, met before: False"


@pytest.mark.parametrize(
    ("sequence", "template", "subject", "opening"),
    [
        ("job-seeker", "thank-you", "Thank you for your time at Hole Fair",
         "Hi there,\n\nThank you for talking with me at Hole Fair.\n\nI'm graduating"),
        ("job-seeker", "portfolio", "My résumé, and one project you might like",
         "Hi there,\n\nA short follow-up to my note after Hole Fair: my résumé is attached, and "
         "I wanted to share one project that connects to the work your team does."),
        ("recruiter", "next-steps", "Great to meet you at Hole Fair",
         "Hi there,\n\nThanks for stopping by our booth at Hole Fair.\n"),
        ("keep-in-touch", "check-in", "Catching up since Hole Fair",
         "Hi there,\n\nIt's been a while since we met at Hole Fair, and I wanted to catch up. "
         "How are things going?"),
    ],
)  # fmt: skip
def test_shipped_templates_guard_every_empty_value(
    sequence: str, template: str, subject: str, opening: str
) -> None:
    out = render(ROOT / "templates", sequence, template, BARE)
    assert out.subject == subject
    assert out.text.startswith(opening)
    assert "-- \n" not in out.text  # no signature: no separator either
    assert out.text.endswith(
        "You're getting this because we met at Hole Fair. If you'd rather not hear from me "
        'again, reply "unsubscribe" and I won\'t write again.\n'
    )


HOLE_SEQUENCE = (
    '\n[sequences.hole]\nstages = [ { name = "a", template = "a", delay = 0, after = "event" } ]\n'
)


def hole_project(project: Path, subject: str) -> None:
    """The audit's setup: a one-stage sequence `hole` and a lead export with only an address."""
    (project / "templates/hole").mkdir()
    (project / "templates/hole/a.subject.j2").write_text(subject)
    (project / "templates/hole/a.txt.j2").write_text(
        'Hi {{ contact.first_name | fallback("there") }},\n{% include "_partials/footer.txt.j2" %}'
    )
    (project / "templates/hole/a.html.j2").write_text(
        '<p>Hi</p>\n{% include "_partials/footer.html.j2" %}'
    )
    (project / "hole.toml").write_text((project / "followup.toml").read_text() + HOLE_SEQUENCE)
    (project / "hole.csv").write_text("Email\nnobody@hole.example\n")


def test_the_audits_empty_title_and_company_block_the_message(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    hole_project(project, "About your role as {{ contact.title }} at {{ contact.company }}")
    assert cli("ingest", "hole.csv", "--event", "Hole Fair", "--date", "2026-05-01").code == 0
    planned = cli(
        "outbox", "plan", "--event", "Hole Fair", "--sequence", "hole", "--config", "hole.toml"
    )
    assert planned.code == 0
    assert planned.out.startswith("enrolled 1, already enrolled 0, drafted 0, blocked 1, ")
    shown = cli("outbox", "show", "1").out.splitlines()
    assert shown[1] == (
        "State: blocked (hole/a.subject.j2: contact.title is empty for this contact; fix: give "
        "the contact a title, or write {% if contact.title %}…{% endif %} / "
        '{{ contact.title | fallback("…") }})'
    )
    assert shown[5] == "Subject: "  # nothing drafted, nothing to send


def test_a_sender_without_address_is_named_before_its_empty_name(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    hole_project(project, "Hello from {{ sender.name }}")
    toml = project / "hole.toml"
    toml.write_text(
        toml.read_text().replace(
            'name = "Priya Sharma"\nemail = "priya.sharma@bellows.example"', ""
        )
    )
    cli("ingest", "hole.csv", "--event", "Hole Fair", "--date", "2026-05-01")
    cli("outbox", "plan", "--event", "Hole Fair", "--sequence", "hole", "--config", "hole.toml")
    assert cli("outbox", "show", "1").out.splitlines()[1] == (
        "State: blocked (sender 'default' has no address; set [sender] email in followup.toml "
        "(or FOLLOWUP_FROM), or email in its [senders.NAME] profile)"
    )


@pytest.mark.parametrize(
    ("subject", "partial", "reason"),
    [
        (
            'Rated {{ "%d" | format(sighting.rating) }}',
            "",
            "s/t.subject.j2 line 1: TypeError: %d format: a real number is required, not str; "
            "fix the template, or the value it uses, then plan again",
        ),
        (
            "Hi",
            "\n\n{{ 1/0 }}",
            "_partials/p.j2 line 3 (included by s/t.subject.j2): ZeroDivisionError: division by "
            "zero; fix the template, or the value it uses, then plan again",
        ),
    ],
)
def test_an_error_while_rendering_blocks_the_message(
    tmp_path: Path, subject: str, partial: str, reason: str
) -> None:
    one_template(tmp_path, subject + '{% include "_partials/p.j2" %}')
    (tmp_path / "_partials").mkdir()
    (tmp_path / "_partials" / "p.j2").write_text(partial)
    with pytest.raises(RenderError) as raised:
        render(tmp_path, "s", "t", CONTEXT)
    assert str(raised.value) == reason


def test_one_contacts_runtime_error_blocks_only_their_message(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    hole_project(project, 'Rated {{ "%d" | format(sighting.rating | int(-1)) }}/5')
    (project / "hole.csv").write_text(
        "Email,Rating\nnobody@hole.example,4\nsome@hole.example,hot\nthird@hole.example,5\n"
    )
    (project / "templates/hole/a.txt.j2").write_text(
        "{{ 100 // (sighting.rating | int) }}\n" + (project / "templates/hole/a.txt.j2").read_text()
    )
    cli("ingest", "hole.csv", "--event", "Hole Fair", "--date", "2026-05-01")
    planned = cli(
        "outbox", "plan", "--event", "Hole Fair", "--sequence", "hole", "--config", "hole.toml"
    )
    assert (planned.code, planned.err) == (0, "")
    assert planned.out.startswith("enrolled 3, already enrolled 0, drafted 2, blocked 1, ")
    with session_scope(os.environ["FOLLOWUP_DB"]) as session:
        rows = session.execute(
            sa.select(Message.to_addr, Message.state, Message.subject, Message.reason)
        ).all()
    assert sorted(rows) == [
        ("nobody@hole.example", "drafted", "Rated 4/5", ""),
        (
            "some@hole.example",
            "blocked",
            "",
            "hole/a.txt.j2 line 1: ZeroDivisionError: integer division or modulo by zero; "
            "fix the template, or the value it uses, then plan again",
        ),
        ("third@hole.example", "drafted", "Rated 5/5", ""),
    ]
