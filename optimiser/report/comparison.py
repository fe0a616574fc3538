"""The comparison workbook of ``policymix compare``: what changed between two plans.

Sheets: ``Comparison`` (every difference, B − A), ``Measures`` (every measure
side by side: the result fields a comparison shows, :mod:`optimiser.model.fields`,
each for plan A and plan B) and ``About``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import re

from ..analysis.compare import Comparison
from ..lang import _
from ..model.fields import COMPARE, MEASURES, Field, fields
from .xlsx import CHANGE, Col, new_workbook, save


def write_comparison(comparison: Comparison, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the comparison workbook atomically; returns its path."""
    return save(comparison_workbook(comparison), path, force=force)


def side_header(f: Field, side: str, **context) -> str:
    """A field's header for one plan of a comparison: 'committed share by 2030 A (%)', 'status B'."""
    found = re.match(r"^(.*?)( \(.*\))?$", f.header(**context))
    return f"{found.group(1)} {side}{found.group(2) or ''}"


def comparison_workbook(cmp: Comparison):
    """The comparison workbook (unsaved: a :class:`optimiser.report.xlsx.Book`)."""
    with new_workbook(_("Policy-mix comparison: {a} vs {b}", a=cmp.a["file"], b=cmp.b["file"])) as book:
        _comparison_sheets(book, cmp)
    return book


def _comparison_sheets(book, cmp: Comparison) -> None:
    from .. import __version__

    a, b = cmp.a, cmp.b

    sheet = book.sheet(_("Comparison"))
    sheet.title(_("Plan A: {a}   vs   plan B: {b}", a=a["file"], b=b["file"]))
    sheet.line(_("No differences: the plans agree on status, cost, targets, spend, measures and shadow prices.")
               if cmp.same else _("{n} differences (B − A in the change column).", n=len(cmp.differences)))
    sheet.row += 1
    sheet.table([Col(_("section")), Col(_("item"), wrap=True), Col(_("unit"), wrap=20), Col(_("plan A"), CHANGE, wrap=24),
                 Col(_("plan B"), CHANGE, wrap=24), Col(_("change (B − A)"), CHANGE), Col(_("note"), wrap=True)],
                [[_(d.section), d.item, d.unit, _cell_value(d.a), _cell_value(d.b), d.change, d.note]
                 for d in cmp.differences], freeze=2, autofilter=True)
    sheet.finish()

    # every measure on one page across: long words (a status, what changed) wrap
    sheet = book.sheet(_("Measures"), orientation="landscape")
    compared = fields(MEASURES, COMPARE)
    years = [y for plan in (a, b) for y in plan["targets"]]
    context = {"target_year": max(years)} if years else {}
    cols, rows = [Col(_("measure id"))], [[m["measure_id"]] for m in cmp.measures]
    for f in compared:
        sides = [("", None)] if f.name == "name" else [("A", a), ("B", b)]
        for side, plan in sides:
            cols.append(Col(side_header(f, side, **context) if side else f.header(), f.fmt,
                            (f.wrap and True) or (14 if f.fmt is None else False)))
            for row, m in zip(rows, cmp.measures):
                value = m["name"] if plan is None else (plan["measures"].get(m["measure_id"]) or {}).get(f.key)
                row.append(None if value is None else f.shown(value))
    cols.append(Col(_("change"), wrap=18))
    for row, m in zip(rows, cmp.measures):
        row.append(m["change"])
    sheet.table(cols, rows, freeze=1)
    sheet.finish()

    sheet = book.sheet(_("About"))
    sheet.title(_("About this comparison workbook"))
    sheet.row += 1
    sheet.pairs([
        (_("tool"), f"policymix {__version__}"),
        (_("plan A"), a["file"]), (_("plan A SHA-256"), a["sha256"]), (_("plan A input"), a.get("input_file", "")),
        (_("plan B"), b["file"]), (_("plan B SHA-256"), b["sha256"]), (_("plan B input"), b.get("input_file", "")),
        (_("generated"), datetime.now().astimezone().isoformat(timespec="seconds")),
        (_("what is compared"), _("input (SHA-256, scenario, overrides), status, public cost, objective, required "
                                  "reduction, abatement and shortfall per target year, spend per instrument over "
                                  "all years, each measure's committed share, the cash paid out per year, its peak "
                                  "and per instrument the commitments, cash and money released, and the shadow "
                                  "price of every limit of either plan")),
        (_("tolerance"), _("a number counts as changed when it moves by more than 1e-6 + 1e-6 × its size")),
    ], bold_labels=True)
    sheet.finish(widths={1: 22, 2: 90})


def _cell_value(v):
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return v
