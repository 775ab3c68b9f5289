"""Comparison levels, term frequencies, conflicts and coherent clustering (no database)."""

from __future__ import annotations

import itertools

from contacts.matching.engine import Matcher
from contacts.matching.levels import Stats, compare
from contacts.matching.nicknames import roots, same_name
from contacts.matching.records import block_keys, is_role_mailbox, make_rec


def levels(a, b, stats=None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {x.field: x.level for x in compare(a, b, stats or Stats()).levels}


def test_nickname_table_and_folding() -> None:
    assert same_name("bob", "robert") and same_name("liz", "elizabeth")
    assert not same_name("robert", "robert") and not same_name("maria", "mario")
    assert roots("chris") == {"christopher", "christine"}
    rec = make_rec(1, first="José María", last="Núñez-García", company="acme")
    assert (rec.first, rec.last) == ("jose", "nunezgarcia")
    assert make_rec(2, full="ROBERT  SMITH").name_key == "robert|smith"


def test_name_levels_exact_nickname_initial_swapped_typo_and_else() -> None:
    bob = make_rec(1, first="Bob", last="Smith")
    assert levels(bob, make_rec(2, first="ROBERT", last="SMITH"))["name"] == "nickname"
    assert levels(bob, make_rec(3, first="B.", last="Smith"))["name"] == "initial"
    assert levels(bob, make_rec(4, first="Smith", last="Bob"))["name"] == "swapped"
    assert levels(bob, make_rec(5, first="Bob", last="Smtih"))["name"] == "fuzzy"
    assert levels(bob, make_rec(6, first="Alice", last="Smith"))["name"] == "surname-only"
    assert levels(bob, make_rec(7, first="Alice", last="Jones"))["name"] == "else"
    assert levels(bob, make_rec(8, emails=["x@y.example"]))["name"] == "null"


def test_role_mailboxes_and_shared_lines_count_little() -> None:
    assert is_role_mailbox("careers@wingtip.example") and is_role_mailbox("info+fair@a.example")
    ann = make_rec(1, first="Ann", last="Park", emails=["careers@wingtip.example"])
    tom = make_rec(2, first="Tom", last="Ford", emails=["careers@wingtip.example"])
    found = compare(ann, tom, Stats())
    assert [(x.field, x.level, x.weight) for x in found.levels[1:2]] == [
        ("email", "exact-shared", 1.0)
    ]
    assert found.conflicts == ["different names"]
    stats = Stats()
    jane = make_rec(3, first="Jane", last="Doe", phones=["+16175550100"])
    bob = make_rec(4, first="Bob", last="Smith", phones=["+16175550100"])
    for rec in (jane, bob):
        stats.add(rec, [])
    assert levels(jane, bob, stats)["phone"] == "exact-shared"


def test_a_rare_surname_is_worth_more_than_smith() -> None:
    stats = Stats()
    people = [make_rec(i, first=f"p{i}", last="smith") for i in range(300)]
    people += [make_rec(1000 + i, first=f"q{i}", last=f"rare{i}") for i in range(300)]
    for rec in people:
        stats.add(rec, [f"ln:{rec.last}"])
    smith = compare(
        make_rec(1, first="Ann", last="Smith"), make_rec(2, first="Ann", last="Smith"), stats
    )
    rare = compare(
        make_rec(3, first="Ann", last="Rare1"), make_rec(4, first="Ann", last="Rare1"), stats
    )
    assert rare.score - smith.score > 3.0
    # one typo away from Smith is worth less than Smith itself, never more
    typo = compare(
        make_rec(5, first="Ann", last="Smith"), make_rec(6, first="Ann", last="Smth"), stats
    )
    assert typo.level("name") == "fuzzy" and typo.score == round(smith.score - 1.0, 3)
    rare_typo = compare(
        make_rec(7, first="Ann", last="Rare1"), make_rec(8, first="Ann", last="Rar1"), stats
    )
    assert (rare.score, rare_typo.score) == (15.0, 11.0)  # 6 for Ann, then 9 exact or 5 fuzzy


def test_strong_conflicts_block_a_merge() -> None:
    a = make_rec(1, first="John", last="Lee", emails=["john.lee@globex.example"], company="globex")
    b = make_rec(2, first="John", last="Lee", emails=["jlee@initrode.example"], company="initrode")
    assert compare(a, b, Stats()).conflicts == [
        "same name at different companies with different emails"
    ]
    c = make_rec(3, first="Ann", last="Kim", emails=["ann1@gmail.com"], phones=["+12065550101"])
    d = make_rec(4, first="Ann", last="Kim", emails=["annk@yahoo.com"], phones=["+12065550102"])
    assert compare(c, d, Stats()).conflicts == ["different personal emails and different phones"]


def test_swapped_neighbour_letters_are_a_typo_but_a_changed_letter_is_another_name() -> None:
    grace = make_rec(1, first="Grace", last="Huang", company="widebank")
    graec = make_rec(2, first="Graec", last="Huang", company="widebank")
    assert levels(grace, graec)["name"] == "transposed-given-name"
    assert compare(grace, graec, Stats()).score >= 16.0
    maria = make_rec(3, first="Maria", last="Garcia", company="acme")
    mario = make_rec(4, first="Mario", last="Garcia", company="acme")
    assert levels(maria, mario)["name"] == "fuzzy-given-name"
    assert compare(maria, mario, Stats()).score < 16.0


def test_a_mistyped_nickname_still_names_the_same_person() -> None:
    # 'Samule' is Samuel with two letters swapped; Sam is Samuel's nickname.
    assert roots("samule") == {"samuel"} and roots("ctaherine") == {"catherine", "katherine"}
    assert roots("mina") == {"mina"}  # one changed letter from Tina is another name, not a typo
    assert roots("sma") == {"sma"}  # too short to tell a typo from a name
    sam = make_rec(1, first="Sam", last="Moreau", emails=["smoreau@trey.example"])
    samule = make_rec(2, first="Samule", last="Moreau", emails=["smoreau@trey.example"])
    assert levels(sam, samule)["name"] == "nickname"
    samuel_card = make_rec(9, first="Samuel", last="Moreau")
    assert levels(samuel_card, samule)["name"] == "transposed-given-name"
    # a swapped given name and a typo in the surname: close, not two different names
    grace = make_rec(3, first="Graec", last="Huang", company="widebank")
    huag = make_rec(4, first="Grace", last="Huag", company="widebank")
    assert levels(grace, huag)["name"] == "fuzzy"
    # one address on three cards: before, Samule and Sam were two names, so one stayed out
    samuel = make_rec(5, first="Samuel", last="Moreau", emails=["smoreau@trey.example"])
    outcome = Matcher().resolve([samuel, sam, samule])
    assert sorted(outcome.groups.values()) == [[1, 2, 5]]


def test_a_work_address_and_a_personal_one_are_not_evidence_against() -> None:
    work = make_rec(1, first="Maria", last="Smith", emails=["msmith@woodgrove.example"])
    home = make_rec(2, first="Maria", last="Smith", emails=["mariasmith@icloud.com"])
    mixed = compare(work, home, Stats()).levels[1]
    assert (mixed.level, mixed.weight) == ("work-and-personal", 0.0)
    other_job = make_rec(3, first="Maria", last="Smith", emails=["maria.s@falcon.example"])
    assert compare(work, other_job, Stats()).levels[1][1:3] == ("else", -1.0)
    both = make_rec(4, first="Maria", last="Smith", emails=["ms@falcon.example", "m@gmail.com"])
    assert levels(work, both)["email"] == "else"  # a record with both kinds is not 'mixed'


def test_a_user_name_that_only_spells_the_name_is_weak_evidence() -> None:
    work = make_rec(1, first="Ingrid", last="Brisk", emails=["ingrid.brisk@southridge.example"])
    home = make_rec(2, first="Ingrid", last="Brisk", emails=["ingrid.brisk@yahoo.com"])
    assert levels(work, home)["email"] == "same-username-of-name"
    handle = make_rec(3, first="Ingrid", last="Brisk", emails=["skyrunner77@yahoo.com"])
    other = make_rec(4, first="Ingrid", last="Brisk", emails=["skyrunner77@acme.example"])
    assert levels(handle, other)["email"] == "same-username"


def test_a_job_change_joins_through_the_personal_mobile_not_through_the_name() -> None:
    # Zoe moved from Ironbridge to Falcon: same mobile, so one person; the namesake at a
    # third company with another mobile stays apart.
    old = make_rec(
        1,
        first="Zoe",
        last="Kuznetsov",
        emails=["zoek@ironbridge.example"],
        phones=["+14575946167"],
        company="ironbridge",
    )
    old_card = make_rec(
        2, first="Zoë", last="Kuznetsov", emails=["zoek@ironbridge.example"], company="ironbridge"
    )
    new = make_rec(
        3,
        first="Zoë",
        last="Kuznetsov",
        emails=["zoek@falcon.example"],
        phones=["+14575946167"],
        company="falcon",
    )
    namesake = make_rec(4, first="Zoe", last="Kuznetsov", emails=["zkuznetsov@globex.example"],
                        phones=["+12065550100"], company="globex")  # fmt: skip
    assert compare(old, new, Stats()).conflicts == []
    assert compare(old_card, new, Stats()).conflicts == [
        "same name at different companies with different emails"
    ]
    outcome = Matcher().resolve([old, old_card, new, namesake])
    assert sorted(outcome.groups.values()) == [[1, 2, 3], [4]]


def test_transitive_chains_never_glue_two_people() -> None:
    # Bob and Rob are one person (same email); Rob and Robin share a mobile by mistake.
    bob = make_rec(1, first="Bob", last="Smith", emails=["bob@acme.example"], company="acme")
    rob = make_rec(2, first="Rob", last="Smith", emails=["bob@acme.example"], phones=["+1555"])
    robin = make_rec(3, first="Robin", last="Smith", phones=["+1555"], company="acme")
    outcome = Matcher().resolve([bob, rob, robin])
    assert sorted(outcome.groups.values()) == [[1, 2], [3]]


def test_the_partition_does_not_depend_on_input_order() -> None:
    recs = [
        make_rec(1, first="Bob", last="Smith", emails=["bob@acme.example"], company="acme"),
        make_rec(2, first="Robert", last="Smith", phones=["+16175550199"], company="acme"),
        make_rec(3, first="Robert", last="Smith", emails=["bob@acme.example"]),
        make_rec(4, first="Liz", last="Taylor", company="initech"),
        make_rec(5, first="Elizabeth", last="Taylor", company="initech", title="Recruiter"),
        make_rec(6, first="Maria", last="Garcia", emails=["maria@acme.example"], company="acme"),
        make_rec(7, first="Mario", last="Garcia", emails=["mario@acme.example"], company="acme"),
    ]
    partitions = set()
    for order in itertools.permutations(recs):
        outcome = Matcher().resolve([make_rec(r.id, first=r.first, last=r.last, emails=r.emails,
                                              phones=r.phones, company=r.company, title=r.title)
                                     for r in order])  # fmt: skip
        partitions.add(tuple(sorted(tuple(g) for g in outcome.groups.values())))
    assert partitions == {((1, 2, 3), (4, 5), (6,), (7,))}


def test_blocking_keys_cover_identifiers_names_and_companies() -> None:
    rec = make_rec(
        1, first="Bob", last="Smith", emails=["robert.smith@gmail.com"], phones=["+1617"],
        company="acme", linkedin="linkedin.com/in/bob",
    )  # fmt: skip
    assert block_keys(rec) == [
        "li:linkedin.com/in/bob", "em:robert.smith@gmail.com", "lp:robert.smith", "ph:+1617",
        "nm:robert|smith", "ni:b|smith", "lc:smith|acme", "fc:robert|acme",
    ]  # fmt: skip
