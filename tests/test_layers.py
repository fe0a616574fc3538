"""The package's shape: imports only run down the stages, and only the workbook layer touches openpyxl."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "optimiser"

#: Each module's place in the flow: read and validate → scenario → build → solve → extract →
#: write → pipeline → CLI. A module may import only modules of a lower rank.
RANK = {
    "data": 0, "manifest": 0,
    "tables": 1,
    "read": 2,
    "scenario": 3,
    "build": 4,
    "solve": 5,
    "extract": 6,
    "alternatives": 7, "simulate": 7,
    "write": 8, "compare": 8,
    "sweep": 9,  # many plans in one go: build, solve, extract and the JSON of each point
    "write_sweep": 10, "write_rules": 10,
    "pipeline": 11,
    "rules_gap": 12, "terminal": 12,
    "cli": 13,
    "__main__": 14, "__init__": 0,
}
WORKBOOK_LAYER = {"read", "write", "write_sweep", "write_rules"}


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(package modules imported, top-level third-party packages imported), anywhere in the file."""
    own, other = set(), set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    own.add(node.module.split(".")[0])
                else:
                    own.update(a.name for a in node.names if (PACKAGE / f"{a.name}.py").exists())
            elif node.module:
                other.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            other.update(a.name.split(".")[0] for a in node.names)
    return own, other


def test_every_module_has_a_rank():
    assert {p.stem for p in PACKAGE.glob("*.py")} == set(RANK)


def test_imports_only_run_down_the_stages():
    upward = []
    for path in PACKAGE.glob("*.py"):
        own, _ = _imports(path)
        for target in own:
            if RANK[target] >= RANK[path.stem] and target != path.stem:
                upward.append(f"{path.stem} (rank {RANK[path.stem]}) imports {target} (rank {RANK[target]})")
    assert not upward, upward


def test_only_the_workbook_layer_imports_openpyxl():
    users = {p.stem for p in PACKAGE.glob("*.py") if "openpyxl" in _imports(p)[1]}
    assert users <= WORKBOOK_LAYER, users - WORKBOOK_LAYER
    assert {"read", "write"} <= users
