import sqlalchemy as sa

from contacts.match import match_pending
from contacts.model import Contact, Enrollment, Interaction, Message, SightingRow
from contacts.stoprules import cancel_pending, is_suppressed, set_status, suppress
from contacts.store import session_scope
from ingest.pipeline import ingest_file
from outreach.config import load_config
from outreach.planner import plan_event
from tests.conftest import ROOT, SAMPLES


def _planned(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ingest_file(SAMPLES / "business-cards.vcf", "Fair", url=db_url)
    match_pending(db_url)
    config = load_config(ROOT / "followup.toml")
    config.values["outbox"] = str(tmp_path / "outbox")
    config.values["templates"] = str(ROOT / "templates")
    assert plan_event("Fair", config, url=db_url).drafted == 10


def test_suppression_folds_spellings_and_cancels_pending(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _planned(db_url, tmp_path)
    with session_scope(db_url) as session:
        assert suppress(session, "ROBERT.CHEN@contoso.example", "unsubscribed") is True
        assert suppress(session, "robert.chen@contoso.example") is False
        assert is_suppressed(session, "Robert.Chen@Contoso.example")
        assert not is_suppressed(session, "sofia.rossi@initech.example")
        states = dict(session.execute(sa.select(Message.to_addr, Message.state)).all())
        assert states["Robert.Chen@contoso.example"] == "cancelled"
        assert list(states.values()).count("drafted") == 9


def test_reply_cancels_pending_and_status_never_weakens(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _planned(db_url, tmp_path)
    with session_scope(db_url) as session:
        sofia = session.scalars(sa.select(Contact).where(Contact.last_name == "Rossi")).one()
        assert set_status(session, sofia.id, "bounced", "550 5.1.1") == 1
        assert set_status(session, sofia.id, "replied") == 0
        assert sofia.status == "bounced"
        kinds = session.scalars(sa.select(Interaction.kind).order_by(Interaction.id)).all()
        assert kinds == ["bounced", "replied"]
        assert cancel_pending(session, sofia.id, "again") == 0


def test_plan_checks_the_address_it_writes_to(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An enrollment with nothing staged yet checks the contact's primary address (seen
    most often, the one written to) for suppression, not the first one stored."""
    export = tmp_path / "scans.csv"
    export.write_text(
        "First Name,Last Name,Email,Company,LinkedIn\n"
        "Ann,Lee,ann@old.example,Initech,https://www.linkedin.com/in/ann-lee-42/\n"
        "Ann,Lee,ann.lee@new.example,Initech,https://www.linkedin.com/in/ann-lee-42/\n"
        "Ann,Lee,ann.lee@new.example,Initech,https://www.linkedin.com/in/ann-lee-42/\n",
        encoding="utf-8",
    )
    ingest_file(export, "Fair", url=db_url)
    match_pending(db_url)
    config = load_config(ROOT / "followup.toml")
    config.values["outbox"] = str(tmp_path / "outbox")
    config.values["templates"] = str(ROOT / "templates")
    with session_scope(db_url) as session:
        ann = session.scalars(sa.select(Contact)).one()
        assert [(e.email, e.is_primary) for e in ann.emails] == [
            ("ann@old.example", False),
            ("ann.lee@new.example", True),
        ]
        sighting = session.scalars(sa.select(SightingRow)).first()
        assert sighting is not None
        session.add(
            Enrollment(
                contact_id=ann.id,
                event_id=sighting.event_id,
                sequence=str(config.get("defaults.sequence")),
                sighting_id=sighting.id,
            )
        )
        suppress(session, "ann.lee@new.example", "unsubscribed")
    result = plan_event("Fair", config, url=db_url)
    assert (result.drafted, result.suppressed, result.stopped) == (0, 1, 1)
    with session_scope(db_url) as session:
        assert session.scalars(sa.select(Message)).all() == []
