"""Property: a valid workbook with cells changed at random is either refused cleanly or planned (issue 4).

Hypothesis picks a few cells anywhere (any sheet, any row or column, headers
and one row or column past the data included) and puts text, numbers
(negative, huge, tiny, NaN, ±inf), blanks, formulas, booleans or dates in
them. The workbook is saved and run through the pipeline in-process
(``load`` + ``solve_input``): the outcome must be an :class:`InputError` whose
problems each name the file and a sheet on one line, or a plan — never any
other exception, and never slow.
"""

from __future__ import annotations

import io
import math
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings, strategies as st

from make_bad_corpus import base_bytes
from optimiser.input.data import InputError
from optimiser.pipeline import load, solve_input

SHEETS = openpyxl.load_workbook(io.BytesIO(base_bytes())).sheetnames
SIZES = {ws.title: (ws.max_row, ws.max_column) for ws in openpyxl.load_workbook(io.BytesIO(base_bytes()))}

# text without XML-illegal control characters (a spreadsheet cannot hold them either)
text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
words = st.sampled_from([
    "", " ", "yes", "no", "maybe", "stock", "flow", "G", "a", "b", "c", "G;G", "G;NOPE", "grid_north",
    "co2_price_eur_per_t", "start_year", "target_year", "target_reduction_mt", "mip_gap", "measure_id",
    "abatement_mt", "2025", "2030", "NaN", "nan", "inf", "-inf", "1e309", "−5", "#N/A", "#DIV/0!",
    "=1+1", "=A1", "=SUM(B2:B9)", '=HYPERLINK("x")', "+1", "-1", "@x",
])
numbers = st.one_of(
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, -0.0, 1, -1, 0.5, 1.5, 2024, 2025, 2026, 2027, 1e15, -1e15, 1e300, -1e300,
                     1e-300, 5e-324, 2**53 + 1]),
)
values = st.one_of(
    st.none(), text, words, numbers, st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 12, 31)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)),
)


@st.composite
def edits(draw):
    sheet = draw(st.sampled_from(SHEETS))
    max_row, max_col = SIZES[sheet]
    row = draw(st.integers(1, max_row + 1))
    col = draw(st.integers(1, max_col + 1))
    return sheet, row, col, draw(values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits(), min_size=1, max_size=4))
def test_random_cell_edits_are_refused_cleanly_or_planned(changes):
    wb = openpyxl.load_workbook(io.BytesIO(base_bytes()))
    for sheet, row, col, value in changes:
        wb[sheet].cell(row=row, column=col).value = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.xlsx"
        wb.save(path)
        t0 = time.perf_counter()
        try:
            _, inp, _ = load(path)
        except InputError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.file == str(path), p
                assert p.sheet, f"a problem names no sheet: {p}"
                assert "\n" not in str(p) and "Traceback" not in str(p)
            return
        finally:
            assert time.perf_counter() - t0 < 10
        result = solve_input(inp)
        assert time.perf_counter() - t0 < 20
    assert result.status in ("target_met", "target_not_met")
    assert math.isfinite(result.objective_meur)
    for m in result.measures.values():
        assert -1e-6 <= m.committed_share <= 1 + 1e-6
