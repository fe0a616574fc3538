"""What-if sweeps: one model build, many re-solves on the persistent HiGHS instance.

A sweep varies one or more inputs over a list of values and solves the plan
at every point (several variations make a grid: every combination):

  ``--vary SHEET:ID:COLUMN=START:STOP:STEP``   set the value START, START+STEP, … STOP (STOP included)
  ``--vary SHEET:ID:COLUMN=a,b,c``             set each listed value (a list may hold text, e.g. yes,no)
  ``--vary settings:KEY=…``                    the same for a setting (e.g. target_reduction_mt)
  ``--vary-scale SHEET:ID:COLUMN=0.5:2:0.25``  multiply the base value by each factor (ranges or lists)

Targets take the wildcards of ``--set`` (``--vary-scale budgets:SDE++:*=0.5:2:0.25``
scales every year of the SDE++ budget; ``--vary prices:co2_price_eur_per_t:*=60:200:10``
sets the CO2 price of every year). Ranges are computed in decimal arithmetic
from the digits typed, so ``0.1:0.3:0.1`` gives exactly 0.1, 0.2, 0.3; STEP may
be negative for a falling range. A point's key in the JSON output and the
sweep workbook is ``SHEET:ID:COLUMN`` (``settings:KEY``) for ``--vary`` and
``SHEET:ID:COLUMN (scale)`` for ``--vary-scale``; its value is the value set or
the factor.

The sweep (this module is pure stage logic: no openpyxl, no terminal):

1. the base input is loaded once, with --scenario/--set/--scale/--add applied;
2. every point's overrides are applied to the base input and validated up
   front, so a bad point is bad input (exit 2) before anything is solved;
3. the model is built and compiled once, for the first point; for each further
   point :meth:`optimiser.solve.Solver.update` pushes its numbers (right-hand
   sides, coefficients, costs) into the live HiGHS instance and the point is
   re-solved there, from the last basis where HiGHS allows (LPs; a model with
   lumpy measures is a MIP and runs branch and bound again). When the point
   changes the model's structure — a CO2 price that closes a measure's gap
   removes its subsidy variables, a zero budget removes an instrument's — the
   model is built afresh for that point, the new solver is kept for the next
   points, and the point says why (``solver`` column: ``rebuilt: …``);
4. a point the solver does not prove optimal is reported as failed, never
   dropped.

Exit codes of ``policymix sweep``: 0 every point solved (a point that misses
its target is a result, shown in its status, not a failure) · 4 some point
failed (the outputs are still written; the failed points say why) · 2 bad
input or usage (nothing written) · 1 internal error.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..lang import _, ngettext
from ..input.data import InputError, PlanInput, Problem, ScenarioRow
from ..input.hints import number_hint, round_thousands
from ..input.manifest import SETTINGS_KEYS, SHEET_BY_NAME
from ..input.scenario import apply_overrides, parse_override
from ..model.build import Built, build_model
from ..model.cash import problems as fixed_problems
from ..model.extract import extract
from ..model.families import FAMILIES, TARGET, limit_label
from ..model.fields import HasHeadline, Headline
from ..model.results import TOL, PlanResult
from ..model.solve import Solver, solver_version
from .runs import Run

#: Most points one sweep may have (a guard against a mistyped step).
MAX_POINTS = 10_000
#: Sweeps with more points than this show a progress bar on a terminal.
PROGRESS_MIN_POINTS = 5
SCALE_SUFFIX = " (scale)"
#: Most lines a sweep's rebuilds take on the terminal (grouped by the kind of change).
MAX_REBUILD_LINES = 5

_SPEC = re.compile(r"^(?P<target>[^=]+)=(?P<values>.*)$")


# ---------------------------------------------------------------- what is varied

@dataclass(frozen=True)
class Vary:
    """One varied input: ``op`` (set or scale) each of ``values`` on ``target``."""

    target: str  # SHEET:ID:COLUMN or settings:KEY, as typed (spaces stripped)
    op: str  # "set" (--vary) or "scale" (--vary-scale)
    values: tuple
    spec: str  # the option as given, for messages and the About sheet
    unit: str = ""  # unit of a value ("×" for a scale factor)

    @property
    def key(self) -> str:
        """The point's key in the JSON output and the sweep workbook."""
        return self.target if self.op == "set" else self.target + SCALE_SUFFIX

    @property
    def header(self) -> str:
        """Column header: the key with the unit of its values."""
        if self.op == "scale":
            return _("{target} (scale factor ×)", target=self.target)
        return f"{self.target} ({_(self.unit)})" if self.unit else self.target

    @property
    def option(self) -> str:
        return "--vary" if self.op == "set" else "--vary-scale"

    def override(self, value) -> ScenarioRow:
        return ScenarioRow("sweep", *_target_parts(self.target), self.op, value)


def _target_parts(target: str) -> tuple[str, str, str]:
    parts = [p.strip() for p in target.split(":")]
    if len(parts) == 2 and parts[0].lower() == "settings":
        return "settings", parts[1], "value"
    return parts[0], parts[1], parts[2]


def parse_vary(op: str, text: str) -> Vary:
    """Parse ``SHEET:ID:COLUMN=START:STOP:STEP``, ``…=a,b,c`` or ``…=VALUE`` (op: set or scale)."""
    option = "--vary" if op == "set" else "--vary-scale"
    where = f"{option} {text}"
    m = _SPEC.match(text.strip())
    if not m:
        raise InputError(Problem(_("{where}: expected SHEET:ID:COLUMN=START:STOP:STEP or SHEET:ID:COLUMN=a,b,c",
                                   where=where)))
    target = ":".join(p.strip() for p in m.group("target").split(":"))
    try:  # the target must be a valid override target
        parse_override(op, f"{target}=1")
    except InputError:
        raise InputError(Problem(_("{where}: expected SHEET:ID:COLUMN (or settings:KEY) before '='", where=where))) \
            from None
    values = _parse_values(m.group("values"), op == "scale", where)
    if len(values) > MAX_POINTS:
        raise InputError(Problem(_("{where}: {n} values, more than the {most} a sweep may have", where=where,
                                   n=f"{len(values):,}", most=f"{MAX_POINTS:,}")))
    return Vary(target, op, tuple(values), f"{option} {text.strip()}", _unit(op, target))


def _parse_values(text: str, numbers_only: bool, where: str) -> list:
    text = text.strip()
    if not text:
        raise InputError(Problem(_("{where}: no values after '='", where=where)))
    for token in re.split(r"[,:]", text):  # '12.000' is twelve thousand to a Dutch reader: never guessed
        if round_thousands(token):
            raise InputError(Problem(_("{where}: '{value}' is not a number", where=where, value=token.strip())
                                     + number_hint(token)))
    if "," in text:
        items = [t.strip() for t in text.split(",")]
        if any(not t for t in items):
            raise InputError(Problem(_("{where}: a blank value in the list", where=where)))
        values = []
        for t in items:
            number = _decimal(t)
            if number is None:
                if numbers_only:
                    raise InputError(Problem(_("{where}: '{value}' is not a number (a scale factor must be one)",
                                               where=where, value=t)))
                values.append(t)
            else:
                values.append(_plain(number, integral=number == number.to_integral_value()))
        return values
    if ":" in text:
        parts = [t.strip() for t in text.split(":")]
        if len(parts) != 3:
            raise InputError(Problem(_("{where}: a range is START:STOP:STEP (three numbers)", where=where)))
        start, stop, step = (_decimal(t) for t in parts)
        for name, value, raw in (("START", start, parts[0]), ("STOP", stop, parts[1]), ("STEP", step, parts[2])):
            if value is None:
                raise InputError(Problem(_("{where}: {name} '{value}' is not a number", where=where, name=name,
                                           value=raw)))
        if step == 0:
            raise InputError(Problem(_("{where}: STEP must not be 0", where=where)))
        if (stop - start) * step < 0:
            raise InputError(Problem(
                _("{where}: STEP {step} goes away from STOP {stop} (use a negative step)", where=where, step=parts[2],
                  stop=parts[1]) if stop < start else
                _("{where}: STEP {step} goes away from STOP {stop} (use a positive step)", where=where, step=parts[2],
                  stop=parts[1])))
        count = int((stop - start) / step) + 1  # exact: decimal arithmetic on the digits typed
        if count > MAX_POINTS:
            raise InputError(Problem(_("{where}: {n} values, more than the {most} a sweep may have", where=where,
                                       n=f"{count:,}", most=f"{MAX_POINTS:,}")))
        values = [start + k * step for k in range(count)]
        integral = all(v == v.to_integral_value() for v in (start, step))
        return [_plain(v, integral) for v in values]
    number = _decimal(text)
    if number is None:
        if numbers_only:
            raise InputError(Problem(_("{where}: '{value}' is not a number (a scale factor must be one)", where=where,
                                       value=text)))
        return [text]
    return [_plain(number, number == number.to_integral_value())]


def _decimal(text: str) -> Decimal | None:
    try:
        d = Decimal(text.replace("\u2212", "-"))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _plain(d: Decimal, integral: bool) -> int | float:
    return int(d) if integral else float(d)


def _unit(op: str, target: str) -> str:
    if op == "scale":
        return "×"
    sheet, ident, column = _target_parts(target)
    sheet = sheet.lower()
    if sheet == "settings":
        col = SETTINGS_KEYS.get(ident.strip().lower())
        return col.unit if col else ""
    spec = SHEET_BY_NAME.get(sheet)
    if spec is None:
        return ""
    col = spec.column(column.lower())
    if col is not None:
        return col.unit
    return spec.year_unit if spec.year_columns else ""


def parse_varies(items: list[tuple[str, str]]) -> list[Vary]:
    """Every ``(op, text)`` of --vary (op set) and --vary-scale (op scale), all problems at once."""
    varies: list[Vary] = []
    problems: list[Problem] = []
    for op, text in items:
        try:
            varies.append(parse_vary(op, text))
        except InputError as exc:
            problems += exc.problems
    if not items:
        problems.append(Problem(_("nothing to vary: give --vary SHEET:ID:COLUMN=START:STOP:STEP or --vary-scale "
                                  "SHEET:ID:COLUMN=FACTORS")))
    seen: dict[str, str] = {}
    for v in varies:
        if v.key in seen:
            problems.append(Problem(_("{spec}: {key} is already varied by {other}", spec=v.spec, key=v.key,
                                      other=seen[v.key])))
        seen[v.key] = v.spec
    n = math.prod(len(v.values) for v in varies) if varies else 0
    if n > MAX_POINTS:
        problems.append(Problem(_("the grid has {n} points, more than the {most} a sweep may have", n=f"{n:,}",
                                  most=f"{MAX_POINTS:,}")))
    if problems:
        raise InputError(problems)
    return varies


def grid(varies: list[Vary]) -> list[tuple]:
    """Every combination of the varied values, the first variation changing fastest.

    So the points with the same values of the other variations form one block
    of consecutive rows along the first variation: one curve each.
    """
    return [tuple(reversed(c)) for c in itertools.product(*(v.values for v in reversed(varies)))]


# ---------------------------------------------------------------- points

@dataclass
class SweepPoint(HasHeadline):
    """The outcome at one point of a sweep (plain data for the writers).

    Its figures (status, public cost, abatement per target year, spend per instrument, peak cash, the slope
    from the previous point, …) are its :class:`~optimiser.model.fields.Headline` record, read as attributes
    (``point.public_cost_meur``); a failed point's record holds its status and required reductions only.
    """

    number: int  # 1-based
    values: dict[str, object]  # Vary.key → value
    overrides: list[str]  # the point's overrides, as --set/--scale options
    message: str = ""  # why the point failed
    solver_note: str = ""  # "first build" | "warm re-solve" | "rebuilt: …"
    rebuilt: bool = False
    seconds: float = 0.0  # update (or build) + solve + extract of this point
    solve_seconds: float = 0.0  # HiGHS alone
    objective: str = "min-cost"
    shadow: dict[tuple[str, object], float] = field(default_factory=dict)  # (family, key) → value; target always
    limits: dict[tuple[str, object], tuple[str, str, object, str]] = field(default_factory=dict)  # → label
    mip: bool = False  # lumpy measures: shadow prices of the LP with the binaries fixed at this point's optimum
    json: dict | None = None  # the plan JSON of docs/model.md section 11 plus "point"
    result: PlanResult | None = None  # kept only when asked (keep_results)
    headline: Headline = field(default_factory=Headline)

    def binding(self) -> list[tuple[str, object, float]]:
        """The limits binding at this point (positive shadow price), largest first."""
        return sorted(((f, k, v) for (f, k), v in self.shadow.items() if v > TOL), key=lambda r: -r[2])


@dataclass
class SweepRun(Run):
    """A whole sweep: what was varied, the points, and how the solver got there."""

    varies: list[Vary] = field(default_factory=list)
    points: list[SweepPoint] = field(default_factory=list)
    base_overrides: list[str] = field(default_factory=list)
    rebuilds: int = 0

    outcomes = property(lambda self: self.points)

    @property
    def mip(self) -> bool:
        """Some point has lumpy (all-or-nothing) measures: its shadow prices are of the LP with the binaries fixed."""
        return any(p.mip for p in self.points)

    def per(self) -> str:
        """What a slope is per (its unit says "M€ per …"): the unit of the first varied value."""
        if not self.varies:
            return _("unit")
        first = self.varies[0]
        if first.op == "scale":
            return _("unit of the scale factor")
        if self.base.settings.objective != "max-abatement" and first.unit == "Mt CO2-eq/yr":
            return _("Mt/yr, i.e. € per t of annual abatement")
        return _(first.unit) if first.unit else _("unit")

    def slopes(self, of: str | None = None) -> dict[int, float | None]:
        """A curve's slope from the previous point along the first varied value, per point number.

        The curve is the headline figure ``of`` (e.g. "public_cost_meur"); by default the main curve: the
        objective (M€; public cost plus the shortfall penalty) when minimising cost, the abatement in the target
        year when maximising it. A grid's blocks (the other values fixed) are separate curves: the first point
        of each block, a failed point or an unchanged x has no slope.
        """
        out: dict[int, float | None] = {p.number: None for p in self.points}
        if not self.varies:
            return out
        first = self.varies[0]
        T = self.base.settings.target_year
        block = len(first.values)

        def y(p):
            if not p.ok:
                return None
            if of is not None:
                return p.headline.get(of)
            return p.headline.get("abatement_mt", T) if p.objective == "max-abatement" else p.objective_meur

        for k, p in enumerate(self.points):
            if k % block == 0:
                continue
            q = self.points[k - 1]
            x0, x1 = q.values.get(first.key), p.values.get(first.key)
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x0, x1)) or x1 == x0:
                continue
            if y(p) is None or y(q) is None:
                continue
            out[p.number] = (y(p) - y(q)) / (x1 - x0)
        return out

    def rebuild_summary(self, examples: int = 3) -> list[str]:
        """The rebuilds in a few lines: how many, grouped by the kind of change, with example points."""
        rebuilt = [p for p in self.points if p.rebuilt]
        if not rebuilt:
            return []
        groups: dict[str, list[int]] = {}
        for p in rebuilt:
            why = p.solver_note.removeprefix(_("rebuilt: "))
            kinds = []
            for part in why.split("; "):
                kind = re.sub(r"\s*\((e\.g\.|bijv\.).*$", "", part.split(":")[0])  # the kind of change, not its items
                kind = re.sub(r"\s*[+−]\d+", "", re.sub(r"^\d+\s+", "", kind)).strip()
                if kind not in kinds:
                    kinds.append(kind)
            groups.setdefault("; ".join(kinds), []).append(p.number)
        lines = [_("model rebuilt at {n} of {all} points where its structure changed (each point's reason is in the "
                   "workbook's {sheet} sheet):", n=len(rebuilt), all=len(self.points), sheet=_("About"))]
        ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
        for kind, numbers in ordered[:MAX_REBUILD_LINES]:
            shown = ", ".join(str(n) for n in numbers[:examples]) + (", …" if len(numbers) > examples else "")
            lines.append("  " + ngettext("{count}× {kind} (point {shown})", "{count}× {kind} (points {shown})",
                                         len(numbers), count=len(numbers), kind=kind, shown=shown))
        if len(ordered) > MAX_REBUILD_LINES:
            rest = sum(len(n) for _k, n in ordered[MAX_REBUILD_LINES:])
            lines.append("  " + _("{n}× other changes ({kinds} kinds)", n=rest, kinds=len(ordered) - MAX_REBUILD_LINES))
        return lines


def prepare(base: PlanInput, varies: list[Vary]) -> list[tuple[dict, list[ScenarioRow], PlanInput]]:
    """Every point's values, overrides and input, validated; every bad point named at once."""
    out = []
    problems: list[Problem] = []
    for n, combo in enumerate(grid(varies), start=1):
        rows = [v.override(value) for v, value in zip(varies, combo)]
        values = {v.key: value for v, value in zip(varies, combo)}
        try:
            inp = apply_overrides(base, rows)
            fixed = fixed_problems(inp)  # decisions already taken that no plan can keep at this point
            if fixed:
                raise InputError(fixed)
        except InputError as exc:
            label = ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())
            problems += [Problem(f"sweep point {n} ({label}): {p.message}", p.file, p.sheet, p.row, p.column)
                         for p in exc.problems]
            if len(problems) >= 20:
                problems.append(Problem("… further points not checked"))
                break
            continue
        out.append((values, rows, inp))
    if problems:
        raise InputError(problems)
    return out


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------- the sweep

def sweep(base: PlanInput, varies: list[Vary], *, on_point=None, on_result=None, keep_results: bool = False,
          time_limit_s: float | None = None) -> SweepRun:
    """Solve every point of the grid on one persistent solver (rebuilt only where the structure changes).

    ``on_result(point, result)`` is called with each solved point's full plan (e.g. to make its JSON);
    ``on_point(done, total, point)`` after each point (for a progress bar).
    """
    started = time.perf_counter()
    prepared = prepare(base, varies)
    run = SweepRun(base, varies=varies, points=[], solver_name=solver_version())
    solver: Solver | None = None
    total = len(prepared)
    for n, (values, rows, inp) in enumerate(prepared, start=1):
        point = SweepPoint(number=n, values=values, overrides=[r.spec() for r in rows],
                           objective=inp.settings.objective)
        t0 = time.perf_counter()
        if solver is None:
            solver = Solver(build_model(inp), time_limit_s=time_limit_s)
            point.solver_note = _("first build")
        else:
            reason = _options_changed(solver.built.input, inp)
            if not reason and solver.update(inp):
                point.solver_note = _("warm re-solve")
            else:
                built = build_model(inp)
                reason = reason or structure_change(solver.built, built)
                solver = Solver(built, time_limit_s=time_limit_s)
                point.solver_note = _("rebuilt: ") + reason
                point.rebuilt = True
                run.rebuilds += 1
        sol = solver.solve()
        point.solve_seconds = sol.seconds
        if sol.ok:
            # a point reports totals, shadow prices and binding limits: no per-measure explanations
            result = extract(solver.built, sol, explain=False)
            result.solver.update({"name": run.solver_name, "columns": solver.n_col, "rows": solver.n_row})
            _summarise(point, result)
            if on_result is not None:
                on_result(point, result)
            if keep_results:
                point.result = result
        else:
            point.headline = Headline.without_plan(inp)
            point.message = _("{message} (solver status: {status})", message=sol.message, status=sol.status)
        point.seconds = time.perf_counter() - t0
        run.points.append(point)
        if on_point is not None:
            on_point(n, total, point)
    slope = "abatement_slope" if base.settings.objective == "max-abatement" else "objective_slope"
    slopes, cost_slopes = run.slopes(), run.slopes("public_cost_meur")
    for point in run.points:  # each point's slopes from the previous one: figures of its record
        point.headline.set(slope, slopes[point.number])
        point.headline.set("public_cost_slope", cost_slopes[point.number])
    run.seconds = time.perf_counter() - started
    return run


def _options_changed(old: PlanInput, new: PlanInput) -> str:
    """Solver options the live instance cannot take from Solver.update (a rebuild sets them)."""
    a, b = old.settings, new.settings
    changed = [k for k in ("time_limit_s", "mip_gap", "solver") if getattr(a, k) != getattr(b, k)]
    return _("solver option {options} changed", options=", ".join(changed)) if changed else ""


def _summarise(point: SweepPoint, result: PlanResult) -> None:
    inp = result.input
    point.headline = Headline.of(result)
    point.mip = bool(result.solver.get("mip"))
    shadow: dict[tuple[str, object], float] = {(TARGET, y): v for y, v in result.shadow.get(TARGET, {}).items()}
    for fam, key, value in result.binding():
        shadow[(fam, key)] = value
    point.shadow = shadow
    point.limits = {k: limit_label(inp, *k) for k in shadow}


# ---------------------------------------------------------------- structure changes

def structure_change(old_built: Built, new_built: Built) -> str:
    """In words, why the new point's model has another structure than the live one."""
    parts: list[str] = []
    old, new = old_built.index, new_built.index
    a, b = old_built.input.settings, new_built.input.settings
    for key in ("objective", "elastic", "strict"):
        if getattr(a, key) != getattr(b, key):
            parts.append(f"{key} {getattr(a, key)} → {getattr(b, key)}")
    if old.target_years != new.target_years:
        parts.append(_("target years {old} → {new}", old=old.target_years, new=new.target_years))
    old_d, new_d = set(old.d_keys), set(new.d_keys)
    old_gap = {k for k in old.funding_keys}
    new_gap = {k for k in new.funding_keys}
    closed = (old_gap - new_gap) & new_d  # still committable, but no gap to fund
    opened = (new_gap - old_gap) & old_d
    if closed:
        parts.append(_("no unprofitable gap any more (needs no subsidy): {measures}", measures=_by_measure(closed)))
    if opened:
        parts.append(_("an unprofitable gap appears: {measures}", measures=_by_measure(opened)))
    if new_d - old_d:
        parts.append(_("can now be committed: {measures}", measures=_by_measure(new_d - old_d)))
    if old_d - new_d:
        parts.append(_("can no longer be committed: {measures}", measures=_by_measure(old_d - new_d)))
    old_s = {k for k in old.s_keys if k[:1] + k[2:] in old_gap & new_gap}
    new_s = {k for k in new.s_keys if k[:1] + k[2:] in old_gap & new_gap}
    if new_s - old_s:
        parts.append(_("{n} instrument–measure–year subsidy options open (e.g. {examples})", n=len(new_s - old_s),
                       examples=_examples(new_s - old_s)))
    if old_s - new_s:
        parts.append(_("{n} instrument–measure–year subsidy options close (e.g. {examples})", n=len(old_s - new_s),
                       examples=_examples(old_s - new_s)))
    for f in FAMILIES:
        o, n = set(old_built.rows[f.name].terms), set(new_built.rows[f.name].terms)
        if o != n and (f.kind == "measure" or not parts):
            parts.append(_("{family} rows +{added} −{removed}", family=f.name, added=len(n - o), removed=len(o - n)))
    if not parts:
        parts.append(_("the variables of some rows change"))
    return "; ".join(parts)


def _by_measure(keys: set) -> str:
    years: dict[str, list[int]] = {}
    for m, y in keys:
        years.setdefault(m, []).append(y)
    items = []
    for m in sorted(years)[:4]:
        ys = sorted(years[m])
        when = str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"
        items.append(_("{measure} in {years}", measure=m, years=when))
    more = len(years) - 4
    return ", ".join(items) + (_(" and {n} more", n=more) if more > 0 else "")


def _examples(keys: set) -> str:
    items = sorted(keys)[:2]
    return ", ".join(f"{i} → {m} {y}" for m, i, y in items)
