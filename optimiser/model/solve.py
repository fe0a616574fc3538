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
from pyomo.core import Constraint as pyo_constraint
from pyomo.core import Var as pyo_var
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler


def _scipy_without_extras() -> None:
    """Let the standard-form compiler's first call import scipy.sparse only.

    Pyomo declares scipy a deferred import whose resolution also imports scipy.stats, scipy.integrate
    and scipy.spatial (~0.45 s, most of the default plan's hand-off), which the compiler never uses: its
    sparse-matrix hooks are class attributes meant to be set, so they are set to scipy.sparse here and
    the deferred import's extra imports are dropped.
    """
    try:
        from pyomo.common import dependencies
        from pyomo.repn.plugins.standard_form import _LinearStandardFormCompiler_impl as impl

        indicator = dependencies.scipy_available
        if getattr(indicator, "_callback", None) is dependencies._finalize_scipy:
            indicator._callback = None  # resolving it later imports scipy itself, nothing more
        import scipy.sparse

        if impl._csc_matrix is None:
            impl._to_vector = np.fromiter
            impl._csc_matrix = scipy.sparse.csc_array
            impl._csr_matrix = scipy.sparse.csr_array
    except (ImportError, AttributeError):  # pragma: no cover - another Pyomo: its own first call does it
        pass


_scipy_without_extras()

from ..input.data import PlanInput
from .build import Built, objective, preferences, relaxation
from .families import FAMILIES, model_rows
from .index import index_sets

INF = highspy.kHighsInf
#: Duals smaller than this are numerical noise and reported as 0.
DUAL_TOL = 1e-9
#: Feasibility tolerance of the LP and of MIP solutions alike (HiGHS's LP default).
PRIMAL_TOL = 1e-7
#: How far from a whole number an integer column of an LP relaxation may be and still count as whole.
INTEGRAL_TOL = 1e-9
#: A MILP whose lumpy measures allow at most this many whole assignments is solved as that many LPs, the best
#: one kept: faster than branch and bound for a few (when no canonical plan is wanted: Solver.canonical False).
ENUMERATE_MAX = 8
#: A MILP whose canonical plan is wanted is solved that way up to this many whole assignments: its canonical
#: stages as MILPs cost several times the MILP itself (bench/bench_scale.py, 3 lumpy projects: 27 assignments
#: enumerated in 1.7 s at 1 000 measures and 24 s at 4 000, branch and bound with MILP stages 4.2 s and 112 s).
ENUMERATE_CANONICAL = 64
#: A MILP's canonical stages hold each stage's value within this share of the magnitude of its terms
#: (Σ_j |c_j · x_j|): a MIP solution's integer columns may be as far from whole as its feasibility tolerance,
#: which moves a stage's value by up to that share. (An LP's stages keep to the optimal face instead:
#: :meth:`Solver._canonical`.)
MIP_HOLD_REL = PRIMAL_TOL
#: Values of two separate solves (the LPs of two whole assignments of the lumpy decisions) within this share
#: of their magnitude are equal: far above the solves' own precision, far below any figure shown.
TIE_REL = 1e-9

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
    #: The canonical stages' values at their least (docs/model.md section 5d): "objective" (the question's),
    #: "cash" (M€ paid over the horizon and the price outlook), "peak" (M€, the most cash in one year from
    #: start_year), "rule" (the last rule's); a MILP's own stages by branch and bound as "lumpy …".
    held: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what kept the plan from being canonical, if anything
    #: What relaxing a probed limit by one unit does, where the plan falls short (:meth:`Solver._probe`):
    #: family → index → (Mt/yr less shortfall over the target years, M€ more public cost). The shadow price
    #: then mostly counts the shortfall penalty; these two say what the relaxation buys and costs.
    effects: dict[str, dict] = field(default_factory=dict)


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
        bounds = column_bounds(self.columns)
        lower = np.array([-INF if lb is None else lb for lb, _ in bounds], dtype=float)
        upper = np.array([INF if ub is None else ub for _, ub in bounds], dtype=float)
        rhs = np.asarray(repn.rhs, dtype=float)
        # t == 0: equality (lower = upper = rhs); t == 1: ≤ rhs; t == -1: ≥ rhs
        sense = np.fromiter((t for _, t in self.rows), dtype=np.int8, count=n_row)
        row_lower = np.where(sense <= 0, rhs, -INF) if n_row else np.zeros(0)
        row_upper = np.where(sense >= 0, rhs, INF) if n_row else np.zeros(0)
        self.col_of, self.integer_cols = column_maps(built.model, self.columns)
        self.row_of = row_map(built.model, self.rows)

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
        if self.integer_cols:
            mip_presolve(h)
        h.passModel(lp)
        self.highs = h
        self.algorithm = settings.solver
        self.has_basis = False  # an LP basis to re-solve from (none before the first LP, none after a MIP)
        self._row_lower, self._row_upper = row_lower, row_upper
        self.probe_degenerate = True
        self._objective = None  # the live objective's terms (made on the first update)
        #: Shadow prices wanted: a model with lumpy measures is re-solved as an LP with its binaries fixed.
        #: Without them (many futures, no shadow prices reported) the MIP's solution is the answer.
        self.duals = True
        #: Without shadow prices, a MILP is first solved as its LP relaxation, which is the answer when its
        #: integer columns come out whole (:meth:`_integral_relaxation`; many futures, few lumpy measures).
        self.relax_first = False
        self._held: dict[str, tuple[int, dict[int, float]]] = {}  # rows an elastic run added: name → (row, coefs)
        self.n_col, self.n_row = n_col, n_row
        self._costs = c.astype(float).copy()  # the costs on the instance (model columns), kept in step with it
        #: Return the canonical plan (docs/model.md, "Canonical plans"); False: the least-cost vertex HiGHS ends at.
        self.canonical = True
        #: Costs (one per model column) preferred, in this order, among the optima of the costs on the instance
        #: before the canonical plan's own preferences (an alternative: least overlap, then least objective).
        self.prefer: list[np.ndarray] = []
        self._preferred: tuple[Built, dict] | None = None  # the preferences in columns, of the Built they were made for
        self.int_lower = lower[self.integer_cols] if self.integer_cols else None
        self.int_upper = upper[self.integer_cols] if self.integer_cols else None

    # ------------------------------------------------------------ solving

    def solve(self, *, phases: bool = True) -> Solution:
        """Solve the model and return its canonical plan (an elastic run: phase 1, then phase 2;
        ``phases=False``: the costs on the instance as they are, e.g. an alternative's).

        The least-cost LP gives the shadow prices and reduced costs (for a MILP: the LP with the lumpy
        decisions fixed at their canonical choice, :meth:`_choose_lumpy`); then :meth:`_canonical` picks,
        among the plans of that least objective, the one docs/model.md ("Canonical plans") names, whose
        values are returned.
        """
        h = self.highs
        started = time.perf_counter()
        if self.n_col == 0:
            return Solution(ok=True, status="Optimal", message="empty model", objective=self.offset,
                            values={}, shadow={}, seconds=0.0)
        if phases and self.built.input.settings.elastic:
            failed = self.least_relaxation()
            if failed is not None:
                return failed
        mip = bool(self.integer_cols)
        costs = self._costs.copy()  # the question's objective: the canonical stages set other costs, then these back
        notes: list[str] = []
        held: dict[str, float] = {}
        effects: dict[str, dict] = {}  # what relaxing a limit buys where the plan falls short (probed)
        planned = None  # the canonical plan, when choosing the lumpy decisions found it already
        mip_gap = 0.0
        iterations = 0
        if mip:
            chosen = self._choose_lumpy(costs, started)
            if isinstance(chosen, Solution):
                return chosen
            fixed, planned, held, notes, mip_gap, iterations = chosen
            cols = np.array(self.integer_cols, dtype=np.int32)
            h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
            h.changeColsBounds(len(cols), cols, fixed, fixed)
        try:
            if planned is not None and not self.duals:  # no shadow prices wanted: the plan is all there is to find
                x, col_duals, shadow, text = planned, np.zeros(len(planned)), {}, "Optimal"
            else:
                self._highs_run("the LP with the lumpy decisions fixed" if mip else "the LP")
                status = h.getModelStatus()
                text = h.modelStatusToString(status)
                iterations += int(getattr(h.getInfo(), "simplex_iteration_count", 0) or 0)
                if status != highspy.HighsModelStatus.kOptimal:
                    if mip:
                        return Solution(ok=False, status=text, message="the LP with the lumpy decisions fixed "
                                        "failed: " + text, seconds=time.perf_counter() - started, mip=True)
                    iis = self.iis() if status == highspy.HighsModelStatus.kInfeasible else []
                    return Solution(ok=False, status=text, message=_explain(text),
                                    seconds=time.perf_counter() - started, iis=iis)
                sol = h.getSolution()
                x = np.array(sol.col_value)
                col_duals, row_duals = np.array(sol.col_dual), np.array(sol.row_dual)
                objective = float(h.getInfo().objective_function_value) + self.offset
                shadow = self._shadow_prices(row_duals) if self.duals else {}
                if self.probe_degenerate and self.duals:
                    effects = self._probe(shadow, objective, x)
                if planned is not None:
                    x = planned
                elif self.canonical:  # the shadow prices and reduced costs stay those of the least-cost question
                    x, lp_held, note = self._canonical(costs, x, mip=False,
                                                       duals=(col_duals, row_duals, np.array(sol.row_value)))
                    held = {**lp_held, **{f"lumpy {k}": v for k, v in held.items()}}
                    notes += [note] if note else []
        finally:
            if mip:
                self._restore_integers()
        values: dict[str, dict] = {}
        reduced: dict[str, dict] = {}
        for (name, index), j in self.col_of.items():
            values.setdefault(name, {})[index] = float(x[j])
            reduced.setdefault(name, {})[index] = float(col_duals[j])
        objective = float(costs @ x[:self.n_col]) + self.offset
        return Solution(ok=True, status=text, message="optimal", objective=objective, values=values, shadow=shadow,
                        reduced=reduced, mip=mip, mip_gap=mip_gap, seconds=time.perf_counter() - started,
                        iterations=iterations, held=held, notes=notes, effects=effects)

    def _choose_lumpy(self, costs: np.ndarray, started: float):
        """The lumpy decisions of the canonical plan of a MILP: (their values in ``integer_cols`` order, the
        canonical plan when found on the way or None, the values held, notes, the MIP gap, iterations) — or
        a Solution: a failure, or (many futures) the plan itself.

        Few whole assignments (at most ENUMERATE_CANONICAL; ENUMERATE_MAX when no canonical plan is wanted):
        each one's LP, the canonical plans of the cheapest compared (:meth:`_enumerate`). Else branch and
        bound, then its canonical stages as MILPs (:meth:`_canonical` with ``mip=True``). Without shadow
        prices, the LP relaxation first: where its canonical plan is whole, that is the answer
        (:meth:`_integral_relaxation`).
        """
        h = self.highs
        choices = self._lumpy_choices(ENUMERATE_CANONICAL if self.canonical else ENUMERATE_MAX)
        few = bool(choices)
        if self.relax_first and not self.duals and not few:
            found = self._integral_relaxation(started)
            if found is not None:
                return found
        if few:
            found = self._enumerate(choices, costs)
            if found is not None:
                return found
        self._highs_run("the MIP", mip=True)
        status = h.getModelStatus()
        text = h.modelStatusToString(status)
        info = h.getInfo()
        if status != highspy.HighsModelStatus.kOptimal:
            iis = self.iis() if status == highspy.HighsModelStatus.kInfeasible else []
            return Solution(ok=False, status=text, message=_explain(text), seconds=time.perf_counter() - started,
                            mip=True, iis=iis)
        mip_gap = float(getattr(info, "mip_gap", 0.0) or 0.0)
        x = np.array(h.getSolution().col_value)
        held, notes = {}, []
        if self.canonical:
            x, held, note = self._canonical(costs, x, mip=True)
            notes += [note] if note else []
        return np.round(x[self.integer_cols]), None, held, notes, mip_gap, 0

    def _highs_run(self, what: str, *, mip: bool = False, costs_changed: bool = False) -> None:
        """One HiGHS run of ``what`` (words for messages): the algorithm of the ``solver`` setting, stoppable
        by Ctrl-C and SIGTERM (raises :class:`SolveInterrupted`), with a live line on a terminal.
        ``costs_changed``: only the costs (and bounds the last solution meets) changed since the last LP, so
        its basis stays primal feasible: primal simplex re-solves from it."""
        if not mip:
            use_algorithm(self.highs, "primal" if costs_changed and self.has_basis else self.algorithm,
                          warm=self.has_basis, columns=self.n_col)
        run_watched(self.highs, what, mip=mip)
        # branch and bound leaves no LP basis; an LP leaves its optimal one (warm re-solves start there)
        self.has_basis = not mip and self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    def _lumpy_choices(self, most: int = ENUMERATE_MAX) -> list[np.ndarray]:
        """Every whole assignment of the integer columns that ``lumpy_once`` allows — each lumpy measure
        committed in one of its years or in none — as column values in ``integer_cols`` order; [] when
        there are other integer columns or more than ``most`` assignments."""
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
            if count > most:
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

    def _enumerate(self, choices: list[np.ndarray], costs: np.ndarray):
        """A MILP with few whole assignments: the LP with its integer columns fixed at each, and the canonical
        plans of the cheapest compared (least cash, then lowest peak, then the last rule; the first in a
        fixed order — lumpy measures by id, each in none or one of its years, earliest first — where even
        those tie). Returns what :meth:`_choose_lumpy` does, or None when every LP is infeasible or one
        fails otherwise (then branch and bound decides, and names the conflict)."""
        h = self.highs
        cols = np.array(self.integer_cols, dtype=np.int32)
        h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
        found: list[tuple[float, np.ndarray, np.ndarray, tuple]] = []  # (objective, choice, plan, its duals)
        iterations = 0
        try:
            for values in choices:
                h.changeColsBounds(len(cols), cols, values, values)
                self._highs_run("an LP with the lumpy decisions fixed")
                status = h.getModelStatus()
                iterations += int(getattr(h.getInfo(), "simplex_iteration_count", 0) or 0)
                if status == highspy.HighsModelStatus.kInfeasible:
                    continue
                if status != highspy.HighsModelStatus.kOptimal:
                    return None
                sol = h.getSolution()
                x = np.array(sol.col_value)
                found.append((float(costs @ x[:self.n_col]), values, x,
                              (np.array(sol.col_dual), np.array(sol.row_dual), np.array(sol.row_value))))
            if not found:
                return None
            least = min(v for v, _c, _x, _d in found)
            tied = [(c, x, d) for v, c, x, d in found if v <= least + self._tolerance(costs, x)]
            best = None
            notes: list[str] = []
            for values, x, duals in tied:
                held: dict[str, float] = {"objective": float(costs @ x[:self.n_col]) + self.offset}
                if self.canonical:
                    h.changeColsBounds(len(cols), cols, values, values)
                    x, held, note = self._canonical(costs, x, mip=False, duals=duals)
                    notes += [note] if note else []
                if best is None or _preferred(held, best[2]):
                    best = (values, x, held)
            values, x, held = best
            return values, (x if self.canonical else None), held, notes, 0.0, iterations
        finally:
            self._restore_integers()

    def _integral_relaxation(self, started: float) -> Solution | None:
        """The LP relaxation's canonical plan, when every integer column takes a whole value there (then it is
        the MILP's canonical plan too — the most preferred of a larger set of plans, and one of the MILP's —
        and no branch and bound is needed); else None, the model unchanged."""
        h = self.highs
        cols = np.array(self.integer_cols, dtype=np.int32)
        h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
        costs = self._costs.copy()
        try:
            self._highs_run("the LP relaxation")
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            info = h.getInfo()
            iterations = int(getattr(info, "simplex_iteration_count", 0) or 0)
            status = h.modelStatusToString(h.getModelStatus())
            x = np.asarray(h.getSolution().col_value).copy()
            held, notes = {}, []
            if self.canonical:
                x, held, note = self._canonical(costs, x, mip=False)
                notes += [note] if note else []
            if np.max(np.abs(x[cols] - np.round(x[cols])), initial=0.0) > INTEGRAL_TOL:
                return None
            values: dict[str, dict] = {}
            for (name, index), j in self.col_of.items():
                values.setdefault(name, {})[index] = float(x[j])
            return Solution(ok=True, status=status, message="optimal",
                            objective=float(costs @ x[:self.n_col]) + self.offset, values=values,
                            mip=True, seconds=time.perf_counter() - started, iterations=iterations, held=held,
                            notes=notes)
        finally:
            h.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kInteger] * len(cols)))
            h.clearSolver()  # the MILP, when it runs, starts from nothing the relaxation left

    # ------------------------------------------------------------ canonical plans

    def _preferences(self) -> dict:
        """The canonical stages' costs and rows in columns, for the model on the instance (once per input)."""
        if self._preferred is not None and _same_preferences(self._preferred[0], self.built):
            self._preferred = (self.built, self._preferred[1])
            return self._preferred[1]
        with PauseGC():  # many small objects: a collection pass over the whole model would dominate
            pref = preferences(self.built.index, self.built.input)
        s_cols = np.array([self.col_of[("s", k)] for k in self.built.index.s_keys], dtype=np.int64)
        rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if len(pref.paid):
            order = np.argsort(pref.paid_in, kind="stable")
            years, first = np.unique(pref.paid_in[order], return_index=True)
            for t, part in zip(years.tolist(), np.split(order, first[1:])):
                rows[t] = (s_cols[pref.paid_by[part]], pref.paid[part])
        out = {
            "cash": self._dense(pref.cash),
            "rule": self._dense(pref.rule),
            "rows": rows,  # year → (columns, shares paid that year)
            "past": pref.past,
            # years with no cash of the plan's commitments: the past decisions' cash there is a floor of the peak
            "floor": max([0.0] + [v for t, v in pref.past.items() if t not in rows]),
        }
        self._preferred = (self.built, out)
        return out

    def _dense(self, terms) -> np.ndarray:
        """Terms (coefficient, variable, index) as one cost per model column."""
        vector = np.zeros(self.n_col)
        col_of = self.col_of
        for c, v, i in terms:
            j = col_of.get((v, i))
            if j is not None:
                vector[j] += c
        return vector

    def _tolerance(self, costs: np.ndarray, x: np.ndarray, mip: bool = False) -> float:
        """Within how much of a value of ``costs`` two plans count as equal, from the magnitude of its terms
        M = Σ_j |c_j · x_j| (at least 1): MIP_HOLD_REL · M for a MILP's stage, TIE_REL · M for the LPs of
        two whole assignments of the lumpy decisions."""
        magnitude = max(1.0, float(np.abs(costs * x[:self.n_col]).sum()))
        return (MIP_HOLD_REL if mip else TIE_REL) * magnitude

    def _canonical(self, costs: np.ndarray, x: np.ndarray, *, mip: bool,
                   duals: tuple[np.ndarray, ...] | None = None) -> tuple[np.ndarray, dict[str, float], str]:
        """Among the plans of least ``costs`` (``x`` is one, just solved on the instance; ``duals`` its reduced
        costs, row duals and row activities), the canonical plan: lexicographic stages on the live instance —

        1. least objective (``costs``: the question's), then each of ``self.prefer`` in turn;
        2. least cash over the horizon and the price outlook, Σ κ · s (:func:`optimiser.model.build.preferences`);
        3. lowest peak of yearly cash: one added column P ≥ the plan's cash in year t + the past decisions'
           cash then, for every year t ≥ start_year in which a commitment pays; min P;
        4. the last rule (:func:`optimiser.model.build.last_rule`), whose costs come from years and ids.

        Each stage keeps the plans optimal for the ones before. For an LP, by the optimal face itself: every
        column whose reduced cost is not zero stays at its bound and every row whose dual is not zero stays
        at its limit (complementary slackness: exactly the optimal plans, whatever optimal dual HiGHS
        returns; "not zero" is beyond HiGHS's dual feasibility tolerance, the resolution at which HiGHS
        itself tells an improving direction from a tie), so no row of the objective is added. A MILP's
        stages (``mip``: the lumpy decisions chosen among equally cheap ones, to a zero gap) have no duals:
        each holds its value with an added row, within MIP_HOLD_REL of its magnitude (:meth:`_tolerance`).

        Returns (the plan, the values held, a note when a stage could not finish: then the plan of the last
        stage that did). The instance is left as it was: bounds set back, the added rows and column deleted,
        the costs and the LP basis it had set back (a sweep's next point re-solves warm from it).
        """
        h = self.highs
        pref = self._preferences()
        held: dict[str, float] = {"objective": float(costs @ x[:self.n_col]) + self.offset}
        n_row, n_col = h.getNumRow(), h.getNumCol()
        basis = h.getBasis() if not mip and self.has_basis else None
        rows_all, cols_all = np.arange(n_row, dtype=np.int32), np.arange(n_col, dtype=np.int32)
        _s, _n, _c, col_lower, col_upper, _nz = h.getCols(n_col, cols_all)
        _s, _n, row_lower, row_upper, _nz = h.getRows(n_row, rows_all) if n_row else (0, 0, [], [], 0)
        col_lower, col_upper = np.array(col_lower), np.array(col_upper)
        row_lower, row_upper = np.array(row_lower), np.array(row_upper)
        gap = None
        if mip:
            gap = _option(h, "mip_rel_gap")
            h.setOptionValue("mip_rel_gap", 0.0)
        peak = None
        dual_tolerance = _option(h, "dual_feasibility_tolerance")

        def keep(vector: np.ndarray, found: np.ndarray, values: tuple[np.ndarray, np.ndarray] | None) -> None:
            """Keep the later stages among the plans optimal for ``vector``: its optimal face (an LP: ``values``
            are that stage's reduced costs and row duals), or a row holding its value (a MILP)."""
            if mip:
                coefs = _nonzero(vector)
                cols = np.fromiter(coefs.keys(), dtype=np.int32, count=len(coefs))
                h.addRow(-INF, float(vector @ found[:self.n_col]) + self._tolerance(vector, found, mip=True),
                         len(cols), cols, np.fromiter(coefs.values(), dtype=float, count=len(coefs)))
                return
            rc, dual = values[:2]
            for (lo, up), value in ((bounds, rc), (row_bounds, dual)):
                # a column (row) with a positive reduced cost (dual) at its lower bound, a negative at its upper
                at_lower = np.flatnonzero((value > dual_tolerance) & np.isfinite(lo[:len(value)]))
                at_upper = np.flatnonzero((value < -dual_tolerance) & np.isfinite(up[:len(value)]))
                change = h.changeColsBounds if value is rc else h.changeRowsBounds
                if len(at_lower):
                    change(len(at_lower), at_lower.astype(np.int32), lo[at_lower], lo[at_lower])
                    up[at_lower] = lo[at_lower]
                if len(at_upper):
                    change(len(at_upper), at_upper.astype(np.int32), up[at_upper], up[at_upper])
                    lo[at_upper] = up[at_upper]

        def run(what: str, vector: np.ndarray):
            """One stage's HiGHS run, from the last stage's plan by primal simplex (only the costs changed, and
            bounds that plan meets): (its plan, its reduced costs, row duals and row activities), or None.
            (Measured: from the basis the stage ended at in a sweep's previous point, or cold with presolve,
            both slower.)"""
            self.set_costs(vector)
            if peak is not None:
                h.changeColCost(peak, 1.0 if what == "lowest cash peak" else 0.0)
            self._highs_run(f"the canonical plan ({what})", mip=mip, costs_changed=True)
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None, None
            sol = h.getSolution()
            found = np.array(sol.col_value)
            return found, (None if mip else (np.array(sol.col_dual), np.array(sol.row_dual), np.array(sol.row_value)))

        def settled(found: np.ndarray, values) -> bool:
            """Whether the optimal face kept (an LP's) is one plan: every column and row at a bound is held
            there. Every nonbasic column and row is at a bound, and with all of them held the basic ones
            follow, so the later stages could only return this plan (a column or row at a bound with a
            zero reduced cost, basic or not, counts as free: the check errs towards running a stage)."""
            if mip:
                return False
            rc, dual, activity = values
            for (lo, up), at, value in ((bounds, found, rc), (row_bounds, activity, dual)):
                n = len(value)
                free = lo[:n] < up[:n]
                at_bound = (np.abs(at[:n] - lo[:n]) <= PRIMAL_TOL) | (np.abs(at[:n] - up[:n]) <= PRIMAL_TOL)
                if np.any(free & at_bound & (np.abs(value) <= dual_tolerance)):
                    return False
            return True

        def peak_of(found: np.ndarray) -> float:
            return max([pref["floor"]] + [float(shares @ found[cols]) + pref["past"].get(t, 0.0)
                                          for t, (cols, shares) in pref["rows"].items()])

        def stopped(what: str) -> str:
            return f"{what}: {h.modelStatusToString(h.getModelStatus())}"

        bounds = [col_lower.copy(), col_upper.copy()]  # as the stages leave them (the face they keep to)
        row_bounds = [row_lower.copy(), row_upper.copy()]
        stages = [(f"preference {n}", vector) for n, vector in enumerate(self.prefer, start=1)]
        stages += [("cash", pref["cash"])] if pref["cash"].any() else []
        stages += [("peak", None)] if pref["rows"] else []
        stages += [("rule", pref["rule"])] if pref["rule"].any() else []
        words = {"cash": "least cash", "peak": "lowest cash peak", "rule": "last rule"}
        try:
            if not mip and duals is None:
                sol = h.getSolution()
                duals = (np.array(sol.col_dual), np.array(sol.row_dual), np.array(sol.row_value))
            keep(costs, x, duals)
            done = settled(x, duals)
            for name, vector in stages:
                if done:  # one plan is left: the later stages' values are its own
                    held[name] = peak_of(x) if vector is None else float(vector @ x[:self.n_col])
                    continue
                if vector is None:  # the peak: P ≥ the cash of every year in which a commitment pays
                    h.addCol(0.0, pref["floor"], INF, 0, np.array([], dtype=np.int32), np.array([], dtype=float))
                    peak = h.getNumCol() - 1
                    parts = list(pref["rows"].items())
                    starts = np.cumsum([0] + [len(cols) + 1 for _t, (cols, _f) in parts[:-1]])
                    h.addRows(len(parts), np.full(len(parts), -INF), np.array([-pref["past"].get(t, 0.0)
                                                                              for t, _p in parts]),
                              int(starts[-1] + len(parts[-1][1][0]) + 1), starts.astype(np.int32),
                              np.concatenate([np.append(cols, peak) for _t, (cols, _f) in parts]).astype(np.int32),
                              np.concatenate([np.append(f, -1.0) for _t, (_c, f) in parts]))
                    bounds[0], bounds[1] = np.append(bounds[0], pref["floor"]), np.append(bounds[1], INF)
                    row_bounds[0] = np.append(row_bounds[0], np.full(len(parts), -INF))
                    row_bounds[1] = np.append(row_bounds[1], [-pref["past"].get(t, 0.0) for t, _p in parts])
                found, duals = run(words.get(name, name), np.zeros(self.n_col) if vector is None else vector)
                if found is None:
                    return x[:self.n_col], held, stopped(words.get(name, name))
                x = found
                if vector is None:
                    held[name] = float(x[peak])
                    if mip:  # held by the column's bound
                        h.changeColBounds(peak, pref["floor"], held[name] + MIP_HOLD_REL * max(1.0, held[name]))
                    else:
                        keep(np.zeros(0), x, duals)
                else:
                    held[name] = float(vector @ x[:self.n_col])
                    if name != "rule":
                        keep(vector, x, duals)
                done = name != "rule" and settled(x, duals)
            return x[:self.n_col], held, ""
        finally:
            if h.getNumRow() > n_row:
                extra = np.arange(n_row, h.getNumRow(), dtype=np.int32)
                h.deleteRows(len(extra), extra)
            if h.getNumCol() > n_col:
                extra = np.arange(n_col, h.getNumCol(), dtype=np.int32)
                h.deleteCols(len(extra), extra)
            if not mip:
                h.changeColsBounds(n_col, cols_all, col_lower, col_upper)
                if n_row:
                    h.changeRowsBounds(n_row, rows_all, row_lower, row_upper)
            self.set_costs(costs)
            if gap is not None:
                h.setOptionValue("mip_rel_gap", gap)
            if basis is not None:
                h.setBasis(basis)
                self.has_basis = True

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
        self.set_costs(vector)

    def set_costs(self, vector: np.ndarray) -> None:
        """Put these costs (one per model column) on the instance; an added column (the cash peak) costs 0."""
        vector = np.asarray(vector, dtype=float)
        self.highs.changeColsCost(self.n_col, np.arange(self.n_col, dtype=np.int32), vector)
        self._costs = vector.copy()

    def _bound(self, cols: list[int], upper: float) -> None:
        if cols:
            idx = np.array(cols, dtype=np.int32)
            self.highs.changeColsBounds(len(cols), idx, np.zeros(len(cols)), np.full(len(cols), upper))

    def _run(self) -> tuple[object, float]:
        """Run HiGHS: (model status, objective value), read before any change resets them."""
        self._highs_run("the least relaxation of an elastic run", mip=bool(self.integer_cols))
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

    def _probe(self, shadow: dict[str, dict], objective: float, x: np.ndarray) -> dict[str, dict]:
        """Replace each positive shadow price of a policy limit by the rate at which the objective
        really falls when that limit is relaxed; return what the relaxation does where the plan falls short.

        At a degenerate optimum the LP's duals are not unique and a dual can be
        positive although relaxing its limit saves nothing (the row is one of
        several that bind at the same point). The contract's shadow price is the
        fall of the objective per unit of relaxation, so each positive dual of a
        row of a family declared ``probed`` (the policy limits) is checked by a warm
        re-solve with the limit relaxed by a small step; where the dual is unique the
        two agree.

        Where the plan has a shortfall, a shadow price counts the shortfall penalty it avoids. The same re-solve
        gives what a budget team reads instead (:attr:`Solution.effects`): per unit of relaxation, the Mt/yr of
        shortfall it removes and the M€ of public cost it adds (public cost: the objective less the penalty).
        """
        h = self.highs
        sigma = np.array([j for (name, _i), j in self.col_of.items() if name == "shortfall"], dtype=np.int64)
        costs = np.asarray(h.getLp().col_cost_) if len(sigma) else None
        short = float(np.sum(x[sigma])) if len(sigma) else 0.0
        effects: dict[str, dict] = {}
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
                self._highs_run("a shadow-price check")
                if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    relaxed = float(h.getInfo().objective_function_value) + self.offset
                    rate = max(0.0, (objective - relaxed) / step)
                    shadow[name][index] = 0.0 if rate < DUAL_TOL else rate
                    if short > PRIMAL_TOL and rate >= DUAL_TOL:
                        y = np.asarray(h.getSolution().col_value)
                        less = (short - float(np.sum(y[sigma]))) / step
                        penalty = float(costs[sigma] @ (x[sigma] - y[sigma]))
                        more = ((relaxed - objective) + penalty) / step  # public cost: objective less the penalty
                        if less > 0:
                            effects.setdefault(name, {})[index] = (less, more)
                h.changeRowBounds(k, lower, upper)
        return effects

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
        """What must stay equal for a re-solve to reuse an instance: every row's variables (a cache key)."""
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
        builds afresh. Otherwise the right-hand sides, coefficients and costs
        that differ from the live ones are changed in place and the next
        :meth:`solve` starts from the last basis.
        """
        if prepared is not None:  # (index, rows, objective, structure) the caller has computed already
            idx, rows, obj, _ = prepared
        else:
            idx = index_sets(inp, **self.built.options)
            rows = model_rows(idx, inp)
            obj = objective(idx, inp, rows)
        old = self.built
        if self._objective is None:
            self._objective = objective(old.index, old.input, old.rows)
        changes = _changes(old, self._objective, idx, rows, obj)
        if changes is None:
            return False
        bounds, coefficients, costs = changes
        h = self.highs
        col_of = self.col_of
        for name, key, rhs in bounds:
            for k, t in self.row_of.get((name, key), ()):
                lo, up = (rhs if t in (0, -1) else -INF), (rhs if t in (0, 1) else INF)
                h.changeRowBounds(k, lo, up)
                self._row_lower[k], self._row_upper[k] = lo, up
        for name, key, terms in coefficients:
            for k, _ in self.row_of.get((name, key), ()):
                for c, v, i in terms:
                    j = col_of.get((v, i))
                    if j is not None:
                        h.changeCoeff(k, j, c)
        for c, v, i in costs:
            j = col_of.get((v, i))
            if j is not None:
                h.changeColCost(j, c)
                self._costs[j] = c
        self.built = Built(model=self.built.model, index=idx, input=inp, rows=rows, options=self.built.options)
        self._objective = obj
        return True


def _variables(terms) -> list:
    return [(v, i) for _, v, i in terms]


def _changes(old: Built, old_obj: list, idx, rows: dict, obj: list):
    """What differs between the live model and the new rows: (row bounds, rows whose coefficients changed,
    objective terms whose cost changed), or None when the structure differs (another variable or term)."""
    oi = old.index
    if (idx.d_keys != oi.d_keys or idx.s_keys != oi.s_keys or idx.lumpy_keys != oi.lumpy_keys
            or idx.target_years != oi.target_years or rows.keys() != old.rows.keys()):
        return None
    bounds, coefficients = [], []
    for name, r in rows.items():
        was = old.rows[name]
        if r.terms.keys() != was.terms.keys():
            return None
        for key, terms in r.terms.items():
            before = was.terms[key]
            if terms != before:
                if _variables(terms) != _variables(before):
                    return None
                coefficients.append((name, key, terms))
            if r.rhs[key] != was.rhs[key]:
                bounds.append((name, key, r.rhs[key]))
    if obj == old_obj:
        costs = []
    elif _variables(obj) != _variables(old_obj):
        return None
    else:
        costs = [new for new, was in zip(obj, old_obj) if new[0] != was[0]]
    return bounds, coefficients, costs


def _keys_by_id(model, ctype) -> dict[int, tuple[str, object, bool]]:
    """id(component data) → (component name, index, integer?), from each component's own items: one pass
    per component, with no per-item lookups (``data.index()`` searches its parent)."""
    out: dict[int, tuple[str, object, bool]] = {}
    for comp in model.component_objects(ctype, descend_into=False):
        name = comp.local_name
        for key, data in comp.items():
            out[id(data)] = (name, key, ctype is pyo_var and (data.is_binary() or data.is_integer()))
    return out


def column_maps(model, columns) -> tuple[dict[tuple[str, object], int], list[int]]:
    """(variable name, index) → column, and the columns of integer variables."""
    keys = _keys_by_id(model, pyo_var)
    col_of: dict[tuple[str, object], int] = {}
    integer: list[int] = []
    for j, v in enumerate(columns):
        name, key, is_int = keys[id(v)]
        col_of[(name, key)] = j
        if is_int:
            integer.append(j)
    return col_of, integer


def column_bounds(columns) -> list[tuple[float | None, float | None]]:
    """(lower, upper) of every column: its domain's bounds (computed once per domain) where the variable
    has no bounds of its own; ``v.bounds`` recomputes the domain's bounds on every call (0.5 s at 10 000
    measures)."""
    by_domain: dict[int, tuple] = {}
    out = []
    for v in columns:
        if getattr(v, "_lb", 0) is None and getattr(v, "_ub", 0) is None:
            dom = v.domain
            b = by_domain.get(id(dom))
            if b is None:
                b = by_domain[id(dom)] = dom.bounds()
            out.append(b)
        else:  # bounds of its own (or another Pyomo): the public property
            out.append(v.bounds)
    return out


def row_map(model, rows) -> dict[tuple[str, object], list[tuple[int, int]]]:
    """(family name, row key) → [(row, sense)]: one HiGHS row per Pyomo constraint in mixed form."""
    keys = _keys_by_id(model, pyo_constraint)
    row_of: dict[tuple[str, object], list[tuple[int, int]]] = {}
    for k, (con, t) in enumerate(rows):
        name, key, _ = keys[id(con)]
        row_of.setdefault((name, key), []).append((k, t))
    return row_of


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


def _same_preferences(old: Built, new: Built) -> bool:
    """Whether two models on one instance have the same canonical preferences (a sweep point that changes
    only targets, budgets or capacities): the same commitment options and gaps, and the same measures,
    instruments, prices and decisions already taken, which the cash and the last rule are made of."""
    if old is new:
        return True
    a, b = old.input, new.input
    return (old.index.s_keys == new.index.s_keys and old.index.d_keys == new.index.d_keys
            and old.index.gap == new.index.gap and a.settings.years == b.settings.years
            and a.prices == b.prices and a.instruments == b.instruments and a.measures == b.measures
            and a.committed == b.committed)


def _option(h: highspy.Highs, name: str):
    """A HiGHS option's value (highspy returns (status, value))."""
    value = h.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value


def _nonzero(vector: np.ndarray) -> dict[int, float]:
    """column → coefficient of a cost vector's non-zero entries."""
    cols = np.flatnonzero(vector)
    return dict(zip(cols.tolist(), vector[cols].tolist()))


def _preferred(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether held values ``a`` come before ``b`` in the canonical order (objective, cash, peak, rule),
    each compared within TIE_REL of its size; a value one of them lacks (a stage that could not finish)
    counts as the worse."""
    for key in ("objective", "cash", "peak", "rule"):
        if (key in a) != (key in b):
            return key in a
        if key not in a:
            continue
        u, v = a[key], b[key]
        tol = TIE_REL * max(1.0, abs(u), abs(v))
        if u < v - tol:
            return True
        if u > v + tol:
            return False
    return False


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


# ---------------------------------------------------------------- options, algorithm, interrupts, progress

#: HiGHS options of each LP algorithm of the ``solver`` setting.
ALGORITHMS: dict[str, dict[str, object]] = {
    "dual": {"solver": "simplex", "simplex_strategy": 1},
    "primal": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm", "run_crossover": "on"},  # crossover: a basis for the duals and warm re-solves
}
#: ``solver = auto``: dual simplex (HiGHS's default) up to this many columns, primal simplex for a cold
#: solve of a larger LP. Measured by bench/bench_scale.py on plant-level models (docs/performance.md):
#: primal simplex solves them about twice as fast (1.5 s against 2.8 s at 4 000 measures, 8.5 s against
#: 17 s at 10 000); below ~2 000 measures the difference is under 0.1 s, and dual simplex keeps the plan
#: that has always been reported where several plans cost exactly the same (a degenerate optimum: the
#: algorithm decides which of them, and which reduced costs, HiGHS returns).
AUTO_PRIMAL_MIN_COLUMNS = 20_000


def use_algorithm(h: highspy.Highs, choice: str, *, warm: bool, columns: int = 0) -> None:
    """Set the LP algorithm of the next run (setting ``solver``: auto, dual, primal, ipm).

    A re-solve from a kept basis (shadow-price probes, sweep points) uses dual simplex unless primal was
    asked for: after a change of right-hand sides or costs the old basis stays dual feasible, so dual
    simplex needs few iterations.
    """
    if choice == "primal":
        name = "primal"
    elif warm:
        name = "dual"
    elif choice == "auto":
        name = "primal" if columns >= AUTO_PRIMAL_MIN_COLUMNS else "dual"
    else:
        name = choice
    for key, value in ALGORITHMS[name].items():
        h.setOptionValue(key, value)


#: Presolve rules switched off for MIPs (plans with lumpy measures), by the name HiGHS lists them under.
#: Fourier–Motzkin elimination (new in HiGHS 1.16) took 7.4 of the 7.6 s of a 1 000-measure plan with
#: 3 lumpy measures (6 binaries) and did not finish in 125 s at 4 000 measures: it eliminates the subsidy
#: and commitment columns that sit in two rows only to add about as many rows back (1 152 rows and 576
#: columns out, 1 056 rows in, at 1 000 measures), and the presolved model is the same size without it.
MIP_PRESOLVE_RULES_OFF = ("Fourier-Motzkin",)
_rule_bits: dict[str, int] | None = None


def presolve_rule_bits() -> dict[str, int]:
    """HiGHS's presolve rules that ``presolve_rule_off`` can switch off: name → bit (as HiGHS lists them;
    the numbering changes between versions, so it is read from HiGHS itself, once)."""
    global _rule_bits
    if _rule_bits is None:
        import re

        lines: list[str] = []
        h = new_highs()
        h.cbLogging.subscribe(lambda e: lines.append(e.message))
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_dev_level", 1)
        h.addVar(0.0, 1.0)
        h.changeColIntegrality(0, highspy.HighsVarType.kInteger)
        h.addRow(-INF, 1.0, 1, np.array([0], dtype=np.int32), np.array([1.0]))
        h.presolve()
        found = (re.search(r"set bit\s+(\d+)\s*=\s*\d+\):\s*(.+)$", line.strip()) for line in lines)
        _rule_bits = {m.group(2).strip(): int(m.group(1)) for m in found if m}
    return _rule_bits


def mip_presolve(h: highspy.Highs) -> None:
    """Switch off the presolve rules of :data:`MIP_PRESOLVE_RULES_OFF` that this HiGHS has."""
    bits = presolve_rule_bits()
    mask = sum(1 << bits[name] for name in MIP_PRESOLVE_RULES_OFF if name in bits)
    if mask:
        h.setOptionValue("presolve_rule_off", mask)


class SolveInterrupted(KeyboardInterrupt):
    """A HiGHS run stopped by Ctrl-C (SIGINT) or SIGTERM; ``what`` was being solved, for ``seconds``."""

    def __init__(self, signum: int, what: str, seconds: float):
        self.signum, self.what, self.seconds = signum, what, seconds
        super().__init__(f"interrupted while HiGHS was solving {what} (after {seconds:.1f} s)")


#: A run that lasts longer than this shows a live line on a terminal (stderr), refreshed this often.
PROGRESS_AFTER_S, PROGRESS_EVERY_S = 1.0, 0.5


class _Watch:
    """While HiGHS runs: SIGINT and SIGTERM only set a flag that HiGHS's interrupt callbacks (simplex,
    IPM, MIP) read, so HiGHS stops at its next check (milliseconds apart) and returns cleanly; a Python
    exception raised inside a callback would unwind through HiGHS's C++ code instead."""

    def __init__(self, h: highspy.Highs, what: str, mip: bool, stream=None):
        import sys

        self.h, self.what, self.mip = h, what, mip
        self.stream = stream if stream is not None else sys.stderr
        self.live = _is_tty(self.stream)
        self.signum: int | None = None
        self.started = 0.0
        self.shown = 0.0
        self.width = 0
        self.saved: dict[int, object] = {}

    def _signal(self, signum, frame) -> None:
        self.signum = signum

    def _check(self, e) -> None:
        if self.signum is not None:
            e.interrupt()
        elif self.live:
            now = time.perf_counter()
            if now - self.started >= PROGRESS_AFTER_S and now - self.shown >= PROGRESS_EVERY_S:
                self.shown = now
                self._show(e.data_out, now - self.started)

    def _show(self, out, elapsed: float) -> None:
        text = f"HiGHS: solving {self.what}, {elapsed:,.0f} s"
        if self.mip:
            bound, best, gap = out.mip_dual_bound, out.mip_primal_bound, out.mip_gap
            if math.isfinite(bound):
                text += f", best bound {bound:,.1f}"
            if math.isfinite(best) and abs(best) < INF:
                text += f", best plan {best:,.1f}, gap {gap:.2%}" if math.isfinite(gap) and gap < 1e6 else \
                    f", best plan {best:,.1f}"
            text += f", {out.mip_node_count:,} nodes"
        elif out.simplex_iteration_count:
            text += f", {out.simplex_iteration_count:,} simplex iterations"
        elif out.ipm_iteration_count:
            text += f", {out.ipm_iteration_count:,} interior-point iterations"
        text += " (Ctrl-C stops)"
        self.width = max(self.width, len(text))
        try:
            self.stream.write("\r" + text.ljust(self.width))
            self.stream.flush()
        except (OSError, ValueError):
            self.live = False

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self.saved[sig] = signal.signal(sig, self._signal)
                except (ValueError, OSError):  # pragma: no cover - not allowed here
                    pass
        for cb in (self.h.cbSimplexInterrupt, self.h.cbIpmInterrupt, self.h.cbMipInterrupt):
            cb.subscribe(self._check)
        self.started = self.shown = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        import signal

        for cb in (self.h.cbSimplexInterrupt, self.h.cbIpmInterrupt, self.h.cbMipInterrupt):
            cb.unsubscribe(self._check)
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)
        if self.width:
            try:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run_watched(h: highspy.Highs, what: str, *, mip: bool = False) -> None:
    """``h.run()``, stoppable within about a second by Ctrl-C or SIGTERM: raises :class:`SolveInterrupted`
    (a KeyboardInterrupt) when stopped; a live line on stderr when it is a terminal and the run is long."""
    with _Watch(h, what, mip) as watch:
        h.run()
        if watch.signum is None:
            confirm_infeasible(h)
    if watch.signum is not None:
        raise SolveInterrupted(watch.signum, what, time.perf_counter() - watch.started)


def confirm_infeasible(h: highspy.Highs) -> None:
    """When HiGHS finds the model infeasible with presolve on, solve it again with presolve off.

    HiGHS 1.16's presolve calls some small feasible LPs infeasible (one with every column at 0 feasible:
    tests/test_simulate.py keeps the case); without presolve the same model solves. An infeasible answer is
    rare and its model small or about to be reported, so the second run costs little; the option is put back.
    """
    infeasible = (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible)
    if h.getModelStatus() not in infeasible:
        return
    previous = h.getOptionValue("presolve")
    previous = previous[1] if isinstance(previous, tuple) else previous  # highspy returns (status, value)
    if previous == "off":
        return
    h.setOptionValue("presolve", "off")
    try:
        h.clearSolver()
        h.run()
    finally:
        h.setOptionValue("presolve", previous)


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
