"""The Summary and the terminal speak to a budget team: the answer first, names not ids, honest units,
budget headroom, single-measure limits in one sentence, the model's own terms on the About sheet, the
right words when maximising abatement, and only the limits whose shadow price matters at the precision shown.

Cases by hand (tests/builders.py: a 1 Mt at 50 €/t, b 2 Mt at 80 €/t, c 2 Mt at 120 €/t, 10 support years,
no CO2 price, years 2024–2026). At a 2 Mt target, a is funded in full and half of b: b is at the margin, so
the target is worth 800 M€ per Mt/yr (80 €/t × 10 years), i.e. 80 € per tonne avoided over b's 10 years.
"""

from __future__ import annotations

import openpyxl
import pytest

from builders import measure, run, tables, workbook, yearly
from optimiser.input.tables import to_input
from optimiser.model.results import assemble
from optimiser.pipeline import run_plan

GRID = [{"resource_id": "grid_n7", "name": "Grid capacity, North", "kind": "stock", "unit": "MW", **yearly(100.0)}]


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.fixture
def planned(tmp_path):
    # a needs 200 MW at full share, the grid has 100: half of a (0.5 Mt), then b for 1.5 Mt. G has 2000 M€ over
    # three years, H (a tax deduction, weight 0.25) none used.
    t = tables(reduction=2.0, measures=[measure("a", 1.0, 50, max_share=1.0), measure("b", 2.0, 80)],
               instruments=[{"instrument_id": "G", "name": "Grant scheme"},
                            {"instrument_id": "H", "name": "Tax deduction", "cost_weight": 0.25}],
               budgets=[{"instrument_id": "G", 2024: 0.0, 2025: 0.0, 2026: 2000.0},
                        {"instrument_id": "H", 2024: 0.0, 2025: 0.0, 2026: 100.0}],
               resources=GRID, usage=[{"measure_id": "a", "resource_id": "grid_n7", "amount": 200.0}])
    src = workbook(tmp_path / "in.xlsx", t)
    out = tmp_path / "plan.xlsx"
    outcome = run_plan(src, output=out)
    return outcome.result, openpyxl.load_workbook(out)


def test_the_answer_comes_first(planned):
    r, wb = planned
    ws = wb["Summary"]
    # 0.5 Mt of a (250 M€) + 1.5 Mt of b (1 200 M€) = 1 450 M€
    assert ws["A2"].value == ("Every target is met: 2.00 Mt CO2-eq/yr in 2026 (required 2.00) at a public cost of "
                              "1,450 M€ of commitments.")
    assert ws["A3"].value.startswith("Marginal value of the 2026 target: 800 M€ per Mt/yr")


def test_the_target_value_is_given_in_both_units_with_what_each_means(tmp_path):
    proc = run("plan", workbook(tmp_path / "in.xlsx", tables(reduction=2.0)), "-o", tmp_path / "p.xlsx",
               check_code=0)
    assert ("Marginal value of the 2026 target: 800 M€ per Mt/yr — one more tonne a year of abatement in 2026 "
            "needs 800 € more in commitments.") in proc.stdout
    assert ("Spread over the 10-year support period of B (the measure at the margin), that is 80 € per tonne "
            "avoided, comparable with the gaps (€/t) of the MACC.") in proc.stdout


def test_a_missed_target_says_its_value_is_the_penalty(tmp_path):
    proc = run("plan", workbook(tmp_path / "in.xlsx", tables(reduction=10.0)), "-o", tmp_path / "p.xlsx",
               check_code=3)
    # P derived: 10 × c's 1 200 M€ per Mt/yr = 12 000, rounded up to 20 000
    assert "Marginal value of the 2026 target: 20,000 M€ per Mt/yr — exactly the shortfall penalty" in proc.stdout
    assert "not a cost of abatement" in proc.stdout
    ws = openpyxl.load_workbook(tmp_path / "p.xlsx")["Summary"]
    assert any("exactly the shortfall penalty" in t for t in _texts(ws))


def test_names_not_ids(planned):
    r, wb = planned
    summary = " ".join(_texts(wb["Summary"]))
    assert "grid_n7" not in summary
    # one more MW: 1/200 of a share of a (0.005 Mt at 500 M€/Mt) replaces b (800): (800 − 500)/200 M€
    assert "one more MW of Grid capacity, North in 2026 saves 1.50 M€" in summary
    measure_plan = list(wb["Measure plan"].iter_rows(values_only=True))
    head = measure_plan[0]
    row_a = next(row for row in measure_plan if row[0] == "a")
    blocked = row_a[head.index("blocked by")]
    assert blocked == "Grid capacity, North in 2026"


def test_budget_headroom_per_instrument(planned):
    r, wb = planned
    rows = list(wb["Summary"].iter_rows(values_only=True))
    top = next(k for k, row in enumerate(rows) if row[0] == "instrument" and "headroom (M€)" in row)
    head = rows[top]
    g, h = rows[top + 1], rows[top + 2]
    assert (g[0], h[0]) == ("G", "H")
    assert g[head.index("committed (M€)")] == pytest.approx(1450)
    assert g[head.index("budget available (M€)")] == pytest.approx(2000)
    assert g[head.index("headroom (M€)")] == pytest.approx(550)
    assert h[head.index("headroom (M€)")] == pytest.approx(100)
    assert g[head.index("name")] == "Grant scheme"
    assert any(t.startswith("Budget left unused: 650 M€ of 2,100 M€ over 2024–2026") for t in _texts(wb["Summary"]))


def test_single_measure_limits_are_one_sentence_and_the_internals_are_on_about(tmp_path):
    # 3 Mt: all of a and b bind at their deployable share; c is at the margin
    src = workbook(tmp_path / "in.xlsx", tables(reduction=4.0))
    run_plan(src, output=tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    summary = _texts(wb["Summary"])
    assert not any(t == "max_share" for t in summary)
    assert not any("deployable share of" in t for t in summary)
    assert sum("Limits of single measures also bind — maximum share (2)" in t for t in summary) == 1
    for internal in ("cost weight (", "objective (M€, shortfall penalty included)", "shortfall penalty (€/t)"):
        assert not any(internal in t for t in summary), internal
    about = _texts(wb["About"])
    assert "cost weight (€ per € paid)" in about
    assert any(t.startswith("minimise public cost + shortfall penalty × shortfall") for t in about)
    # the values of the single-measure limits are in the Measure plan, one column
    head = next(wb["Measure plan"].iter_rows(max_row=1, values_only=True))
    assert "shadow price of its maximum share (M€ per share)" in head


def test_max_abatement_says_so_and_counts_in_mt(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables(reduction=2.0, objective="max-abatement",
                                                budgets=[{"instrument_id": "G", **yearly(1e6)}],
                                                resources=GRID,
                                                usage=[{"measure_id": "a", "resource_id": "grid_n7", "amount": 200.0}]))
    proc = run("plan", src, "-o", tmp_path / "p.xlsx", check_code=0)
    # the grid holds a to half its share: one more MW adds 1/200 of a's 1 Mt = 0.005 Mt/yr
    assert "one more MW of Grid capacity, North in 2026 adds 0.00500 Mt CO2-eq/yr of abatement" in proc.stdout
    assert "saves" not in proc.stdout
    assert proc.stdout.splitlines()[1].startswith("The most abatement within every budget and limit: 4.50 Mt")
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    summary = _texts(wb["Summary"])
    assert not any("saves" in t or "minimis" in t or "least public cost" in t for t in summary)
    assert "Mt CO2-eq/yr per MW" in summary
    about = _texts(wb["About"])
    assert about[1].startswith("A plan of policymix: the most abatement the budgets and limits allow")
    assert any(t.startswith("maximise the abatement operating in 2026") for t in about)


def test_a_limit_binds_only_where_its_shadow_price_matters_at_the_precision_shown():
    inp = to_input(tables(budgets=[{"instrument_id": "G", **yearly(100.0)}]))
    r = assemble(inp, new={}, subsidy={}, shadow={"budget": {("G", 2024): 9.17e-6, ("G", 2025): 0.5}},
                 limit_rhs={"budget": {("G", 2024): 100.0, ("G", 2025): 100.0}})
    # 9.17e-6 M€ per M€ × max(1 M€, 1 % of 100 M€) = 9e-6 M€: far below half the 0.1 M€ shown
    assert r.binding() == [("budget", ("G", 2025), 0.5)]
    assert r.shadow["budget"][("G", 2024)] == pytest.approx(9.17e-6)  # the value itself is kept


def test_negligible_shadow_prices_are_not_listed_on_the_advices_workbook(tmp_path):
    proc = run("plan", "ser-2023", "-o", tmp_path / "p.xlsx", "--objective", "max-abatement", check_code=0)
    assert "OWE budget" not in proc.stdout  # 1e-6 Mt/yr per M€: noise of the tie-break
    assert "e-0" not in proc.stdout
    assert "Noordzeekanaalgebied in 2030 adds 0.00192 Mt CO2-eq/yr" in proc.stdout
