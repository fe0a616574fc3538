"""The corpus of malformed uncertainty sheets (docs/model.md section 14), on the pattern of make_bad_corpus.py.

The base is the valid corpus workbook with a valid sheet 'uncertainty' added:

    row 2  cost of b  measures:b:cost_eur_per_t        scale  uniform 0.8 … 1.2
    row 3  grid delay resources:grid_north:20*          shift  choice 0;1 (weights 1;1)

and each case breaks one thing. ``policymix check`` and ``policymix futures -o`` must each refuse it: exit 2,
one line naming sheet 'uncertainty', the row and the column, and nothing written.

    python tests/make_bad_uncertainty.py --list
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_bad_corpus import Case, col_of, edit  # noqa: E402

S = "uncertainty"
HEADER = ["name", "sheet", "id", "column", "op", "distribution", "low", "mode", "high", "mean", "sd", "values",
          "weights", "group", "source"]
ROWS = [
    {"name": "cost of b", "sheet": "measures", "id": "b", "column": "cost_eur_per_t", "op": "scale",
     "distribution": "uniform", "low": 0.8, "high": 1.2},
    {"name": "grid delay", "sheet": "resources", "id": "grid_north", "column": "20*", "op": "shift",
     "distribution": "choice", "values": "0;1", "weights": "1;1"},
]


def add_uncertainty(wb) -> None:
    ws = wb.create_sheet(S)
    for c, h in enumerate(HEADER, start=1):
        ws.cell(row=1, column=c).value = h
    for r, row in enumerate(ROWS, start=2):
        for c, h in enumerate(HEADER, start=1):
            if row.get(h) is not None:
                ws.cell(row=r, column=c).value = row[h]


def with_sheet(changes: dict[int, dict]):
    """The base with the uncertainty sheet, then cells changed: {row: {header: value}} (None blanks a cell)."""
    def fn(wb):
        add_uncertainty(wb)
        ws = wb[S]
        for row, cells in changes.items():
            for header, value in cells.items():
                ws.cell(row=row, column=col_of(ws, header)).value = value
    return edit(fn)


def _without_distribution_column(folder: Path) -> Path:
    path = with_sheet({})(folder)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb[S].delete_cols(col_of(wb[S], "distribution"))
    wb.save(path)
    return path


def case(name: str, changes: dict[int, dict], fragment: str, row: int, column: str) -> Case:
    return Case(name, "uncertainty", with_sheet(changes), fragment, sheet=S, row=row, column=column)


CASES: tuple[Case, ...] = (
    case("unknown_sheet", {2: {"sheet": "measurez"}}, "unknown sheet 'measurez'", 2, "sheet"),
    case("overrides_sheet", {2: {"sheet": "scenarios"}}, "unknown sheet 'scenarios'", 2, "sheet"),
    case("unknown_id", {2: {"id": "zz*"}}, "no row of sheet 'measures' has an id matching 'zz*'", 2, "id"),
    case("unknown_setting", {2: {"sheet": "settings", "id": "target_reduction", "column": "value"}},
         "unknown setting 'target_reduction'", 2, "id"),
    case("unknown_column", {2: {"column": "costs"}}, "no column of sheet 'measures' matching 'costs'", 2, "column"),
    case("text_column_scaled", {2: {"column": "name"}}, "can be changed with scale ('name' is not a number)", 2,
         "column"),
    case("unknown_op", {2: {"op": "multiply"}}, "expected one of scale, add, set, shift", 2, "op"),
    case("unknown_distribution", {2: {"distribution": "lognormal"}}, "expected one of uniform, triangular, normal",
         2, "distribution"),
    case("low_above_high", {2: {"low": 1.5}}, "low 1.5 is above high 1.2", 2, "low"),
    case("mode_outside", {2: {"distribution": "triangular", "mode": 2}}, "mode 2 is outside low 0.8 … high 1.2", 2,
         "mode"),
    case("missing_mode", {2: {"distribution": "triangular"}}, "distribution triangular needs low and mode and high",
         2, "mode"),
    case("missing_high", {2: {"high": None}}, "distribution uniform needs low and high", 2, "high"),
    case("sd_zero", {2: {"distribution": "normal", "mean": 1, "sd": 0}}, "expected a standard deviation > 0", 2,
         "sd"),
    case("sd_negative", {2: {"distribution": "normal", "mean": 1, "sd": -0.1}}, "expected a standard deviation > 0",
         2, "sd"),
    case("normal_without_mean", {2: {"distribution": "normal", "sd": 0.1}}, "distribution normal needs mean and sd",
         2, "mean"),
    case("normal_truncated_to_nothing", {2: {"distribution": "normal", "mean": 1, "sd": 0.1, "low": 1.2}},
         "a normal truncated to one point", 2, "low"),
    case("weights_sum_to_zero", {3: {"weights": "0;0"}}, "expected weights ≥ 0 that sum to a positive number", 3,
         "weights"),
    case("negative_weight", {3: {"weights": "2;-1"}}, "expected weights ≥ 0 that sum to a positive number", 3,
         "weights"),
    case("weights_other_length", {3: {"weights": "1;2;3"}}, "3 weights for 2 values", 3, "weights"),
    case("choice_without_values", {3: {"values": None, "weights": None}}, "distribution choice needs values", 3,
         "values"),
    case("values_not_numbers", {3: {"values": "zero;one"}}, "expected numbers separated by ';'", 3, "values"),
    case("shift_on_measures", {2: {"op": "shift"}}, "shift moves a year series; sheet 'measures' has no year columns",
         2, "op"),
    case("shift_on_a_name", {3: {"column": "name"}}, "shift moves a year series; column 'name' is not a year column",
         3, "column"),
    case("shift_on_a_setting", {2: {"sheet": "settings", "id": "target_reduction_mt", "column": "value",
                                    "op": "shift"}}, "a setting is a single value", 2, "op"),
    case("lead_time_drawn_uniform", {2: {"column": "lead_time_years", "op": "add", "low": 0, "high": 2}},
         "the column holds whole numbers", 2, "distribution"),
    case("one_name_two_inputs", {3: {"name": "cost of b"}}, "name 'cost of b' is also on row 2", 3, "name"),
    Case("missing_column_distribution", "uncertainty", _without_distribution_column, "required column is missing",
         sheet=S, row=1, column="distribution"),
)


def main(argv=None) -> int:
    for c in CASES:
        print(f"{c.name:32} row {c.row} column {c.column:14} {c.fragment}")
    print(f"{len(CASES)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
