"""`followup run` on a folder with one broken file still ingests the others."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DATA, SAMPLES


def test_run_reports_a_broken_xlsx_and_ingests_the_rest(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = Path("fair")
    folder.mkdir()
    shutil.copy(SAMPLES / "business-cards.vcf", folder / "cards.vcf")
    shutil.copy(DATA / "truncated.xlsx", folder / "leads.xlsx")
    result = cli("run", str(folder), "--event", "Fair")
    assert result.code == 1
    assert "cards.vcf" in result.out and "leads.xlsx" in result.out
    assert (
        "error: leads.xlsx: not a readable XLSX workbook (File is not a zip file); open it in "
        "Excel or LibreOffice and save it again as .xlsx, or export it as CSV\n"
    ) in result.err
    assert "│ cards.vcf  │ vcard  │ ingested │   10 │       10 │           0 │" in result.out
    assert "Traceback" not in result.out + result.err
