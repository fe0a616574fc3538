"""Inputs that were misread (issue 21), each with its neighbours: refused in one line naming file, sheet, row and
column, exit 2, nothing written and no input touched — or accepted and planned with the number meant.

- Text that means another number in Dutch than in English ('12.000': twelve thousand to a Dutch analyst,
  twelve to an English reader) is refused with both readings; other ways of writing a number as text get the
  number to write; plain numbers, real (not text) numbers and '0.5' are read.
- Percentages where a share belongs ('80%' as text, a committed share of 60) get the fraction.
- A plan workbook whose stored result or input sheets were edited by hand is validated like any input, before
  a stress test or a comparison writes anything.
- A cell formatted as a date holding a number far out of range is refused in one line (no Rust panic).
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from builders import edited, measure, stored, tables, workbook, yearly
from optimiser.cli import main
from optimiser.input.manifest import RESULT_DOCUMENT_SHEET

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "/"
            for p in sorted(folder.rglob("*"))}


def _run(capsys, folder: Path, argv: list) -> tuple[int, str, str]:
    """``policymix ARGV`` in-process, in ``folder``: (exit code, stdout, stderr)."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = main([str(a) for a in argv])
    finally:
        os.chdir(cwd)
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(capsys, folder: Path, argv: list, where: str, *words: str) -> str:
    """Exit 2, one error line starting with ``where`` and holding ``words``, and the folder exactly as it was
    (nothing written, no input touched)."""
    before = snapshot(folder)
    code, _out, err = _run(capsys, folder, argv)
    lines = [l for l in err.splitlines() if not l.startswith("note: ")]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {where}"), lines[0]
    for w in words:
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    assert snapshot(folder) == before, "a file was written, removed or changed"
    return lines[0]


def planned(capsys, folder: Path, argv: list) -> str:
    code, out, err = _run(capsys, folder, argv)
    assert code == 0, err
    return out


def case_workbook(folder: Path, **changes) -> Path:
    """The three-measure case (target 3 Mt in 2026) with ``changes``: {(sheet, row index, column): value}."""
    t = tables(instruments=[{"instrument_id": "G", "name": "grant", "period_budget_meur": 1e6}])
    for (sheet, index, column), value in changes.pop("cells", {}).items():
        t[sheet][index][column] = value
    for sheet, rows in changes.items():
        t[sheet] = rows
        for n, r in enumerate(rows, start=2):
            r.setdefault("_row", n)
    return workbook(folder / "in.xlsx", t)


def cell(sheet, index, column, value):
    return {"cells": {(sheet, index, column): value}}


# ---------------------------------------------------------------- numbers written as text

#: (sheet, row index in the table, column, text, words of the hint) — each refused, naming its cell.
AMBIGUOUS = [
    ("budgets", 0, 2025, "12.000", "write 12000 or 12.0"),
    ("instruments", 0, "period_budget_meur", "1.000", "write 1000 or 1.0"),
    ("budgets", 0, 2024, "12,000", "write 12000 or 12.0"),
    ("measures", 0, "cost_eur_per_t", "-12.000", "write -12000 or -12.0"),
    ("measures", 1, "cost_eur_per_t", "\u2212120.000", "write -120000 or -120.0"),
    ("measures", 0, "cost_eur_per_t", "123.456", "write 123456 or 123.456"),
    ("measures", 0, "capex_meur", "1,500", "write 1500 or 1.5"),
]


@pytest.mark.parametrize("sheet, index, column, text, words", AMBIGUOUS, ids=[a[3] for a in AMBIGUOUS])
def test_a_separator_that_reads_differently_in_dutch_and_english_is_refused_with_both_readings(
        capsys, tmp_path, sheet, index, column, text, words):
    wb = case_workbook(tmp_path, **cell(sheet, index, column, text))
    for command in (["check", wb], ["plan", wb, "-o", tmp_path / "p.xlsx"]):
        refused(capsys, tmp_path, command, f"{wb}, sheet '{sheet}', row {index + 2}, column '{column}': ",
                f"found '{text}', expected a number", words)


#: Text that is a number written another way, unambiguously: refused with the one number to write.
WRITTEN_OTHERWISE = [
    ("12.000,5", "write it without a thousands separator and with a decimal point: 12000.5"),
    ("12,000.5", "12000.5"),
    ("1.234.567", "1234567"),
    ("1,234,567", "1234567"),
    ("12 000", "12000"),
    ("12\u00a0000", "12000"),
    ("1,5", "use a decimal point: 1.5"),
    ("1_000", ""),  # Python would read 1000; a spreadsheet would not
]


@pytest.mark.parametrize("text, words", WRITTEN_OTHERWISE, ids=[w[0] for w in WRITTEN_OTHERWISE])
def test_a_number_written_another_way_is_refused_with_the_number_to_write(capsys, tmp_path, text, words):
    wb = case_workbook(tmp_path, **cell("budgets", 0, 2026, text))
    refused(capsys, tmp_path, ["check", wb], f"{wb}, sheet 'budgets', row 2, column '2026': ",
            f"found {text!r}, expected a number", words)


def test_a_setting_typed_with_a_thousands_point_is_refused(capsys, tmp_path):
    wb = case_workbook(tmp_path, **cell("settings", 3, "value", "3.000"))  # target_reduction_mt
    refused(capsys, tmp_path, ["check", wb], f"{wb}, sheet 'settings', row 5, column 'value': ",
            "setting 'target_reduction_mt': found '3.000', expected a number", "write 3000 or 3.0")


def test_numbers_in_a_list_are_read_as_strictly(capsys, tmp_path):
    wb = case_workbook(tmp_path, **cell("instruments", 0, "phases_eur_per_t", "75.000;150"))
    refused(capsys, tmp_path, ["check", wb], f"{wb}, sheet 'instruments', row 2, column 'phases_eur_per_t': ",
            "expected numbers separated by ';'", "write 75000 or 75.0")


@pytest.mark.parametrize("op, text, words", [
    ("--set", "budgets:G:2025=12.000", "found '12.000', expected a number"),
    ("--scale", "budgets:G:*=1.000", "scale needs a number, found '1.000'"),
])
def test_an_override_on_the_command_line_is_read_as_strictly(capsys, tmp_path, op, text, words):
    wb = case_workbook(tmp_path)
    refused(capsys, tmp_path, ["plan", wb, op, text, "-o", tmp_path / "p.xlsx"], f"{wb}: {op} {text}: ", words,
            "write 1")


def test_a_decimal_point_on_the_command_line_is_a_decimal_point(capsys, tmp_path):
    """On a command line a point is a decimal point: --scale …=1.125 is 1.125 (only '12.000' is refused)."""
    from optimiser.input.scenario import parse_override

    assert parse_override("scale", "budgets:G:*=1.125").value == 1.125
    assert parse_override("set", "measures:a:abatement_mt=1.441").value == 1.441
    assert parse_override("set", "measures:a:name=12.000").value == "12.000"  # text, refused where a number belongs
    wb = case_workbook(tmp_path)
    out = planned(capsys, tmp_path, ["plan", wb, "--scale", "measures:*:abatement_mt=1.125", "-o", "p.xlsx", "--json",
                                     "-"])
    assert '"abatement_mt"' in out


@pytest.mark.parametrize("column, text, value", [
    ("max_share", "0.5", 0.5),  # a leading 0 is no thousands group
    ("max_share", "0.500", 0.5),
    ("abatement_mt", "1.5", 1.5),  # one decimal
    ("abatement_mt", " 1.25 ", 1.25),
    ("cost_eur_per_t", "-5", -5.0),
    ("cost_eur_per_t", "1e2", 100.0),
    ("capex_meur", 12000, 12000.0),  # a real number, not text: whatever its display
    ("capex_meur", 12.0, 12.0),
])
def test_plain_numbers_as_text_and_real_numbers_are_read(tmp_path, column, text, value):
    from optimiser.input.read import read_workbook

    wb = case_workbook(tmp_path, **cell("measures", 0, column, text))
    assert getattr(read_workbook(wb).input.measures["a"], column) == value


def test_a_real_number_where_a_thousands_separator_was_displayed_is_planned(capsys, tmp_path):
    wb = case_workbook(tmp_path, **cell("budgets", 0, 2025, 12000))
    assert "Plan written" in planned(capsys, tmp_path, ["plan", wb, "-o", "p.xlsx"])
    assert (tmp_path / "p.xlsx").exists()


# ---------------------------------------------------------------- percentages where a share belongs

@pytest.mark.parametrize("sheet, index, column, value, words", [
    ("measures", 0, "max_share", "80%", "found '80%', expected a number; a share is a fraction: write 0.8 for 80 %"),
    ("measures", 0, "max_share", "80 %", "write 0.8 for 80 %"),
    ("measures", 0, "max_share", "80,5%", "write 0.805 for 80.5 %"),
    ("measures", 0, "max_share", 80, "found 80, expected a share in (0, 1]; a share is a fraction: write 0.8 for 80 %"),
    ("instruments", 0, "capex_share_cap", "40%", "write 0.4 for 40 %"),
    ("measures", 0, "cost_eur_per_t", "80%", "found '80%', expected a number (write the number without '%': 80)"),
    ("instruments", 0, "payout", "20;50;30", "the shares sum to 100; expected 'operating' or the shares"),
])
def test_a_percentage_where_a_share_belongs_gets_the_fraction(capsys, tmp_path, sheet, index, column, value, words):
    wb = case_workbook(tmp_path, **cell(sheet, index, column, value))
    line = refused(capsys, tmp_path, ["check", wb], f"{wb}, sheet '{sheet}', row {index + 2}, column '{column}': ",
                   words)
    if column == "payout":
        assert line.endswith("; shares are fractions: write 0.2;0.5;0.3")


@pytest.mark.parametrize("share, words, hint", [
    (60, "found 60, expected a share in (0, 1]", "; a share is a fraction: write 0.6 for 60 %"),
    ("60%", "found '60%', expected a number", "; a share is a fraction: write 0.6 for 60 %"),
    (1.5, "found 1.5, expected a share in (0, 1]", ""),  # too large, but not a percentage
    (0, "found 0, expected a share in (0, 1]", ""),
])
def test_a_committed_share_typed_as_a_percentage_gets_the_hint(capsys, tmp_path, share, words, hint):
    wb = case_workbook(tmp_path, committed=[{"measure_id": "a", "year": 2023, "share": share}])
    line = refused(capsys, tmp_path, ["check", wb], f"{wb}, sheet 'committed', row 2, column 'share': ", words)
    assert line.endswith(words + hint)


def test_a_committed_share_as_a_fraction_is_planned(capsys, tmp_path):
    wb = case_workbook(tmp_path, committed=[{"measure_id": "a", "year": 2023, "share": 0.6}])
    planned(capsys, tmp_path, ["plan", wb, "-o", "p.xlsx"])


# ---------------------------------------------------------------- plan workbooks edited by hand

UNCERTAIN = [{"name": "cost of c", "sheet": "measures", "id": "c", "column": "cost_eur_per_t", "op": "scale",
              "distribution": "uniform", "low": 0.9, "high": 1.1}]


@pytest.fixture(scope="module")
def plan_files(tmp_path_factory):
    """An input workbook with an uncertainty row, and its plan."""
    folder = tmp_path_factory.mktemp("plan")
    src = case_workbook(folder, uncertainty=[dict(r) for r in UNCERTAIN])
    assert main(["plan", str(src), "-o", str(folder / "plan.xlsx")]) == 0
    return src, folder / "plan.xlsx"


def _first_commitment(document) -> tuple[str, str]:
    m = sorted(document["commitments"])[0]
    return m, sorted(document["commitments"][m])[0]


def _set_commitment(value):
    def change(d):
        m, y = _first_commitment(d)
        d["commitments"][m][y] = value
    return change


@pytest.mark.parametrize("value, words", [
    (5.0, "holds 5.0, expected a share in [0, 1]"),
    ("all of it", "holds 'all of it', expected a share in [0, 1]"),
    (-0.2, "holds -0.2, expected a share in [0, 1]"),
    (True, "holds true, expected a share in [0, 1]"),
])
def test_a_stress_test_of_a_plan_whose_stored_commitment_was_edited_is_refused(capsys, tmp_path, plan_files,
                                                                                value, words):
    src, plan = plan_files
    m, y = _first_commitment(stored(plan))
    bad = edited(plan, tmp_path / "edited.xlsx", _set_commitment(value))
    for argv in (["futures", src, "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"],
                 ["futures", "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"]):
        refused(capsys, tmp_path, argv, f"{bad}, sheet '{RESULT_DOCUMENT_SHEET}': ",
                f"'commitments/{m}/{y}' {words}", "the stored result was edited: plan the workbook again",
                "a decision to keep goes in sheet 'committed'")


def test_stored_commitments_the_plans_own_sheets_cannot_hold_are_refused(capsys, tmp_path, plan_files):
    src, plan = plan_files
    m, y = _first_commitment(stored(plan))

    def lower_max_share(wb):  # the plan's measures sheet edited: the stored commitment no longer fits
        ws = wb["measures"]
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == m:
                row[header.index("max_share")].value = 0.1
    bad = edited(plan, tmp_path / "lower.xlsx", sheet_edit=lower_max_share)
    refused(capsys, tmp_path, ["futures", src, "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"],
            f"{bad}, sheet '{RESULT_DOCUMENT_SHEET}': ", f"'commitments/{m}' commits", "above its max_share 0.1")

    def earlier_year(d):
        d["commitments"][m]["2019"] = d["commitments"][m].pop(y)
    bad = edited(plan, tmp_path / "year.xlsx", earlier_year)
    refused(capsys, tmp_path, ["futures", src, "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"],
            f"{bad}, sheet '{RESULT_DOCUMENT_SHEET}': ", f"'commitments/{m}/2019': expected a year of 2024–2026")

    def unknown_measure(d):
        d["commitments"]["zz"] = {"2024": 0.5}
    bad = edited(plan, tmp_path / "zz.xlsx", unknown_measure)
    refused(capsys, tmp_path, ["futures", src, "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"],
            f"{bad}, sheet '{RESULT_DOCUMENT_SHEET}': ", "'commitments/zz' commits measure 'zz'")


def test_a_plan_whose_committed_sheet_was_edited_is_refused_naming_the_cell(capsys, tmp_path, plan_files):
    src, plan = plan_files

    def add_decision(wb):
        ws = wb["committed"] if "committed" in wb.sheetnames else wb.create_sheet("committed")
        if ws["A1"].value is None:  # the plan of a workbook without decisions has the sheet bare
            for c, name in enumerate(["measure_id", "year", "share"], start=1):
                ws.cell(row=1, column=c, value=name)
        header = [c.value for c in ws[1]]
        values = {"measure_id": "a", "year": 2023, "share": "all of it"}
        ws.append([values.get(h) for h in header])
    bad = edited(plan, tmp_path / "committed.xlsx", sheet_edit=add_decision)
    refused(capsys, tmp_path, ["futures", src, "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"],
            f"{bad}, sheet 'committed', row 2, column 'share': ", "found 'all of it', expected a number")


def test_a_stress_test_of_an_unedited_plan_is_planned(capsys, tmp_path, plan_files):
    src, plan = plan_files
    out = planned(capsys, tmp_path, ["futures", src, "--plan", plan, "--samples", 4, "-o", "f.xlsx"])
    assert "stress test of plan.xlsx" in out and (tmp_path / "f.xlsx").exists()


@pytest.mark.parametrize("change, words", [
    (lambda d: d["plan"].update(public_cost_meur="lots"), "'plan/public_cost_meur' holds 'lots', expected a number"),
    (lambda d: d["plan"].update(public_cost_meur=float("nan")), "'plan/public_cost_meur' holds NaN, expected a number"),
    (lambda d: d["measures"]["a"].update(public_cost_meur=[1]), "'measures/a/public_cost_meur' holds [1]"),
    (lambda d: d["plan"]["measures"]["a"].update(committed_share=80), "'plan/measures/a/committed_share' holds 80"),
    (lambda d: d.pop("target_mt"), "'target_mt' is missing"),
    (lambda d: d.update(plan=[]), "'plan' holds [], expected a table of values"),
    (lambda d: d["shadow_prices"].append({"kind": "budget"}), "lacks 'id', 'year', 'value', 'unit'"),
    (lambda d: d["plan"]["shadow_prices"].update(target=5), "'plan/shadow_prices/target' holds 5, expected a table"),
    (lambda d: d["plan"]["cash_meur"]["G"].update({"20x5": 1.0}),
     "'plan/cash_meur/G' holds the key '20x5', expected a year"),
])
def test_compare_of_a_plan_whose_stored_result_was_edited_is_refused_before_writing(capsys, tmp_path, plan_files,
                                                                                    change, words):
    _src, plan = plan_files
    bad = edited(plan, tmp_path / "edited.xlsx", change)
    good = tmp_path / "good.xlsx"
    good.write_bytes(plan.read_bytes())
    refused(capsys, tmp_path, ["compare", good, bad, "-o", tmp_path / "cmp.xlsx"],
            f"{bad}, sheet '{RESULT_DOCUMENT_SHEET}': ", words, "plan the workbook again")


def test_compare_of_a_plan_whose_hidden_sheet_holds_no_result_is_refused(capsys, tmp_path, plan_files):
    _src, plan = plan_files

    def garbage(wb):
        ws = wb[RESULT_DOCUMENT_SHEET]
        ws.delete_rows(1, ws.max_row)
        ws["A1"] = "my notes"
    bad = edited(plan, tmp_path / "garbage.xlsx", sheet_edit=garbage)
    refused(capsys, tmp_path, ["compare", plan, bad], f"{bad}: ", "does not hold a plan result (was it edited?)")
    # a stress test does not plan it anew as if it were an input workbook: it is a plan whose result is gone
    refused(capsys, tmp_path, ["futures", bad, "--plan", bad, "--samples", 4, "-o", tmp_path / "f.xlsx"],
            f"{bad}: ", "does not hold a plan result")


def test_compare_of_two_unedited_plans_is_written(capsys, tmp_path, plan_files):
    _src, plan = plan_files
    other = tmp_path / "other.xlsx"
    other.write_bytes(plan.read_bytes())
    planned(capsys, tmp_path, ["compare", plan, other, "-o", "cmp.xlsx"])
    assert (tmp_path / "cmp.xlsx").exists()


# ---------------------------------------------------------------- a date-formatted cell far out of range

@pytest.mark.parametrize("number_format", ["yyyy-mm-dd", "h:mm:ss", "[h]:mm:ss"])
def test_a_number_far_out_of_a_dates_range_in_a_date_cell_is_refused_in_one_line(tmp_path, number_format):
    """python-calamine panicked (a Rust backtrace, exit 1) on -1e15 in a cell formatted as a date or time."""
    wb_path = case_workbook(tmp_path)
    wb = openpyxl.load_workbook(wb_path)
    ws = wb["measures"]
    ws["E2"].value = -1e15
    ws["E2"].number_format = number_format
    wb.save(wb_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = snapshot(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "optimiser", "check", str(wb_path)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"error: {wb_path}, sheet 'measures', row 2, column 'abatement_mt': ")
    assert "panicked" not in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(tmp_path) == before


def test_a_sweeps_values_are_read_as_strictly(capsys, tmp_path):
    wb = case_workbook(tmp_path)
    refused(capsys, tmp_path, ["sweep", wb, "--vary", "budgets:G:2025=10.000:20.000:5.000", "-o", tmp_path / "s.xlsx"],
            "--vary budgets:G:2025=10.000:20.000:5.000: '10.000' is not a number", "write 10000 or 10.0")
    refused(capsys, tmp_path, ["sweep", wb, "--vary-scale", "budgets:G:*=0.5,1.000", "-o", tmp_path / "s.xlsx"],
            "--vary-scale budgets:G:*=0.5,1.000: '1.000' is not a number", "write 1000 or 1.0")
    # a range of plain decimals is a sweep
    out = planned(capsys, tmp_path, ["sweep", wb, "--vary", "budgets:G:2025=10.5:20.5:5", "-o", "s.xlsx"])
    assert (tmp_path / "s.xlsx").exists() and "10.5" in out
