"""Decide now, adapt later (docs/model.md sections 14 and 16): one stochastic program over N futures.

The extensive form (:class:`optimiser.analysis.extensive.Program`) is built from the same family rows as
every plan, with recourse: for each future f its own rows, over its own copies of every variable, except
the commitments of years ≤ YEAR (d_{m,y} and, for lumpy measures, b_{m,y}), which are one variable shared
by all futures (non-anticipativity):

    min (1/N) Σ_f [ cost_f + P · Σ_y σ^f_y ]
    s.t. the rows of every future f with recourse, with d^f_{m,y} = d_{m,y} for y ≤ YEAR

Recourse (section 16, :mod:`optimiser.analysis.recourse`): what is committed now but cannot run in a future
— its grid, hydrogen or CO2 store late, its lead time longer — stands idle there, so a commitment made now
need not fit every future's resources: it is made where it pays in expectation, and a later commitment
buys a fallback only in the futures where it is needed. An operating instrument releases what cannot run.

Reported apart, never added: the expected public cost (the mean over the futures of what each pays,
evaluated with recourse) and the expected shortfall (the mean per target year). The program's objective
(public cost plus the shortfall penalty) is only what it minimises, and what the value of the stochastic
solution compares: VSS = EEV − RP, with RP this program's optimum and EEV the same program with the shared
commitments fixed at those of the plan for the mean-value future
(:func:`optimiser.input.uncertainty.mean_future`, planned as a plan is: no recourse), the later ones still
adapting per future. Because that is one feasible point of the same program, VSS ≥ 0 (up to the MIP gap
where there are lumpy measures).

Size. The program's size is estimated from the first future's rows times N before any other future's
input is made; a program larger than the memory this machine can give it is refused at once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import InputError, PlanInput, Problem
from ..input.scenario import apply_overrides
from ..input.uncertainty import Future, mean_future
from ..lang import _, num
from ..model.cash import problems as fixed_problems
from ..model.index import with_penalty
from ..model.results import TOL
from .extensive import Program, Size, estimate
from .futures import FutureResult

#: Share of the available memory the extensive form may take.
MEMORY_SHARE = 0.6


@dataclass
class Decision:
    """The stochastic program's answer (plain data)."""

    year: int
    here_and_now: dict[str, dict[int, float]]  # measure → year ≤ YEAR → share committed now (same in every future)
    expected_cost_meur: float  # RP: the program's objective, mean of public cost + P · shortfall (not a cost)
    eev_meur: float | None  # the mean-value plan's here-and-now commitments fixed, later ones adapting
    vss_meur: float | None  # EEV − RP
    mean_plan: dict[str, dict[int, float]]  # the mean-value future's plan: its commitments in years ≤ YEAR
    results: list[FutureResult]  # per future, under RP, evaluated with recourse
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
        """The mean over the futures of the public cost each pays (with recourse; no penalty)."""
        return mean_cost(self.results)

    @property
    def expected_shortfall_mt(self) -> dict[int, float]:
        """Per target year, the mean shortfall over the futures (Mt/yr)."""
        return mean_shortfall(self.results)

    @property
    def eev_public_cost_meur(self) -> float | None:
        """With the mean-value plan's commitments made now (EEV): the mean public cost over the futures."""
        return mean_cost(self.eev_results) if self.eev_results else None

    @property
    def eev_shortfall_mt(self) -> dict[int, float]:
        """With the mean-value plan's commitments made now (EEV): per target year, the mean shortfall."""
        return mean_shortfall(self.eev_results) if self.eev_results else {}


def mean_cost(results: list[FutureResult]) -> float:
    return sum(r.public_cost_meur or 0.0 for r in results) / max(1, len(results))


def mean_shortfall(results: list[FutureResult]) -> dict[int, float]:
    years = sorted({y for r in results for y in r.shortfall_mt})
    return {y: sum(r.shortfall_mt.get(y, 0.0) for r in results) / max(1, len(results)) for y in years}


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


def check_size(base: PlanInput, futures: list[Future], until: int, option: str, *, chance: bool = False,
               samples: int | None = None) -> Size:
    """The program's size from the first future's rows × N (``samples``, default the number of ``futures``);
    bad input (at once, before the other futures' inputs are made) when it would need more memory than this
    machine can give it."""
    from .futures import validate

    first = validate(base, futures[:1])[0]
    n = len(futures) if samples is None else samples
    size = estimate(first, n, until, chance=chance)
    room = int(available_memory() * MEMORY_SHARE)
    if size.bytes > room:
        raise InputError(Problem(_(
            "{option} with {n} futures: the stochastic program would have about {columns} columns, {rows} rows "
            "and {nonzeros} nonzeros, about {gb} GB, more than the {room} GB this machine can give it: use fewer "
            "--samples (about {fit} fit)", option=option, n=num(n, ",d"), columns=num(size.columns, ",d"),
            rows=num(size.rows, ",d"), nonzeros=num(size.nonzeros, ",d"), gb=num(size.bytes / 1e9, ".1f"),
            room=num(room / 1e9, ".1f"), fit=num(max(1, int(n * room / size.bytes)), ",d"))))
    return size


def check_fits(base: PlanInput, samples: int, seed: int, until: int, option: str, *, chance: bool = False) -> Size:
    """:func:`check_size` before any future is drawn: one future drawn (any one gives the size of one), × N.
    Drawing 400 000 futures alone takes minutes and gigabytes; this refuses such a run in about a second."""
    from .futures import draw

    return check_size(with_penalty(base), draw(base, 1, seed), until, option, chance=chance, samples=samples)


def future_inputs(base: PlanInput, futures: list[Future], option: str) -> list[PlanInput]:
    """Every future's input; bad input when a decision already taken cannot be kept in some future."""
    from .futures import _future_problems, validate

    inputs = validate(base, futures)
    unkept = []
    for f, inp in zip(futures, inputs):
        found = fixed_problems(inp, future=True)
        if found:
            unkept += _future_problems(base, f.number, found[:1], futures)
    if unkept:
        raise InputError(unkept[:5] + [Problem(
            _("{option}: in {n} of the {all} futures a decision already taken (sheet committed) cannot be kept, "
              "so the stochastic program has no solution: move or remove that row, or narrow the draws that break it",
              option=option, n=len(unkept), all=len(futures)), sheet="committed")])
    return inputs


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
    option = f"--decide-by {year}"
    size = check_size(base, futures, year, option)
    inputs = future_inputs(base, futures, option)
    limit = time_limit_s if time_limit_s is not None else st.time_limit_s
    t0 = time.perf_counter()
    if on_stage:
        on_stage(_("building the stochastic program"))
    program = Program(inputs, year)
    seconds_build = time.perf_counter() - t0
    if on_stage:
        on_stage(_("solving it ({columns} columns, {rows} rows)", columns=num(program.n_col, ",d"),
                   rows=num(program.n_row, ",d")))
    t1 = time.perf_counter()
    ok, status, gap = program.solve(limit)
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
    # the mean-value future planned as a plan is (its resources bind in every year: no recourse)
    mean_program = Program([mean_inp], year, recourse=False)
    ok, status, _gap = mean_program.solve(limit)
    fixed = mean_program.shared_values() if ok else {}
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
        ok, status, _gap = program.solve_fixed(fixed, limit)
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
    return Decision(year, here_and_now, rp, eev, vss, dict(mean_commitments), results, eev_results,
                    program.size or size, status, gap, seconds_build, seconds_solve, time.perf_counter() - t2, notes)
