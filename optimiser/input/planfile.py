"""Plan workbooks read back: the machine-readable result a plan workbook stores (for ``policymix compare``).

Every plan workbook holds its result as JSON in a hidden sheet
(:data:`~optimiser.input.manifest.RESULT_DOCUMENT_SHEET`), so a comparison
reads data, never display headers: renaming or translating a column cannot
break it. A workbook written before results were stored is refused with a
message saying how to get a new one (plan workbooks re-run to themselves).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..lang import _
from .data import InputError, Problem
from .manifest import RESULT_DOCUMENT_SHEET, SUMMARY_SHEETS
from .read import DEFAULT_MAX_UNZIPPED_MB, check_package, sha256_of, unreadable


def read_plan_results(path: str | os.PathLike, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> dict:
    """The stored result of a plan workbook (:func:`optimiser.report.jsondoc.plan_document`), plus
    ``file``, ``path`` and ``sha256`` of the workbook itself.

    The same package checks as for an input workbook run first; a workbook that is not a plan is
    refused with an :class:`InputError`.
    """
    path = str(path)
    check_package(path, max_unzipped_mb)
    import openpyxl  # the input layer reads workbooks
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged packages
        raise unreadable(path, exc) from None
    try:
        names = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        if not SUMMARY_SHEETS & set(names):
            raise InputError(Problem(_("is not a plan workbook: it has no result sheet 'Summary' (compare reads the "
                                       "results of a workbook written by policymix plan)"), path))
        ws = names.get(RESULT_DOCUMENT_SHEET)
        if ws is None:
            raise InputError(Problem(
                _("is a plan workbook without a stored result (written by an older policymix): plan it again "
                  "(policymix plan {name} -o NEW.xlsx) and compare the new plan", name=Path(path).name), path))
        try:
            text = "".join(str(r[0]) for r in ws.iter_rows(max_col=1, values_only=True) if r and r[0] is not None)
        except Exception as exc:
            raise unreadable(path, exc, ws, RESULT_DOCUMENT_SHEET) from None
    finally:
        wb.close()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not str(document.get("format", "")).startswith("policymix-plan/"):
        raise InputError(Problem(_("is not a plan workbook: its sheet '{sheet}' does not hold a plan result (was it "
                                   "edited?)", sheet=RESULT_DOCUMENT_SHEET), path))
    document.update(file=Path(path).name, path=path, sha256=sha256_of(path))
    return document
