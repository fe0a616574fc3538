"""One program over N futures (the extensive form), with recourse: decide-by and planning to a confidence level.

Built sparsely from the same family rows as every plan (:func:`optimiser.model.families.model_rows`),
made recourse rows (:func:`optimiser.analysis.recourse.recourse_rows`): for each future f its own rows, over
its own copies of every variable, except the commitments of years ≤ ``until`` (d_{m,y} and, for lumpy
measures, b_{m,y}), which are one column shared by all futures (non-anticipativity). The matrix is handed
to HiGHS directly (no modelling layer): N blocks coupled only through the shared columns.

A commitment made now is made through its instruments now: its subsidy is s^f_{m,i,t} = Gap^f_{m,t} · q_{m,i,t}
with q_{m,i,t} ≥ 0, the share of m committed in t through instrument i, one column shared by all futures
(Σ_i q_{m,i,t} = d_{m,t}: the funding rows), re-priced at each future's gap Gap^f_{m,t} in that future's
budget, cap, cash and cost rows. So each future adds no subsidy column for the commitments made now, and a
row over shared columns only that is the same in every future (a deployable share, a forced decision, a
funding row) is written once.

A shared commitment is a column also in a future where it could not operate within the horizon (a longer
lead time: it is paid, counts against u_m and abates nothing there; an operating instrument releases it),
and is fixed at 0 where a future cannot fund it at all.

Objectives (cost_f: the public cost of future f, :func:`optimiser.analysis.recourse.cost_terms`):

- expected cost and penalty (decide-by): min (1/N) Σ_f [cost_f + P · Σ_y σ^f_y];
- a chance constraint (planning to a confidence level, ``need=K``): one binary z_f per future,

      σ^f_y ≤ M_{f,y} · (1 − z_f)   ∀ f, target year y     (M_{f,y} = T_y − past abatement^f_y: the most
                                                              shortfall future f can have)
      Σ_f z_f + v ≥ K,   0 ≤ v ≤ K
      min (1/N) Σ_f cost_f + (ε/N) Σ_{f,y} σ^f_y + B · v

  A counted future (z_f = 1) has no shortfall. In a future not counted the shortfall costs only ε (a
  tie-break: 10⁻⁶ M€ per Mt/yr, below any money the solver tells apart), so the plan spends nothing there to
  reduce a shortfall that does not change whether the target is met — the least expected public cost at
  that confidence, as asked. v, the futures short of K, costs B = 1 + an upper bound of any future's public
  cost, so one solve gives the plan meeting the target in the most futures (K − v) at least cost when no
  plan reaches K (B outweighs every cost difference). Neither ε · σ nor B · v is ever reported as a cost.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ..input.data import PlanInput
from ..input.uncertainty import Future
from ..lang import _
from ..model.families import TARGET, model_rows
from ..model.index import index_sets, unit_gap
from ..model.solve import INF, PRIMAL_TOL, confirm_infeasible, new_highs
from .futures import FutureResult
from .recourse import RUN, TOL, cost_terms, evaluate, recourse_rows

#: The cost of a shortfall in a future the chance constraint does not count (M€ per Mt/yr): a tie-break.
UNCOUNTED_PENALTY = 1e-6
#: Bytes the extensive form takes per nonzero and per row or column while it is built and solved
#: (Python lists while building, the matrix and HiGHS's copies; measured on the default workbook).
BYTES_PER_NONZERO = 260
BYTES_PER_LINE = 900


@dataclass
class Size:
    futures: int
    columns: int
    rows: int
    nonzeros: int
    binaries: int

    @property
    def bytes(self) -> int:
        return self.nonzeros * BYTES_PER_NONZERO + (self.rows + self.columns) * BYTES_PER_LINE


def shared(name: str, index, until: int) -> bool:
    """Whether a variable is a commitment made now: d or b of a year ≤ ``until``."""
    return name in ("d", "b") and isinstance(index, tuple) and isinstance(index[-1], int) and index[-1] <= until


def future_rows(inp: PlanInput, until: int, recourse: bool = True):
    """(index sets, rows, public cost terms, penalty terms) of one future of the program."""
    idx = index_sets(inp, late_until=until)
    rows = model_rows(idx, inp)
    if recourse:
        rows = recourse_rows(idx, inp, rows)
    cost, penalty = cost_terms(idx, inp, rows)
    return idx, rows, cost, penalty


def estimate(first: PlanInput, n: int, until: int, *, chance: bool = False, recourse: bool = True) -> Size:
    """The extensive form's size for ``n`` futures, from one future's rows (before any other is built)."""
    idx, rows, _cost, _penalty = future_rows(first, until, recourse)
    nrow = sum(len(r.terms) for r in rows.values())
    nnz = sum(len(t) for r in rows.values() for t in r.terms.values())
    runs = len(rows.get("operate").terms) if recourse and "operate" in rows else 0
    cols = (sum(1 for k in idx.d_keys if k[1] > until) + sum(1 for k in idx.s_keys if k[2] > until)
            + len(idx.target_years) + sum(1 for k in idx.lumpy_keys if k[1] > until) + runs)
    if chance:  # per future: z_f, its rows σ + M z ≤ M, and its term in Σ z + v ≥ K
        nrow += len(idx.target_years)
        nnz += 2 * len(idx.target_years) + 1
        cols += 1
    binaries = len(idx.lumpy_keys) + (1 if chance else 0)
    return Size(n, cols * n, nrow * n + (1 if chance else 0), nnz * n, binaries * n)


class Program:
    """The extensive form on a live HiGHS instance, with what is needed to read each future back.

    ``need``: None (expected cost and penalty) or K, the futures a chance constraint must count.
    """

    def __init__(self, inputs: list[PlanInput], until: int, *, recourse: bool = True, need: int | None = None):
        import highspy
        import numpy as np
        from scipy.sparse import coo_matrix

        self.inputs = inputs
        self.until = until
        self.need = need
        n = len(inputs)
        self.n = n
        domain = DOMAINS
        self.col: dict[tuple, int] = {}
        self.shared_col: dict[tuple, int] = {}
        lower: list[float] = []
        upper: list[float] = []
        integer: list[int] = []
        cost: list[float] = []

        self._shared_set: set[int] = set()

        def column(key: tuple, name: str) -> int:
            j = self.col.get(key)
            if j is None:
                j = self.col[key] = len(lower)
                if len(key) == 2 and key[0] in ("d", "b", "q"):
                    self._shared_set.add(j)
                lb, ub, binary = domain.get(name, (0.0, 1.0, True) if name == "b" else (0.0, INF, False))
                lower.append(lb)
                upper.append(ub)
                cost.append(0.0)
                if binary:
                    integer.append(j)
            return j

        def var(name: str, index, f: int) -> int:
            if name == "q":
                key = ("q", index)
                return column(key, name)
            if shared(name, index, until):
                key = (name, index)
                j = column(key, name)
                self.shared_col[key] = j
                return j
            return column((f, name, index), name)

        r_idx: list[int] = []
        c_idx: list[int] = []
        vals: list[float] = []
        row_lo: list[float] = []
        row_up: list[float] = []
        self.future_cols: list[dict[tuple, int]] = []
        self.repriced: list[dict[tuple, tuple[int, float]]] = []  # per future: s key → (q column, Gap^f)
        self.row_key: list[tuple] = []  # per row: (future, family, key)
        written: set = set()  # rows over shared columns only, as written once
        self.cost_of: list[tuple[list[int], list[float]]] = []  # per future: public cost columns and coefficients
        self.penalty_of: list[tuple[list[int], list[float]]] = []
        self.big = 1.0
        shared_in: list[set] = []
        self.z: list[int | None] = []
        chance_rows: list[tuple[int, int, float]] = []  # (shortfall column, z column, M)
        for f, inp in enumerate(inputs):
            idx, fam, cost_terms_f, penalty_terms = future_rows(inp, until, recourse)
            mine: dict[tuple, int] = {}
            scaled: dict[tuple, tuple[int, float]] = {}

            def place(c: float, v: str, i) -> tuple[float, int]:
                """(coefficient, column) of a term: a subsidy of a commitment made now is Gap^f · q."""
                if v == "s" and i[2] <= until:
                    j = var("q", i, f)
                    gap = idx.gap.get((i[0], i[2]), 0.0)
                    scaled[i] = (j, gap)
                    return c * gap, j
                j = var(v, i, f)
                mine[(v, i)] = j
                return c, j

            for name, rows in fam.items():
                sense = rows.sense
                for key, terms in rows.terms.items():
                    placed = [place(c, v, i) for c, v, i in terms]
                    rhs = rows.rhs[key]
                    if placed and all(self._is_shared(j) for _c, j in placed):
                        big = max(abs(c) for c, _j in placed) or 1.0
                        same = (name, sense, round(rhs / big, 12),
                                tuple(sorted((j, round(c / big, 12)) for c, j in placed)))
                        if same in written:
                            continue  # the same row over shared columns as another future's
                        written.add(same)
                    k = len(row_lo)
                    for c, j in placed:
                        r_idx.append(k)
                        c_idx.append(j)
                        vals.append(c)
                    self.row_key.append((f, name, key))
                    row_lo.append(rhs if sense in (">=", "==") else -INF)
                    row_up.append(rhs if sense in ("<=", "==") else INF)
            for k in idx.d_keys:  # a variable in no row and no cost still belongs to the future
                mine.setdefault(("d", k), var("d", k, f))
            cols_f, coefs_f = [], []
            for c, v, i in cost_terms_f:
                c, j = place(c, v, i)
                cols_f.append(j)
                coefs_f.append(c)
                cost[j] += c / n
            self.cost_of.append((cols_f, coefs_f))
            pcols, pcoefs = [], []
            for c, v, i in penalty_terms:
                j = var(v, i, f)
                mine[(v, i)] = j
                pcols.append(j)
                pcoefs.append(c)
                cost[j] += (c if need is None else UNCOUNTED_PENALTY) / n
            self.penalty_of.append((pcols, pcoefs))
            if need is not None:
                self.big = max(self.big, 1.0 + _most_cost(idx, inp))
                zj = None
                for y in idx.target_years:
                    sj = mine.get(("shortfall", y))
                    if sj is None:
                        continue
                    most = max(0.0, fam[TARGET].rhs[y])
                    if most <= TOL:
                        upper[sj] = 0.0  # this target is met whatever is committed
                        continue
                    if zj is None:
                        zj = column((f, "z", None), "z")
                        lower[zj], upper[zj] = 0.0, 1.0
                        integer.append(zj)
                    chance_rows.append((sj, zj, most))
                self.z.append(zj)
            self.future_cols.append(mine)
            self.repriced.append(scaled)
            shared_in.append({key for key in mine if shared(key[0], key[1], until)})
        # a shared commitment that some future cannot make at all is not made
        for key, j in self.shared_col.items():
            if any(key not in have for have in shared_in):
                upper[j] = 0.0
        self.always = 0
        if need is not None:
            for sj, zj, most in chance_rows:  # σ + M z ≤ M
                k = len(row_lo)
                r_idx += [k, k]
                c_idx += [sj, zj]
                vals += [1.0, most]
                row_lo.append(-INF)
                row_up.append(most)
            self.always = sum(1 for z in self.z if z is None)  # futures that meet every target whatever is done
            k = len(row_lo)
            for zj in self.z:
                if zj is not None:
                    r_idx.append(k)
                    c_idx.append(zj)
                    vals.append(1.0)
            self.short = column(("short",), "short")
            lower[self.short], upper[self.short] = 0.0, float(n)
            cost[self.short] = self.big
            r_idx.append(k)
            c_idx.append(self.short)
            vals.append(1.0)
            row_lo.append(float(need - self.always))
            row_up.append(INF)
            self.count_row = k
        self.row_key += [(None, "chance", k) for k in range(len(row_lo) - len(self.row_key))]
        self.n_col, self.n_row = len(lower), len(row_lo)
        A = coo_matrix((vals, (r_idx, c_idx)), shape=(self.n_row, self.n_col)).tocsc()
        A.sum_duplicates()
        A.eliminate_zeros()
        A.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n_col, self.n_row
        lp.col_cost_ = np.array(cost)
        lp.col_lower_ = np.array(lower)
        lp.col_upper_ = np.array(upper)
        lp.row_lower_ = np.array(row_lo)
        lp.row_upper_ = np.array(row_up)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        self.integer = sorted(set(integer))
        if self.integer:
            kinds = [highspy.HighsVarType.kContinuous] * self.n_col
            for j in self.integer:
                kinds[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        self.nonzeros = int(A.nnz)
        self.lower, self.upper = np.array(lower), np.array(upper)
        h = new_highs()
        h.setOptionValue("mip_rel_gap", float(inputs[0].settings.mip_gap))
        if self.integer:
            h.setOptionValue("mip_feasibility_tolerance", PRIMAL_TOL)
        h.passModel(lp)
        self.highs = h
        self.x = None
        self._objective = None
        self.gap = 0.0
        self.status = ""

    def _is_shared(self, j: int) -> bool:
        return j in self._shared_set

    @property
    def size(self) -> Size:
        return Size(self.n, self.n_col, self.n_row, self.nonzeros, len(self.integer))

    # ------------------------------------------------------------ solving

    def solve(self, time_limit_s: float | None = None, start=None) -> tuple[bool, str, float]:
        """Solve; ``start``: a solution (column values) to start branch and bound from."""
        import highspy

        h = self.highs
        if time_limit_s:
            h.setOptionValue("time_limit", float(time_limit_s))
        if start is not None and self.integer:
            sol = highspy.HighsSolution()
            sol.col_value = list(start)
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        confirm_infeasible(h)
        status = h.getModelStatus()
        text = h.modelStatusToString(status)
        info = h.getInfo()
        ok = status == highspy.HighsModelStatus.kOptimal
        if not ok and self.integer and status == highspy.HighsModelStatus.kTimeLimit \
                and info.primal_solution_status == 2:
            ok = True  # a feasible plan within the time limit: reported with its gap
        self.status = text
        if not ok:
            return False, text, math.inf
        self.x = list(h.getSolution().col_value)
        gap = float(getattr(info, "mip_gap", 0.0) or 0.0) if self.integer else 0.0
        self.gap = gap if math.isfinite(gap) else 0.0
        self._objective = float(info.objective_function_value)
        return True, text, self.gap

    def fix_counted(self, f: int, low: float, high: float) -> None:
        """Bound z_f (0 ≤ z_f ≤ 1 restores it): a future no plan can meet is never counted (0, 0)."""
        z = self.z[f]
        if z is not None:
            self.highs.changeColsBounds(1, [z], [float(low)], [float(high)])
            self.lower[z], self.upper[z] = float(low), float(high)

    def set_need(self, need: int) -> None:
        """Change K, the futures the chance constraint must count (the same live instance)."""
        self.need = need
        self.highs.changeRowBounds(self.count_row, float(need - self.always), INF)

    def solve_fixed(self, fixed: dict[tuple, float], time_limit_s: float | None = None) -> tuple[bool, str, float]:
        """Re-solve with every shared commitment fixed (at ``fixed`` or 0); the bounds are restored after."""
        import numpy as np

        cols = np.array(list(self.shared_col.values()), dtype=np.int32)  # d and b (q: the mix stays free)

        def value(key) -> float:
            if key in fixed:
                return fixed[key]
            if key[0] == "b":  # a lumpy project's binary follows its commitment: d = u_m · b
                return 1.0 if fixed.get(("d", key[1]), 0.0) > TOL else 0.0
            return 0.0

        values = np.array([min(max(value(k), 0.0), float(self.upper[j])) for k, j in self.shared_col.items()])
        h = self.highs
        h.clearSolver()
        h.changeColsBounds(len(cols), cols, values, values)
        try:
            return self.solve(time_limit_s)
        finally:
            h.changeColsBounds(len(cols), cols, self.lower[cols], self.upper[cols])

    def row_duals(self, future: int = 0) -> dict[tuple[str, object], float]:
        """(family, key) → the dual value of each row of ``future`` at the current solution; for a program with
        binaries, of the LP with them fixed at their values (the instance is restored after)."""
        import highspy
        import numpy as np

        h = self.highs
        if self.integer:
            cols = np.array(self.integer, dtype=np.int32)
            at = np.round(np.array([self.x[j] for j in self.integer]))
            h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
            h.changeColsBounds(len(cols), cols, at, at)
            try:
                h.run()
                duals = list(h.getSolution().row_dual)
            finally:
                h.changeColsBounds(len(cols), cols, self.lower[cols], self.upper[cols])
                h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kInteger] * len(cols)))
        else:
            duals = list(h.getSolution().row_dual)
        return {(name, key): duals[k] for k, (f, name, key) in enumerate(self.row_key) if f == future}

    def objective_value(self) -> float:
        return self._objective

    # ------------------------------------------------------------ reading back

    def here_and_now(self) -> dict[str, dict[int, float]]:
        """measure → year ≤ until → share committed now (the same in every future)."""
        out: dict[str, dict[int, float]] = defaultdict(dict)
        for (name, (m, y)), j in sorted(self.shared_col.items(), key=lambda kv: (kv[0][1][0], kv[0][1][1])):
            if name == "d" and self.x[j] > TOL:
                out[m][y] = float(self.x[j])
        return dict(out)

    def shared_values(self) -> dict[tuple, float]:
        return {key: float(self.x[j]) for key, j in self.shared_col.items() if self.x[j] > TOL}

    def counted(self) -> list[bool]:
        """Per future: whether the chance constraint counts it (z_f = 1, or its targets are met whatever)."""
        return [True if z is None else self.x[z] > 0.5 for z in self.z]

    def met_in_program(self) -> int:
        return sum(self.counted()) if self.need is not None else 0

    def program_cost(self) -> float:
        """The mean over futures of the public cost as the program prices it."""
        return sum(sum(c * self.x[j] for j, c in zip(*self.cost_of[f])) for f in range(self.n)) / max(1, self.n)

    def values(self, f: int) -> tuple[dict, dict, dict]:
        """(new commitments d, subsidies s, shortfall σ) of future f under the current solution."""
        new, subsidy, shortfall = {}, {}, {}
        for (name, i), j in self.future_cols[f].items():
            v = self.x[j]
            if name == "d":
                new[i] = v
            elif name == "s":
                subsidy[i] = v
            elif name == "shortfall":
                shortfall[i] = v
        for i, (j, gap) in self.repriced[f].items():
            if self.x[j] > TOL and gap > 0:
                subsidy[i] = gap * self.x[j]
        return new, subsidy, shortfall

    def results(self, futures: list[Future], note: str | None = None) -> list[FutureResult]:
        """Each future under the current solution, evaluated with recourse (what can run, runs)."""
        out = []
        for f, inp in enumerate(self.inputs):
            new, subsidy, _shortfall = self.values(f)
            out.append(future_result(futures[f].number, inp, new, subsidy,
                                     note if note is not None else _("stochastic program")))
        return out


def future_result(number: int, inp: PlanInput, new: dict, subsidy: dict, note: str) -> FutureResult:
    """A future's outcome from its commitments, evaluated with recourse."""
    ev = evaluate(inp, new, subsidy)
    penalty = float(inp.settings.shortfall_penalty_eur_per_t or 0.0) * sum(ev.shortfall_mt.values())
    return FutureResult(number, "target_met" if ev.target_met else "target_not_met", ev.public_cost_meur,
                        ev.public_cost_meur + penalty, dict(ev.abatement_mt), dict(ev.shortfall_mt),
                        dict(ev.committed), idle_mt=ev.idle_mt, solver_note=note, cash_meur=ev.cash_meur,
                        released_meur=ev.released_meur)


def _most_cost(idx, inp: PlanInput) -> float:
    """An upper bound of the public cost of any plan of this future: each measure's whole share at its dearest
    gap, paid by its dearest instrument."""
    total = 0.0
    for m, years in idx.d_years.items():
        meas = inp.measures[m]
        weights = [inp.instruments[i].cost_weight for i in meas.eligible_instruments if i in inp.instruments]
        gap = max((unit_gap(inp, m, y) for y in years), default=0.0) * meas.abatement_mt * meas.support_years
        total += max(weights, default=1.0) * gap * meas.max_share
    return total


#: Each variable's bounds and integrality, as the plan's model declares them (model/build.py).
DOMAINS: dict[str, tuple[float, float, bool]] = {
    "d": (0.0, INF, False), "s": (0.0, INF, False), "shortfall": (0.0, INF, False), "b": (0.0, 1.0, True),
    RUN: (0.0, INF, False), "z": (0.0, 1.0, True), "short": (0.0, INF, False), "q": (0.0, INF, False),
}
