"""Sweeps read right: with lumpy measures the workbook says whose shadow prices these are and puts the slopes of
public cost and of the objective beside them; the terminal table keeps its headers whole when piped; rebuilds are
summarised.

The merit-order case (tests/builders.py): a 1 Mt at 50 €/t, b 2 Mt at 80 €/t, c 2 Mt at 120 €/t, 10 support
years: the cost of a target T has slopes 500, 800, 1 200 M€ per Mt/yr between kinks at 1, 3 and 5 Mt.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from builders import measure, tables, workbook
from optimiser.analysis.sweep import parse_vary, sweep
from optimiser.input.tables import to_input
from optimiser.pipeline import run
from optimiser.report.terminal import print_sweep

TARGET = "settings:target_reduction_mt"
SLOPE = ("slope of the objective, shortfall penalty included, from the previous point (M€ per Mt/yr, i.e. € per t of "
         "annual abatement)")
COST_SLOPE = "slope of public cost from the previous point (M€ per Mt/yr, i.e. € per t of annual abatement)"


def _lumpy(tmp_path):
    t = tables(measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120, lumpy="yes")])
    return workbook(tmp_path / "in.xlsx", t)


def test_the_slope_between_points_is_a_column_and_a_line_beside_the_shadow_prices(tmp_path):
    out = tmp_path / "sweep.xlsx"
    outcome = run("sweep", workbook=workbook(tmp_path / "in.xlsx", tables()), vary=[("set", f"{TARGET}=0.5:4:0.5")],
                  output=out)
    assert [round(s) if s is not None else None for s in outcome.result.slopes().values()] == \
        [None, 500, 800, 800, 800, 800, 1200, 1200]  # points 0.5 … 4 Mt: a to 1 Mt, b to 3 Mt, then c
    wb = openpyxl.load_workbook(out)
    ws = wb["Sweep"]
    headers = [c.value for c in ws[1]]
    col = headers.index(COST_SLOPE) + 1
    assert ws.cell(row=2, column=col).value is None
    assert ws.cell(row=5, column=col).value == pytest.approx(800)  # 1.5 → 2.0 Mt, both on b
    assert SLOPE not in headers  # every target met: the objective's slope is public cost's, not shown twice
    chart, _peak_cash = wb["Charts"]._charts  # the main chart, then peak cash below it
    titles = [s.tx.strRef.f if s.tx.strRef is not None else s.tx.v for c in [chart] + chart._charts
              for s in c.series]
    assert any("slope of public cost" in str(t) for t in titles), titles


def test_with_lumpy_measures_the_workbook_says_whose_shadow_prices_these_are(tmp_path):
    out = tmp_path / "sweep.xlsx"
    outcome = run("sweep", workbook=_lumpy(tmp_path), vary=[("set", f"{TARGET}=1:5:1")], output=out)
    assert outcome.result.mip
    wb = openpyxl.load_workbook(out)
    about = " ".join(str(c.value) for row in wb["About"].iter_rows() for c in row if isinstance(c.value, str))
    assert "the LP with the lumpy decisions (the binaries) fixed at that point's optimum" in about
    sweep_texts = [c.value for row in wb["Charts"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Lumpy measures: shadow prices are those of the LP with the binaries fixed") for t in
               sweep_texts)


def test_without_lumpy_measures_there_is_no_such_note(tmp_path):
    out = tmp_path / "sweep.xlsx"
    outcome = run("sweep", workbook=workbook(tmp_path / "in.xlsx", tables()), vary=[("set", f"{TARGET}=1,2")],
                  output=out)
    assert not outcome.result.mip
    about = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["About"].iter_rows() for c in row)
    assert "binaries" not in about


def test_max_abatement_sweeps_have_no_penalty_or_target_price_columns(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables(objective="max-abatement"))
    out = tmp_path / "sweep.xlsx"
    run("sweep", workbook=src, vary=[("scale", "budgets:G:*=0.5,1")], output=out)
    headers = [c.value for c in openpyxl.load_workbook(out)["Sweep"][1]]
    assert not any("shortfall penalty" in h or h.startswith("shadow price target") for h in headers), headers
    assert any(h.startswith("slope of abatement 2026") for h in headers)


def test_piped_tables_keep_their_headers_whole(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    co2 = "prices:co2_price_eur_per_t:*"
    run_ = sweep(to_input(tables()), [parse_vary("set", f"{TARGET}=1,2"), parse_vary("set", f"{co2}=0,10"),
                                      parse_vary("scale", "budgets:G:*=1,2")])
    buf = io.StringIO()
    print_sweep(run_, file=buf)
    text = buf.getvalue()
    for header in ("target shadow price 2026 (M€ per Mt/yr)", "public cost slope (M€ per Mt CO2-eq/yr)",
                   f"{TARGET} (Mt CO2-eq/yr)", f"{co2} (€/t)", "budgets:G:* (scale factor ×)",
                   "abatement 2026 (Mt/yr)"):
        assert header in text, header  # on one line: not wrapped at 80 (nor at any fixed width)
    assert not any(line.endswith(" ") for line in text.splitlines())  # no padding to a fixed width
    monkeypatch.setenv("COLUMNS", "250")  # a narrower table keeps within the width given
    buf = io.StringIO()
    print_sweep(sweep(to_input(tables()), [parse_vary("set", f"{TARGET}=1,2")]), file=buf)
    assert max(len(line) for line in buf.getvalue().splitlines()) <= 250


def test_many_rebuilds_are_summarised_in_a_few_lines():
    # each CO2 price from 50 to 125 €/t closes another measure's gap somewhere: many rebuilds
    base = to_input(tables(measures=[measure(f"m{k}", 0.1, 50 + 5 * k) for k in range(16)], reduction=1.0))
    run_ = sweep(base, [parse_vary("set", "prices:co2_price_eur_per_t:*=40:130:1")])
    assert run_.rebuilds >= 10
    buf = io.StringIO()
    print_sweep(run_, file=buf)
    lines = [line for line in buf.getvalue().splitlines() if "rebuilt" in line and not line.startswith("│")]
    assert 1 <= len(lines) <= 7, lines
    assert lines[0].startswith(f"model rebuilt at {run_.rebuilds} of {len(run_.points)} points")
