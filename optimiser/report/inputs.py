"""Input sheets written back: the effective inputs of every plan, and input workbooks for tests and tools."""

from __future__ import annotations

import os
from pathlib import Path

from ..input.manifest import SHEETS
from .xlsx import new_workbook, save, set_cell


def add_input_sheets(wb, tables: dict, years: list[int]) -> None:
    """Append the input sheets (manifest order and columns) holding ``tables``."""
    bold = wb._policymix_styles.bold
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
            required, further = spec.years_to_read(years, {k for row in rows for k in row if isinstance(k, int)})
            headers += required + further
            if spec.column("source"):
                headers.append("source")
        for c, h in enumerate(headers, start=1):
            set_cell(ws, 1, c, h).font = bold
        for r, row in enumerate(rows, start=2):
            for c, h in enumerate(headers, start=1):
                v = row.get(h)
                if v is None or v == "" or v == ():
                    continue
                if isinstance(v, bool):
                    v = "yes" if v else "no"
                set_cell(ws, r, c, v, "General")
        ws.freeze_panes = "B2"
        for c, h in enumerate(headers, start=1):
            width = max([len(str(h))] + [len(str(row.get(h, "") or "")) for row in rows[:200]])
            ws.column_dimensions[ws.cell(1, c).column_letter].width = min(max(10, width + 2), 60)


def write_input_workbook(tables: dict, years: list[int], path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write an input workbook holding ``tables`` (atomically)."""
    wb = new_workbook("Policy-mix input")
    add_input_sheets(wb, tables, years)
    return save(wb, path, force=force)
