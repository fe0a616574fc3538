"""The futures workbook of 1 000 futures fit to read and print (issue 20 point 6), printed by LibreOffice.

What must hold, counted from the PDF (tests/printed.py): at most 60 A4 pages in all; each chart whole on one
page; the charts' helper data never printed; the Drivers sheet's title printed whole; no measure name cut on
Measure shares. And in the workbook: the draws rounded to their meaning (a shift in whole years, a factor to 3
decimals), and a probability axis scaled to its data.

Skipped only when LibreOffice or poppler is missing; the page count is that of LibreOffice with Carlito (the font
metric-compatible with Calibri), as in tests/test_print.py.
"""

from __future__ import annotations

import re

import openpyxl
import pytest

from builders import workbook
from optimiser.pipeline import load, run
from printed import AVAILABLE, by_sheet, has_font, is_a4, pages, to_pdf
from test_futures import one_cost_case

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="LibreOffice (soffice) or poppler (pdftotext) is missing")

CARLITO = has_font("Carlito")
MOST_PAGES = 60


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    d = tmp_path_factory.mktemp("futures-print")
    book = run("futures", samples=1000, seed=1, jobs=2, output=d / "futures.xlsx").plan_path
    return book, pages(to_pdf([book], d / "pdf")[book])


def test_a_thousand_futures_print_on_at_most_60_a4_pages(printed):
    _book, ps = printed
    assert all(is_a4(p) for p in ps)
    if CARLITO:
        assert len(ps) <= MOST_PAGES, {k: len(v) for k, v in by_sheet(ps).items()}
    sheets = by_sheet(ps)
    assert len(sheets["Summary"]) == 1 and len(sheets["Charts"]) == 1 and len(sheets["Drivers"]) == 1


def test_each_chart_is_whole_on_one_page_and_its_data_never_printed(printed):
    _book, ps = printed
    for title in ("Abatement in 2030 over 1,000 futures", "Abatement reached in at least 50, 80 and 95 %",
                  "Cash paid over the futures"):
        on = [p for p in ps if title in " ".join(p.text.split())]
        assert len(on) == 1, (title, [p.number for p in on])
    text = " ".join(" ".join(p.text.split()) for p in ps)
    for helper in ("futures missing a target", "SDE++ p50", "share of futures meeting every target at this public"):
        assert helper not in text, helper


def test_titles_and_names_are_printed_whole(printed):
    _book, ps = printed
    sheets = by_sheet(ps)
    drivers = " ".join(" ".join(p.text.split()) for p in sheets["Drivers"])
    assert "What moves the shortfall most" in drivers
    shares = " ".join(p.text for p in sheets["Measure shares"])
    _, inp, _ = load(None)
    for m in inp.measures.values():  # every part of every name, wrapped at spaces or hyphens but never cut
        for part in re.split(r"[\s-]+", m.name):
            assert part in shares, (m.measure_id, part)


def test_draws_are_rounded_to_their_meaning(printed):
    book, _ps = printed
    ws = openpyxl.load_workbook(book)["Futures"]
    head = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, max_row=200, values_only=True))
    shift = head.index("grid_zeeland (years later)")
    factor = head.index("h2_cost (6 rows, factor ×)")
    assert all(isinstance(r[shift], int) for r in rows)
    assert all(round(r[factor], 3) == r[factor] for r in rows) and ws.cell(row=2, column=factor + 1).number_format \
        == "0.000"


def test_a_probability_axis_is_scaled_to_its_data(tmp_path):
    """Half the futures of the one-cost case meet the target: the cumulative probability tops out at 50 %, drawn
    on a 0–50 % axis."""
    src = workbook(tmp_path / "in.xlsx", one_cost_case())
    out = run("futures", workbook=src, samples=20, seed=4, jobs=1, output=tmp_path / "f.xlsx").plan_path
    charts = openpyxl.load_workbook(out)["Charts"]._charts
    probability = charts[1]
    assert probability.y_axis.scaling.max == pytest.approx(0.5) and probability.y_axis.scaling.min == 0.0
