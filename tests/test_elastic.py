"""Elastic runs (MODEL.md section 15): the least that must give for every target to be met, then least cost.

Phase 1 minimises the total relative relaxation R = Σ_k r_k / |rhs_k| over every row of the families the
registry declares relaxable (budget, period budget, resource), with no shortfall; phase 2 the public cost
with R held at its least. Where no relaxation suffices, the shortfall is weighted above any relaxation.

The cases by hand (tests/builders.py: 10 support years, no CO2 price, years 2024–2026, target in 2026):
a 1 Mt at 50 €/t (500 M€ per Mt/yr) and b 1 Mt at 60 €/t (600 M€) each need 100 MW of grid at full share;
c 1 Mt at 1000 €/t (10 000 M€) needs none. The grid has 95 MW in every year.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from builders import measure, run, tables, workbook, yearly
from optimiser.input.tables import to_input
from optimiser.model import families
from optimiser.model.families import Family
from optimiser.model.index import Rows
from optimiser.pipeline import solve_input

family = pytest.mark.family

GRID = [{"resource_id": "grid_zeeland", "name": "Grid capacity, Zeeland", "kind": "stock", "unit": "MW",
         **yearly(95.0)}]
USAGE = [{"measure_id": "a", "resource_id": "grid_zeeland", "amount": 100.0},
         {"measure_id": "b", "resource_id": "grid_zeeland", "amount": 100.0}]


def abc(a_lumpy="no", **kw):
    return tables(measures=[measure("a", 1.0, 50, lumpy=a_lumpy), measure("b", 1.0, 60), measure("c", 1.0, 1000)],
                  resources=GRID, usage=USAGE, elastic="yes", **kw)


@family("resource")
@pytest.mark.parametrize("lumpy", ["no", "yes"])
def test_a_grid_five_mw_short_is_relaxed_by_five_mw(lumpy):
    # Within 95 MW a and b give at most 0.95 Mt, c 1 Mt: 1.95 < 2. The least relaxation: a (or b) committed in
    # 2026 only (a stock resource is used from the commitment year on), so only the 2026 row gives: +5 MW,
    # R = 5/95. A price per MW (the old 10 M€) relaxed 105 MW instead, to fund a and b rather than c.
    # Phase 2: a full (500 M€) and c full (10 000 M€) = 10 500 M€. With a lumpy, the same (a all or nothing).
    r = solve_input(to_input(abc(reduction=2.0, a_lumpy=lumpy)))
    assert r.status == "target_met"
    assert [(x["kind"], x["id"], x["year"]) for x in r.relaxations] == [("resource", "grid_zeeland", "2026")]
    assert r.relaxations[0]["amount"] == pytest.approx(5.0, abs=1e-5)
    assert r.relaxations[0]["limit"] == pytest.approx(95.0)
    assert r.relaxations[0]["relative"] == pytest.approx(5 / 95, abs=1e-7)
    assert r.relaxation_total == pytest.approx(5 / 95, abs=1e-7)
    assert r.public_cost_meur == pytest.approx(10_500, abs=1e-3)
    assert r.objective_meur == pytest.approx(10_500, abs=1e-3)  # phase 2: cost; relaxing is not priced
    assert r.measures["a"].committed_share == pytest.approx(1.0)
    assert r.measures["c"].committed_share == pytest.approx(1.0)


@family("budget")
def test_the_least_relative_relaxation_picks_the_larger_budget():
    # a needs 500 M€ in 2026 (its gap); G has 300 M€ and H 100 M€ that year, nothing before. 100 M€ more of G is
    # 1/3 of G; of H, all of H: phase 1 takes G.
    r = solve_input(to_input(tables(
        reduction=1.0, measures=[measure("a", 1.0, 50, eligible="G;H")], elastic="yes",
        instruments=[{"instrument_id": "G", "name": "grant"}, {"instrument_id": "H", "name": "other grant"}],
        budgets=[{"instrument_id": "G", 2024: 0.0, 2025: 0.0, 2026: 300.0},
                 {"instrument_id": "H", 2024: 0.0, 2025: 0.0, 2026: 100.0}])))
    assert r.status == "target_met"
    assert [(x["kind"], x["id"], x["year"]) for x in r.relaxations] == [("budget", "G", "2026")]
    assert r.relaxations[0]["amount"] == pytest.approx(100.0, abs=1e-4)
    assert r.relaxation_total == pytest.approx(1 / 3, abs=1e-7)
    assert r.public_cost_meur == pytest.approx(500)


def test_where_no_relaxation_suffices_the_least_shortfall_comes_first():
    # 4 Mt wanted, a + b + c = 3 Mt at most: 1 Mt short whatever gives. With that shortfall held, the least
    # relaxation funds a and b fully: 200 MW in 2026, +105 MW (R = 105/95). Cost 500 + 600 + 10 000.
    r = solve_input(to_input(abc(reduction=4.0)))
    assert r.status == "target_not_met"
    assert r.shortfall_mt[2026] == pytest.approx(1.0, abs=1e-6)
    assert [(x["id"], x["year"]) for x in r.relaxations] == [("grid_zeeland", "2026")]
    assert r.relaxations[0]["amount"] == pytest.approx(105.0, abs=1e-4)
    assert r.relaxation_total == pytest.approx(105 / 95, abs=1e-6)
    assert r.public_cost_meur == pytest.approx(11_100, abs=1e-3)


def test_nothing_gives_when_nothing_must():
    r = solve_input(to_input(abc(reduction=1.5)))
    assert r.status == "target_met" and r.relaxations == [] and r.relaxation_total == pytest.approx(0)
    # without relaxing: 0.95 Mt of a (475 M€), then the rest from c (0.55 Mt, 5 500 M€)
    assert r.public_cost_meur == pytest.approx(0.95 * 500 + 0.55 * 10_000, abs=1e-3)


def cluster_cap(idx, inp) -> Rows:
    """toy_cap — at most 1.5 unit shares committed in cluster 'north': Σ_{m ∈ north} x_{m,T} ≤ 1.5."""
    rows = Rows("<=")
    members = defaultdict(list)
    for m in idx.max_share_keys:
        members[inp.measures[m].cluster].append(m)
    if members["north"]:
        rows.add("north", [(1.0, "d", (m, y)) for m in members["north"] for y in idx.d_years[m]], 1.5)
    return rows


def test_every_family_the_registry_declares_relaxable_may_give():
    toy = Family("toy_cap", cluster_cap, "cluster cap",
                 "at most so many shares in a cluster",
                 unit="share", relaxable=True, split=lambda key: (key, None), join=lambda ident, year: ident,
                 words="the {item} cluster cap")
    families.register(toy)
    try:
        # a, b (north) and c (south) are all needed for 5 Mt: north has 2 shares against a cap of 1.5
        r = solve_input(to_input(tables(reduction=5.0, elastic="yes",
                                        measures=[measure("a", 1.0, 50), measure("b", 2.0, 80),
                                                  measure("c", 2.0, 120, cluster="south")])))
    finally:
        families.unregister("toy_cap")
    assert r.status == "target_met"
    assert [(x["kind"], x["id"]) for x in r.relaxations] == [("toy_cap", "north")]
    assert r.relaxations[0]["amount"] == pytest.approx(0.5, abs=1e-6)
    assert r.relaxation_total == pytest.approx(1 / 3, abs=1e-6)


def test_the_terminal_names_what_must_give_and_the_total(tmp_path):
    src = workbook(tmp_path / "in.xlsx", abc(reduction=2.0))
    proc = run("plan", src, "-o", tmp_path / "p.xlsx", check_code=0)
    assert "+5 MW Grid capacity, Zeeland in 2026 (5.3 % of its 95 MW)" in proc.stdout
    assert "total relative relaxation 0.0526" in proc.stdout
    assert "grid_zeeland" not in proc.stdout
    import openpyxl

    summary = [c.value for row in openpyxl.load_workbook(tmp_path / "p.xlsx")["Summary"].iter_rows() for c in row
               if isinstance(c.value, str)]
    assert "+5 MW Grid capacity, Zeeland in 2026 (5.3 % of its 95 MW)" in summary
    assert not any("grid_zeeland" in t for t in summary)
    assert any(t.startswith("total relative relaxation: 0.05263") for t in summary)


def test_the_old_penalty_settings_are_retired_with_a_note(tmp_path):
    src = workbook(tmp_path / "in.xlsx", abc(reduction=2.0, elastic_budget_penalty=10, elastic_resource_penalty=5))
    proc = run("check", src, check_code=0)
    assert "setting 'elastic_budget_penalty' is no longer used" in proc.stderr
    assert "setting 'elastic_resource_penalty' is no longer used" in proc.stderr
