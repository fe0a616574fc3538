"""--save-lp: the model handed to HiGHS, written by HiGHS, solves elsewhere to the planner's objective."""

from __future__ import annotations

import json

import highspy
import pytest

import optimiser
from builders import grid_case, run, workbook


def _solve_file(path) -> tuple[str, float]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return workbook(tmp_path_factory.mktemp("lp") / "in.xlsx", grid_case())  # a MIP (c is lumpy)


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
def test_saved_model_solves_to_the_plans_objective(small, tmp_path, suffix):
    model = tmp_path / f"model{suffix}"
    proc = run("plan", small, "-o", tmp_path / "p.xlsx", "--save-lp", model, "--json", "-", check_code=0)
    plan = json.loads(proc.stdout)
    assert plan["objective_meur"] == pytest.approx(1850.0)
    status, objective = _solve_file(model)
    assert status == "Optimal"
    assert objective == pytest.approx(plan["objective_meur"], rel=1e-9)
    text = model.read_text()
    # rows and columns carry the model's names; the lumpy binaries are integer in the file
    for name in ("d_a_2026", "s_b_G_2025", "budget_G_2026", "resource_grid_north_2026", "target_2026", "b_c_2026"):
        assert name in text, name
    assert ("MARKER" in text) if suffix == ".mps" else ("bin" in text.lower() or "gen" in text.lower())


def test_default_plan_model_from_the_api(tmp_path):
    path = tmp_path / "default.mps"
    p = optimiser.plan(save_lp=path)
    status, objective = _solve_file(path)
    assert status == "Optimal"
    assert objective == pytest.approx(p.objective_meur, rel=1e-9)
    with pytest.raises(optimiser.InputError, match="save_lp='.*default.mps': file exists; pass force=True"):
        optimiser.plan(save_lp=path)
    optimiser.plan(save_lp=path, force=True)


def test_the_objective_offset_is_written_into_the_file(small, tmp_path):
    """The standard-form compiler may move a constant out of the objective (``Solver.offset``; 0 for this
    model's objective): the file carries it, so another solver reports the planner's objective."""
    from optimiser.input.read import read_workbook
    from optimiser.model.build import build_model
    from optimiser.model.solve import Solver

    solver = Solver(build_model(read_workbook(small).input))
    solver.offset = 12.5  # as if the objective had a constant term
    path = tmp_path / "offset.lp"
    solver.write_model(str(path))
    assert solver.highs.getObjectiveOffset()[1] == 0.0  # the live instance is left as it was
    planner = solver.solve().objective
    assert planner == pytest.approx(1850.0 + 12.5)
    _, objective = _solve_file(path)
    assert objective == pytest.approx(planner, rel=1e-9)


def test_bad_save_lp_requests_write_nothing(small, tmp_path):
    proc = run("plan", small, "-o", tmp_path / "p.xlsx", "--save-lp", tmp_path / "m.txt", check_code=2)
    assert "--save-lp" in proc.stderr and ".mps or .lp" in proc.stderr
    (tmp_path / "m.mps").write_text("keep")
    proc = run("plan", small, "-o", tmp_path / "p.xlsx", "--save-lp", tmp_path / "m.mps", check_code=2)
    assert "file exists; pass --force" in proc.stderr
    assert (tmp_path / "m.mps").read_text() == "keep" and not (tmp_path / "p.xlsx").exists()
    run("plan", small, "-o", tmp_path / "p.xlsx", "--save-lp", tmp_path / "m.mps", "--force", check_code=0)
    assert _solve_file(tmp_path / "m.mps")[1] == pytest.approx(1850.0)
    assert not list(tmp_path.glob(".m.mps.*"))  # no temporary file left
