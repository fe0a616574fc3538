"""The comparison workbook of ``policymix compare``: what changed between two plans.

Sheets: ``Comparison`` (every difference, B − A), ``Measures`` (every measure
side by side) and ``About``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..analysis.compare import Comparison
from ..lang import _
from .xlsx import CHANGE, M_EUR, SHARE, Col, Sheet, new_workbook, save


def write_comparison(comparison: Comparison, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the comparison workbook atomically; returns its path."""
    return save(comparison_workbook(comparison), path, force=force)


def comparison_workbook(cmp: Comparison):
    from .. import __version__

    a, b = cmp.a, cmp.b
    wb = new_workbook(_("Policy-mix comparison: {a} vs {b}", a=a["file"], b=b["file"]))

    sheet = Sheet(wb, _("Comparison"))
    sheet.title(_("Plan A: {a}   vs   plan B: {b}", a=a["file"], b=b["file"]))
    sheet.line(_("No differences: the plans agree on status, cost, targets, spend, measures and shadow prices.")
               if cmp.same else _("{n} differences (B − A in the change column).", n=len(cmp.differences)))
    sheet.row += 1
    sheet.table([Col(_("section")), Col(_("item"), wrap=True), Col(_("unit"), wrap=20), Col(_("plan A"), CHANGE, wrap=24),
                 Col(_("plan B"), CHANGE, wrap=24), Col(_("change (B − A)"), CHANGE), Col(_("note"), wrap=True)],
                [[_(d.section), d.item, d.unit, _cell_value(d.a), _cell_value(d.b), d.change, d.note]
                 for d in cmp.differences], freeze=2, autofilter=True)
    sheet.finish()

    sheet = Sheet(wb, _("Measures"))
    sheet.table([Col(_("measure id")), Col(_("name"), wrap=True), Col(_("status A")), Col(_("status B")),
                 Col(_("committed share A (%)"), SHARE),
                 Col(_("committed share B (%)"), SHARE), Col(_("public cost A (M€)"), M_EUR),
                 Col(_("public cost B (M€)"), M_EUR), Col(_("change"))],
                [[m["measure_id"], m["name"], _status(m["status_a"]), _status(m["status_b"]), m["share_a"], m["share_b"],
                  m["cost_a"], m["cost_b"], m["change"]] for m in cmp.measures], freeze=1)
    sheet.finish()

    sheet = Sheet(wb, _("About"))
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
    return wb


def _status(word):
    return _(word) if isinstance(word, str) and word else word


def _cell_value(v):
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return v
