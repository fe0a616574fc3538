"""The result fields: every figure the planner reports, declared once (docs/model.md, "Result fields").

As the constraint-family registry (:mod:`optimiser.model.families`) is the one place a kind of limit is
described, this is the one place an output figure is. A :class:`Field` says

- its **name** — the one word in code, docs/model.md and the DataFrame column (``public_cost_meur``);
- its **table**, i.e. its dimensions (:data:`PLAN` one value per plan, :data:`TARGETS` per target year,
  :data:`MEASURES` per measure, :data:`MEASURE_YEARS` per measure and year, :data:`INSTRUMENTS` per
  instrument, :data:`INSTRUMENT_YEARS`, :data:`CASH` per instrument and payment year, :data:`RESOURCES` per
  resource and year, …), and how to read its value from a plan (``value(result, *row key)``);
- its **unit** (in words, for the DataFrames' ``attrs["units"]``), its **label** (a gettext message: the
  header of its column, the unit in brackets), its **number format** (:class:`Number`: Excel's and
  Python's), its **JSON key** and its **IAMC variable** where one applies;
- which outputs show it (``views``; all by default) and, for the sheets and the terminal, when
  (``when``: e.g. the objective only when minimising cost). Machine-readable outputs (the JSON, the
  DataFrames) always carry every key they declare, whatever ``when`` says.

Every writer iterates over :data:`FIELDS`: the plan workbook (Summary targets, Measure plan, Instrument use,
Resource use, About), the sweep, futures, rules and comparison workbooks, the JSON
(:mod:`optimiser.report.jsondoc`), the terminal's sweep table, the API's DataFrames
(:mod:`optimiser.report.frames`) and the IAMC file (:mod:`optimiser.report.iamc`); none lists fields by hand.
A new result field is one :class:`Field` here (and its computation, where it is a new quantity, in
:mod:`optimiser.model.results`); :func:`register` adds one at run time (tests and extensions), as
:func:`optimiser.model.families.register` does for a family.

**The headline record.** Fields declared ``headline=True`` (of the plan and of the tables one axis below it:
per target year, per instrument) make the :class:`Headline` of a plan, of a sweep point and of a future:
the one record of their headline figures (a sweep point and a future keep it instead of copies of their
own). A field whose ``value`` is None is not read from a plan but filled by the analysis that makes the
record (a sweep's slope between points): so a record also holds what is worked out across plans, and
what is coming (expected public cost, p-sure abatement, cash bands of futures) is a declaration here.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..input.data import PlanInput
from ..lang import N_, _
from .committed import decisions
from .families import TARGET, family, reported
from .index import shortfall_penalty
from .results import DECIDED, TOL, PlanResult, span


# ---------------------------------------------------------------- number formats

@dataclass(frozen=True)
class Number:
    """How a number is shown: ``excel`` in a cell (any writer engine takes the code), ``spec`` in text (the
    terminal, column widths; None: three significant digits)."""

    excel: str
    spec: str | None

    def text(self, value) -> str:
        from ..lang import num, sig

        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "—"
        return sig(value) if self.spec is None else num(value, self.spec)


MEUR = Number("#,##0.0", ",.1f")  # money (M€)
SHARE = Number("0.0%", ".1%")  # a share 0–1 shown as a percentage
EUR_T = Number("#,##0", ",.0f")  # unit costs (€/t)
MT = Number("0.000", ".3f")  # abatement (Mt CO2-eq/yr)
SHADOW = Number("[>=100]#,##0;[>=1]#,##0.00;0.000###", None)  # shadow prices: about three significant digits
AMOUNT = Number("#,##0.0##", ",.3f")  # amounts in a unit of their own (MW, FTE, …)
COUNT = Number("0", ".0f")  # counts, years
SECONDS = Number("0.000", ".3f")
CHANGE = Number("#,##0.000", ",.3f")  # a difference of any unit
RATIO = Number("0.0000", ".4f")
NUMBERS = (MEUR, SHARE, EUR_T, MT, SHADOW, AMOUNT, COUNT, SECONDS, CHANGE, RATIO)


# ---------------------------------------------------------------- dimensions

@dataclass(frozen=True)
class Axis:
    """One dimension of a result: its key column (``index``, as the DataFrames name it; ``label``, its header),
    the placeholder its key fills in a field's label (``{year}``, ``{instrument}``, …) and its keys in a plan."""

    name: str
    index: str
    label: str
    placeholder: str
    keys: Callable[[PlanInput, PlanResult | None], list]


def _cash_years(inp: PlanInput, result: PlanResult | None) -> list[int]:
    return list(result.cash.years) if result is not None and result.cash is not None else []


MEASURE = Axis("measure", "measure_id", N_("measure id"), "measure", lambda inp, r: list(inp.measures))
INSTRUMENT = Axis("instrument", "instrument_id", N_("instrument"), "instrument", lambda inp, r: list(inp.instruments))
RESOURCE = Axis("resource", "resource_id", N_("resource"), "resource", lambda inp, r: list(inp.resources))
YEAR = Axis("year", "year", N_("year"), "year", lambda inp, r: list(inp.years))
TARGET_YEAR = Axis("target year", "year", N_("target year"), "year", lambda inp, r: sorted(inp.targets))
CASH_YEAR = Axis("cash year", "year", N_("year"), "year", _cash_years)
#: The shares of futures the p-sure abatement is reported for (docs/model.md section 17).
SURE_LEVELS = (0.5, 0.8, 0.95)
SURE_LEVEL = Axis("sure level", "level", N_("share of futures"), "level", lambda inp, r: list(SURE_LEVELS))
ITEM = Axis("item", "item", N_("item (resource or measure id)"), "item", lambda inp, r: [])
DELAY_YEARS = Axis("delay", "years", N_("years of delay"), "years", lambda inp, r: [])


@dataclass(frozen=True)
class Table:
    """The dimensions of a set of fields: one row per key (``rows``: the keys a plan has; a sparse table lists
    only what is there). ``name`` is the DataFrame the API makes of it (``Plan.<name>``)."""

    name: str
    axes: tuple[Axis, ...]
    rows: Callable[[PlanResult], Iterable[tuple]]

    @property
    def parent(self) -> Table | None:
        """The table one axis less (a field of this table spreads over its last axis in the parent's rows)."""
        return next((t for t in TABLES if t.axes == self.axes[:-1]), None) if self.axes else None

    def keys(self, inp: PlanInput, result: PlanResult | None = None) -> list:
        """Every key of its last axis in a plan (the columns a wide table spreads a field over)."""
        return self.axes[-1].keys(inp, result) if self.axes else []

    def within(self, ancestor: Table) -> bool:
        return self.axes[:len(ancestor.axes)] == ancestor.axes and self is not ancestor


def _measures(r: PlanResult):
    return ((m,) for m in r.measures)


def _subsidies(r: PlanResult):
    for m, mr in r.measures.items():
        for i, y in sorted(mr.subsidy_by_year, key=lambda k: (k[1], k[0])):
            yield m, i, y


def _cash_rows(r: PlanResult):
    proj = r.cash
    return [] if proj is None else ((i, t) for i in proj.commitments for t in proj.years)


PLAN = Table("plan", (), lambda r: [()])
TARGETS = Table("targets", (TARGET_YEAR,), lambda r: ((y,) for y in r.target_mt))
YEARS = Table("years", (YEAR,), lambda r: ((y,) for y in r.input.years))
MEASURES = Table("measures", (MEASURE,), _measures)
MEASURE_YEARS = Table("measure_years", (MEASURE, YEAR),
                      lambda r: ((m, y) for m in r.measures for y in r.input.years))
MEASURE_INSTRUMENTS = Table("measure_instruments", (MEASURE, INSTRUMENT),
                            lambda r: ((m, i) for m, mr in r.measures.items() for i in mr.subsidy_meur))
SUBSIDIES = Table("subsidies", (MEASURE, INSTRUMENT, YEAR), _subsidies)
INSTRUMENTS = Table("instruments", (INSTRUMENT,), lambda r: ((i,) for i in r.input.instruments))
INSTRUMENT_YEARS = Table("instrument_years", (INSTRUMENT, YEAR),
                         lambda r: ((i, y) for i in r.input.instruments for y in r.input.years))
CASH = Table("cash", (INSTRUMENT, CASH_YEAR), _cash_rows)
RESOURCES = Table("resources", (RESOURCE, YEAR),
                  lambda r: ((k, y) for k in r.input.resources for y in r.input.years))
#: A futures run's p-sure abatement: per share of futures and target year (read from the run, never a plan).
SURE = Table("sure_abatement", (SURE_LEVEL, TARGET_YEAR), lambda r: ())
#: The delay register: one row per item and years of delay (read from the register, never a plan).
DELAYS_TABLE = Table("delays", (ITEM, DELAY_YEARS), lambda r: ())
TABLES = (PLAN, TARGETS, YEARS, MEASURES, MEASURE_YEARS, MEASURE_INSTRUMENTS, SUBSIDIES, INSTRUMENTS,
          INSTRUMENT_YEARS, CASH, RESOURCES, SURE, DELAYS_TABLE)


# ---------------------------------------------------------------- where a field is shown

JSON = "json"  # the plan JSON (--json; a sweep point's; docs/model.md section 11)
STORED = "stored"  # the document a plan workbook stores for compare and --plan
SHEET = "plan"  # the plan workbook
SWEEP = "sweep"  # the sweep workbook (one row per point)
FUTURES = "futures"  # the futures workbook and the futures JSON (one row per future)
RULES = "rules"  # the rules workbooks (side by side) and the rules-vs-optimum JSON
COMPARE = "compare"  # the comparison workbook and DataFrame (plan A and plan B side by side)
FRAME = "frame"  # the API's DataFrames
TERMINAL = "terminal"  # the terminal's sweep table
VIEWS = frozenset({JSON, STORED, SHEET, SWEEP, FUTURES, RULES, COMPARE, FRAME, TERMINAL})
# The figures of a run rather than of a plan (docs/model.md section 17), read from the run's :class:`Record` (a
# field of these views has no ``value``: the analysis computes it). Not in the default views of a field.
FUTURES_RUN = "futures_run"  # a futures run's own figures: its JSON's keys, its workbook's Summary, Futures.<name>
CONFIDENCE = "confidence"  # the answer at a confidence level: the JSON's keys, the Summary, the terminal
CURVE = "curve"  # one row per confidence level: the JSON's curve, Futures.curve, the curve table
LEVEL = "level"  # a confidence level's figures beyond the curve's: the curve table of the workbook only
DELAYS = "delays"  # one row per item and years of delay: the JSON's delays, Delays.delays, the workbook, terminal
RUN_VIEWS = frozenset({FUTURES_RUN, CONFIDENCE, CURVE, LEVEL, DELAYS})


@dataclass(frozen=True)
class Iamc:
    """A field's IAMC variable (docs/iamc.md): its name and unit (None: each resource's own unit); ``each``: one
    variable per instrument or resource (``<variable>|<id>``); ``total``: and their sum under ``variable``.
    A field per measure is summed over the measures of each region (the Netherlands and each cluster)."""

    variable: str
    unit: str | None
    each: bool = False
    total: bool = True


def _yes_no(value) -> str:
    return _("yes") if value else _("no")


@dataclass(frozen=True)
class Field:
    """One result field (see the module docstring).

    ``value(result, *key)`` reads it from a plan (``key``: the row's key in its table; None: filled by the
    analysis that makes a headline record); ``known(inp, *key)`` what the input alone says where there is no
    plan (a failed sweep point still shows its required reduction); ``derived(values)`` its value in a headline
    record from the record's other values (where no plan was read). ``words`` says how a value reads in a
    sheet: a mapping of codes to messages (status), or a function of (result, value) (limits in words);
    ``to_json`` how it is written in JSON when not as it is; ``empty`` its JSON value where there is no plan.

    For the sheets: ``blank_zero`` (a compact Measure plan leaves 0 blank; ``{zero}`` in the label says so),
    ``page`` (a printed page may start at its column), ``wrap``/``span`` (as :class:`optimiser.report.xlsx.Col`),
    ``shaded`` (funded/partly funded cells coloured), ``optional`` (a column left out when no row has a value:
    "blank"; or none other than 0: "zero"; or none other than field F's: "unlike:F"), ``spread`` (a field per
    year spread into its parent's row covers "all" years or the "target" years), ``short`` (a shorter label where
    room is tight: the terminal).
    """

    name: str
    table: Table
    label: str
    unit: str = ""
    value: Callable | None = None
    fmt: Number | None = None
    json: str | None = ""
    views: frozenset = VIEWS
    iamc: Iamc | None = None
    headline: bool = False
    known: Callable | None = None
    derived: Callable[[Mapping], object] | None = None
    when: Callable[[PlanInput], bool] | None = None
    words: Mapping[str, str] | Callable | None = None
    to_json: Callable | None = None
    empty: Callable | None = None
    blank_zero: bool = False
    optional: str = ""
    page: bool = False
    spread: str = "all"
    shaded: bool = False
    short: str = ""
    wrap: bool | int = False
    span: int = 1

    @property
    def key(self) -> str:
        """Its JSON key (its name unless it declares another)."""
        return self.name if self.json == "" else (self.json or "")

    def shows(self, view: str, inp: PlanInput | None = None) -> bool:
        """Whether ``view`` shows it (for a sheet or the terminal, for this input)."""
        if view not in self.views:
            return False
        if inp is not None and self.when is not None and view not in (JSON, STORED, FRAME):
            return self.when(inp)
        return True

    def of(self, result: PlanResult, *key):
        return None if self.value is None else self.value(result, *key)

    def header(self, inp: PlanInput | None = None, key=None, *, long: bool = False, short: bool = False,
               **context) -> str:
        """Its label in the run's language: ``key`` fills the placeholder of its table's last axis (``long``: the
        table is one row per key, so the key is left out of the label; ``short``: its short label, if it has
        one); ``context`` fills the others."""
        msgid = self.short if short and self.short else self.label
        if long and self.table.axes:
            msgid = msgid.replace(" {" + self.table.axes[-1].placeholder + "}", "")
        values = dict(zero="")
        if inp is not None:
            values.update(target_year=inp.settings.target_year, start_year=inp.years[0] if inp.years else "")
        if key is not None and self.table.axes:
            values[self.table.axes[-1].placeholder] = key
        values.update(context)
        return string.Formatter().vformat(_(msgid), (), _Blank(values))

    def shown(self, value, result: PlanResult | None = None):
        """A value as a sheet or the terminal shows it: codes and structures in words, yes/no for a flag."""
        if self.words is not None:
            if callable(self.words):
                return self.words(result, value)
            return _(self.words[value]) if value in self.words else value
        if isinstance(value, bool):
            return _yes_no(value)
        return value

    def text(self, value, result: PlanResult | None = None) -> str:
        """A value as text (the terminal): numbers in its format and the run's language."""
        if self.fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.fmt.text(value)
        shown = self.shown(value, result)
        return "—" if shown is None else str(shown)


class _Blank(dict):
    """Placeholders a context does not fill are left out (a label used where it has no such key)."""

    def __missing__(self, key):
        return ""


# ---------------------------------------------------------------- the values (what the plan results hold)

#: A plan's status in words, everywhere it is shown (the results keep the code).
STATUS = {"target_met": N_("target met"), "target_not_met": N_("target not met"), "failed": N_("failed")}
#: A measure's status (funded / partly funded / not funded, or decided before start_year and nothing new): the code
#: is the English word.
FUNDED, PARTLY, NOT_FUNDED = N_("funded"), N_("partly funded"), N_("not funded")
MEASURE_STATUS = {FUNDED: FUNDED, PARTLY: PARTLY, NOT_FUNDED: NOT_FUNDED, DECIDED: N_("decided before start_year")}


def measure_status(result: PlanResult | None, code: str) -> str:
    """A measure's status in words: 'decided before 2027' names the plan's start year."""
    if code == DECIDED and result is not None:
        return _("decided before {year}", year=result.input.settings.start_year)
    return _(MEASURE_STATUS[code]) if code in MEASURE_STATUS else code
#: What a limit that is not a constraint family holds a measure back by ("blocked by").
OTHER_LIMITS = {"cost": N_("its cost"), "cap": N_("the caps of {id}"), "lead_time": N_("its lead time"),
                "earliest_year": N_("its earliest year"), "eligibility": N_("its eligibility")}


def limits_in_words(result: PlanResult, limits: list[dict]) -> str:
    """Limits in words, years of one limit folded: 'SDE++ budget in 2025–2027; Grid capacity, Zeeland in 2030'."""
    inp = result.input
    years: dict[tuple, list] = {}
    for lim in limits or ():
        years.setdefault((lim["kind"], lim["id"]), []).append(lim.get("year"))
    parts = []
    for (kind, lid), ys in years.items():
        ys = [y for y in ys if y is not None]
        try:
            f = family(kind)
        except KeyError:
            other = OTHER_LIMITS.get(kind)
            parts.append(_(other, id=lid) if other else f"{kind} {lid}")
            continue
        parts.append(f.in_words(inp, f.key_of(lid, None)) + (_(" in {years}", years=span(ys)) if ys else ""))
    return "; ".join(parts)


def _limits_json(limits: list[dict]) -> list[dict]:
    return [{"kind": lim["kind"], "id": lim["id"], "year": None if lim.get("year") is None else str(lim["year"])}
            for lim in limits]


def cost_per_t(result: PlanResult) -> float | None:
    """Public cost per tonne of annual abatement in the target year (M€ per Mt/yr = €/t)."""
    T = result.input.settings.target_year
    abatement = result.abatement_mt.get(T, 0.0)
    return result.public_cost_meur / abatement if abatement > TOL else None


def _peak(result: PlanResult) -> tuple[int | None, float | None]:
    if result.cash is None:
        return None, None
    peak = result.cash.peak()
    return peak if peak else (None, 0.0)


def _shadow_json(result: PlanResult) -> dict:
    """The shadow prices of every reported family, nested by the family's (id, year)."""
    out = {}
    for f in reported():
        if f.name not in result.shadow:
            continue
        nested: dict = {}
        for key, v in result.shadow[f.name].items():
            ident, year = f.split(key)
            if ident is None:
                nested[str(year)] = v
            elif year is None:
                nested[str(ident)] = v
            else:
                nested.setdefault(str(ident), {})[str(year)] = v
        out[f.name] = nested
    return out


def empty_shadow_prices() -> dict:
    return {f.name: {} for f in reported()}


def _target_shadow(r: PlanResult, y) -> float | None:
    if r.input.settings.objective == "max-abatement":
        return None  # no target rows: abatement is what is maximised
    return r.shadow.get(TARGET, {}).get(y, 0.0)


def _min_cost(inp: PlanInput) -> bool:
    return inp.settings.objective == "min-cost"


def _max_abatement(inp: PlanInput) -> bool:
    return inp.settings.objective == "max-abatement"


def _share(part: float, whole: float | None) -> float | None:
    return part / whole if whole else None


def _measure(r: PlanResult, m: str):
    return r.input.measures[m]


def _interval(result, value) -> str:
    """A 95 % interval (low, high) in words: '3.2 %–5.7 %' (empty where there is none)."""
    from ..lang import num

    if not value:
        return ""
    low, high = value
    return f"{num(100 * low, '.1f')} %–{num(100 * high, '.1f')} %"


def _stress_json(stress) -> dict:
    """A plan's quick stress test (:class:`optimiser.analysis.futures.QuickStress`) as the plan JSON holds it."""
    return {"samples": stress.samples, "seed": stress.seed, "futures_met": stress.met,
            "p_target_met": stress.p_target_met,
            "sure_abatement_mt": {str(p): {str(y): v for y, v in ys.items()}
                                  for p, ys in stress.sure_abatement_mt.items()}}


SHARE_OF_DEPLOYMENT = "share of full deployment (0–1)"
ABATEMENT = "Mt CO2-eq/yr"
IAMC_ABATEMENT = "Emissions|CO2|Industry|Abatement"
IAMC_MT, IAMC_MONEY = "Mt CO2-equiv/yr", "million EUR/yr"

_HEADLINE = frozenset({JSON, SWEEP, FUTURES, RULES, FRAME, TERMINAL})
_MEASURE_SHEET = frozenset({SHEET, FRAME})

#: Every result field, in the order the outputs list them (a wide row takes them in this order, the fields of
#: the tables below it spread in place).
FIELDS: list[Field] = [
    # ------------------------------------------------------------ per plan (the headline record's first part)
    Field("status", PLAN, N_("status"), value=lambda r: r.status, words=STATUS, headline=True,
          views=_HEADLINE, empty=lambda: "target_not_met"),
    Field("target_met", PLAN, N_("every target met"), value=lambda r: r.target_met, headline=True,
          derived=lambda values: values.get("status") == "target_met", views=frozenset({FUTURES, FRAME})),
    Field("public_cost_meur", PLAN, N_("public cost (M€)"), "M€", lambda r: r.public_cost_meur, MEUR, headline=True,
          views=_HEADLINE | {SHEET}),
    Field("objective_meur", PLAN, N_("objective (M€, shortfall penalty included)"), "M€",
          lambda r: r.objective_meur, MEUR, headline=True, when=_min_cost,
          views=frozenset({JSON, SHEET, SWEEP, FRAME})),
    Field("committed_idle_meur", PLAN, N_("of which committed but idle (M€)"), "M€",
          lambda r: getattr(r, "committed_idle_meur", 0.0), MEUR, headline=True, views=frozenset({RULES})),
    Field("realised_cost_meur", PLAN, N_("public cost of realised measures (M€)"), "M€",
          lambda r: getattr(r, "realised_cost_meur", r.public_cost_meur), MEUR, headline=True,
          views=frozenset({RULES})),
    Field("cost_per_t_eur", PLAN, N_("public cost per t of annual abatement {target_year} (€/t)"), "€/t",
          cost_per_t, EUR_T, headline=True, views=frozenset({RULES})),
    Field("measures_taken_up", PLAN, N_("measures taken up (count)"), "count",
          lambda r: sum(mr.taken_up for mr in r.measures.values()), COUNT, headline=True,
          views=frozenset({RULES})),
    # ------------------------------------------------------------ per target year
    Field("required_mt", TARGETS, N_("required reduction {year} (Mt CO2-eq/yr)"), ABATEMENT,
          lambda r, y: r.target_mt[y], MT, json="target_mt", headline=True,
          known=lambda inp, y: inp.targets.get(y), iamc=Iamc(f"{IAMC_ABATEMENT} Required", IAMC_MT),
          views=frozenset({STORED, SHEET, SWEEP, RULES, FRAME})),
    Field("abatement_mt", TARGETS, N_("abatement {year} (Mt CO2-eq/yr)"), ABATEMENT,
          lambda r, y: r.abatement_mt.get(y, 0.0), MT, headline=True, views=_HEADLINE | {SHEET},
          short=N_("abatement {year} (Mt/yr)")),
    Field("shortfall_mt", TARGETS, N_("shortfall {year} (Mt CO2-eq/yr)"), ABATEMENT,
          lambda r, y: r.shortfall_mt.get(y, 0.0), MT, headline=True,
          iamc=Iamc(f"{IAMC_ABATEMENT} Shortfall", IAMC_MT), short=N_("shortfall {year} (Mt/yr)"),
          views=frozenset({JSON, SHEET, SWEEP, FUTURES, FRAME, TERMINAL})),
    Field("met", TARGETS, N_("met"), "", lambda r, y: r.shortfall_mt.get(y, 0.0) <= TOL, json=None,
          views=frozenset({SHEET, FRAME})),
    Field("target_shadow_eur_per_t", TARGETS,
          N_("marginal value of the {year} target (M€ per Mt/yr, i.e. € per t of annual abatement)"),
          "€ per t of annual abatement", _target_shadow, EUR_T, json=None, headline=True, when=_min_cost, span=2,
          short=N_("target shadow price {year} (M€ per Mt/yr)"), views=frozenset({SHEET, SWEEP, FRAME, TERMINAL})),
    # ------------------------------------------------------------ per measure (the Measure plan, in its order)
    Field("name", MEASURES, N_("name"), "", lambda r, m: _measure(r, m).name, wrap=45,
          views=frozenset({SHEET, FRAME, STORED, COMPARE})),
    Field("sector", MEASURES, N_("sector"), "", lambda r, m: _measure(r, m).sector, wrap=16, views=_MEASURE_SHEET),
    Field("cluster", MEASURES, N_("cluster"), "", lambda r, m: _measure(r, m).cluster, wrap=20,
          views=_MEASURE_SHEET),
    Field("status", MEASURES, N_("status"), "", lambda r, m: r.measures[m].status, words=measure_status,
          shaded=True, views=frozenset({SHEET, FRAME, STORED, COMPARE})),
    Field("committed_share", MEASURES, N_("committed share by {target_year} (%)"), SHARE_OF_DEPLOYMENT,
          lambda r, m: r.measures[m].committed_share, SHARE, views=frozenset({JSON, SHEET, FRAME, COMPARE})),
    Field("max_share", MEASURES, N_("deployable share (%)"), SHARE_OF_DEPLOYMENT,
          lambda r, m: _measure(r, m).max_share, SHARE, views=frozenset({FRAME})),
    Field("commit_year", MEASURES, N_("commitment year"), "year", lambda r, m: r.measures[m].commit_year, COUNT,
          views=_MEASURE_SHEET),
    Field("new_share", MEASURE_YEARS, N_("newly committed share {year} (%)"), SHARE_OF_DEPLOYMENT,
          lambda r, m, y: r.measures[m].new.get(y, 0.0), SHARE, views=frozenset({FRAME})),
    Field("committed_share", MEASURE_YEARS, N_("committed share {year} (%{zero})"), SHARE_OF_DEPLOYMENT,
          lambda r, m, y: r.measures[m].committed.get(y, 0.0), SHARE, blank_zero=True, page=True,
          views=_MEASURE_SHEET),
    Field("past_share", MEASURES, N_("committed before {start_year} (%{zero})"), SHARE_OF_DEPLOYMENT,
          lambda r, m: r.measures[m].past_share, SHARE, blank_zero=True,
          when=lambda inp: bool(inp.past_decisions), views=frozenset({JSON, SHEET})),
    Field("operating_share", MEASURE_YEARS, N_("operating share {year} (%)"), SHARE_OF_DEPLOYMENT,
          lambda r, m, y: r.measures[m].operating_by_year.get(y, 0.0), SHARE, views=frozenset({FRAME})),
    Field("abatement_mt", MEASURE_YEARS, N_("abatement {year} (Mt CO2-eq/yr{zero})"), ABATEMENT,
          lambda r, m, y: _measure(r, m).abatement_mt * r.measures[m].operating_by_year.get(y, 0.0), MT,
          blank_zero=True, page=True, spread="target", iamc=Iamc(IAMC_ABATEMENT, IAMC_MT),
          views=_MEASURE_SHEET),
    Field("abatement_mt", MEASURES, N_("abatement {target_year} (Mt CO2-eq/yr)"), ABATEMENT,
          lambda r, m: r.measures[m].abatement_mt, MT, views=frozenset({FRAME})),
    Field("potential_mt", MEASURES, N_("abatement potential (Mt CO2-eq/yr)"), ABATEMENT,
          lambda r, m: _measure(r, m).abatement_mt * _measure(r, m).max_share, MT, views=frozenset({FRAME})),
    Field("gap_eur_per_t", MEASURES, N_("unprofitable gap (€/t)"), "€/t", lambda r, m: r.measures[m].gap_eur_per_t,
          EUR_T, views=_MEASURE_SHEET),
    Field("subsidy_meur", MEASURE_INSTRUMENTS, N_("subsidy {instrument} (M€{zero})"), "M€",
          lambda r, m, i: r.measures[m].subsidy_meur.get(i, 0.0), MEUR, blank_zero=True,
          views=frozenset({JSON, SHEET})),
    Field("subsidy_meur", MEASURE_YEARS, N_("subsidy {year} (M€)"), "M€",
          lambda r, m, y: r.measures[m].subsidy_in(y), MEUR, views=frozenset({FRAME})),
    Field("public_cost_meur", MEASURE_YEARS, N_("public cost {year} (M€)"), "M€",
          lambda r, m, y: r.measures[m].public_cost_in(r.input, y), MEUR, views=frozenset({FRAME}),
          iamc=Iamc("Policy Cost|Public Cost", IAMC_MONEY)),
    Field("subsidy_meur", SUBSIDIES, N_("subsidy {year} (M€)"), "M€",
          lambda r, m, i, y: r.measures[m].subsidy_by_year.get((i, y), 0.0), MEUR, views=frozenset({FRAME}),
          iamc=Iamc("Policy Cost|Subsidy", IAMC_MONEY, each=True)),
    Field("subsidy_meur", MEASURES, N_("total subsidy (M€{zero})"), "M€",
          lambda r, m: sum(r.measures[m].subsidy_meur.values()), MEUR, blank_zero=True, views=_MEASURE_SHEET),
    Field("public_cost_meur", MEASURES, N_("public cost (M€{zero})"), "M€", lambda r, m: r.measures[m].public_cost_meur,
          MEUR, blank_zero=True, views=frozenset({SHEET, FRAME, STORED, COMPARE})),
    Field("paid_eur_per_t", MEASURES, N_("€ per tonne paid (€/t)"), "€/t", lambda r, m: r.measures[m].eur_per_t,
          EUR_T, views=_MEASURE_SHEET),
    Field("reason", MEASURES, N_("reason (why not fully funded)"), "", lambda r, m: r.measures[m].reason, wrap=38,
          page=True, views=_MEASURE_SHEET),
    Field("reduced_cost_eur_per_t", MEASURES, N_("reduced cost (€/t the gap must fall)"), "€/t",
          lambda r, m: r.measures[m].reduced_cost_eur_per_t, EUR_T, views=frozenset({JSON, SHEET, FRAME})),
    Field("blocked_by", MEASURES, N_("blocked by"), "", lambda r, m: r.measures[m].blocked_by, wrap=38,
          words=limits_in_words, to_json=_limits_json, views=frozenset({JSON, SHEET, FRAME})),
    Field("competes_for", MEASURES, N_("competes for (binding limits it draws on)"), "",
          lambda r, m: r.measures[m].competes_for, wrap=38, words=limits_in_words, to_json=_limits_json,
          views=_MEASURE_SHEET),
    # ------------------------------------------------------------ per instrument
    Field("name", INSTRUMENTS, N_("name"), "", lambda r, i: r.input.instruments[i].name,
          views=frozenset({SHEET, FRAME})),
    Field("kind", INSTRUMENTS, N_("kind"), "", lambda r, i: r.input.instruments[i].kind, wrap=True,
          views=frozenset({SHEET, FRAME})),
    Field("cost_weight", INSTRUMENTS, N_("cost weight (€ per € paid)"), "€ of public cost per € paid",
          lambda r, i: r.input.instruments[i].cost_weight, AMOUNT, views=frozenset({FRAME})),
    Field("subsidy_meur", INSTRUMENTS, N_("spend {instrument} (M€)"), "M€", lambda r, i: r.instrument_spend_meur(i),
          MEUR, json="spend_meur", headline=True, views=frozenset({SHEET, SWEEP, RULES, STORED, FRAME})),
    Field("budget_meur", INSTRUMENTS, N_("sum of yearly budgets (M€)"), "M€",
          lambda r, i: sum(r.input.budgets[i].get(y, 0.0) for y in r.input.years), MEUR,
          views=frozenset({SHEET, FRAME})),
    Field("period_budget_meur", INSTRUMENTS, N_("period budget (M€)"), "M€",
          lambda r, i: r.input.instruments[i].period_budget_meur, MEUR, views=frozenset({SHEET, FRAME})),
    Field("period_budget_used_share", INSTRUMENTS, N_("period budget used (%)"), "share (0–1)",
          lambda r, i: _share(r.instrument_spend_meur(i), r.input.instruments[i].period_budget_meur), SHARE,
          views=frozenset({SHEET, FRAME})),
    Field("public_cost_meur", INSTRUMENTS, N_("public cost (M€)"), "M€", lambda r, i: r.instrument_cost_meur[i],
          MEUR, views=frozenset({SHEET, FRAME, STORED})),
    Field("public_cost_share", INSTRUMENTS, N_("share of the public cost (%)"), "share (0–1)",
          lambda r, i: r.instrument_cost_meur[i] / r.public_cost_meur if r.public_cost_meur > 0 else 0.0, SHARE,
          views=frozenset({FRAME})),
    Field("measures_funded", INSTRUMENTS, N_("measures funded (count)"), "count",
          lambda r, i: sum(1 for mr in r.measures.values() if mr.subsidy_meur.get(i, 0.0) > TOL), COUNT,
          views=frozenset({FRAME})),
    Field("released_meur", INSTRUMENTS, N_("released, vrijval (M€)"), "M€",
          lambda r, i: r.cash.released.get(i, 0.0) if r.cash is not None else None, MEUR,
          empty=dict, views=frozenset({JSON, FRAME})),
    # ------------------------------------------------------------ per instrument and year
    Field("name", INSTRUMENT_YEARS, N_("name"), "", lambda r, i, y: r.input.instruments[i].name,
          views=frozenset({SHEET})),
    Field("subsidy_meur", INSTRUMENT_YEARS, N_("spend {year} (M€)"), "M€", lambda r, i, y: r.spend_meur[(i, y)], MEUR,
          views=frozenset({SHEET, FRAME})),
    Field("budget_meur", INSTRUMENT_YEARS, N_("budget {year} (M€)"), "M€", lambda r, i, y: r.input.budgets[i][y],
          MEUR, views=frozenset({SHEET, FRAME})),
    Field("budget_used_share", INSTRUMENT_YEARS, N_("used share {year} (%)"), "share (0–1)",
          lambda r, i, y: _share(r.spend_meur[(i, y)], r.input.budgets[i][y]), SHARE,
          views=frozenset({SHEET, FRAME})),
    Field("cost_weight", INSTRUMENT_YEARS, N_("cost weight (€ per € paid)"), "€ of public cost per € paid",
          lambda r, i, y: r.input.instruments[i].cost_weight, AMOUNT, views=frozenset({SHEET})),
    Field("public_cost_meur", INSTRUMENT_YEARS, N_("public cost {year} (M€)"), "M€",
          lambda r, i, y: r.input.instruments[i].cost_weight * r.spend_meur[(i, y)], MEUR,
          views=frozenset({SHEET, FRAME})),
    # ------------------------------------------------------------ per instrument and payment year (section 13)
    Field("commitments_meur", CASH, N_("commitments {year} (M€)"), "M€",
          lambda r, i, t: r.cash.commitments[i].get(t, 0.0), MEUR, empty=dict, views=frozenset({JSON, FRAME})),
    Field("cash_meur", CASH, N_("cash {year} (M€)"), "M€", lambda r, i, t: r.cash.cash[i].get(t, 0.0), MEUR,
          empty=dict, iamc=Iamc("Policy Cost|Cash", IAMC_MONEY, each=True), views=frozenset({JSON, FRAME})),
    # ------------------------------------------------------------ per resource and year
    Field("name", RESOURCES, N_("name"), "", lambda r, k, y: r.input.resources[k].name, views=frozenset({SHEET, FRAME})),
    Field("kind", RESOURCES, N_("kind (stock: used while operating; flow: while being built)"), "",
          lambda r, k, y: r.input.resources[k].kind, views=frozenset({SHEET, FRAME})),
    Field("unit", RESOURCES, N_("unit"), "", lambda r, k, y: r.input.resources[k].unit, wrap=True,
          views=frozenset({SHEET, FRAME})),
    Field("use", RESOURCES, N_("use {year} (unit)"), "the resource's unit", lambda r, k, y: r.resource_use[(k, y)],
          AMOUNT, iamc=Iamc("Resource Use", None, each=True, total=False), views=frozenset({SHEET, FRAME})),
    Field("capacity", RESOURCES, N_("capacity {year} (unit)"), "the resource's unit",
          lambda r, k, y: r.input.resources[k].capacity[y], AMOUNT, views=frozenset({SHEET, FRAME})),
    Field("used_share", RESOURCES, N_("used share {year} (%)"), "share (0–1)",
          lambda r, k, y: _share(r.resource_use[(k, y)], r.input.resources[k].capacity[y]), SHARE,
          views=frozenset({SHEET, FRAME})),
    # ------------------------------------------------------------ per plan, after the tables
    Field("peak_cash_meur", PLAN, N_("peak cash, all instruments (M€)"), "M€", lambda r: _peak(r)[1], MEUR,
          headline=True, views=frozenset({SWEEP, FRAME})),
    Field("peak_cash_year", PLAN, N_("peak cash year"), "year", lambda r: _peak(r)[0], COUNT, headline=True,
          views=frozenset({SWEEP, FRAME})),
    Field("released_meur", PLAN, N_("released, vrijval (M€)"), "M€",
          lambda r: r.cash.released_meur if r.cash is not None else None, MEUR, headline=True,
          views=frozenset({SWEEP, FRAME})),
    Field("idle_mt", PLAN, N_("built but idle for want of resources {target_year} (Mt CO2-eq/yr)"), ABATEMENT,
          lambda r: decisions(r.input).idle_mt(r.input, r.input.settings.target_year), MT, headline=True,
          optional="zero", views=frozenset({FUTURES, FRAME})),
    # the slopes between sweep points: of public cost, and of the objective, which adds the shortfall penalty
    # (the one the target's shadow price matches, between points of an LP); in the JSON of a sweep's points
    Field("public_cost_slope", PLAN, N_("slope of public cost from the previous point (M€ per {per})"),
          "M€ per unit of the varied value", None, EUR_T, headline=True, optional="blank",
          short=N_("public cost slope (M€ per {per})"), views=frozenset({SWEEP, TERMINAL})),
    Field("objective_slope", PLAN,
          N_("slope of the objective, shortfall penalty included, from the previous point (M€ per {per})"),
          "M€ per unit of the varied value", None, EUR_T, headline=True, optional="unlike:public_cost_slope",
          when=_min_cost, short=N_("objective slope (M€ per {per})"), views=frozenset({SWEEP, TERMINAL})),
    Field("abatement_slope", PLAN,
          N_("slope of abatement {target_year} from the previous point (Mt CO2-eq/yr per {per})"),
          "Mt CO2-eq/yr per unit of the varied value", None, SHADOW, headline=True, optional="blank",
          when=_max_abatement, short=N_("abatement slope from the previous point (Mt/yr per {per})"),
          views=frozenset({SWEEP, TERMINAL})),
    Field("shadow_prices", PLAN, N_("shadow prices"), "", _shadow_json, empty=empty_shadow_prices,
          views=frozenset({JSON})),
    Field("relaxations", PLAN, N_("what must give"), "", lambda r: r.relaxations, empty=list,
          views=frozenset({JSON})),
    Field("total_relative_relaxation", PLAN, N_("total relative relaxation"), "",
          lambda r: r.relaxation_total, RATIO, when=lambda inp: inp.settings.elastic,
          views=frozenset({JSON, SHEET})),
    Field("shortfall_penalty_eur_per_t", PLAN, N_("shortfall penalty (€/t)"), "€/t",
          lambda r: shortfall_penalty(r.input), EUR_T, views=frozenset({JSON})),
    Field("warnings", PLAN, N_("warnings"), "", lambda r: list(r.warnings), empty=list, views=frozenset({JSON})),
    # ------------------------------------------------------------ inputs the IAMC file repeats
    Field("co2_price_eur_per_t", YEARS, N_("CO2 price {year} (€/t)"), "€/t",
          lambda r, y: r.input.co2_price.get(y), EUR_T, iamc=Iamc("Price|Carbon", "EUR/t CO2"), views=frozenset()),
    # ------------------------------------------------------------ the plan over drawn futures (issue 23)
    Field("stress_test", PLAN, N_("quick stress test"), "", lambda r: r.stress, to_json=_stress_json,
          empty=lambda: None, views=frozenset({JSON})),
    # ------------------------------------------------------------ a futures run and its confidence levels (section 17)
    Field("confidence", PLAN, N_("confidence asked (share of futures)"), "share (0–1)", None, SHARE,
          short=N_("confidence"), views=frozenset({CONFIDENCE, CURVE})),
    Field("attainable", PLAN, N_("attainable"), "", None, views=frozenset({CONFIDENCE, CURVE})),
    Field("max_attainable", PLAN, N_("most attainable (share of futures one plan meets)"), "share (0–1)", None,
          SHARE, views=frozenset({CONFIDENCE})),
    Field("expected_public_cost_meur", PLAN, N_("expected public cost (M€, mean over the futures)"), "M€", None,
          MEUR, short=N_("expected public cost (M€)"), views=frozenset({FUTURES_RUN, CONFIDENCE, CURVE})),
    Field("p_target_met", PLAN, N_("P(target met) in the futures drawn"), "share (0–1)", None, SHARE,
          short=N_("P in sample"), views=frozenset({FUTURES_RUN, CONFIDENCE, CURVE})),
    Field("p_target_met_ci", PLAN, N_("95 % interval (Wilson)"), "share (0–1)", None, words=_interval,
          short=N_("95 % interval"), views=frozenset({FUTURES_RUN, CONFIDENCE, LEVEL})),
    Field("p_target_met_validation", PLAN, N_("P(target met) in fresh futures (out of sample)"), "share (0–1)",
          None, SHARE, short=N_("P out of sample"), views=frozenset({CONFIDENCE, CURVE})),
    Field("p_target_met_validation_ci", PLAN, N_("95 % interval in fresh futures (Wilson)"), "share (0–1)", None,
          words=_interval, short=N_("95 % interval out of sample"), views=frozenset({CONFIDENCE, LEVEL})),
    Field("validation_samples", PLAN, N_("fresh futures judged (out of sample)"), "count", None, COUNT,
          views=frozenset({CONFIDENCE})),
    Field("expected_shortfall_mt", TARGETS, N_("expected shortfall {year} (Mt CO2-eq/yr, mean over the futures)"),
          ABATEMENT, None, MT, short=N_("expected shortfall {year} (Mt/yr)"),
          views=frozenset({FUTURES_RUN, CONFIDENCE, LEVEL})),
    Field("mip_gap", PLAN, N_("MIP gap (relative)"), "", None, RATIO, views=frozenset({CONFIDENCE, LEVEL})),
    Field("sure_abatement_mt", SURE, N_("abatement {year} reached in at least {level} of the futures "
                                        "(Mt CO2-eq/yr)"), ABATEMENT, None, MT, views=frozenset({FUTURES_RUN})),
    Field("cash_bands_meur", CASH, N_("cash {year}: 10th, 50th and 90th percentile over the futures (M€)"), "M€",
          None, MEUR, views=frozenset({FUTURES_RUN})),
    # ------------------------------------------------------------ the delay register (section 17)
    Field("abatement_lost_mt", DELAYS_TABLE, N_("abatement lost {target_year}, the plan fixed (Mt CO2-eq/yr)"),
          ABATEMENT, None, MT, short=N_("abatement lost {target_year}, plan fixed (Mt/yr)"), views=frozenset({DELAYS})),
    Field("extra_public_cost_meur", DELAYS_TABLE, N_("extra public cost, re-planned (M€)"), "M€", None, MEUR,
          views=frozenset({DELAYS})),
    Field("shortfall_mt", DELAYS_TABLE, N_("shortfall left, re-planned (Mt CO2-eq/yr)"), ABATEMENT, None, MT,
          short=N_("shortfall left, re-planned (Mt/yr)"), views=frozenset({DELAYS})),
    Field("extra_shortfall_mt", DELAYS_TABLE, N_("extra shortfall, re-planned (Mt CO2-eq/yr)"), ABATEMENT, None, MT,
          json=None, short=N_("extra shortfall, re-planned (Mt/yr)"), views=frozenset({DELAYS})),
]


def _check(fields: list[Field]) -> None:
    """Names are unique within a table and JSON keys within the object they are written to."""
    seen, keys, headline = set(), set(), set()
    for f in fields:
        if f.headline:
            if f.name in headline:
                raise ValueError(f"two headline fields are named {f.name!r}")
            headline.add(f.name)
        if (f.table.name, f.name) in seen:
            raise ValueError(f"a field named {f.name!r} exists in table {f.table.name!r}")
        seen.add((f.table.name, f.name))
        if JSON in f.views and f.key:
            where = "measures" if f.table.within(MEASURES) or f.table is MEASURES else ""
            if (where, f.key) in keys:
                raise ValueError(f"JSON key {f.key!r} is written by two fields")
            keys.add((where, f.key))


_check(FIELDS)


def fields(table: Table | None = None, view: str | None = None, inp: PlanInput | None = None, *,
           under: Table | None = None) -> list[Field]:
    """The fields of a table (``under``: of it and the tables below it) that ``view`` shows, in registry order."""
    out = []
    for f in FIELDS:
        if table is not None and f.table is not table:
            continue
        if under is not None and f.table is not under and not f.table.within(under):
            continue
        if view is not None and not f.shows(view, inp):
            continue
        out.append(f)
    return out


def field(name: str, table: Table = PLAN) -> Field:
    for f in FIELDS:
        if f.name == name and f.table is table:
            return f
    raise KeyError(f"{table.name}.{name}")


def register(new: Field, *, before: Field | None = None) -> None:
    """Add a field (tests and extensions): every output that iterates over the registry shows it."""
    if new.table not in TABLES:
        raise ValueError(f"unknown table {new.table.name!r}")
    changed = list(FIELDS)
    changed.insert(changed.index(before) if before is not None else len(changed), new)
    _check(changed)
    FIELDS[:] = changed


def unregister(new: Field) -> None:
    FIELDS.remove(new)


def headline_fields() -> list[Field]:
    return [f for f in FIELDS if f.headline]


def frame_tables() -> dict[str, Table]:
    """The tables of a plan the API makes a DataFrame of (``Plan.<name>``): those with a field the frames show."""
    return {t.name: t for t in TABLES if t is not PLAN and fields(t, FRAME)}


# ---------------------------------------------------------------- the headline record

class Headline:
    """The headline figures of a plan, a sweep point or a future: one value per headline field, by name.

    A field of the plan holds its value; a field per target year ``{year: value}``; a field per instrument
    ``{instrument: value}``; a field of two dimensions nested (per instrument and payment year
    ``{instrument: {year: value}}``, what cash bands over futures are made of). Read them as attributes (``h.public_cost_meur``, ``h.abatement_mt[2030]``) or with
    :meth:`get`. Made from a plan (:meth:`of`), from what the input alone says where there is no plan
    (:meth:`without_plan`), or from the values an analysis works out itself (``Headline(values)``: a stress
    test's future, a sweep's slopes).
    """

    def __init__(self, values: Mapping[str, object] | None = None):
        unknown = set(values or {}) - _headline_names()
        if unknown:
            raise KeyError(f"not headline fields: {', '.join(sorted(unknown))}")
        self.values: dict[str, object] = dict(values or {})
        for f in headline_fields():
            if f.derived is not None and f.name not in self.values:
                self.values[f.name] = f.derived(self.values)

    @classmethod
    def of(cls, result: PlanResult) -> Headline:
        """The record of a plan: every headline field read from it."""
        out: dict[str, object] = {}
        for f in headline_fields():
            if f.value is None:
                continue
            if f.table is PLAN:
                out[f.name] = f.value(result)
                continue
            nested: dict = {}
            for key in f.table.rows(result):  # {year: v}, {instrument: v}, {instrument: {year: v}}, …
                into = nested
                for k in key[:-1]:
                    into = into.setdefault(k, {})
                into[key[-1]] = f.value(result, *key)
            out[f.name] = nested
        return cls(out)

    @classmethod
    def without_plan(cls, inp: PlanInput, status: str = "failed") -> Headline:
        """The record where there is no plan (a failed point, a future without a plan): the status and what the
        input alone says (the required reductions); every other figure absent."""
        out: dict[str, object] = {"status": status}
        for f in headline_fields():
            if f.known is not None and f.table is not PLAN:
                out[f.name] = {k: f.known(inp, k) for k in f.table.keys(inp)}
        return cls(out)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "values":
            raise AttributeError(name)
        found = next((f for f in headline_fields() if f.name == name), None)
        if found is None:
            raise AttributeError(f"{name!r} is not a headline field")
        value = self.values.get(name)
        return {} if value is None and found.table is not PLAN else value  # a figure per key: none where no plan

    def __repr__(self) -> str:
        return f"Headline({self.values!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Headline) and self.values == other.values

    def set(self, name: str, value) -> None:
        """Record a figure the analysis works out itself (a field whose ``value`` is None, e.g. a slope)."""
        if name not in _headline_names():
            raise KeyError(f"{name!r} is not a headline field")
        self.values[name] = value

    def get(self, f: Field | str, key=None):
        """A field's value (``key``: the target year or instrument of a field per target year or instrument)."""
        name = f if isinstance(f, str) else f.name
        value = self.values.get(name)
        if key is None or not isinstance(value, Mapping):
            return value
        return value.get(key)

    @property
    def ok(self) -> bool:
        return self.values.get("status", "failed") != "failed"

    @property
    def target_met(self) -> bool:
        return self.values.get("status") == "target_met"


class Record:
    """The figures of a run rather than of a plan — a futures run, one of its confidence levels, a row of the
    delay register — read the way a :class:`Headline` is read (``get(field, key)``): a field of the run views
    (:data:`RUN_VIEWS`) has no ``value``; the analysis computes it, and the record reads it from the object's
    attribute of the field's name (``run.sure_abatement_mt``, ``level.expected_public_cost_meur``)."""

    def __init__(self, source: object):
        self.source = source

    def get(self, f: Field | str, key=None):
        value = getattr(self.source, f if isinstance(f, str) else f.name, None)
        if key is None or not isinstance(value, Mapping):
            return value
        return value.get(key)


def run_fields(view: str, table: Table | None = None) -> list[Field]:
    """The fields a run view shows (of ``table`` only, when given), in registry order."""
    return [f for f in FIELDS if view in f.views and (table is None or f.table is table)]


def _headline_names() -> set[str]:
    return {f.name for f in headline_fields()}


class HasHeadline:
    """What has a headline record in its ``headline`` attribute (a sweep point, a future): its headline fields
    read as its own attributes (``point.public_cost_meur`` is ``point.headline.public_cost_meur``)."""

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "headline":
            raise AttributeError(name)
        return getattr(self.__dict__.get("headline") or Headline(), name)

    ok = property(lambda self: self.headline.ok, doc="It has a plan.")
    target_met = property(lambda self: self.headline.target_met, doc="Its plan meets every target.")
    status = property(lambda self: self.headline.values.get("status", "failed"),
                      doc='"target_met", "target_not_met" or "failed".')
