"""Planning across events on the sample fair (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from contacts import export
from contacts.match import match_pending
from contacts.model import Contact, Enrollment, Message
from contacts.stoprules import merge_enrollments, set_status
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from outreach.config import Config, load_config
from outreach.planner import plan_due, plan_event
from outreach.staging import met_before
from tests.conftest import SAMPLES

FAIR = "Spring Career Fair 2026"


def ingest(
    url: str, event: str = FAIR, date: dt.date = dt.date(2026, 3, 12), name: str = ""
) -> None:
    ingest_file(SAMPLES / (name or "fair-scans.csv"), event, date=date, region="US", url=url)
    match_pending(url)


def ingest_fall_meetup(url: str, tmp_path: Path) -> None:
    """The sample's LinkedIn connections, connected again at a meetup in October (a
    connection from March would be set aside as made before that event)."""
    text = (SAMPLES / "Connections.csv").read_text(encoding="utf-8")
    (tmp_path / "Connections.csv").write_text(text.replace(" Mar 2026", " Oct 2026"))
    ingest_file(tmp_path / "Connections.csv", "Fall Meetup 2026", dt.date(2026, 10, 1), "US",
                url=url)  # fmt: skip
    match_pending(url)


def config_in(project: Path) -> Config:
    return load_config(project / "followup.toml")


def states(url: str) -> Counter[tuple[int, str]]:
    with session_scope(url) as session:
        return Counter(
            (index, state)
            for index, state in session.execute(sa.select(Message.stage_index, Message.state))
        )


def mark_first_stage_sent(url: str, when: dt.datetime) -> None:
    """What a successful send leaves behind (the send itself is tested in test_sending)."""
    with session_scope(url) as session:
        for message in session.scalars(sa.select(Message).where(Message.stage_index == 0)):
            message.state, message.sent_at = "sent", when


def test_first_stage_once_then_next_stage_only_after_a_real_send(
    project: Path, db_url: str
) -> None:
    ingest(db_url)
    config = config_in(project)
    first = plan_event(FAIR, config, url=db_url)
    assert (first.enrolled, first.drafted, first.blocked) == (18, 18, 0)
    assert plan_event(FAIR, config, url=db_url).drafted == 0  # never twice
    assert plan_due(config, url=db_url).drafted == 0  # stage 1 not sent yet
    assert states(db_url) == Counter({(0, "drafted"): 18})
    assert len(list((project / "data/outbox/spring-career-fair-2026").glob("*.eml"))) == 18

    # The event was imported late: stage 1 goes out on Wednesday 2026-11-25, long after
    # the fair. Stage 2 is due 5 business days after that send, not after the fair.
    mark_first_stage_sent(db_url, dt.datetime(2026, 11, 25, 15, 0))
    assert plan_due(config, url=db_url).drafted == 18
    with session_scope(db_url) as session:
        maria = session.scalars(
            sa.select(Message).where(Message.stage == "portfolio", Message.to_addr.like("maria%"))
        ).one()
        # Thanksgiving (2026-11-26) is a configured holiday: 5 business days -> Dec 3.
        assert (maria.due_at, maria.timezone) == (
            dt.datetime(2026, 12, 3, 14, 0),
            "America/New_York",
        )
        assert maria.attachments[0].endswith("templates/job-seeker/files/resume.pdf")
        assert maria.subject == "My résumé, and one project you might like"


def test_all_stages_up_front_and_conditions_skip(project: Path, db_url: str) -> None:
    ingest(db_url)
    result = plan_event(
        FAIR, config_in(project), url=db_url, sequence_name="recruiter", all_stages=True
    )
    # roles (condition rating>=4) is skipped for the 8 leads rated below 4.
    assert (result.drafted, result.skipped, result.blocked) == (46, 8, 0)
    assert states(db_url) == Counter(
        {(0, "drafted"): 18, (1, "drafted"): 10, (1, "skipped"): 8, (2, "drafted"): 18}
    )
    with session_scope(db_url) as session:
        skipped = session.scalars(sa.select(Message).where(Message.state == "skipped")).first()
        assert skipped is not None and skipped.reason == "condition 'rating>=4' not met"


def test_a_message_that_cannot_render_is_blocked_with_the_reason(
    project: Path, db_url: str
) -> None:
    ingest(db_url)
    (project / "templates/job-seeker/thank-you.subject.j2").write_text("For {{ contact.nickname }}")
    result = plan_event(FAIR, config_in(project), url=db_url)
    assert (result.drafted, result.blocked) == (0, 18)
    with session_scope(db_url) as session:
        reasons = set(session.scalars(sa.select(Message.reason)))
    assert reasons == {"job-seeker/thank-you.subject.j2: 'dict object' has no attribute 'nickname'"}


def test_a_missing_opt_out_line_or_attachment_blocks(project: Path, db_url: str) -> None:
    ingest(db_url)
    resume = project / "templates/job-seeker/files/resume.pdf"
    resume.unlink()
    plan_event(FAIR, config_in(project), url=db_url, all_stages=True)
    with session_scope(db_url) as session:
        rows = session.execute(sa.select(Message.stage, Message.state, Message.reason)).all()
    # The draft after a blocked stage waits: nothing is drafted past a hole.
    assert Counter((s, st) for s, st, _ in rows) == Counter(
        {("thank-you", "drafted"): 18, ("portfolio", "blocked"): 18}
    )
    assert {r for _, st, r in rows if st == "blocked"} == {
        f"attachment {resume} not found; add the file or fix the stage"
    }
    (project / "templates/job-seeker/thank-you.txt.j2").write_text("Hi {{ contact.full_name }}")
    with session_scope(db_url) as session:
        session.execute(sa.delete(Message))
    plan_event(FAIR, config_in(project), url=db_url)
    with session_scope(db_url) as session:
        reasons = set(session.scalars(sa.select(Message.reason)))
    assert reasons == {
        "the text has no opt-out line; include _partials/footer.txt.j2 in the template"
    }


def test_one_conversation_per_person_across_events(
    project: Path, db_url: str, tmp_path: Path
) -> None:
    ingest(db_url)
    config = config_in(project)
    plan_event(FAIR, config, url=db_url)
    ingest_fall_meetup(db_url, tmp_path)
    result = plan_event("Fall Meetup 2026", config, url=db_url)
    with session_scope(db_url) as session:
        superseded = session.scalars(
            sa.select(Enrollment).where(Enrollment.state == "superseded")
        ).all()
        reasons = {e.reason for e in superseded}
        met_again = [
            m for m in session.scalars(sa.select(Message)) if m.enrollment.event.name != FAIR
        ]
    assert result.superseded == len(superseded) > 0
    assert reasons == {f"already in job-seeker for {FAIR}"}
    # People met for the first time at the meetup get their own first stage.
    assert len(met_again) == result.enrolled


def test_stop_rules_end_the_sequence(project: Path, db_url: str) -> None:
    ingest(db_url)
    config = config_in(project)
    plan_event(FAIR, config, url=db_url)
    mark_first_stage_sent(db_url, dt.datetime(2026, 3, 13, 14, 0))
    with session_scope(db_url) as session:
        maria = session.scalars(sa.select(Contact).where(Contact.first_name == "Maria")).one()
        set_status(session, maria.id, "replied", "thanks!")
    result = plan_due(config, url=db_url, all_stages=True)
    assert (result.drafted, result.stopped) == (34, 1)
    with session_scope(db_url) as session:
        enrollment = session.scalars(
            sa.select(Enrollment).where(Enrollment.contact_id == maria.id)
        ).one()
        assert (enrollment.state, enrollment.reason) == ("stopped", "contact replied")


@pytest.mark.parametrize("all_stages", [False, True])
def test_export_lists_each_contacts_messages(project: Path, db_url: str, all_stages: bool) -> None:
    ingest(db_url)
    plan_event(FAIR, config_in(project), url=db_url, all_stages=all_stages)
    with session_scope(db_url) as session:
        rows = json.loads(json.dumps(export.export_json_rows(session)))
    maria = next(r for r in rows if r["first_name"] == "Maria")
    stages = ["thank-you", "portfolio", "check-in"] if all_stages else ["thank-you"]
    assert [m["stage"] for m in maria["messages"]] == stages
    assert {m["sequence"] for m in maria["messages"]} == {"job-seeker"}
    assert maria["messages"][0]["state"] == "drafted"
    assert maria["messages"][0]["due"] == "2026-03-13T13:00:00+00:00"
    assert maria["messages"][0]["message_id"].endswith("@bellows.example>")


def test_merged_contacts_keep_one_enrollment(project: Path, db_url: str) -> None:
    ingest(db_url)
    plan_event(FAIR, config_in(project), url=db_url)
    with session_scope(db_url) as session:
        by_name = {c.first_name: c.id for c in session.scalars(sa.select(Contact))}
        merged = merge_enrollments(session, by_name["Maria"], by_name["Robert"])
        assert (merged.moved, len(merged.superseded)) == ([], 1)
        robert = session.scalars(
            sa.select(Enrollment).where(Enrollment.contact_id == by_name["Robert"])
        ).one()
        assert (robert.state, robert.reason) == (
            "superseded",
            f"merged into contact {by_name['Maria']}, already enrolled",
        )
        pending = session.scalars(
            sa.select(Message.state).where(Message.enrollment_id == robert.id)
        ).all()
        assert pending == ["cancelled"]
        # A contact with no enrollment of its own takes the merged one over.
        session.execute(sa.delete(Message).where(Message.contact_id == by_name["Aisha"]))
        session.execute(sa.delete(Enrollment).where(Enrollment.contact_id == by_name["Aisha"]))
        merged = merge_enrollments(session, by_name["Aisha"], by_name["Emily"])
        assert (len(merged.moved), merged.superseded) == (1, [])
        moved = session.scalars(
            sa.select(Message).where(Message.contact_id == by_name["Aisha"])
        ).one()
        assert moved.to_addr == "emily.nguyen@tailspin.example"


def test_a_blocked_draft_is_rendered_again_once_fixed(project: Path, db_url: str) -> None:
    ingest(db_url)
    subject = project / "templates/job-seeker/thank-you.subject.j2"
    good = subject.read_text()
    subject.write_text("For {{ contact.nickname }}")
    config = config_in(project)
    assert plan_event(FAIR, config, url=db_url).blocked == 18
    assert plan_due(config, url=db_url).drafted == 0  # still broken: still blocked
    subject.write_text(good)
    assert plan_due(config, url=db_url).drafted == 18
    assert states(db_url) == Counter({(0, "drafted"): 18})


def test_sender_follows_the_leads_captured_by(project: Path, db_url: str) -> None:
    ingest(db_url)
    config = config_in(project)
    config.tree["senders"]["dana"]["captured_by"] = ["priya sharma"]  # who scanned the leads
    plan_event(FAIR, config, url=db_url, sequence_name="recruiter")
    with session_scope(db_url) as session:
        senders = set(session.execute(sa.select(Message.from_name, Message.from_addr)))
        text = session.scalars(sa.select(Message.body_text)).first()
    assert senders == {("Dana Whitfield", "dana.whitfield@contoso.example")}
    assert text is not None and "University Recruiting, Contoso" in text  # her signature


def test_met_before_looks_at_earlier_events_only(
    project: Path, db_url: str, tmp_path: Path
) -> None:
    ingest(db_url)
    ingest_fall_meetup(db_url, tmp_path)
    with session_scope(db_url) as session:
        both = [
            c
            for c in session.scalars(sa.select(Contact))
            if len({s.event_id for s in c.sightings}) == 2
        ]
        assert both
        for contact in both:
            events = {s.event.name: s.event for s in contact.sightings}
            assert met_before(contact, events["Fall Meetup 2026"]) is True
            assert met_before(contact, events[FAIR]) is False


def test_a_shared_mailbox_gets_each_stage_once(project: Path, db_url: str, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "First Name,Last Name,Email,Company\n"
        "Sarah,Kim,info@startup.example,Startup Inc\n"
        "Tom,Brown,info@startup.example,Startup Inc\n"
        "Ada,Park,ada.park@acme.example,Acme\n"
    )
    ingest_file(leads, "Meetup", date=dt.date(2026, 3, 12), region="US", url=db_url)
    match_pending(db_url)
    config = config_in(project)
    result = plan_event("Meetup", config, url=db_url)
    assert (result.enrolled, result.drafted, result.skipped) == (3, 2, 1)
    with session_scope(db_url) as session:
        rows = session.execute(
            sa.select(Message.to_name, Message.state, Message.reason).order_by(Message.id)
        ).all()
    sarah, tom = (next(r for r in rows if r.to_name == name) for name in ("Sarah Kim", "Tom Brown"))
    assert (sarah.state, sarah.reason) == ("drafted", "")
    assert tom.state == "skipped"
    assert tom.reason.startswith("info@startup.example already gets this stage through contact #")
    assert tom.reason.endswith(
        "(Sarah Kim); one message per mailbox. To write to Tom Brown too, give this contact "
        "an address of their own"
    )
    again = plan_event("Meetup", config, url=db_url)
    assert (again.drafted, again.skipped) == (0, 0)
