"""The columns of a result table, from the result-field registry (:mod:`optimiser.model.fields`).

The workbooks and the terminal show a table as columns: this module makes them from the fields a view
shows, so no writer lists fields by hand. Three shapes:

- **wide** (:func:`columns`): one row per item of a table (a measure, an instrument, …); the fields of the
  table one axis below it spread over that axis in place (the Measure plan's "committed share 2025",
  "committed share 2026", …), and each constraint family whose limits are keyed by the rows' items adds its
  shadow price (:func:`family_columns`);
- **long** (:func:`long_columns`): one row per key of a table (a target year, an instrument and year): the
  key columns, then the fields, each label without the key it no longer needs;
- **headline** (:func:`headline_columns`): one row per plan, sweep point, future or rules run, read from its
  :class:`optimiser.model.fields.Headline`: the plan's fields, the fields per target year and per
  instrument spread over the years and instruments given, those of one table side by side per key.

A :class:`Column` knows its header, number format and layout (for :class:`optimiser.report.xlsx.Col`) and
reads its value from a plan (:meth:`Column.of`) or a headline record (:meth:`Column.of_record`), as the
sheet shows it (codes in words, flags as yes/no, zeros left blank in a compact table).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lang import _
from ..model.families import Family, objective_unit, reported
from ..model.fields import FIELDS, PLAN, SHADOW, Field, Headline, Table, fields
from ..model.results import PlanResult
from .xlsx import Col


@dataclass(frozen=True)
class Column:
    """One column: a field (and the key it is spread over), or a family's shadow price."""

    header: str
    field: Field | None = None
    key: object = None
    family: Family | None = None
    page: bool = False  # a printed page may start here
    span: int = 1  # sheet columns it takes (a long table's text beside narrow number columns)

    @property
    def col(self) -> Col:
        """The toolkit's column."""
        f = self.field
        if f is None:
            return Col(self.header, SHADOW)
        return Col(self.header, f.fmt, f.wrap, self.span)

    def of(self, result: PlanResult, row: tuple, *, compact: bool = False):
        """Its value in the row of a plan's table with key ``row``, as a sheet shows it."""
        return self.getter(result, compact=compact)(row)

    def getter(self, result: PlanResult, *, compact: bool = False):
        """A function of a row's key giving its value as a sheet shows it (made once per table: a plant-level
        Measure plan reads 300 000 values)."""
        if self.family is not None:
            prices, join = result.shadow.get(self.family.name, {}), self.family.join
            # a family that lists every limit of the input has none for a row it does not list (an instrument
            # without a period budget: blank); for the others the model's rows are the limits (0 without one)
            absent = None if self.family.limits is not None else 0.0

            def price(row):
                value = prices.get(join(*_id_year(row)), absent)
                return None if compact and value == 0 else value
            return price
        f, key = self.field, self.key
        value = f.value if key is None else (lambda r, *row: f.value(r, *row, key))
        plain = f.words is None and f.fmt is not None  # a number: shown as it is
        blank = compact and f.blank_zero

        def read(row):
            v = value(result, *row)
            if blank and v == 0:
                return None
            return v if plain and not isinstance(v, bool) else f.shown(v, result)
        return read

    def of_record(self, record: Headline, result: PlanResult | None = None):
        """Its value in a headline record, as a sheet shows it."""
        value = record.get(self.field, self.key)
        return None if value is None else self.field.shown(value, result)

    def text(self, record: Headline) -> str:
        """Its value in a headline record as text (the terminal)."""
        return self.field.text(record.get(self.field, self.key))


def _id_year(row: tuple) -> tuple:
    """A family's (id, year) of a table row key: (id,) or (id, year)."""
    return (row[0], row[1]) if len(row) > 1 else (row[0], None)


def _spread_keys(f: Field, result: PlanResult | None, inp, keys: dict | None):
    """The keys a field of the table below spreads over: given per axis (``keys``), else the plan's."""
    axis = f.table.axes[-1]
    if keys is not None and axis.name in keys:
        found = keys[axis.name]
    else:
        found = f.table.keys(inp, result)
    if f.spread == "target":
        targets = set(inp.targets)
        found = [k for k in found if k in targets]
    return found


def _runs(selected: list[Field], table: Table) -> list[list[Field]]:
    """Consecutive fields of one table below ``table`` spread the same way form a run (side by side per key)."""
    runs: list[list[Field]] = []
    for f in selected:
        last = runs[-1][-1] if runs else None
        if (last is not None and f.table is not table and last.table is f.table and last.spread == f.spread):
            runs[-1].append(f)
        else:
            runs.append([f])
    return runs


def _spread(selected: list[Field], table: Table, inp, result: PlanResult | None, keys: dict | None,
            context: dict) -> list[Column]:
    out: list[Column] = []
    for run in _runs(selected, table):
        if run[0].table is table:
            out.append(Column(run[0].header(inp, **context), run[0], page=run[0].page))
            continue
        first = True
        for k in _spread_keys(run[0], result, inp, keys):
            for f in run:
                out.append(Column(f.header(inp, k, **context), f, k, page=first and f.page))
                first = False
    return out


def columns(result: PlanResult, table: Table, view: str, *, compact: bool = False, **context) -> list[Column]:
    """The wide columns of a plan's table (its key column not included): its fields, those of the table one
    axis below spread in place, then the shadow price of each family keyed by its rows."""
    inp = result.input
    zero = _("; blank = 0") if compact else ""
    selected = [f for f in fields(view=view, inp=inp, under=table)
                if f.table is table or f.table.parent is table]
    out = _spread(selected, table, inp, result, None, dict(context, zero=zero))
    return out + family_columns(result, table, zero=zero)


def family_columns(result: PlanResult, table: Table, *, zero: str = "") -> list[Column]:
    """The shadow price of every reported family whose limits are keyed by the rows of ``table`` (a measure,
    an instrument, an instrument and year, a resource and year): one column each."""
    inp = result.input
    rows = {tuple(k) for k in table.rows(result)}
    items = {k[0] for k in rows}
    out = []
    for f in reported():
        keys = result.shadow.get(f.name, {})
        if not keys:
            continue
        ids = [f.split(k) for k in keys]
        if len(table.axes) == 1:
            fits = all(i in items and y is None for i, y in ids)
        else:
            fits = all(y is not None and (i, y) in rows for i, y in ids)
        if not fits:
            continue
        units = {f.shadow_unit_of(inp, k) for k in keys}
        unit = units.pop() if len(units) == 1 else _("{objective} per unit of the limit", objective=objective_unit(inp))
        header = _("shadow price of its {label} ({unit}{zero})", label=f.text("label"), unit=unit, zero=zero)
        out.append(Column(header, family=f, page=not out))
    return out


def long_columns(result: PlanResult, table: Table, view: str, **context) -> list[Column]:
    """The columns of a table shown one row per key: its fields, labelled without the key (the key columns
    come first: :func:`key_headers`), then the families keyed by its rows."""
    inp = result.input
    out = [Column(f.header(inp, long=True, **context), f, span=f.span) for f in fields(table, view, inp)]
    return out + family_columns(result, table)


def key_headers(table: Table) -> list[Col]:
    """The key columns of a table (measure id; instrument, year; …)."""
    return [Col(_(axis.label)) for axis in table.axes]


def rows(result: PlanResult, table: Table, cols: list[Column], *, keys: bool = True, compact: bool = False):
    """The rows of a plan's table: its key (``keys``), then each column's value."""
    getters = [c.getter(result, compact=compact) for c in cols]
    for row in table.rows(result):
        values = [get(row) for get in getters]
        yield (list(row) + values) if keys else values


def headline_columns(inp, view: str, *, target_years=None, instruments=None, result: PlanResult | None = None,
                     **context) -> list[Column]:
    """The columns of headline records (sweep points, futures, rules runs): the plan's fields, then those per
    target year (over ``target_years``) and per instrument (over ``instruments``) in place."""
    selected = [f for f in fields(view=view, inp=inp) if f.headline and (f.table is PLAN or f.table.parent is PLAN)]
    keys = {}
    if target_years is not None:
        keys["target year"] = list(target_years)
    if instruments is not None:
        keys["instrument"] = list(instruments)
    return _spread(selected, PLAN, inp, result, keys, context)


def record_columns(inp, views, *, target_years=None) -> list[Column]:
    """The columns of the records of a run rather than a plan (a futures run, a confidence level: read with
    :class:`optimiser.model.fields.Record`): the fields of any of ``views`` of the plan's table and per target
    year (spread over ``target_years``), in registry order."""
    selected = [f for f in FIELDS if any(v in f.views for v in views) and (f.table is PLAN or f.table.parent is PLAN)]
    keys = {"target year": list(target_years)} if target_years is not None else None
    return _spread(selected, PLAN, inp, None, keys, {})


def optional_columns(cols: list[Column], records: list[Headline]) -> list[Column]:
    """Leave out the columns of optional fields no record has a value for (other than 0, for "zero"; other than
    the value of the field named after "unlike:", for a field that only sometimes says more than another)."""
    empty = {"blank": (None,), "zero": (None, 0, 0.0)}

    def shown(c: Column) -> bool:
        if c.field is None or not c.field.optional:
            return True
        kind, _colon, other = c.field.optional.partition(":")
        if kind == "unlike":
            return any(not _same(record.get(c.field, c.key), record.get(other, c.key)) for record in records)
        return any(record.get(c.field, c.key) not in empty[kind] for record in records)

    return [c for c in cols if shown(c)]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def breaks(cols: list[Column], first: int = 0) -> list[int]:
    """The columns (0-based, counting ``first`` columns before these) a printed page may start at."""
    out = []
    for k, c in enumerate(cols):
        previous = cols[k - 1] if k else None
        new_run = previous is None or (previous.field is None) != (c.field is None) or (
            c.field is not None and previous.field is not None and previous.field.table is not c.field.table)
        if c.page or new_run:
            out.append(first + k)
    return out
