"""Generate the shipped input workbooks from the reviewable CSV files in inputs/data/.

The numbers live in inputs/data/<sheet>.csv (one file per sheet, same columns as
the workbook, provenance in inputs/SOURCES.md). One set of files holds every
edition of the facts: a row applies to every edition unless its last column,
``edition``, names the editions it belongs to (``;``-separated). Where a figure
changed, the file has one row per edition; everything else is written once.

    default.xlsx   edition 2026-12: the world as a budget team knows it in December 2026
                   (plans from 2027 with the decisions of 2024-2026 taken)
    ser-2023.xlsx  edition ser-2023: the SER advice's question (December 2023, plans from 2024)

This script checks the rows with the planner's own reader rules and writes the workbooks.

    python inputs/make_default.py                       # writes inputs/default.xlsx and inputs/ser-2023.xlsx
    python inputs/make_default.py --edition ser-2023 -o X.xlsx   # one edition, elsewhere (used by the tests)
    python inputs/make_default.py -o X.xlsx                      # the default edition (2026-12), elsewhere
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from optimiser.input.data import InputError, Problem  # noqa: E402
from optimiser.input.manifest import SHEETS  # noqa: E402
from optimiser.input.read import parse_sheets  # noqa: E402
from optimiser.input.tables import to_input, to_tables  # noqa: E402
from optimiser.report.inputs import write_input_workbook  # noqa: E402

#: edition -> the workbook it is shipped as (next to this script)
EDITIONS = {"2026-12": "default.xlsx", "ser-2023": "ser-2023.xlsx"}
#: the edition of the shipped default workbook
DEFAULT_EDITION = "2026-12"
EDITION_COLUMN = "edition"


def edition_rows(rows: list[tuple], edition: str, where: str) -> list[tuple]:
    """The header and the rows of one edition, without the edition column.

    A row with a blank edition cell belongs to every edition; otherwise the cell lists the
    editions it belongs to. An unknown edition name is an error (a typo would drop the row)."""
    header = [str(h).strip().lower() for h in rows[0]]
    if EDITION_COLUMN not in header:
        return rows
    col = header.index(EDITION_COLUMN)
    keep = [tuple(v for i, v in enumerate(rows[0]) if i != col)]
    for n, row in enumerate(rows[1:], start=2):
        cell = row[col].strip() if col < len(row) else ""
        names = [e.strip() for e in cell.split(";") if e.strip()]
        unknown = [e for e in names if e not in EDITIONS]
        if unknown:
            raise InputError([Problem(f"unknown edition {', '.join(unknown)}; expected one of {', '.join(EDITIONS)}",
                                      file=where, row=n, column=EDITION_COLUMN)])
        if not names or edition in names:
            keep.append(tuple(v for i, v in enumerate(row) if i != col))
    return keep


def read_csv_folder(folder: Path, edition: str = DEFAULT_EDITION):
    """The CSV files of one edition as raw sheets (header row first), as the workbook reader sees cells."""
    raw = {}
    for spec in SHEETS:
        path = folder / f"{spec.name}.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8") as f:
                rows = [tuple(row) for row in csv.reader(f)]
            raw[spec.name] = edition_rows(rows, edition, path.name) if rows else rows
    return raw


def build(folder: Path, out: Path, edition: str = DEFAULT_EDITION) -> Path:
    raw = read_csv_folder(folder, edition)
    tables, problems, notes = parse_sheets(raw, f"{folder} (edition {edition})")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if problems:
        raise InputError(problems)
    inp = to_input(tables)
    return write_input_workbook(to_tables(inp), inp.years, out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data", help="folder with the <sheet>.csv files")
    parser.add_argument("--edition", choices=list(EDITIONS),
                        help="write only this edition (default: every edition, each to its shipped file)")
    parser.add_argument("-o", "--output", type=Path,
                        help=f"the workbook to write: one edition (--edition, default {DEFAULT_EDITION})")
    args = parser.parse_args(argv)
    if args.output and not args.edition:
        args.edition = DEFAULT_EDITION
    jobs = [(args.edition, args.output or HERE / EDITIONS[args.edition])] if args.edition else \
        [(e, HERE / name) for e, name in EDITIONS.items()]
    try:
        for edition, out in jobs:
            path = build(args.data, out, edition)
            print(f"wrote {path} (edition {edition})")
    except InputError as exc:
        for p in exc.problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
