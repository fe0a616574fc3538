"""Print-ready workbooks: the default plan, a sweep, a comparison and a rules workbook printed by LibreOffice.

Every workbook is converted to PDF once (one soffice run for all of them) and the pages read back with
poppler. Each sheet's footer names it, so pages are counted per sheet. What must hold: every page is A4;
no text is printed below about 8 pt (the median word box of every page); the Summary is a portrait note of
at most two pages; a wide sheet repeats its header row and its id column on every page; a chart is never
split (its title, axis title and legend are on one page); the MACC's helper columns are hidden and never
printed; and the default plan stays well below the 53 tiny pages it printed to before.

Skipped only when LibreOffice (soffice) or poppler (pdftotext, pdfinfo) is missing. The page counts are
those of LibreOffice with Carlito, the font metric-compatible with Calibri (Debian: fonts-crosextra-carlito);
without it the layout is checked, the page counts and text sizes are not.
"""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from builders import measure, tables, workbook, yearly
from optimiser.pipeline import run
from printed import AVAILABLE, by_sheet, has_font, is_a4, pages, to_pdf

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="LibreOffice (soffice) or poppler (pdftotext) is missing")

CARLITO = has_font("Carlito")
#: Median height (pt) of the word boxes on a page: 8 pt text gives about 10 pt boxes (a page fitted into
#: one page width at 4 pt, as before, about 5).
LEAST_TEXT = 9.8


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    d = tmp_path_factory.mktemp("print")
    # the advice's plan (ser-2023): the page counts below were measured on it
    plan = run("plan", workbook="ser-2023", output=d / "plan.xlsx").plan_path
    other = run("plan", workbook="ser-2023", scenario="high-co2", output=d / "other.xlsx").plan_path
    sweep = run("sweep", workbook="ser-2023", vary=[("set", "settings:target_reduction_mt=16:22:2")], output=d / "sweep.xlsx").plan_path
    comparison = run("compare", a=plan, b=other, output=d / "comparison.xlsx").plan_path
    small = workbook(d / "small.xlsx", tables(
        measures=[measure("a", 1.0, 50, eligible="S"), measure("b", 2.0, 80, eligible="S;N"),
                  measure("c", 2.0, 120, eligible="N")],
        instruments=[{"instrument_id": "S", "name": "SDE++"}, {"instrument_id": "N", "name": "NIKI"}],
        budgets=[{"instrument_id": "S", **yearly(300.0)}, {"instrument_id": "N", **yearly(300.0)}]))
    rules = run("rules-gap", workbook=small, output=d / "rules.xlsx").plan_path
    books = {"plan": plan, "sweep": sweep, "comparison": comparison, "rules": rules}
    pdfs = to_pdf(list(books.values()), d / "pdf")
    return {name: (path, pages(pdfs[path])) for name, path in books.items()}


def test_every_page_is_a4_named_in_its_footer_and_readable(printed):
    for name, (path, ps) in printed.items():
        sheets = [ws.title for ws in openpyxl.load_workbook(path, read_only=True).worksheets
                  if ws.sheet_state == "visible"]
        for p in ps:
            assert is_a4(p), (name, p.number, p.width, p.height)
            assert p.sheet in sheets, (name, p.number, p.text[-300:])
            if CARLITO:  # a wider substitute font makes LibreOffice fit the same sheet smaller than Excel would
                assert p.text_size >= LEAST_TEXT, (name, p.sheet, p.number, p.text_size)
        assert set(by_sheet(ps)) == set(sheets), name  # every sheet prints, none is lost


def test_the_summary_is_a_portrait_note_of_one_or_two_pages(printed):
    _, ps = printed["plan"]
    summary = by_sheet(ps)["Summary"]
    assert 1 <= len(summary) <= 2
    assert all(not p.landscape for p in summary)
    first = summary[0].text
    assert first.index("Every target is met") < first.index("Targets") < first.index("Budget headroom")
    # the columns of its tables are on the page, not split to another page across
    text = " ".join(p.text for p in summary)
    for header in ("shortfall", "headroom", "public cost", "binding", "what it means"):
        assert header in text, header


def test_the_default_plan_prints_to_far_fewer_readable_pages(printed):
    _, ps = printed["plan"]
    counts = {sheet: len(v) for sheet, v in by_sheet(ps).items()}
    if not CARLITO:
        pytest.skip(f"page counts hold for Carlito (Calibri's metrics); without it: {counts}")
    # before: 53 pages, the result sheets fitted to one page width (4 pt), the inputs on 45 pages; the
    # limits leave some room for small changes of the data
    assert len(ps) <= 70, counts  # 63 with the futures' uncertainty sheet
    assert counts["Measure plan"] <= 14 and counts["About"] <= 11 and counts["Cash"] <= 4, counts
    assert counts["MACC"] <= 4 and counts["By cluster"] == 1, counts
    for sheet in ("settings", "budgets", "resources", "targets", "committed"):
        assert counts[sheet] == 1, (sheet, counts)
    assert counts["measures"] <= 6 and counts["scenarios"] <= 4, counts


def test_wide_sheets_repeat_their_header_row_and_id_column(printed):
    _, ps = printed["plan"]
    sheets = by_sheet(ps)
    measure_plan = sheets["Measure plan"]
    assert len(measure_plan) > 1
    for p in measure_plan:
        assert "measure id" in p.text, p.number  # the header row and the id column on every page
        assert "porthos_shell_pernis" in p.text or "tata_dri_eaf" in p.text or "_" in p.text
    # the page groups follow the table's column groups: the yearly shares, the money, the reasons
    texts = [p.text for p in measure_plan]
    assert any("subsidy" in t and "status" not in t and "reason" not in t for t in texts)
    assert any("reason" in t and "status" not in t and "subsidy" not in t for t in texts)
    for p in sheets["measures"]:
        assert "measure_id" in p.text
    wb = openpyxl.load_workbook(printed["plan"][0])
    ws = wb["Measure plan"]
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$A"
    assert ws.page_setup.scale >= 75 and int(ws.page_setup.paperSize) == 9


def _chart_page(ps, title: str, *also: str):
    """The one page showing a chart's title; its other texts (axis titles, legend) are shown on it too.

    A text counts as shown where one word of it is inked (the PDF's text also holds what is clipped away).
    """
    word = title.split()[0]
    found = [p for p in ps if title in p.text and p.shows(word)]
    assert len(found) == 1, (title, [p.number for p in found])
    for text in also:
        assert text in found[0].text, (title, text)
        last = text.split()[-1]
        assert found[0].shows(last), (title, text)
    return found[0]


def test_charts_are_never_split_across_pages(printed):
    _, ps = printed["plan"]
    _chart_page(ps, "Marginal abatement cost curve", "cumulative abatement potential", "not funded")
    _chart_page(ps, "Cash paid out by instrument", "commitments (all instruments), right axis")
    _, sweep = printed["sweep"]
    _chart_page(sweep, "Public cost and the marginal value of the target against",
                "settings:target_reduction_mt (Mt CO2-eq/yr)", "marginal value")
    _chart_page(sweep, "Peak cash against", "peak cash")


def test_the_maccs_helper_columns_are_hidden_and_not_printed(printed):
    path, ps = printed["plan"]
    assert not any("chart: cumulative potential" in p.text for p in ps)
    ws = openpyxl.load_workbook(path)["MACC"]
    helper = next(c for c in ws[1] if c.value == "chart: cumulative potential (Mt CO2-eq/yr)")
    assert ws.column_dimensions[helper.column_letter].hidden
    _, _, last_printed, _ = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    assert last_printed < helper.column
    chart = ws._charts[0]
    assert chart.visible_cells_only is False  # its data are hidden: the chart must still draw them


def test_every_workbook_of_the_planner_prints(printed):
    for name in ("sweep", "comparison", "rules"):
        path, ps = printed[name]
        assert ps, name
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            assert int(ws.page_setup.paperSize) == 9, (name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage or ws.page_setup.scale >= 75, (name, ws.title)
    counts = {s: len(v) for s, v in by_sheet(printed["comparison"][1]).items()}
    assert counts["About"] == 1
    sweep = by_sheet(printed["sweep"][1])
    for p in sweep["Sweep"]:
        assert "point" in p.text  # the sweep's first column repeats beside every group of columns
