"""End-to-end runs of the command line on real workbooks (the top of the test pyramid)."""

from __future__ import annotations

import json

import pytest

from builders import measure, run, tables, workbook, yearly



@pytest.fixture
def small(tmp_path):
    t = tables(
        reduction=2.5,
        measures=[measure("a", 1.0, 50, cluster="north"), measure("b", 2.0, 80, cluster="south"),
                  measure("c", 2.0, 120, cluster="south", lumpy="yes")],
        resources=[{"resource_id": "grid_north", "name": "grid north", "kind": "stock", "unit": "MW", **yearly(50.0)}],
        usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 100.0}],
        scenarios=[{"scenario": "cheap-b", "sheet": "measures", "id": "b", "column": "cost_eur_per_t", "op": "set",
                    "value": 40, "note": "b gets cheaper"}],
    )
    return workbook(tmp_path / "in.xlsx", t)


def test_plan_json_and_rerun_of_the_plan_workbook_give_the_same_objective(small, tmp_path):
    out = tmp_path / "plan.xlsx"
    proc = run("plan", small, "-o", out, "--json", "-", check_code=0)
    result = json.loads(proc.stdout)
    # half of a (grid: 50 of 100 MW) = 0.5 Mt at 500 M€/Mt, then 2 Mt of b at 800 M€/Mt
    assert result["status"] == "target_met"
    assert result["objective_meur"] == pytest.approx(0.5 * 500 + 2 * 800)
    # one more MW: +1/100 share of a (0.01 Mt at 500 M€/Mt) replaces b (800 M€/Mt; c is lumpy and unused)
    assert result["shadow_prices"]["resource"]["grid_north"]["2026"] == pytest.approx((800 - 500) / 100)
    assert set(result) >= {"status", "objective_meur", "public_cost_meur", "abatement_mt", "shortfall_mt",
                           "measures", "shadow_prices"}
    assert result["measures"]["a"]["committed_share"] == pytest.approx(0.5)
    assert out.exists()
    again = run("plan", out, "-o", tmp_path / "plan2.xlsx", "--json", "-", check_code=0)
    assert json.loads(again.stdout)["objective_meur"] == pytest.approx(result["objective_meur"])


def test_scenario_and_overrides_change_the_answer(small, tmp_path):
    proc = run("plan", small, "-o", tmp_path / "s.xlsx", "--scenario", "cheap-b", "--json", "-", check_code=0)
    # b now 40 €/t: 2 Mt of b (800 M€) then 0.5 Mt of a (250 M€)
    assert json.loads(proc.stdout)["objective_meur"] == pytest.approx(800 + 250)
    proc = run("plan", small, "-o", tmp_path / "t.xlsx", "--set", "settings:target_reduction_mt=10",
               "--json", "-", check_code=3)
    res = json.loads(proc.stdout)
    assert res["status"] == "target_not_met"
    assert res["shortfall_mt"]["2026"] == pytest.approx(10 - 0.5 - 2 - 2)


def test_default_output_name_goes_to_outputs_and_never_collides(small, tmp_path):
    first = run("plan", small, cwd=tmp_path, check_code=0)
    second = run("plan", small, cwd=tmp_path, check_code=0)
    files = sorted((tmp_path / "outputs").glob("plan-test-*.xlsx"))
    assert len(files) == 2
    assert str(files[0].name) in first.stdout + second.stdout


def test_existing_output_needs_force_and_input_is_never_overwritten(small, tmp_path):
    out = tmp_path / "p.xlsx"
    run("plan", small, "-o", out, check_code=0)
    before = out.read_bytes()
    proc = run("plan", small, "-o", out, check_code=2)
    assert "--force" in proc.stderr and out.read_bytes() == before
    run("plan", small, "-o", out, "--force", check_code=0)
    original = small.read_bytes()
    proc = run("plan", small, "-o", small, "--force", check_code=2)
    assert "input workbook" in proc.stderr
    assert small.read_bytes() == original


def test_check_lists_every_problem_with_sheet_row_and_column(tmp_path):
    t = tables(measures=[measure("a", -1.0, 50), measure("b", 2.0, 80, eligible="NOPE")])
    t["budgets"][0][2025] = "lots"
    bad = workbook(tmp_path / "bad.xlsx", t)
    proc = run("check", bad, check_code=2)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert len(lines) == 3, proc.stderr
    assert any("sheet 'measures', row 2, column 'abatement_mt'" in l for l in lines)
    assert any("sheet 'measures', row 3, column 'eligible_instruments'" in l and "NOPE" in l for l in lines)
    assert any("sheet 'budgets', row 2, column '2025'" in l and "'lots'" in l for l in lines)
    assert "Traceback" not in proc.stderr


def test_check_passes_a_good_workbook(small):
    proc = run("check", small, check_code=0)
    assert "3 measures" in proc.stdout


def test_an_override_that_matches_nothing_is_an_error(small, tmp_path):
    proc = run("plan", small, "-o", tmp_path / "x.xlsx", "--scale", "budgets:NOPE*:*=2", check_code=2)
    assert "no row of sheet 'budgets'" in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_a_solver_that_stops_at_its_time_limit_writes_nothing_and_exits_4(small, tmp_path):
    # the fixture has a lumpy measure, so this is a MIP; a microsecond is never enough to prove it optimal
    out = tmp_path / "p.xlsx"
    proc = run("plan", small, "-o", out, "--set", "settings:time_limit_s=0.000001", "--json", tmp_path / "p.json",
               check_code=4)
    assert "time limit" in proc.stderr
    assert not out.exists() and not (tmp_path / "p.json").exists()
