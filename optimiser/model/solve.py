"""Stage 4: hand the model to HiGHS and solve it.

The hand-off is Pyomo's linear standard-form compiler (mixed form) passed
straight to ``highspy.Highs.passModel``: measured in ``bench/`` against
Pyomo's APPSI interface, it is the fastest route for models of this size, and
it keeps the ``Highs`` instance so a sweep changes row bounds and coefficients
and re-solves warm instead of rebuilding.

A model with lumpy measures is a MILP: it is solved, then the binaries are
fixed at their optimum and the LP is re-solved for the shadow prices.

An elastic run (MODEL.md section 15) is lexicographic, as CPLEX feasOpt and
Gurobi feasRelax with minrelax: :meth:`Solver.least_relaxation` runs phase 1 on
the same instance (other costs, one added row), then :meth:`Solver.solve`
solves phase 2 — least public cost with that relaxation held.

Shadow prices are reported as the contract's non-negative numbers: how much
the objective falls when a limit is relaxed by one unit. For a ≤ row that is
−dual, for a ≥ row +dual (HiGHS duals are ∂objective/∂bound).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from ..input.data import PlanInput
from .build import Built, objective, relaxation
from .families import FAMILIES, model_rows
from .index import index_sets

INF = highspy.kHighsInf
#: Duals smaller than this are numerical noise and reported as 0.
DUAL_TOL = 1e-9
#: Feasibility tolerance of the LP and of MIP solutions alike (HiGHS's LP default).
PRIMAL_TOL = 1e-7
#: How far from a whole number an integer column of an LP relaxation may be and still count as whole.
INTEGRAL_TOL = 1e-9
#: A MILP without shadow prices (many futures) whose lumpy measures allow at most this many whole
#: assignments is solved as that many LPs, the best one kept: faster than branch and bound for a few.
ENUMERATE_MAX = 8
#: Relative size of the probing step (of the limit's right-hand side, at least one unit × this).
PROBE_STEP = 1e-4


@dataclass
class Solution:
    """What the solver found, keyed by the model's own names."""

    ok: bool
    status: str  # HiGHS model status text
    message: str
    objective: float = math.nan
    values: dict[str, dict] = field(default_factory=dict)  # component → index → value
    shadow: dict[str, dict] = field(default_factory=dict)  # family → index → shadow price (≥ 0 when relaxing helps)
    reduced: dict[str, dict] = field(default_factory=dict)  # variable → index → reduced cost (HiGHS col_dual)
    iis: list[tuple[str, object, float]] = field(default_factory=list)  # (family, index, rhs) of an infeasible subset
    mip: bool = False
    mip_gap: float = 0.0
    seconds: float = 0.0
    iterations: int = 0


class Solver:
    """A compiled model on a live HiGHS instance (kept for re-solves)."""

    def __init__(self, built: Built, *, time_limit_s: float | None = None, mip_gap: float | None = None,
                 threads: int | None = None):
        self.built = built
        settings = built.input.settings
        with PauseGC():
            repn = LinearStandardFormCompiler().write(built.model, mixed_form=True)
        self.columns = repn.columns
        self.rows = repn.rows
        A = repn.A.tocsc()
        n_col, n_row = A.shape[1], A.shape[0]
        c = np.asarray(repn.c.todense()).ravel() if n_col else np.zeros(0)
        lower = np.array([v.lb if v.lb is not None else -INF for v in self.columns], dtype=float)
        upper = np.array([v.ub if v.ub is not None else INF for v in self.columns], dtype=float)
        rhs = np.asarray(repn.rhs, dtype=float)
        # t == 0: equality (lower = upper = rhs); t == 1: ≤ rhs; t == -1: ≥ rhs
        row_lower = np.array([rhs[k] if t in (0, -1) else -INF for k, (_, t) in enumerate(self.rows)], dtype=float)
        row_upper = np.array([rhs[k] if t in (0, 1) else INF for k, (_, t) in enumerate(self.rows)], dtype=float)

        self.col_of: dict[tuple[str, object], int] = {}
        self.integer_cols: list[int] = []
        for j, v in enumerate(self.columns):
            name = v.parent_component().local_name
            self.col_of[(name, v.index())] = j
            if v.is_binary() or v.is_integer():
                self.integer_cols.append(j)
        self.row_of: dict[tuple[str, object], list[tuple[int, int]]] = {}
        for k, (con, t) in enumerate(self.rows):
            self.row_of.setdefault((con.parent_component().local_name, con.index()), []).append((k, t))

        lp = highspy.HighsLp()
        lp.num_col_ = n_col
        lp.num_row_ = n_row
        lp.col_cost_ = c
        lp.col_lower_ = lower
        lp.col_upper_ = upper
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        if self.integer_cols:
            integrality = [highspy.HighsVarType.kContinuous] * n_col
            for j in self.integer_cols:
                integrality[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = integrality
        self.offset = float(np.sum(repn.c_offset)) if len(repn.c_offset) else 0.0

        h = new_highs()
        tl = time_limit_s if time_limit_s is not None else settings.time_limit_s
        if tl:
            h.setOptionValue("time_limit", float(tl))
        gap = mip_gap if mip_gap is not None else settings.mip_gap
        h.setOptionValue("mip_rel_gap", float(gap))
        if self.integer_cols:
            # a MIP solution must stay feasible for the LP solved with its binaries fixed (for the duals):
            # HiGHS accepts MIP solutions within 1e-6, but the LP within its primal tolerance (1e-7)
            h.setOptionValue("mip_feasibility_tolerance", PRIMAL_TOL)
            h.setOptionValue("primal_feasibility_tolerance", PRIMAL_TOL)
        if threads:
            h.setOptionValue("threads", int(threads))
        h.passModel(lp)
        self.highs = h
        self._row_lower, self._row_upper = row_lower, row_upper
        self.probe_degenerate = True
        #: Shadow prices wanted: a model with lumpy measures is re-solved as an LP with its binaries fixed.
        #: Without them (many futures, no shadow prices reported) the MIP's solution is the answer.
        self.duals = True
        #: Without shadow prices, a MILP is first solved as its LP relaxation, which is the answer when its
        #: integer columns come out whole (:meth:`_integral_relaxation`; many futures, few lumpy measures).
        self.relax_first = False
        self._structure = None
        self._held: dict[str, tuple[int, dict[int, float]]] = {}  # rows an elastic run added: name → (row, coefs)
        self.n_col, self.n_row = n_col, n_row
        self.int_lower = lower[self.integer_cols] if self.integer_cols else None
        self.int_upper = upper[self.integer_cols] if self.integer_cols else None

    # ------------------------------------------------------------ solving

    def solve(self, *, phases: bool = True) -> Solution:
        """Solve the model (an elastic run: phase 1, then phase 2; ``phases=False``: the costs as they are)."""
        h = self.highs
        started = time.perf_counter()
        if self.n_col == 0:
            return Solution(ok=True, status="Optimal", message="empty model", objective=self.offset,
                            values={}, shadow={}, seconds=0.0)
        if phases and self.built.input.settings.elastic:
            failed = self.least_relaxation()
            if failed is not None:
                return failed
        elif self.integer_cols and self.relax_first and not self.duals:
            choices = self._lumpy_choices()
            found = (self._enumerate(choices, started) if 0 < len(choices) <= ENUMERATE_MAX
                     else self._integral_relaxation(started))
            if found is not None:
                return found
        h.run()
        status = h.getModelStatus()
        text = h.modelStatusToString(status)
        info = h.getInfo()
        iterations = int(getattr(info, "simplex_iteration_count", 0) or 0)
        if status != highspy.HighsModelStatus.kOptimal:
            iis = self.iis() if status == highspy.HighsModelStatus.kInfeasible else []
            return Solution(ok=False, status=text, message=_explain(text), seconds=time.perf_counter() - started,
                            mip=bool(self.integer_cols), iis=iis)
        mip_gap = 0.0
        if self.integer_cols:
            mip_gap = float(getattr(info, "mip_gap", 0.0) or 0.0)
        if self.integer_cols and self.duals:
            x = np.asarray(h.getSolution().col_value)
            fixed = np.round(x[self.integer_cols])
            cols = np.array(self.integer_cols, dtype=np.int32)
            h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
            h.changeColsBounds(len(cols), cols, fixed, fixed)
            h.run()
            status = h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                self._restore_integers()
                text = h.modelStatusToString(status)
                return Solution(ok=False, status=text, message="the LP with the lumpy decisions fixed failed: " + text,
                                seconds=time.perf_counter() - started, mip=True)
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        duals = np.asarray(sol.row_dual)
        col_duals = np.asarray(sol.col_dual)
        objective = float(h.getInfo().objective_function_value) + self.offset
        shadow = self._shadow_prices(duals) if self.duals else {}
        if self.probe_degenerate and self.duals:
            self._probe(shadow, objective)
        if self.integer_cols and self.duals:
            self._restore_integers()
        values: dict[str, dict] = {}
        reduced: dict[str, dict] = {}
        for (name, index), j in self.col_of.items():
            values.setdefault(name, {})[index] = float(x[j])
            reduced.setdefault(name, {})[index] = float(col_duals[j])
        return Solution(ok=True, status=text, message="optimal", objective=objective, values=values, shadow=shadow,
                        reduced=reduced,
                        mip=bool(self.integer_cols), mip_gap=mip_gap, seconds=time.perf_counter() - started,
                        iterations=iterations)

    def _lumpy_choices(self) -> list[np.ndarray]:
        """Every whole assignment of the integer columns that ``lumpy_once`` allows — each lumpy measure
        committed in one of its years or in none — as column values in ``integer_cols`` order; [] when
        there are other integer columns or more than ENUMERATE_MAX assignments."""
        position = {j: n for n, j in enumerate(self.integer_cols)}
        years: dict[object, list[int]] = {}
        for (name, index), j in self.col_of.items():
            if j in position:
                if name != "b":
                    return []
                years.setdefault(index[0], []).append(position[j])
        count = 1
        for cols in years.values():
            count *= len(cols) + 1
            if count > ENUMERATE_MAX:
                return []
        out = [np.zeros(len(self.integer_cols))]
        for m in sorted(years, key=str):
            grown = []
            for base in out:
                grown.append(base)
                for n in sorted(years[m]):
                    pick = base.copy()
                    pick[n] = 1.0
                    grown.append(pick)
            out = grown
        return out

    def _enumerate(self, choices: list[np.ndarray], started: float) -> Solution | None:
        """A MILP with few whole assignments: the best of the LPs with its integer columns fixed at each
        (the first of equal optima, in a fixed order, so the answer depends on the input only); None when
        an LP fails other than infeasible (then branch and bound decides)."""
        h = self.highs
        cols = np.array(self.integer_cols, dtype=np.int32)
        h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
        best = None
        iterations = 0
        try:
            for values in choices:
                h.changeColsBounds(len(cols), cols, values, values)
                h.run()
                status = h.getModelStatus()
                iterations += int(getattr(h.getInfo(), "simplex_iteration_count", 0) or 0)
                if status == highspy.HighsModelStatus.kInfeasible:
                    continue
                if status != highspy.HighsModelStatus.kOptimal:
                    return None
                value = float(h.getInfo().objective_function_value)
                if best is None or value < best[0] - 1e-9 * max(1.0, abs(best[0])):
                    best = (value, np.asarray(h.getSolution().col_value).copy())
            if best is None:
                return Solution(ok=False, status="Infeasible", message=_explain("Infeasible"),
                                seconds=time.perf_counter() - started, mip=True)
            values: dict[str, dict] = {}
            for (name, index), j in self.col_of.items():
                values.setdefault(name, {})[index] = float(best[1][j])
            return Solution(ok=True, status="Optimal", message="optimal", objective=best[0] + self.offset,
                            values=values, mip=True, seconds=time.perf_counter() - started, iterations=iterations)
        finally:
            self._restore_integers()
            h.clearSolver()

    def _integral_relaxation(self, started: float) -> Solution | None:
        """The LP relaxation's optimum, when every integer column takes a whole value there (then it is the
        MILP's optimum too, and no branch and bound is needed); else None, the model unchanged."""
        h = self.highs
        cols = np.array(self.integer_cols, dtype=np.int32)
        h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
        try:
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            x = np.asarray(h.getSolution().col_value)
            if np.max(np.abs(x[cols] - np.round(x[cols])), initial=0.0) > INTEGRAL_TOL:
                return None
            info = h.getInfo()
            values: dict[str, dict] = {}
            for (name, index), j in self.col_of.items():
                values.setdefault(name, {})[index] = float(x[j])
            return Solution(ok=True, status=h.modelStatusToString(h.getModelStatus()), message="optimal",
                            objective=float(info.objective_function_value) + self.offset, values=values,
                            mip=True, seconds=time.perf_counter() - started,
                            iterations=int(getattr(info, "simplex_iteration_count", 0) or 0))
        finally:
            h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kInteger] * len(cols)))
            h.clearSolver()  # the MILP, when it runs, starts from nothing the relaxation left

    # ------------------------------------------------------------ elastic runs

    def least_relaxation(self) -> Solution | None:
        """Phase 1 of an elastic run, on the live instance: hold the least total relative relaxation.

        Phase 1 minimises R = Σ_k r_k / |rhs_k| (:func:`optimiser.model.build.relaxation`) with no
        shortfall (σ fixed at 0). Where no relaxation suffices (phase 1 infeasible: the measures'
        potential is too small), the shortfall is weighted above any relaxation — in the limit: first
        the least total shortfall S* is found with every relaxation free and held (Σ_y σ_y ≤ S*), then
        the least R under it. Either way a row R ≤ R* is added (once; later runs update it) and the
        costs are set back to the model's objective, so :meth:`solve` then runs phase 2: least cost
        with the relaxation held. Returns None, or the failed Solution of a phase.
        """
        built, h = self.built, self.highs
        started = time.perf_counter()
        relax = self._coefs(relaxation(built.rows))
        sigma = [j for (name, _), j in self.col_of.items() if name == "shortfall"]
        self._hold("relaxation", relax, INF)  # free the rows an earlier run held
        self._hold("shortfall", {j: 1.0 for j in sigma}, INF)
        self._set_costs(relax)
        self._bound(sigma, 0.0)
        status, least = self._run()
        if status == highspy.HighsModelStatus.kInfeasible and sigma:
            self._bound(sigma, INF)
            self._set_costs({j: 1.0 for j in sigma})  # least shortfall, relaxations free
            status, shortfall = self._run()
            if status == highspy.HighsModelStatus.kOptimal:
                self._hold("shortfall", {j: 1.0 for j in sigma}, shortfall + _slack_of(shortfall))
                self._set_costs(relax)
                status, least = self._run()
        if status != highspy.HighsModelStatus.kOptimal:
            text = h.modelStatusToString(status)
            iis = self.iis() if status == highspy.HighsModelStatus.kInfeasible else []
            self._bound(sigma, INF)
            self._set_costs(self._coefs(objective(built.index, built.input, built.rows)))
            return Solution(ok=False, status=text, message="elastic run, least relaxation: " + _explain(text),
                            seconds=time.perf_counter() - started, mip=bool(self.integer_cols), iis=iis)
        self._bound(sigma, INF)
        self._hold("relaxation", relax, least + _slack_of(least))
        self._set_costs(self._coefs(objective(built.index, built.input, built.rows)))
        return None

    def _coefs(self, terms) -> dict[int, float]:
        """Terms (coefficient, variable, index) as column → coefficient (variables the model lacks left out)."""
        out: dict[int, float] = {}
        for c, v, i in terms:
            j = self.col_of.get((v, i))
            if j is not None:
                out[j] = out.get(j, 0.0) + c
        return out

    def _set_costs(self, costs: dict[int, float]) -> None:
        vector = np.zeros(self.n_col)
        for j, c in costs.items():
            vector[j] = c
        self.highs.changeColsCost(self.n_col, np.arange(self.n_col, dtype=np.int32), vector)

    def _bound(self, cols: list[int], upper: float) -> None:
        if cols:
            idx = np.array(cols, dtype=np.int32)
            self.highs.changeColsBounds(len(cols), idx, np.zeros(len(cols)), np.full(len(cols), upper))

    def _run(self) -> tuple[object, float]:
        """Run HiGHS: (model status, objective value), read before any change resets them."""
        self.highs.run()
        return self.highs.getModelStatus(), float(self.highs.getInfo().objective_function_value)

    def _hold(self, name: str, coefs: dict[int, float], upper: float) -> None:
        """The added row ``name``: Σ coefs · v ≤ upper (added once, then changed in place)."""
        held, h = self._held, self.highs
        if name not in held:
            if not coefs:
                return
            cols = np.array(list(coefs), dtype=np.int32)
            h.addRow(-INF, upper, len(cols), cols, np.array(list(coefs.values()), dtype=float))
            held[name] = (h.getNumRow() - 1, dict(coefs))
            return
        k, old = held[name]
        for j in old:
            if j not in coefs:
                h.changeCoeff(k, j, 0.0)
        for j, c in coefs.items():
            if old.get(j) != c:
                h.changeCoeff(k, j, c)
        h.changeRowBounds(k, -INF, upper)
        held[name] = (k, dict(coefs))

    def _shadow_prices(self, duals) -> dict[str, dict]:
        shadow: dict[str, dict] = {}
        for (name, index), rows in self.row_of.items():
            total = 0.0
            for k, t in rows:
                dual = float(duals[k])
                total += -dual if t == 1 else dual if t == -1 else -dual
            shadow.setdefault(name, {})[index] = 0.0 if abs(total) < DUAL_TOL else total
        return shadow

    def _probe(self, shadow: dict[str, dict], objective: float) -> None:
        """Replace each positive shadow price of a policy limit by the rate at which the objective
        really falls when that limit is relaxed.

        At a degenerate optimum the LP's duals are not unique and a dual can be
        positive although relaxing its limit saves nothing (the row is one of
        several that bind at the same point). The contract's shadow price is the
        fall of the objective per unit of relaxation, so each positive dual of a
        row of a family declared ``probed`` (the policy limits) is checked by a warm
        re-solve with the limit relaxed by a small step; where the dual is unique the
        two agree.
        """
        h = self.highs
        for name in (f.name for f in FAMILIES if f.probed):
            for index, value in shadow.get(name, {}).items():
                if value <= DUAL_TOL:
                    continue
                rows = self.row_of[(name, index)]
                if len(rows) != 1:
                    continue
                k, t = rows[0]
                lower, upper = float(self._row_lower[k]), float(self._row_upper[k])
                rhs = upper if t == 1 else lower
                step = PROBE_STEP * max(1.0, abs(rhs))
                if t == 1:
                    h.changeRowBounds(k, lower, upper + step)
                elif t == -1:
                    h.changeRowBounds(k, lower - step, upper)
                else:
                    continue
                h.run()
                if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    relaxed = float(h.getInfo().objective_function_value) + self.offset
                    rate = max(0.0, (objective - relaxed) / step)
                    shadow[name][index] = 0.0 if rate < DUAL_TOL else rate
                h.changeRowBounds(k, lower, upper)

    def iis(self) -> list[tuple[str, object, float]]:
        """An irreducible infeasible subset of rows, as (family, index, right-hand side), via HiGHS.

        Column bounds (d ≥ 0, …) in the subset are left out: they are not limits a
        user can relax.
        """
        h = self.highs
        h.setOptionValue("iis_strategy", 4)  # find a true (irreducible) IIS
        try:
            status, iis = h.getIis()
        except Exception:  # pragma: no cover - old highspy without getIis
            return []
        if not getattr(iis, "valid_", False):
            return []
        out, seen = [], set()
        for k in iis.row_index_:
            if k >= len(self.rows):  # a row an elastic run added, not a limit of the workbook
                continue
            con, t = self.rows[k]
            item = (con.parent_component().local_name, con.index())
            if item not in seen:
                seen.add(item)
                out.append(item + (float(self._row_upper[k] if t == 1 else self._row_lower[k]),))
        return out

    def write_model(self, path: str) -> None:
        """Write the model on the HiGHS instance, exactly as it will be solved, through HiGHS itself
        (``Highs.writeModel``; the format follows the extension: ``.mps`` or ``.lp``).

        Columns and rows are named after the model's components (``d_<measure>_<year>``,
        ``budget_<instrument>_<year>``, …; characters other than letters, digits, ``_`` and ``.``
        become ``_``) so the file can be read. The standard-form compiler's objective constant
        (``offset``, 0 for this model's objective) is written into the file, so a solver reading
        it reports the planner's objective; the live instance is left as it was.
        """
        h = self.highs
        for j, v in enumerate(_unique_names(_name(v) for v in self.columns)):
            h.passColName(j, v)
        for k, name in enumerate(_unique_names(_name(c) for c, _ in self.rows)):
            h.passRowName(k, name)
        before = float(h.getObjectiveOffset()[1])
        if self.offset:
            h.changeObjectiveOffset(before + self.offset)
        try:
            status = h.writeModel(str(path))
        finally:
            if self.offset:
                h.changeObjectiveOffset(before)
        if status == highspy.HighsStatus.kError:
            raise OSError(f"HiGHS could not write the model to {path}")

    def _restore_integers(self) -> None:
        cols = np.array(self.integer_cols, dtype=np.int32)
        self.highs.changeColsBounds(len(cols), cols, self.int_lower, self.int_upper)
        self.highs.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kInteger] * len(cols)))

    # ------------------------------------------------------------ what-if edits (sweeps)

    @staticmethod
    def structure(idx, rows: dict, obj: list) -> tuple:
        """What must stay equal for a re-solve to reuse this instance: every row's variables."""
        return (
            tuple(idx.d_keys), tuple(idx.s_keys), tuple(idx.lumpy_keys), tuple(idx.target_years),
            tuple((name, tuple((key, tuple((v, i) for _, v, i in terms)) for key, terms in r.terms.items()))
                  for name, r in rows.items()),
            tuple((v, i) for _, v, i in obj),
        )

    def update(self, inp: PlanInput, *, prepared: tuple | None = None) -> bool:
        """Load the numbers of ``inp`` into the live HiGHS instance.

        Returns False, changing nothing, when ``inp`` gives the model another
        structure (another variable or term appears or disappears, e.g. a gap
        that becomes zero or a budget that becomes zero): the caller then
        builds afresh. Otherwise right-hand sides, coefficients and costs are
        changed in place and the next :meth:`solve` starts from the last basis.
        """
        if prepared is not None:  # (index, rows, objective, structure) the caller has computed already
            idx, rows, obj, structure = prepared
        else:
            idx = index_sets(inp, **self.built.options)
            rows = model_rows(idx, inp)
            obj = objective(idx, inp, rows)
            structure = self.structure(idx, rows, obj)
        old = self.built
        old_obj = objective(old.index, old.input, old.rows)
        if self._structure is None:
            self._structure = self.structure(old.index, old.rows, old_obj)
        if structure != self._structure:
            return False
        h = self.highs
        col_of = self.col_of
        # the same structure: the same rows with the same terms in the same order; change what differs
        for name, r in rows.items():
            before = old.rows[name]
            for key, terms in r.terms.items():
                placed = self.row_of.get((name, key))
                if not placed:
                    continue
                rhs = r.rhs[key]
                old_terms = before.terms[key]
                for k, t in placed:
                    lo, up = (rhs if t in (0, -1) else -INF), (rhs if t in (0, 1) else INF)
                    if lo != self._row_lower[k] or up != self._row_upper[k]:
                        h.changeRowBounds(k, lo, up)
                        self._row_lower[k], self._row_upper[k] = lo, up
                    for (c, v, i), (c_old, _, _) in zip(terms, old_terms):
                        if c != c_old:
                            j = col_of.get((v, i))
                            if j is not None:
                                h.changeCoeff(k, j, c)
        for (c, v, i), (c_old, _, _) in zip(obj, old_obj):
            if c != c_old:
                j = col_of.get((v, i))
                if j is not None:
                    h.changeColCost(j, c)
        self.built = Built(model=self.built.model, index=idx, input=inp, rows=rows, options=self.built.options)
        return True


def _name(component) -> str:
    """A variable's or row's name in a written model: component and index, e.g. ``budget_SDE___2025``."""
    index = component.index()
    parts = index if isinstance(index, tuple) else (index,)
    text = "_".join([component.parent_component().local_name] + [str(p) for p in parts if p is not None])
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_.") else "_" for ch in text)


def _unique_names(names):
    """The names, each made unique by a ``_2``, ``_3``, … suffix where sanitising made two alike."""
    seen: dict[str, int] = {}
    for name in names:
        n = seen.get(name, 0) + 1
        seen[name] = n
        yield name if n == 1 else f"{name}_{n}"


def _slack_of(value: float) -> float:
    """How far a held phase-1 value may be exceeded in phase 2 (solver tolerance, not a choice)."""
    return 1e-9 * (1.0 + abs(value))


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance: its banner goes to the C-level stdout, which
    would corrupt ``--json -``, so stdout is pointed at /dev/null meanwhile."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def _explain(status_text: str) -> str:
    low = status_text.lower()
    if "time limit" in low:
        return "the solver reached its time limit before proving a plan optimal (raise time_limit_s)"
    if "infeasible" in low:
        return "no plan meets every target within the limits"
    if "unbounded" in low:
        return "the solver found the model unbounded (check for negative cost weights)"
    return f"the solver stopped with status '{status_text}'"


def solver_version() -> str:
    try:
        return f"HiGHS {new_highs().version()}"
    except Exception:  # pragma: no cover - version() missing in old highspy
        return "HiGHS"
