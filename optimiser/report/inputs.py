"""Input sheets written back: the effective inputs of every plan, and input workbooks for tests and tools.

Each sheet keeps the manifest's layout (the header in row 1, one row per item), so a plan re-reads as an
input; through the spreadsheet toolkit it also prints: long text wraps, the header row and the id column
repeat on every page.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..input.manifest import SHEETS
from ..lang import current
from .xlsx import Col, Sheet, new_workbook, save


def input_headers(spec, years: list[int], rows=(), *, blank: bool = False) -> list:
    """The header cells of an input sheet: its columns, the year columns, then its source column.

    ``blank`` (a template to fill in): a sheet whose year columns may be any years offers the horizon's too.
    """
    headers: list = [col.name for col in spec.columns if not (col.name == "source" and spec.year_columns)]
    if spec.year_columns:
        given = {k for row in rows for k in row if isinstance(k, int)}
        required, further = spec.years_to_read(years, given | (set(years) if blank else set()))
        headers += sorted(set(required) | set(further))
        if spec.column("source"):
            headers.append("source")
    return headers


def input_cell(v):
    """A value as an input sheet holds it: blank for none, yes/no for a flag."""
    if v is None or v == "" or v == ():
        return None
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v


def in_its_language(inp):
    """The effective input with the run's language as its setting, so a result workbook re-runs in that language."""
    settings = inp.settings
    lang = current() if (current() != "en" or settings.language) else None
    if settings.language == lang:
        return inp
    return dataclasses.replace(inp, settings=dataclasses.replace(settings, language=lang))


def add_input_sheets(wb, tables: dict, years: list[int]) -> None:
    """Append the input sheets (manifest order and columns) holding ``tables``."""
    for spec in SHEETS:
        rows = tables.get(spec.name)
        if rows is None or (not rows and not spec.required):
            continue
        headers = input_headers(spec, years, rows)
        text = {c.name for c in spec.columns if c.type in ("str", "any", "ids") and c.name != spec.id_column}
        sheet = Sheet(wb, spec.name)
        cols = [Col(h if isinstance(h, str) else h, "General", wrap=h in text) for h in headers]
        sheet.table(cols, ([input_cell(row.get(h)) for h in headers] for row in rows), freeze=1, wrap_headers=False,
                    exact=True)
        sheet.finish()


def write_input_workbook(tables: dict, years: list[int], path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write an input workbook holding ``tables`` (atomically)."""
    with new_workbook("Policy-mix input") as wb:
        add_input_sheets(wb, tables, years)
    return save(wb, path, force=force)


def write_input(inp, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write a typed input (:class:`optimiser.input.data.PlanInput`) as an input workbook, its sheets as a plan's
    input sheets hold them (atomically): the next round's input of ``policymix replan``."""
    from ..input.tables import to_tables

    return write_input_workbook(to_tables(in_its_language(inp)), inp.years, path, force=force)
