"""Futures: the uncertainty sheet's rows drawn by Latin hypercube sampling, each future a list of overrides.

docs/model.md section 14. One *dimension* per group (rows with the same
``group``) or ungrouped row, in the order they first appear on the sheet.
``scipy.stats.qmc.LatinHypercube(d, rng=seed)`` draws N points in [0, 1)^d:
each dimension's N values fall one in each of the N equal strata. A row's
value is its distribution's inverse CDF (quantile function, from
``scipy.stats``) at its dimension's u, so the rows of one group take the same
quantile of their own distributions:

  uniform(low, high)            scipy.stats.uniform(low, high − low)
  triangular(low, mode, high)   scipy.stats.triang((mode − low)/(high − low), low, high − low)
  normal(mean, sd)              scipy.stats.norm(mean, sd); with low and/or high, scipy.stats.truncnorm
  choice(values, weights)       the first value whose cumulative weight share reaches u

``shift`` draws are rounded to whole years (half away from zero). The futures
depend on the rows, N and the seed only: they are drawn once, in the parent,
so they are the same whatever the number of workers.

The mean-value future (for the value of the stochastic solution) sets every
row at its distribution's mean: (low + high)/2, (low + mode + high)/3, the
(truncated) normal's mean, a choice's weighted mean; rounded for ``shift`` and
for a column of whole numbers (lead times), which an override cannot make
fractional.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..lang import _
from .data import PlanInput, ScenarioRow, UncertainRow
from .manifest import SETTINGS_KEYS, SHEET_BY_NAME

#: The scenario name the override rows of a future carry (shown in messages).
FUTURE = "future"


@dataclass(frozen=True)
class Dimension:
    """One dimension of the hypercube: a group, or one ungrouped row."""

    key: str  # the group, or the row's name
    rows: tuple[int, ...]  # positions of its rows in the uncertainty sheet's rows
    grouped: bool

    def label(self, rows: tuple[UncertainRow, ...]) -> str:
        if not self.grouped:
            return self.key
        names = sorted({rows[k].name for k in self.rows})
        if len(names) > 1:
            return _("group {group} ({n} rows)", group=self.key, n=len(self.rows))
        return _("group {group}: {name}", group=self.key, name=names[0])


@dataclass(frozen=True)
class Future:
    """One drawn future: its number (1-based), u per dimension, the value of every row, its overrides."""

    number: int
    u: tuple[float, ...]
    values: tuple[float, ...]  # one per uncertainty row
    overrides: tuple[ScenarioRow, ...]

    def draw(self, rows: tuple[UncertainRow, ...]) -> dict[str, float]:
        """{uncertainty name: value} (rows of one group sharing a name show the first one's value)."""
        out: dict[str, float] = {}
        for row, value in zip(rows, self.values):
            out.setdefault(row.name, value)
        return out


def dimensions(rows: tuple[UncertainRow, ...]) -> list[Dimension]:
    """One per group or ungrouped row, in the order of first appearance."""
    groups: dict[str, list[int]] = {}
    order: list[tuple[str, object]] = []
    for k, row in enumerate(rows):
        if row.group:
            if row.group not in groups:
                groups[row.group] = []
                order.append(("group", row.group))
            groups[row.group].append(k)
        else:
            order.append(("row", k))
    dims = []
    for kind, item in order:
        if kind == "group":
            dims.append(Dimension(item, tuple(groups[item]), True))
        else:
            dims.append(Dimension(rows[item].name, (item,), False))
    return dims


def _frozen(row: UncertainRow):
    """The scipy.stats distribution of a continuous row (None for choice or a single point)."""
    from scipy import stats

    d = row.distribution
    if d == "uniform":
        return None if row.high == row.low else stats.uniform(row.low, row.high - row.low)
    if d == "triangular":
        width = row.high - row.low
        return None if width == 0 else stats.triang((row.mode - row.low) / width, row.low, width)
    if d == "normal":
        if row.low is None and row.high is None:
            return stats.norm(row.mean, row.sd)
        a = -math.inf if row.low is None else (row.low - row.mean) / row.sd
        b = math.inf if row.high is None else (row.high - row.mean) / row.sd
        return stats.truncnorm(a, b, loc=row.mean, scale=row.sd)
    return None


def _weights(row: UncertainRow) -> list[float]:
    weights = list(row.weights) if row.weights else [1.0] * len(row.values)
    total = sum(weights)
    return [w / total for w in weights]


def quantile(row: UncertainRow, u: float) -> float:
    """The row's value at quantile u (its inverse CDF); ``shift`` rounded to whole years."""
    return quantiles(row, [u])[0]


def quantiles(row: UncertainRow, us) -> list[float]:
    """The row's values at the quantiles ``us`` (one frozen distribution for all of them)."""
    if row.distribution == "choice":
        weights = _weights(row)
        values = []
        for u in us:
            acc, value = 0.0, row.values[-1]
            for v, w in zip(row.values, weights):
                acc += w
                if u < acc:
                    value = v
                    break
            values.append(value)
    else:
        dist = _frozen(row)
        if dist is None:
            values = [float(row.low)] * len(us)
        else:
            import numpy as np

            values = [float(v) for v in dist.ppf(np.asarray(us, dtype=float))]
    return [whole(v) if row.op == "shift" else float(v) for v in values]


def mean(row: UncertainRow, whole_column: bool = False) -> float:
    """The row's mean (the mean-value future); rounded for shift and for a column of whole numbers."""
    if row.distribution == "choice":
        value = sum(v * w for v, w in zip(row.values, _weights(row)))
    elif row.distribution == "normal":
        value = float(_frozen(row).mean())
    elif row.distribution == "uniform":
        value = (row.low + row.high) / 2
    else:
        value = (row.low + row.mode + row.high) / 3
    return whole(value) if row.op == "shift" or whole_column else float(value)


def whole(x: float) -> int:
    """x rounded to a whole number, halves away from zero (2.5 → 3, −0.5 → −1)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def overrides(rows: tuple[UncertainRow, ...], values) -> tuple[ScenarioRow, ...]:
    """The override rows that put each uncertainty row at its value."""
    out = []
    for row, value in zip(rows, values):
        if row.op == "shift" or isinstance(value, int):
            value = int(value)
        out.append(ScenarioRow(FUTURE, row.sheet, row.id, row.column, row.op, value, note=row.name))
    return tuple(out)


def sample(rows: tuple[UncertainRow, ...], n: int, seed: int):
    """The N × D Latin hypercube in [0, 1) (D = the number of dimensions), from ``seed``."""
    import numpy as np
    from scipy.stats import qmc

    dims = dimensions(rows)
    if not dims:
        return np.zeros((n, 0))
    return qmc.LatinHypercube(d=len(dims), rng=int(seed)).random(n)


def draw_futures(rows: tuple[UncertainRow, ...], n: int, seed: int) -> list[Future]:
    """N futures by Latin hypercube sampling from ``seed`` (the same whatever runs them)."""
    dims = dimensions(rows)
    cube = sample(rows, n, seed)
    where = {k: d for d, dim in enumerate(dims) for k in dim.rows}
    columns = [quantiles(row, cube[:, where[k]]) for k, row in enumerate(rows)]  # one pass per row
    futures = []
    for f in range(n):
        u = tuple(float(x) for x in cube[f])
        values = tuple(col[f] for col in columns)
        futures.append(Future(f + 1, u, values, overrides(rows, values)))
    return futures


def mean_future(inp: PlanInput) -> Future:
    """The mean-value future: every row at its mean (number 0)."""
    rows = inp.uncertainty
    values = tuple(mean(row, whole_column=whole_numbers(row)) for row in rows)
    return Future(0, tuple(0.5 for _dim in dimensions(rows)), values, overrides(rows, values))


def whole_numbers(row: UncertainRow) -> bool:
    """Whether the row changes a column of whole numbers (a lead time, a year)."""
    if row.sheet == "settings":
        col = SETTINGS_KEYS.get(row.id.strip().lower())
        return col is not None and col.type == "int"
    spec = SHEET_BY_NAME.get(row.sheet)
    if spec is None:
        return False
    col = spec.column(row.column.strip().lower())
    return col is not None and col.type == "int"
