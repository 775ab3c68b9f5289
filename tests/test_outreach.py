import datetime as dt
import email
from email import policy
from pathlib import Path

import pytest

from contacts.errors import ConfigError, RenderError
from contacts.model import Message
from outreach.compose import build_email, header_safe
from outreach.config import load_config
from outreach.planner import make_message_id
from outreach.render import render
from outreach.sequences import get_sequence
from outreach.timing import add_business_days
from tests.conftest import ROOT

CONTEXT = {
    "contact": {
        "full_name": "Ann Lee",
        "first_name": "Ann",
        "last_name": "Lee",
        "company": "Contoso",
        "title": "Recruiter",
        "email": "ann@contoso.example",
    },
    "event": {"name": "Spring Fair", "date": dt.date(2026, 3, 12)},
    "sighting": {
        "notes": "the <data> team",
        "rating": "5",
        "captured_by": "Dana",
        "company": "Contoso",
        "title": "Recruiter",
        "lead": {},
    },
    "sender": {"name": "Priya", "email": "priya@example.edu", "signature": "Priya"},
    "stage": {"name": "x", "number": 1},
    "previous": None,
}


def _shipped() -> list[tuple[str, str]]:
    config = load_config(ROOT / "followup.toml")
    return [
        (name, stage.template)
        for name in config.sequences
        for stage in get_sequence(config, name).stages
    ]


@pytest.mark.parametrize(("sequence", "template"), _shipped())
def test_every_shipped_template_renders_for_a_sample_contact(sequence: str, template: str) -> None:
    out = render(ROOT / "templates", sequence, template, CONTEXT)
    assert out.subject and "\n" not in out.subject
    assert out.text.startswith("Hi Ann,\n")
    assert 'reply "unsubscribe"' in out.text
    assert "<p>" not in out.text
    assert out.html.startswith("<p>Hi Ann,</p>")


def test_html_is_autoescaped_and_text_is_not() -> None:
    out = render(ROOT / "templates", "job-seeker", "thank-you", CONTEXT)
    assert "the &lt;data&gt; team" in out.html
    assert "the <data> team" in out.text


def test_missing_first_name_uses_the_explicit_fallback() -> None:
    context = {**CONTEXT, "contact": {**CONTEXT["contact"], "first_name": ""}}  # type: ignore[dict-item]
    assert render(ROOT / "templates", "job-seeker", "thank-you", context).text.startswith(
        "Hi there,"
    )


def test_a_missing_variable_blocks_the_message(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    for part in ("subject", "txt", "html"):
        (tmp_path / "s" / f"t.{part}.j2").write_text("Hi {{ contact.nickname }}")
    with pytest.raises(
        RenderError, match="s/t.subject.j2: 'dict object' has no attribute 'nickname'"
    ):
        render(tmp_path, "s", "t", CONTEXT)


def test_unknown_sequence_lists_the_known_ones() -> None:
    with pytest.raises(
        ConfigError,
        match="no sequence 'nope'; known sequences: job-seeker, keep-in-touch, recruiter",
    ):
        get_sequence(load_config(ROOT / "followup.toml"), "nope")


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.date(2026, 3, 12), 1, dt.date(2026, 3, 13)),  # Thursday -> Friday
        (dt.date(2026, 3, 13), 1, dt.date(2026, 3, 16)),  # Friday -> Monday
        (dt.date(2026, 3, 13), 5, dt.date(2026, 3, 20)),
    ],
)
def test_business_days_skip_weekends(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_business_days(start, days) == expected


def test_business_days_skip_holidays() -> None:
    assert add_business_days(dt.date(2026, 12, 24), 1, [dt.date(2026, 12, 25)]) == dt.date(
        2026, 12, 28
    )


def test_message_ids_are_deterministic_and_distinct() -> None:
    a = make_message_id("fair", "job-seeker", "thank-you", "ann@x.example", "me.example")
    assert a == make_message_id("fair", "job-seeker", "thank-you", "ann@x.example", "me.example")
    assert a != make_message_id("fair", "job-seeker", "portfolio", "ann@x.example", "me.example")
    assert a.startswith("<") and a.endswith("@me.example>")


def test_data_can_never_add_a_header() -> None:
    message = Message(
        subject="Hi\r\nBcc: victim@example.org",
        to_addr="ann@x.example",
        from_addr="me@y.example",
        message_id="<1@y.example>",
        body_text="hello\n",
        body_html="<p>hello</p>",
    )
    mail = build_email(message, "Me\nX-Evil: 1", "Ann\r\nBcc: b@c.example")
    parsed = email.message_from_bytes(bytes(mail), policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Hi Bcc: victim@example.org"
    assert header_safe("a\r\n\tb") == "a b"
    assert parsed.get_body(("plain",)).get_content() == "hello\n"  # type: ignore[union-attr]
    assert parsed["List-Unsubscribe"] == "<mailto:me@y.example?subject=unsubscribe>"
