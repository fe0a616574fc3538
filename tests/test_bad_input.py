"""Every malformed workbook and command line of the corpus is refused cleanly (issue 4).

For each case of tests/make_bad_corpus.py, `plan -o` and `check`: exit code 2,
no traceback, one line per problem naming file, sheet, row and column, and
nothing written or touched (the folder holds exactly what it held before: no
plan, no outputs/ folder, no temporary file, the input and an existing output
byte for byte the same).

Every case runs in-process through ``optimiser.cli.main`` (fast); a
representative subset, and every case about files and exit codes, also runs
as a real subprocess of ``python -m optimiser``.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from make_bad_corpus import CASES, Case, base_bytes, build, col_of, patch_part, raw_cell, sheet_part
from optimiser.cli import main

ROOT = Path(__file__).resolve().parent.parent


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = Path(p).read_bytes()
    return out


def check_refusal(case: Case, folder: Path, wb: Path, code: int, stderr: str, before: dict) -> None:
    assert code == 2, f"exit {code}\n{stderr}"
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    errors = [l for l in lines if l.startswith(("error: ", "policymix: error: "))]
    others = [l for l in lines if l not in errors and not l.startswith("note: ")]
    assert not others, f"stray stderr lines: {others}"
    assert len(errors) == case.problems, stderr
    line = errors[0]
    location = case.location(folder, wb)
    if location:
        assert line.startswith(f"error: {location}: "), f"expected the location {location!r}:\n{line}"
    fragment = case.fill(case.fragment, folder, wb)
    assert fragment in line, f"expected {fragment!r} in:\n{line}"
    assert snapshot(folder) == before, "a file was written, removed or changed"


def _ids(params):
    return [f"{c.name}-{cmd or 'argv'}" for c, cmd in params]


IN_PROCESS = [(c, cmd) for c in CASES for cmd in c.commands]
SUBPROCESS = [(c, c.commands[0]) for c in CASES if c.subprocess]


def test_the_corpus_covers_the_issue():
    categories = {c.category for c in CASES}
    assert categories == {"not a workbook", "structure", "values", "references", "formulas", "overrides", "usage"}
    assert len(CASES) >= 40
    assert {c.category for c, _ in SUBPROCESS} == categories  # every kind also runs for real


@pytest.mark.parametrize("case, command", IN_PROCESS, ids=_ids(IN_PROCESS))
def test_refused_in_process(case, command, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "case"
    wb = build(case, folder)
    argv = case.command_line(command, folder, wb)
    before = snapshot(folder)
    monkeypatch.chdir(folder)  # a default output would land in folder/outputs
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    stderr = capsys.readouterr().err
    check_refusal(case, folder, wb, code, stderr, before)


@pytest.mark.parametrize("case, command", SUBPROCESS, ids=_ids(SUBPROCESS))
def test_refused_by_the_real_command(case, command, tmp_path):
    folder = tmp_path / "case"
    wb = build(case, folder)
    argv = case.command_line(command, folder, wb)
    before = snapshot(folder)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "optimiser", *argv], capture_output=True, text=True,
                          cwd=folder, env=env, timeout=60)
    check_refusal(case, folder, wb, proc.returncode, proc.stderr, before)
    assert proc.stdout == ""


def test_debug_shows_the_traceback(tmp_path, capsys):
    case = next(c for c in CASES if c.name == "text_in_number")
    wb = build(case, tmp_path)
    assert main(["check", str(wb), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "found 'cheap', expected a number" in err


def test_every_problem_is_listed_at_once(tmp_path, capsys):
    """check lists all problems, one line each, in one run."""
    wb = openpyxl.load_workbook(io.BytesIO(base_bytes()))
    m = wb["measures"]
    m.cell(2, col_of(m, "abatement_mt")).value = -1
    m.cell(3, col_of(m, "lumpy")).value = "perhaps"
    m.cell(4, col_of(m, "eligible_instruments")).value = "NOPE"
    wb["budgets"].cell(2, col_of(wb["budgets"], 2026)).value = "=1/0"
    path = tmp_path / "many.xlsx"
    wb.save(path)
    assert main(["check", str(path)]) == 2
    errors = [l for l in capsys.readouterr().err.splitlines() if l.startswith("error: ")]
    where = sorted(l.split(": ")[1] for l in errors)
    assert where == sorted([
        f"{path}, sheet 'measures', row 2, column 'abatement_mt'",
        f"{path}, sheet 'measures', row 3, column 'lumpy'",
        f"{path}, sheet 'measures', row 4, column 'eligible_instruments'",
        f"{path}, sheet 'budgets', row 2, column '2026'",
    ])


def test_a_formula_with_a_cached_value_is_read_as_that_value(tmp_path, capsys):
    """The other side of the formula rule: a calculated workbook is fine (Excel stores <f> and <v>)."""
    make = raw_cell("measures", 2, "abatement_mt", '<c r="{ref}"><f>0.5*2</f><v>1</v></c>')
    path = make(tmp_path)
    assert main(["check", str(path)]) == 0, capsys.readouterr().err


def test_non_input_sheets_are_ignored_even_when_unreadable(tmp_path, capsys):
    """A sheet the planner does not use (notes, a chart's data) cannot stop a workbook from being read."""
    wb = openpyxl.load_workbook(io.BytesIO(base_bytes()))
    wb.create_sheet("notes")["A1"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    data = patch_part(buf.getvalue(), sheet_part("notes", buf.getvalue()),
                      lambda t: re.sub(r'<c r="A1".*?</c>', '<c r="A1" t="n"><v>garbage</v></c>', t))
    path = tmp_path / "notes.xlsx"
    path.write_bytes(data)
    assert main(["check", str(path)]) == 0
    assert "sheet 'notes' is not an input sheet: ignored" in capsys.readouterr().err
