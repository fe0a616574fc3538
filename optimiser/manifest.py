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
  ``any``    a number or text (settings values, override values)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"
    required: bool = False
    default: object = None
    unit: str = ""
    description: str = ""
    check: str = ""  # value rule: ">=0", ">0", "share" (0 < v <= 1), "0..1"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    id_column: str | None = None  # the column whose values are unique ids
    year_columns: bool = False  # one column per year, start_year … target_year
    year_unit: str = ""
    year_description: str = ""
    required: bool = True

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


SETTINGS_KEYS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("scenario_name", "str", False, "default", "", "name of this scenario, used in output file names"),
        Column("start_year", "int", True, None, "year", "first year in which commitments can be made (y0)"),
        Column("target_year", "int", True, None, "year", "year by which the reduction must be reached"),
        Column("target_reduction_mt", "float", True, None, "Mt CO2-eq/yr", "required reduction in the target year", ">=0"),
        Column("base_year_emissions_mt", "float", False, None, "Mt CO2-eq/yr", "emissions in the base year (for reporting)", ">=0"),
        Column("shortfall_penalty_eur_per_t", "float", False, 10_000.0, "€/t", "penalty P on each tonne of shortfall", ">0"),
        Column("mip_gap", "float", False, 1e-4, "share", "relative optimality gap for plans with lumpy measures", "0..1"),
        Column("time_limit_s", "float", False, None, "s", "solver time limit (blank = none)", ">0"),
        Column("objective", "str", False, "min-cost", "", "min-cost: least public cost meeting the targets; "
               "max-abatement: most abatement in the target year within budgets and limits (no target)",
               choices=("min-cost", "max-abatement")),
        Column("elastic", "bool", False, False, "yes/no", "let budgets and resource limits give at a penalty, to "
               "name what must be relaxed to meet the target"),
        Column("strict", "bool", False, False, "yes/no", "allow no shortfall: an unreachable target gives the "
               "conflicting limits (an irreducible infeasible subset) instead of a plan"),
        Column("elastic_budget_penalty", "float", False, 10.0, "M€ per M€", "elastic mode: price of each M€ of "
               "budget added", ">0"),
        Column("elastic_resource_penalty", "float", False, 10.0, "M€ per unit", "elastic mode: price of each unit "
               "of resource capacity added (MW, FTE, kt, Mt, …)", ">0"),
    )
}

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "settings",
        "Run settings: one key per row.",
        (
            Column("key", "str", True, description="setting name: " + ", ".join(SETTINGS_KEYS)),
            Column("value", "any", True, description="setting value"),
            Column("unit", "str", description="unit of the value (for the reader)"),
            Column("source", "str", description="where the value comes from"),
        ),
        id_column="key",
    ),
    Sheet(
        "measures",
        "Abatement measures: one per row.",
        (
            Column("measure_id", "str", True, description="unique id"),
            Column("name", "str", description="descriptive name"),
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
            Column("eligible_instruments", "ids", True, unit="ids", description="instrument ids separated by ';' (may be empty)"),
            Column("source", "str", description="where the figures come from"),
        ),
        id_column="measure_id",
    ),
    Sheet(
        "instruments",
        "Subsidy instruments: one per row.",
        (
            Column("instrument_id", "str", True, description="unique id"),
            Column("name", "str", description="descriptive name"),
            Column("kind", "str", description="kind of support (operating, investment, tax deduction, …)"),
            Column("cost_weight", "float", False, 1.0, "€/€", "w_i: public cost per euro paid (1 for a grant)", ">=0"),
            Column("capex_share_cap", "float", False, None, "share", "at most this share of a measure's capex (blank = none)", "0..1"),
            Column("eur_per_t_cap", "float", False, None, "€/t", "at most this many € per tonne over the support period (blank = none)", ">=0"),
            Column("period_budget_meur", "float", False, None, "M€", "budget over all years (blank = none)", ">=0"),
            Column("source", "str", description="where the figures come from"),
        ),
        id_column="instrument_id",
    ),
    Sheet(
        "budgets",
        "Yearly commitment ceiling of each instrument.",
        (
            Column("instrument_id", "str", True, description="instrument id"),
            Column("source", "str", description="where the figures come from"),
        ),
        id_column="instrument_id",
        year_columns=True,
        year_unit="M€",
        year_description="B_{i,y}: commitment ceiling in that year (0 = no budget that year)",
    ),
    Sheet(
        "resources",
        "Limited resources: one per row, with a capacity per year.",
        (
            Column("resource_id", "str", True, description="unique id"),
            Column("name", "str", description="descriptive name"),
            Column("kind", "str", True, description="stock: used by what operates; flow: used by what is being built", choices=("stock", "flow")),
            Column("unit", "str", description="unit of the capacity and of the usage amounts"),
            Column("source", "str", description="where the figures come from"),
        ),
        id_column="resource_id",
        year_columns=True,
        year_unit="resource unit",
        year_description="Cap_{r,y}: capacity in that year",
    ),
    Sheet(
        "usage",
        "Use of each resource by each measure at full deployment.",
        (
            Column("measure_id", "str", True, description="measure id"),
            Column("resource_id", "str", True, description="resource id"),
            Column("amount", "float", True, unit="resource unit", description="a_{m,r}: use at full deployment (negative = the measure supplies it)"),
            Column("source", "str", description="where the figures come from"),
        ),
    ),
    Sheet(
        "prices",
        "Yearly prices; row co2_price_eur_per_t is required.",
        (
            Column("parameter", "str", True, description="price name, e.g. co2_price_eur_per_t"),
            Column("source", "str", description="where the figures come from"),
        ),
        id_column="parameter",
        year_columns=True,
        year_unit="€/t",
        year_description="p_y: effective CO2 price a firm committing in that year counts on",
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
    ),
    Sheet(
        "scenarios",
        "Named what-if override sets, applied with --scenario NAME.",
        (
            Column("scenario", "str", True, description="scenario name"),
            Column("sheet", "str", True, description="sheet to change"),
            Column("id", "str", True, description="row id (shell wildcards allowed); for settings the key"),
            Column("column", "str", True, description="column to change (wildcards allowed); for settings 'value'"),
            Column("op", "str", True, description="set, scale or add", choices=("set", "scale", "add")),
            Column("value", "any", True, description="new value, factor or delta"),
            Column("note", "str", description="what the override means"),
        ),
        required=False,
    ),
)

SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}

#: Result sheets of a plan workbook: a plan re-read as input skips them silently.
RESULT_SHEETS: tuple[str, ...] = (
    "summary", "measure plan", "instrument use", "resource use", "by cluster", "macc", "about",
)


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        try:
            return float(text)
        except ValueError:
            return None
    return None


_TRUE = {"yes", "y", "true", "1", "ja", "j"}
_FALSE = {"no", "n", "false", "0", "nee", ""}


def parse_value(value: object, type_: str) -> tuple[object, str | None]:
    """Convert a cell value to the column's type: (value, error text or None).

    ``value`` is None for a blank cell; a blank returns (None, None) and the
    caller decides whether blank is allowed.
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
        return None, f"found {value!r}, expected yes or no"
    if type_ in ("float", "int"):
        number = _number(value)
        if number is None:
            return None, f"found {value!r}, expected a number"
        if not math.isfinite(number):
            return None, f"found {value!r}, expected a finite number"
        if type_ == "int":
            if not number.is_integer():
                return None, f"found {value!r}, expected a whole number"
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
                return None, f"found {value!r}, expected a finite number"
            return float(value), None
        return str(value), None
    raise ValueError(f"unknown column type {type_}")


def check_value(value: float, rule: str) -> str | None:
    """Apply a column's value rule; return the error text or None."""
    if not rule or value is None:
        return None
    if rule == ">=0" and value < 0:
        return f"found {value:g}, expected a number ≥ 0"
    if rule == ">0" and value <= 0:
        return f"found {value:g}, expected a number > 0"
    if rule == "share" and not (0 < value <= 1):
        return f"found {value:g}, expected a share in (0, 1]"
    if rule == "0..1" and not (0 <= value <= 1):
        return f"found {value:g}, expected a share in [0, 1]"
    return None
