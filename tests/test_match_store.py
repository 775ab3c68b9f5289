"""Matching against the store: incremental, order-independent, reviewable and undoable."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from contacts.book import add_note, add_tag, find_contact, remove_tag
from contacts.match import match_pending
from contacts.model import (
    Cadence,
    Contact,
    ContactTag,
    Enrollment,
    Event,
    Interaction,
    MatchDecision,
    Message,
)
from contacts.review import decide, open_reviews
from contacts.stoprules import set_status
from contacts.store import session_scope
from contacts.survivorship import recompute
from contacts.unmerge import unmerge
from ingest.pipeline import ingest_file
from outreach.keepintouch import set_cadence
from tests.conftest import DATA

MATCH = DATA / "match"
FILES = ("badges.csv", "cards.csv", "connections.csv")


def load(url: str, *names: str) -> list[Any]:
    results = []
    for name in names:
        ingest_file(MATCH / name, "Expo", region="US", url=url)
        results.append(match_pending(url))
    return results


def partition(url: str) -> set[frozenset[tuple[str, int]]]:
    with session_scope(url) as session:
        return {
            frozenset((s.source_file.name, s.record) for s in c.sightings)
            for c in session.scalars(sa.select(Contact))
            if c.sightings
        }


def snapshot(url: str) -> list[tuple]:
    """Everything a contact shows, for exact before/after comparisons."""
    with session_scope(url) as session:
        return [
            (
                c.id, c.full_name, c.first_name, c.last_name, c.company, c.title, c.linkedin,
                c.merged_into,
                sorted((e.email, e.sighting_id, e.is_primary) for e in c.emails),
                sorted((p.phone, p.sighting_id, p.is_primary) for p in c.phones),
                sorted(s.id for s in c.sightings),
            )
            for c in session.scalars(sa.select(Contact).order_by(Contact.id))
        ]  # fmt: skip


EXPECTED = {
    frozenset({("badges.csv", 1), ("cards.csv", 1), ("connections.csv", 1)}),  # Bob/Robert
    frozenset({("badges.csv", 2)}),  # Jane Doe shares Acme's switchboard only
    frozenset({("badges.csv", 3)}),  # John Lee at Globex ...
    frozenset({("cards.csv", 2)}),  # ... is not John Lee at Initrode
    frozenset({("badges.csv", 4), ("cards.csv", 3)}),  # Liz = Elizabeth Taylor
    frozenset({("badges.csv", 5), ("cards.csv", 4)}),  # José Núñez = Jose Nunez
    frozenset({("badges.csv", 6)}),  # careers@ is read by Ann ...
    frozenset({("badges.csv", 7)}),  # ... and by Tom
    frozenset({("cards.csv", 5)}),  # Chris Park (gmail, no company): review ...
    frozenset({("connections.csv", 2)}),  # ... against Chris Park at Wingtip Toys
}


def test_incremental_matching_gives_one_partition_for_any_file_order(db_url: str) -> None:
    results = load(db_url, *FILES)
    assert [(r.sightings, r.new_contacts, r.matched, r.review) for r in results] == [
        (7, 7, 0, 0),
        (5, 2, 3, 1),
        (2, 1, 1, 1),
    ]
    assert partition(db_url) == EXPECTED
    with session_scope(db_url) as session:
        jose = session.get_one(Contact, 5)
        assert (jose.full_name, jose.company) == ("José Núñez", "Umbrella Health")
        robert = session.get_one(Contact, 1)
        assert [(e.email, e.is_primary) for e in robert.emails] == [
            ("bob.smith@acme.example", True),
            ("robert.smith@gmail.com", False),
        ]
        rules = session.scalars(
            sa.select(MatchDecision.rule).where(MatchDecision.kind == "join")
        ).all()
        assert sorted(rules) == [
            "email-exact", "name-exact+company-exact", "name-nickname+company-exact",
            "name-nickname+company-exact",
        ]  # fmt: skip


def test_every_order_of_files_and_batches_gives_the_same_contacts(
    db_url: str, tmp_path: Path
) -> None:
    for order in itertools.permutations(FILES):
        url = db_url if db_url.startswith("postgresql") else f"sqlite:///{tmp_path}/{order}.db"
        if url == db_url:
            from contacts import store
            from tests.conftest import _reset_postgres

            store.dispose(url)
            _reset_postgres(url)
        load(url, *order)
        assert partition(url) == EXPECTED, order
    # and all files in one batch
    url = f"sqlite:///{tmp_path}/batch.db"
    for name in FILES:
        ingest_file(MATCH / name, "Expo", region="US", url=url)
    assert match_pending(url).sightings == 14
    assert partition(url) == EXPECTED


def test_a_big_batch_is_matched_in_slices_with_the_same_contacts(tmp_path: Path) -> None:
    """14 pending sightings matched 1, 4 or 13 at a time (a transaction each, oldest first)
    group exactly as in one batch; each slice is one run of decisions."""
    for size in (1, 4, 13):
        url = f"sqlite:///{tmp_path}/slices-{size}.db"
        for name in FILES:
            ingest_file(MATCH / name, "Expo", region="US", url=url)
        result = match_pending(url, slice_size=size)
        assert (result.sightings, result.new_contacts + result.matched) == (14, 14)
        assert partition(url) == EXPECTED, size
        with session_scope(url) as session:
            runs = {
                d.evidence["run"]
                for d in session.scalars(
                    sa.select(MatchDecision).where(MatchDecision.kind.in_(("new", "join")))
                )
            }
        assert len(runs) == -(-14 // size), size


def chris_pair(url: str) -> int:
    """Load the three files; returns the id of the open review of the two Chris Parks."""
    load(url, *FILES)
    with session_scope(url) as session:
        reviews = open_reviews(session)
        assert [(d.contact_id, d.other_contact_id, d.rule) for d in reviews] == [
            (9, 10, "review-band"),
            (3, 8, "conflict"),
        ]
        return reviews[0].id


def test_keep_separate_survives_a_reimport(db_url: str) -> None:
    review_id = chris_pair(db_url)
    with session_scope(db_url) as session:
        assert decide(session, review_id, "keep-separate") == "contacts 9 and 10 are kept separate"
    # A new export has a Chris Park with the gmail address AND Wingtip Toys: without the
    # decision this sighting would glue contacts 9 and 10 together.
    [again] = load(db_url, "cards-again.csv")
    assert (again.sightings, again.new_contacts, again.matched, again.review) == (1, 0, 1, 0)
    with session_scope(db_url) as session:
        nine, ten = session.get_one(Contact, 9), session.get_one(Contact, 10)
        assert [(s.source_file.name, s.record) for s in nine.sightings] == [
            ("cards.csv", 5),
            ("cards-again.csv", 1),
        ]
        assert [(s.source_file.name, s.record) for s in ten.sightings] == [("connections.csv", 2)]
        assert open_reviews(session)[0].rule == "conflict"  # only John Lee is left


def test_review_merge_then_unmerge_restores_the_exact_prior_contacts(db_url: str) -> None:
    review_id = chris_pair(db_url)
    before = snapshot(db_url)
    with session_scope(db_url) as session:
        assert decide(session, review_id, "merge") == "merged contact 10 into contact 9"
    merged = snapshot(db_url)
    assert merged[8][1:7] == ("Chris Park", "Chris", "Park", "Wingtip Toys", "Designer",
                              "linkedin.com/in/chrispark")  # fmt: skip
    assert merged[9][7] == 9 and merged[9][10] == []  # the loser is kept, pointing at 9
    with session_scope(db_url) as session:
        decision = session.scalars(
            sa.select(MatchDecision).where(MatchDecision.kind == "merge")
        ).one()
        assert (decision.contact_id, decision.other_contact_id, decision.rule) == (9, 10, "manual")
        assert decision.evidence["levels"][3][:3] == ["name", "exact", 13.91]
        kept, split, undone = unmerge(session, 9)
        assert (kept.id, split.id, undone.id) == (9, 10, decision.id)
    assert snapshot(db_url) == before
    # ... and the two are now remembered as different people.
    with session_scope(db_url) as session:
        assert session.scalars(
            sa.select(MatchDecision.rule).where(MatchDecision.kind == "separate")
        ).all() == ["unmerge"]


def relations(url: str) -> list[tuple]:
    """Tags, the interaction log, cadences, status and message states of every contact."""
    with session_scope(url) as session:

        def of(cid: int, *columns: Any) -> list[Any]:
            rows = session.execute(sa.select(*columns).where(columns[0].table.c.contact_id == cid))
            return sorted(tuple(row) for row in rows)

        return [
            (
                c.id,
                c.status,
                of(c.id, ContactTag.tag),
                of(c.id, Interaction.kind, Interaction.detail),
                of(c.id, Cadence.every_days),
                of(c.id, Message.stage, Message.state, Message.reason),
            )
            for c in session.scalars(sa.select(Contact).order_by(Contact.id))
        ]


def test_a_merge_hands_tags_notes_cadence_and_status_to_the_survivor_and_unmerge_back(
    db_url: str,
) -> None:
    review_id = chris_pair(db_url)
    with session_scope(db_url) as session:
        add_tag(session, 9, "alumni")
        add_tag(session, 10, "alumni")
        add_tag(session, 10, "mentor")
        add_note(session, 10, "promised an intro to his manager")
        set_cadence(session, 90, contact_id=10)
        set_status(session, 10, "replied", "thanks, let's talk")
        event = session.scalars(sa.select(Event)).first()
        assert event is not None
        _enroll(session, 9, event.id, "job-seeker")
    before = relations(db_url)
    with session_scope(db_url) as session:
        assert decide(session, review_id, "merge") == "merged contact 10 into contact 9"
    with session_scope(db_url) as session:
        assert find_contact(session, "10").id == 9  # the merged id leads to the survivor
        add_tag(session, find_contact(session, "10").id, "rust")
    merged = {row[0]: row for row in relations(db_url)}
    assert merged[9][1:] == (
        "replied",
        [("alumni",), ("mentor",), ("rust",)],
        [("note", "promised an intro to his manager"), ("replied", "thanks, let's talk")],
        [(90,)],
        [("first", "cancelled", "contact replied (merged from contact 10)"),
         ("nudge", "cancelled", "contact replied (merged from contact 10)")],
    )  # fmt: skip
    assert merged[10][2:5] == ([("alumni",)], [], [])
    with session_scope(db_url) as session:
        remove_tag(session, 9, "rust")
        unmerge(session, 9)
    assert relations(db_url) == before


def test_unmerge_splits_off_sightings_an_import_joined(db_url: str) -> None:
    load(db_url, *FILES)
    with session_scope(db_url) as session:
        kept, split, undone = unmerge(session, 1)  # Robert Smith's LinkedIn row joined last
        assert (kept.id, split.id, undone.rule) == (1, 11, "name-exact+company-exact")
        assert [(s.source_file.name, s.record) for s in split.sightings] == [("connections.csv", 1)]
        assert (split.full_name, split.linkedin) == (
            "Robert Smith",
            "linkedin.com/in/robert-smith-acme",
        )
        assert kept.linkedin == ""


def _enroll(session: Any, contact_id: int, event_id: int, sequence: str) -> None:
    enrollment = Enrollment(contact_id=contact_id, event_id=event_id, sequence=sequence)
    session.add(enrollment)
    session.flush()
    for index, stage in enumerate(("first", "nudge")):
        session.add(
            Message(
                enrollment_id=enrollment.id, contact_id=contact_id, stage=stage,
                stage_index=index, state="drafted",
                message_id=f"<{contact_id}.{sequence}.{stage}@t>",
            )
        )  # fmt: skip
    session.flush()


def test_a_stage_already_sent_to_the_merged_contact_is_not_sent_again(db_url: str) -> None:
    review_id = chris_pair(db_url)
    with session_scope(db_url) as session:
        event_id = session.scalars(sa.select(Event.id)).one()
        _enroll(session, 9, event_id, "job-seeker")
        _enroll(session, 10, event_id, "job-seeker")
        first = sa.select(Message).where(Message.contact_id == 10, Message.stage == "first")
        session.scalars(first).one().state = "sent"
    states = sa.select(Message.contact_id, Message.stage, Message.state, Message.reason)
    with session_scope(db_url) as session:
        before = session.execute(states.order_by(Message.id)).all()
        decide(session, review_id, "merge")
    with session_scope(db_url) as session:
        assert [tuple(m) for m in session.execute(states.order_by(Message.id))] == [
            (9, "first", "cancelled", "already sent to this person as contact 10 (merged)"),
            (9, "nudge", "drafted", ""),
            (10, "first", "sent", ""),
            (10, "nudge", "cancelled", "merged into contact 9, already enrolled"),
        ]
        unmerge(session, 9)
    with session_scope(db_url) as session:
        assert session.execute(states.order_by(Message.id)).all() == before


def test_merging_two_enrolled_contacts_keeps_one_enrollment(db_url: str) -> None:
    review_id = chris_pair(db_url)
    with session_scope(db_url) as session:
        event_id = session.scalars(sa.select(Event.id)).one()
        _enroll(session, 9, event_id, "job-seeker")
        _enroll(session, 10, event_id, "job-seeker")
        _enroll(session, 10, event_id, "recruiter")
    with session_scope(db_url) as session:
        decide(session, review_id, "merge")
    with session_scope(db_url) as session:
        rows = session.execute(
            sa.select(Enrollment.contact_id, Enrollment.sequence, Enrollment.state).order_by(
                Enrollment.id
            )
        ).all()
        # One conversation at a time: contact 9 is already in job-seeker at this event,
        # so both of 10's enrollments stay behind, superseded, with their drafts cancelled.
        assert [tuple(r) for r in rows] == [
            (9, "job-seeker", "active"),
            (10, "job-seeker", "superseded"),
            (10, "recruiter", "superseded"),
        ]
        messages = session.execute(
            sa.select(Message.contact_id, Message.state, Message.reason).order_by(Message.id)
        ).all()
        assert [tuple(m) for m in messages] == [
            (9, "drafted", ""),
            (9, "drafted", ""),
            (10, "cancelled", "merged into contact 9, already enrolled"),
            (10, "cancelled", "merged into contact 9, already enrolled"),
            (10, "cancelled", "merged into contact 9, already enrolled"),
            (10, "cancelled", "merged into contact 9, already enrolled"),
        ]
    with session_scope(db_url) as session:
        unmerge(session, 9)
    with session_scope(db_url) as session:
        rows = session.execute(
            sa.select(Enrollment.contact_id, Enrollment.sequence, Enrollment.state).order_by(
                Enrollment.id
            )
        ).all()
        # Unmerge gives 10 its enrollments back (cancelled drafts stay cancelled: re-plan).
        assert [tuple(r) for r in rows] == [
            (9, "job-seeker", "active"),
            (10, "job-seeker", "active"),
            (10, "recruiter", "active"),
        ]


def test_new_sightings_read_only_their_neighbourhood_of_the_store(db_url: str) -> None:
    from contacts.matching.records import make_rec
    from contacts.matching.storage import neighbourhood

    load(db_url, *FILES)
    with session_scope(db_url) as session:
        stranger = make_rec(0, first="Zed", last="Quinn", emails=["zq@nowhere.example"])
        assert neighbourhood(session, [stranger], cap=100) == []
        chris = make_rec(0, first="Chris", last="Park", company="wingtip toys")
        found = neighbourhood(session, [chris], cap=100)
        # name key -> both Chris Parks; surname + company -> Ann Park at Wingtip too
        assert sorted((r.cluster, r.first, r.last) for r in found) == [
            (6, "ann", "park"),
            (9, "chris", "park"),
            (10, "chris", "park"),
        ]


def test_a_store_indexed_under_older_key_rules_is_reindexed_before_it_matches(
    db_url: str,
) -> None:
    from contacts.matching.records import KEYS_VERSION
    from contacts.matching.storage import KEYS_META, refresh_keys
    from contacts.model import MatchKey, Meta

    def index() -> set[tuple[int, str]]:
        with session_scope(db_url) as session:
            rows = session.execute(sa.select(MatchKey.sighting_id, MatchKey.key))
            return {(sid, key) for sid, key in rows}

    load(db_url, *FILES)
    current = index()
    assert ("nm:robert|smith" in {k for _, k in current}) and len(current) > 40
    with session_scope(db_url) as session:  # what an earlier followup left behind
        session.execute(sa.delete(MatchKey).where(MatchKey.key.like("nm:%")))
        session.execute(sa.insert(MatchKey).values(sighting_id=1, key="nm:stale|key"))
        session.execute(sa.delete(Meta).where(Meta.key == KEYS_META))
    before = partition(db_url)
    assert match_pending(db_url).sightings == 0
    assert index() == current and partition(db_url) == before
    with session_scope(db_url) as session:
        assert session.get(Meta, KEYS_META).value == str(KEYS_VERSION)  # type: ignore[union-attr]
        assert refresh_keys(session) == 0  # current: nothing to do


def test_a_reply_after_the_merge_survives_the_unmerge(db_url: str) -> None:
    review_id = chris_pair(db_url)
    with session_scope(db_url) as session:
        decide(session, review_id, "merge")
    with session_scope(db_url) as session:
        set_status(session, 9, "replied", "after the merge")
        unmerge(session, 9)
    with session_scope(db_url) as session:
        assert (session.get_one(Contact, 9).status, session.get_one(Contact, 10).status) == (
            "replied",
            "active",
        )


def test_a_pair_split_by_unmerge_is_not_offered_for_review_again(db_url: str) -> None:
    """An import that bridges the two Chris Parks merges them past their open review pair;
    unmerging that keeps them apart, so review must not ask about them again."""
    chris_pair(db_url)
    [again] = load(db_url, "cards-again.csv")  # gmail + Wingtip Toys: glues 9 and 10
    assert (again.new_contacts, again.matched) == (0, 1)
    with session_scope(db_url) as session:
        assert [d.rule for d in open_reviews(session)] == ["conflict"]
        assert unmerge(session, 9)[2].kind == "join"  # the bridging sighting leaves first
    with session_scope(db_url) as session:
        assert unmerge(session, 9)[2].kind == "merge"  # then 10 is split off 9
    with session_scope(db_url) as session:
        assert [(d.contact_id, d.other_contact_id, d.rule) for d in open_reviews(session)] == [
            (3, 8, "conflict")
        ]


def test_contacts_written_in_bulk_show_what_survivorship_computes(
    db_url: str, tmp_path: Path
) -> None:
    """Founding and joining are written with bulk statements (`contacts.joining`); each
    contact must show exactly what `survivorship.recompute` makes of its sightings."""
    load(db_url, *FILES, "cards-again.csv")
    # Dana's work address comes first; her home address, seen three times, takes over.
    for step, email in enumerate(["dana@work.example", "dana.r@gmail.com", "dana.r@gmail.com"]):
        path = tmp_path / f"dana-{step}.csv"
        # (a different note each time: a file with the same bytes is not read twice)
        path.write_text(f"Name,Email,Mobile,Notes\nDana Reyes,{email},+1 303 555 0177,{step}\n")
        ingest_file(path, "Expo", region="US", url=db_url)
        match_pending(db_url)
    with session_scope(db_url) as session:
        contacts = session.scalars(
            sa.select(Contact).where(Contact.merged_into.is_(None)).order_by(Contact.id)
        ).all()
        assert len(contacts) == 10
        with session.no_autoflush:  # loading the next contact's sightings must not flush
            for contact in contacts:
                recompute(contact)
        changed = [
            (type(obj).__name__, getattr(obj, "id", None))
            for obj in session.dirty
            if session.is_modified(obj)
        ]
        assert changed == []
        robert = session.get_one(Contact, 1)
        assert (robert.full_name, robert.company) == ("Robert Smith", "Acme")
        assert [(p.phone, p.is_primary) for p in robert.phones] == [
            ("+16175550100", True),
            ("+16175550199", False),
        ]
        dana = session.get_one(Contact, 11)
        assert [(e.email, e.is_primary) for e in dana.emails] == [
            ("dana@work.example", False),
            ("dana.r@gmail.com", True),
        ]
        assert [(p.phone, p.is_primary) for p in dana.phones] == [("+13035550177", True)]


def test_term_frequency_counts_follow_the_key_index(db_url: str) -> None:
    """`match_key_counts` holds, for every surname, given name and company key, how many
    indexed sightings carry it (and the surnames in all), through matching, forgetting,
    re-indexing and the migration that first fills it."""
    from contacts import store
    from contacts.forget import forget
    from contacts.matching.storage import KEYS_META
    from contacts.model import SURNAMES_COUNTED, MatchKey, MatchKeyCount, Meta

    def kept() -> dict[str, int]:
        with session_scope(db_url) as session:
            return dict(session.execute(sa.select(MatchKeyCount.key, MatchKeyCount.n)).all())

    def counted() -> dict[str, int]:
        with session_scope(db_url) as session:
            rows = session.execute(
                sa.select(MatchKey.key, sa.func.count())
                .where(sa.func.substr(MatchKey.key, 1, 3).in_(("ln:", "fn:", "co:")))
                .group_by(MatchKey.key)
            ).all()
        found = {key: n for key, n in rows}
        found[SURNAMES_COUNTED] = sum(n for key, n in found.items() if key.startswith("ln:"))
        return found

    load(db_url, *FILES)
    assert kept() == counted()
    assert (kept()["ln:smith"], kept()["fn:robert"], kept()["co:acme"]) == (3, 3, 4)
    assert kept()[SURNAMES_COUNTED] == 14
    forget(db_url, "bob.smith@acme.example")  # Bob/Robert Smith: three sightings
    assert kept() == counted()
    assert ("ln:smith" not in kept(), kept()["co:acme"], kept()[SURNAMES_COUNTED]) == (True, 1, 11)
    with session_scope(db_url) as session:  # indexed under older key rules: re-indexed
        session.execute(sa.delete(Meta).where(Meta.key == KEYS_META))
        session.execute(sa.update(MatchKeyCount).values(n=99))
    match_pending(db_url)
    assert kept() == counted()
    engine = store.engine_for(db_url)  # a version 2 store: counted once by the migration
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE match_key_counts"))
        conn.execute(sa.update(Meta).where(Meta.key == "schema_version").values(value="2"))
    store.dispose(db_url)
    assert store.schema_version(db_url) == 3
    assert kept() == counted() and kept()[SURNAMES_COUNTED] == 11
