"""Stage 5: turn the solver's numbers into the plan's results.

Plain data out: :func:`extract` hands what the optimum commits to the one
result assembler (:func:`optimiser.model.results.assemble`), then explains
it: for every measure not fully funded a plain reason, its reduced cost and
the limits that block it; for a funded measure the binding limits it competes
for. Which limits can explain a measure, and how they read, is declared per
family in :mod:`optimiser.model.families`.
"""

from __future__ import annotations

from collections import defaultdict

from ..lang import _, num
from ..input.data import PlanInput
from .build import Built, relaxation
from .families import FAMILIES, TARGET, family
from .index import Index, penalty_warnings, unit_gap
from .results import TOL, PlanResult, assemble, binds, clean, span
from .solve import Solution


def extract(built: Built, sol: Solution, *, explain: bool = True) -> PlanResult:
    """The plan of an optimal solution; ``explain=False`` leaves out the per-measure reasons (sweeps)."""
    inp, idx = built.input, built.index
    d = sol.values.get("d", {})
    s = sol.values.get("s", {})
    min_cost = inp.settings.objective == "min-cost"
    result = assemble(
        inp, new=d, subsidy={k: s.get(k, 0.0) for k in idx.s_keys},
        # in max-abatement mode there are no target rows: the shortfall is what the most abatement misses
        shortfall=sol.values.get("shortfall", {}) if min_cost else None,
        # in max-abatement mode the solver's objective is in Mt/yr; the plan reports public cost
        objective_meur=sol.objective if min_cost else None,
        shadow=sol.shadow, possible_years=idx.d_years,
        limit_rhs={name: dict(rows.rhs) for name, rows in built.rows.items() if family(name).reported},
        limit_effects={name: dict(found) for name, found in sol.effects.items()},
        relaxations=relaxations(built, sol),
        relaxation_total=relaxation_total(built, sol) if inp.settings.elastic else None,
        solver={"status": sol.status, "seconds": sol.seconds, "mip": sol.mip, "mip_gap": sol.mip_gap},
        warnings=penalty_warnings(inp),
    )
    if explain:
        limits = Limits(built, sol)
        for mid, mr in result.measures.items():
            if mr.status == "funded":
                mr.competes_for = limits.touched(mid)
                continue
            mr.reason, mr.blocked_by = why_not(built, sol, limits, mid, mr.committed_share)
            mr.reduced_cost_eur_per_t = reduced_cost_eur_per_t(built, sol, limits, mid)
            if mr.status == "partly funded":
                mr.competes_for = limits.touched(mid)
    return result


#: A relaxation smaller than this share of its limit is solver tolerance, not something that must give.
RELATIVE_TOL = 1e-6


def relaxations(built: Built, sol: Solution) -> list[dict]:
    """Elastic mode: every limit that had to give (phase 2's relaxations), in its own unit.

    {"kind", "id", "year", "amount", "limit": the limit before relaxing, "relative": amount / |limit|
    (|limit| taken as 1 where it is 0)}, largest relative relaxation first.
    """
    out = []
    for f in FAMILIES:
        if not f.relaxable or f.name not in built.rows:
            continue
        rows = built.rows[f.name]
        for key, v in sol.values.get(f.slack, {}).items():
            limit = rows.limit(key) if key in rows.rhs else 0.0
            relative = v / (abs(limit) if limit else 1.0)
            if v > TOL and relative > RELATIVE_TOL:
                lid, year = f.split(key)
                out.append({"kind": f.name, "id": lid, "year": None if year is None else str(year), "amount": v,
                            "limit": limit, "relative": relative})
    return sorted(out, key=lambda r: (-r["relative"], r["kind"], str(r["id"]), r["year"] or ""))


def relaxation_total(built: Built, sol: Solution) -> float:
    """The total relative relaxation Σ_k r_k / |rhs_k| of an elastic run (what phase 1 minimised)."""
    return clean(sum(c * sol.values.get(v, {}).get(i, 0.0) for c, v, i in relaxation(built.rows)))


class Limits:
    """The binding rows of the policy limits and of the families that explain measures, by measure.

    Built once per solution from the rows with a positive shadow price (few), so asking for one
    measure costs only its own entries.
    """

    def __init__(self, built: Built, sol: Solution):
        self.by_measure: dict[str, list[dict]] = defaultdict(list)
        self.members: dict[tuple[str, object], list[str]] = {}
        self.price: dict[tuple[str, object], float] = defaultdict(float)  # Σ shadow · coef per variable
        for f in FAMILIES:
            if f.kind == "identity":
                continue
            rows = built.rows.get(f.name)
            if rows is None:
                continue
            for key, value in sol.shadow.get(f.name, {}).items():
                if value <= TOL or key not in rows.terms:
                    continue
                if f.kind == "policy":
                    for c, v, i in rows.terms[key]:
                        if v == "s":
                            self.price[(v, i)] += c * value
                # a limit explains a measure only where it binds at the precision shown
                if not f.explains or not binds(built.input, f.name, value, rows.rhs.get(key)):
                    continue
                lid, year = f.split(key)
                members = []
                for c, v, i in rows.terms[key]:
                    if v in ("d", "s", "b") and c > 0 and i[0] not in members:
                        members.append(i[0])
                self.members[(f.name, key)] = members
                for m in members:
                    self.by_measure[m].append({"kind": f.name, "id": lid, "year": year, "shadow_price": value,
                                               "_key": key})

    def touched(self, mid: str) -> list[dict]:
        """The binding limits ``mid`` draws on: {"kind", "id", "year", "shadow_price"}."""
        return [{k: v for k, v in lim.items() if k != "_key"} for lim in self.by_measure.get(mid, [])]

    def describe(self, inp: PlanInput, mid: str, lang: str | None = None) -> list[str]:
        """Plain words for the limits holding ``mid`` back, one phrase per limit (years folded into a span)."""
        years: dict[tuple[str, object], list] = defaultdict(list)
        keys: dict[tuple[str, object], object] = {}
        for lim in self.by_measure.get(mid, []):
            years[(lim["kind"], lim["id"])].append(lim["year"])
            keys.setdefault((lim["kind"], lim["id"]), lim["_key"])
        phrases = []
        for (kind, lid), ys in years.items():
            f = family(kind)
            if f.held is None:
                continue
            others = [o for o in self.members[(kind, keys[(kind, lid)])] if o != mid]
            ys = [y for y in ys if y is not None]
            phrases.append(f.text("held", lang, item=f.item_of(inp, lid), years=span(ys) if ys else "",
                                  others=", ".join(others)))
        return phrases


def why_not(built: Built, sol: Solution, limits: Limits, mid: str, share: float) -> tuple[str, list[dict]]:
    """Why measure ``mid`` is not (fully) funded: (plain reason, blocked_by limits)."""
    inp, idx = built.input, built.index
    m = inp.measures[mid]
    if mid in idx.excluded:
        kind, text = idx.excluded[mid]
        return text, [{"kind": kind, "id": mid, "year": None}]
    years_possible = idx.d_years.get(mid, [])
    reasons = limits.describe(inp, mid)
    blocked = [{k: v for k, v in lim.items() if k != "shadow_price"} for lim in limits.touched(mid)]
    gap_years = [y for y in years_possible if idx.gap.get((mid, y), 0.0) > 0]
    if gap_years and all(
        sum(_room(idx, mid, i, y) for i in idx.s_by_my.get((mid, y), [])) < idx.gap[(mid, y)] - TOL for y in gap_years
    ):
        reasons.append(_("its instruments' caps together cannot pay its whole gap"))
        blocked.append({"kind": "cap", "id": ";".join(m.eligible_instruments), "year": None})
    if not reasons:
        target_value = max(sol.shadow.get(TARGET, {}).values(), default=0.0)
        need = min((unit_gap(inp, mid, y) * m.support_years for y in years_possible), default=None)
        if need is not None and need > target_value + TOL:
            reasons.append(_("not needed at its cost: it needs {need} M€ per Mt/yr (its gap × support years), the "
                             "target is worth {value} M€ per Mt/yr at the margin", need=num(need, ",.0f"),
                             value=num(target_value, ",.0f")))
            blocked.append({"kind": "cost", "id": mid, "year": None})
        elif share > TOL:
            reasons.append(_("the optimum is indifferent to funding more of it"))
        else:
            reasons.append(_("cheaper measures meet the target"))
            blocked.append({"kind": "cost", "id": mid, "year": None})
    return "; ".join(reasons), blocked


def reduced_cost_eur_per_t(built: Built, sol: Solution, limits: Limits, mid: str) -> float | None:
    """By how many €/t the measure's gap would have to fall before more of it is funded.

    Committing one more unit share of m in y, paid through instrument i, changes the
    objective by rc(d_{m,y}) + Gap_{m,y} · rc(s_{m,i,y}) (reduced costs from HiGHS; the
    funding row's dual cancels along that direction). Each €/t less gap saves
    A_m · D_m · (w_i + the shadow prices of the policy limits s_{m,i,y} counts in, such as
    i's budgets) M€ on that share. The reduced cost reported is the smallest ratio over the
    years and instruments it could use; None when it has no commitment variable or no gap
    to close (a limit, not its cost, holds it back).
    """
    inp, idx = built.input, built.index
    m = inp.measures[mid]
    rd = sol.reduced.get("d", {})
    rs = sol.reduced.get("s", {})
    best = None
    for y in idx.d_years.get(mid, []):
        gap = idx.gap.get((mid, y), 0.0)
        if gap <= 0 or (mid, y) not in rd:
            continue
        for i in idx.s_by_my.get((mid, y), []):
            if (mid, i, y) not in rs:
                continue
            step = rd[(mid, y)] + gap * rs[(mid, i, y)]
            price = inp.instruments[i].cost_weight + limits.price.get(("s", (mid, i, y)), 0.0)
            if price <= 0:
                continue
            value = max(0.0, step) / (m.abatement_mt * m.support_years * price)
            best = value if best is None else min(best, value)
    return best


def _room(idx: Index, mid: str, i: str, y: int) -> float:
    """The most instrument i can pay m in y per full share under its caps."""
    g = idx.gap.get((mid, y), 0.0)
    return min(g, idx.capex_cap.get((mid, i, y), g), idx.eur_per_t_cap.get((mid, i, y), g))


def describe_iis(inp: PlanInput, iis: list[tuple[str, object, float]], lang: str | None = None) -> list[dict]:
    """An infeasible subset in the workbook's own words: {"kind", "id", "year", "text"} (identities left out)."""
    out = []
    for name, key, rhs in iis:
        f = family(name)
        if not f.reported:
            continue
        lid, year = f.split(key)
        text = f"{f.in_words(inp, key, lang)}: {num(rhs, ',.6g')} {f.unit_of(inp, key)} ({f.where_set(key, lang)})"
        out.append({"kind": name, "id": lid if lid is not None else f.anchor,
                    "year": None if year is None else str(year), "text": text,
                    "name": f.item_of(inp, lid) if lid is not None else f.in_words(inp, key, lang)})
    return out
