"""`followup run` maps columns from event.toml's `map` and from `--map`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DATA, SAMPLES

ROWS = (DATA / "email-only-de.csv").read_text(encoding="utf-8")


def test_run_uses_the_map_in_event_toml(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = Path("messe")
    folder.mkdir()
    (folder / "event.toml").write_text('name = "Messe"\nmap = { "E-Mail Adresse" = "email" }\n')
    (folder / "leads.csv").write_text(ROWS, encoding="utf-8")
    result = cli("run", str(folder))
    assert result.code == 0, result.err
    assert "│ leads.csv │ csv    │ ingested │    2 │        2 │           0 │" in result.out


def test_run_map_option_maps_a_column(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = Path("messe")
    folder.mkdir()
    (folder / "leads.csv").write_text(ROWS, encoding="utf-8")
    refused = cli("run", str(folder), "--event", "Messe")
    assert refused.code == 1
    assert "no name, email or phone column found" in refused.err
    other = ROWS.replace("anna", "berta").replace("max.", "moritz.")  # other people
    (folder / "more.csv").write_text(other, encoding="utf-8")
    mapped = cli("run", str(folder), "--event", "Messe", "--map", "E-Mail Adresse=email")
    assert mapped.code == 0, mapped.err
    assert "│ more.csv  │ csv    │ ingested │    2 │        2 │           0 │" in mapped.out


def test_a_folder_map_does_not_refuse_files_without_those_columns(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = Path("messe")
    folder.mkdir()
    (folder / "event.toml").write_text('name = "Messe"\n[map]\n"E-Mail Adresse" = "email"\n')
    (folder / "leads.csv").write_text(ROWS, encoding="utf-8")
    shutil.copy(SAMPLES / "fair-scans.csv", folder / "scans.csv")
    result = cli("run", str(folder))
    assert result.code == 0, result.err
    assert "│ leads.csv │ csv    │ ingested │    2 │        2 │           0 │" in result.out
    assert "│ scans.csv │ csv    │ ingested │   19 │       18 │           1 │" in result.out
