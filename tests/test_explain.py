"""Explaining the plan: reduced costs, what blocks a measure, what must give, conflicting limits, alternatives."""

from __future__ import annotations

import json

import pytest

from builders import measure, tables, workbook, yearly
from optimiser.pipeline import TargetInfeasible, solve_input
from optimiser.input.tables import to_input
from builders import run

family = pytest.mark.family

GRID = dict(
    reduction=2.0,
    measures=[measure("a", 1.0, 50), measure("b", 1.0, 80)],
    resources=[{"resource_id": "grid_north", "name": "grid north", "kind": "stock", "unit": "MW", **yearly(100.0)}],
    usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 200.0}],
)


def plan(**kw):
    return solve_input(to_input(tables(**kw)))


def test_reduced_costs_are_the_gap_differences_in_a_merit_order():
    # marginal measure b at 80 €/t: c (120 €/t) must fall by 40 €/t, d (150 €/t) by 70 €/t
    r = plan(reduction=3.0, measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120),
                                      measure("d", 0.5, 150)])
    assert r.measures["c"].reduced_cost_eur_per_t == pytest.approx(40)
    assert r.measures["d"].reduced_cost_eur_per_t == pytest.approx(70)
    assert r.measures["a"].reduced_cost_eur_per_t is None  # funded
    assert r.measures["c"].blocked_by == [{"kind": "cost", "id": "c", "year": None}]


def test_an_ineligible_measure_says_so():
    r = plan(reduction=1.0, measures=[measure("a", 1.0, 50, eligible=""), measure("b", 2.0, 80)])
    assert "eligible for no instrument" in r.measures["a"].reason
    assert r.measures["a"].blocked_by == [{"kind": "eligibility", "id": "a", "year": None}]


def test_grid_blocks_the_measure_and_funded_ones_know_what_they_compete_for():
    r = plan(**GRID)
    assert r.status == "target_not_met"
    assert {"kind": "resource", "id": "grid_north", "year": 2026} in r.measures["a"].blocked_by
    assert r.measures["b"].status == "funded"
    assert r.measures["b"].competes_for == []  # b uses no grid


@family("resource")
def test_elastic_names_the_exact_missing_grid_capacity():
    # a needs 200 MW for its full 1 Mt, 100 MW exist: the target needs +100 MW in 2026 (a committed in 2026),
    # which is 100 % of that limit: the least total relative relaxation is 1.0
    r = plan(elastic="yes", **GRID)
    assert r.status == "target_met"
    assert r.relaxations == [{"kind": "resource", "id": "grid_north", "year": "2026", "amount": pytest.approx(100),
                              "limit": 100.0, "relative": pytest.approx(1.0)}]
    assert r.relaxation_total == pytest.approx(1.0)
    # phase 2 minimises public cost with that relaxation held; relaxing has no price of its own
    assert r.public_cost_meur == pytest.approx(500 + 800)
    assert r.objective_meur == pytest.approx(500 + 800)


@family("budget")
def test_elastic_names_the_missing_budget():
    r = plan(reduction=3.0, elastic="yes", budgets=[{"instrument_id": "G", **yearly(0.0)}])
    # with no money at all, 2100 M€ must be added in one year (any year: same gap, price 0)
    assert sum(x["amount"] for x in r.relaxations) == pytest.approx(2100)
    assert {x["kind"] for x in r.relaxations} == {"budget"}
    assert r.status == "target_met"


def test_strict_returns_the_conflicting_limits_and_nothing_more():
    with pytest.raises(TargetInfeasible) as err:
        plan(strict="yes", **GRID)
    found = {(i["kind"], i["id"], i["year"]) for i in err.value.iis}
    # 2 Mt need all of b (max share 1) and all of a, whose grid allows half
    assert found == {("target", "target_reduction_mt", "2026"), ("resource", "grid_north", "2026"),
                     ("max_share", "b", None)}


def test_strict_without_conflict_plans_normally():
    r = plan(strict="yes", reduction=1.5, **{k: v for k, v in GRID.items() if k != "reduction"})
    assert r.status == "target_met"
    assert r.objective_meur == pytest.approx(0.5 * 500 + 800)


def test_strict_cli_prints_the_subset_and_exits_3(tmp_path):
    wb = workbook(tmp_path / "in.xlsx", tables(**GRID))
    proc = run("plan", wb, "-o", tmp_path / "p.xlsx", "--strict", "--json", "-", check_code=3)
    result = json.loads(proc.stdout)
    assert {(i["kind"], i["id"]) for i in result["iis"]} == {("target", "target_reduction_mt"),
                                                            ("resource", "grid_north"), ("max_share", "b")}
    assert "grid north in 2026: 100 MW" in proc.stderr
    assert not (tmp_path / "p.xlsx").exists()


def test_elastic_cli_json_has_relaxations(tmp_path):
    wb = workbook(tmp_path / "in.xlsx", tables(**GRID))
    proc = run("plan", wb, "-o", tmp_path / "p.xlsx", "--elastic", "--json", "-", check_code=0)
    result = json.loads(proc.stdout)
    assert result["relaxations"] == [{"kind": "resource", "id": "grid_north", "year": "2026",
                                      "amount": pytest.approx(100), "limit": 100.0, "relative": pytest.approx(1.0)}]
    assert result["total_relative_relaxation"] == pytest.approx(1.0)
    assert result["measures"]["a"]["blocked_by"] == []


def test_alternatives_stay_within_the_slack_and_differ():
    # a (50 €/t) and a2 (51 €/t) both meet the 1 Mt target; 5 % slack admits a2 (510 ≤ 525 M€)
    r = solve_input(to_input(tables(reduction=1.0, measures=[measure("a", 1.0, 50), measure("a2", 1.0, 51),
                                                             measure("b", 1.0, 90)])),
                    alternatives=2, slack=0.05)
    alts = r.alternatives.plans
    assert len(alts) == 2
    assert r.measures["a"].committed_share == pytest.approx(1)
    first = alts[0]
    assert first.measures["a2"].committed_share == pytest.approx(1)
    assert first.measures["a"].committed_share == pytest.approx(0)
    for alt in alts:
        assert alt.objective_meur <= 1.05 * r.objective_meur + 1e-6
        assert alt.abatement_mt[2026] >= 1.0 - 1e-6
        for mid, mr in alt.measures.items():
            assert mr.committed_share <= 1 + 1e-9
    assert r.alternatives.must_haves() == []


def test_alternatives_written_to_the_plan(tmp_path):
    wb = workbook(tmp_path / "in.xlsx", tables(reduction=1.0, measures=[measure("a", 1.0, 50), measure("a2", 1.0, 51)]))
    run("plan", wb, "-o", tmp_path / "p.xlsx", "--alternatives", "1", "--slack", "5%", check_code=0)
    import openpyxl

    names = openpyxl.load_workbook(tmp_path / "p.xlsx", read_only=True).sheetnames
    assert "Alternatives" in names and "Alternative 1" in names
    run("plan", tmp_path / "p.xlsx", "-o", tmp_path / "p2.xlsx", check_code=0)  # still a valid input


def test_where_the_plan_falls_short_a_binding_limit_says_what_it_buys_not_the_penalty():
    """a: 1 Mt/yr at 50 €/t over 10 years (500 M€ per full share) needs 200 MW of a 100 MW grid; the target of
    2 Mt/yr cannot be met (shortfall 1.5 Mt/yr). The grid's shadow price is P · 1/200 Mt per MW less the cost
    of the share: mostly penalty. The sentence says what one more MW buys: 0.005 Mt/yr less shortfall, at
    2.5 M€ more public cost (0.005 of a full share of a)."""
    from optimiser.report.words import limit_sentence

    r = plan(reduction=2.0, measures=[measure("a", 1.0, 50)], resources=GRID["resources"], usage=GRID["usage"],
             shortfall_penalty_eur_per_t=10_000)
    assert r.shortfall_mt[2026] == pytest.approx(1.5)
    value = r.shadow["resource"][("grid_north", 2026)]
    assert value == pytest.approx(10_000 / 200 - 500 / 200)  # 47.5 M€ per MW: the penalty less the cost
    less, more = r.limit_effects["resource"][("grid_north", 2026)]
    assert (less, more) == (pytest.approx(0.005), pytest.approx(2.5))
    text = limit_sentence(r, "resource", ("grid_north", 2026), value)
    assert "cuts the shortfall by 0.00500 Mt CO2-eq/yr, at 2.50 M€ more public cost" in text
    assert "saves" not in text
    # where the target is met the sentence is the shadow price's own: what the relaxation saves
    met = plan(**{**GRID, "reduction": 1.5})
    assert met.target_met and not met.limit_effects
    assert "saves" in limit_sentence(met, "resource", ("grid_north", 2026), met.shadow["resource"][("grid_north", 2026)])
