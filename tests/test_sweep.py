"""Sweeps: parsing --vary, the persistent solver against cold solves, and the sweep outputs.

The merit-order case (tests/builders.py): a 1 Mt at 50 €/t, b 2 Mt at 80 €/t,
c 2 Mt at 120 €/t, 10 support years, no CO2 price. Its cost as a function of
the target T is piecewise linear: slopes 500, 800 and 1200 M€ per Mt, kinks
at 1, 3 and 5 Mt; past 5 Mt every extra Mt is shortfall at P = 20 000 €/t (derived
from the data: 10 × c's 1 200 M€ per Mt/yr, rounded up to 1, 2 or 5 × a power of ten).
"""

from __future__ import annotations

import json
import random

import pytest

from builders import measure, run, tables, workbook, yearly
from optimiser.input.data import InputError
from optimiser.pipeline import solve_input
from optimiser.analysis.sweep import MAX_POINTS, grid, parse_vary, parse_varies, sweep
from optimiser.input.tables import to_input

TARGET = "settings:target_reduction_mt"


def merit_cost(t: float) -> float:
    """Hand-computed least public cost of the merit-order case (M€) for a target of t Mt."""
    if t <= 1:
        return 500 * t
    if t <= 3:
        return 500 + 800 * (t - 1)
    return 2100 + 1200 * (min(t, 5) - 3)


def merit_slope(t: float) -> float:
    """The slope of the objective strictly between kinks: the target's shadow price (€/t)."""
    return 500 if t < 1 else 800 if t < 3 else 1200 if t < 5 else 20_000


# ---------------------------------------------------------------- parsing

def test_a_range_includes_its_stop_and_is_exact_in_decimal():
    assert parse_vary("set", f"{TARGET}=10:30:5").values == (10, 15, 20, 25, 30)
    assert parse_vary("set", f"{TARGET}=0.1:0.3:0.1").values == (0.1, 0.2, 0.3)  # not 0.30000000000000004
    assert parse_vary("set", f"{TARGET}=0:1:0.1").values[-1] == 1.0
    assert len(parse_vary("set", f"{TARGET}=0:1:0.1").values) == 11
    assert parse_vary("set", f"{TARGET}=3:1:-1").values == (3, 2, 1)
    assert parse_vary("set", f"{TARGET}=1:2.5:1").values == (1, 2)  # the stop is not on the grid
    assert parse_vary("scale", "budgets:G:*=0.5:2:0.25").values == (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


def test_lists_single_values_keys_and_units():
    v = parse_vary("set", "measures:a:lumpy=yes,no")
    assert v.values == ("yes", "no") and v.key == "measures:a:lumpy"
    v = parse_vary("set", "prices:co2_price_eur_per_t:*=60, 100 ,200")
    assert v.values == (60, 100, 200) and v.unit == "€/t"
    assert parse_vary("set", f"{TARGET}=12.5").values == (12.5,)
    v = parse_vary("scale", "resources:grid_*:*=0.5,1.5")
    assert v.key == "resources:grid_*:* (scale)" and v.unit == "×"
    assert parse_vary("set", f"{TARGET}=1:2:1").unit == "Mt CO2-eq/yr"


@pytest.mark.parametrize("op, text, words", [
    ("set", f"{TARGET}=0:5:0", "STEP must not be 0"),
    ("set", f"{TARGET}=5:0:1", "goes away from STOP"),
    ("set", f"{TARGET}=1:2", "START:STOP:STEP"),
    ("set", f"{TARGET}=a:2:1", "START 'a' is not a number"),
    ("set", f"{TARGET}=1,,2", "blank value"),
    ("set", f"{TARGET}=", "no values"),
    ("set", "measures:a=1", "SHEET:ID:COLUMN"),
    ("set", "no equals sign", "expected SHEET:ID:COLUMN"),
    ("scale", "budgets:G:*=0.5,lots", "not a number"),
    ("set", f"{TARGET}=0:1e9:1", "more than"),
])
def test_bad_vary_is_input_error(op, text, words):
    with pytest.raises(InputError) as exc:
        parse_vary(op, text)
    assert words in str(exc.value)


def test_grid_is_the_product_with_the_first_variation_fastest():
    varies = parse_varies([("set", f"{TARGET}=1,2,3"), ("scale", "budgets:G:*=1,2")])
    assert grid(varies) == [(1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 2)]
    with pytest.raises(InputError, match="already varied"):
        parse_varies([("set", f"{TARGET}=1,2"), ("set", f"{TARGET}=3")])
    with pytest.raises(InputError, match="nothing to vary"):
        parse_varies([])
    side = int(MAX_POINTS ** 0.5) + 1
    with pytest.raises(InputError, match="grid has"):
        parse_varies([("set", f"{TARGET}=1:{side}:1"), ("set", f"prices:co2_price_eur_per_t:*=1:{side}:1")])


# ---------------------------------------------------------------- the merit-order curve

def test_target_sweep_reproduces_the_piecewise_linear_cost_and_its_slope():
    base = to_input(tables())
    v = parse_vary("set", f"{TARGET}=0:6:0.25")
    run_ = sweep(base, [v], keep_results=True)
    assert len(run_.points) == 25 and not run_.failed
    assert run_.rebuilds == 0  # only a right-hand side changes
    assert [p.solver_note for p in run_.points[:2]] == ["first build", "warm re-solve"]
    for p in run_.points:
        t = p.values[TARGET]
        assert p.public_cost_meur == pytest.approx(merit_cost(t), abs=1e-6), t
        assert p.objective_meur == pytest.approx(merit_cost(t) + 20_000 * max(0.0, t - 5), abs=1e-6), t
        assert p.abatement_mt[2026] == pytest.approx(min(t, 5), abs=1e-9)
        assert p.status == ("target_met" if t <= 5 else "target_not_met")
        if t > 0 and t not in (1, 3, 5):  # at a kink the dual is degenerate
            assert p.shadow[("target", 2026)] == pytest.approx(merit_slope(t), rel=1e-9), t
        assert p.result is not None and p.result.public_cost_meur == p.public_cost_meur


def test_max_abatement_budget_sweep_gives_the_abatement_per_euro_frontier():
    # one year, budget B: a (500 M€ for 1 Mt), then b (800 M€ per Mt), then c (1200 M€ per Mt)
    base = to_input(tables(years=[2024], budgets=[{"instrument_id": "G", 2024: 1.0}], objective="max-abatement"))
    run_ = sweep(base, [parse_vary("set", "budgets:G:2024=0:5000:500")])
    assert not run_.failed
    for p in run_.points:
        b = p.values["budgets:G:2024"]
        expected = (b / 500 if b <= 500 else 1 + (b - 500) / 800 if b <= 2100 else min(5.0, 3 + (b - 2100) / 1200))
        assert p.abatement_mt[2024] == pytest.approx(expected, abs=1e-9), b
        assert p.public_cost_meur == pytest.approx(min(b, 4500), abs=1e-6), b
    # budget 0 removes the subsidy variables: the model is rebuilt there and again when money returns
    assert run_.points[0].solver_note == "first build" and run_.points[1].rebuilt
    assert run_.rebuilds == 1


# ---------------------------------------------------------------- persistent re-solves = cold solves

def _random_case(seed: int, lumpy: bool):
    rng = random.Random(seed)
    years = [2024, 2025, 2026]
    t = tables(
        measures=[measure("a", 1.0, 50), measure("b", 2.0, 80, lead_time_years=1),
                  measure("c", 2.0, 120, lumpy="yes" if lumpy else "no"),
                  measure("d", 1.5, 95, exclusive_group="g"), measure("e", 1.0, 70, exclusive_group="g")],
        budgets=[{"instrument_id": "G", **yearly(1500.0, years)}],
        resources=[{"resource_id": "grid", "name": "grid", "kind": "stock", "unit": "MW", **yearly(120.0, years)}],
        usage=[{"measure_id": "a", "resource_id": "grid", "amount": 100.0},
               {"measure_id": "d", "resource_id": "grid", "amount": 60.0}],
        mip_gap=0.0,
    )
    targets = sorted(round(rng.uniform(0.5, 7.5), 3) for _ in range(4))
    scales = [0.0] + sorted(round(rng.uniform(0.1, 2.0), 3) for _ in range(2))
    # 130 €/t closes every gap (a rebuild), 85 closes a's, e's and b's
    prices = [round(rng.uniform(0, 60), 1), 85, 130]
    rng.shuffle(scales)
    rng.shuffle(prices)
    varies = parse_varies([("set", f"{TARGET}=" + ",".join(map(str, targets))),
                           ("scale", "budgets:G:*=" + ",".join(map(str, scales))),
                           ("set", "prices:co2_price_eur_per_t:*=" + ",".join(map(str, prices)))])
    return to_input(t), varies


@pytest.mark.parametrize("seed, lumpy", [(1, False), (2, False), (3, True), (4, True)])
def test_persistent_re_solves_match_cold_solves_at_every_point(seed, lumpy):
    base, varies = _random_case(seed, lumpy)
    run_ = sweep(base, varies, keep_results=True)
    assert len(run_.points) == 36 and not run_.failed
    assert run_.rebuilds >= 1  # the CO2 price and the zero budget change the structure
    assert any(p.solver_note == "warm re-solve" for p in run_.points)
    for p in run_.points:
        cold = solve_input(p.result.input)
        where = f"point {p.number} {p.values} ({p.solver_note})"
        assert p.objective_meur == pytest.approx(cold.objective_meur, rel=1e-9, abs=1e-6), where
        assert p.public_cost_meur == pytest.approx(cold.public_cost_meur, rel=1e-9, abs=1e-6), where
        assert p.status == cold.status, where
        # abatement itself may differ between equally cheap optima (free measures at a high CO2 price)
        assert p.shortfall_mt == pytest.approx(cold.shortfall_mt, abs=1e-6), where


def test_a_rebuild_says_why():
    base = to_input(tables())
    run_ = sweep(base, [parse_vary("set", "prices:co2_price_eur_per_t:*=100,110,125")])
    assert [p.rebuilt for p in run_.points] == [False, False, True]
    note = run_.points[2].solver_note
    assert note.startswith("rebuilt: ") and "no unprofitable gap any more" in note and "c in 2024–2026" in note
    # c at 125 €/t CO2 needs no subsidy: it is cheapest (free) and taken first
    assert run_.points[2].public_cost_meur == pytest.approx(0.0, abs=1e-6)


def test_a_point_that_breaks_a_rule_is_bad_input_before_anything_is_solved():
    base = to_input(tables())
    with pytest.raises(InputError) as exc:
        sweep(base, [parse_vary("set", "measures:a:max_share=0.5,1.5")])
    assert "sweep point 2 (measures:a:max_share=1.5)" in str(exc.value)
    with pytest.raises(InputError, match="no row of sheet 'budgets'"):
        sweep(base, [parse_vary("scale", "budgets:NOPE:*=1,2")])


# ---------------------------------------------------------------- the command line

@pytest.fixture
def small(tmp_path):
    return workbook(tmp_path / "in.xlsx", tables())


def test_sweep_writes_workbook_chart_and_json(small, tmp_path):
    out = tmp_path / "sweep.xlsx"
    proc = run("sweep", small, "--vary", f"{TARGET}=0.5:5.5:0.5", "-o", out, "--json", "-", check_code=0)
    points = json.loads(proc.stdout)
    assert len(points) == 11
    assert points[2]["point"] == {TARGET: 1.5}
    assert points[2]["public_cost_meur"] == pytest.approx(merit_cost(1.5))
    assert points[2]["shadow_prices"]["target"]["2026"] == pytest.approx(800)
    assert set(points[0]) >= {"status", "objective_meur", "public_cost_meur", "abatement_mt", "shortfall_mt",
                              "measures", "shadow_prices", "point"}
    assert points[-1]["status"] == "target_not_met"

    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Sweep", "Charts", "Binding limits", "About"]
    ws = wb["Sweep"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["point", f"{TARGET} (Mt CO2-eq/yr)", "status"]
    assert "public cost (M€)" in headers
    assert "marginal value of the 2026 target (M€ per Mt/yr, i.e. € per t of annual abatement)" in headers
    assert "spend G (M€)" in headers and "abatement 2026 (Mt CO2-eq/yr)" in headers
    assert any(h.startswith("shadow price max_share a") for h in headers)  # binds at some point
    cost = headers.index("public cost (M€)") + 1
    assert [ws.cell(row=r, column=cost).value for r in (2, 4)] == pytest.approx([250, 900])
    assert len(wb["Charts"]._charts) == 2  # the main curve, and peak cash below it
    peak = headers.index("peak cash, all instruments (M€)") + 1
    # every commitment pays out in its year (payout 1) at the same price every year: the canonical plan's lowest
    # cash peak spreads the commitments evenly over 2024–2026, a third of 250 and of 900 M€ a year
    peaks = [ws.cell(row=r, column=peak).value for r in (2, 4)]
    assert peaks == pytest.approx([250 / 3, 300])
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["input file"] == "in.xlsx" and len(about["input SHA-256"]) == 64
    assert about["solver rebuilds (structure changed)"] == 0
    limits = list(wb["Binding limits"].iter_rows(values_only=True))
    assert ("target", None, 2026) in {(r[3], r[4], r[5]) for r in limits[1:]}  # a target has no id but its year


def test_sweep_exit_codes_and_output_rules(small, tmp_path):
    # bad --vary: exit 2, nothing written
    proc = run("sweep", small, "--vary", f"{TARGET}=1:5:0", "-o", tmp_path / "x.xlsx", check_code=2)
    assert "STEP must not be 0" in proc.stderr and not (tmp_path / "x.xlsx").exists()
    proc = run("sweep", small, check_code=2)
    assert "nothing to vary" in proc.stderr
    # never the input, never an existing file without --force
    original = small.read_bytes()
    proc = run("sweep", small, "--vary", f"{TARGET}=1,2", "-o", small, "--force", check_code=2)
    assert "input workbook" in proc.stderr and small.read_bytes() == original
    out = tmp_path / "s.xlsx"
    run("sweep", small, "--vary", f"{TARGET}=1,2", "-o", out, check_code=0)
    proc = run("sweep", small, "--vary", f"{TARGET}=1,2", "-o", out, check_code=2)
    assert "--force" in proc.stderr
    run("sweep", small, "--vary", f"{TARGET}=1,2", "-o", out, "--force", check_code=0)
    # default name: outputs/sweep-<scenario>-<timestamp>.xlsx, never colliding
    first = run("sweep", small, "--vary", f"{TARGET}=1,2", cwd=tmp_path, check_code=0)
    second = run("sweep", small, "--vary", f"{TARGET}=1,2", cwd=tmp_path, check_code=0)
    files = sorted((tmp_path / "outputs").glob("sweep-test-*.xlsx"))
    assert len(files) == 2 and files[0].name in first.stdout + second.stdout
    # a target missed at some point is a result, not a failure: exit 0
    proc = run("sweep", small, "--vary", f"{TARGET}=4,8", "-o", tmp_path / "m.xlsx", "--scale", "budgets:G:*=2",
               "--objective", "min-cost", check_code=0)
    assert "target not met" in proc.stdout


def test_a_failed_point_is_reported_not_dropped_and_exits_4(small, tmp_path, monkeypatch, capsys):
    from optimiser import cli
    from optimiser.model.solve import Solution, Solver

    real = Solver.solve
    calls = {"n": 0}

    def flaky(self):
        calls["n"] += 1
        if calls["n"] == 2:
            return Solution(ok=False, status="Time limit reached", message="the solver reached its time limit")
        return real(self)

    monkeypatch.setattr(Solver, "solve", flaky)
    out, js = tmp_path / "f.xlsx", tmp_path / "f.json"
    code = cli.main(["sweep", str(small), "--vary", f"{TARGET}=1,2,3", "-o", str(out), "--json", str(js)])
    assert code == 4
    points = json.loads(js.read_text())
    assert [p["status"] for p in points] == ["target_met", "failed", "target_met"]
    assert points[1]["point"] == {TARGET: 2} and "time limit" in points[1]["message"]
    assert points[1]["public_cost_meur"] is None
    import openpyxl

    ws = openpyxl.load_workbook(out)["Sweep"]
    status = [c.value for c in ws["C"]][1:]
    assert status == ["target met", "failed", "target met"]
    assert "FAILED" in capsys.readouterr().out
