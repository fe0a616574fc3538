"""Generate inputs/default.xlsx from the reviewable CSV files in inputs/data/.

The numbers live in inputs/data/<sheet>.csv (one file per sheet, same
columns as the workbook, provenance in inputs/SOURCES.md); this script checks
them with the planner's own reader rules and writes the workbook.

    python inputs/make_default.py            # writes inputs/default.xlsx
    python inputs/make_default.py -o X.xlsx  # writes elsewhere (used by the tests)
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from optimiser.input.data import InputError  # noqa: E402
from optimiser.input.manifest import SHEETS  # noqa: E402
from optimiser.input.read import parse_sheets  # noqa: E402
from optimiser.input.tables import to_input, to_tables  # noqa: E402
from optimiser.report.inputs import write_input_workbook  # noqa: E402


def read_csv_folder(folder: Path):
    """The CSV files as raw sheets (header row first), as the workbook reader sees cells."""
    raw = {}
    for spec in SHEETS:
        path = folder / f"{spec.name}.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8") as f:
                raw[spec.name] = [tuple(row) for row in csv.reader(f)]
    return raw


def build(folder: Path, out: Path) -> Path:
    raw = read_csv_folder(folder)
    tables, problems, notes = parse_sheets(raw, str(folder))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if problems:
        raise InputError(problems)
    inp = to_input(tables)
    return write_input_workbook(to_tables(inp), inp.years, out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data", help="folder with the <sheet>.csv files")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "default.xlsx")
    args = parser.parse_args(argv)
    try:
        path = build(args.data, args.output)
    except InputError as exc:
        for p in exc.problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
