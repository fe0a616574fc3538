"""The comparison workbook of ``policymix compare``: what changed between two plans.

Sheets: ``Comparison`` (every difference, B − A), ``Measures`` (every measure
side by side) and ``About``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..analysis.compare import Comparison
from .xlsx import CHANGE, M_EUR, SHARE, Col, Sheet, new_workbook, save


def write_comparison(comparison: Comparison, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the comparison workbook atomically; returns its path."""
    return save(comparison_workbook(comparison), path, force=force)


def comparison_workbook(cmp: Comparison):
    from .. import __version__

    a, b = cmp.a, cmp.b
    wb = new_workbook(f"Policy-mix comparison: {a['file']} vs {b['file']}")

    sheet = Sheet(wb, "Comparison")
    sheet.title(f"Plan A: {a['file']}   vs   plan B: {b['file']}")
    sheet.line("No differences: the plans agree on status, cost, targets, spend, measures and shadow prices."
               if cmp.same else f"{len(cmp.differences)} differences (B − A in the change column).")
    sheet.row += 1
    sheet.table([Col("section"), Col("item"), Col("unit"), Col("plan A", CHANGE), Col("plan B", CHANGE),
                 Col("change (B − A)", CHANGE), Col("note")],
                [[d.section, d.item, d.unit, _cell_value(d.a), _cell_value(d.b), d.change, d.note]
                 for d in cmp.differences], freeze=2, autofilter=True)
    sheet.finish()

    sheet = Sheet(wb, "Measures")
    sheet.table([Col("measure id"), Col("name"), Col("status A"), Col("status B"), Col("committed share A (%)", SHARE),
                 Col("committed share B (%)", SHARE), Col("public cost A (M€)", M_EUR),
                 Col("public cost B (M€)", M_EUR), Col("change")],
                [[m["measure_id"], m["name"], m["status_a"], m["status_b"], m["share_a"], m["share_b"],
                  m["cost_a"], m["cost_b"], m["change"]] for m in cmp.measures], freeze=1)
    sheet.finish()

    sheet = Sheet(wb, "About")
    sheet.title("About this comparison workbook")
    sheet.row += 1
    sheet.pairs([
        ("tool", f"policymix {__version__}"),
        ("plan A", a["file"]), ("plan A SHA-256", a["sha256"]), ("plan A input", a.get("input_file", "")),
        ("plan B", b["file"]), ("plan B SHA-256", b["sha256"]), ("plan B input", b.get("input_file", "")),
        ("generated", datetime.now().astimezone().isoformat(timespec="seconds")),
        ("what is compared", "input (SHA-256, scenario, overrides), status, public cost, objective, required "
                             "reduction, abatement and shortfall per target year, spend per instrument over all "
                             "years, each measure's committed share, the cash paid out per year, its peak and per "
                             "instrument the commitments, cash and money released, and the shadow price of every "
                             "limit of either plan"),
        ("tolerance", "a number counts as changed when it moves by more than 1e-6 + 1e-6 × its size"),
    ], bold_labels=True)
    sheet.finish(widths={1: 22, 2: 90})
    return wb


def _cell_value(v):
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return v
