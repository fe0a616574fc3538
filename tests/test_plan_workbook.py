"""The plan workbook (docs/model.md section 9): sheets, units, formats, re-run, formula safety, the MACC chart."""

from __future__ import annotations

import dataclasses
import re
import time

import openpyxl
import pytest

from optimiser.input.manifest import PLAN_SHEETS, SHEETS
from optimiser.pipeline import run_plan, solve_input
from optimiser.input.read import read_workbook
from optimiser.input.tables import to_input
from optimiser.report.plan import write_plan
from tests.builders import measure, tables, workbook, yearly

RESULT_TITLES = ["Summary", "Measure plan", "Instrument use", "Cash", "Resource use", "By cluster", "MACC", "About"]

#: Numeric columns that are counts of years or positions, not quantities with a unit.
UNITLESS = {"year", "target year", "rank", "commitment year", "peak year"}


def rich_tables(**kw) -> dict:
    """Two instruments, a grid limit, labour, a milestone and a scenario: every sheet has something to show."""
    t = tables(
        measures=[
            measure("a", 1.0, 50, cluster="north", eligible="G;T", capex_meur=100, source="PBL"),
            measure("b", 2.0, 80, cluster="north", eligible="G"),
            measure("c", 2.0, 120, cluster="south", eligible="G;T", lead_time_years=1),
            measure("d", 0.5, -10, cluster="south", eligible=""),
            measure("e", 1.5, 200, cluster="", eligible="T", max_share=0.5),
        ],
        instruments=[{"instrument_id": "G", "name": "grant", "kind": "operating"},
                     {"instrument_id": "T", "name": "tax", "kind": "tax deduction", "cost_weight": 0.25,
                      "capex_share_cap": 0.5, "period_budget_meur": 5000}],
        budgets=[{"instrument_id": "G", **yearly(1e6)}, {"instrument_id": "T", **yearly(800)}],
        resources=[{"resource_id": "grid_north", "name": "grid north", "kind": "stock", "unit": "MW", **yearly(150)},
                   {"resource_id": "labour", "name": "labour", "kind": "flow", "unit": "FTE", **yearly(1e4)}],
        usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 100},
               {"measure_id": "b", "resource_id": "grid_north", "amount": 100},
               {"measure_id": "c", "resource_id": "labour", "amount": 500}],
        targets=[{"year": 2025, "reduction_mt": 1.0}],
        scenarios=[{"scenario": "rich", "sheet": "budgets", "id": "G", "column": "*", "op": "scale", "value": 2,
                    "note": "double the grant"}],
        reduction=4.0,
    )
    for k, v in kw.items():
        t[k] = v
    return t


@pytest.fixture
def planned(tmp_path):
    src = workbook(tmp_path / "in.xlsx", rich_tables())
    out = tmp_path / "plan.xlsx"
    outcome = run_plan(src, output=out)
    return outcome, out


def _strip_rows(inp):
    """The input without spreadsheet row numbers (they depend on where a row sits, not what it says)."""
    strip = lambda d: {k: dataclasses.replace(v, row=None) for k, v in d.items()}  # noqa: E731
    return dataclasses.replace(
        inp, measures=strip(inp.measures), instruments=strip(inp.instruments), resources=strip(inp.resources),
        scenarios=tuple(dataclasses.replace(s, row=None) for s in inp.scenarios),
        committed=tuple(dataclasses.replace(c, row=None) for c in inp.committed), cash_limits=strip(inp.cash_limits),
    )


def _header(ws, row: int = 1) -> list:
    return [c.value for c in ws[row]]


def test_sheets_in_order(planned):
    _, out = planned
    names = openpyxl.load_workbook(out).sheetnames
    # every input sheet is present here (milestone and scenario rows exist) but the optional fences, decisions
    # already taken, cash limits and uncertainty sheets, which this input has no rows for
    inputs = [s.name for s in SHEETS if s.name not in ("fences", "committed", "cash_limits", "uncertainty")]
    # then the hidden sheet holding the plan's machine-readable result (what compare reads)
    assert names == RESULT_TITLES + inputs + ["policymix result"]
    assert openpyxl.load_workbook(out)["policymix result"].sheet_state == "hidden"
    assert RESULT_TITLES == [s.title for s in PLAN_SHEETS if not s.hidden]


def test_headers_carry_units_and_formats(planned):
    _, out = planned
    wb = openpyxl.load_workbook(out)
    plan = _header(wb["Measure plan"])
    for h in ("subsidy G (M€)", "subsidy T (M€)", "total subsidy (M€)", "public cost (M€)", "€ per tonne paid (€/t)",
              "abatement 2026 (Mt CO2-eq/yr)", "abatement 2025 (Mt CO2-eq/yr)", "committed share 2025 (%)",
              "committed share by 2026 (%)", "unprofitable gap (€/t)"):
        assert h in plan, h
    assert "spend (M€)" in _header(wb["Instrument use"])
    assert "shadow price of its resource (M€ per unit of the limit)" in _header(wb["Resource use"])
    assert "abatement 2026 (Mt CO2-eq/yr)" in _header(wb["By cluster"])
    assert "unprofitable gap (€/t)" in _header(wb["MACC"])

    # every numeric column of the tabular result sheets names its unit
    for name in ("Measure plan", "Instrument use", "Cash", "Resource use", "By cluster", "MACC"):
        ws = wb[name]
        for col, head in enumerate(_header(ws), start=1):
            if head is None or head.lower() in UNITLESS:
                continue
            values = [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]
            if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                assert re.search(r"\(.+\)", head), f"{name}: header {head!r} has no unit"
        assert ws.freeze_panes is not None, name
        assert ws.cell(row=1, column=1).font.b, name

    ws = wb["Measure plan"]
    col = {h: c for c, h in enumerate(_header(ws), start=1)}
    assert ws.cell(row=2, column=col["public cost (M€)"]).number_format == "#,##0.0"
    assert ws.cell(row=2, column=col["committed share 2025 (%)"]).number_format == "0.0%"
    assert ws.cell(row=2, column=col["abatement 2026 (Mt CO2-eq/yr)"]).number_format == "0.000"
    assert ws.cell(row=2, column=col["unprofitable gap (€/t)"]).number_format == "#,##0"
    assert ws.column_dimensions["B"].width >= 8


def test_effective_inputs_reread_equal(tmp_path):
    src = workbook(tmp_path / "in.xlsx", rich_tables())
    out = tmp_path / "plan.xlsx"
    overrides = [("scale", "budgets:T:*=0.5"), ("set", "settings:scenario_name=half")]
    outcome = run_plan(src, output=out, overrides=overrides)
    again = read_workbook(out)
    assert _strip_rows(again.input) == _strip_rows(outcome.result.input)
    assert again.input.budgets["T"][2024] == 400
    assert again.input.settings.scenario_name == "half"
    assert again.notes == []  # the result sheets are skipped silently
    # the same input, whether read from the plan or built from the tables
    assert _strip_rows(to_input(again.tables)) == _strip_rows(outcome.result.input)


def test_plan_reruns_to_same_objective(planned, tmp_path):
    outcome, out = planned
    rerun = run_plan(out, output=tmp_path / "plan2.xlsx")
    assert rerun.result.objective_meur == pytest.approx(outcome.result.objective_meur, rel=1e-9, abs=1e-9)
    assert rerun.result.status == outcome.result.status


def test_formula_injection_is_stored_as_text(tmp_path):
    t = rich_tables()
    t["measures"][0]["name"] = '=HYPERLINK("http://x")'
    t["measures"][1]["source"] = "+cmd"
    t["measures"][2]["sector"] = "@SUM(A1)"
    t["instruments"][0]["name"] = "-1+2"
    src = workbook(tmp_path / "in.xlsx", t)
    out = tmp_path / "plan.xlsx"
    run_plan(src, output=out)

    wb = openpyxl.load_workbook(out)
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} holds a formula: {cell.value!r}"
                if cell.value in ('=HYPERLINK("http://x")', "+cmd", "@SUM(A1)", "-1+2"):
                    assert cell.data_type == "s"
                    found.add((ws.title, cell.value))
    assert ("Measure plan", '=HYPERLINK("http://x")') in found
    assert ("measures", '=HYPERLINK("http://x")') in found
    assert ("measures", "+cmd") in found
    assert ("Measure plan", "@SUM(A1)") in found
    assert ("Summary", "-1+2") in found
    again = read_workbook(out).input
    assert again.measures["a"].name == '=HYPERLINK("http://x")'
    assert again.measures["b"].source == "+cmd"


def test_macc_has_step_chart(planned):
    outcome, out = planned
    ws = openpyxl.load_workbook(out)["MACC"]
    assert ws._charts, "MACC sheet has no chart"
    chart = ws._charts[0]
    assert [s.tx.v for s in chart.series][:2] == ["funded", "not funded"]
    assert chart.series[2].tx.v.startswith("target 2026")
    head = _header(ws)
    gap = head.index("unprofitable gap (€/t)") + 1
    gaps = [ws.cell(row=r, column=gap).value for r in range(2, 2 + len(outcome.result.measures))]
    assert gaps == sorted(gaps)
    cum = head.index("cumulative potential (Mt CO2-eq/yr)") + 1
    inp = outcome.result.input
    total = sum(m.abatement_mt * m.max_share for m in inp.measures.values())
    assert ws.cell(row=1 + len(inp.measures), column=cum).value == pytest.approx(total)


def test_summary_says_plainly(tmp_path):
    # G's budget binds in every year; the grid limit binds in north
    t = rich_tables()
    t["budgets"][0].update(yearly(100.0))
    src = workbook(tmp_path / "in.xlsx", t)
    out = tmp_path / "plan.xlsx"
    outcome = run_plan(src, output=out)
    r = outcome.result
    ws = openpyxl.load_workbook(out)["Summary"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    if r.target_met:
        assert any(t.startswith("Every target is met") for t in texts)
    else:
        assert any(t.startswith("Target NOT met") for t in texts)
    # what relaxing a limit does: where the plan falls short, the shortfall it cuts (its shadow price counts the
    # penalty, which nobody pays); where every target is met, the public cost it saves
    does = "saves" if r.target_met else "cuts the shortfall by"
    for fam, key, val in r.binding():
        if fam == "budget":
            assert f"one more M€ of {key[0]} budget in {key[1]} {does}" in " ".join(texts)
        if fam == "resource":
            assert f"one more MW of {key[0]} capacity in {key[1]} {does}" in " ".join(texts)
    assert any(f == "budget" for f, _, _ in r.binding()), "the test case should bind a budget"
    assert f"at a public cost of {r.public_cost_meur:,.0f} M€" in ws["A2"].value
    # the model's own terms are on the About sheet
    about = openpyxl.load_workbook(out)["About"]
    labels = {about.cell(row=k, column=1).value: about.cell(row=k, column=2).value
              for k in range(1, about.max_row + 1)}
    assert labels["objective (M€, shortfall penalty included)"] == pytest.approx(r.objective_meur)


def test_target_not_met_is_reported(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables(reduction=10.0))  # a + b + c abate 5 Mt at most
    out = tmp_path / "plan.xlsx"
    outcome = run_plan(src, output=out)
    assert not outcome.result.target_met
    ws = openpyxl.load_workbook(out)["Summary"]
    assert ws["A2"].value.startswith("Target NOT met: short by 5.000 Mt CO2-eq/yr in 2026")


def test_about_lists_provenance_and_manifest(planned):
    outcome, out = planned
    ws = openpyxl.load_workbook(out)["About"]
    texts = {c.value for row in ws.iter_rows() for c in row if c.value is not None}
    import optimiser

    assert f"policymix {optimiser.__version__}" in texts
    assert outcome.result.source_sha256 in texts
    assert "in.xlsx" in texts
    assert outcome.result.solver["name"] in texts
    for spec in SHEETS:
        assert spec.description in texts
        for col in spec.columns:
            assert any(isinstance(t, str) and t.startswith(col.description) for t in texts), col.name


def test_write_plan_atomic_and_no_clobber(planned, tmp_path):
    outcome, out = planned
    before = out.read_bytes()
    with pytest.raises(FileExistsError):
        write_plan(outcome.result, out, force=False)
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plan.xlsx.")]  # no temporary left behind
    write_plan(outcome.result, out, force=True)
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"


def test_no_resources_and_nothing_funded(tmp_path):
    """Edge cases: no resources, no milestones, every measure excluded."""
    t = tables(measures=[measure("a", 1.0, 50, eligible="")])
    inp = to_input(t)
    result = solve_input(inp)
    out = write_plan(result, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:8] == RESULT_TITLES
    assert wb["Measure plan"]["E2"].value == "not funded"
    assert wb["MACC"]._charts


def test_write_is_fast(tmp_path):
    ms = [measure(f"m{k:02d}", 0.1 + k / 100, 10 + 7 * k, cluster=f"c{k % 5}") for k in range(50)]
    result = solve_input(to_input(tables(measures=ms, reduction=5.0)))
    write_plan(result, tmp_path / "warm.xlsx")  # imports
    started = time.perf_counter()
    write_plan(result, tmp_path / "plan.xlsx")
    assert time.perf_counter() - started < 1.5  # typically ~0.15 s; generous for slow CI machines


def committed_tables() -> dict:
    """rich_tables with decisions already taken (one past, one forced), payouts and a cash limit."""
    t = rich_tables()
    t["instruments"][0]["payout"] = "operating"
    t["instruments"][1]["payout"] = "0.25;0.75"
    t["prices"] = [{"parameter": "co2_price_eur_per_t", **yearly(10.0), 2030: 60.0}]
    t["committed"] = [
        {"measure_id": "b", "year": 2022, "share": 0.5, "instrument_id": "G", "subsidy_meur": 400,
         "note": "an SDE++-like award"},
        {"measure_id": "c", "year": 2024, "share": 0.25, "note": "a signed deal"},
    ]
    t["cash_limits"] = [{"instrument_id": "*", 2026: 5000.0, 2027: 4000.0}, {"instrument_id": "T", 2025: 300.0}]
    return t


def test_a_plan_with_decisions_taken_reruns_to_the_same_plan(tmp_path):
    src = workbook(tmp_path / "in.xlsx", committed_tables())
    first = run_plan(src, output=tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert "committed" in wb.sheetnames and "cash_limits" in wb.sheetnames
    assert [c.value for c in wb["committed"][1]] == ["measure_id", "year", "share", "instrument_id", "subsidy_meur",
                                                      "note"]
    assert [c.value for c in wb["prices"][1]][-2:] == [2030, "source"]  # the price outlook is written back
    again = run_plan(tmp_path / "plan.xlsx", output=tmp_path / "plan2.xlsx")
    a, b = first.result, again.result
    assert b.objective_meur == pytest.approx(a.objective_meur, rel=1e-9, abs=1e-9)
    assert _strip_rows(b.input) == _strip_rows(a.input)  # committed, cash_limits, payouts and the outlook included
    assert len(b.input.committed) == 2 and b.input.cash_limits["T"].limits == {2025: 300.0}
    assert b.input.prices["co2_price_eur_per_t"][2030] == 60.0 and b.input.instruments["T"].payout == "0.25;0.75"
    for i in a.input.instruments:
        assert b.cash.cash[i] == pytest.approx(a.cash.cash[i])
        assert b.cash.commitments[i] == pytest.approx(a.cash.commitments[i])
    assert {mid: mr.committed_share for mid, mr in b.measures.items()} == pytest.approx(
        {mid: mr.committed_share for mid, mr in a.measures.items()})
    assert b.measures["b"].past_share == 0.5 and b.measures["c"].new[2024] >= 0.25 - 1e-9


def _tables_of(ws) -> list[tuple[int, list]]:
    """(row, header) of every table header row (bold, filled) of a result sheet."""
    out = []
    for row in ws.iter_rows():
        cells = [c for c in row if c.value is not None]
        if len(cells) > 2 and all(c.font.b and c.fill.fgColor.rgb.endswith("DCE6F1") for c in cells):
            out.append((row[0].row, [c.value for c in row]))
    return out


def test_the_cash_sheet_has_its_tables_chart_and_units(tmp_path):
    src = workbook(tmp_path / "in.xlsx", committed_tables())
    outcome = run_plan(src, output=tmp_path / "plan.xlsx")
    r = outcome.result
    ws = openpyxl.load_workbook(tmp_path / "plan.xlsx")["Cash"]
    headers = _tables_of(ws)
    assert len(headers) == 4  # by instrument, by year, cash limits, decisions already taken
    for top, head in headers:
        for col, h in enumerate(head, start=1):
            values = [ws.cell(row=k, column=col).value for k in range(top + 1, top + 8)]
            if h and h.lower() not in UNITLESS and any(isinstance(v, float) for v in values):
                assert re.search(r"\(.+\)", h), f"Cash: header {h!r} has no unit"
    by_year_top, by_year = next((t, h) for t, h in headers if h[0] == "year")
    years = [ws.cell(row=k, column=1).value for k in range(by_year_top + 1, by_year_top + 1 + len(r.cash.years))]
    assert years == r.cash.years and years[0] == 2022  # from the past decision on
    total = by_year.index("cash, all instruments (M€)") + 1
    for k, t in enumerate(years, start=by_year_top + 1):
        assert ws.cell(row=k, column=total).value == pytest.approx(r.cash.total_cash(t))
    (chart,) = ws._charts
    assert chart.grouping == "stacked" and chart.type == "col"
    assert [s.tx.v for s in chart.series] == [f"cash {i}" for i in r.input.instruments
                                              if any(v > 1e-6 for v in r.cash.cash[i].values())]
    (line,) = chart._charts[1:]
    assert line.series[0].tx.v == "commitments (all instruments)"
    summary = [c.value for row in openpyxl.load_workbook(tmp_path / "plan.xlsx")["Summary"].iter_rows() for c in row
               if isinstance(c.value, str)]
    peak = r.cash.peak()
    assert f"Cash (kas) peaks in {peak[0]} at {peak[1]:,.1f} M€ paid out by all instruments together (see the Cash " \
           "sheet)." in summary
    assert any(t.startswith(f"Of the {r.cash.committed_meur:,.1f} M€ committed") and "released" in t for t in summary)
