"""The layering DESIGN.md asks for: imports point one way, Prefect and printing stay in flows/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> the project packages it must never import
FORBIDDEN = {
    "contacts": {"ingest", "outreach", "flows"},
    "ingest": {"outreach", "flows"},
    "outreach": {"ingest", "flows"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _calls(path: Path) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


MODULES = sorted(p for package in FORBIDDEN for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way_and_prefect_stays_in_flows(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    top = {name.split(".")[0] for name in _imports(path)}
    assert not top & FORBIDDEN[package], f"{path.name} imports {sorted(top & FORBIDDEN[package])}"
    assert "prefect" not in top
    assert not {"print", "exit"} & _calls(path)


def test_the_walk_sees_every_package() -> None:
    assert {p.relative_to(ROOT).parts[0] for p in MODULES} == set(FORBIDDEN)
    assert len(MODULES) > 40
