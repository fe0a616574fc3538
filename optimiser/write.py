"""Stage 6: write the plan — the plan workbook (MODEL.md section 9) and the JSON result (section 11).

With :mod:`optimiser.read` this is the workbook layer (the only modules that
import openpyxl). Every file is written atomically: to a temporary file in the
target folder, flushed and synced, then renamed over the target, so an
interrupted run leaves the old file or the new one, never a truncated one.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from pathlib import Path

from .extract import PlanResult


# ---------------------------------------------------------------- atomic files

def atomic_write(path: str | os.PathLike, write, *, force: bool = True) -> Path:
    """Call ``write(tmp_path)`` to fill a temporary file beside ``path``, then rename it into place.

    With ``force=False`` an existing target is never replaced (the rename is a
    hard link that fails if the name exists, so two runs cannot both claim it).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # raises FileExistsError rather than replace
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


# ---------------------------------------------------------------- JSON (section 11)

def _num(v: float) -> float:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return round(float(v), 9)


def plan_json(result: PlanResult) -> dict:
    """The machine-readable result of MODEL.md section 11 (years as strings)."""
    inp = result.input
    years = inp.years
    T = inp.settings.target_year
    return {
        "status": result.status,
        "objective_meur": _num(result.objective_meur),
        "public_cost_meur": _num(result.public_cost_meur),
        "abatement_mt": {str(y): _num(v) for y, v in result.abatement_mt.items()},
        "shortfall_mt": {str(y): _num(v) for y, v in result.shortfall_mt.items()},
        "measures": {
            mid: {
                "committed_share": _num(mr.committed[T]),
                "subsidy_meur": {i: _num(v) for i, v in mr.subsidy_meur.items()},
            }
            for mid, mr in result.measures.items()
        },
        "shadow_prices": {
            "target": {str(y): _num(v) for y, v in result.shadow["target"].items()},
            "budget": {
                i: {str(y): _num(result.shadow["budget"][(i, y)]) for y in years} for i in inp.instruments
            },
            "resource": {
                r: {str(y): _num(result.shadow["resource"][(r, y)]) for y in years} for r in inp.resources
            },
        },
    }


def write_json(result_json: dict | list, path: str, *, force: bool = True) -> None:
    """Write JSON to ``path`` atomically, or to stdout when ``path`` is '-'."""
    text = json.dumps(result_json, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return

    def fill(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    atomic_write(path, fill, force=force)


# ---------------------------------------------------------------- the plan workbook (section 9)

def write_plan(result: PlanResult, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the plan workbook atomically; returns its path."""
    raise NotImplementedError("plan workbook writer")


# ---------------------------------------------------------------- cells and input sheets

#: Text starting with one of these could be read as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def set_cell(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text that could be taken for a formula is stored as plain text.

    Such text is written as a string with Excel's quote prefix, so it reads the
    same to a person and can never be evaluated (OWASP CSV/formula injection).
    """
    cell = ws.cell(row=row, column=col)
    if isinstance(value, tuple):
        value = ";".join(value)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.number_format = "@"
        cell._style.quotePrefix = 1  # openpyxl has no public setter for the xf quotePrefix flag
    elif number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def add_input_sheets(wb, tables: dict, years: list[int]) -> None:
    """Append the input sheets (manifest order and columns) holding ``tables``."""
    from openpyxl.styles import Font

    from .manifest import SHEETS

    bold = Font(bold=True)
    for spec in SHEETS:
        rows = tables.get(spec.name)
        if rows is None or (not rows and not spec.required):
            continue
        ws = wb.create_sheet(spec.name)
        headers: list = []
        for col in spec.columns:
            if col.name == "source" and spec.year_columns:
                continue
            headers.append(col.name)
        if spec.year_columns:
            headers += list(years)
            if spec.column("source"):
                headers.append("source")
        for c, h in enumerate(headers, start=1):
            cell = set_cell(ws, 1, c, h)
            cell.font = bold
        for r, row in enumerate(rows, start=2):
            for c, h in enumerate(headers, start=1):
                v = row.get(h)
                if v is None or v == "":
                    continue
                set_cell(ws, r, c, v, "General")
        ws.freeze_panes = "B2"
        for c, h in enumerate(headers, start=1):
            width = max([len(str(h))] + [len(str(row.get(h, "") or "")) for row in rows[:200]])
            ws.column_dimensions[ws.cell(1, c).column_letter].width = min(max(10, width + 2), 60)


def write_input_workbook(tables: dict, years: list[int], path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write an input workbook holding ``tables`` (atomically)."""
    import openpyxl

    def fill(tmp: str) -> None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        add_input_sheets(wb, tables, years)
        wb.save(tmp)

    return atomic_write(path, fill, force=force)
