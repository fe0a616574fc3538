"""Headlines that do not mislead (issue 21, point 3), in the workbooks, the terminal and the JSON.

- A sweep reports the slope of public cost apart from the objective's, which holds the shortfall penalty; the
  right axis of its chart spans the points that meet the target, so the penalty does not flatten the curve.
- Decisions taken before start_year read "decided before <year>", not "funded", in the Measure plan and the
  MACC; the MACC starts with them (sunk, at 0 €/t) and its axis spans what is decided now.
- The Cash chart puts the commitments on an axis of their own.

The sweep case by hand (tests/builders.py's merit order): a 1 Mt/yr at 50 €/t, b 2 Mt/yr at 80 €/t, c 2 Mt/yr
at 120 €/t, 10 support years, no CO2 price, so 500, 800 and 1 200 M€ per Mt/yr; 5 Mt/yr in all; a shortfall
penalty of 10 000 €/t. Targets 3.5, 4.5, 5.5 and 6.5 Mt/yr:

    target        3.5     4.5     5.5     6.5
    public cost   2 700   3 900   4 500   4 500   (500 + 1 600 + 1 200 × (target − 3), all of c from 5)
    shortfall     0       0       0.5     1.5
    objective     2 700   3 900   9 500   19 500  (public cost + 10 000 × shortfall)
    slope of public cost    1 200     600       0
    slope of the objective  1 200   5 600  10 000
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest

from builders import measure, tables, workbook, yearly
from charts import chart_titled
from optimiser.pipeline import run
from optimiser.report.terminal import print_sweep

TARGET = "settings:target_reduction_mt"
PER = "(M€ per Mt/yr, i.e. € per t of annual abatement)"
COST_SLOPE = f"slope of public cost from the previous point {PER}"
OBJECTIVE_SLOPE = f"slope of the objective, shortfall penalty included, from the previous point {PER}"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    src = workbook(d / "in.xlsx", tables(shortfall_penalty_eur_per_t=10_000.0))
    outcome = run("sweep", workbook=src, vary=[("set", f"{TARGET}=3.5,4.5,5.5,6.5")], output=d / "sweep.xlsx",
                  json_path=d / "sweep.json")
    return outcome, d / "sweep.xlsx", d / "sweep.json"


def test_the_sweep_reports_the_slope_of_public_cost_apart_from_the_objectives(swept):
    outcome, path, js = swept
    points = outcome.result.points
    assert [p.public_cost_meur for p in points] == pytest.approx([2700, 3900, 4500, 4500])
    ws = openpyxl.load_workbook(path)["Sweep"]
    headers = [c.value for c in ws[1]]
    cost = [ws.cell(row=r, column=headers.index(COST_SLOPE) + 1).value for r in range(2, 6)]
    objective = [ws.cell(row=r, column=headers.index(OBJECTIVE_SLOPE) + 1).value for r in range(2, 6)]
    assert cost[0] is None and cost[1:] == pytest.approx([1200, 600, 0], abs=1e-6)
    assert objective[0] is None and objective[1:] == pytest.approx([1200, 5600, 10_000], abs=1e-6)
    # no header calls the objective a cost
    assert not any(re.search(r"cost (curve|slope)", h or "") for h in headers), headers
    doc = json.loads(js.read_text())
    assert [p["public_cost_slope"] for p in doc] == [None, pytest.approx(1200), pytest.approx(600), pytest.approx(0)]
    assert [p["objective_slope"] for p in doc] == [None, pytest.approx(1200), pytest.approx(5600),
                                                   pytest.approx(10_000)]


def test_the_terminal_shows_both_slopes_under_their_names(swept, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    buf = io.StringIO()
    print_sweep(swept[0].result, file=buf)
    text = buf.getvalue()
    assert "public cost slope (M€ per Mt CO2-eq/yr)" in text and "objective slope (M€ per Mt CO2-eq/yr)" in text
    last = [line for line in text.splitlines() if line.startswith("│ 4 ")][0]
    cells = [c.strip() for c in last.strip("│").split("│")]
    assert "0" in cells and "10,000" in cells  # public cost flat, the objective rising by the penalty


def test_the_marginal_value_axis_spans_the_points_that_meet_the_target(swept):
    _, path, _ = swept
    chart = chart_titled(path, "Public cost and the marginal value of the target")
    right = chart.axis_of("marginal value of the target")
    assert right.position == "r"
    # the points that meet the target have 1 200 M€ per Mt/yr; the others the penalty, 10 000, above the axis
    assert right.min == 0 and 1200 <= right.max < 2000
    left = chart.axis_of("public cost")
    assert left.position == "l" and left.max is None  # public cost: the application's own scale
    about = " ".join(str(c.value) for row in openpyxl.load_workbook(path)["About"].iter_rows() for c in row
                     if isinstance(c.value, str))
    assert "at the 2 points that miss it the target's shadow price is the shortfall penalty (10,000 €/t)" in about


# ---------------------------------------------------------------- decisions taken before start_year

@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    """c (2 Mt/yr at 900 €/t) decided in 2022, before start_year 2024; a and b are for this plan to decide."""
    d = tmp_path_factory.mktemp("decided")
    t = tables(measures=[measure("a", 1.0, 50), measure("b", 2.0, 80, cluster="south"), measure("c", 2.0, 900)],
               committed=[{"measure_id": "c", "year": 2022, "share": 1.0, "instrument_id": "G",
                           "subsidy_meur": 300.0}], reduction=4.0)
    outcome = run("plan", workbook=workbook(d / "in.xlsx", t), output=d / "plan.xlsx")
    return outcome, d / "plan.xlsx"


def _table(ws) -> list[dict]:
    head = [c.value for c in ws[1]]
    return [dict(zip(head, row)) for row in ws.iter_rows(min_row=2, values_only=True) if row[0] is not None]


def test_a_decision_taken_before_start_year_is_not_called_funded(decided):
    outcome, path = decided
    assert outcome.result.measures["c"].status == "decided before start_year"
    wb = openpyxl.load_workbook(path)
    plan = {r["measure id"]: r for r in _table(wb["Measure plan"])}
    assert plan["c"]["status"] == "decided before 2024"
    assert plan["a"]["status"] == "funded" and plan["b"]["status"] in ("funded", "partly funded")
    macc = _table(wb["MACC"])
    assert [r["measure id"] for r in macc][0] == "c"  # the curve opens with what was decided before
    c = macc[0]
    assert c["status"] == "decided before 2024" and c["funded by this plan"] == "no"
    assert c["decided before 2024 (Mt CO2-eq/yr)"] == pytest.approx(2.0)
    assert [r["measure id"] for r in macc[1:]] == ["a", "b"]  # then by gap
    assert macc[-1]["cumulative potential (Mt CO2-eq/yr)"] == pytest.approx(5.0)
    cluster = _table(wb["By cluster"])
    total = next(r for r in cluster if r["cluster"] == "all clusters")
    assert total["decided before 2024, nothing new (count)"] == 1 and total["funded (count)"] + \
        total["partly funded (count)"] == 2


def test_the_macc_axis_spans_what_is_decided_now(decided):
    _, path = decided
    chart = chart_titled(path, "Marginal abatement cost curve")
    axis = chart.axis_of("funded")
    # c's 900 €/t was decided before 2024: sunk, drawn at 0 €/t; the axis spans a and b (50 and 80 €/t)
    assert axis.min == 0 and 80 <= axis.max < 100
    series = [s.title for s in chart.series]
    assert series[0] == "decided before 2024: 2.00 Mt CO2-eq/yr (sunk)"
    assert chart.plots_hidden


def test_the_cash_charts_commitments_are_on_their_own_axis(tmp_path):
    t = tables(measures=[measure("a", 1.0, 50), measure("b", 2.0, 80)],
               instruments=[{"instrument_id": "G", "name": "grant", "payout": "0.2;0.3;0.5"}],
               committed=[{"measure_id": "b", "year": 2022, "share": 1.0, "instrument_id": "G",
                           "subsidy_meur": 2000.0}],
               budgets=[{"instrument_id": "G", **yearly(1e6)}], reduction=2.5)
    run("plan", workbook=workbook(tmp_path / "in.xlsx", t), output=tmp_path / "plan.xlsx")
    chart = chart_titled(tmp_path / "plan.xlsx", "Cash paid out by instrument")
    assert chart.kinds == ["barChart", "lineChart"]
    commitments = chart.axis_of("commitments (all instruments), right axis")
    cash = chart.axis_of("cash G")
    assert commitments.position == "r" and cash.position == "l" and commitments.id != cash.id
    assert commitments.title == "commitments (M€)" and cash.title == "cash paid out (M€)"
    assert commitments.min == 0 and cash.min == 0
