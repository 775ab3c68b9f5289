"""A filter value that cannot match (unknown status, a tag nobody has) is an error that
lists the valid values, not an empty result with exit code 0."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.bookdata import load_spring

MARIA = "maria.garcia@northwind.example"
STATUS_ERROR = (
    "error: --status 'bogus': use one of active, paused, replied, unsubscribed, bounced\n"
)


@pytest.fixture
def book(project: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    load_spring(os.environ["FOLLOWUP_DB"])
    assert cli("contacts", "tag", MARIA, "mentor", "recruiter").code == 0
    return project


def test_an_unknown_status_is_refused(book: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("contacts", "list", "--status", "bogus")
    assert (result.code, result.out, result.err) == (2, "", STATUS_ERROR)
    assert cli("contacts", "list", "--status", "replied").code == 0


@pytest.mark.parametrize(
    "command",
    [
        ("contacts", "list", "--tag", "nope"),
        ("export", "contacts", "--tag", "nope"),
        ("export", "contacts", "--format", "vcard", "--tag", "Nope"),
        ("export", "contacts", "--format", "csv", "--layout", "google", "--tag", "nope"),
        ("contacts", "keep-in-touch", "--tag", "nope", "--every", "30d"),
    ],
    ids=["list", "export-json", "export-vcard", "export-csv", "keep-in-touch"],
)
def test_a_tag_nobody_has_is_refused(book: Path, cli, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command)
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "error: no contact is tagged 'nope'; tags in use: mentor, recruiter\n",
    )


def test_a_tag_in_use_still_filters(book: Path, cli) -> None:  # type: ignore[no-untyped-def]
    listed = cli("contacts", "list", "--tag", "Mentor")
    assert listed.code == 0 and listed.out.startswith("1 contacts")
    exported = cli("export", "contacts", "--tag", "mentor")
    assert exported.code == 0 and MARIA in exported.out
    cadence = cli("contacts", "keep-in-touch", "--tag", "mentor", "--every", "30d")
    assert cadence.out == "keeping in touch with tag mentor every 30 days\n"
    # Stopping a tag's cadence needs no tagged contact (the tag may have been removed since).
    assert cli("contacts", "keep-in-touch", "--tag", "nope", "--stop").code == 0


def test_with_no_tags_at_all_the_message_says_how_to_add_one(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    load_spring(os.environ["FOLLOWUP_DB"])
    result = cli("contacts", "list", "--tag", "nope")
    assert (result.code, result.err) == (
        2,
        "error: no contact is tagged 'nope'; tags in use: none yet (add one with "
        "`followup contacts tag ID TAG`)\n",
    )
