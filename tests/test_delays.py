"""What each delay costs (docs/model.md section 17, policymix delays): hand cases."""

from __future__ import annotations

import pytest

from builders import measure, tables, yearly
from optimiser.analysis.delays import delays, items
from optimiser.input.data import InputError
from optimiser.input.tables import to_input

SEVEN = list(range(2024, 2031))


def grid_case() -> dict:
    """a: 1 Mt/yr, 50 €/t, D = 10 (500 M€), needs 1 MW of a grid that comes in 2029 (0 before); b: 1 Mt/yr,
    200 €/t (2 000 M€), no grid. Target 1 Mt in 2030. The plan funds a once the grid is there.
    A grid one year late (2030) still runs a in 2030: nothing lost, nothing extra. Two years late (2031): a
    cannot run in 2030 — the plan fixed loses its whole 1 Mt/yr; re-planned, b replaces it: 1 500 M€ more.
    c: a lumpy project (1 Mt/yr, 300 €/t, lead time 5) the plan does not need: its delay costs nothing."""
    return tables(measures=[measure("a", 1.0, 50), measure("b", 1.0, 200),
                            measure("c", 1.0, 300, lumpy="yes", lead_time_years=5)],
                  budgets=[{"instrument_id": "G", **yearly(1e6, SEVEN)}],
                  resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW",
                              **{y: (1.0 if y >= 2029 else 0.0) for y in SEVEN}},
                             {"resource_id": "labour", "kind": "flow", "unit": "FTE", **yearly(10.0, SEVEN)}],
                  usage=[{"measure_id": "a", "resource_id": "grid", "amount": 1.0}], years=SEVEN, reduction=1.0,
                  prices=[{"parameter": "co2_price_eur_per_t", **yearly(0.0, SEVEN)}])


def test_a_delay_of_one_year_costs_nothing_and_of_two_the_whole_measure():
    inp = to_input(grid_case())
    assert items(inp) == [("resource", "grid"), ("measure", "c")]  # labour is a flow; c is lumpy
    run = delays(inp, years=[1, 2])
    got = {(d.item, d.years): d for d in run.delays}
    assert run.plan_abatement_mt == pytest.approx(1.0) and run.plan_cost_meur == pytest.approx(500.0)
    one, two = got[("grid", 1)], got[("grid", 2)]
    assert one.abatement_lost_mt == 0.0 and one.extra_public_cost_meur == 0.0 and one.shortfall_mt == 0.0
    assert two.abatement_lost_mt == pytest.approx(1.0)
    assert two.extra_public_cost_meur == pytest.approx(1500.0) and two.shortfall_mt == 0.0
    for k in (1, 2):
        c = got[("c", k)]
        assert (c.abatement_lost_mt, c.extra_public_cost_meur, c.shortfall_mt) == (0.0, 0.0, 0.0)


def test_a_fixed_plan_and_no_fallback_leave_a_shortfall():
    t = grid_case()
    t["measures"] = [m for m in t["measures"] if m["measure_id"] == "a"]
    inp = to_input(t)
    run = delays(inp, commitments={("a", 2029): 1.0}, split={"a": {"G": 1.0}}, years=[3])
    (grid,) = run.delays
    assert grid.item == "grid" and grid.years == 3
    assert grid.abatement_lost_mt == pytest.approx(1.0)
    # re-planned: a cannot run in 2030 and nothing else can abate: 1 Mt short, and a's 500 M€ not spent
    assert grid.shortfall_mt == pytest.approx(1.0) and grid.extra_public_cost_meur == pytest.approx(-500.0)


def test_re_planned_the_lumpy_project_replaces_what_the_delay_stops():
    """Without b, a grid three years late is met by c (committed by 2025, running by 2030): 3 000 − 500 M€ more."""
    t = grid_case()
    t["measures"] = [m for m in t["measures"] if m["measure_id"] != "b"]
    run = delays(to_input(t), years=[3])
    grid = run.delays[0]
    assert grid.abatement_lost_mt == pytest.approx(1.0)
    assert grid.shortfall_mt == 0.0 and grid.extra_public_cost_meur == pytest.approx(2500.0)


def test_delay_years_must_be_whole_and_positive():
    inp = to_input(grid_case())
    for bad in ([0], [], ["x"], [51]):
        with pytest.raises(InputError, match="--years"):
            delays(inp, years=bad)
