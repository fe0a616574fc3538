"""Plan workbooks read back: the machine-readable result a plan workbook stores (``policymix compare``, the
stress test of ``policymix futures --plan``).

Every plan workbook holds its result as JSON in a hidden sheet
(:data:`~optimiser.input.manifest.RESULT_DOCUMENT_SHEET`), so a comparison
reads data, never display headers: renaming or translating a column cannot
break it. A workbook written before results were stored is refused with a
message saying how to get a new one (plan workbooks re-run to themselves).

A plan workbook is mailed around and can be edited by hand, the hidden sheet too: the stored result is
input like any other. Every value a reader uses is checked against :data:`DOCUMENT` (its kind, a share in
[0, 1]) before anything is computed or written, and the commitments a stress test fixes are checked
against the plan's own input sheets (:func:`check_commitments`); a problem names the file, the sheet and
the key that holds the value.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ..lang import _
from .data import InputError, PlanInput, Problem
from .manifest import RESULT_DOCUMENT_SHEET, SUMMARY_SHEETS
from .read import DEFAULT_MAX_UNZIPPED_MB, check_package, sha256_of, unreadable


class NotAPlan(InputError):
    """The workbook holds no stored plan result: an input workbook, or a plan written before results were
    stored (a stress test plans it first; a comparison cannot use it)."""


#: Kinds of value in a stored plan result: a number is finite or null (a value the plan has not); a tree is a
#: table whose values are numbers or trees (shadow prices by id and year).
TEXT, NUMBER, SHARE, TREE, ANY = "text", "number", "share", "tree", "any"


def optional(kind):
    """A key that a plan stored by an older policymix may lack."""
    return ("optional", kind)


def each(kind):
    """A map from any key (an id, or a year) to values of ``kind``."""
    return ("each", kind)


def years(kind):
    """A map from a year (digits) to values of ``kind``."""
    return ("years", kind)


def listed(kind):
    """A list of values of ``kind``."""
    return ("list", kind)


#: What the readers of a stored plan use (:mod:`optimiser.analysis.compare`, ``futures.plan_commitments``),
#: from :func:`optimiser.report.jsondoc.plan_document`: other keys are not read and not checked.
DOCUMENT = {
    "format": TEXT,
    "scenario": optional(TEXT),
    "start_year": optional(NUMBER),
    "input_file": optional(ANY),
    "input_sha256": optional(ANY),
    "overrides": optional(listed(TEXT)),
    "plan": {
        "status": TEXT,
        "objective_meur": NUMBER,
        "public_cost_meur": NUMBER,
        "abatement_mt": years(NUMBER),
        "shortfall_mt": years(NUMBER),
        "measures": each({"committed_share": SHARE, "subsidy_meur": each(NUMBER), "past_share": optional(SHARE)}),
        "shadow_prices": each(TREE),
        "commitments_meur": optional(each(years(NUMBER))),
        "cash_meur": optional(each(years(NUMBER))),
        "released_meur": optional(each(NUMBER)),
    },
    "target_mt": years(NUMBER),
    "instruments": each({"spend_meur": NUMBER, "public_cost_meur": NUMBER}),
    "measures": each({"name": TEXT, "status": TEXT, "public_cost_meur": NUMBER}),
    "shadow_prices": listed({"kind": TEXT, "id": ANY, "year": ANY, "value": NUMBER, "unit": TEXT}),
    "commitments": optional(each(years(SHARE))),
    "subsidies": optional(each(each(years(NUMBER)))),
    "kind": optional(TEXT),
}
#: Most a stored share may exceed 1 by (the plan rounds to 9 decimals).
SHARE_TOLERANCE = 1e-6


def document_problems(document: object, schema=DOCUMENT, key: str = "") -> list[str]:
    """What in a stored plan result does not fit ``schema``: one text per value, naming its key."""
    where = key or _("the stored result")
    if isinstance(schema, tuple) and schema[0] == "optional":
        return document_problems(document, schema[1], key)
    if isinstance(schema, dict):
        if not isinstance(document, dict):
            return [_("'{key}' holds {value}, expected a table of values", key=where, value=_shown(document))]
        missing = [name for name, kind in schema.items()
                   if name not in document and not (isinstance(kind, tuple) and kind[0] == "optional")]
        out = [_("'{key}' is missing", key=missing[0]) if not key and len(missing) == 1 else
               _("'{key}' lacks {names}", key=where, names=", ".join(f"'{n}'" for n in missing))] if missing else []
        for name, kind in schema.items():
            if name in document:
                out += document_problems(document[name], kind, f"{key}/{name}" if key else name)
        return out
    if schema == TREE and isinstance(document, dict):
        return [p for k, v in document.items() for p in document_problems(v, TREE if isinstance(v, dict) else NUMBER,
                                                                          f"{key}/{k}")]
    if isinstance(schema, tuple):
        container = list if schema[0] == "list" else dict
        if not isinstance(document, container):
            expected = _("a table of values") if container is dict else _("a list")
            return [_("'{key}' holds {value}, expected {expected}", key=where, value=_shown(document),
                      expected=expected)]
        items = document.items() if container is dict else enumerate(document)
        if schema[0] == "years":
            bad = [k for k, _v in items if not (isinstance(k, str) and k.isdigit() and len(k) == 4)]
            if bad:
                return [_("'{key}' holds the key '{name}', expected a year", key=where, name=bad[0])]
        return [p for k, v in items for p in document_problems(v, schema[1], f"{key}/{k}")]
    return [_("'{key}' holds {value}, expected {expected}", key=where, value=_shown(document), expected=bad)
            for bad in [_wrong(document, schema)] if bad]


def _wrong(value: object, kind: str) -> str | None:
    """What ``value`` should have been when it is not of ``kind``, else None."""
    if kind == ANY:
        return None
    if kind == TREE:
        return _("a table of values")
    if kind == TEXT:
        return None if isinstance(value, str) else _("text")
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind == NUMBER:
        return None if value is None or number else _("a number")
    if kind == SHARE:
        return None if value is None or (number and -SHARE_TOLERANCE <= value <= 1 + SHARE_TOLERANCE) \
            else _("a share in [0, 1]")
    raise ValueError(f"unknown kind {kind}")


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def check_commitments(document: dict, inp: PlanInput) -> list[str]:
    """What in the stored commitments the plan's own input sheets cannot hold: a measure they lack, a year
    outside start_year … target_year or before the measure's earliest year, more than its max_share with its
    decisions of the past."""
    out = []
    past: dict[str, float] = {}
    for c in inp.past_decisions:
        past[c.measure_id] = past.get(c.measure_id, 0.0) + c.share
    for m, by_year in (document.get("commitments") or {}).items():
        key = f"commitments/{m}"
        measure = inp.measures.get(m)
        if measure is None:
            out.append(_("'{key}' commits measure '{measure}', which sheet 'measures' of the plan does not have",
                         key=key, measure=m))
            continue
        total = past.get(m, 0.0)
        for year, share in by_year.items():
            if not (isinstance(year, str) and year.isdigit() and inp.settings.start_year <= int(year)
                    <= inp.settings.target_year):
                out.append(_("'{key}/{year}': expected a year of {start}–{target}", key=key, year=year,
                             start=inp.settings.start_year, target=inp.settings.target_year))
            elif int(year) < measure.earliest_year:
                out.append(_("'{key}/{year}' is before the measure's earliest_year {earliest}", key=key, year=year,
                             earliest=measure.earliest_year))
            total += share or 0.0
        if total > measure.max_share + SHARE_TOLERANCE:
            out.append(_("'{key}' commits {total} of '{measure}' with its decisions of the past, above its max_share "
                         "{max_share}", key=key, total=f"{total:g}", measure=m, max_share=f"{measure.max_share:g}"))
    return out


def read_plan_results(path: str | os.PathLike, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB,
                      plan_input: PlanInput | None = None) -> dict:
    """The stored result of a plan workbook (:func:`optimiser.report.jsondoc.plan_document`), plus
    ``file``, ``path`` and ``sha256`` of the workbook itself.

    The same package checks as for an input workbook run first; a workbook that is not a plan, or a plan
    without a stored result, is refused with :class:`NotAPlan`; a stored result that does not fit
    :data:`DOCUMENT` (or, given ``plan_input``, whose commitments the plan's input sheets cannot hold) with an
    :class:`InputError` naming the key of each value.
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
            raise NotAPlan(Problem(_("is not a plan workbook: it has no result sheet 'Summary' (compare reads the "
                                       "results of a workbook written by policymix plan)"), path))
        ws = names.get(RESULT_DOCUMENT_SHEET)
        if ws is None:
            raise NotAPlan(Problem(
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
    problems = document_problems(document)
    if not problems and plan_input is not None:
        problems = check_commitments(document, plan_input)
    if problems:
        again = _("the stored result was edited: plan the workbook again (policymix plan {name} -o NEW.xlsx)",
                  name=Path(path).name)
        keep = _("; a decision to keep goes in sheet 'committed'")
        raise InputError([Problem(f"{p}; {again}" + (keep if p.startswith("'commitments") else ""), path,
                                  RESULT_DOCUMENT_SHEET) for p in problems[:MOST_SHOWN]])
    document.update(file=Path(path).name, path=path, sha256=sha256_of(path))
    return document


#: Most problems of one stored result listed (an edit that breaks its shape can break every value).
MOST_SHOWN = 10
