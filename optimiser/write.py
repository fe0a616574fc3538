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
from dataclasses import dataclass
from datetime import datetime
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
                "reduced_cost_eur_per_t": _num(mr.reduced_cost_eur_per_t),
                "blocked_by": [_limit_json(b) for b in mr.blocked_by],
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
        "relaxations": [dict(r, amount=_num(r["amount"])) for r in result.relaxations],
    }


def _limit_json(limit: dict) -> dict:
    return {"kind": limit["kind"], "id": limit["id"], "year": None if limit.get("year") is None else str(limit["year"])}


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
    """Write the plan workbook atomically; returns its path.

    Result sheets (Summary, Measure plan, Instrument use, Resource use,
    By cluster, MACC, About) come first, then the effective input sheets, so
    the plan workbook is itself an input that re-runs to the same plan.
    """

    def fill(tmp: str) -> None:
        plan_workbook(result).save(tmp)

    return atomic_write(path, fill, force=force)


def new_workbook(title: str = ""):
    """An empty openpyxl Workbook (no default sheet) titled and signed by policymix."""
    import openpyxl

    from . import __version__

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    wb.properties.creator = f"policymix {__version__}"
    return wb


def plan_workbook(result: PlanResult):
    """The plan workbook as an (unsaved) openpyxl Workbook."""
    from .tables import to_tables

    wb = new_workbook(f"Policy-mix plan: {result.input.settings.scenario_name}")
    styles = _Styles()
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    for title, write_sheet in _RESULT_SHEETS:
        sheet = _Sheet(wb, title, styles)
        write_sheet(sheet, result, generated=generated)
        sheet.finish()
    if result.alternatives is not None:
        sheet = _Sheet(wb, "Alternatives", styles)
        _alternatives(sheet, result)
        sheet.finish()
        for k, alt in enumerate(result.alternatives.plans, start=1):
            sheet = _Sheet(wb, f"Alternative {k}", styles)
            _alternative(sheet, result, alt, k)
            sheet.finish()
    add_input_sheets(wb, to_tables(result.input), result.input.years)
    return wb


# Number formats: money, shares, unit costs, abatement, shadow prices, counts.
M_EUR = "#,##0.0"
SHARE = "0.0%"
EUR_T = "#,##0"
MT = "0.000"
SHADOW = "[>=100]#,##0;[>=1]#,##0.00;0.000###"  # about three significant digits
AMOUNT = "#,##0.0##"
COUNT = "0"

#: How wide a number looks in each format (for fitting column widths).
_PY_FORMAT = {M_EUR: ",.1f", SHARE: ".1%", EUR_T: ",.0f", MT: ".3f", AMOUNT: ",.3f", COUNT: ".0f"}

MIN_WIDTH, MAX_WIDTH, HEADER_WRAP = 8, 60, 16

#: Columns (of default width) the MACC chart covers; its helper data start right of it.
CHART_COLUMNS = 16

FUNDED_FILL, PARTLY_FILL = "DFF0D8", "FFF3CD"
FUNDED_LINE, UNFUNDED_LINE, TARGET_LINE = "1B7837", "9E9E9E", "C62828"


@dataclass(frozen=True)
class _Col:
    """One table column: its header (with unit) and number format."""

    header: str
    fmt: str | None = None


class _Styles:
    """The few shared styles of the result sheets (created once per workbook)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.title = Font(bold=True, size=14)
        self.heading = Font(bold=True, size=12)
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", start_color="DCE6F1")
        self.header_align = Alignment(wrap_text=True, vertical="top")


def _shown_len(value, fmt: str | None) -> int:
    """Roughly how many characters a cell shows (for column widths)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if fmt == SHADOW:
            return len(_sig(value)) + 1
        spec = _PY_FORMAT.get(fmt)
        if spec:
            return len(format(value, spec))
        return len(str(value)) if isinstance(value, int) else len(f"{value:.6g}")
    return len(str(value))


class _Sheet:
    """A result sheet written top to bottom: title, headings, label/value pairs and tables.

    Every cell goes through :func:`set_cell` (text can never become a
    formula); column widths are fitted to what was written in :meth:`finish`.
    """

    def __init__(self, wb, title: str, styles: _Styles):
        self.ws = wb.create_sheet(title)
        self.st = styles
        self.row = 1
        self.widths: dict[int, int] = {}
        self.headers: list[tuple[int, list[_Col]]] = []

    def put(self, row: int, col: int, value, fmt: str | None = None, *, fit: bool = True):
        cell = set_cell(self.ws, row, col, value, fmt)
        if fit:
            self.widths[col] = max(self.widths.get(col, 0), _shown_len(value, fmt))
        return cell

    def title(self, text: str) -> None:
        self.put(self.row, 1, text, fit=False).font = self.st.title
        self.row += 1

    def line(self, text: str) -> None:
        """Free text in column A (spills over empty cells; does not widen the column)."""
        self.put(self.row, 1, text, fit=False)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.put(self.row, 1, text, fit=False).font = self.st.heading
        self.row += 1

    def pairs(self, items) -> None:
        """Rows of (label, value[, number format[, note]])."""
        for label, value, *rest in items:
            fmt = rest[0] if rest else None
            self.put(self.row, 1, label)
            self.put(self.row, 2, value, fmt)
            if len(rest) > 1 and rest[1]:
                self.put(self.row, 3, rest[1], fit=False)
            self.row += 1

    def table(self, cols: list[_Col], rows, *, freeze: int | None = None, autofilter: bool = False) -> tuple[int, int]:
        """A bold header row and one row per item; ``freeze`` = columns kept in view with the header.

        Returns (header row, last row).
        """
        top = self.row
        for c, col in enumerate(cols, start=1):
            cell = self.put(top, c, col.header, fit=False)
            cell.font, cell.fill, cell.alignment = self.st.bold, self.st.header_fill, self.st.header_align
            self.widths[c] = max(self.widths.get(c, 0), min(len(col.header), HEADER_WRAP))
        self.headers.append((top, cols))
        r = top
        for r, values in enumerate(rows, start=top + 1):
            for c, (col, value) in enumerate(zip(cols, values), start=1):
                self.put(r, c, value, col.fmt)
        last = max(r, top)
        if freeze is not None:
            self.ws.freeze_panes = self.ws.cell(row=top + 1, column=freeze + 1)
        if autofilter and last > top:
            self.ws.auto_filter.ref = f"A{top}:{self.ws.cell(row=last, column=len(cols)).coordinate}"
        self.row = last + 1
        return top, last

    def shade_status(self, col: int, first: int, last: int) -> None:
        """Colour status cells: funded green, partly funded amber (conditional formats, no formulas in cells)."""
        if last < first:
            return
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.styles import PatternFill

        letter = self.ws.cell(row=first, column=col).column_letter
        ref = f"{letter}{first}:{letter}{last}"
        for word, colour in (("funded", FUNDED_FILL), ("partly funded", PARTLY_FILL)):
            self.ws.conditional_formatting.add(
                ref, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=PatternFill("solid", start_color=colour,
                                                                                          end_color=colour)))

    def finish(self) -> None:
        dims = self.ws.column_dimensions
        for col, width in self.widths.items():
            dims[self.ws.cell(row=1, column=col).column_letter].width = min(max(MIN_WIDTH, width + 2), MAX_WIDTH)
        for top, cols in self.headers:
            lines = 1
            for c, col in enumerate(cols, start=1):
                usable = max(1, min(max(MIN_WIDTH, self.widths.get(c, 0) + 2), MAX_WIDTH) - 1)
                lines = max(lines, wrapped_lines(col.header, usable))
            if lines > 1:
                self.ws.row_dimensions[top].height = 15 * lines
        # printed (or saved as PDF): landscape, every column on one page width
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


def wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes when word-wrapped at ``width`` characters."""
    lines, used = 1, 0
    for word in text.split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= width or used == 0:
            used = need
        else:
            lines, used = lines + 1, len(word)
    return lines


def _sig(v: float) -> str:
    """A number for a sentence: three significant digits, thousands separated, no exponent."""
    if v == 0 or not math.isfinite(v):
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(v))))
    return f"{v:,.{digits}f}"


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


# ---------------------------------------------------------------- Summary

#: Limits a budget analyst can move; the others belong to single measures.
POLICY_LIMITS = ("target", "budget", "period_budget", "resource")


def _binding_limit(result: PlanResult, family: str, key, value: float) -> tuple:
    """One row of the binding-limits table: (limit, id, year, shadow price, unit, what it means)."""
    inp = result.input
    v = _sig(value)
    if family == "target":
        text = (f"one Mt CO2-eq/yr less required in {key} saves {v} M€ "
                f"({value:,.0f} € per t of annual abatement)")
        if result.shortfall_mt.get(key, 0.0) > 0:
            text += "; this is the shortfall penalty: the target is not met"
        return ("target", "required reduction", key, value, "€ per t of annual abatement (M€ per Mt/yr)", text)
    if family == "budget":
        i, y = key
        return ("budget", i, y, value, "M€ per M€", f"one more M€ of {i} budget in {y} saves {v} M€")
    if family == "period_budget":
        return ("period budget", key, _span(inp.years), value, "M€ per M€",
                f"one more M€ of {key} budget over {_span(inp.years)} saves {v} M€")
    if family == "resource":
        r, y = key
        unit = inp.resources[r].unit or "unit"
        return ("resource", r, y, value, f"M€ per {unit}", f"one more {unit} of {r} capacity in {y} saves {v} M€")
    if family == "max_share":
        return ("maximum share", key, None, value, "M€ per unit share",
                f"deploying 1 percentage point more of {key} (were it possible) would save {_sig(value / 100)} M€")
    if family == "exclusive":
        return ("exclusive group", key, None, value, "M€ per unit share",
                f"letting the options for emission source '{key}' together cover 1 percentage point more "
                f"(were it possible) would save {_sig(value / 100)} M€")
    if family in ("capex_cap", "eur_per_t_cap"):
        m, i, y = key
        cap = "capex-share cap" if family == "capex_cap" else "€/t cap"
        return (cap, f"{i} → {m}", y, value, "M€ per M€",
                f"letting {i} pay {m} one M€ more than its {cap} in {y} saves {v} M€")
    return (family, str(key), None, value, "", "")


def _summary(sheet: _Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    s = inp.settings
    T = s.target_year
    counts = {k: 0 for k in ("funded", "partly funded", "not funded")}
    for mr in result.measures.values():
        counts[mr.status] = counts.get(mr.status, 0) + 1

    sheet.title(f"Policy-mix plan: {s.scenario_name}")
    if result.target_met:
        sheet.line(f"Every target is met. In {T} the plan abates {result.abatement_mt.get(T, 0.0):,.3f} Mt CO2-eq/yr "
                   f"(required {result.target_mt[T]:,.3f}) at a public cost of {result.public_cost_meur:,.1f} M€.")
    else:
        short = ", ".join(f"{v:,.3f} Mt CO2-eq/yr in {y}" for y, v in result.shortfall_mt.items() if v > 0)
        sheet.line(f"Target NOT met: short by {short}. Each tonne short is charged the penalty of "
                   f"{s.shortfall_penalty_eur_per_t:,.0f} €/t in the objective; "
                   "see Binding limits for what holds it back.")
    sheet.ws.freeze_panes = "A3"

    sheet.heading("Result")
    sheet.pairs([
        ("scenario", s.scenario_name),
        ("status", "every target met" if result.target_met else "target not met"),
        ("total public cost (M€)", result.public_cost_meur, M_EUR, "Σ cost weight × subsidy committed"),
        ("objective (M€, shortfall penalty included)", result.objective_meur, M_EUR,
         "what the model minimises: public cost + penalty × shortfall"),
        ("shortfall penalty (€/t)", s.shortfall_penalty_eur_per_t, EUR_T),
        ("measures funded (count)", counts["funded"], COUNT, "committed up to their maximum share"),
        ("measures partly funded (count)", counts["partly funded"], COUNT),
        ("measures not funded (count)", counts["not funded"], COUNT, "see the reason column of Measure plan"),
    ])

    sheet.heading("Targets")
    sheet.table(
        [_Col("target year"), _Col("required reduction (Mt CO2-eq/yr)", MT), _Col("abatement (Mt CO2-eq/yr)", MT),
         _Col("shortfall (Mt CO2-eq/yr)", MT), _Col("met"), _Col("shadow price (€ per t of annual abatement)", EUR_T)],
        [(y, t, result.abatement_mt.get(y, 0.0), result.shortfall_mt.get(y, 0.0),
          "yes" if result.shortfall_mt.get(y, 0.0) <= 0 else "no", result.shadow["target"].get(y, 0.0))
         for y, t in result.target_mt.items()],
    )

    sheet.heading("Cost per instrument")
    total = result.public_cost_meur
    sheet.table(
        [_Col("instrument"), _Col("subsidy committed (M€)", M_EUR), _Col("cost weight (€ per € paid)", AMOUNT),
         _Col("public cost (M€)", M_EUR), _Col("share of public cost (%)", SHARE), _Col("name")],
        [(i, sum(result.spend_meur[(i, y)] for y in inp.years), inst.cost_weight, result.instrument_cost_meur[i],
          result.instrument_cost_meur[i] / total if total > 0 else None, inst.name)
         for i, inst in inp.instruments.items()],
    )

    binding = result.binding()
    for title, policy, empty in (
        ("Binding limits: targets, budgets and resources (positive shadow price, largest first)", True,
         "None of them binds: every shadow price is 0."),
        ("Binding limits of single measures: deployable share, exclusive groups, instrument caps", False,
         "None binds."),
    ):
        sheet.heading(title)
        rows = [_binding_limit(result, fam, key, val) for fam, key, val in binding
                if (fam in POLICY_LIMITS) == policy]
        sheet.table([_Col("limit"), _Col("id"), _Col("year"), _Col("shadow price (unit in next column)", SHADOW),
                     _Col("shadow price unit"), _Col("what it means")], rows)
        if not rows:
            sheet.line(empty)

    if result.input.settings.elastic:
        sheet.heading("What must give (elastic run: limits relaxed at a penalty, least first)")
        rows = [_relaxation_row(result, r) for r in result.relaxations]
        sheet.table([_Col("limit"), _Col("id"), _Col("year"), _Col("amount to add", AMOUNT), _Col("unit"),
                     _Col("in words")], rows)
        if not rows:
            sheet.line("Nothing must give: every target is met within every budget and limit.")

    sheet.heading("Solver")
    solver = result.solver
    sheet.pairs([
        ("solver", solver.get("name", "HiGHS")),
        ("solver status", solver.get("status", "")),
        ("solve time (s)", solver.get("seconds"), "0.000"),
        ("lumpy measures (MIP)", "yes" if solver.get("mip") else "no",
         "shadow prices from the LP with the lumpy decisions fixed" if solver.get("mip") else None),
        ("model size (rows × columns)", f"{solver.get('rows', '?')} × {solver.get('columns', '?')}"),
    ])

    sheet.heading("Input")
    sheet.pairs([("input file", result.source_file or "(not from a file)"),
                 ("overrides applied (count)", len(result.overrides), COUNT)])
    for spec in result.overrides:
        sheet.line(f"override: {spec}")
    for note in result.notes:
        sheet.line(f"note: {note}")


def _relaxation_row(result: PlanResult, r: dict) -> tuple:
    inp = result.input
    when = f" in {r['year']}" if r["year"] else " over all years"
    if r["kind"] == "resource":
        res = inp.resources[r["id"]]
        unit = res.unit
        words = f"+{r['amount']:,.4g} {unit} of {res.name or r['id']}{when}"
    else:
        unit = "M€"
        words = f"+{r['amount']:,.1f} M€ of {r['id']} budget{when}"
    return (r["kind"], r["id"], r["year"] or "all", r["amount"], unit, words)


# ---------------------------------------------------------------- Measure plan

def _measure_plan(sheet: _Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    years, T, targets = inp.years, inp.settings.target_year, list(result.target_mt)
    cols = [_Col("measure id"), _Col("name"), _Col("sector"), _Col("cluster"), _Col("status"),
            _Col(f"committed share by {T} (%)", SHARE), _Col("commitment year")]
    cols += [_Col(f"committed share {y} (%)", SHARE) for y in years]
    cols += [_Col(f"abatement {y} (Mt CO2-eq/yr)", MT) for y in targets]
    cols += [_Col("unprofitable gap (€/t)", EUR_T)]
    cols += [_Col(f"subsidy {i} (M€)", M_EUR) for i in inp.instruments]
    cols += [_Col("total subsidy (M€)", M_EUR), _Col("public cost (M€)", M_EUR),
             _Col("€ per tonne paid (€/t)", EUR_T), _Col("reason (why not fully funded)"),
             _Col("reduced cost (€/t the gap must fall)", EUR_T), _Col("blocked by"),
             _Col("competes for (binding limits it draws on)")]
    rows = []
    for mid, mr in result.measures.items():
        m = inp.measures[mid]
        rows.append(
            [mid, m.name, m.sector, m.cluster, mr.status, mr.committed_share, mr.commit_year]
            + [mr.committed[y] for y in years]
            + [m.abatement_mt * mr.operating_share.get(y, 0.0) for y in targets]
            + [mr.gap_eur_per_t]
            + [mr.subsidy_meur.get(i, 0.0) for i in inp.instruments]
            + [sum(mr.subsidy_meur.values()), mr.public_cost_meur, mr.eur_per_t, mr.reason,
               mr.reduced_cost_eur_per_t, _limits_text(mr.blocked_by), _limits_text(mr.competes_for)]
        )
    top, last = sheet.table(cols, rows, freeze=2, autofilter=True)
    sheet.shade_status(5, top + 1, last)


def _limits_text(limits: list[dict]) -> str:
    """Limits as 'kind id year' items, years of one limit folded: 'budget SDE++ 2025–2027; resource grid_x 2030'."""
    years: dict[tuple, list] = {}
    for lim in limits:
        years.setdefault((lim["kind"], lim["id"]), []).append(lim.get("year"))
    parts = []
    for (kind, lid), ys in years.items():
        ys = [y for y in ys if y is not None]
        parts.append(f"{kind} {lid}" + (f" {_span(ys)}" if ys else ""))
    return "; ".join(parts)


# ---------------------------------------------------------------- Instrument use

def _instrument_use(sheet: _Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    rows = []
    for i, inst in inp.instruments.items():
        for y in inp.years:
            spend, budget = result.spend_meur[(i, y)], inp.budgets[i][y]
            rows.append((i, inst.name, y, spend, budget, spend / budget if budget > 0 else None,
                         result.shadow["budget"].get((i, y), 0.0), inst.cost_weight, inst.cost_weight * spend))
    sheet.table(
        [_Col("instrument"), _Col("name"), _Col("year"), _Col("spend (M€)", M_EUR), _Col("budget (M€)", M_EUR),
         _Col("used share (%)", SHARE), _Col("shadow price of budget (M€ per M€)", SHADOW),
         _Col("cost weight (€ per € paid)", AMOUNT), _Col("public cost (M€)", M_EUR)],
        rows, freeze=1, autofilter=True,
    )

    sheet.heading(f"Over all years {_span(inp.years)}")
    totals = []
    for i, inst in inp.instruments.items():
        spend = sum(result.spend_meur[(i, y)] for y in inp.years)
        period = inst.period_budget_meur
        totals.append((i, inst.name, inst.kind, spend, sum(inp.budgets[i].values()), period,
                       spend / period if period else None,
                       result.shadow["period_budget"].get(i, 0.0) if period is not None else None,
                       result.instrument_cost_meur[i]))
    sheet.table(
        [_Col("instrument"), _Col("name"), _Col("kind"), _Col("spend (M€)", M_EUR),
         _Col("sum of yearly budgets (M€)", M_EUR), _Col("period budget (M€)", M_EUR),
         _Col("period budget used (%)", SHARE), _Col("shadow price of period budget (M€ per M€)", SHADOW),
         _Col("public cost (M€)", M_EUR)],
        totals,
    )


# ---------------------------------------------------------------- Resource use

def _resource_use(sheet: _Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    rows = []
    for r, res in inp.resources.items():
        for y in inp.years:
            use, cap = result.resource_use[(r, y)], res.capacity[y]
            rows.append((r, res.name, res.kind, res.unit, y, use, cap, use / cap if cap > 0 else None,
                         result.shadow["resource"].get((r, y), 0.0)))
    sheet.table(
        [_Col("resource"), _Col("name"), _Col("kind (stock: used while operating; flow: while being built)"),
         _Col("unit"), _Col("year"), _Col("use (unit)", AMOUNT), _Col("capacity (unit)", AMOUNT),
         _Col("used share (%)", SHARE), _Col("shadow price (M€ per unit of capacity)", SHADOW)],
        rows, freeze=1, autofilter=True,
    )
    if not rows:
        sheet.line("The input has no limited resources.")


# ---------------------------------------------------------------- By cluster

def _by_cluster(sheet: _Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    T = inp.settings.target_year
    groups: dict[str, list] = {}
    for mid, mr in result.measures.items():
        groups.setdefault(inp.measures[mid].cluster or "(no cluster)", []).append((inp.measures[mid], mr))

    def row(label: str, items: list) -> tuple:
        return (label, len(items),
                sum(mr.status == "funded" for _, mr in items), sum(mr.status == "partly funded" for _, mr in items),
                sum(mr.status == "not funded" for _, mr in items),
                sum(m.abatement_mt * m.max_share for m, _ in items), sum(mr.abatement_mt for _, mr in items),
                sum(sum(mr.subsidy_meur.values()) for _, mr in items), sum(mr.public_cost_meur for _, mr in items))

    rows = [row(c, items) for c, items in sorted(groups.items())]
    rows.append(row("all clusters", [x for items in groups.values() for x in items]))
    cols = [_Col("cluster"), _Col("measures (count)", COUNT), _Col("funded (count)", COUNT),
            _Col("partly funded (count)", COUNT), _Col("not funded (count)", COUNT),
            _Col("abatement potential (Mt CO2-eq/yr)", MT), _Col(f"abatement {T} (Mt CO2-eq/yr)", MT),
            _Col("subsidy (M€)", M_EUR), _Col("public cost (M€)", M_EUR)]
    _, last = sheet.table(cols, rows, freeze=1)
    for c in range(1, len(cols) + 1):  # the total row
        sheet.ws.cell(row=last, column=c).font = sheet.st.bold


# ---------------------------------------------------------------- MACC

def _macc(sheet: _Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    T = inp.settings.target_year
    order = sorted(result.measures.values(), key=lambda mr: (mr.gap_eur_per_t, mr.measure_id))
    rows, segments, x = [], [], 0.0
    for rank, mr in enumerate(order, start=1):
        m = inp.measures[mr.measure_id]
        potential = m.abatement_mt * m.max_share
        funded = m.abatement_mt * min(mr.committed_share, m.max_share)
        rows.append((rank, mr.measure_id, m.name, mr.status, mr.gap_eur_per_t, potential, x + potential,
                     funded, "yes" if funded > 0 else "no"))
        if funded > 0:
            segments.append((x, x + funded, mr.gap_eur_per_t, True))
        if potential - funded > 1e-9:
            segments.append((x + funded, x + potential, mr.gap_eur_per_t, False))
        x += potential
    cols = [_Col("rank"), _Col("measure id"), _Col("name"), _Col("status"), _Col("unprofitable gap (€/t)", EUR_T),
            _Col("abatement potential (Mt CO2-eq/yr)", MT), _Col("cumulative potential (Mt CO2-eq/yr)", MT),
            _Col(f"funded abatement by {T} (Mt CO2-eq/yr)", MT), _Col("funded")]
    top, last = sheet.table(cols, rows, freeze=0)
    sheet.shade_status(4, top + 1, last)
    if segments:
        _macc_chart(sheet, segments, result.target_mt[T], T, anchor_col=len(cols) + 2)


def _macc_chart(sheet: _Sheet, segments: list[tuple], target: float, T: int, anchor_col: int) -> None:
    """A step-shaped MACC: funded and unfunded steps as two line series, the target as a vertical line.

    The chart sits at ``anchor_col``; its step points in helper columns right of it (x, funded y,
    unfunded y, target x, target y); each step is drawn (x0, y_prev), (x0, y),
    (x1, y), and a blank cell breaks a series where the other one takes over.
    """
    from openpyxl.chart import Reference, ScatterChart, Series

    ws = sheet.ws
    first_col = anchor_col + CHART_COLUMNS
    header = ["chart: cumulative potential (Mt CO2-eq/yr)", "chart: funded gap (€/t)",
              "chart: not funded gap (€/t)", f"chart: target {T} (Mt CO2-eq/yr)", "chart: target line (€/t)"]
    for k, text in enumerate(header):
        cell = sheet.put(1, first_col + k, text, fit=False)
        cell.font, cell.fill, cell.alignment = sheet.st.bold, sheet.st.header_fill, sheet.st.header_align
        sheet.widths[first_col + k] = HEADER_WRAP
    r, prev_y = 2, 0.0
    for x0, x1, y, funded in segments:
        col = first_col + (1 if funded else 2)
        for px, py in ((x0, prev_y), (x0, y), (x1, y)):
            sheet.put(r, first_col, px, MT)
            sheet.put(r, col, py, EUR_T)
            r += 1
        prev_y = y
    last = r - 1
    gaps = [seg[2] for seg in segments]
    y_low, y_high = min(0.0, min(gaps)), max(gaps) * 1.05 if max(gaps) > 0 else 1.0
    for k, y in enumerate((y_low, y_high)):
        sheet.put(2 + k, first_col + 3, target, MT)
        sheet.put(2 + k, first_col + 4, y, EUR_T)

    chart = ScatterChart()
    chart.title = f"Marginal abatement cost curve (target {T})"
    chart.style = 2
    chart.scatterStyle = "lineMarker"
    chart.display_blanks = "gap"
    chart.height, chart.width = 12, 24
    chart.x_axis.title = "cumulative abatement potential (Mt CO2-eq/yr)"
    chart.y_axis.title = "unprofitable gap (€/t)"
    chart.x_axis.number_format, chart.y_axis.number_format = "0.0", "#,##0"
    chart.x_axis.scaling.min = 0
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = y_low, y_high
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    xs = Reference(ws, min_col=first_col, min_row=2, max_row=last)
    for col, title, colour, width, dash in (
        (first_col + 1, "funded", FUNDED_LINE, 38100, None),
        (first_col + 2, "not funded", UNFUNDED_LINE, 22225, None),
    ):
        chart.series.append(_line_series(Series(Reference(ws, min_col=col, min_row=2, max_row=last), xs,
                                                title=title), colour, width, dash))
    target_series = Series(Reference(ws, min_col=first_col + 4, min_row=2, max_row=3),
                           Reference(ws, min_col=first_col + 3, min_row=2, max_row=3),
                           title=f"target {T}: {target:,.2f} Mt CO2-eq/yr")
    chart.series.append(_line_series(target_series, TARGET_LINE, 22225, "dash"))
    ws.add_chart(chart, ws.cell(row=2, column=anchor_col).coordinate)


def _line_series(series, colour: str, width: int, dash: str | None):
    """A plain straight line without markers."""
    series.marker.symbol = "none"
    series.smooth = False
    line = series.graphicalProperties.line
    line.solidFill = colour
    line.width = width
    if dash:
        line.prstDash = dash
    return series


# ---------------------------------------------------------------- About

_SHEET_GUIDE = (
    ("Summary", "the headline: targets met or not, abatement against each target, public cost, objective, "
                "cost per instrument, the binding limits with their shadow prices in plain words, solver",
     "M€; Mt CO2-eq/yr; €/t; shadow prices in the unit given per row"),
    ("Measure plan", "one row per measure: status, committed share by year, abatement, unprofitable gap, "
                     "subsidy per instrument, € per tonne paid and why it is not (fully) funded",
     "shares in %; M€; Mt CO2-eq/yr; €/t"),
    ("Instrument use", "per instrument and year: spend against budget and the budget's shadow price; "
                       "then over all years, with the period budget where there is one",
     "M€; %; shadow price in M€ saved per M€ of extra budget"),
    ("Resource use", "per resource and year: use against capacity and the shadow price of the capacity",
     "the resource's own unit (column unit); shadow price in M€ per unit of capacity"),
    ("By cluster", "per industrial cluster: measures, how many are funded, abatement, subsidy, public cost",
     "Mt CO2-eq/yr; M€"),
    ("MACC", "measures sorted by unprofitable gap with cumulative abatement potential, and the marginal "
             "abatement cost curve (funded steps highlighted, the target as a vertical line); "
             "chart data in the helper columns on the right",
     "€/t; Mt CO2-eq/yr"),
    ("About", "this page: sheets, units, versions, the input file and its SHA-256, overrides", ""),
)


def _about(sheet: _Sheet, result: PlanResult, *, generated: str) -> None:
    from . import __version__
    from .build import FAMILIES
    from .manifest import SETTINGS_KEYS, SHEETS

    sheet.title("About this plan workbook")
    sheet.line("A plan of policymix: the least-public-cost policy mix for Dutch industrial decarbonisation. "
               "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t.")
    sheet.ws.freeze_panes = "A3"

    sheet.heading("Provenance")
    sheet.pairs([
        ("tool", f"policymix {__version__}"),
        ("solver", result.solver.get("name", "HiGHS")),
        ("input file", result.source_file or "(not from a file)"),
        ("input SHA-256", result.source_sha256 or ""),
        ("scenario", result.input.settings.scenario_name),
        ("overrides applied", "; ".join(result.overrides) if result.overrides else "none"),
        ("generated", generated),
        ("re-run", "this workbook is itself a valid input: its input sheets hold the effective inputs "
                   "(overrides already applied), so planning it again, without the overrides, gives the same plan"),
    ])
    for spec in result.overrides:
        sheet.line(f"override: {spec}")

    sheet.heading("Result sheets")
    sheet.table([_Col("sheet"), _Col("what it shows"), _Col("units")], _SHEET_GUIDE)

    sheet.heading("Limits and their shadow prices (how much the objective falls when the limit is relaxed by one unit)")
    sheet.table([_Col("constraint"), _Col("meaning"), _Col("shadow price"), _Col("unit")],
                [(f.name, f.meaning, f.shadow_price, f.unit) for f in FAMILIES])

    sheet.heading("Input sheets (after the result sheets; names are matched case-insensitively)")
    sheet.table([_Col("sheet"), _Col("required"), _Col("description")],
                [(s.name, "yes" if s.required else "no", s.description) for s in SHEETS])

    sheet.heading("Input columns")
    sheet.table([_Col("sheet"), _Col("column"), _Col("type"), _Col("required"), _Col("default"), _Col("unit"),
                 _Col("description")], _manifest_rows(SHEETS, result.input.years))

    sheet.heading("Settings keys (sheet settings, one key per row)")
    sheet.table([_Col("key"), _Col("type"), _Col("required"), _Col("default"), _Col("unit"), _Col("description")],
                [(c.name, c.type, "yes" if c.required else "no", c.default, c.unit, c.description)
                 for c in SETTINGS_KEYS.values()])


def _manifest_rows(sheets, years: list[int]) -> list[tuple]:
    """(sheet, column, type, required, default, unit, description) for every input column."""
    rows = []
    for spec in sheets:
        for c in spec.columns:
            default = ("yes" if c.default else "no") if isinstance(c.default, bool) else c.default
            rows.append((spec.name, c.name, c.type, "yes" if c.required else "no", default, c.unit,
                         c.description + (f" (one of {', '.join(c.choices)})" if c.choices else "")))
        if spec.year_columns:
            rows.append((spec.name, f"{years[0]} … {years[-1]}", "float", "yes", None, spec.year_unit,
                         spec.year_description))
    return rows


def _alternatives(sheet: _Sheet, result: PlanResult) -> None:
    alts = result.alternatives
    n = len(alts.plans)
    sheet.title(f"Near-optimal alternatives: {n} plans within {alts.slack:.0%} of the optimum's cost")
    sheet.line("Each alternative costs at most the optimum plus the slack and funds measures as different as "
               "possible from the plans before it. Measures funded in the optimum and in every alternative are "
               "must-haves; the rest are choices.")
    sheet.heading("Plans")
    sheet.table([_Col("plan"), _Col("objective (M€)", M_EUR), _Col("public cost (M€)", M_EUR),
                 _Col(f"abatement {result.input.settings.target_year} (Mt CO2-eq/yr)", MT),
                 _Col("measures funded (count)", COUNT)],
                [("optimum", result.objective_meur, result.public_cost_meur,
                  result.abatement_mt.get(result.input.settings.target_year, 0.0),
                  sum(1 for mr in result.measures.values() if mr.committed_share > 1e-6))]
                + [(f"alternative {k}", a.objective_meur, a.public_cost_meur,
                    a.abatement_mt.get(result.input.settings.target_year, 0.0),
                    sum(1 for mr in a.measures.values() if mr.committed_share > 1e-6))
                   for k, a in enumerate(alts.plans, start=1)])
    sheet.heading("Measures")
    must = set(alts.must_haves())
    rows = []
    for mid in result.input.measures:
        in_opt = alts.in_optimum.get(mid, False)
        count = alts.counts.get(mid, 0)
        if not in_opt and not count:
            continue
        rows.append((mid, result.input.measures[mid].name, "yes" if in_opt else "no", count,
                     "must-have" if mid in must else "choice"))
    rows.sort(key=lambda r: (r[4] != "must-have", -r[3], r[0]))
    sheet.table([_Col("measure id"), _Col("name"), _Col("in the optimum"),
                 _Col(f"funded in alternatives (of {n})", COUNT), _Col("verdict")], rows, autofilter=True)


def _alternative(sheet: _Sheet, result: PlanResult, alt: PlanResult, k: int) -> None:
    T = result.input.settings.target_year
    sheet.title(f"Alternative {k}: public cost {alt.public_cost_meur:,.1f} M€ "
                f"(optimum {result.public_cost_meur:,.1f} M€), abatement {alt.abatement_mt.get(T, 0.0):,.3f} Mt CO2-eq/yr")
    rows = [(mid, result.input.measures[mid].name, mr.committed_share, result.measures[mid].committed_share,
             mr.abatement_mt, sum(mr.subsidy_meur.values()), mr.public_cost_meur)
            for mid, mr in alt.measures.items() if mr.committed_share > 1e-6 or result.measures[mid].committed_share > 1e-6]
    sheet.table([_Col("measure id"), _Col("name"), _Col(f"committed share by {T} (%)", SHARE),
                 _Col("in the optimum (%)", SHARE), _Col(f"abatement {T} (Mt CO2-eq/yr)", MT),
                 _Col("total subsidy (M€)", M_EUR), _Col("public cost (M€)", M_EUR)], rows, freeze=2)


#: The result sheets in order: (title, writer). Titles match manifest.RESULT_SHEETS.
_RESULT_SHEETS = (
    ("Summary", _summary),
    ("Measure plan", _measure_plan),
    ("Instrument use", _instrument_use),
    ("Resource use", _resource_use),
    ("By cluster", _by_cluster),
    ("MACC", _macc),
    ("About", _about),
)


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

    def fill(tmp: str) -> None:
        wb = new_workbook("Policy-mix input")
        add_input_sheets(wb, tables, years)
        wb.save(tmp)

    return atomic_write(path, fill, force=force)
