"""The input data as one typed object, and the problem type every stage reports.

This module sits at the bottom of the package: every stage imports it and it
imports no other stage. Everything here is plain, immutable data.

Units: money in M€, abatement in Mt CO2-eq per year, unit costs in €/t.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, TypeVar

from ..lang import _

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, named by where it is.

    ``row`` is the spreadsheet row number (1-based, the header is row 1 of its
    sheet). Any of the location fields may be None when it does not apply.
    """

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(_("sheet '{sheet}'", sheet=self.sheet))
        if self.row is not None:
            where.append(_("row {row}", row=self.row))
        if self.column:
            where.append(_("column '{column}'", column=self.column))
        return (", ".join(where) + ": " if where else "") + self.message


class InputError(Exception):
    """Bad input or usage: carries every problem found (exit code 2)."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def with_file(self, file: str) -> "InputError":
        return InputError(
            [p if p.file else Problem(p.message, file, p.sheet, p.row, p.column) for p in self.problems]
        )


def every(calls: Iterable[Callable[[], T]]) -> list[T]:
    """What each call returns, in order; when some raise :class:`InputError`, one error listing all their problems
    (so a user sees every mistake at once, not the first)."""
    values: list[T] = []
    problems: list[Problem] = []
    for call in calls:
        try:
            values.append(call())
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return values


@dataclass(frozen=True)
class Settings:
    start_year: int
    target_year: int
    target_reduction_mt: float
    scenario_name: str = "default"
    base_year_emissions_mt: float | None = None
    shortfall_penalty_eur_per_t: float | None = None  # None: derived from the data (model.index.shortfall_penalty)
    mip_gap: float = 1e-4
    time_limit_s: float | None = None
    solver: str = "auto"  # LP algorithm: auto, dual, primal or ipm (optimiser.model.solve.ALGORITHMS)
    objective: str = "min-cost"  # or "max-abatement": most abatement within budgets and limits, no target
    elastic: bool = False  # the least total relative relaxation of the relaxable limits, then least cost
    strict: bool = False  # no shortfall allowed; an infeasible target gives an IIS instead of a plan
    language: str | None = None  # "en" or "nl": the workbooks and the terminal (None: English; --lang wins)

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.target_year + 1))


@dataclass(frozen=True)
class Measure:
    measure_id: str
    abatement_mt: float
    cost_eur_per_t: float
    support_years: float
    earliest_year: int
    eligible_instruments: tuple[str, ...]
    name: str = ""
    sector: str = ""
    cluster: str = ""
    capex_meur: float = 0.0
    lead_time_years: int = 0
    max_share: float = 1.0
    lumpy: bool = False
    exclusive_group: str = ""
    source: str = ""
    row: int | None = None  # source row in the measures sheet, for messages
    fence: str = ""  # rules simulation: the fence (ring-fenced sub-budget) it competes in first


@dataclass(frozen=True)
class Instrument:
    instrument_id: str
    name: str = ""
    kind: str = ""
    cost_weight: float = 1.0
    capex_share_cap: float | None = None
    eur_per_t_cap: float | None = None
    period_budget_meur: float | None = None
    source: str = ""
    row: int | None = None
    allocation: str = ""  # rules simulation: sde_round, tender, fcfs, maatwerk or none ("" = from the id)
    phases_eur_per_t: tuple[float, ...] = ()  # rules simulation, sde_round: rising phase ceilings (€/t)
    payout: str = "1"  # cash: "operating" (per tonne while the measure runs) or shares "0.2;0.5;0.3" summing to 1

    @property
    def payout_profile(self) -> tuple[float, ...] | None:
        """The shares of a commitment paid in its year and the years after it; None when paid while operating."""
        if self.payout.strip().lower() == OPERATING:
            return None
        return tuple(float(p) for p in self.payout.split(";") if p.strip())


#: ``Instrument.payout`` of an instrument that pays per tonne while the measure runs (like SDE++).
OPERATING = "operating"


@dataclass(frozen=True)
class Committed:
    """A decision already taken (sheet ``committed``): ``share`` of a measure committed in ``year``.

    Before start_year it is a decision of the past: it operates from ``year`` + L_m, counts toward the
    targets and uses resources, its subsidy (``subsidy_meur`` from ``instrument_id``) is paid out in cash,
    and its money is sunk (in no budget, not in the objective). From start_year on it is a forced
    decision: d_{m,year} ≥ share, paid and budgeted like any other commitment (``instrument_id`` and
    ``subsidy_meur`` are then a record of the deal; the plan pays the gap through the measure's instruments).
    """

    measure_id: str
    year: int
    share: float
    instrument_id: str = ""
    subsidy_meur: float | None = None
    row: int | None = None  # source row in the committed sheet, for messages
    note: str = ""


@dataclass(frozen=True)
class Fence:
    """Rules simulation: a sub-budget ('hekje') reserved inside an instrument's yearly budget (M€ per year)."""

    fence_id: str
    instrument_id: str
    budget: Mapping[int, float]
    name: str = ""
    eur_per_t_cap: float | None = None
    source: str = ""
    row: int | None = None


@dataclass(frozen=True)
class CashLimit:
    """A cash ceiling (sheet ``cash_limits``): the most ``instrument_id`` (``*``: all instruments together)
    may pay out in each year given (M€)."""

    instrument_id: str
    limits: Mapping[int, float]
    source: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Resource:
    resource_id: str
    kind: str  # "stock" (used by what operates) or "flow" (used by what is built)
    capacity: Mapping[int, float]
    name: str = ""
    unit: str = ""
    source: str = ""
    row: int | None = None


@dataclass(frozen=True)
class PlanInput:
    """Everything the model needs, after validation (and overrides).

    ``budgets[i][y]``: commitment ceiling of instrument i in year y (M€).
    ``usage[(m, r)]``: use of resource r at full deployment of measure m.
    ``prices[parameter][y]``: yearly price rows; ``co2_price_eur_per_t`` is required. Years after
    target_year are a price outlook, used only for cash (a missing later year takes the last year given).
    ``targets[y]``: required reduction (Mt) in each target year.
    ``scenarios``: the scenarios sheet rows, kept so a plan can be re-run.
    ``extra``: sheet rows the model does not use but a re-run needs (e.g. notes).
    ``uncertainty``: the uncertainty sheet's rows (``policymix futures``), kept so a run can be repeated.
    """

    settings: Settings
    measures: Mapping[str, Measure]
    instruments: Mapping[str, Instrument]
    budgets: Mapping[str, Mapping[int, float]]
    resources: Mapping[str, Resource]
    usage: Mapping[tuple[str, str], float]
    prices: Mapping[str, Mapping[int, float]]
    targets: Mapping[int, float]
    scenarios: tuple["ScenarioRow", ...] = ()
    sources: Mapping[tuple[str, str], str] = field(default_factory=dict)
    fences: Mapping[str, Fence] = field(default_factory=dict)  # rules simulation only; the model ignores them
    committed: tuple[Committed, ...] = ()  # decisions already taken (past) or forced (from start_year)
    #: ``cash_limits[id].limits[t]``: most cash paid in year t by instrument ``id`` (``*``: all instruments), M€
    cash_limits: Mapping[str, CashLimit] = field(default_factory=dict)
    uncertainty: tuple["UncertainRow", ...] = ()  # futures only (docs/model.md section 14); the model ignores it

    @property
    def years(self) -> list[int]:
        return self.settings.years

    @property
    def co2_price(self) -> Mapping[int, float]:
        return self.prices["co2_price_eur_per_t"]

    def price_at(self, t: int) -> float:
        """p_t for the cash projection: the price of year t where the prices sheet gives it (before start_year:
        the prices the decisions already taken were paid at, where given); before the first year given, the
        first year given (start_year's, unless earlier years are given); after the last year given, the last
        year given (a missing year takes the last year given before it)."""
        prices = self.co2_price
        if t in prices:
            return prices[t]
        earlier = [y for y in prices if y <= t]
        return prices[max(earlier)] if earlier else prices[min(prices)]

    @property
    def first_year(self) -> int:
        """The first year the workbook describes: start_year, or the first year of the CO2 price row where it gives
        earlier years (a re-planned workbook keeps the prices of the years its plan already decided). The
        canonical rule counts the years from it (docs/model.md, "Canonical plans")."""
        return min([self.settings.start_year, *self.co2_price])

    @property
    def past_decisions(self) -> list["Committed"]:
        """Rows of sheet ``committed`` before start_year: decisions of the past."""
        return [c for c in self.committed if c.year < self.settings.start_year]

    @property
    def forced_decisions(self) -> list["Committed"]:
        """Rows of sheet ``committed`` from start_year on: lower bounds on d."""
        return [c for c in self.committed if c.year >= self.settings.start_year]


@dataclass(frozen=True)
class ScenarioRow:
    """One override: ``op`` (set, scale or add) ``value`` on SHEET:ID:COLUMN."""

    scenario: str
    sheet: str
    id: str
    column: str
    op: str
    value: object
    note: str = ""
    row: int | None = None

    def spec(self) -> str:
        if self.sheet.lower() == "settings":
            target = f"settings:{self.id}"
        else:
            target = f"{self.sheet}:{self.id}:{self.column}"
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"--{self.op} {target}={value}"


@dataclass(frozen=True)
class UncertainRow:
    """One uncertain input (sheet ``uncertainty``): ``op`` with a value drawn from ``distribution`` on
    SHEET:ID:COLUMN, as an override. Rows with the same ``group`` take the same quantile of their own
    distribution (docs/model.md section 14)."""

    name: str
    sheet: str
    id: str
    column: str
    op: str  # scale, add, set or shift (a year series moved k whole years later)
    distribution: str  # uniform, triangular, normal or choice
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    group: str = ""
    source: str = ""
    row: int | None = None
