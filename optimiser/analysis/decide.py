"""Decide now, adapt later (docs/model.md section 14): one stochastic program over N futures.

The extensive form is built from the same family rows as every plan
(:func:`optimiser.model.families.model_rows`): for each future f its own rows,
over its own copies of every variable, except the commitments of years ≤ YEAR
(d_{m,y} and, for lumpy measures, b_{m,y}), which are one variable shared by
all futures (non-anticipativity):

    min (1/N) Σ_f [ Σ w_i · s^f_{m,i,y} + P · Σ_y σ^f_y ]
    s.t. the rows of every future f, with d^f_{m,y} = d_{m,y} for y ≤ YEAR

A shared commitment is also a column in a future where it could not operate
within the horizon (a longer lead time: it is paid, counts against u_m and
abates nothing there), and is fixed at 0 where a future cannot fund it at all.
The matrix stays sparse: N blocks, coupled only through the shared columns.

The value of the stochastic solution: EEV − RP, with RP this program's optimum
and EEV the same program with the shared commitments fixed at those of the plan
for the mean-value future (:func:`optimiser.input.uncertainty.mean_future`),
the later ones still adapting per future. Because that is one feasible point of
the same program, VSS ≥ 0 (up to the MIP gap where there are lumpy measures).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import InputError, PlanInput, Problem
from ..input.scenario import apply_overrides
from ..input.uncertainty import Future, mean_future
from ..lang import _, num
from ..model.build import build_model, objective
from ..model.cash import problems as fixed_problems
from ..model.families import model_rows
from ..model.index import index_sets, with_penalty
from ..model.results import TOL, assemble
from ..model.solve import INF, PRIMAL_TOL, new_highs
from .futures import FutureResult

#: Bytes the extensive form takes per nonzero and per row or column while it is built and solved
#: (Python lists while building, the matrix and HiGHS's copies; measured on the default workbook).
BYTES_PER_NONZERO = 260
BYTES_PER_LINE = 900
#: Share of the available memory the extensive form may take.
MEMORY_SHARE = 0.6


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


@dataclass
class Decision:
    """The stochastic program's answer."""

    year: int
    here_and_now: dict[str, dict[int, float]]  # measure → year ≤ YEAR → share committed now (same in every future)
    expected_cost_meur: float  # RP: the mean over futures of public cost + P · shortfall
    eev_meur: float | None  # the mean-value plan's here-and-now commitments fixed, later ones adapting
    vss_meur: float | None  # EEV − RP
    mean_plan: dict[str, dict[int, float]]  # the mean-value future's plan: its commitments in years ≤ YEAR
    results: list[FutureResult]  # per future, under RP
    eev_results: list[FutureResult] = field(default_factory=list)
    size: Size | None = None
    status: str = ""
    mip_gap: float = 0.0
    seconds_build: float = 0.0
    seconds_solve: float = 0.0
    seconds_eev: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def expected_public_cost_meur(self) -> float:
        return sum(r.public_cost_meur or 0.0 for r in self.results) / max(1, len(self.results))


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable; else the physical memory)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8 * 1024 ** 3


def _shared(name: str, index, year: int) -> bool:
    """Whether a variable is a here-and-now commitment: d or b of a year ≤ YEAR."""
    return name in ("d", "b") and isinstance(index, tuple) and isinstance(index[-1], int) and index[-1] <= year


def estimate(inputs: list[PlanInput], year: int) -> Size:
    """The extensive form's size, from the rows of the first few futures (before anything large is built)."""
    sample = inputs[: min(5, len(inputs))]
    cols = rows = nnz = binaries = 0
    shared = set()
    for inp in sample:
        idx = index_sets(inp, late_until=year)
        fam = model_rows(idx, inp)
        for r in fam.values():
            rows += len(r.terms)
            nnz += sum(len(t) for t in r.terms.values())
        own = [("d", k) for k in idx.d_keys] + [("b", k) for k in idx.lumpy_keys]
        shared |= {k for k in own if _shared(k[0], k[1], year)}
        cols += len(idx.d_keys) + len(idx.s_keys) + len(idx.target_years) + len(idx.lumpy_keys)
        binaries += len(idx.lumpy_keys)
    n, k = len(inputs), len(sample)
    return Size(n, int(cols / k * n), int(rows / k * n), int(nnz / k * n), int(binaries / k * n))


def decide(base: PlanInput, futures: list[Future], year: int, *, time_limit_s: float | None = None,
           on_stage=None) -> Decision:
    """Solve the stochastic program over ``futures`` with the commitments of years ≤ ``year`` shared."""
    base = with_penalty(base)  # one P for every future (a derived one would follow each future's costs)
    st = base.settings
    if not (st.start_year <= year <= st.target_year):
        raise InputError(Problem(_("--decide-by {year}: expected a year from start_year {start} to target_year "
                                   "{target}", year=year, start=st.start_year, target=st.target_year)))
    if st.objective != "min-cost" or st.elastic or st.strict:
        raise InputError(Problem(_("--decide-by minimises the expected public cost plus the shortfall penalty: "
                                   "it needs objective min-cost, not elastic or strict")))
    from .futures import _future_problems, validate

    inputs = validate(base, futures)
    unkept = []
    for f, inp in zip(futures, inputs):
        found = fixed_problems(inp, future=True)
        if found:
            unkept += _future_problems(base, f.number, found[:1], futures)
    if unkept:
        raise InputError(unkept[:5] + [Problem(
            _("--decide-by: in {n} of the {all} futures a decision already taken (sheet committed) cannot be kept, "
              "so the stochastic program has no solution: move or remove that row, or narrow the draws that break it",
              n=len(unkept), all=len(futures)), sheet="committed")])
    size = estimate(inputs, year)
    room = int(available_memory() * MEMORY_SHARE)
    if size.bytes > room:
        raise InputError(Problem(_(
            "--decide-by with {n} futures: the stochastic program would have about {columns} columns, {rows} rows "
            "and {nonzeros} nonzeros, about {gb} GB, more than the {room} GB this machine can give it: use fewer "
            "--samples (about {fit} fit)", n=num(len(futures), ",d"), columns=num(size.columns, ",d"),
            rows=num(size.rows, ",d"), nonzeros=num(size.nonzeros, ",d"), gb=num(size.bytes / 1e9, ".1f"),
            room=num(room / 1e9, ".1f"), fit=num(max(1, int(len(futures) * room / size.bytes)), ",d"))))
    t0 = time.perf_counter()
    if on_stage:
        on_stage(_("building the stochastic program"))
    program = _Program(inputs, year)
    seconds_build = time.perf_counter() - t0
    if on_stage:
        on_stage(_("solving it ({columns} columns, {rows} rows)", columns=num(program.n_col, ",d"),
                   rows=num(program.n_row, ",d")))
    t1 = time.perf_counter()
    ok, status, gap = program.solve(time_limit_s if time_limit_s is not None else st.time_limit_s)
    if not ok:
        from ..model.optimum import SolverFailure
        from ..model.solve import Solution

        raise SolverFailure(Solution(False, status, _("the stochastic program was not solved ({status})",
                                                      status=status)))
    seconds_solve = time.perf_counter() - t1
    here_and_now = program.here_and_now()
    results = program.results(futures)
    rp = program.objective_value()

    # EEV: the mean-value future's plan, its here-and-now commitments fixed, later ones adapting
    t2 = time.perf_counter()
    if on_stage:
        on_stage(_("the plan for the mean-value future, fixed now, adapting later (EEV)"))
    notes: list[str] = []
    mean_inp = apply_overrides(base, list(mean_future(base).overrides))
    # the mean-value future planned like every future: the same rows, on its own (a program of one future)
    mean_program = _Program([mean_inp], year)
    ok, status, _gap = mean_program.solve(time_limit_s if time_limit_s is not None else st.time_limit_s)
    fixed = {key: float(mean_program.x[j]) for key, j in mean_program.shared_col.items()
             if mean_program.x[j] > TOL} if ok else {}
    eev = None
    eev_results: list[FutureResult] = []
    missing = [k for k, v in fixed.items() if v > TOL and k not in program.shared_col]
    if not ok:
        unkept = fixed_problems(mean_inp, future=True)
        notes.append(_("the mean-value future has no plan ({why}): EEV is infinite",
                       why=unkept[0].message if unkept else status))
    elif missing:
        what = [_("{measure} in {year}", measure=k[1][0], year=k[1][1]) for k in missing[:3]]
        notes.append(_("the mean-value plan commits now what no drawn future can fund ({what}): EEV is infinite",
                       what=", ".join(what)))
    else:
        ok, status, _gap = program.solve_fixed(fixed, time_limit_s if time_limit_s is not None else st.time_limit_s)
        if ok:
            eev = program.objective_value()
            eev_results = program.results(futures)
        else:
            notes.append(_("with the mean-value plan's commitments fixed now, some future has no plan ({status}): "
                           "EEV is infinite", status=status))
    vss = None if eev is None else eev - rp
    if vss is not None and vss < 0:
        slack = max(gap, 1e-9) * max(1.0, abs(rp))
        if -vss <= slack + 1e-6:
            vss = 0.0  # within the solver's optimality gap
        else:  # pragma: no cover - would be a bug: EEV is a feasible point of the program
            notes.append(_("VSS came out negative ({vss} M€): the stochastic program was not solved to optimality",
                           vss=num(vss, ",.3f")))
    mean_commitments: dict[str, dict[int, float]] = defaultdict(dict)
    for (name, (m, y)), v in fixed.items():
        if name == "d" and v > TOL:
            mean_commitments[m][y] = v
    return Decision(year, here_and_now, rp, eev, vss, dict(mean_commitments), results, eev_results, size, status,
                    gap, seconds_build, seconds_solve, time.perf_counter() - t2, notes)


class _Program:
    """The extensive form on a live HiGHS instance, with what is needed to read each future back."""

    def __init__(self, inputs: list[PlanInput], year: int):
        import highspy
        import numpy as np
        from scipy.sparse import coo_matrix

        self.inputs = inputs
        self.year = year
        n = len(inputs)
        domain = _domains(inputs[0])
        self.col: dict[tuple, int] = {}
        self.shared_col: dict[tuple, int] = {}
        lower: list[float] = []
        upper: list[float] = []
        integer: list[int] = []
        cost: list[float] = []

        def column(name: str, index, f: int) -> int:
            key = (name, index) if _shared(name, index, year) else (f, name, index)
            j = self.col.get(key)
            if j is None:
                j = self.col[key] = len(lower)
                lb, ub, binary = domain.get(name, (0.0, 1.0, True) if name == "b" else (0.0, INF, False))
                lower.append(lb)
                upper.append(ub)
                cost.append(0.0)
                if binary:
                    integer.append(j)
                if len(key) == 2:
                    self.shared_col[key] = j
            return j

        r_idx: list[int] = []
        c_idx: list[int] = []
        vals: list[float] = []
        row_lo: list[float] = []
        row_up: list[float] = []
        self.future_cols: list[dict[tuple, int]] = []
        shared_in: list[set] = []
        for f, inp in enumerate(inputs):
            idx = index_sets(inp, late_until=year)
            fam = model_rows(idx, inp)
            mine: dict[tuple, int] = {}
            for name, rows in fam.items():
                for key, terms in rows.terms.items():
                    k = len(row_lo)
                    for c, v, i in terms:
                        j = column(v, i, f)
                        mine[(v, i)] = j
                        r_idx.append(k)
                        c_idx.append(j)
                        vals.append(c)
                    rhs = rows.rhs[key]
                    row_lo.append(rhs if rows.sense in (">=", "==") else -INF)
                    row_up.append(rhs if rows.sense in ("<=", "==") else INF)
            for c, v, i in objective(idx, inp, fam):
                j = column(v, i, f)
                mine[(v, i)] = j
                cost[j] += c / n
            for k in idx.d_keys:  # a variable in no row and no cost still belongs to the future
                mine.setdefault(("d", k), column("d", k, f))
            self.future_cols.append(mine)
            shared_in.append({key for key in mine if _shared(key[0], key[1], year)})
        # a shared commitment that some future cannot make at all is not made
        for key, j in self.shared_col.items():
            if any(key not in have for have in shared_in):
                upper[j] = 0.0
        self.n_col, self.n_row = len(lower), len(row_lo)
        A = coo_matrix((vals, (r_idx, c_idx)), shape=(self.n_row, self.n_col)).tocsc()
        A.sum_duplicates()
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
        self.integer = integer
        if integer:
            kinds = [highspy.HighsVarType.kContinuous] * self.n_col
            for j in integer:
                kinds[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        self.nonzeros = int(A.nnz)
        self.lower, self.upper = np.array(lower), np.array(upper)
        h = new_highs()
        h.setOptionValue("mip_rel_gap", float(inputs[0].settings.mip_gap))
        if integer:
            h.setOptionValue("mip_feasibility_tolerance", PRIMAL_TOL)
        h.passModel(lp)
        self.highs = h
        self.x = None

    def solve(self, time_limit_s: float | None) -> tuple[bool, str, float]:
        import highspy

        h = self.highs
        if time_limit_s:
            h.setOptionValue("time_limit", float(time_limit_s))
        h.run()
        status = h.getModelStatus()
        text = h.modelStatusToString(status)
        if status != highspy.HighsModelStatus.kOptimal:
            return False, text, 0.0
        info = h.getInfo()
        self.x = list(h.getSolution().col_value)
        gap = float(getattr(info, "mip_gap", 0.0) or 0.0) if self.integer else 0.0
        self._objective = float(info.objective_function_value)
        return True, text, gap if math.isfinite(gap) else 0.0

    def solve_fixed(self, fixed: dict[tuple, float], time_limit_s: float | None) -> tuple[bool, str, float]:
        """Re-solve with every shared commitment fixed (at ``fixed`` or 0); the bounds are restored after."""
        import numpy as np

        cols = np.array(list(self.shared_col.values()), dtype=np.int32)
        values = np.array([min(max(fixed.get(k, 0.0), 0.0), float(self.upper[j]))
                           for k, j in self.shared_col.items()])
        h = self.highs
        h.clearSolver()
        h.changeColsBounds(len(cols), cols, values, values)
        try:
            return self.solve(time_limit_s)
        finally:
            h.changeColsBounds(len(cols), cols, self.lower[cols], self.upper[cols])

    def objective_value(self) -> float:
        return self._objective

    def here_and_now(self) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = defaultdict(dict)
        for (name, (m, y)), j in sorted(self.shared_col.items(), key=lambda kv: (kv[0][1][0], kv[0][1][1])):
            if name == "d" and self.x[j] > TOL:
                out[m][y] = float(self.x[j])
        return dict(out)

    def results(self, futures: list[Future]) -> list[FutureResult]:
        """Each future's plan under the current solution, through the one result assembler."""
        out = []
        for f, (inp, cols) in enumerate(zip(self.inputs, self.future_cols)):
            value = {key: self.x[j] for key, j in cols.items()}
            new = {i: v for (name, i), v in value.items() if name == "d"}
            subsidy = {i: v for (name, i), v in value.items() if name == "s"}
            shortfall = {i: v for (name, i), v in value.items() if name == "shortfall"}
            r = assemble(inp, new=new, subsidy=subsidy, shortfall=shortfall)
            out.append(FutureResult.of(futures[f].number, r, solver_note=_("stochastic program")))
        return out


def _domains(inp: PlanInput) -> dict[str, tuple[float, float, bool]]:
    """Each variable component's bounds and integrality, as the Pyomo model declares them."""
    model = build_model(inp).model
    import pyomo.environ as pyo

    out = {}
    for var in model.component_objects(pyo.Var, descend_into=True):
        for v in var.values():
            out[var.local_name] = (v.lb if v.lb is not None else -INF, v.ub if v.ub is not None else INF,
                                   v.is_binary() or v.is_integer())
            break
    return out
