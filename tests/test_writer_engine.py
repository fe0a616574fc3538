"""The writer engine behind the spreadsheet toolkit (report/xlsx.py: XlsxWriter) and the plan workbook begun
while HiGHS solves (report/plan.py: the input sheets written by a thread during the solve).

What must hold whatever the engine: text that looks like a formula stays text; numbers of input sheets keep
every digit (a plan re-reads to the very same input); widths, print set-up and charts are what the toolkit
decided; a book saved twice writes the same bytes; a book given up leaves nothing on disk. And of the
background writing: the workbook is the same with it and without it; the input sheets are written while the
solver runs; a failed or interrupted solve leaves no temporary file and no output; an error of the writing
thread is raised as it would be without the thread.
"""

from __future__ import annotations

import math
import random
import tempfile
import threading
import time
import zipfile

import openpyxl
import pytest

from builders import measure, tables, workbook, yearly
from charts import chart_titled
from optimiser.pipeline import run as run_pipeline
from optimiser.report import plan as plan_writer
from optimiser.report.xlsx import Book, Cancelled, Chart, Col, Line


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The system's temporary folder for this test alone (where the toolkit's temporary files go)."""
    tmp = tmp_path / "systemp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def _book_with_everything(path):
    book = Book("a title & more")
    s = book.sheet("Data")
    s.title("Numbers and text")
    s.line("A line of free text that is long enough to wrap across the printed page when it is printed, "
           "which it will be, on A4.")
    top, last = s.table([Col("id"), Col("value (M€)", "#,##0.0"), Col("note", wrap=20)],
                        [["a", 1234.5, "=SUM(A1:A2)"], ["b", -0.25, "a note that is long enough to wrap"],
                         ["c", float("nan"), "+cmd"]], freeze=1, autofilter=True)
    s.data(1, 8, ["x", "y"], [[0.0, 1.0], [1.0, 3.0], [2.0, 2.0]])
    s.chart(Chart("scatter", "a chart", "x", "y", series=[Line(9, 2, 4, "y", "1F4E79", x_col=8)],
                  y_range=(0.0, 4.0), hidden_data=True))
    s.hide_columns(8)
    s.finish()
    return book


def test_text_stays_text_numbers_keep_their_format_and_a_nan_is_no_cell(tmp_path, private_tmp):
    path = tmp_path / "b.xlsx"
    _book_with_everything(path).save(path)
    ws = openpyxl.load_workbook(path)["Data"]
    cells = {c.coordinate: c for row in ws.iter_rows() for c in row if c.value is not None}
    formula = next(c for c in cells.values() if c.value == "=SUM(A1:A2)")
    assert formula.data_type == "s" and formula.quotePrefix  # shown as typed, never evaluated
    assert next(c for c in cells.values() if c.value == "+cmd").data_type == "s"
    money = next(c for c in cells.values() if c.value == 1234.5)
    assert money.number_format == "#,##0.0"
    assert not any(isinstance(c.value, float) and math.isnan(c.value) for c in cells.values())
    # title, line, then the table's header in row 3: frozen below it, repeated on every printed page
    assert ws.freeze_panes == "B4" and ws.auto_filter.ref.startswith("A3:")
    helper = ws.column_dimensions["H"]  # the chart's data, columns H and I
    assert helper.hidden and helper.min == 8 and helper.max == 9
    assert int(ws.page_setup.paperSize) == 9 and ws.print_title_rows == "$3:$3"
    assert list(private_tmp.iterdir()) == []  # the temporary files are gone


def test_an_input_sheet_keeps_every_digit_and_a_result_sheet_its_sixteen(tmp_path):
    values = [random.Random(7).random() * 1.3 + k for k in range(200)]
    book = Book("t")
    s = book.sheet("exact")
    s.table([Col("v")], [[v] for v in values], exact=True)
    s.finish()
    path = book.save(tmp_path / "x.xlsx")
    back = [r[0] for r in openpyxl.load_workbook(path)["exact"].iter_rows(min_row=2, values_only=True)]
    assert back == values  # to the last bit: a plan workbook re-reads to the same input


def test_a_book_saved_twice_writes_the_same_bytes_and_a_discarded_one_leaves_nothing(tmp_path, private_tmp):
    book = _book_with_everything(tmp_path / "a.xlsx")
    a = book.save(tmp_path / "a.xlsx")
    b = book.save(tmp_path / "b.xlsx")  # e.g. the first name was locked: kept under another
    assert a.read_bytes() == b.read_bytes()
    assert list(private_tmp.iterdir()) == []
    given_up = Book("t")
    s = given_up.sheet("s")
    s.table([Col("a")], [[1]])
    s.finish()  # written out: its rows are in a temporary folder
    assert len(list(private_tmp.iterdir())) == 1
    given_up.discard()
    assert list(private_tmp.iterdir()) == []
    with pytest.raises(Cancelled):
        given_up.save(tmp_path / "c.xlsx")
    assert not (tmp_path / "c.xlsx").exists()


def test_a_chart_of_hidden_helper_data_says_it_plots_them(tmp_path):
    """XlsxWriter leaves <c:plotVisOnly> out for such a chart; LibreOffice reads that as 'visible cells only'
    and would draw nothing."""
    path = _book_with_everything(tmp_path / "b.xlsx").save(tmp_path / "b.xlsx")
    with zipfile.ZipFile(path) as z:
        assert '<c:plotVisOnly val="0"/>' in z.read("xl/charts/chart1.xml").decode()
    chart = chart_titled(path, "a chart")
    assert chart.plots_hidden
    assert (chart.axis_of("y").min, chart.axis_of("y").max) == (0.0, 4.0)  # the axis range given


def test_widths_are_stored_as_the_toolkit_decided_them(tmp_path):
    book = Book("t")
    s = book.sheet("w")
    s.table([Col("a header"), Col("b")], [["x" * 20, 1.0]])
    s.finish(widths={2: 17})
    path = book.save(tmp_path / "w.xlsx")
    ws = openpyxl.load_workbook(path)["w"]
    assert ws.column_dimensions["A"].width == pytest.approx(22, abs=0.15)  # 20 characters + 2
    assert ws.column_dimensions["B"].width == pytest.approx(17, abs=0.15)


# ---------------------------------------------------------------- the plan workbook begun during the solve

def _small(tmp_path, **settings):
    return workbook(tmp_path / "in.xlsx", tables(
        measures=[measure("a", 1.0, 50), measure("b", 2.0, 80, cluster="south"), measure("c", 2.0, 120)],
        budgets=[{"instrument_id": "G", **yearly(1e6)}], **settings))


def _cells(path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [[c.value for c in row] for row in ws.iter_rows()
                         if not any(isinstance(c.value, str) and (c.value[:4].isdigit() and "T" in c.value[:12]
                                                                  or c.value == "solve time (s)") for c in row)]
        # the time of the run differs: the 'generated' stamp and the solve time
    return out


@pytest.fixture
def background(monkeypatch):
    """The input sheets always written beside the solver (by default only when a processor is free)."""
    monkeypatch.setattr(plan_writer, "BACKGROUND", True)


def test_the_workbook_is_the_same_with_the_input_sheets_written_during_the_solve(tmp_path, monkeypatch, background):
    src = _small(tmp_path)
    run_pipeline("plan", workbook=src, output=tmp_path / "during.xlsx")
    monkeypatch.setattr(plan_writer, "BACKGROUND", False)
    run_pipeline("plan", workbook=src, output=tmp_path / "after.xlsx")
    during, after = _cells(tmp_path / "during.xlsx"), _cells(tmp_path / "after.xlsx")
    assert list(during) == list(after)  # result sheets, then the input sheets, then the hidden result
    assert list(during)[0] == "Summary" and list(during)[-1] == "policymix result"
    for title in during:
        if title != "policymix result":  # it holds the time of the run
            assert during[title] == after[title], title


def test_the_input_sheets_are_written_while_the_solver_runs(tmp_path, monkeypatch, background):
    from optimiser.model.solve import Solver

    src = _small(tmp_path)
    seen = {}
    begun = []
    start = plan_writer.start_plan_workbook
    monkeypatch.setattr(plan_writer, "start_plan_workbook", lambda inp: begun.append(start(inp)) or begun[-1])
    solve = Solver.solve

    def slow_solve(self, *a, **k):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (begun and not begun[0]._thread.is_alive()):
            time.sleep(0.01)  # the solver 'works'; the thread writes meanwhile
        seen["input sheets"] = [s.name for s in begun[0].book._sheets if s.finished]
        seen["thread"] = begun[0]._thread.name
        return solve(self, *a, **k)

    monkeypatch.setattr(Solver, "solve", slow_solve)
    run_pipeline("plan", workbook=src, output=tmp_path / "p.xlsx")
    assert {"settings", "measures", "instruments", "budgets", "prices"} <= set(seen["input sheets"])
    assert seen["thread"] != threading.current_thread().name


def test_a_failed_solve_leaves_no_temporary_file_and_no_plan(tmp_path, private_tmp, background):
    from optimiser.model.optimum import TargetInfeasible

    # 10 M€ a year cannot buy the 3 Mt/yr the target asks, and strict mode allows no shortfall
    src = workbook(tmp_path / "strict.xlsx", tables(budgets=[{"instrument_id": "G", **yearly(10.0)}], strict="yes"))
    with pytest.raises(TargetInfeasible):
        run_pipeline("plan", workbook=src, output=tmp_path / "p.xlsx")
    assert not (tmp_path / "p.xlsx").exists()
    assert list(private_tmp.iterdir()) == []


def test_an_interrupted_solve_leaves_no_temporary_file_and_no_plan(tmp_path, private_tmp, monkeypatch, background):
    from optimiser.model.solve import Solver

    src = _small(tmp_path)

    def interrupted(self, *a, **k):
        time.sleep(0.2)  # the thread is writing
        raise KeyboardInterrupt

    monkeypatch.setattr(Solver, "solve", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline("plan", workbook=src, output=tmp_path / "p.xlsx")
    assert not (tmp_path / "p.xlsx").exists()
    assert list(private_tmp.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name == "policymix: input sheets"]


@pytest.mark.parametrize("background", [True, False], ids=["during the solve", "after it"])
def test_an_error_of_the_writing_thread_is_raised_as_without_it(tmp_path, private_tmp, monkeypatch, background):
    monkeypatch.setattr(plan_writer, "BACKGROUND", background)

    def broken(*a, **k):
        raise RuntimeError("the input sheets could not be written")

    monkeypatch.setattr(plan_writer, "add_input_sheets", broken)
    with pytest.raises(RuntimeError, match="the input sheets could not be written"):
        run_pipeline("plan", workbook=_small(tmp_path), output=tmp_path / "p.xlsx")
    assert not (tmp_path / "p.xlsx").exists()  # and the sheets written out before the error are removed:
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("cores, load, spare", [(2, 0.3, True), (2, 0.9, False), (2, 2.5, False), (1, 0.0, False),
                                                (8, 5.0, True), (8, 7.0, False)])
def test_the_input_sheets_go_beside_the_solver_only_when_a_processor_is_free(monkeypatch, cores, load, spare):
    """On a busy machine a thread beside HiGHS only takes time from it (docs/performance.md)."""
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert plan_writer.spare_core() is spare
    monkeypatch.setattr(plan_writer, "BACKGROUND", None)
    monkeypatch.setattr(plan_writer, "Started", lambda inp: "started")
    assert (plan_writer.start_plan_workbook(None) == "started") is spare
    monkeypatch.setattr(plan_writer, "BACKGROUND", False)
    assert plan_writer.start_plan_workbook(None) is None
