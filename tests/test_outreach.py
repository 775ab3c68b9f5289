import datetime as dt
import email
from email import policy
from pathlib import Path

import pytest

from contacts.errors import ConfigError, RenderError
from contacts.model import Message
from outreach.compose import build_email, header_safe
from outreach.config import load_config
from outreach.render import render
from outreach.senders import resolve_sender
from outreach.sequences import Facts, get_sequence, unmet
from outreach.staging import make_message_id
from outreach.timing import Window, add_business_days, due_at, in_window, recipient_zone
from tests.conftest import ROOT

CONTEXT = {
    "contact": {
        "full_name": "Ann Lee",
        "first_name": "Ann",
        "last_name": "Lee",
        "company": "Contoso",
        "title": "Recruiter",
        "email": "ann@contoso.example",
        "met_before": False,
    },
    "event": {"name": "Spring Fair", "date": dt.date(2026, 3, 12), "slug": "spring-fair"},
    "sighting": {
        "notes": "the <data> team",
        "rating": "5",
        "captured_by": "Dana",
        "company": "Contoso",
        "title": "Recruiter",
        "captured_at": "",
        "lead": {},
    },
    "sender": {"key": "default", "name": "Priya", "email": "priya@example.edu", "signature": "P"},
    "stage": {"name": "x", "number": 1, "of": 3},
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
        from_name="Me\nX-Evil: 1",
        to_name="Ann\r\nBcc: b@c.example",
        attachments=[],
    )
    mail = build_email(message)
    parsed = email.message_from_bytes(bytes(mail), policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Hi Bcc: victim@example.org"
    assert header_safe("a\r\n\tb") == "a b"
    assert parsed.get_body(("plain",)).get_content() == "hello\n"  # type: ignore[union-attr]
    assert parsed["List-Unsubscribe"] == "<mailto:me@y.example?subject=unsubscribe>"


def test_met_before_changes_the_opening_line() -> None:
    context = {**CONTEXT, "contact": {**CONTEXT["contact"], "met_before": True}}  # type: ignore[dict-item]
    text = render(ROOT / "templates", "job-seeker", "thank-you", context).text
    assert text.splitlines()[2] == (
        "It was good to see you again at Spring Fair, and to hear what's new at Contoso."
    )


@pytest.mark.parametrize(
    ("condition", "facts", "reason"),
    [
        ("", Facts("", "", False), ""),
        ("has-notes", Facts("data team", "", False), ""),
        ("has-notes", Facts("  ", "", False), "condition 'has-notes' not met"),
        ("rating>=4", Facts("", "4", False), ""),
        ("rating>=4", Facts("", "3", False), "condition 'rating>=4' not met"),
        ("rating>=4", Facts("", "hot", False), "condition 'rating>=4' not met"),
        ("rating=hot", Facts("", "HOT", False), ""),
        ("first-time", Facts("", "", True), "condition 'first-time' not met"),
        ("met-before and has-notes", Facts("x", "", True), ""),
        ("met-before and has-notes", Facts("", "", True), "condition 'has-notes' not met"),
    ],
)
def test_stage_conditions(condition: str, facts: Facts, reason: str) -> None:
    assert unmet(condition, facts) == reason


def test_an_unknown_condition_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "followup.toml"
    path.write_text(
        '[sequences.s]\nstages = [{ name = "a", condition = "rating>4" }]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"stage 1: condition term 'rating>4' is unknown"):
        get_sequence(load_config(path), "s")


@pytest.mark.parametrize(
    ("phones", "expected"),
    [
        (["+4930123456"], "Europe/Berlin"),
        (["+12065550117"], "America/Los_Angeles"),
        (["+447911123456"], "Europe/London"),
        (["not a number", "+33142685300"], "Europe/Paris"),
        ([], "America/Chicago"),  # the event's zone
    ],
)
def test_recipient_zone_from_phone_then_event(phones: list[str], expected: str) -> None:
    assert recipient_zone(phones, "America/Chicago", "UTC") == expected


def test_recipient_zone_falls_back_to_the_sender() -> None:
    assert recipient_zone([], "", "Asia/Tokyo") == "Asia/Tokyo"


def test_send_window_is_local_and_skips_weekends_and_holidays() -> None:
    window = Window.parse("09:00-17:00")
    monday_utc_14 = dt.datetime(2026, 3, 16, 14, 0)  # 10:00 in New York, 15:00 in Berlin
    assert in_window(monday_utc_14, "America/New_York", window)
    assert in_window(monday_utc_14, "Europe/Berlin", window)
    assert not in_window(monday_utc_14, "Asia/Tokyo", window)  # 23:00 there
    assert not in_window(dt.datetime(2026, 3, 14, 14, 0), "America/New_York", window)  # Sat
    assert not in_window(monday_utc_14, "America/New_York", window, [dt.date(2026, 3, 16)])
    assert due_at(dt.date(2026, 3, 13), 1, "America/New_York", window) == dt.datetime(
        2026, 3, 16, 13, 0
    )


def test_a_bad_window_says_how_to_write_it() -> None:
    with pytest.raises(ConfigError, match="write it as HH:MM-HH:MM"):
        Window.parse("9 to 5")


def test_sender_by_captured_by_then_event_then_default() -> None:
    config = load_config(ROOT / "followup.toml")
    assert resolve_sender(config, "any", "  dana  WHITFIELD ").email == (
        "dana.whitfield@contoso.example"
    )
    config.tree["events"] = {"fall-fair": {"sender": "dana"}}
    assert resolve_sender(config, "fall-fair", "Someone Else").key == "dana"
    assert resolve_sender(config, "other", "").email == "priya.sharma@bellows.example"
    config.tree["events"] = {"fall-fair": {"sender": "nobody"}}
    with pytest.raises(ConfigError, match="no sender profile 'nobody'.*known profiles: dana"):
        resolve_sender(config, "fall-fair", "")


def test_attachments_and_both_parts_in_the_mime_layout(tmp_path: Path) -> None:
    resume = ROOT / "templates" / "job-seeker" / "files" / "resume.pdf"
    message = Message(
        subject="s",
        to_addr="ann@x.example",
        from_addr="me@y.example",
        message_id="<1@y.example>",
        body_text="hello ünïcode\n",
        body_html="<p>hello</p>",
        attachments=[str(resume)],
    )
    parsed = email.message_from_bytes(bytes(build_email(message)), policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    kinds = [part.get_content_type() for part in parsed.walk()]
    assert kinds == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    attachment = next(parsed.iter_attachments())
    assert attachment.get_filename() == "resume.pdf"
    assert attachment.get_content() == resume.read_bytes()
    assert bytes(build_email(message)).isascii()  # 7-bit clean for any server


@pytest.mark.parametrize(
    "expression",
    ['sighting.lead["Hiring For"] | fallback("x")', 'contact.nickname | fallback("x")'],
)
def test_fallback_stands_in_for_a_missing_value(tmp_path: Path, expression: str) -> None:
    (tmp_path / "s").mkdir()
    for part in ("subject", "txt", "html"):
        (tmp_path / "s" / f"t.{part}.j2").write_text(f"Hi {{{{ {expression} }}}}")
    out = render(tmp_path, "s", "t", CONTEXT)
    assert (out.subject, out.text, out.html) == ("Hi x", "Hi x\n", "Hi x")
