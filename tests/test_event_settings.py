"""Event settings from options and event.toml are checked up front: region, time zone, name,
and the `map` of columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from contacts.errors import InputError
from contacts.store import engine_for
from ingest.eventfolder import read_event_folder
from tests.conftest import SAMPLES

REGION_FIX = "use a two-letter country code such as US, GB, DE"
TZ_FIX = "use an IANA name such as Europe/Berlin, America/New_York or UTC"
FILE = str(SAMPLES / "fair-scans.csv")


def folder_with(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "event.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "leads.csv").write_text("E-Mail Adresse\nanna@example.de\n")
    return tmp_path


@pytest.mark.parametrize(
    "toml",
    ['map = { "E-Mail Adresse" = "email" }\n', '[map]\n"E-Mail Adresse" = "email"\n'],
)
def test_event_toml_map_inline_or_table(tmp_path: Path, toml: str) -> None:
    assert read_event_folder(folder_with(tmp_path, toml)).map == {"E-Mail Adresse": "email"}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('region = "ZZZ"\n', f"event.toml region: 'ZZZ' is not a country code; {REGION_FIX}"),
        (
            'region = "UK"\n',
            f"event.toml region: 'UK' is not a country code; did you mean GB? {REGION_FIX}",
        ),
        (
            'timezone = "Mars/Base"\n',
            f"event.toml timezone: 'Mars/Base' is not a time zone; {TZ_FIX}",
        ),
        (
            'name = "  "\n',
            "event.toml name: the event name is empty; give the event's name, "
            'e.g. "Spring Fair 2026"',
        ),
        (
            'map = { "E-Mail Adresse" = "emial" }\n',
            "event.toml map 'E-Mail Adresse': 'emial' is not a field followup knows; use one of "
            "email, phone, badge_id,",
        ),
        (
            'map = "E-Mail Adresse=email"\n',
            'event.toml map: write it as map = {"E-Mail Adresse" = "email"} '
            "(column name = field name)",
        ),
    ],
)
def test_bad_event_toml_values_name_the_file_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        read_event_folder(folder_with(tmp_path, toml))
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_a_good_event_toml_keeps_its_values(tmp_path: Path) -> None:
    info = read_event_folder(
        folder_with(tmp_path, 'name = "Messe"\nregion = "de"\ntimezone = "Europe/Berlin"\n')
    )
    assert (info.name, info.region, info.timezone, info.map) == ("Messe", "DE", "Europe/Berlin", {})


def test_ingest_refuses_an_unknown_region(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", "Fair", "--region", "ZZZ")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"error: --region: 'ZZZ' is not a country code; {REGION_FIX}\n"


@pytest.mark.parametrize("name", ["", "   "])
def test_ingest_refuses_a_blank_event(project: Path, cli, name: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", FILE, "--event", name)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        'error: --event: the event name is empty; give the event\'s name, e.g. "Spring Fair 2026"\n'
    )


def test_events_add_refuses_an_unknown_time_zone(project: Path, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    engine_for(db_url)  # a store that exists, so that `events list` can show nothing was added
    result = cli(
        "events", "add", "Fair", "--date", "2026-03-12", "--folder", "fair",
        "--timezone", "Mars/Base",
    )  # fmt: skip
    assert (result.code, result.out) == (2, "")
    assert result.err == f"error: --timezone: 'Mars/Base' is not a time zone; {TZ_FIX}\n"
    listed = cli("events", "list")
    assert listed.out.startswith("no events yet")


def test_events_add_refuses_an_unknown_region_and_accepts_a_good_one(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad = cli("events", "add", "Fair", "--date", "2026-03-12", "--folder", "f", "--region", "UK")
    assert bad.err == (
        f"error: --region: 'UK' is not a country code; did you mean GB? {REGION_FIX}\n"
    )
    good = cli(
        "events", "add", "Fair", "--date", "2026-03-12", "--folder", "f",
        "--region", "gb", "--timezone", "Europe/London",
    )  # fmt: skip
    assert good.code == 0, good.err


def test_run_refuses_a_blank_event_and_a_bad_event_toml_before_starting(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    Path("fair").mkdir()
    folder = folder_with(Path("fair"), 'timezone = "Mars/Base"\n')
    blank = cli("run", "fair", "--event", "  ")
    assert (blank.code, blank.out) == (2, "")
    assert blank.err.startswith("error: --event: the event name is empty;")
    bad = cli("run", str(folder))
    assert (bad.code, bad.out) == (2, "")
    assert bad.err == f"error: fair/event.toml timezone: 'Mars/Base' is not a time zone; {TZ_FIX}\n"


def test_followup_toml_event_sequence_comes_before_event_toml_in_run(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """README: --sequence, else [events.<slug>] sequence, else event.toml's, else the default."""
    folder = Path("prec")
    folder.mkdir()
    (folder / "event.toml").write_text(
        'name = "Prec Fair"\ndate = "2026-03-12"\nsequence = "recruiter"\n'
    )
    (folder / "leads.csv").write_text("Name,Email\nAda Park,ada@acme.example\n")
    with Path("followup.toml").open("a") as fp:
        fp.write('\n[events.prec-fair]\nsequence = "job-seeker"\n')
    assert cli("run", str(folder)).code == 0
    listed = cli("outbox", "list").out
    assert "thank-you" in listed and "next-steps" not in listed


def test_an_event_toml_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "event.toml").write_bytes(b'name = "Caf\xe9 Fair"\n')  # Windows-1252
    with pytest.raises(InputError) as raised:
        read_event_folder(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'event.toml'}: not UTF-8 text (byte 0xe9 at position 11); save it as UTF-8"
    )


def test_an_event_name_with_a_line_break_is_refused(tmp_path: Path) -> None:
    (tmp_path / "event.toml").write_text('name = "Evil Fair\\r\\nBcc: x@y.example"\n')
    with pytest.raises(InputError) as raised:
        read_event_folder(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'event.toml'} name: 'Evil Fair\\r\\nBcc: x@y.example' holds a line break "
        'or another control character; write the name on one line, e.g. "Spring Fair 2026"'
    )
