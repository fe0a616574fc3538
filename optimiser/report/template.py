"""The blank input workbook of ``policymix template``: every sheet and column of the manifest, ready to fill.

Made from the manifest (:mod:`optimiser.input.manifest`), so it can never disagree with the reader:

- an **Instructions** sheet first: how to fill it in, the rules a budget team trips over (``;`` between
  ids, a decimal point, a share as a fraction, one column per year) and every sheet with what it holds;
- every input sheet with its columns in the reader's order, the header in row 1 (required columns on a
  darker fill), each header's meaning, unit, type, default and the hints for typical mistakes as a cell
  comment;
- two example rows per sheet, taken from the shipped default workbook where it has them, each marked as
  a comment row: its first cell starts with ``#`` (:data:`~optimiser.input.manifest.COMMENT`), so the
  reader skips it until the ``#`` is removed;
- the settings sheet with one row per setting, the value left blank;
- drop-down lists (data validation) for ids that name a row of another sheet (instrument, measure,
  resource and fence ids), for choices (kind, allocation, op, objective), yes/no and the sheet names of
  the scenarios sheet; number rules that refuse text (``1,5`` typed as text) and values outside a
  column's range.

``policymix check`` on the blank template lists what is still missing; filled in, it plans.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..input.manifest import COMMENT, SETTINGS_KEYS, SHEET_BY_NAME, SHEETS, TEMPLATE_SHEETS, Column
from ..lang import N_, _, num
from .inputs import input_cell, input_headers
from .xlsx import Col, Sheet, new_workbook, save

#: The sheet of instructions in front (the reader skips it).
INSTRUCTIONS = TEMPLATE_SHEETS[0]
#: Rows below the header the drop-down lists and number rules cover.
ROWS = 1000
#: Example rows per sheet.
EXAMPLES = 2

TYPE_WORDS = {"str": N_("text"), "float": N_("a number"), "int": N_("a whole number"), "bool": N_("yes or no"),
              "ids": N_("ids separated by ';' (may be empty)"), "numbers": N_("numbers separated by ';'"),
              "any": N_("a number or text")}
RULE_WORDS = {">=0": N_("at least 0"), ">0": N_("more than 0"), "share": N_("a share: more than 0 and at most 1"),
              "0..1": N_("a share from 0 to 1"), "rising": N_("each more than the one before"),
              "payout": N_("'operating' or shares separated by ';' that sum to 1")}
#: The hints of :mod:`optimiser.input.hints`, said before the mistake is made.
NUMBER_HINT = N_("Write a decimal point: 1.5. (A number Excel itself reads is fine whatever your decimal sign; "
                 "text such as '1,5' is refused.) No thousands separator in text: 1500, not 1.500 or 1,500.")
SHARE_HINT = N_("A share is a fraction: write 0.8 for 80 %, not 80.")
IDS_HINT = N_("Separate ids with ';', not ',': SDE++;NIKI (not SDE++, NIKI).")
BOOL_HINT = N_("yes or no (ja/nee, true/false and 1/0 are read too).")

#: Example rows for sheets the default workbook leaves empty (ids written without the comment mark).
HAND_EXAMPLES: dict[str, list[dict]] = {
    "fences": [
        {"fence_id": "hydrogen_fence", "instrument_id": "SDE++", "name": N_("Example: room reserved for electrolysers"),
         "eur_per_t_cap": 300.0, "source": N_("example: a ring-fenced sub-budget ('hekje')"), "_years": 100.0},
        {"fence_id": "heat_fence", "instrument_id": "SDE++", "name": N_("Example: room reserved for industrial heat"),
         "source": N_("example"), "_years": 50.0},
    ],
    "cash_limits": [
        {"instrument_id": "*", "source": N_("example: all instruments together pay at most this each year"),
         2026: 900.0, 2027: 900.0, 2028: 900.0},
        {"instrument_id": "SDE++", "source": N_("example: one instrument's cash ceiling"), 2027: 500.0},
    ],
    "targets": [
        {"year": 2026, "reduction_mt": 8.0},
        {"year": 2028, "reduction_mt": 14.0},
    ],
    "prices": [
        {"parameter": "co2_price_eur_per_t", "source": N_("example")},
        {"parameter": "co2_price_eur_per_t", "source": N_("example of a higher path (keep one row named "
                                                           "co2_price_eur_per_t)"),
         **dict(zip(range(2024, 2031), (85.0, 95.0, 110.0, 125.0, 140.0, 155.0, 170.0)))},
    ],
}


def write_template(path: str | os.PathLike, examples: dict[str, list[dict]], years: list[int], *,
                   force: bool = False) -> Path:
    """Write the blank template atomically; ``examples``: rows per sheet (the first two are used)."""
    return save(template_workbook(examples, years), path, force=force)


def column_note(spec, col: Column) -> str:
    """A header's comment: what the column holds, its unit, type, whether it is required, and the hints."""
    lines = [f"{col.name}: {_(col.description)}"]
    if col.unit and col.unit != "ids":
        lines.append(_("Unit: {unit}.", unit=_(col.unit)))
    kind = _(TYPE_WORDS.get(col.type, col.type))
    if col.check in RULE_WORDS:
        kind += f", {_(RULE_WORDS[col.check])}"
    lines.append(_("Type: {kind}.", kind=kind))
    if col.required:
        lines.append(_("Required.") if col.type != "ids" else _("Required column (a cell may be empty)."))
    elif col.default not in (None, "") and not isinstance(col.default, bool):
        lines.append(_("Optional: blank = {default}.", default=num(col.default, "g") if isinstance(col.default, float)
                       else col.default))
    else:
        lines.append(_("Optional.") + (" " + _("Blank = no.") if col.default is False else ""))
    if col.choices:
        lines.append(_("One of: {choices} (pick from the list).", choices=", ".join(col.choices)))
    if col.refers == "(sheets)":
        lines.append(_("The name of an input sheet (pick from the list)."))
    elif col.refers:
        lines.append(_("An id of sheet '{sheet}' (pick from the list; the ids you enter there appear in it).",
                       sheet=col.refers))
    if col.type in ("float", "int", "numbers"):
        lines.append(_(NUMBER_HINT))
    if col.check in ("share", "0..1"):
        lines.append(_(SHARE_HINT))
    if col.type == "ids" or (col.type == "numbers"):
        lines.append(_(IDS_HINT) if col.type == "ids" else _("Separate the numbers with ';': 75;150;300."))
    if col.type == "bool":
        lines.append(_(BOOL_HINT))
    if spec.id_column == col.name:
        lines.append(_("Unique in this sheet. A row whose first cell starts with {mark} is an example or a "
                       "note: policymix ignores it.", mark=COMMENT))
    return "\n".join(lines)


def year_note(spec, year: int) -> str:
    required = {"any": _("Optional: blank = no value that year."),
                "outlook": _("Required from start_year to target_year; later years are an outlook (optional).")}
    return "\n".join([
        f"{year}: {_(spec.year_description)}.",
        _("Unit: {unit}.", unit=_(spec.year_unit)),
        required.get(spec.year_span, _("Required for every year from start_year to target_year.")),
        _("One column per year: these year headers are an example (2024 … 2030); make them your start_year … "
          "target_year."),
        _(NUMBER_HINT),
    ])


def _examples(spec, rows: list[dict]) -> list[dict]:
    """The sheet's example rows, marked as comments (first cell '#…')."""
    rows = [dict(r) for r in list(rows)[:EXAMPLES]]
    rows += [{k: _(v) if isinstance(v, str) and k in ("name", "source") else v for k, v in r.items()}
             for r in HAND_EXAMPLES.get(spec.name, [])[len(rows):EXAMPLES]]
    first = spec.columns[0].name
    for r in rows:
        value = r.get(first)
        r[first] = f"{COMMENT}{value}"
    return rows


def _rules(sheet: Sheet, spec, headers: list, first_row: int) -> None:
    """Drop-down lists and number rules of every column, on the rows a user fills in."""
    last = first_row + ROWS - 1
    for c, h in enumerate(headers, start=1):
        if isinstance(h, int):
            sheet.number_rule(c, first_row, last, "" if spec.name == "prices" else ">=0", title=_("a number"),
                              message=f"{h}: {_(spec.year_description)} ({_(spec.year_unit)}). {_(NUMBER_HINT)}")
            continue
        col = spec.column(h)
        if col is None or col.field == "" and spec.name == "settings":
            continue
        if col.refers == "(sheets)":
            sheet.drop_down(c, first_row, last, [s.name for s in SHEETS], strict=False, title=_("an input sheet"),
                            message=_("Not the name of an input sheet."))
        elif col.refers:
            sheet.drop_down(c, first_row, last, (col.refers, 2, ROWS + 1), strict=False,
                            title=_("an id of {sheet}", sheet=col.refers),
                            message=_("Not an id of sheet '{sheet}' (yet).", sheet=col.refers)
                            + (" " + _(IDS_HINT) if col.type == "ids" else ""))
        elif col.type == "bool":
            sheet.drop_down(c, first_row, last, ["yes", "no"], title=_("yes or no"), message=_(BOOL_HINT))
        elif col.choices:
            sheet.drop_down(c, first_row, last, list(col.choices), title=_("one of the list"),
                            message=_("One of: {choices}.", choices=", ".join(col.choices)))
        elif col.type in ("float", "int"):
            hint = _(SHARE_HINT) if col.check in ("share", "0..1") else _(NUMBER_HINT)
            sheet.number_rule(c, first_row, last, col.check, whole=col.type == "int", title=f"{col.name}",
                              message=f"{col.name}: {_(TYPE_WORDS[col.type])}"
                                      + (f", {_(RULE_WORDS[col.check])}" if col.check in RULE_WORDS else "")
                                      + f". {hint}")


def _settings_sheet(sheet: Sheet, examples: list[dict]) -> None:
    spec = SHEET_BY_NAME["settings"]
    headers = [c.name for c in spec.columns]
    rows = [[input_cell(r.get(h)) for h in headers] for r in _examples(spec, examples)]
    rows += [[key, None, col.unit or None, None] for key, col in SETTINGS_KEYS.items()]
    top, last = sheet.table([Col(h) for h in headers], rows, freeze=1, wrap_headers=False)
    for c, h in enumerate(headers, start=1):
        sheet.hint(top, c, column_note(spec, spec.column(h)))
    n_examples = len(rows) - len(SETTINGS_KEYS)
    sheet.emphasise(top + 1, top + n_examples, len(headers), "example")
    sheet.drop_down(1, top + 1, top + ROWS, list(SETTINGS_KEYS), strict=False, title=_("a setting"),
                    message=_("Not a setting of policymix."))
    for r, (key, col) in enumerate(SETTINGS_KEYS.items(), start=top + 1 + n_examples):
        if col.required:
            sheet.emphasise(r, r, 1, "bold")
        sheet.hint(r, 2, column_note(spec, col).replace(f"{key}: ", f"{key}: ", 1))
        if col.type == "bool":
            sheet.drop_down(2, r, r, ["yes", "no"], title=_("yes or no"), message=_(BOOL_HINT))
        elif col.choices:
            sheet.drop_down(2, r, r, list(col.choices), title=_("one of the list"),
                            message=_("One of: {choices}.", choices=", ".join(col.choices)))
        elif col.type in ("float", "int"):
            sheet.number_rule(2, r, r, col.check, whole=col.type == "int", title=key,
                              message=f"{key}: {_(TYPE_WORDS[col.type])}. "
                                      + (_(SHARE_HINT) if col.check in ("share", "0..1") else _(NUMBER_HINT)))


def _input_sheet(sheet: Sheet, spec, examples: list[dict], years: list[int]) -> None:
    rows = _examples(spec, examples)
    for r in rows:  # hand examples give one amount for every year
        amount = r.pop("_years", None)
        if amount is not None:
            r.update({y: amount for y in years})
    headers = input_headers(spec, years, rows, blank=True)
    cols = [Col(h, "General", wrap=30 if spec.column(h) is not None and spec.column(h).type == "str"
                and h != spec.id_column else False) for h in headers]
    top, last = sheet.table(cols, [[input_cell(r.get(h)) for h in headers] for r in rows], freeze=1, wrap_headers=False)
    for c, h in enumerate(headers, start=1):
        col = spec.column(h) if isinstance(h, str) else None
        sheet.hint(top, c, year_note(spec, h) if isinstance(h, int) else column_note(spec, col))
        if (col is not None and col.required) or (isinstance(h, int) and spec.year_span != "any"):
            sheet.emphasise(top, top, c, "required", first_col=c)
    sheet.emphasise(top + 1, last, len(headers), "example")
    _rules(sheet, spec, headers, top + 1)


def _instructions(sheet: Sheet) -> None:
    sheet.title(_("policymix input workbook: how to fill it in"))
    for text in (
        _("One sheet per kind of input, one row per item. Keep the sheet and column names as they are: they are "
          "what policymix reads. Hover over a column header for its meaning, unit, type and default."),
        _("Rows whose first cell starts with {mark} are examples or notes: policymix ignores them. Overwrite "
          "them, delete them, or remove the {mark} to use one.", mark=COMMENT),
        _("Required columns have a darker header. A blank optional cell takes its default."),
        _("Numbers: {hint} {share}", hint=_(NUMBER_HINT), share=_(SHARE_HINT)),
        _("Several ids in one cell: {hint} The drop-down lists offer the ids entered on the other sheets.",
          hint=_(IDS_HINT)),
        _("Years: one column per year from start_year to target_year (sheet settings). The year headers 2024 … "
          "2030 are an example: change them to your years. Prices may go on after target_year (an outlook)."),
        _("yes/no columns: {hint}", hint=_(BOOL_HINT)),
        _("The settings sheet also takes language: nl for plan workbooks and terminal output in Dutch (the sheet "
          "and column names stay in English)."),
        _("When you are done: 'policymix check THIS.xlsx' lists every problem still open (sheet, row and column), "
          "'policymix plan THIS.xlsx' plans it. The sheet settings needs start_year, target_year and "
          "target_reduction_mt; the sheets measures, instruments, budgets and prices need rows."),
    ):
        sheet.line(text)
    sheet.heading(_("The sheets"))
    sheet.table([Col(_("sheet")), Col(_("required")), Col(_("what it holds"), wrap=44), Col(_("columns"), wrap=30)],
                [(s.name, _("yes") if s.required else _("no"), _(s.description),
                  ", ".join(c.name for c in s.columns) + (_(" and one column per year") if s.year_columns else ""))
                 for s in SHEETS])


def template_workbook(examples: dict[str, list[dict]], years: list[int]):
    """The blank template (unsaved: a :class:`optimiser.report.xlsx.Book`)."""
    with new_workbook(_("policymix input workbook")) as book:
        _template_sheets(book, examples, years)
    return book


def _template_sheets(book, examples: dict[str, list[dict]], years: list[int]) -> None:
    sheet = book.sheet(_(INSTRUCTIONS), orientation="portrait", note=True)
    _instructions(sheet)
    sheet.finish(widths={1: 14, 2: 9, 3: 44, 4: 30})
    for spec in SHEETS:
        sheet = book.sheet(spec.name)
        if spec.name == "settings":
            _settings_sheet(sheet, examples.get("settings", []))
        else:
            _input_sheet(sheet, spec, examples.get(spec.name, []), years)
        sheet.finish()
    book.show_first()
