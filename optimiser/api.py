"""The Python API: every command of policymix as a function returning objects with pandas DataFrames.

    >>> import optimiser
    >>> p = optimiser.plan()                                              # the shipped default workbook
    >>> p.status, p.public_cost_meur
    >>> p.measures.head()                                                  # one row per measure
    >>> q = optimiser.plan(set={"prices:co2_price_eur_per_t:*": 130})     # a what-if
    >>> optimiser.compare(p, q).differences                                # what changed, as a DataFrame
    >>> s = optimiser.sweep(vary={"settings:target_reduction_mt": range(10, 25, 2)})
    >>> s.points[["public_cost_meur", "target_shadow_eur_per_t"]]         # the price-of-ambition curve
    >>> f = optimiser.futures(samples=200, seed=1)                          # how likely is the target
    >>> f.p_target_met, f.futures.head()                                   # one row per future
    >>> c = optimiser.futures(samples=100, confidence="0.5:0.9:0.1")        # what it costs to be p sure
    >>> c.attainable, c.max_attainable, c.curve                             # the cost-of-confidence curve
    >>> optimiser.delays(years=[1, 2]).delays.head()                         # what each delay costs

Every function runs through the same pipeline as the command line (:func:`optimiser.pipeline.run`), so a
plan made here equals ``policymix plan`` with the same options, and its keyword arguments are the command's
options of the command record (optimiser/commands.py): their names, defaults, checks and help text are
declared there once (``help(optimiser.futures)`` lists them). Overrides are dicts,
``{"SHEET:ID:COLUMN": value}`` (``{"settings:KEY": value}`` for a setting; ID and COLUMN take shell
wildcards): ``set=`` sets values, ``scale=`` multiplies, ``add=`` adds and ``shift=`` moves a year series
whole years later. Settings are keyword arguments (``target_reduction_mt=25``). They are applied in this
order: the workbook's ``scenario``, then ``set``, ``scale``, ``add``, ``shift``, the settings,
``overrides`` (a list of ``(op, "SHEET:ID:COLUMN=VALUE")`` pairs, in the command line's spelling, when the
order matters), and last the shorthands ``objective=``, ``elastic=``, ``strict=``, as on the command line.

Bad input raises :class:`optimiser.InputError`; its ``problems`` are the ones the command line prints (each
with ``file``, ``sheet``, ``row``, ``column``). A strict run whose target cannot be met raises
:class:`TargetInfeasible`; a solver failure :class:`SolverFailure`. The functions write nothing (but
``template``, whose purpose it is, and ``save_lp=``); the objects' ``to_excel``, ``to_json`` and ``to_iamc``
write, refusing what the command line refuses: an input of the run, the shipped default workbook, a wrong
file type, an existing file without ``force=True``.

pandas is imported when the first DataFrame is asked for, never by the command line. A command declared in
the record is a function here without more ado (:func:`__getattr__` makes it from the record, returning the
run's result); the commands below wrap their results in objects. A top-level ``optimiser.NAME`` is one entry
in ``optimiser.__init__._LAZY``.
"""

from __future__ import annotations

import html
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import commands
from .input.data import InputError, Problem
from .lang import _, language
from .model.families import TARGET, family
from .model.fields import CONFIDENCE, FIELDS, FUTURES_RUN, PLAN, TARGETS, Headline, frame_tables, headline_fields
from .model.optimum import SolverFailure, TargetInfeasible
from .model.results import PlanResult
from .pipeline import Outcome, SweepFiles, check_output, default_workbook, run
from .report.files import json_text, write_json
from .report.iamc import plan_series, write_iamc
from .report.jsondoc import sweep_json

if TYPE_CHECKING:  # pandas only for the type checker: it is imported where DataFrames are made
    import pandas as pd

    from .input.data import PlanInput

__all__ = ["Check", "Comparison", "Delays", "Futures", "InputError", "LANGUAGES", "Plan", "Replan", "RulesGap",
           "SolverFailure", "Sweep", "TargetInfeasible", "check", "compare", "default_workbook", "delays", "futures",
           "plan", "replan", "rules_gap",
           "simulate", "sweep", "template"]

#: Languages of the texts in DataFrames (family labels, limits in words).
LANGUAGES = commands.LANGUAGE.choices

PathLike = str | os.PathLike


def _frames():
    from .report import frames  # imports pandas

    return frames


def _run(name: str, kwargs: dict) -> Outcome:
    """Run command ``name`` with the API's keyword arguments (the record's options; the rest are settings).

    The API writes nothing unless that is the command's purpose: its workbook is written by ``to_excel``."""
    with language(kwargs.get("lang") if kwargs.get("lang") in LANGUAGES else None):  # mistakes told in that language
        options = commands.keywords(name, kwargs)
    if commands.find(name).has("write_workbook"):
        options["write_workbook"] = False
    return run(name, **options)


# ---------------------------------------------------------------- what every result object shares

def _named(where: str):
    """A function named 'module:name' under optimiser, imported when first used (writers import openpyxl)."""
    import importlib

    module, name = where.split(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def _of(name: str, doc: str = "") -> property:
    """A scalar of the plain result, read through: ``p_target_met = _of("p_target_met")``."""
    return property(lambda self: getattr(self._plain, name), doc=doc)


def _frame(maker: str, doc: str, *, labelled: bool = False) -> cached_property:
    """A DataFrame made on first use by ``report.frames.<maker>(plain result)`` in the result's language
    (``labelled``: the maker takes the language too, for labels and limits in words)."""

    def make(self):
        with language(self.lang):
            return getattr(_frames(), maker)(self._plain, *((self.lang,) if labelled else ()))

    make.__doc__ = doc
    return cached_property(make)


class _Result:
    """A result of one run: its language, its run (``outcome``: options, files read), and its outputs, which
    refuse what the command line refuses (an input of the run, the shipped default workbook, a wrong file type,
    an existing file without ``force=True``).

    A subclass names where its plain result is (``_plain_name``) and, as 'module:function', what makes its JSON
    (``_json_of``), writes its workbook (``_workbook_of``) and says it in sentences (``_lines_of``).
    """

    _json_of = _workbook_of = _lines_of = ""
    _plain_name = "result"

    def __init__(self, plain: object = None, *, lang: str | None = None, outcome: Outcome | None = None):
        if lang is not None and lang not in LANGUAGES:
            raise InputError(Problem(_("{option}: expected {what}", option=f"lang={lang!r}",
                                       what=commands.LANGUAGE.says())))
        self.lang = lang
        self.outcome = outcome
        if plain is not None:
            setattr(self, self._plain_name, plain)

    @property
    def _plain(self):
        return getattr(self, self._plain_name)

    def _target(self, path: PathLike, force: bool, suffixes: tuple = ()) -> Path:
        with language(self.lang):
            return check_output(path, inputs_=self.outcome.inputs if self.outcome is not None else (), force=force,
                                suffixes=suffixes)

    def to_dict(self):
        """The result of ``--json`` (docs/model.md) as a dict."""
        with language(self.lang):
            return _named(self._json_of)(self._plain)

    def to_json(self, path: PathLike | None = None, *, force: bool = False) -> str:
        """The ``--json`` result as JSON text; also written to ``path`` (a .json file, atomically) when given."""
        doc = self.to_dict()
        if path is not None:
            write_json(doc, str(self._target(path, force, commands.JSON.suffixes)), force=force)
        return json_text(doc)

    def to_excel(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the command's workbook (the one ``-o`` writes)."""
        out = self._target(path, force, commands.OUTPUT.suffixes)
        with language(self.lang):
            return _named(self._workbook_of)(self._plain, out, force=force)

    def _iamc(self, series: list, path: PathLike | None, force: bool) -> pd.DataFrame:
        if path is not None:
            with language(self.lang):
                write_iamc(series, self._target(path, force), force=force)
        return _frames().iamc(series)

    def summary(self) -> list[str]:
        """The result in a few sentences, as the terminal shows it."""
        with language(self.lang):
            return _named(self._lines_of)(self._plain)

    def __str__(self) -> str:
        return "\n".join(self.summary())


# ---------------------------------------------------------------- a plan

class Plan(_Result):
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
        super().__init__(result, lang=lang, outcome=outcome)
        self.kind = kind  # "plan" (the optimum) or "rules" (the rules simulation)

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
        found = next((f for f in headline_fields() if f.name == name), None)
        if found is not None:
            value = self.headline.get(name)
            return value.get(self.target_year, 0.0) if found.table is TARGETS and value is not None else value
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
        return [Plan(r, lang=self.lang, outcome=self.outcome) for r in found.plans] if found is not None else []

    # ------------------------------------------------------------ DataFrames of the families

    shadow_prices = _frame("shadow_prices", "The shadow price of every limit of every reported constraint family "
                           "(0 where it does not bind).", labelled=True)
    binding = _frame("binding", "The limits that bind, largest shadow price first, with what relaxing each one "
                     "saves (or adds, when maximising abatement).", labelled=True)

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

    @property
    def _json_of(self) -> str:
        return "report.jsondoc:simulation_json" if self.kind == "rules" else "report.jsondoc:plan_json"

    @property
    def _workbook_of(self) -> str:
        return "report.rules:write_simulation" if self.kind == "rules" else "report.plan:write_plan"

    def to_iamc(self, path: PathLike | None = None, *, scenario: str | None = None,
                force: bool = False) -> pd.DataFrame:
        """The plan in the IAMC template layout (docs/iamc.md), as a wide DataFrame that
        ``pyam.IamDataFrame`` takes; also written to ``path`` (.csv or .xlsx) when given.
        ``scenario`` names it (default: the workbook's scenario name)."""
        return self._iamc(plan_series(self.result, scenario), path, force)

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

class Sweep(_Result):
    """A sweep: every point of a grid of input values solved on one live HiGHS instance (:func:`sweep`).

    DataFrames: ``points`` (one row per point: the varied values, status, public cost, abatement, the
    target's shadow price), ``spend`` (per point and instrument), ``shadow_prices`` (per point: the
    target and every binding limit). ``plans``: one :class:`Plan` per solved point (when kept).
    Outputs: :meth:`to_excel` (the sweep workbook), :meth:`to_json`, :meth:`to_iamc` (one IAMC
    scenario per point).
    """

    _workbook_of, _plain_name = "report.sweep:write_sweep", "run"
    failed = _of("failed", "The points without a plan.")
    rebuilds = _of("rebuilds", "How often the model was built afresh because a point changed its structure.")
    points = _frame("sweep_points", "One row per point: the varied values and the point's headline figures.")
    spend = _frame("sweep_spend", "Subsidy committed per point and instrument over all years.")
    shadow_prices = _frame("sweep_shadow_prices", "Per point, the target's shadow price and every binding limit.",
                           labelled=True)

    @cached_property
    def plans(self) -> list[Plan | None]:
        """The plan of each point (None for a failed point); kept unless ``keep_plans=False``."""
        if any(p.ok and p.result is None for p in self.run.points):
            with language(self.lang):
                raise AttributeError(_("plans: this sweep did not keep its plans (keep_plans=False)"))
        return [Plan(p.result, lang=self.lang, outcome=self.outcome) if p.result is not None else None
                for p in self.run.points]

    def _results(self, what: str) -> list:
        if any(p.ok and p.result is None for p in self.run.points):
            with language(self.lang):
                raise InputError(Problem(_("{what}: this sweep did not keep its plans (run it with keep_plans=True)",
                                           what=what)))
        return [p.result for p in self.run.points]

    def to_dict(self) -> list[dict]:
        """The ``--json`` result of a sweep: one plan result per point with its ``"point"``."""
        self._results("to_json")
        SweepFiles.of(self.run, json=True)
        return sweep_json(self.run)

    def to_iamc(self, path: PathLike | None = None, *, force: bool = False) -> pd.DataFrame:
        """Every solved point as one IAMC scenario ('<scenario> | <key>=<value>, …'); also written to
        ``path`` (.csv or .xlsx) when given."""
        self._results("to_iamc")
        return self._iamc(SweepFiles.of(self.run, iamc=True).series, path, force)

    def __repr__(self) -> str:
        keys = ", ".join(v.key for v in self.run.varies)
        return (f"<Sweep {self.run.scenario_name!r} over {keys}: {len(self.run.points)} points, "
                f"{len(self.run.failed)} failed, {self.run.rebuilds} rebuilds, {self.run.seconds:.2f} s>")

    def _repr_html_(self) -> str:
        return f"<div><b>{html.escape(repr(self))}</b>{self.points.to_html(max_rows=20)}</div>"


# ---------------------------------------------------------------- a comparison

class Comparison(_Result):
    """What changed from plan A to plan B (:func:`compare`).

    ``same``: nothing moved beyond solver noise. DataFrames: ``differences`` (section, item, unit, a, b,
    change, note) and ``measures`` (every measure side by side). :meth:`to_excel` writes the comparison
    workbook of ``policymix compare -o``.
    """

    _workbook_of, _plain_name = "report.comparison:write_comparison", "comparison"
    same = _of("same", "Nothing moved beyond solver noise.")
    differences = _frame("differences", "Everything that changed from plan A to plan B, one row each.")
    measures = _frame("compared_measures", "Every measure side by side (plan A and plan B).")

    def __repr__(self) -> str:
        n = len(self.comparison.differences)
        return "<Comparison: the plans are the same>" if not n else f"<Comparison: {n} differences>"

    def _repr_html_(self) -> str:
        return f"<div><b>{html.escape(repr(self))}</b>{self.differences.to_html(max_rows=40)}</div>"



# ---------------------------------------------------------------- futures

class Futures(_Result):
    """A futures run (:func:`futures`): wait and see, a stress test of a plan, decide now and adapt later, or the
    cheapest plan that is p sure of every target (``confidence=``).

    Scalars: ``p_target_met`` (the share of futures meeting every target), ``p_target_met_ci`` (its 95 % Wilson
    interval), ``mode``, ``samples``, ``seed``, ``robust_core`` (measures funded in ≥ 90 % of the futures), and the
    run's figures of the result-field registry (view ``futures_run``): ``expected_public_cost_meur``,
    ``expected_shortfall_mt`` ({target year: Mt/yr}). A confidence run adds its answer (view ``confidence``):
    ``confidence`` (the level answered: the highest level asked that is attainable, else the lowest), ``attainable``,
    ``max_attainable``, ``p_target_met_validation`` and ``p_target_met_validation_ci`` (out of sample),
    ``validation_samples``, ``mip_gap``, and ``highest_attainable`` (of the levels asked).

    DataFrames (made on first use from the JSON of ``--json``, so they hold what it holds): ``futures``, one row per
    future (index ``number``), its columns named as the keys of the futures JSON, nested keys joined by '.' as
    ``pandas.json_normalize`` joins them: the draws (``draw.<uncertainty name>``), ``status``,
    ``public_cost_meur``, ``abatement_mt.<target year>``, ``shortfall_mt.<target year>``,
    ``target_met`` (and ``message`` when a future has one); ``funded_share`` (a Series: in what share of the futures
    each measure is funded); ``drivers`` (what moves the shortfall, one row per dimension of the draws);
    ``sure_abatement`` (index level, year: the abatement reached in at least that share of the futures);
    ``cash_bands`` (index instrument_id, year: the 10th, 50th and 90th percentile of cash paid); a confidence or
    decide-by run: ``here_and_now`` (index measure_id, year: the share committed now); a confidence run:
    ``curve`` (one row per level asked, index ``confidence``), ``reasons_limits`` and ``reasons_inputs`` (why the
    level answered is not attainable; empty where it is).

    Outputs: :meth:`to_excel` (the futures workbook), :meth:`to_json`, :meth:`to_dict` (the JSON of ``--json``,
    docs/model.md sections 14 and 17). The plain run is ``run`` (:class:`optimiser.analysis.futures.FuturesRun`).
    """

    _json_of, _workbook_of = "report.jsondoc:futures_json", "report.futures:write_futures"
    _lines_of, _plain_name = "report.terminal:futures_lines", "run"
    p_target_met = _of("p_target_met", "The share of the futures in which every target is met.")
    mode = _of("mode", "wait_and_see, stress_test, decide_by or confidence.")
    samples = _of("samples")
    seed = _of("seed")
    failed = _of("failed", "The futures that could not be solved.")

    def __getattr__(self, name: str):
        """A figure of the run or of its confidence answer, as the result-field registry declares it."""
        if name.startswith("_") or name in ("run", "lang", "outcome"):
            raise AttributeError(name)
        if any(name in vars(cls) for cls in type(self).__mro__):  # a property that refused: its own error
            return object.__getattribute__(self, name)
        found = next((f for f in FIELDS if f.name == name and f.table in (PLAN, TARGETS)
                      and (FUTURES_RUN in f.views or CONFIDENCE in f.views)), None)
        if found is None:
            raise AttributeError(f"'Futures' has no attribute {name!r}")
        c = self.run.confidence
        if c is not None and CONFIDENCE in found.views:
            return c.answer.record.get(found)
        if FUTURES_RUN in found.views:
            return self.run.record.get(found)
        with language(self.lang):
            raise AttributeError(_("{name}: only a confidence run (confidence=…) has it", name=name))

    @property
    def p_target_met_ci(self) -> tuple[float, float]:
        """The 95 % Wilson interval of ``p_target_met``."""
        return tuple(self.run.p_target_met_ci)

    @property
    def robust_core(self) -> list[str]:
        """The measures funded in at least 90 % of the futures."""
        return self.run.robust_core()

    @property
    def highest_attainable(self) -> float | None:
        """A confidence run: the highest level asked that is attainable (None when none is)."""
        return self._confidence("highest_attainable").highest_attainable

    def _confidence(self, name: str):
        if self.run.confidence is None:
            with language(self.lang):
                raise AttributeError(_("{name}: only a confidence run (confidence=…) has it", name=name))
        return self.run.confidence

    @cached_property
    def futures(self) -> pd.DataFrame:
        import pandas as pd

        rows = self.to_dict()["futures"]
        frame = pd.json_normalize(rows, sep=".")
        order = {key: k for k, key in enumerate(rows[0])} if rows else {}  # the JSON's order of keys
        frame = frame[sorted(frame.columns, key=lambda c: order.get(c.split(".")[0], len(order)))]
        return frame.set_index("number")

    @cached_property
    def funded_share(self) -> pd.Series:
        import pandas as pd

        share = pd.Series(self.run.funded_share, name="funded_share", dtype=float)
        share.index.name = "measure_id"
        return share

    @cached_property
    def drivers(self) -> pd.DataFrame:
        import pandas as pd

        columns = ["dimension", "rows", "spearman_shortfall", "spearman_public_cost", "s1_shortfall"]
        return pd.DataFrame(self.to_dict()["drivers"], columns=columns).set_index("dimension")

    @cached_property
    def sure_abatement(self) -> pd.DataFrame:
        """The abatement reached in at least 50, 80 and 95 % of the futures (index level, year; Mt CO2-eq/yr)."""
        rows = [{"level": float(p), "year": int(y), "sure_abatement_mt": v}
                for p, ys in self.to_dict()["sure_abatement_mt"].items() for y, v in ys.items()]
        return _indexed(rows, ["level", "year"], ["sure_abatement_mt"], {"sure_abatement_mt": "Mt CO2-eq/yr"})

    @cached_property
    def cash_bands(self) -> pd.DataFrame:
        """Cash paid per instrument and year over the futures: 10th, 50th and 90th percentile (M€)."""
        names = ["cash_p10_meur", "cash_p50_meur", "cash_p90_meur"]
        rows = [{"instrument_id": i, "year": int(y), **dict(zip(names, band))}
                for i, ys in self.to_dict()["cash_bands_meur"].items() for y, band in ys.items()]
        return _indexed(rows, ["instrument_id", "year"], names, dict.fromkeys(names, "M€"))

    @cached_property
    def here_and_now(self) -> pd.DataFrame:
        """A confidence or decide-by run: the share of each measure committed now, per year (index measure_id, year)."""
        doc = self.to_dict()
        if "here_and_now" not in doc:
            with language(self.lang):
                raise AttributeError(_("here_and_now: only a confidence or decide-by run has commitments made now"))
        rows = [{"measure_id": m, "year": int(y), "share": v} for m, ys in doc["here_and_now"].items()
                for y, v in ys.items()]
        return _indexed(rows, ["measure_id", "year"], ["share"], {"share": "share of full deployment (0–1)"})

    @cached_property
    def curve(self) -> pd.DataFrame:
        """A confidence run: one row per level asked (index ``confidence``), the columns of the JSON's ``curve``."""
        import pandas as pd

        from .model.fields import CURVE
        from .report.jsondoc import record_json

        c = self._confidence("curve")
        with language(self.lang):
            rows = self.to_dict().get("curve") or [record_json(p.record, CURVE) for p in c.plans]
        return pd.DataFrame(rows).set_index("confidence")

    @cached_property
    def reasons_limits(self) -> pd.DataFrame:
        """A confidence run whose level is not attainable: the limits holding the target back in the futures its plan
        misses (index family, id, year), with the number of those futures."""
        self._confidence("reasons_limits")
        reasons = self.to_dict().get("reasons") or {}
        return _indexed(reasons.get("limits", []), ["family", "id", "year"], ["futures", "words"], {})

    @cached_property
    def reasons_inputs(self) -> pd.DataFrame:
        """A confidence run whose level is not attainable: the uncertain inputs that set the missed futures apart."""
        self._confidence("reasons_inputs")
        reasons = self.to_dict().get("reasons") or {}
        return _indexed(reasons.get("inputs", []), ["name"], ["rows", "effect", "mean_missed", "mean_met"], {})

    def __repr__(self) -> str:
        lo, hi = self.p_target_met_ci
        head = (f"<Futures {self.run.scenario_name!r} {self.mode}: {len(self.run.results)} futures, P(target met) "
                f"{100 * self.p_target_met:.1f} % (95 % interval {100 * lo:.1f}–{100 * hi:.1f} %), "
                f"{len(self.failed)} failed")
        c = self.run.confidence
        if c is not None:
            a = c.answer
            head += (f"; confidence {100 * a.confidence:g} % {'attainable' if a.attainable else 'NOT attainable'} "
                     f"(at most {100 * c.max_attainable:.1f} %), expected public cost "
                     f"{a.expected_public_cost_meur:,.0f} M€")
        return head + ">"

    def _repr_html_(self) -> str:
        return f"<div><b>{html.escape(repr(self))}</b>{self.futures.to_html(max_rows=20)}</div>"


def _indexed(rows: list[dict], index: list[str], columns: list[str], units: dict[str, str]) -> pd.DataFrame:
    """A frame of JSON rows: ``index`` as its index, ``columns`` as its columns (empty with those columns when there
    are no rows), ``attrs["units"]``."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=index + columns).set_index(index)
    frame.attrs["units"] = dict(units)
    return frame


# ---------------------------------------------------------------- the delay register

class Delays(_Result):
    """The delay register (:func:`delays`, ``policymix delays``): what a delay of each stock resource whose capacity
    rises within the horizon and each lumpy measure costs.

    Scalars: ``years`` (the delays costed), ``plan_abatement_mt`` (the plan's target-year abatement without delay,
    its commitments fixed), ``plan_cost_meur`` and ``plan_shortfall_mt`` (the plan of the undelayed input, what a
    re-plan is set against). DataFrame ``delays``: one row per item and years of delay (index item, years), the
    columns of the JSON's ``delays`` (``abatement_lost_mt``, ``extra_public_cost_meur``, ``shortfall_mt``).
    Outputs: :meth:`to_excel` (the delays workbook), :meth:`to_json`, :meth:`to_dict`.
    """

    _json_of, _workbook_of = "report.jsondoc:delays_json", "report.delays:write_delays"
    _lines_of, _plain_name = "report.terminal:delays_lines", "register"
    years = _of("years", "The years of delay costed.")
    plan_abatement_mt = _of("plan_abatement_mt", "The plan's target-year abatement without delay (Mt CO2-eq/yr).")
    plan_cost_meur = _of("plan_cost_meur", "The least public cost of the undelayed input (M€).")
    plan_shortfall_mt = _of("plan_shortfall_mt", "The shortfall of the undelayed input's plan (Mt CO2-eq/yr).")

    @cached_property
    def delays(self) -> pd.DataFrame:
        """One row per item and years of delay (index item, years)."""
        rows = self.to_dict()["delays"]
        columns = [k for k in (rows[0] if rows else {}) if k not in ("item", "years")]
        from .model.fields import DELAYS, run_fields

        units = {f.key: f.unit for f in run_fields(DELAYS) if f.key}
        return _indexed(rows, ["item", "years"], columns, units)

    def __repr__(self) -> str:
        return (f"<Delays {self.register.scenario_name!r}: {len(self.register.delays)} items × years of delay "
                f"({', '.join(str(k) for k in self.years)})>")

    def _repr_html_(self) -> str:
        return f"<div><b>{html.escape(repr(self))}</b>{self.delays.to_html(max_rows=40)}</div>"


# ---------------------------------------------------------------- the rules beside the optimum

class RulesGap(_Result):
    """The optimum and the instruments' own rules side by side (:func:`rules_gap`, ``policymix rules-gap``).

    ``optimum`` and ``rules``: the two plans (:class:`Plan`); ``extra_public_cost_meur``: what the rules cost
    beyond the optimum for their abatement; ``extra_abatement_mt``: what the optimum reaches beyond the rules
    with their money. DataFrame ``sides``: one row per side (rules, optimum, optimum at the rules' abatement,
    optimum at the rules' spending), its columns the keys of the JSON's ``rules_vs_optimum`` sides.
    """

    _json_of, _workbook_of = "pipeline:rules_gap_document", "report.rules:write_rules_gap"
    _lines_of, _plain_name = "report.terminal:summary_lines", "gap"
    extra_public_cost_meur = _of("extra_public_cost_meur", "What the rules cost beyond the optimum for their abatement.")
    extra_abatement_mt = _of("extra_abatement_mt", "What the optimum abates beyond the rules with their money.")
    @cached_property
    def optimum(self) -> Plan:
        return Plan(self.gap.optimum, lang=self.lang, outcome=self.outcome)

    @cached_property
    def rules(self) -> Plan:
        return Plan(self.gap.rules, lang=self.lang, kind="rules", outcome=self.outcome)

    @cached_property
    def sides(self) -> pd.DataFrame:
        import pandas as pd

        section = self.to_dict()["rules_vs_optimum"]
        names = ["rules", "optimum", "optimum_at_rules_abatement", "optimum_at_rules_spending"]
        frame = pd.json_normalize([section[n] for n in names], sep=".")
        frame.index = pd.Index(names, name="side")
        return frame

    def __repr__(self) -> str:
        return (f"<RulesGap: the rules cost {self.extra_public_cost_meur:,.1f} M€ more for their abatement; "
                f"the optimum abates {self.extra_abatement_mt:,.3f} Mt CO2-eq/yr more with their money>")


# ---------------------------------------------------------------- a workbook checked

class Check(_Result):
    """A workbook read and validated, its scenario and overrides applied (:func:`check`): ``input`` (the
    effective :class:`optimiser.input.data.PlanInput`), ``notes``, ``overrides``, and ``tables``: one DataFrame per
    sheet of the effective input, as it would be written back."""

    def __init__(self, outcome: Outcome, *, lang: str | None = None):
        super().__init__(lang=lang, outcome=outcome)
        self.input = outcome.input
        self.notes = list(outcome.notes)
        self.overrides = list(outcome.overrides)

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        from .input.tables import to_tables

        return {sheet: pd.DataFrame([{k: v for k, v in row.items() if k != "_row"} for row in rows])
                for sheet, rows in to_tables(self.input).items()}

    def __repr__(self) -> str:
        inp = self.input
        return (f"<Check {inp.settings.scenario_name!r}: {len(inp.measures)} measures, {len(inp.instruments)} "
                f"instruments, {len(inp.resources)} resources, years {inp.years[0]}–{inp.years[-1]}>")


# ---------------------------------------------------------------- the next budget round

class Replan(_Result):
    """The input of the next budget round, made from a plan (:func:`replan`; docs/model.md section 18).

    ``input``: the next round's :class:`optimiser.input.data.PlanInput` (start_year = ``from_year``; the plan's
    commitments of ``plan_start`` … ``from_year`` − 1 in its ``committed``); ``moved``: those rows; ``replaced``:
    the forced decisions of those years they replace; ``reductions``: the period budgets reduced (instrument,
    before, used, after, M€); ``dropped``: what left the horizon, in words; ``penalty``: the shortfall penalty
    written into the settings (None: left as it was); ``plan``: how the notes name the plan. :meth:`to_excel`
    writes the input workbook (the one ``-o`` writes); ``summary()`` says what changed, as the terminal does.
    """

    _plain_name = "replanned"

    def __getattr__(self, name: str):
        if name.startswith("_") or name in ("replanned", "lang", "outcome"):
            raise AttributeError(name)
        return getattr(self.replanned, name)

    def to_excel(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the next round's input workbook; refuses the plan it was made from, the shipped workbooks, another
        file type, an existing file without ``force=True``."""
        from .report.inputs import write_input

        out = self._target(path, force, commands.OUTPUT.suffixes)
        with language(self.lang):
            return write_input(self.replanned.input, out, force=force)

    def summary(self) -> list[str]:
        with language(self.lang):
            return self.replanned.summary()

    def __repr__(self) -> str:
        r = self.replanned
        return (f"<Replan of {r.plan} from {r.from_year}: {len(r.moved)} rows of {r.plan_start}–{r.from_year - 1} "
                f"decided, {len(r.reductions)} period budgets reduced>" if r.moved or r.from_year > r.plan_start
                else f"<Replan of {r.plan} from {r.from_year}: the plan's own input>")


# ---------------------------------------------------------------- the functions: one per command of the record

def _command(name: str):
    """Give an API function the signature and the option list of its command in the record."""
    def decorate(function):
        function.__signature__ = commands.signature(name)
        function.__doc__ = commands.docstring(name, function.__doc__ or "")
        return function

    return decorate


@_command("plan")
def plan(workbook: PathLike | None = None, **options) -> Plan:
    """Plan a workbook (default: the shipped Dutch default) and return the :class:`Plan`.

    ``scenario``: a named scenario of the workbook's scenarios sheet. ``set``, ``scale``, ``add``, ``shift``:
    overrides as ``{"SHEET:ID:COLUMN": value}`` (e.g. ``set={"prices:co2_price_eur_per_t:*": 130}``,
    ``scale={"budgets:SDE++:*": 1.2}``). Other keywords are settings of the workbook (``target_reduction_mt=25``).
    ``alternatives``/``slack``: near-optimal plans within ``slack`` of the optimum. ``save_lp``: also write the
    model handed to HiGHS (.mps or .lp; an existing file only with ``force=True``). ``lang``: the language of
    labels, limits in words, the summary and the workbook ("en" or "nl"; None: the workbook's ``language``
    setting, else English).

    Nothing else is written. Raises :class:`InputError` (bad input: ``.problems`` names sheet, row and column),
    :class:`TargetInfeasible` (``strict=True`` and no plan meets the target) or :class:`SolverFailure`.
    """
    outcome = _run("plan", dict(options, workbook=workbook))
    return Plan(outcome.result, lang=outcome.lang, outcome=outcome)


@_command("sweep")
def sweep(workbook: PathLike | None = None, **options) -> Sweep:
    """Solve the workbook at every point of a grid and return the :class:`Sweep`.

    ``vary``: values to set, ``{"SHEET:ID:COLUMN": values}`` — a list, a ``range``, or the command line's
    ``"START:STOP:STEP"`` (stop included) — e.g. ``vary={"settings:target_reduction_mt": range(10, 31, 2)}``;
    ``vary_scale``: factors to multiply the base values by, e.g. ``vary_scale={"budgets:SDE++:*": [0.5, 1, 2]}``.
    Several make a grid, the first changing fastest (``vary`` before ``vary_scale``). The base input takes the
    overrides and settings as :func:`plan` does. ``keep_plans``: keep every point's full plan (``Sweep.plans``,
    needed by ``to_json`` and ``to_iamc``); ``on_point(done, total, point)`` is called after each point.
    """
    outcome = _run("sweep", dict(options, workbook=workbook))
    return Sweep(outcome.result, lang=outcome.lang, outcome=outcome)


@_command("simulate")
def simulate(workbook: PathLike | None = None, **options) -> Plan:
    """Allocate the budgets by the instruments' own rules (``policymix simulate``; docs/rules.md) and return the
    result as a :class:`Plan` (``kind="rules"``, with ``rule_outcomes``)."""
    outcome = _run("simulate", dict(options, workbook=workbook))
    return Plan(outcome.result, lang=outcome.lang, kind="rules", outcome=outcome)


@_command("rules-gap")
def rules_gap(workbook: PathLike | None = None, **options) -> RulesGap:
    """Plan the workbook, simulate its instruments' own rules and set them side by side (``policymix rules-gap``)."""
    outcome = _run("rules-gap", dict(options, workbook=workbook))
    return RulesGap(outcome.gap, lang=outcome.lang, outcome=outcome)


@_command("compare")
def compare(a: Plan | PathLike, b: Plan | PathLike, **options) -> Comparison:
    """What changed from plan ``a`` to plan ``b``: each a :class:`Plan` or a plan workbook's path (as
    ``policymix compare`` reads it)."""
    sides = {k: v.result if isinstance(v, Plan) else v for k, v in (("a", a), ("b", b))}
    outcome = _run("compare", dict(options, **sides))
    return Comparison(outcome.result, lang=outcome.lang, outcome=outcome)


@_command("replan")
def replan(plan: Plan | PathLike, **options) -> Replan:
    """The input of the next budget round (``policymix replan``): ``plan`` — a :class:`Plan` or a plan workbook's
    path — with its commitments before ``from_year`` taken as decisions already taken, period budgets reduced by
    what they used, start_year = ``from_year``. Returns the :class:`Replan`; nothing is written until
    ``to_excel``. Unedited, it plans the same commitments from ``from_year`` on as the plan."""
    outcome = _run("replan", dict(options, plan=plan.result if isinstance(plan, Plan) else plan))
    return Replan(outcome.result, lang=outcome.lang, outcome=outcome)


@_command("futures")
def futures(workbook: PathLike | None = None, **options) -> Futures:
    """Draw futures from the workbook's uncertainty sheet and answer one of three questions (``policymix
    futures``; docs/futures.md): wait and see (default: each future planned on its own), a stress test of a plan
    (``plan=PLAN.xlsx``: its commitments fixed) or decide now, adapt later (``decide_by=YEAR``). Returns the
    :class:`Futures`: ``p_target_met``, its interval, and one row per future in ``futures``.

    ``samples`` futures by Latin hypercube from ``seed`` (the same seed gives the same futures, whatever the
    number of workers); ``jobs`` local worker processes (default: the cores, at most 8 and one per 20 futures)
    or ``scheduler``, the address of a Dask cluster (``tls://HOST:PORT`` with ``tls_ca_file``, ``tls_cert`` and
    ``tls_key``; README: a cluster only the team can use); ``on_progress(done, total)`` is called as futures are
    solved.

    ``confidence``: a share (0.8), a list of shares or the text ``"0.5:0.9:0.1"`` — the plan of least expected
    public cost meeting every target in at least that share of the futures (with ``decide_by``, later commitments
    adapt), the most attainable where no plan reaches it, and for several levels the ``curve``; each plan judged
    on ``validate`` fresh futures (default 1 000; 0: none).
    """
    outcome = _run("futures", dict(options, workbook=workbook))
    return Futures(outcome.result, lang=outcome.lang, outcome=outcome)


@_command("delays")
def delays(workbook: PathLike | None = None, **options) -> Delays:
    """What each delay costs (``policymix delays``; docs/model.md section 17): for every stock resource whose
    capacity rises within the horizon and every lumpy measure, ``years`` of delay (default 1): the abatement the
    plan loses in the target year with its commitments fixed (``plan=PLAN.xlsx``, else the plan of the workbook),
    and, re-planned, the extra public cost and the shortfall left. Returns the :class:`Delays`."""
    outcome = _run("delays", dict(options, workbook=workbook))
    return Delays(outcome.result, lang=outcome.lang, outcome=outcome)


@_command("check")
def check(workbook: PathLike, **options) -> Check:
    """Read and validate a workbook, its scenario and overrides applied, without solving (``policymix check``):
    bad input raises :class:`InputError` with every problem; a good one gives the :class:`Check`."""
    outcome = _run("check", dict(options, workbook=workbook))
    return Check(outcome, lang=outcome.lang)


@_command("template")
def template(output: PathLike, **options) -> Path:
    """Write a blank input workbook to fill in (``policymix template``) and return its path."""
    return _run("template", dict(options, output=output)).plan_path


def __getattr__(name: str):
    """A command of the record with no function above: made from the record, returning its run's result."""
    command = next((c for c in commands.COMMANDS.values() if c.python_name == name), None)
    if command is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    signature = commands.signature(command.name)

    def call(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        given = {k: v for k, v in bound.arguments.items() if k != commands.SETTINGS}
        given.update(bound.arguments.get(commands.SETTINGS, {}))
        return _run(command.name, given).result

    call.__name__ = call.__qualname__ = name
    call.__signature__ = signature
    call.__doc__ = commands.docstring(command.name, _(command.help))
    return call
