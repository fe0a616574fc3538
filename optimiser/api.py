"""The Python API: plans, what-ifs, sweeps, comparisons and the rules simulation as pandas DataFrames.

    >>> import optimiser
    >>> p = optimiser.plan()                                              # the shipped default workbook
    >>> p.status, p.public_cost_meur
    >>> p.measures.head()                                                  # one row per measure
    >>> q = optimiser.plan(set={"prices:co2_price_eur_per_t:*": 130})     # a what-if
    >>> optimiser.compare(p, q).differences                                # what changed, as a DataFrame
    >>> s = optimiser.sweep(vary={"settings:target_reduction_mt": range(10, 25, 2)})
    >>> s.points[["public_cost_meur", "target_shadow_eur_per_t"]]         # the price-of-ambition curve

Everything runs through the same pipeline as the command line
(:func:`optimiser.pipeline.run`), so a plan made here equals ``policymix plan``
with the same options. Overrides are dicts, ``{"SHEET:ID:COLUMN": value}``
(``{"settings:KEY": value}`` for a setting; ID and COLUMN take shell
wildcards): ``set=`` sets values, ``scale=`` multiplies, ``add=`` adds and
``shift=`` moves a year series whole years later. Settings are keyword
arguments (``target_reduction_mt=25``, ``objective="max-abatement"``,
``elastic=True``). They are applied in this order: the workbook's
``scenario``, then ``set``, ``scale``, ``add``, ``shift``, the settings, and
last ``overrides`` (a list of ``(op, "SHEET:ID:COLUMN=VALUE")`` pairs, in the
command line's spelling, when the order matters).

Bad input raises :class:`optimiser.InputError`; its ``problems`` are the ones
the command line prints (each with ``file``, ``sheet``, ``row``, ``column``).
A strict run whose target cannot be met raises :class:`TargetInfeasible`; a
solver failure :class:`SolverFailure`.

pandas is imported when the first DataFrame is asked for, never by the
command line. A function added here (``futures`` is next) becomes a top-level
name by one entry in ``optimiser.__init__._LAZY``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .analysis.compare import compare_plans
from .analysis.sweep import SweepRun
from .input.data import InputError, Problem
from .input.planfile import read_plan_results
from .input.read import DEFAULT_MAX_UNZIPPED_MB
from .lang import LANGUAGES, _, language
from .model.families import TARGET, family
from .model.fields import TARGETS, Headline, frame_tables, headline_fields
from .model.optimum import SolverFailure, TargetInfeasible
from .model.results import PlanResult
from .pipeline import Outcome, default_workbook, run
from .report.files import json_text, write_json
from .report.iamc import plan_series, point_scenario, write_iamc
from .report.jsondoc import failed_json, plan_document, plan_json, point_json, simulation_json

if TYPE_CHECKING:  # pandas only for the type checker: it is imported where DataFrames are made
    import pandas as pd

    from .analysis.compare import Comparison as _Comparison
    from .input.data import PlanInput

__all__ = ["Comparison", "InputError", "LANGUAGES", "Plan", "SolverFailure", "Sweep", "TargetInfeasible",
           "compare", "default_workbook", "plan", "simulate", "sweep"]

PathLike = str | os.PathLike
Overrides = Mapping[str, object] | None


# ---------------------------------------------------------------- overrides from Python values

def _text(value: object) -> str:
    """A Python value in the spelling of an override: yes/no, numbers exactly, ids joined by ';'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ";".join(_text(v) for v in value)
    return str(value)


def _pairs(op: str, items: Overrides) -> list[tuple[str, str]]:
    if items is None:
        return []
    if not isinstance(items, Mapping):
        raise InputError(Problem(_("{op}=: expected a dict {{'SHEET:ID:COLUMN': value}}, found {type}", op=op,
                                   type=type(items).__name__)))
    return [(op, f"{target}={_text(value)}") for target, value in items.items()]


def overrides_of(*, set: Overrides = None, scale: Overrides = None, add: Overrides = None,
                 shift: Overrides = None, settings: Mapping[str, object] | None = None,
                 overrides: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The ``(op, "SHEET:ID:COLUMN=VALUE")`` pairs the pipeline takes, in the order they are applied."""
    pairs = _pairs("set", set) + _pairs("scale", scale) + _pairs("add", add) + _pairs("shift", shift)
    pairs += [("set", f"settings:{key}={_text(value)}") for key, value in (settings or {}).items()]
    for item in overrides:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise InputError(Problem(_("overrides=: expected (op, 'SHEET:ID:COLUMN=VALUE') pairs, found {item!r}",
                                       item=item)))
        pairs.append((str(item[0]), str(item[1])))
    return pairs


def _check_lang(lang: str | None) -> str | None:
    if lang is not None and lang not in LANGUAGES:
        raise InputError(Problem(_("lang={lang!r}: expected one of {languages}", lang=lang,
                                   languages=", ".join(LANGUAGES))))
    return lang


def _refuse_existing(path: PathLike, force: bool, lang: str | None = None) -> Path:
    out = Path(path)
    if out.exists() and not force:
        with language(lang):
            raise InputError(Problem(_("{path}: file exists; pass force=True to replace it", path=out)))
    return out


def _frames():
    from .report import frames  # imports pandas

    return frames


def _frame(maker: str, source: str, doc: str, *, labelled: bool = False) -> cached_property:
    """A DataFrame property, made on first use by ``report.frames.<maker>(self.<source>)`` in the object's
    language (``labelled``: the maker takes the language too, for labels and limits in words)."""

    def make(self):
        with language(getattr(self, "lang", None)):
            args = (getattr(self, source),) + ((self.lang,) if labelled else ())
            return getattr(_frames(), maker)(*args)

    make.__doc__ = doc
    return cached_property(make)


# ---------------------------------------------------------------- a plan

class _Json:
    """What a plan and a sweep share: their ``--json`` result as text, written to a file on request."""

    def to_json(self, path: PathLike | None = None, *, force: bool = False) -> str:
        """The ``--json`` result as JSON text; also written to ``path`` (atomically) when given."""
        doc = self.to_dict()
        if path is not None:
            write_json(doc, str(_refuse_existing(path, force, self.lang)), force=force)
        return json_text(doc)


class Plan(_Json):
    """One plan: the optimum of a workbook (:func:`plan`) or the allocation by the instruments' own rules
    (:func:`simulate`).

    Scalars: its headline record (``headline``, :class:`optimiser.model.fields.Headline`) read as attributes —
    every headline field of the result-field registry: ``status`` ("target_met" / "target_not_met"),
    ``target_met``, ``objective_meur`` (M€, shortfall penalty included), ``public_cost_meur`` (M€, Σ cost
    weight × subsidy), ``peak_cash_meur``, …; a field per target year (``abatement_mt``, ``shortfall_mt``,
    ``required_mt``, Mt CO2-eq/yr) gives its value in the target year. And ``scenario``, ``overrides``,
    ``notes``, ``target_year``.

    DataFrames (made on first use; ids as index, units in column names, ``attrs["units"]``): one per table of
    the registry — ``measures``, ``measure_years``, ``subsidies``, ``instruments``, ``instrument_years``,
    ``cash``, ``resources``, ``targets`` — and, from the constraint-family registry, ``shadow_prices`` and
    ``binding``; ``rule_outcomes`` for a simulation.

    Outputs: :meth:`to_excel` (the plan workbook), :meth:`to_json`, :meth:`to_dict`, :meth:`to_iamc`.
    The plain result the frames come from is ``result`` (:class:`optimiser.model.results.PlanResult`).
    """

    def __init__(self, result: PlanResult, *, lang: str | None = None, kind: str = "plan",
                 outcome: Outcome | None = None):
        self.result = result
        self.lang = _check_lang(lang)
        self.kind = kind  # "plan" (the optimum) or "rules" (the rules simulation)
        self.outcome = outcome

    @cached_property
    def headline(self) -> Headline:
        """The plan's headline figures (the record a sweep point and a future have too)."""
        return Headline.of(self.result)

    def __getattr__(self, name: str):
        """A headline figure (in the target year for a field per target year), or a table's DataFrame."""
        if name.startswith("_") or name in ("result", "lang", "kind", "outcome"):
            raise AttributeError(name)
        if any(name in vars(cls) for cls in type(self).__mro__):  # a property that refused: its own error
            return object.__getattribute__(self, name)
        if name in {f.name for f in headline_fields()}:
            value = self.headline.get(name)
            field_ = next(f for f in headline_fields() if f.name == name)
            return value.get(self.target_year, 0.0) if field_.table is TARGETS and value is not None else value
        tables = frame_tables()  # every table of the result-field registry with a field the frames show
        if name in tables:
            with language(self.lang):
                frame = _frames().table(self.result, tables[name])
            self.__dict__[name] = frame  # made once
            return frame
        raise AttributeError(f"'Plan' has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {f.name for f in headline_fields()} | set(frame_tables()))

    # ------------------------------------------------------------ scalars

    @property
    def input(self) -> PlanInput:
        """The effective input (after the scenario and overrides)."""
        return self.result.input

    @property
    def target_year(self) -> int:
        return self.input.settings.target_year

    @property
    def scenario(self) -> str:
        return self.input.settings.scenario_name

    @property
    def overrides(self) -> list[str]:
        """Every override applied, as ``--set``/``--scale``/… options."""
        return list(self.result.overrides)

    @property
    def notes(self) -> list[str]:
        """Notes on the input workbook (e.g. unknown sheets or columns that were ignored)."""
        return list(self.result.notes)

    @property
    def alternatives(self) -> list[Plan]:
        """The near-optimal plans asked for with ``alternatives=N`` (empty otherwise)."""
        found = self.result.alternatives
        return [Plan(r, lang=self.lang) for r in found.plans] if found is not None else []

    # ------------------------------------------------------------ DataFrames of the families

    shadow_prices = _frame("shadow_prices", "result", "The shadow price of every limit of every reported "
                           "constraint family (0 where it does not bind).", labelled=True)
    binding = _frame("binding", "result", "The limits that bind, largest shadow price first, with what relaxing "
                     "each one saves (or adds, when maximising abatement).", labelled=True)

    @cached_property
    def rule_outcomes(self) -> pd.DataFrame:
        """A simulation only: what the rules did with each measure (index ``measure_id``)."""
        import pandas as pd

        outcomes = getattr(self.result, "outcomes", None)
        if outcomes is None:
            with language(self.lang):
                raise AttributeError(_("rule_outcomes: only a simulation (optimiser.simulate) has rule outcomes"))
        rows = [{"measure_id": m, "outcome": o.outcome, "instrument_id": o.instrument_id,
                 "granted_share": o.granted_share, "realised_share": o.realised_share,
                 "granted_meur": o.granted_meur, "idle_meur": o.idle_meur, "reason": o.reason}
                for m, o in outcomes.items()]
        return pd.DataFrame(rows).set_index("measure_id")

    # ------------------------------------------------------------ outputs

    def to_dict(self) -> dict:
        """The machine-readable result of ``--json`` (docs/model.md section 11) as a dict."""
        return simulation_json(self.result) if self.kind == "rules" else plan_json(self.result)

    def to_excel(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the plan workbook (the one ``policymix plan -o`` writes; it re-runs to this plan)."""
        out = _refuse_existing(path, force, self.lang)
        with language(self.lang):
            if self.kind == "rules":
                from .report.rules import write_simulation

                return write_simulation(self.result, out, force=force)
            from .report.plan import write_plan

            return write_plan(self.result, out, force=force)

    def to_iamc(self, path: PathLike | None = None, *, scenario: str | None = None,
                force: bool = False) -> pd.DataFrame:
        """The plan in the IAMC template layout (docs/iamc.md), as a wide DataFrame that
        ``pyam.IamDataFrame`` takes; also written to ``path`` (.csv or .xlsx) when given.
        ``scenario`` names it (default: the workbook's scenario name)."""
        series = plan_series(self.result, scenario)
        if path is not None:
            with language(self.lang):
                write_iamc(series, _refuse_existing(path, force), force=force)
        return _frames().iamc(series)

    # ------------------------------------------------------------ display

    def summary(self) -> list[str]:
        """The plan in a few sentences, as the terminal shows it."""
        from .report.terminal import plan_lines, simulation_lines

        with language(self.lang):
            return simulation_lines(self.result) if self.kind == "rules" else plan_lines(self.result)

    def __str__(self) -> str:
        return "\n".join(self.summary())

    def __repr__(self) -> str:
        what = "target met" if self.target_met else f"target NOT met (short {self.shortfall_mt:,.3f} Mt)"
        kinds = [family(name).kind for name, _key, _value in self.result.binding() if name != TARGET]
        n, single = sum(k == "policy" for k in kinds), sum(k != "policy" for k in kinds)
        return (f"<Plan {self.scenario!r}{' (rules)' if self.kind == 'rules' else ''}: {what}; "
                f"{self.abatement_mt:,.3f} Mt CO2-eq/yr in {self.target_year}, public cost "
                f"{self.public_cost_meur:,.1f} M€; {n} binding budget or resource limit{'s' if n != 1 else ''}"
                f" ({single} of single measures)>")

    def _repr_html_(self) -> str:
        lines = "".join(f"<li>{html.escape(line.strip())}</li>" for line in self.summary())
        head = (f"<b>Plan {html.escape(self.scenario)}</b>{' (rules simulation)' if self.kind == 'rules' else ''}"
                f"<ul>{lines}</ul>")
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                       for k, v in (("status", self.status), ("public cost (M€)", f"{self.public_cost_meur:,.1f}"),
                                    ("objective (M€)", f"{self.objective_meur:,.1f}"),
                                    (f"abatement {self.target_year} (Mt CO2-eq/yr)", f"{self.abatement_mt:,.3f}"),
                                    ("overrides", "; ".join(self.overrides) or "none")))
        return f"<div>{head}<table>{rows}</table></div>"


# ---------------------------------------------------------------- a sweep

class Sweep(_Json):
    """A sweep: every point of a grid of input values solved on one live HiGHS instance (:func:`sweep`).

    DataFrames: ``points`` (one row per point: the varied values, status, public cost, abatement, the
    target's shadow price), ``spend`` (per point and instrument), ``shadow_prices`` (per point: the
    target and every binding limit). ``plans``: one :class:`Plan` per solved point (when kept).
    Outputs: :meth:`to_excel` (the sweep workbook), :meth:`to_json`, :meth:`to_iamc` (one IAMC
    scenario per point).
    """

    def __init__(self, run_: SweepRun, *, lang: str | None = None, outcome: Outcome | None = None):
        self.run = run_
        self.lang = _check_lang(lang)
        self.outcome = outcome

    failed = property(lambda self: self.run.failed, doc="The points without a plan.")
    rebuilds = property(lambda self: self.run.rebuilds,
                        doc="How often the model was built afresh because a point changed its structure.")
    points = _frame("sweep_points", "run", "One row per point: the varied values and the point's headline figures.")
    spend = _frame("sweep_spend", "run", "Subsidy committed per point and instrument over all years.")
    shadow_prices = _frame("sweep_shadow_prices", "run", "Per point, the target's shadow price and every binding "
                           "limit.", labelled=True)

    @cached_property
    def plans(self) -> list[Plan | None]:
        """The plan of each point (None for a failed point); kept unless ``keep_plans=False``."""
        if any(p.ok and p.result is None for p in self.run.points):
            with language(self.lang):
                raise AttributeError(_("plans: this sweep did not keep its plans (keep_plans=False)"))
        return [Plan(p.result, lang=self.lang) if p.result is not None else None for p in self.run.points]

    def _results(self, what: str) -> list:
        if any(p.ok and p.result is None for p in self.run.points):
            with language(self.lang):
                raise InputError(Problem(_("{what}: this sweep did not keep its plans (run it with keep_plans=True)",
                                           what=what)))
        return [p.result for p in self.run.points]

    def to_dict(self) -> list[dict]:
        """The ``--json`` result of a sweep: one plan result per point with its ``"point"``."""
        return [point_json(p, r) if r is not None else failed_json(p)
                for p, r in zip(self.run.points, self._results("to_json"))]

    def to_excel(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the sweep workbook (the one ``policymix sweep -o`` writes)."""
        from .report.sweep import write_sweep

        with language(self.lang):
            return write_sweep(self.run, _refuse_existing(path, force), force=force)

    def to_iamc(self, path: PathLike | None = None, *, force: bool = False) -> pd.DataFrame:
        """Every solved point as one IAMC scenario ('<scenario> | <key>=<value>, …'); also written to
        ``path`` (.csv or .xlsx) when given."""
        series = []
        for p, r in zip(self.run.points, self._results("to_iamc")):
            if r is not None:
                series += plan_series(r, point_scenario(self.run.scenario_name, p.values))
        if path is not None:
            with language(self.lang):
                write_iamc(series, _refuse_existing(path, force), force=force)
        return _frames().iamc(series)

    def __repr__(self) -> str:
        keys = ", ".join(v.key for v in self.run.varies)
        return (f"<Sweep {self.run.scenario_name!r} over {keys}: {len(self.run.points)} points, "
                f"{len(self.run.failed)} failed, {self.run.rebuilds} rebuilds, {self.run.seconds:.2f} s>")

    def _repr_html_(self) -> str:
        return f"<div><b>{html.escape(repr(self))}</b>{self.points.to_html(max_rows=20)}</div>"


# ---------------------------------------------------------------- a comparison

class Comparison:
    """What changed from plan A to plan B (:func:`compare`).

    ``same``: nothing moved beyond solver noise. DataFrames: ``differences`` (section, item, unit, a, b,
    change, note) and ``measures`` (every measure side by side). :meth:`to_excel` writes the comparison
    workbook of ``policymix compare -o``.
    """

    def __init__(self, comparison: _Comparison):
        self.comparison = comparison

    same = property(lambda self: self.comparison.same, doc="Nothing moved beyond solver noise.")
    differences = _frame("differences", "comparison", "Everything that changed from plan A to plan B, one row each.")
    measures = _frame("compared_measures", "comparison", "Every measure side by side (plan A and plan B).")

    def to_excel(self, path: PathLike, *, force: bool = False) -> Path:
        from .report.comparison import write_comparison

        return write_comparison(self.comparison, _refuse_existing(path, force), force=force)

    def __repr__(self) -> str:
        n = len(self.comparison.differences)
        return "<Comparison: the plans are the same>" if not n else f"<Comparison: {n} differences>"

    def _repr_html_(self) -> str:
        return f"<div><b>{html.escape(repr(self))}</b>{self.differences.to_html(max_rows=40)}</div>"


# ---------------------------------------------------------------- the functions

def plan(workbook: PathLike | None = None, *, scenario: str | None = None, set: Overrides = None,
         scale: Overrides = None, add: Overrides = None, shift: Overrides = None,
         overrides: Sequence[tuple[str, str]] = (), lang: str | None = None, alternatives: int = 0, slack: float = 0.05,
         save_lp: PathLike | None = None, force: bool = False,
         max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB, **settings: object) -> Plan:
    """Plan a workbook (default: the shipped Dutch default) and return the :class:`Plan`.

    ``scenario``: a named scenario of the workbook's scenarios sheet. ``set``, ``scale``, ``add``,
    ``shift``: overrides as ``{"SHEET:ID:COLUMN": value}`` (e.g. ``set={"prices:co2_price_eur_per_t:*":
    130}``, ``scale={"budgets:SDE++:*": 1.2}``). ``**settings``: settings of the workbook
    (``target_reduction_mt=25``, ``objective="max-abatement"``, ``elastic=True``, ``strict=True``).
    ``alternatives``/``slack``: near-optimal plans within ``slack`` of the optimum. ``save_lp``: also
    write the model handed to HiGHS (.mps or .lp; an existing file only with ``force=True``).
    ``lang``: the language of labels, limits in words, the summary and the workbook ("en" or "nl"; None:
    the workbook's ``language`` setting, else English).

    Nothing else is written. Raises :class:`InputError` (bad input: ``.problems`` names sheet, row and
    column), :class:`TargetInfeasible` (``strict=True`` and no plan meets the target) or
    :class:`SolverFailure`.
    """
    _check_lang(lang)
    with language(lang):  # a mistake in the arguments is told in the language asked
        if alternatives < 0:
            raise InputError(Problem(_("alternatives={n}: expected a whole number ≥ 0", n=alternatives)))
        pairs = overrides_of(set=set, scale=scale, add=add, shift=shift, settings=settings, overrides=overrides)
    outcome = run("plan", workbook=workbook, scenario=scenario, overrides=pairs, write_workbook=False,
                  json_path=None, force=force, max_unzipped_mb=max_unzipped_mb, alternatives=alternatives,
                  slack=slack, save_lp=save_lp, lang=lang)
    return Plan(outcome.result, lang=outcome.lang, outcome=outcome)


def _vary_text(target: str, values: object) -> str:
    if isinstance(values, str):
        return f"{target}={values}"
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        return f"{target}={_text(values)}"
    if isinstance(values, Iterable):
        items = [_text(v) for v in values]
        if not items:
            raise InputError(Problem(_("vary {target}: no values", target=target)))
        return f"{target}=" + ",".join(items)
    raise InputError(Problem(_("vary {target}: expected values (a list, a range or 'START:STOP:STEP'), found "
                               "{values!r}", target=target, values=values)))


def sweep(workbook: PathLike | None = None, *, vary: Mapping[str, object] | None = None,
          vary_scale: Mapping[str, object] | None = None, scenario: str | None = None, set: Overrides = None,
          scale: Overrides = None, add: Overrides = None, shift: Overrides = None,
          overrides: Sequence[tuple[str, str]] = (), lang: str | None = None, keep_plans: bool = True,
          on_point: Callable | None = None, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB,
          **settings: object) -> Sweep:
    """Solve the workbook at every point of a grid and return the :class:`Sweep`.

    ``vary``: values to set, ``{"SHEET:ID:COLUMN": values}`` — a list, a ``range``, or the command
    line's ``"START:STOP:STEP"`` (stop included) — e.g. ``vary={"settings:target_reduction_mt":
    range(10, 31, 2)}``; ``vary_scale``: factors to multiply the base values by, e.g.
    ``vary_scale={"budgets:SDE++:*": [0.5, 1, 1.5, 2]}``. Several make a grid, the first changing
    fastest (``vary`` before ``vary_scale``). The base input takes the overrides and settings as
    :func:`plan` does. ``keep_plans``: keep every point's full plan (``Sweep.plans``, needed by
    ``to_json`` and ``to_iamc``); ``on_point(done, total, point)`` is called after each point.
    """
    _check_lang(lang)
    with language(lang):
        varies = [("set", _vary_text(t, v)) for t, v in (vary or {}).items()]
        varies += [("scale", _vary_text(t, v)) for t, v in (vary_scale or {}).items()]
        pairs = overrides_of(set=set, scale=scale, add=add, shift=shift, settings=settings, overrides=overrides)
    outcome = run("sweep", workbook=workbook, vary=varies, scenario=scenario, overrides=pairs,
                  write_workbook=False, json_path=None, max_unzipped_mb=max_unzipped_mb, on_point=on_point,
                  keep_results=keep_plans, lang=lang)
    return Sweep(outcome.result, lang=outcome.lang, outcome=outcome)


def simulate(workbook: PathLike | None = None, *, scenario: str | None = None, set: Overrides = None,
             scale: Overrides = None, add: Overrides = None, shift: Overrides = None,
             overrides: Sequence[tuple[str, str]] = (), lang: str | None = None,
             max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB, **settings: object) -> Plan:
    """Allocate the budgets by the instruments' own rules (``policymix simulate``; docs/rules.md) and
    return the result as a :class:`Plan` (``kind="rules"``, with ``rule_outcomes``)."""
    _check_lang(lang)
    with language(lang):
        pairs = overrides_of(set=set, scale=scale, add=add, shift=shift, settings=settings, overrides=overrides)
    outcome = run("simulate", workbook=workbook, scenario=scenario, overrides=pairs, write_workbook=False,
                  json_path=None, max_unzipped_mb=max_unzipped_mb, lang=lang)
    return Plan(outcome.result, lang=outcome.lang, kind="rules", outcome=outcome)


def compare(a: Plan | PathLike, b: Plan | PathLike, *,
            max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> Comparison:
    """What changed from plan ``a`` to plan ``b``: each a :class:`Plan` or a plan workbook's path
    (as ``policymix compare`` reads it)."""
    if not isinstance(a, Plan) and not isinstance(b, Plan):
        return Comparison(run("compare", a=a, b=b, max_unzipped_mb=max_unzipped_mb).result)
    documents, problems = [], []
    for side in (a, b):
        if isinstance(side, Plan):
            documents.append(plan_document(side.result))
            continue
        try:
            documents.append(read_plan_results(side, max_unzipped_mb))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return Comparison(compare_plans(*documents))


# futures(...) -> Futures: planning under uncertainty (MODEL.md §14) goes here, through run("futures", …),
# with its own result class; then one entry "futures": "api" in optimiser.__init__._LAZY.
