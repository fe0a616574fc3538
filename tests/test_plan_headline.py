"""A plan's own headline over drawn futures (issue 23 point 5): when the workbook has an uncertainty sheet,
``policymix plan`` adds one line — how often the plan meets every target over a quick stress test (seed 1) and its
80 %-sure abatement — on the terminal, the Summary sheet and in the JSON (``stress_test``); ``--futures 0`` leaves
it out.

The case (tests/test_confidence.py, grid_slip_case): target 1 Mt in 2026; the plan buys A (1 Mt/yr, 50 M€), which
runs only where the grid comes in 2026 — exactly 7 of 10 Latin-hypercube futures (a choice with weights 7;3). So
the plan meets the target in 7 of 10 futures; its abatement is 1 Mt in 7 and 0 in 3: reached in at least 50 % of
them 1 Mt (the 5th largest), in at least 80 % and 95 % 0 Mt (the 8th and 10th largest).
"""

from __future__ import annotations

import json

import openpyxl
import pytest

import optimiser
from builders import tables, workbook
from optimiser.cli import main
from optimiser.pipeline import run
from test_confidence import grid_slip_case

LINE = ("Over 10 futures drawn from the uncertainty sheet (seed 1, the commitments fixed), this plan meets every "
        "target in 7 of them (70 %); its abatement in 2026 reached in at least 80 % of them: 0.00 Mt CO2-eq/yr (target 1.00).")


@pytest.fixture(scope="module")
def slip(tmp_path_factory):
    return workbook(tmp_path_factory.mktemp("headline") / "slip.xlsx", grid_slip_case())


def test_the_plan_says_how_often_it_meets_the_target_over_drawn_futures(slip, tmp_path, capsys):
    out, js = tmp_path / "plan.xlsx", tmp_path / "plan.json"
    assert main(["plan", str(slip), "--futures", "10", "-o", str(out), "--json", str(js)]) == 0
    stdout = capsys.readouterr().out
    assert LINE in stdout and stdout.index("Every target is met") < stdout.index(LINE)
    doc = json.loads(js.read_text())
    assert doc["stress_test"] == {"samples": 10, "seed": 1, "futures_met": 7, "p_target_met": 0.7,
                                  "sure_abatement_mt": {"0.5": {"2026": 1.0}, "0.8": {"2026": 0.0},
                                                        "0.95": {"2026": 0.0}}}
    summary = [c.value for row in openpyxl.load_workbook(out)["Summary"].iter_rows() for c in row if c.value]
    assert LINE in summary and summary.index(LINE) == 2  # right under the answer
    # the same numbers as policymix futures --plan with that many futures and seed 1
    stress = run("futures", plan=out, samples=10, seed=1, jobs=1, write_workbook=False).result
    assert stress.met == 7 and stress.sure_abatement_mt[0.8] == {2026: 0.0}
    # the API's plan has it too
    p = optimiser.plan(slip, futures=10)
    assert p.result.stress.met == 7 and p.to_dict()["stress_test"]["p_target_met"] == 0.7


def test_futures_0_leaves_it_out_and_so_does_a_workbook_without_uncertainty(slip, tmp_path, capsys):
    js = tmp_path / "plan.json"
    assert main(["plan", str(slip), "--futures", "0", "-o", str(tmp_path / "p.xlsx"), "--json", str(js)]) == 0
    assert "futures drawn from the uncertainty sheet" not in capsys.readouterr().out
    assert json.loads(js.read_text())["stress_test"] is None  # the key is always there
    plain = workbook(tmp_path / "plain.xlsx", tables())
    assert main(["plan", str(plain), "-o", str(tmp_path / "q.xlsx"), "--json", str(js), "--force"]) == 0
    assert "futures drawn from the uncertainty sheet" not in capsys.readouterr().out
    assert json.loads(js.read_text())["stress_test"] is None
    with pytest.raises(SystemExit):
        main(["plan", str(slip), "--futures", "-1"])
