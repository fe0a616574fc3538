"""Futures (docs/model.md section 14): many drawn futures of one input, solved on parallel workers.

Two of the three questions are answered future by future here (the third,
decide-by, is one stochastic program: :mod:`optimiser.analysis.decide`):

- **wait and see**: each future planned on its own (the least-cost plan of that future);
- **stress test**: a plan's commitments fixed; in each future the abatement is
  Σ_m A_m · o'_{m,y}, with 0 ≤ o'_{m,y} ≤ o_{m,y} (what the commitments put in
  operation by y with that future's lead times) chosen to maximise abatement
  within that future's stock resources — what is built but cannot connect does
  not abate — and the public cost is the commitments re-priced at that future's
  gaps.

How it runs. The futures are drawn once, in the calling process
(:func:`optimiser.input.uncertainty.draw_futures`), and cut into chunks. A
worker — the calling process itself (``jobs=1``), one of ``jobs`` local
processes, or a worker of a Dask cluster (``scheduler``) — receives the base
input once (a :class:`Payload`, keyed by the SHA-256 of its pickled bytes),
keeps a cache of built models per payload (:data:`_STATES`), and for each
future of a chunk applies the future's overrides, pushes the numbers into a
kept HiGHS instance (:meth:`optimiser.model.solve.Solver.update`) and
re-solves; it builds a model only for a structure it has not seen (another
variable appears or disappears, e.g. a lead time that slips past the
horizon) and counts how often that happened. Every solve starts from a
cleared basis, so a future's numbers depend on its input only — never on
which worker solved it or what that worker solved before: the same seed gives
the same numbers with 1, 2 or 20 workers.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import sys
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..input.data import Committed, InputError, PlanInput, Problem
from ..input.scenario import apply_overrides
from ..input.tables import to_tables
from ..input.uncertainty import Dimension, Future, dimensions, draw_futures
from ..lang import DEFAULT, _, current, language, ngettext, num
from ..model.build import build_model, objective
from ..model.cash import problems as fixed_problems
from ..model.extract import extract
from ..model.families import model_rows
from ..model.fields import SURE_LEVELS, HasHeadline, Headline, Record
from ..model.index import index_sets, with_penalty
from ..model.results import TOL, PlanResult
from ..model.solve import Solver, solver_version
from .runs import Run

MODES = ("wait_and_see", "stress_test", "decide_by", "confidence")
#: A measure funded in at least this share of the futures is in the robust core.
ROBUST_SHARE = 0.9
#: Most models one worker keeps (one per structure seen), least recently used dropped first.
CACHE_MODELS = 16
#: Fewest futures for the variance-based index of the drivers (RBD-FAST, 10 harmonics, bootstrapped).
MIN_VARIANCE_SAMPLES = 100
#: Most futures one run may have (a guard against a mistyped --samples).
MAX_SAMPLES = 1_000_000


# ---------------------------------------------------------------- what a worker receives and returns

@dataclass(frozen=True)
class Payload:
    """What every worker needs, shipped once: the base input and, for a stress test, the plan's commitments.

    ``commitments[(m, y)]``: share of m newly committed in y (years ≥ start_year and earlier ones);
    ``split[m]``: the plan's instruments for m and the share of m's subsidy each paid. ``lang``: the language of the run, which a worker process (forked, spawned or on a Dask
    cluster) does not inherit: :func:`run_chunk` works in it.
    """

    base: PlanInput
    mode: str
    commitments: tuple[tuple[tuple[str, int], float], ...] = ()
    split: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    lang: str = DEFAULT  # the run's language: a worker writes its notes and messages in it
    #: commitments of years ≤ ``until`` fixed, later ones planned per future (:func:`evaluator`)
    until: int | None = None
    #: how a future is answered when neither wait and see nor a stress test: a module-level function
    #: (state, input, number) → FutureResult, shipped by reference (e.g. the decide-by plan's later commitments
    #: planned per future, optimiser.analysis.confidence.adapt)
    evaluator: object = None


class FutureResult(HasHeadline):
    """One future's outcome (plain data): its :class:`~optimiser.model.fields.Headline` record — status, public
    cost, objective, abatement and shortfall per target year, abatement committed or built but not running
    (recourse, section 16), … read as attributes (``r.public_cost_meur``) — and what it details beyond its
    figures: the measures it funds, the cash it pays per instrument and year, the limits binding where it
    misses a target, how it was solved.

    Made from a plan (:meth:`of`), without one (:meth:`failed`), or from the figures an evaluation works out
    itself: ``FutureResult(number, status, public_cost_meur, objective_meur, abatement_mt, shortfall_mt,
    committed, idle_mt=…)`` puts them in the record.
    """

    def __init__(self, number: int, status: str = "failed", public_cost_meur: float | None = None,
                 objective_meur: float | None = None, abatement_mt: dict | None = None,
                 shortfall_mt: dict | None = None, committed: dict | None = None, idle_mt: float = 0.0,
                 cash_meur: dict | None = None, released_meur: float = 0.0, binding: tuple = (),
                 solver_note: str = "", message: str = "", seconds: float = 0.0, *,
                 headline: Headline | None = None):
        self.number = number
        if headline is None:
            planned = status != "failed"
            figures = {"status": status, "public_cost_meur": public_cost_meur, "objective_meur": objective_meur,
                       "abatement_mt": abatement_mt, "shortfall_mt": shortfall_mt,
                       "idle_mt": idle_mt if planned else None,
                       # what operating instruments do not pay for idle tonnes (cost-weighted M€): the future's vrijval
                       "released_meur": released_meur if planned else None}
            headline = Headline({k: v for k, v in figures.items() if v is not None})
        self.headline = headline
        self.committed = dict(committed or {})  # x_{m,target_year} of every funded measure
        #: cash paid per instrument and year (M€), the decisions of the past included; an operating instrument
        #: pays only for what runs
        self.cash_meur = dict(cash_meur or {})
        #: a future planned on its own that still misses a target: the limits with a shadow price in its plan,
        #: (family, id, year, in words)
        self.binding = tuple(binding)
        self.solver_note = solver_note  # how it was solved, in the run's language ("evaluated", …)
        self.message = message
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"FutureResult({self.number}, {self.headline!r})"

    @classmethod
    def of(cls, number: int, result: PlanResult, **kw) -> FutureResult:
        """A future planned: its record read from the plan, the measures the plan takes up."""
        return cls(number, committed={m: mr.committed_share for m, mr in result.measures.items() if mr.taken_up},
                   headline=Headline.of(result), **kw)

    @classmethod
    def failed(cls, number: int, inp: PlanInput, **kw) -> FutureResult:
        return cls(number, headline=Headline.without_plan(inp), **kw)


@dataclass
class ChunkResult:
    results: list[FutureResult]
    builds: int = 0  # models built for this chunk (structures not seen before by that worker)
    updates: int = 0  # futures re-solved on a kept model
    worker: str = ""
    problems: list[tuple[int, list[Problem]]] = field(default_factory=list)  # futures whose input is invalid


# ---------------------------------------------------------------- the worker side

class _State:
    """A worker's models for one payload: one kept solver per model structure seen (LRU)."""

    def __init__(self, payload: Payload):
        from dataclasses import replace

        # the futures' inputs need neither the sheets of overrides (validated once, when read) nor their rows
        self.base = replace(payload.base, uncertainty=(), scenarios=())
        self.tables = to_tables(self.base)  # once: each future copies only the sheets its overrides touch
        self.payload = payload
        self.solvers: OrderedDict[tuple, Solver] = OrderedDict()
        self.commitments = dict(payload.commitments)
        self.split = {m: dict(parts) for m, parts in payload.split}

    def solver_for(self, inp: PlanInput) -> tuple[Solver, bool]:
        """A solver holding ``inp``'s numbers: a kept one updated in place, else a new build (True)."""
        idx = index_sets(inp, stable=True)
        rows = model_rows(idx, inp)
        st = inp.settings
        obj = objective(idx, inp, rows)
        structure = Solver.structure(idx, rows, obj)
        # keyed by the structure's hash, taken once (Solver.update compares the structure itself)
        key = (st.time_limit_s, st.mip_gap, st.objective, st.elastic, st.strict, hash(structure))
        solver = self.solvers.get(key)
        if solver is not None and solver.update(inp, prepared=(idx, rows, obj, structure)):
            self.solvers.move_to_end(key)
            return solver, False
        solver = Solver(build_model(inp, stable=True))
        solver.probe_degenerate = solver.duals = False  # futures report no shadow prices
        solver.relax_first = True  # a MILP whose relaxation comes out whole needs no branch and bound
        self.solvers[key] = solver
        while len(self.solvers) > CACHE_MODELS:
            self.solvers.popitem(last=False)
        return solver, True


#: Worker-side cache: payload key (SHA-256 of the pickled payload) and thread → the worker's models.
_STATES: dict[tuple[str, int], _State] = {}
_LOCK = threading.Lock()
#: The payload of a local worker process (set once by its initializer).
_LOCAL: tuple[str, Payload] | None = None


def _state(key: str, payload: Payload) -> _State:
    with _LOCK:
        state = _STATES.get((key, threading.get_ident()))
        if state is None:
            for old in [k for k in _STATES if k[0] != key]:
                del _STATES[old]  # one run at a time: drop the models of earlier payloads
            state = _STATES[(key, threading.get_ident())] = _State(payload)
        return state


def run_chunk(key: str, payload: Payload, chunk: list[Future]) -> ChunkResult:
    """Solve (wait and see) or evaluate (stress test) every future of a chunk on this worker, in the
    run's language (``payload.lang``)."""
    with language(payload.lang):
        return _run_chunk(key, payload, chunk)


def _run_chunk(key: str, payload: Payload, chunk: list[Future]) -> ChunkResult:
    state = _state(key, payload)
    out = ChunkResult(results=[], worker=f"{os.uname().nodename}:{os.getpid()}")
    for future in chunk:
        t0 = time.perf_counter()
        try:
            inp = apply_overrides(state.base, list(future.overrides), tables=state.tables)
        except InputError as exc:
            out.problems.append((future.number, exc.problems))
            continue
        if payload.evaluator is not None:
            result = payload.evaluator(state, inp, future.number)
        elif payload.mode == "stress_test":
            result = stress(inp, state.commitments, state.split, future.number)
        else:
            result = _wait_and_see(state, inp, future.number, out)
        result.seconds = time.perf_counter() - t0
        out.results.append(result)
    return out


def _run_local_chunk(chunk: list[Future]) -> ChunkResult:
    key, payload = _LOCAL
    return run_chunk(key, payload, chunk)


def _init_local(data: bytes) -> None:
    global _LOCAL
    _STATES.clear()  # a forked worker builds its own models
    # HiGHS starts a pool of threads for its first MIP; a process forked after this one solved one finds a copy
    # of the pool without its threads and would wait on it forever: drop the copy, without waiting
    import highspy

    reset = getattr(highspy.Highs, "resetThreadScheduler", None) or getattr(highspy.Highs, "resetGlobalScheduler", None)
    if reset is not None:  # resetThreadScheduler in current highspy, resetGlobalScheduler in older ones
        reset(False)
    _LOCAL = (hashlib.sha256(data).hexdigest(), pickle.loads(data))


def _wait_and_see(state: _State, inp: PlanInput, number: int, out: ChunkResult) -> FutureResult:
    """The future planned on its own: its least-cost plan."""
    unkept = fixed_problems(inp, future=True)
    if unkept:  # a decision already taken that this future cannot keep: no plan exists
        return FutureResult.failed(number, inp, message="; ".join(p.message for p in unkept[:2]),
                                   solver_note=_("not solved: decisions already taken that this future cannot keep"))
    solver, built = state.solver_for(inp)
    if built:
        out.builds += 1
    else:
        out.updates += 1
    canonical(solver.highs)  # every future from a cold start on the same matrix: its numbers depend on its input only
    sol = solver.solve()
    note = _("built: new structure") if built else _("re-solved on a kept model")
    if not sol.ok:
        return FutureResult.failed(number, inp, message=_("{message} (solver status: {status})", message=sol.message,
                                                               status=sol.status), solver_note=note)
    r = extract(solver.built, sol, explain=False)
    return FutureResult.of(number, r, solver_note=note, cash_meur=_cash_of(r))


def _cash_of(r) -> dict[str, dict[int, float]]:
    """Cash paid per instrument and year of a plan's result (years with cash only)."""
    if r.cash is None:
        return {}
    return {i: {t: v for t, v in ys.items() if abs(v) > TOL} for i, ys in r.cash.cash.items()
            if any(abs(v) > TOL for v in ys.values())}


def canonical(h) -> None:
    """Pass the live model back to HiGHS with every column's entries in row order and no zeros, and no basis.

    Changing a coefficient in place appends a new entry at the end of its column (and removes one set to 0),
    so after many updates the same numbers can sit in another order than in a fresh build. Each future's
    plan is its canonical plan whatever the order (:meth:`optimiser.model.solve.Solver.solve`), but the
    path HiGHS takes moves its last digits (10⁻¹³); the canonical matrix and a cold start make a future's
    numbers depend on its input alone, to the last digit, whichever worker solves it after whatever.
    """
    import highspy
    import numpy as np
    from scipy.sparse import csc_matrix, csr_matrix

    lp = h.getLp()
    m = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    parts = (np.asarray(m.value_, dtype=float), np.asarray(m.index_), np.asarray(m.start_))
    A = (csc_matrix(parts, shape=shape) if m.format_ == highspy.MatrixFormat.kColwise
         else csr_matrix(parts, shape=shape).tocsc())
    A.eliminate_zeros()
    A.sort_indices()
    m.format_ = highspy.MatrixFormat.kColwise
    m.start_ = A.indptr.astype(np.int32)
    m.index_ = A.indices.astype(np.int32)
    m.value_ = A.data.astype(float)
    h.passModel(lp)


def stress(inp: PlanInput, commitments: dict[tuple[str, int], float], split: dict[str, dict[str, float]],
           number: int = 0) -> FutureResult:
    """A plan's commitments in one future (docs/model.md sections 14 and 16, stress test).

    The plan's commitments of years ≥ start_year are that future's commitments, and its decisions of the
    past (sheet ``committed`` of ``inp``: the plan's own) stay as they are (section 12). Every one of them is
    built L_m years after its year, with the future's lead times; what is built runs as far as that future's
    stock resources allow, the decisions of the past first (:func:`optimiser.analysis.recourse.evaluate`:
    what is built but cannot connect does not abate; flow resources limit what is committed, which the plan
    fixed). Public cost: the commitments re-priced at the future's gaps Gap_{m,t} = max(0, c_m − p_t) · A_m ·
    D_m, paid by the plan's instruments in the plan's shares ``split[m]``; an operating instrument pays only
    for the share that runs in the target year. The past decisions' money is sunk.
    """
    from .recourse import evaluate, repriced

    start = inp.settings.start_year
    forced = {(m, t): v for (m, t), v in commitments.items() if t >= start and m in inp.measures and v > 0}
    ev = evaluate(inp, forced, repriced(inp, forced, split))
    penalty = float(inp.settings.shortfall_penalty_eur_per_t or 0.0) * sum(ev.shortfall_mt.values())
    return FutureResult(number, "target_met" if ev.target_met else "target_not_met", ev.public_cost_meur,
                        ev.public_cost_meur + penalty, dict(ev.abatement_mt), dict(ev.shortfall_mt),
                        dict(ev.committed), idle_mt=ev.idle_mt, cash_meur=ev.cash_meur,
                        released_meur=ev.released_meur, solver_note=_("evaluated"))


# ---------------------------------------------------------------- the run

@dataclass
class Driver:
    """How much one dimension of the draws moves the shortfall (and the public cost)."""

    dimension: Dimension
    label: str
    rho_shortfall: float | None  # Spearman rank correlation of the draw's quantile with Σ_y shortfall
    rho_cost: float | None  # … with the public cost
    s1_shortfall: float | None  # first-order variance share of the shortfall (RBD-FAST, SALib)
    s1_conf: float | None


@dataclass
class FuturesRun(Run):
    """A whole futures run: what was drawn, every future's outcome, and the answers to the three questions."""

    mode: str = "wait_and_see"
    samples: int = 0
    seed: int = 0
    futures: list[Future] = field(default_factory=list)
    results: list[FutureResult] = field(default_factory=list)
    dims: list[Dimension] = field(default_factory=list)
    p_target_met: float = 0.0
    p_target_met_ci: tuple[float, float] = (0.0, 1.0)
    funded_share: dict[str, float] = field(default_factory=dict)
    drivers: list[Driver] = field(default_factory=list)
    builds: int = 0
    updates: int = 0
    workers: str = ""
    worker_count: int = 1
    overrides: list[str] = field(default_factory=list)
    plan_file: str = ""  # stress test: the plan whose commitments are fixed
    commitments: dict[tuple[str, int], float] = field(default_factory=dict)
    decision: object = None  # decide_by: optimiser.analysis.decide.Decision
    confidence: object = None  # confidence: optimiser.analysis.confidence.ConfidenceRun (results: its answer's)
    #: the mean public cost over the solved futures (what each pays; never the shortfall penalty)
    expected_public_cost_meur: float | None = None
    #: per target year, the mean shortfall over the solved futures
    expected_shortfall_mt: dict[int, float] = field(default_factory=dict)
    #: the abatement reached in at least p of the futures: {p: {target year: Mt/yr}} (:func:`sure_abatement`)
    sure_abatement_mt: dict[float, dict[int, float]] = field(default_factory=dict)
    #: the 10th, 50th and 90th percentile of cash paid: {instrument: {year: (p10, p50, p90)}} (:func:`cash_bands`)
    cash_bands_meur: dict[str, dict[int, tuple[float, float, float]]] = field(default_factory=dict)

    outcomes = property(lambda self: self.results)

    @property
    def record(self) -> Record:
        """The run's own figures (the fields of view ``futures_run``: P(target met), its interval, the expected
        public cost and shortfall, the p-sure abatement, the cash bands)."""
        return Record(self)

    @property
    def met(self) -> int:
        return sum(r.target_met for r in self.results)

    def robust_core(self) -> list[str]:
        return [m for m, s in self.funded_share.items() if s >= ROBUST_SHARE - 1e-12]

    def contingent(self) -> list[str]:
        return [m for m, s in self.funded_share.items() if 0 < s < ROBUST_SHARE - 1e-12]

    def cost_quantile(self, q: float) -> float | None:
        import numpy as np

        costs = [r.public_cost_meur for r in self.results if r.ok]
        return float(np.quantile(costs, q)) if costs else None


def check_samples(samples: int, seed: int) -> None:
    problems = []
    if not isinstance(samples, int) or samples < 1:
        problems.append(Problem(_("--samples {samples}: expected a whole number ≥ 1", samples=samples)))
    elif samples > MAX_SAMPLES:
        problems.append(Problem(_("--samples {samples}: more than the {most} futures one run may have",
                                  samples=num(samples, ",d"), most=num(MAX_SAMPLES, ",d"))))
    if not isinstance(seed, int) or seed < 0:
        problems.append(Problem(_("--seed {seed}: expected a whole number ≥ 0", seed=seed)))
    if problems:
        raise InputError(problems)


def draw(base: PlanInput, samples: int, seed: int) -> list[Future]:
    """The run's futures; refuses an input without uncertainty rows, and checks the first future's input."""
    check_samples(samples, seed)
    if not base.uncertainty:
        raise InputError(Problem(_("the workbook has no uncertainty rows: add a sheet 'uncertainty' (docs/futures.md)"),
                                 sheet="uncertainty"))
    futures = draw_futures(base.uncertainty, samples, seed)
    validate(base, futures[:1])
    return futures


def validate(base: PlanInput, futures: list[Future]) -> list[PlanInput]:
    """The futures' inputs; a future whose draws give an invalid input is bad input, named by its draws."""
    out, problems = [], []
    tables = to_tables(base)
    for f in futures:
        try:
            out.append(apply_overrides(base, list(f.overrides), tables=tables))
        except InputError as exc:
            problems += _future_problems(base, f.number, exc.problems, futures)
            if len(problems) >= 20:
                break
    if problems:
        raise InputError(problems)
    return out


def _future_problems(base: PlanInput, number: int, problems: list[Problem], futures=None) -> list[Problem]:
    future = next((f for f in futures or [] if f.number == number), None)
    drawn = ""
    if future is not None:
        drawn = " (" + ", ".join(f"{k}={v:g}" for k, v in list(future.draw(base.uncertainty).items())[:4]) + ")"
    return [Problem(_("future {number}{drawn}: {problem}", number=number, drawn=drawn, problem=p.message), p.file,
                    p.sheet, p.row, p.column) for p in problems]


def chunks(futures: list[Future], workers: int, size: int | None = None) -> list[list[Future]]:
    """Futures cut into chunks: a few per worker (so a slow chunk does not hold up the end), at most 50."""
    if size is None:
        size = max(1, min(50, math.ceil(len(futures) / (4 * max(1, workers)))))
    return [futures[k:k + size] for k in range(0, len(futures), size)]


def solve_futures(payload: Payload, futures: list[Future], *, jobs: int = 1, scheduler: str | Cluster | None = None,
                  on_progress=None, chunk_size: int | None = None, on_stage=None) -> tuple[list[FutureResult], dict]:
    """Every future's outcome, in future order, and how the work was done.

    ``jobs`` local processes (1: this process), or the Dask cluster at ``scheduler`` (an address, or a
    :class:`Cluster` with its certificates and timeout); ``on_progress(done, total)`` after each chunk;
    ``on_stage(text)`` while a cluster is reached and waited for.
    """
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    key = hashlib.sha256(data).hexdigest()
    total = len(futures)
    done = 0
    results: list[FutureResult] = []
    stats = {"builds": 0, "updates": 0, "workers": set(), "problems": []}

    def collect(part: ChunkResult) -> None:
        nonlocal done
        results.extend(part.results)
        stats["builds"] += part.builds
        stats["updates"] += part.updates
        stats["workers"].add(part.worker)
        stats["problems"] += part.problems
        done += len(part.results) + len(part.problems)
        if on_progress is not None:
            on_progress(done, total)

    if scheduler:
        where = scheduler if isinstance(scheduler, Cluster) else cluster(scheduler)
        _on_dask(where, key, payload, chunks(futures, 8, chunk_size), collect, stats, on_stage)
    elif jobs <= 1:
        for part in chunks(futures, 1, chunk_size or 10):
            collect(run_chunk(key, payload, part))
        stats["where"] = _("this process")
    else:
        import concurrent.futures as cf
        import multiprocessing

        # fork where it is safe (Linux): the workers start at once, with the package already imported
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        ctx = multiprocessing.get_context(method)
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_local,
                                    initargs=(data,)) as pool:
            pending = [pool.submit(_run_local_chunk, part) for part in chunks(futures, jobs, chunk_size)]
            try:
                for item in cf.as_completed(pending):
                    collect(item.result())
            except BaseException:
                for p in pending:
                    p.cancel()
                raise
        stats["where"] = _("{jobs} local processes", jobs=jobs)
    if stats["problems"]:
        problems = []
        for number, found in sorted(stats["problems"], key=lambda item: item[0])[:5]:
            problems += _future_problems(payload.base, number, found, futures)
        raise InputError(problems)
    results.sort(key=lambda r: r.number)
    return results, stats


# ---------------------------------------------------------------- a Dask cluster (README: a cluster only the team can use)

#: Seconds a run on a Dask cluster waits, at each step: for the scheduler to answer, for a first worker to join, and
#: for a worker again when every worker left during the run (``--scheduler-timeout``).
SCHEDULER_TIMEOUT_S = 30.0
#: The schemes of the schedulers policymix connects to: plain, or TLS with certificates.
SCHEMES = ("tcp", "tls")
#: Where Dask's own configuration holds this client's certificates (the keys distributed.Security reads).
TLS_CONFIG = {"ca_file": "distributed.comm.tls.ca-file", "cert": "distributed.comm.tls.client.cert",
              "key": "distributed.comm.tls.client.key"}
#: The command line's spelling of the options of a cluster: how messages name them when the caller's is not known.
CLUSTER_OPTIONS = {"scheduler": "--scheduler", "ca_file": "--tls-ca-file", "cert": "--tls-cert", "key": "--tls-key",
                   "timeout": "--scheduler-timeout"}
#: The most a certificate or key file may hold (a larger file is not one).
PEM_MOST_BYTES = 1 << 20
#: What every Dask scheduler says first on a new connection (its handshake names its pickle protocol).
DASK_GREETING = b"pickle-protocol"


class NoCluster(InputError):
    """The cluster cannot be used: a bad address or certificate, nothing or no Dask scheduler there, the scheduler
    refuses this client, no worker joined. Bad usage (exit code 2), raised before any future is solved; it is about
    the options, not the workbook."""


class ClusterFailure(Exception):
    """A run on a Dask cluster started and the cluster failed under it: every worker left and none joined again
    within the timeout, the scheduler stopped, or a task stopped the workers that ran it. Exit code 4; nothing is
    written."""


class InsecureScheduler(UserWarning):
    """A plain ``tcp://`` scheduler beyond this machine: the input travels unencrypted, and whoever can reach the
    port can run code on the workers. The command line shows it as one line, ``warning: …`` (``for_users``)."""

    for_users = True


def _cli_label(field_: str, value: object = None) -> str:
    flag = CLUSTER_OPTIONS[field_]
    return flag if value is None else f"{flag} {os.fspath(value) if isinstance(value, os.PathLike) else value}"


@dataclass(frozen=True)
class Cluster:
    """Where a run's futures go (:func:`cluster` makes one, checked): a Dask scheduler's address, this client's TLS
    certificates (paths, or PEM text from Dask's configuration) and how long each wait lasts.

    ``said[field]``: how a message names the scheduler, a certificate or the timeout option (as the caller spelled
    it: ``--tls-cert c.pem`` or ``tls_cert='c.pem'``; a certificate from Dask's configuration by its key).
    """

    address: str  # scheme://host:port, as Dask reads it
    scheme: str
    host: str
    port: int
    ca_file: str | None = None
    cert: str | None = None
    key: str | None = None
    timeout_s: float = SCHEDULER_TIMEOUT_S
    said: dict = field(default_factory=dict, compare=False, repr=False)

    def name(self, field_: str) -> str:
        value = self.address if field_ == "scheduler" else getattr(self, field_, None) if field_ != "timeout" else None
        return self.said.get(field_) or _cli_label(field_, value)

    def security(self):
        """The client's ``distributed.Security`` (TLS required), or None for a plain ``tcp://`` scheduler."""
        if self.scheme != "tls":
            return None
        from distributed import Security

        return Security(require_encryption=True, tls_ca_file=self.ca_file, tls_client_cert=self.cert,
                        tls_client_key=self.key)

    def insecure(self) -> str | None:
        """The warning for a plain ``tcp://`` scheduler that is not on this machine (loopback); None otherwise."""
        if self.scheme != "tcp" or _loopback(self.host):
            return None
        return _("{scheduler} is not on this machine and tcp:// is not encrypted: the workbook (budgets, company "
                 "projects) travels in clear text, and anyone who can reach that port can run code on the workers; "
                 "use tls:// with the cluster's certificates (README: a cluster only the team can use)",
                 scheduler=self.name("scheduler"))


def _loopback(host: str) -> bool:
    """Whether every address ``host`` stands for is this machine's loopback (127.0.0.0/8, ::1)."""
    import ipaddress
    import socket

    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    try:
        return bool(found) and all(ipaddress.ip_address(str(a[4][0]).split("%")[0]).is_loopback for a in found)
    except ValueError:
        return False


def cluster(address: object, *, ca_file: object = None, cert: object = None, key: object = None,
            timeout_s: float | None = None, label=None) -> Cluster:
    """A Dask scheduler's address and this client's certificates, checked before anything is read or solved.

    ``address``: ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``HOST:PORT`` (Dask's default, tcp). A ``tls://``
    scheduler needs the CA certificate of the cluster, this client's certificate and its key (``ca_file``, ``cert``,
    ``key``, else ``distributed.comm.tls.ca-file``, ``…client.cert`` and ``…client.key`` of Dask's configuration);
    each must be a PEM file of its kind, the key without a passphrase and the key of the certificate.
    ``label(field, value=None)`` spells an option as the caller did (default: the command line's). Raises
    :class:`NoCluster` naming each problem.
    """
    from urllib.parse import urlsplit

    label = label or _cli_label
    text = address.strip() if isinstance(address, str) else ""
    said = {"scheduler": label("scheduler", address), "timeout": label("timeout")}
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    scheme = scheme.lower()
    if sep and scheme and scheme not in SCHEMES:
        raise NoCluster(Problem(_("{scheduler}: policymix connects to tcp:// or tls:// (with certificates) Dask "
                                  "schedulers, not {scheme}://", scheduler=said["scheduler"], scheme=scheme)))
    host = port = None
    try:
        parts = urlsplit("//" + rest)
        host, port = parts.hostname, parts.port
        extra = parts.path or parts.query or parts.fragment or parts.username is not None
    except ValueError:
        extra = True
    if not scheme or extra or not host or port is None or not 0 < port < 65536:
        raise NoCluster(Problem(_("{scheduler}: expected a Dask scheduler's address, tcp://HOST:PORT or "
                                  "tls://HOST:PORT (with certificates)", scheduler=said["scheduler"])))
    shown = f"[{host}]" if ":" in host else host
    given = {"ca_file": ca_file, "cert": cert, "key": key}
    values: dict[str, str] = {}
    for f, value in given.items():
        if value is not None:
            values[f] = os.fspath(value)
            said[f] = label(f, value)
        elif scheme == "tls":
            import dask

            configured = dask.config.get(TLS_CONFIG[f], None)
            if configured:
                values[f] = str(configured)
                said[f] = _("{key} of Dask's configuration", key=TLS_CONFIG[f])
    problems: list[Problem] = []
    if scheme == "tcp":
        named = [said[f] for f in given if given[f] is not None]
        if named:
            problems.append(Problem(_("{scheduler}: {options} are for a scheduler that uses TLS: write "
                                      "tls://{host}:{port}", scheduler=said["scheduler"], options=", ".join(named),
                                      host=shown, port=port)))
        values = {}
    elif not (values.get("ca_file") and values.get("cert")):
        problems.append(Problem(_("{scheduler}: a tls:// scheduler needs this client's certificates: give {ca}, "
                                  "{cert} and {key} (or set {ca_key}, {cert_key} and {key_key} in Dask's "
                                  "configuration)", scheduler=said["scheduler"], ca=label("ca_file"),
                                  cert=label("cert"), key=label("key"), ca_key=TLS_CONFIG["ca_file"],
                                  cert_key=TLS_CONFIG["cert"], key_key=TLS_CONFIG["key"])))
    else:
        problems += _pem_problems(values, said)
    if problems:
        raise NoCluster(problems)
    return Cluster(f"{scheme}://{shown}:{port}", scheme, host, port, values.get("ca_file"), values.get("cert"),
                   values.get("key"), float(timeout_s or SCHEDULER_TIMEOUT_S), said)


def _pem_problems(values: dict[str, str], said: dict[str, str]) -> list[Problem]:
    """Each certificate or key a PEM file of its kind, the key without a passphrase and the key of the certificate
    (ssl loads them as Dask will, so nothing asks for a passphrase later)."""
    import re
    import ssl
    import tempfile

    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for f, value in values.items():
        if "-----BEGIN" in value:  # PEM text itself (Dask's configuration may hold it)
            texts[f] = value
            continue
        try:
            with open(value, "rb") as fh:
                data = fh.read(PEM_MOST_BYTES + 1)
        except FileNotFoundError:
            problems.append(Problem(_("{option}: no such file", option=said[f])))
            continue
        except IsADirectoryError:
            problems.append(Problem(_("{option}: a folder, not a file", option=said[f])))
            continue
        except OSError as exc:
            problems.append(Problem(_("{option}: cannot be read ({reason})", option=said[f],
                                      reason=exc.strerror or exc)))
            continue
        texts[f] = data.decode("latin-1") if len(data) <= PEM_MOST_BYTES else ""
    certificate = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
    for f in ("ca_file", "cert"):
        if f not in texts:
            continue
        found = certificate.findall(texts[f])
        try:
            if not found:
                raise ssl.SSLError
            ssl.create_default_context(cadata="\n".join(found))
        except (ssl.SSLError, ValueError):
            problems.append(Problem(_("{option}: not a PEM certificate (a file that begins with -----BEGIN "
                                      "CERTIFICATE-----)", option=said[f])))
            texts.pop(f)
    key_text = texts.get("key", texts.get("cert", "") if "key" not in values else None)
    if key_text is not None:
        where = "key" if "key" in values else "cert"
        if "ENCRYPTED" in key_text:
            problems.append(Problem(_("{option}: the key is protected by a passphrase, which Dask cannot ask for: give "
                                      "the key without one (openssl pkey -in KEY -out KEY-open.pem)",
                                      option=said[where])))
            texts.pop(where, None)
        elif not re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", key_text):
            problems.append(Problem(_("{option}: not a PEM private key (a file that begins with -----BEGIN PRIVATE "
                                      "KEY-----)", option=said[where]) if where == "key" else
                                    _("{option}: holds no private key: give its key with {key}", option=said[where],
                                      key=_cli_label("key") if "key" not in said else said["key"])))
            texts.pop(where, None)
    if problems or "cert" not in texts:
        return problems
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for f in ("cert", "key"):
            if f in texts:
                paths[f] = os.path.join(folder, f"{f}.pem")
                with open(paths[f], "w", encoding="latin-1") as fh:
                    fh.write(texts[f])
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(paths["cert"], paths.get("key"),
                                                                    password=lambda: b"")
        except ssl.SSLError:
            where = "key" if "key" in said else "cert"
            problems.append(Problem(_("{option}: not the key of {cert}", option=said[where], cert=said["cert"])))
    return problems


def _reach(where: Cluster, on_stage=None) -> None:
    """Reach the scheduler before Dask's client does, every step bounded by the timeout (Dask's client waits for
    ever on a port that accepts and never answers): a connection (refused, no such host, no answer), for ``tls://``
    the TLS handshake with this client's certificates, then the greeting every Dask scheduler says first. Raises
    :class:`NoCluster` saying which step failed."""
    import socket
    import ssl

    scheduler = where.name("scheduler")
    seconds = num(where.timeout_s, "g")
    hint = _("is that the scheduler's port (8786 unless told otherwise; 8787 is its dashboard)?")
    if where.scheme == "tcp":
        hint += " " + _("A scheduler that uses TLS takes tls://{address} and the cluster's certificates",
                        address=where.address.split("://", 1)[1])

    def fail(why: str) -> NoCluster:
        return NoCluster(Problem(_("{scheduler}: cannot connect to a Dask scheduler there: {why}", scheduler=scheduler,
                                   why=why)))

    silent = _("no answer within {seconds} s ({option}); {hint}", seconds=seconds, option=where.name("timeout"),
               hint=hint)
    if on_stage is not None:
        on_stage(_("connecting to {address}", address=where.address))
    deadline = time.monotonic() + where.timeout_s
    try:
        sock = socket.create_connection((where.host, where.port), timeout=where.timeout_s)
    except socket.gaierror:
        raise fail(_("no such host {host}", host=where.host)) from None
    except ConnectionRefusedError:
        raise fail(_("connection refused (is `dask scheduler` running on that machine, on that port?)")) from None
    except TimeoutError:
        raise fail(silent) from None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    with sock:
        if where.scheme == "tls":
            context = where.security().get_connection_args("client")["ssl_context"]
            try:
                sock = context.wrap_socket(sock, server_hostname=where.host)
            except ssl.SSLCertVerificationError:
                raise fail(_("its certificate is not signed by {ca}: is that the cluster's CA certificate?",
                             ca=where.name("ca_file"))) from None
            except TimeoutError:
                raise fail(silent) from None
            except (ssl.SSLError, OSError) as exc:
                raise fail(_("no TLS handshake ({error}): is it a tls:// scheduler?",
                             error=getattr(exc, "reason", None) or exc.strerror or exc)) from None
        data = b""
        with sock:
            try:
                while DASK_GREETING not in data and len(data) < 4096:
                    left = max(0.01, deadline - time.monotonic())
                    sock.settimeout(min(left, 1.0) if data else left)  # the greeting's rest comes at once, or never
                    got = sock.recv(4096)
                    if not got:
                        break
                    data += got
            except ssl.SSLError:  # TLS 1.3: the scheduler checks this client's certificate after the handshake
                raise NoCluster(Problem(_("{scheduler}: the scheduler refused this client's certificate ({cert}): it "
                                          "is not signed by the cluster's CA", scheduler=scheduler,
                                          cert=where.name("cert")))) from None
            except TimeoutError:
                if not data:
                    raise fail(silent) from None
            except OSError as exc:
                raise fail(_("{error}; {hint}", error=exc.strerror or exc, hint=hint)) from None
    if not data:
        raise fail(_("it closed the connection; {hint}", hint=hint))
    if DASK_GREETING not in data:
        raise fail(_("what answers is not a Dask scheduler; {hint}", hint=hint))


def _connect(where: Cluster, on_stage=None):
    """A Dask client of the scheduler at ``where``, with at least one worker, every wait bounded by the timeout."""
    import warnings

    from distributed import Client

    _reach(where, on_stage)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a version mismatch between here and the cluster: Dask's table, not ours
        try:
            client = Client(where.address, security=where.security(), timeout=where.timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise NoCluster(Problem(_("{scheduler}: cannot connect to a Dask scheduler there ({error})",
                                      scheduler=where.name("scheduler"), error=exc))) from None
    try:
        _wait_for_a_worker(client, where, on_stage)
    except BaseException:
        _close(client, where)
        raise
    return client


def _workers(client) -> int:
    return len(client.nthreads())


def _wait_for_a_worker(client, where: Cluster, on_stage=None) -> None:
    started = time.monotonic()
    while not _workers(client):
        waited = time.monotonic() - started
        if waited >= where.timeout_s:
            command = f"dask worker {where.address}" + (" --tls-ca-file CA.pem --tls-cert CERT.pem --tls-key KEY.pem"
                                                        if where.scheme == "tls" else "")
            raise NoCluster(Problem(_("{scheduler}: no Dask worker joined the scheduler within {seconds} s ({option}); "
                                      "start one on each worker machine: {command}", scheduler=where.name("scheduler"),
                                      seconds=num(where.timeout_s, "g"), option=where.name("timeout"),
                                      command=command)))
        if on_stage is not None:
            on_stage(_("waiting for a Dask worker ({waited} of {seconds} s)", waited=num(waited, ",.0f"),
                       seconds=num(where.timeout_s, "g")))
        try:
            client.wait_for_workers(1, timeout=min(1.0, where.timeout_s - waited))
        except TimeoutError:
            pass


def _close(client, where: Cluster) -> None:
    try:
        client.close(timeout=min(where.timeout_s, 10.0))
    except (OSError, TimeoutError, RuntimeError):
        pass  # a scheduler that is gone: nothing left to close


def _on_dask(where: Cluster, key: str, payload: Payload, parts: list[list[Future]], collect, stats: dict,
             on_stage=None) -> None:
    """Run the chunks on an existing Dask cluster: the payload scattered to every worker once.

    Refused (:class:`NoCluster`) before any future is solved when the cluster cannot be used; stopped
    (:class:`ClusterFailure`) when every worker left and none joined again within the timeout, the scheduler
    stopped, or a task stopped the workers that ran it."""
    try:
        import dask
        import distributed  # noqa: F401
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise NoCluster(Problem(_("--scheduler needs dask.distributed: pip install 'distributed'"))) from None
    import warnings

    insecure = where.insecure()
    if insecure is not None:
        warnings.warn(insecure, InsecureScheduler, stacklevel=4)
    # what goes wrong is said in one line, below, not in Dask's log; a result held by a worker that left is given
    # up after the timeout, not Dask's 30 s
    with _quiet(), dask.config.set({"distributed.comm.timeouts.connect": f"{where.timeout_s}s"}):
        _run_on(where, key, payload, parts, collect, stats, on_stage)


@contextmanager
def _quiet():
    """Dask's loggers in this process silenced for the while (each has its own level in Dask's configuration)."""
    import logging

    names = ["distributed"] + [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


def _run_on(where: Cluster, key: str, payload: Payload, parts: list[list[Future]], collect, stats: dict,
            on_stage=None) -> None:
    import distributed
    from concurrent.futures import CancelledError

    client = _connect(where, on_stage)
    total = sum(len(p) for p in parts)
    solved = 0

    def lost() -> ClusterFailure:
        return ClusterFailure(_("{scheduler}: the connection to the Dask scheduler was lost after {done} of {total} "
                                "futures; nothing was written", scheduler=where.name("scheduler"),
                                done=num(solved, ",d"), total=num(total, ",d")))

    try:
        shipped = client.scatter(payload, broadcast=True, hash=False)
        tasks = client.map(run_chunk, [key] * len(parts), [shipped] * len(parts), parts, pure=False)
        if on_stage is not None:
            n = _workers(client)
            on_stage(ngettext("futures on {n} Dask worker", "futures on {n} Dask workers", n))
        pending = distributed.as_completed(tasks, loop=client.loop)
        alone_since, checked = None, time.monotonic()
        while not pending.is_empty():
            finished = pending.next_batch(block=False)
            for task in finished:
                try:
                    part = task.result()
                except (ModuleNotFoundError, ImportError) as exc:
                    raise NoCluster(Problem(_("{scheduler}: a Dask worker cannot import policymix ({error}); install "
                                              "policymix (pip install .) on every worker machine",
                                              scheduler=where.name("scheduler"), error=exc))) from None
                except distributed.KilledWorker:
                    raise ClusterFailure(_("{scheduler}: a task stopped every Dask worker that ran it (out of memory?) "
                                           "after {done} of {total} futures; nothing was written",
                                           scheduler=where.name("scheduler"), done=num(solved, ",d"),
                                           total=num(total, ",d"))) from None
                except CancelledError as exc:
                    if "scheduler" in str(getattr(exc, "reason", "")) or client.status != "running":
                        raise lost() from None
                    raise ClusterFailure(_("{scheduler}: every Dask worker left the cluster after {done} of {total} "
                                           "futures, and the input they held went with them; nothing was written",
                                           scheduler=where.name("scheduler"), done=num(solved, ",d"),
                                           total=num(total, ",d"))) from None
                solved += len(part.results) + len(part.problems)
                collect(part)
            if finished:
                alone_since = None
                continue
            time.sleep(0.02)
            if time.monotonic() - checked < 1.0:  # is anyone still working? asked once a second
                continue
            checked = time.monotonic()
            try:
                working = _workers(client)
            except (OSError, TimeoutError):
                working = None
            if working is None or client.status != "running":
                raise lost()
            if working:
                alone_since = None
                continue
            alone_since = alone_since or time.monotonic()
            waited = time.monotonic() - alone_since
            if waited >= where.timeout_s:
                raise ClusterFailure(_("{scheduler}: every Dask worker left the cluster after {done} of {total} "
                                       "futures and none joined again within {seconds} s ({option}); nothing was "
                                       "written", scheduler=where.name("scheduler"), done=num(solved, ",d"),
                                       total=num(total, ",d"), seconds=num(where.timeout_s, "g"),
                                       option=where.name("timeout")))
            if on_stage is not None:
                on_stage(_("no Dask worker left: waiting for one ({waited} of {seconds} s)", waited=num(waited, ",.0f"),
                           seconds=num(where.timeout_s, "g")))
        stats["where"] = ngettext("Dask cluster {address} ({n} worker)", "Dask cluster {address} ({n} workers)",
                                  len(stats["workers"]), address=where.address)
    finally:
        _close(client, where)


def run(base: PlanInput, *, mode: str = "wait_and_see", samples: int, seed: int, jobs: int = 1,
        scheduler: str | Cluster | None = None, commitments: dict[tuple[str, int], float] | None = None,
        split: dict[str, dict[str, float]] | None = None, past: tuple[Committed, ...] | None = None, on_start=None,
        on_progress=None, chunk_size: int | None = None, on_stage=None) -> FuturesRun:
    """Wait and see, or a stress test of ``commitments``: draw, solve every future, aggregate.

    A stress test keeps the plan's decisions of the past, ``past`` (its sheet ``committed`` before
    start_year; default: the workbook's own), in place of the workbook's sheet ``committed``: the plan's
    commitments of years ≥ start_year, forced decisions of its own included, are in ``commitments``.
    """
    started = time.perf_counter()
    base = with_penalty(base)  # one P for every future (a derived one would follow each future's costs)
    if mode == "stress_test":
        from dataclasses import replace

        kept = tuple(base.past_decisions if past is None else past)
        base = replace(base, committed=tuple(c for c in kept if c.year < base.settings.start_year))
    futures = draw(base, samples, seed)
    if on_start is not None:
        on_start(len(futures))
    payload = Payload(base, mode, tuple(sorted((commitments or {}).items())),
                      tuple(sorted((m, tuple(sorted(parts.items()))) for m, parts in (split or {}).items())),
                      lang=current())
    results, stats = solve_futures(payload, futures, jobs=jobs, scheduler=scheduler, on_progress=on_progress,
                                   chunk_size=chunk_size, on_stage=on_stage)
    run_ = FuturesRun(mode=mode, samples=samples, seed=seed, base=base, futures=futures, results=results,
                      dims=dimensions(base.uncertainty), builds=stats["builds"], updates=stats["updates"],
                      workers=stats.get("where", ""), worker_count=max(1, len(stats["workers"])),
                      solver_name=solver_version(), commitments=dict(commitments or {}))
    summarise(run_)
    run_.seconds = time.perf_counter() - started
    return run_


# ---------------------------------------------------------------- the answers

def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials (scipy.stats.binomtest)."""
    from scipy.stats import binomtest

    if n == 0:
        return 0.0, 1.0
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def summarise(run_: FuturesRun) -> None:
    """P(target met) with its 95 % Wilson interval, the share of futures funding each measure, the drivers."""
    solved = [r for r in run_.results if r.ok]
    n = len(run_.results)
    k = sum(r.target_met for r in run_.results)
    run_.p_target_met = k / n if n else 0.0
    run_.p_target_met_ci = wilson(k, n)
    run_.funded_share = {m: (sum(m in r.committed for r in solved) / len(solved) if solved else 0.0)
                         for m in run_.base.measures}
    run_.drivers = drivers(run_)
    run_.expected_public_cost_meur = (sum(r.public_cost_meur or 0.0 for r in solved) / len(solved)) if solved else None
    years = sorted({y for r in solved for y in r.shortfall_mt})
    run_.expected_shortfall_mt = {y: sum(r.shortfall_mt.get(y, 0.0) for r in solved) / len(solved) for y in years}
    run_.sure_abatement_mt = sure_abatement(run_.results)
    run_.cash_bands_meur = cash_bands(run_.results)


#: The percentiles of the cash bands.
CASH_PERCENTILES = (10, 50, 90)


def sure_abatement(results: list[FutureResult], levels=SURE_LEVELS) -> dict[float, dict[int, float]]:
    """Per level p and target year: the abatement reached in at least p of the futures — the ⌈p·N⌉-th largest
    abatement over the N futures (a failed future counts as none). Empty when no future solved."""
    if not any(r.ok for r in results):
        return {}
    years = sorted({y for r in results if r.ok for y in r.abatement_mt})
    n = len(results)
    out: dict[float, dict[int, float]] = {}
    for p in levels:
        k = max(1, math.ceil(p * n - 1e-9))
        out[p] = {}
        for y in years:
            values = sorted((r.abatement_mt.get(y, 0.0) if r.ok else 0.0 for r in results), reverse=True)
            out[p][y] = values[k - 1]
    return out


def cash_bands(results: list[FutureResult], percentiles=CASH_PERCENTILES
               ) -> dict[str, dict[int, tuple[float, ...]]]:
    """Per instrument and year: the 10th, 50th and 90th percentile of the cash paid over the solved futures
    (numpy's linear interpolation between order statistics; a future paying nothing that year counts 0)."""
    import numpy as np

    solved = [r for r in results if r.ok]
    if not solved:
        return {}
    keys = sorted({(i, t) for r in solved for i, ys in r.cash_meur.items() for t in ys})
    out: dict[str, dict[int, tuple[float, ...]]] = {}
    for i, t in keys:
        values = np.array([r.cash_meur.get(i, {}).get(t, 0.0) for r in solved])
        if not np.any(np.abs(values) > TOL):
            continue
        out.setdefault(i, {})[t] = tuple(float(v) for v in np.percentile(values, percentiles))
    return out


def drivers(run_: FuturesRun) -> list[Driver]:
    """Per dimension: Spearman's ρ of its quantile u with the shortfall (Σ over target years) and with the public
    cost, and the first-order variance share of the shortfall (RBD-FAST from SALib, which works on a Latin
    hypercube; from 100 futures on). Sorted by |ρ| with the shortfall, largest first."""
    import warnings

    import numpy as np
    from scipy.stats import spearmanr

    by_number = {r.number: r for r in run_.results if r.ok}
    futures = [f for f in run_.futures if f.number in by_number]
    if not run_.dims or len(futures) < 3:
        return []
    U = np.array([f.u for f in futures])
    short = np.array([sum(by_number[f.number].shortfall_mt.values()) for f in futures])
    cost = np.array([by_number[f.number].public_cost_meur for f in futures])

    def rho(x, y) -> float | None:
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = spearmanr(x, y).statistic
        return None if not np.isfinite(value) else float(value)

    s1 = conf = [None] * len(run_.dims)
    if len(futures) >= MIN_VARIANCE_SAMPLES and np.ptp(short) > 0:
        try:
            from SALib.analyze import rbd_fast

            problem = {"num_vars": len(run_.dims), "names": [d.key for d in run_.dims],
                       "bounds": [[0.0, 1.0]] * len(run_.dims)}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = rbd_fast.analyze(problem, U, short, seed=run_.seed)
            s1 = [None if not np.isfinite(v) else float(max(0.0, v)) for v in found["S1"]]
            conf = [None if not np.isfinite(v) else float(v) for v in found["S1_conf"]]
        except ImportError:  # pragma: no cover - SALib is a dependency
            run_.notes.append(_("SALib is not installed: no variance-based index in the drivers table"))
        except (ArithmeticError, ValueError) as exc:  # too few distinct futures for its estimator
            run_.notes.append(_("no variance-based index in the drivers table (RBD-FAST: {error})", error=exc))
    out = [Driver(d, d.label(run_.base.uncertainty), rho(U[:, k], short), rho(U[:, k], cost), s1[k], conf[k])
           for k, d in enumerate(run_.dims)]
    return sorted(out, key=lambda d: -(abs(d.rho_shortfall) if d.rho_shortfall is not None else -1.0))


# ---------------------------------------------------------------- a plan's commitments (stress test)

def plan_commitments(plan_input: PlanInput, document: dict | None = None
                     ) -> tuple[dict[tuple[str, int], float], dict[str, dict[str, float]], str]:
    """What a plan commits, d_{m,y}, the share of each measure's subsidy each instrument paid, and where they
    came from.

    From the plan workbook's stored result when it holds its commitments; else the plan of
    ``plan_input`` (a plan workbook re-runs to itself; an input workbook is planned first). A measure the
    plan paid nothing (no gap) takes its cheapest eligible instrument, should a future give it a gap.
    """
    from ..model.optimum import optimise

    if document and isinstance(document.get("commitments"), dict):
        commitments = {(m, int(y)): float(v) for m, ys in document["commitments"].items() for y, v in ys.items()
                       if v is not None and float(v) > TOL}
        paid = {m: entry.get("subsidy_meur", {}) for m, entry in document.get("plan", {}).get("measures", {}).items()}
        how = _("the commitments stored in the plan workbook")
    else:
        commitments, split = commitments_of(plan_input, optimise(plan_input).result)
        return commitments, split, _("the plan of the workbook's inputs")
    return commitments, _split_of(plan_input, commitments, paid), how


def commitments_of(plan_input: PlanInput, result: PlanResult
                   ) -> tuple[dict[tuple[str, int], float], dict[str, dict[str, float]]]:
    """What a plan in hand commits, d_{m,y}, and the share of each measure's subsidy each instrument paid."""
    commitments = {(m, y): v for m, mr in result.measures.items() for y, v in mr.new.items() if v > TOL}
    paid = {m: mr.subsidy_meur for m, mr in result.measures.items()}
    return commitments, _split_of(plan_input, commitments, paid)


def _split_of(plan_input: PlanInput, commitments: dict, paid: dict) -> dict[str, dict[str, float]]:
    weights_of = {i: inst.cost_weight for i, inst in plan_input.instruments.items()}
    split: dict[str, dict[str, float]] = {}
    for m in sorted({m for m, _year in commitments}):
        money = {i: float(v) for i, v in (paid.get(m) or {}).items() if v and i in weights_of}
        total = sum(money.values())
        if total > TOL:
            split[m] = {i: v / total for i, v in sorted(money.items()) if v > TOL}
        else:
            eligible = [i for i in plan_input.measures[m].eligible_instruments if i in weights_of] \
                if m in plan_input.measures else []
            if eligible:
                split[m] = {min(eligible, key=lambda i: (weights_of[i], eligible.index(i))): 1.0}
    return split


# ---------------------------------------------------------------- a plan's quick stress test (policymix plan)

#: Futures of the quick stress test in a plan's headline (``policymix plan --futures N``), and its seed.
QUICK_FUTURES, QUICK_SEED = 30, 1


@dataclass
class QuickStress:
    """A plan's commitments over a few drawn futures (a stress test in this process): how often it meets every
    target, and its p-sure abatement (docs/model.md section 17)."""

    samples: int
    seed: int
    met: int
    sure_abatement_mt: dict[float, dict[int, float]]
    seconds: float = 0.0

    @property
    def p_target_met(self) -> float:
        return self.met / self.samples if self.samples else 0.0


def quick_stress(inp: PlanInput, result: PlanResult, samples: int = QUICK_FUTURES,
                 seed: int = QUICK_SEED) -> QuickStress:
    """The stress test of a plan in hand over ``samples`` futures of its input's uncertainty sheet (seed
    ``seed``), evaluated in this process: its commitments of years ≥ start_year fixed, its decisions of the
    past as they are, recourse in every future (:func:`stress`) — the numbers of ``policymix futures --plan``
    with the same samples and seed."""
    started = time.perf_counter()
    from dataclasses import replace

    commitments, split = commitments_of(inp, result)
    base = with_penalty(inp)  # as run(): one P for every future, the plan's decisions of the past kept
    base = replace(base, committed=tuple(c for c in base.past_decisions if c.year < base.settings.start_year))
    futures = draw(base, samples, seed)
    payload = Payload(base, "stress_test", tuple(sorted(commitments.items())),
                      tuple(sorted((m, tuple(sorted(parts.items()))) for m, parts in split.items())), lang=current())
    results, _stats = solve_futures(payload, futures, jobs=1)
    return QuickStress(len(results), seed, sum(r.target_met for r in results), sure_abatement(results),
                       time.perf_counter() - started)
