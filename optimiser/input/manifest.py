"""The input manifest: every sheet and column of the input workbook, declared once.

One entry per sheet: its columns with type, required flag, default, unit and
description. The reader, the validation, the override parser, the About sheet
and the effective-input sheets of a plan are all driven by this table.

Types:
  ``str``    text
  ``float``  a finite number
  ``int``    a whole number
  ``bool``   yes/no (also true/false, 1/0, y/n)
  ``ids``    ids separated by ';' (may be empty)
  ``numbers`` numbers separated by ';' (e.g. SDE++ phase ceilings "75;150;225;300;400")
  ``any``    a number or text (settings values, override values)

Comment rows: a row whose first cell starts with ``#`` (:data:`COMMENT`) is a comment, skipped by the
reader: the blank template's example rows are written so (``#steel_dri``), and a user can keep a note or
switch a row off the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..lang import LANGUAGES, N_, _, in_every_language
from .data import OPERATING, CashLimit, Committed, Fence, Instrument, Measure, Resource, ScenarioRow, Settings, UncertainRow
from .hints import ambiguous, number_hint, share_hint


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"
    required: bool = False
    default: object = None
    unit: str = ""
    description: str = ""
    check: str = ""  # value rule: ">=0", ">0", "share" (0 < v <= 1), "0..1"; "rising" for numbers
    choices: tuple[str, ...] = ()
    #: The field of the sheet's record (or of Settings) this column fills: None = the column's own name;
    #: "" = kept beside the input for a re-run only (``PlanInput.sources``), not a field.
    field: str | None = None
    #: The sheet whose ids this column names (:data:`SHEET_NAMES`: the name of a sheet an override changes).
    #: The template offers them in a drop-down list; the reader refuses any other (``tables.check_references``).
    refers: str = ""
    #: Ids accepted beside the referred sheet's (cash_limits: ``*`` for all instruments together).
    also: tuple[str, ...] = ()
    #: The message for an id the referred sheet lacks ({id}; {all}: the ids of ``also``); blank = the
    #: referred sheet's ``Sheet.unknown``.
    unknown: str = ""

    @property
    def fills(self) -> str:
        return self.name if self.field is None else self.field


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    id_column: str | None = None  # the column whose values are unique ids
    year_columns: bool = False  # one column per year, start_year … target_year
    #: Which year columns it has: "horizon" exactly start_year … target_year (others ignored); "outlook"
    #: start_year … target_year required, earlier and later years read too (blank = not given); "any" every
    #: year column given, none required (blank = no value that year).
    year_span: str = "horizon"
    year_unit: str = ""
    year_description: str = ""
    required: bool = True
    #: The typed input this sheet fills: ``PlanInput.<fills>``, of records of type ``record`` (with the year
    #: columns in ``record.<year_field>``), or plain values when ``record`` is None.
    fills: str = ""
    record: type | None = None
    year_field: str | None = None
    #: Rows it must have (comment rows not counted): a plan needs a measure and an instrument.
    least_rows: int = 0
    #: A sheet without an id column whose rows an override names by several columns joined by '/'
    #: (usage: MEASURE_ID/RESOURCE_ID; committed: MEASURE_ID/YEAR).
    composite_id: tuple[str, ...] = ()
    #: The message for an id another sheet names and this one lacks ({id}); see ``Column.refers``.
    unknown: str = ""

    @property
    def id_columns(self) -> tuple[str, ...]:
        """The columns that name a row (one, or those of a composite id); () for a sheet of settings or overrides."""
        return self.composite_id or ((self.id_column,) if self.id_column else ())

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def fields(self) -> list[Column]:
        """The columns that fill a field of the record (not the kept-for-re-run ones)."""
        return [c for c in self.columns if c.fills]

    def years_to_read(self, horizon: list[int], header_years) -> tuple[list[int], list[int]]:
        """(required year columns, further year columns read when present) for a sheet whose header
        holds ``header_years``."""
        if not self.year_columns:
            return [], []
        if self.year_span == "any":
            return [], sorted(header_years)
        if self.year_span == "outlook" and horizon:
            return list(horizon), sorted(y for y in header_years if y < horizon[0] or y > horizon[-1])
        return list(horizon), []


#: Rule sets of ``policymix simulate`` (docs/rules.md): how an instrument allocates its budget.
ALLOCATIONS: tuple[str, ...] = ("sde_round", "tender", "fcfs", "maatwerk", "none")
#: A blank ``instruments.allocation`` defaults from the instrument id (case-insensitive) …
ALLOCATION_BY_ID: dict[str, str] = {
    "sde++": "sde_round", "sde": "sde_round", "niki": "tender", "veki": "fcfs", "maatwerk": "maatwerk",
    "eia": "fcfs", "owe": "tender",
}
#: … else from a word in its ``kind`` (first match), else first come, first served.
ALLOCATION_BY_KIND: tuple[tuple[str, str], ...] = (
    ("tender", "tender"), ("bidding", "tender"), ("competitive", "tender"),
    ("maatwerk", "maatwerk"), ("bespoke", "maatwerk"), ("tailor", "maatwerk"),
)
DEFAULT_ALLOCATION = "fcfs"
#: Phase ceilings (€/t) of an sde_round instrument whose ``phases_eur_per_t`` is blank: the 2024 SDE++
#: round opened in 5 phases from 75 to 400 €/t; 300 €/t is the general maximum; 150 and 225 are
#: interpolated (docs/rules.md gives the sources).
DEFAULT_SDE_PHASES: tuple[float, ...] = (75.0, 150.0, 225.0, 300.0, 400.0)


def default_allocation(instrument_id: str, kind: str = "") -> str:
    """The rule set of an instrument whose ``allocation`` cell is blank."""
    by_id = ALLOCATION_BY_ID.get(str(instrument_id).strip().lower())
    if by_id:
        return by_id
    text = str(kind or "").lower()
    for word, allocation in ALLOCATION_BY_KIND:
        if word in text:
            return allocation
    return DEFAULT_ALLOCATION


#: Operations of an uncertainty row: the override operations plus ``shift`` (a year series moved later).
UNCERTAINTY_OPS: tuple[str, ...] = ("scale", "add", "set", "shift")
#: Distributions of an uncertainty row and the parameters each needs (docs/model.md section 14).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),  # truncated to low/high where given
    "choice": ("values",),  # weights optional (default equal)
}

SETTINGS_KEYS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("scenario_name", "str", False, "default", "", "name of this scenario, used in output file names"),
        Column("start_year", "int", True, None, "year", "first year in which commitments can be made (y0)"),
        Column("target_year", "int", True, None, "year", "year by which the reduction must be reached"),
        Column("target_reduction_mt", "float", True, None, "Mt CO2-eq/yr", "required reduction in the target year", ">=0"),
        Column("base_year_emissions_mt", "float", False, None, "Mt CO2-eq/yr", "emissions in the base year (for reporting)", ">=0"),
        Column("shortfall_penalty_eur_per_t", "float", False, None, "€/t", "penalty P on each t/yr of shortfall "
               "(M€ per Mt/yr); blank = derived from the data: 10 × the dearest measure's gap × support years, "
               "rounded up to 1, 2 or 5 × a power of ten, at least 1,000 (docs/model.md)", ">0"),
        Column("mip_gap", "float", False, 1e-4, "share", "relative optimality gap for plans with lumpy measures", "0..1"),
        Column("time_limit_s", "float", False, None, "s", "solver time limit (blank = none)", ">0"),
        Column("solver", "str", False, "auto", "", "LP algorithm of HiGHS: auto (dual simplex, primal simplex "
               "for the first solve of a large model: measured fastest), dual, primal or ipm (interior point)", choices=("auto", "dual", "primal", "ipm")),
        Column("objective", "str", False, "min-cost", "", "min-cost: least public cost meeting the targets; "
               "max-abatement: most abatement in the target year within budgets and limits (no target)",
               choices=("min-cost", "max-abatement")),
        Column("elastic", "bool", False, False, "yes/no", "name the least that must give for every target to be "
               "met: least total relative relaxation of budgets and resource limits, then least cost "
               "(docs/model.md)"),
        Column("strict", "bool", False, False, "yes/no", "allow no shortfall: an unreachable target gives the "
               "conflicting limits (an irreducible infeasible subset) instead of a plan"),
        Column("language", "str", False, None, "", "language of the plan workbook, its texts and the terminal: en "
               "(English) or nl (Nederlands); blank = en; --lang on the command line wins. Sheet and column names "
               "of the inputs stay as they are", choices=LANGUAGES),
    )
}

#: Settings an older policymix read, and why they are ignored now (a workbook or plan that has them gets a note).
RETIRED_SETTINGS: dict[str, str] = {
    "elastic_budget_penalty": "an elastic run relaxes the least it must, measured relative to each limit, "
                              "with no price per unit (docs/model.md, section 5a)",
    "elastic_resource_penalty": "an elastic run relaxes the least it must, measured relative to each limit, "
                                "with no price per unit (docs/model.md, section 5a)",
}

#: Columns several sheets share.
NAME = Column("name", "str", description="descriptive name")
SOURCE = Column("source", "str", description="where the figures come from")
#: A source kept beside the input for a re-run (a sheet of plain numbers has no record to hold it).
KEPT_SOURCE = Column("source", "str", description="where the figures come from", field="")


def unique_id(name: str, description: str = "unique id") -> Column:
    return Column(name, "str", True, description=description)


def records(name: str, description: str, columns: tuple[Column, ...], record: type, unknown: str, **more) -> Sheet:
    """A sheet of one record per row, named by its first column: it fills ``PlanInput.<name>``, and an id
    another sheet names and it lacks gets ``unknown``."""
    return Sheet(name, description, columns, id_column=columns[0].name, fills=name, record=record, unknown=unknown,
                 **more)


#: The id of a ``cash_limits`` row that limits the cash of all instruments together.
ALL_INSTRUMENTS = "*"
#: ``Column.refers`` of a column that names a sheet (the target of an override), not an id.
SHEET_NAMES = "(sheets)"

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "settings",
        "Run settings: one key per row.",
        (
            Column("key", "str", True, description="setting name: " + ", ".join(SETTINGS_KEYS), field=""),
            Column("value", "any", True, description="setting value", field=""),
            Column("unit", "str", description="unit of the value (for the reader)", field=""),
            Column("source", "str", description="where the value comes from", field=""),
        ),
        id_column="key",
        fills="settings",
        record=Settings,
    ),
    records(
        "measures",
        "Abatement measures: one per row.",
        (
            unique_id("measure_id"),
            NAME,
            Column("sector", "str", description="industrial sector"),
            Column("cluster", "str", description="industrial cluster (grid region)"),
            Column("abatement_mt", "float", True, unit="Mt CO2-eq/yr", description="A_m: abatement at full deployment", check=">0"),
            Column("cost_eur_per_t", "float", True, unit="€/t", description="c_m: levelised cost of abatement before any CO2 price (may be negative)"),
            Column("capex_meur", "float", False, 0.0, "M€", "K_m: capex of full deployment", ">=0"),
            Column("support_years", "float", True, unit="years", description="D_m: years over which the unprofitable gap is compensated", check=">0"),
            Column("earliest_year", "int", False, None, "year", "e_m: earliest commitment year (blank = start_year)"),
            Column("lead_time_years", "int", False, 0, "years", "L_m: years from commitment to operation", ">=0"),
            Column("max_share", "float", False, 1.0, "share", "u_m: maximum deployable share (0 < u ≤ 1)", "share"),
            Column("lumpy", "bool", False, False, "yes/no", "all-or-nothing project"),
            Column("exclusive_group", "str", description="measures in one group compete for the same emissions"),
            Column("eligible_instruments", "ids", True, unit="ids", description="instrument ids separated by ';' (may be empty)",
                   refers="instruments"),
            Column("fence", "str", description="rules simulation: id of the fence (sheet fences, a ring-fenced "
                   "sub-budget of one of its instruments) it competes in first (blank = none)", refers="fences"),
            SOURCE,
        ),
        Measure,
        N_("unknown measure '{id}' (not in sheet 'measures')"),
        least_rows=1,
    ),
    records(
        "instruments",
        "Subsidy instruments: one per row.",
        (
            unique_id("instrument_id"),
            NAME,
            Column("kind", "str", description="kind of support (operating, investment, tax deduction, …)"),
            Column("cost_weight", "float", False, 1.0, "€/€", "w_i: public cost per euro paid (1 for a grant)", ">=0"),
            Column("capex_share_cap", "float", False, None, "share", "at most this share of a measure's capex (blank = none)", "0..1"),
            Column("eur_per_t_cap", "float", False, None, "€/t", "at most this many € per tonne over the support period (blank = none)", ">=0"),
            Column("period_budget_meur", "float", False, None, "M€", "budget over all years (blank = none)", ">=0"),
            Column("allocation", "str", False, None, "", "rules simulation: how the instrument allocates its budget "
                   "(sde_round: yearly round ranked by subsidy intensity, in phases; tender: ranked by subsidy per "
                   "tonne; fcfs: first come, first served; maatwerk: named projects by size; none: not simulated). "
                   "Blank = from the id (SDE++ sde_round, NIKI tender, VEKI fcfs, maatwerk maatwerk, EIA fcfs, "
                   "OWE tender), else from the kind, else fcfs", choices=ALLOCATIONS),
            Column("phases_eur_per_t", "numbers", False, None, "€/t", "rules simulation, sde_round only: rising "
                   "phase ceilings of subsidy intensity separated by ';' (blank = 75;150;225;300;400); the last is "
                   "the highest intensity admitted", "rising"),
            Column("payout", "str", False, "1", "", f"cash: how a commitment is paid out — {OPERATING} (per "
                   "tonne while the measure runs, over its support years, never more than committed: like SDE++) "
                   "or the shares of the commitment paid in the commitment year and the years after it, separated "
                   "by ';' and summing to 1 (e.g. 0.2;0.5;0.3). Blank = 1: all in the commitment year",
                   check="payout"),
            SOURCE,
        ),
        Instrument,
        N_("unknown instrument '{id}' (not in sheet 'instruments')"),
        least_rows=1,
    ),
    Sheet(
        "budgets",
        "Yearly commitment ceiling of each instrument.",
        (
            Column("instrument_id", "str", True, description="instrument id", refers="instruments",
                   unknown=N_("budget row for unknown instrument '{id}'")),
            KEPT_SOURCE,
        ),
        id_column="instrument_id",
        fills="budgets",
        year_columns=True,
        year_unit="M€",
        year_description="B_{i,y}: commitment ceiling in that year (0 = no budget that year)",
    ),
    records(
        "fences",
        "Rules simulation: ring-fenced sub-budgets ('hekjes') reserved inside a ranked instrument's yearly "
        "budget for the measures that name the fence.",
        (
            unique_id("fence_id", "unique id (named in measures.fence)"),
            Column("instrument_id", "str", True, description="instrument (allocation sde_round or tender) whose "
                   "yearly budget holds the fence", refers="instruments"),
            NAME,
            Column("eur_per_t_cap", "float", False, None, "€/t", "highest subsidy intensity admitted inside the "
                   "fence (blank = the round's own ceiling; never above the instrument's eur_per_t_cap)", ">=0"),
            SOURCE,
        ),
        Fence,
        N_("unknown fence '{id}' (not in sheet 'fences')"),
        year_field="budget",
        year_columns=True,
        year_unit="M€",
        year_description="reserved for the fence's members in that year's round, within the instrument's budget "
                         "(0 = no fence that year)",
        required=False,
    ),
    records(
        "resources",
        "Limited resources: one per row, with a capacity per year.",
        (
            unique_id("resource_id"),
            NAME,
            Column("kind", "str", True, description="stock: used by what operates; flow: used by what is being built", choices=("stock", "flow")),
            Column("unit", "str", description="unit of the capacity and of the usage amounts"),
            SOURCE,
        ),
        Resource,
        N_("unknown resource '{id}' (not in sheet 'resources')"),
        year_field="capacity",
        year_columns=True,
        year_unit="resource unit",
        year_description="Cap_{r,y}: capacity in that year",
    ),
    Sheet(
        "usage",
        "Use of each resource by each measure at full deployment.",
        (
            Column("measure_id", "str", True, description="measure id", refers="measures"),
            Column("resource_id", "str", True, description="resource id", refers="resources"),
            Column("amount", "float", True, unit="resource unit", description="a_{m,r}: use at full deployment (negative = the measure supplies it)"),
            KEPT_SOURCE,
        ),
        fills="usage",
        composite_id=("measure_id", "resource_id"),
    ),
    Sheet(
        "prices",
        "Yearly prices; row co2_price_eur_per_t is required.",
        (
            Column("parameter", "str", True, description="price name, e.g. co2_price_eur_per_t"),
            KEPT_SOURCE,
        ),
        id_column="parameter",
        fills="prices",
        year_columns=True,
        year_span="outlook",
        year_unit="€/t",
        year_description="p_y: effective CO2 price a firm committing in that year counts on; years after "
                         "target_year are a price outlook used only for cash (a missing later year takes the last "
                         "year given); years before start_year, the prices the decisions already taken were paid at "
                         "(a re-planned workbook keeps its plan's)",
    ),
    Sheet(
        "targets",
        "Milestones: required reduction per year (target_year takes target_reduction_mt when absent).",
        (
            Column("year", "int", True, unit="year", description="milestone year"),
            Column("reduction_mt", "float", True, unit="Mt CO2-eq/yr", description="T_y: required reduction in that year", check=">=0"),
        ),
        id_column="year",
        required=False,
        fills="targets",
    ),
    Sheet(
        "committed",
        "Decisions already taken: a share of a measure committed in a year. Before start_year a decision of the "
        "past (it operates, abates and uses resources; its money is sunk and its subsidy paid out in cash); from "
        "start_year on a forced decision (at least this share committed that year, paid and budgeted like any "
        "commitment).",
        (
            Column("measure_id", "str", True, description="measure id", refers="measures"),
            Column("year", "int", True, unit="year", description="year of the decision (before start_year: in the "
                   "past; from start_year to target_year: forced)"),
            Column("share", "float", True, unit="share", description="share of the measure committed in that year "
                   "(together with the measure's other rows at most its max_share)", check="share"),
            Column("instrument_id", "str", description="instrument that paid (past) or that the deal names (forced: "
                   "a record only; the plan pays the gap through the measure's eligible instruments)",
                   refers="instruments"),
            Column("subsidy_meur", "float", unit="M€", description="past decisions: subsidy committed (paid out in "
                   "cash by instrument_id; sunk: in no budget, not in the objective); blank = none", check=">=0"),
            Column("note", "str", description="what the decision is and where it is documented"),
        ),
        required=False,
        fills="committed",
        record=Committed,
        composite_id=("measure_id", "year"),
    ),
    Sheet(
        "cash_limits",
        "Cash ceilings (kasplafonds): the most an instrument, or all instruments together (id *), may pay out "
        "in a year.",
        (
            Column("instrument_id", "str", True, description="instrument id, or * for all instruments together",
                   refers="instruments", also=(ALL_INSTRUMENTS,),
                   unknown=N_("unknown instrument '{id}' (not in sheet 'instruments'; {all} limits all instruments "
                              "together)")),
            SOURCE,
        ),
        id_column="instrument_id",
        required=False,
        fills="cash_limits",
        record=CashLimit,
        year_field="limits",
        year_columns=True,
        year_span="any",
        year_unit="M€",
        year_description="C_t: most cash paid in that year (from start_year on; blank = no limit that year)",
    ),
    Sheet(
        "scenarios",
        "Named what-if override sets, applied with --scenario NAME.",
        (
            Column("scenario", "str", True, description="scenario name"),
            Column("sheet", "str", True, description="sheet to change", refers=SHEET_NAMES),
            Column("id", "str", True, description="row id (shell wildcards allowed); for settings the key"),
            Column("column", "str", True, description="column to change (wildcards allowed); for settings 'value'"),
            Column("op", "str", True, description="set, scale, add or shift (a year series moved value years "
                   "later; before start_year the start_year value)", choices=("set", "scale", "add", "shift")),
            Column("value", "any", True, description="new value, factor, delta or whole years"),
            Column("note", "str", description="what the override means"),
        ),
        required=False,
        fills="scenarios",
        record=ScenarioRow,
    ),
    Sheet(
        "uncertainty",
        "Uncertain inputs for policymix futures: one per row, each an override whose value is drawn from a "
        "distribution; rows with the same group take the same quantile of their own distribution.",
        (
            Column("name", "str", True, description="what is uncertain, in words (the key of the draw in the "
                   "futures' outputs); rows in one group may share a name"),
            Column("sheet", "str", True, description="sheet to change, as in an override", refers=SHEET_NAMES),
            Column("id", "str", True, description="row id (shell wildcards allowed); for settings the key"),
            Column("column", "str", True, description="column to change (wildcards allowed; year columns such as "
                   "20* for a year series); for settings 'value'"),
            Column("op", "str", True, description="scale, add or set the drawn value, or shift: move a year series "
                   "k whole years later (the value in year t becomes that of year t − k; before start_year the "
                   "start_year value)", choices=UNCERTAINTY_OPS),
            Column("distribution", "str", True, description="uniform (low, high), triangular (low, mode, high), "
                   "normal (mean, sd; truncated to low/high where given) or choice (values, weights)",
                   choices=tuple(DISTRIBUTIONS)),
            Column("low", "float", description="lowest value (uniform, triangular; a normal's lower truncation)"),
            Column("mode", "float", description="most likely value (triangular)"),
            Column("high", "float", description="highest value (uniform, triangular; a normal's upper truncation)"),
            Column("mean", "float", description="mean (normal)"),
            Column("sd", "float", description="standard deviation (normal), > 0"),
            Column("values", "numbers", description="choice: the possible values separated by ';'"),
            Column("weights", "numbers", description="choice: their weights separated by ';' (default equal; "
                   "need not sum to 1)"),
            Column("group", "str", description="rows with the same group share one draw: the same quantile of "
                   "their own distributions"),
            Column("source", "str", description="where the range comes from"),
        ),
        required=False,
        fills="uncertainty",
        record=UncertainRow,
    ),
)

SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}

#: A row whose first cell starts with this is a comment (an example row of the template, a note): ignored.
COMMENT = "#"


def is_comment(row) -> bool:
    """Whether a row of cells is a comment row (its first cell is text starting with :data:`COMMENT`)."""
    first = row[0] if row else None
    return isinstance(first, str) and first.lstrip().startswith(COMMENT)

@dataclass(frozen=True)
class ResultSheet:
    """A sheet the planner writes (not an input): its title, what it shows and its units (the About sheet)."""

    title: str
    shows: str
    units: str = ""
    hidden: bool = False


#: The hidden sheet of a plan workbook holding its machine-readable result (read by compare).
RESULT_DOCUMENT_SHEET = "policymix result"

#: The result sheets of a plan workbook, in order (the input sheets follow, the hidden result last).
PLAN_SHEETS: tuple[ResultSheet, ...] = (
    ResultSheet("Summary", "the answer first (targets met or not, abatement, public cost), the target's marginal "
                "value, budget left, what must give (elastic runs), then targets, budget headroom per instrument "
                "and the binding limits in plain words", "M€; Mt CO2-eq/yr; €/t; shadow prices in the unit given "
                "per row"),
    ResultSheet("Measure plan", "one row per measure: status, committed share by year, abatement, unprofitable gap, "
                "subsidy per instrument, € per tonne paid and why it is not (fully) funded",
                "shares in %; M€; Mt CO2-eq/yr; €/t"),
    ResultSheet("Instrument use", "per instrument and year: spend against budget and the budget's shadow price; "
                "then over all years, with the period budget where there is one",
                "M€; %; shadow price in M€ saved per M€ of extra budget"),
    ResultSheet("Cash", "per instrument and year up to the last payment: commitments (verplichtingen) and cash "
                "paid out (kas), the money released (vrijval), the cash limits with their shadow prices, and a "
                "stacked column chart of cash by instrument with the commitments as a line; years before "
                "start_year are decisions of the past",
                "M€; shadow price in M€ saved per M€ of extra cash room"),
    ResultSheet("Resource use", "per resource and year: use against capacity and the shadow price of the capacity",
                "the resource's own unit (column unit); shadow price in M€ per unit of capacity"),
    ResultSheet("By cluster", "per industrial cluster: measures, how many are funded, abatement, subsidy, public cost",
                "Mt CO2-eq/yr; M€"),
    ResultSheet("MACC", "measures sorted by unprofitable gap with cumulative abatement potential, and the marginal "
                "abatement cost curve (funded steps highlighted, the target as a vertical line); "
                "chart data in the helper columns on the right", "€/t; Mt CO2-eq/yr"),
    ResultSheet("About", "this page: versions, the input file and its SHA-256, overrides, how the plan was computed "
                "(objective, shortfall penalty, when a limit binds, cost weights, solver), sheets, units"),
    ResultSheet(RESULT_DOCUMENT_SHEET, "hidden: the plan's machine-readable result (JSON), read by policymix compare",
                hidden=True),
)
#: Sheets added in front of a plan by ``policymix simulate`` and ``policymix rules-gap``.
RULES_SHEETS: tuple[ResultSheet, ...] = (
    ResultSheet("Rules vs optimum", "the rules' plan beside the optimum, at the same abatement and with the same "
                "spending: the extra public cost of the rules and the extra abatement of the optimum",
                "M€; Mt CO2-eq/yr; €/t"),
    ResultSheet("Rule outcomes", "what each instrument's own rules did with every measure: granted, realised, "
                "blocked by what", "M€; shares in %; €/t"),
    ResultSheet("Rounds", "every allocation stage of every instrument, year by year", "M€; €/t"),
)
#: The result sheets of a futures workbook (``policymix futures``), in order; the input sheets follow.
FUTURES_SHEETS: tuple[ResultSheet, ...] = (
    ResultSheet("Summary", "the answer in sentences: how likely the target is (P(target met) with its 95 % Wilson "
                "interval), the expected public cost and shortfall, the p-sure abatement, the robust core; for a "
                "confidence level what it costs to be that sure or the most that can be and what limits it; for "
                "decide-by what to commit now and the value of the stochastic solution",
                "M€; Mt CO2-eq/yr; shares in %"),
    ResultSheet("Confidence", "confidence runs only: the cheapest plan that is p sure of every target (or the one "
                "meeting it in the most futures and why no plan does better), its commitments, the cost-of-"
                "confidence curve with a chart, and each plan judged on fresh futures (out of sample)",
                "M€; Mt CO2-eq/yr; shares in %"),
    ResultSheet("Here and now", "decide-by only: the commitments of the years up to the decision year, the same in "
                "every future, beside the plan for the mean-value future", "shares in %"),
    ResultSheet("Futures", "one row per future: the drawn value of every uncertain input, whether every target is "
                "met, public cost, abatement and shortfall per target year", "M€; Mt CO2-eq/yr; the drawn values "
                "in their own unit (a factor for scale, years for shift)"),
    ResultSheet("Charts", "the distribution of target-year abatement against the target (a histogram) and the "
                "cumulative probability of meeting the target against the public cost (native charts; their data "
                "beside them)", "Mt CO2-eq/yr; M€; shares in %"),
    ResultSheet("Sure abatement", "per target year: the abatement reached in at least 50 %, 80 % and 95 % of the "
                "futures, against the target, with a chart", "Mt CO2-eq/yr"),
    ResultSheet("Cash bands", "per instrument and year: the 10th, 50th and 90th percentile of the cash paid over the "
                "futures, with a chart", "M€"),
    ResultSheet("Measure shares", "per measure: the share of futures that fund it, robust (≥ 90 %) or contingent",
                "shares in %"),
    ResultSheet("Drivers", "per uncertain input (a group or an ungrouped row): how much it moves the shortfall — "
                "Spearman's rank correlation and a first-order variance share (RBD-FAST)", "−1 … 1; shares"),
    ResultSheet("About", "this page: the run (mode, samples, seed, workers, models built), versions, the input file "
                "and its SHA-256, how to repeat it"),
)
#: The result sheets of a delays workbook (``policymix delays``), in order; the input sheets follow.
DELAYS_SHEETS: tuple[ResultSheet, ...] = (
    ResultSheet("Summary", "the delays that cost most, in sentences: abatement lost with the plan fixed, and "
                "re-planned the extra public cost and the shortfall left", "Mt CO2-eq/yr; M€"),
    ResultSheet("Delays", "one row per item (a stock resource whose capacity rises, a lumpy measure) and years of "
                "delay, with charts of the abatement lost and the extra public cost per year of delay",
                "Mt CO2-eq/yr; M€"),
    ResultSheet("About", "this page: the plan fixed, the years of delay, versions, the input file and its SHA-256, "
                "how to repeat it"),
)
#: The sheet in front of the blank template (``policymix template``).
TEMPLATE_SHEETS: tuple[str, ...] = ("Instructions",)
#: Sheets a workbook read as input skips silently, in every language (a Dutch plan re-runs too): the result
#: sheets of plans, rules and futures, the template's instructions, and the near-optimal alternatives (names
#: starting so).
RESULT_SHEETS: frozenset[str] = frozenset(
    t.lower() for s in [x.title for x in PLAN_SHEETS + RULES_SHEETS + FUTURES_SHEETS + DELAYS_SHEETS]
    + list(TEMPLATE_SHEETS)
    for t in in_every_language(s))
ALTERNATIVE_PREFIXES: tuple[str, ...] = tuple(sorted({
    t.split("{")[0].strip().lower() for text in ("Alternatives", "Alternative {k}") for t in in_every_language(text)}))
#: The names of a plan's Summary sheet, in every language (what marks a workbook as a plan).
SUMMARY_SHEETS: frozenset[str] = frozenset(t.lower() for t in in_every_language("Summary"))


#: Text read as a number: digits with an optional decimal point and exponent (no thousands separators, no
#: decimal comma, no underscores), or a word for a non-finite number (refused with its own message).
_NUMBER_TEXT = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_NOT_FINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"}


def _number(value: object) -> float | None:
    """A cell's number, or None. Text counts when it is a plain number: "12.000", which reads as 12000 in
    Dutch and 12.0 in English, is not one (:func:`~optimiser.input.hints.number_hint` names both)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        if ambiguous(text) or not (_NUMBER_TEXT.match(text) or text.lower() in _NOT_FINITE):
            return None
        return float(text)
    return None


_TRUE = {"yes", "y", "true", "1", "ja", "j"}
_FALSE = {"no", "n", "false", "0", "nee", ""}


def parse_value(value: object, type_: str, check: str = "") -> tuple[object, str | None]:
    """Convert a cell value to the column's type: (value, error text or None).

    ``value`` is None for a blank cell; a blank returns (None, None) and the
    caller decides whether blank is allowed. ``check`` is the column's value rule: a share column's
    hint for '80%' is the fraction.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if type_ == "ids":
            return (), None
        return None, None
    if type_ == "str":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip(), None
    if type_ == "ids":
        parts = [p.strip() for p in str(value).split(";")]
        return tuple(p for p in parts if p), None
    if type_ == "numbers":
        parts = [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else \
            [p for p in str(value).split(";") if p.strip()]
        numbers = []
        for part in parts:
            number = _number(part)
            if number is None or not math.isfinite(number):
                return None, _("found {value!r}, expected numbers separated by ';'", value=value) + number_hint(part)
            numbers.append(number)
        return tuple(numbers), None
    if type_ == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value), None
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, _("found {value!r}, expected yes or no", value=value)
    if type_ in ("float", "int"):
        number = _number(value)
        if number is None:
            return None, _("found {value!r}, expected a number", value=value) + number_hint(
                value, share=check in ("share", "0..1"))
        if not math.isfinite(number):
            return None, _("found {value!r}, expected a finite number", value=value)
        if type_ == "int":
            if not number.is_integer():
                return None, _("found {value!r}, expected a whole number", value=value)
            return int(number), None
        return number, None
    if type_ == "any":
        if isinstance(value, str):
            number = _number(value)
            if number is not None and math.isfinite(number):
                return number, None
            return value.strip(), None
        if isinstance(value, bool):
            return value, None
        if isinstance(value, (int, float)):
            if not math.isfinite(float(value)):
                return None, _("found {value!r}, expected a finite number", value=value)
            return float(value), None
        return str(value), None
    raise ValueError(f"unknown column type {type_}")


#: Most entries a payout profile may have (a commitment paid out over at most this many years).
MAX_PAYOUT_YEARS = 60


def parse_payout(value: object) -> tuple[str | None, str | None]:
    """An instruments.payout cell as its canonical text ("operating" or "0.2;0.5;0.3"): (text, error)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "1", None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = format(float(value), ".15g")
    text = str(value).strip()
    if text.lower() == OPERATING:
        return OPERATING, None
    shares, err = parse_value(text, "numbers")
    expected = _("expected '{operating}' or the shares paid in the commitment year and the years after it, "
                 "separated by ';' and summing to 1 (e.g. 0.2;0.5;0.3)", operating=OPERATING)
    if err or not shares:
        return None, _("found {value!r}, {expected}", value=value, expected=expected)
    if any(v < 0 for v in shares):
        return None, _("found {text}: a share is negative; {expected}", text=text, expected=expected)
    if len(shares) > MAX_PAYOUT_YEARS:
        return None, _("found {n} shares, expected at most {most} (one per year)", n=len(shares), most=MAX_PAYOUT_YEARS)
    if abs(sum(shares) - 1.0) > 1e-6:
        hint = _("; shares are fractions: write {fractions}", fractions=";".join(f"{v / 100:g}" for v in shares)) \
            if abs(sum(shares) - 100.0) < 1e-6 else ""
        return None, _("found {text}: the shares sum to {total}; {expected}", text=text, total=f"{sum(shares):.6g}",
                       expected=expected) + hint
    return ";".join(format(v, ".15g") for v in shares), None


def check_value(value: float, rule: str) -> str | None:
    """Apply a column's value rule; return the error text or None."""
    if not rule or value is None:
        return None
    if rule == "rising":
        if any(v < 0 for v in value) or any(b <= a for a, b in zip(value, value[1:])):
            shown = ";".join(f"{v:g}" for v in value)
            return _("found {value}, expected numbers ≥ 0 rising from one to the next", value=shown)
        return None
    if rule == ">=0" and value < 0:
        return _("found {value}, expected a number ≥ 0", value=f"{value:g}")
    if rule == ">0" and value <= 0:
        return _("found {value}, expected a number > 0", value=f"{value:g}")
    if rule == "share" and not (0 < value <= 1):
        return _("found {value}, expected a share in (0, 1]", value=f"{value:g}") + share_hint(value)
    if rule == "0..1" and not (0 <= value <= 1):
        return _("found {value}, expected a share in [0, 1]", value=f"{value:g}") + share_hint(value)
    return None
