"""Compare two plans: what changed between plan workbook A and plan workbook B.

Pure logic on the results plan workbooks store (:func:`optimiser.input.planfile.read_plan_results`:
the plan JSON with provenance, names and totals; no openpyxl, no terminal). A difference is reported when a number moves by more
than :data:`ABS_TOL` + :data:`REL_TOL` × its size (solver noise is not a
change). What is compared, in this order:

- input: the input workbook's SHA-256, the scenario, the overrides applied and the start year;
- plan: status, total public cost, objective, and all that is committed from the earlier start year on;
- targets: required reduction, abatement and shortfall per target year;
- instrument spend: subsidy committed per instrument from the earlier of the two start years on;
- measures: funded in one plan and not the other, or with another committed share by the target year;
- cash: the cash paid out per year (all instruments), the peak year and its
  amount, and per instrument the cash and what is released
  (a plan stored before cash was projected has none: its cash reads as absent);
- shadow prices: of every limit either plan stores (a limit a plan does not
  list has shadow price 0 there), named by family, id and year.

Two rounds of a budget cycle (``policymix replan``: plan B starts later, the commitments of plan A's first
years are decisions already taken in B) compare like with like: a measure's committed share by the target
year counts the decisions already taken, and what an instrument commits is counted from the earlier start
year on, the decisions already taken in those years included. Of two plans with the same start year that is
what each commits in its own years, as before. A plan's public cost and objective are its own (what is
decided is sunk), so they differ between rounds by what was decided in between.

``policymix compare`` exits 0 whether or not the plans differ (2 when a file
is not a plan workbook).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import N_, _
from ..model.families import TARGET

ABS_TOL = 1e-6
REL_TOL = 1e-6
#: The sections of a comparison (the keys; each is shown in the language of the run, ``_(section)``).
SECTIONS = (N_("input"), N_("plan"), N_("targets"), N_("instrument spend"), N_("measures"), N_("cash"),
            N_("shadow prices"))


@dataclass(frozen=True)
class Difference:
    section: str  # one of SECTIONS
    item: str  # what moved, e.g. "public cost", "SDE++", "budget SDE++ 2026"
    unit: str
    a: object  # value in plan A (None: absent)
    b: object  # value in plan B
    note: str = ""  # e.g. "funded only in B"

    @property
    def change(self) -> float | None:
        """B − A for numbers, else None."""
        if _is_number(self.a) and _is_number(self.b):
            return float(self.b) - float(self.a)
        return None


@dataclass
class Comparison:
    a: dict
    b: dict
    differences: list[Difference] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)  # every measure side by side

    @property
    def same(self) -> bool:
        return not self.differences

    def by_section(self) -> dict[str, list[Difference]]:
        out: dict[str, list[Difference]] = {}
        for d in self.differences:
            out.setdefault(d.section, []).append(d)
        return out


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def moved(a, b) -> bool:
    """Whether two values differ by more than solver noise (None counts as absent)."""
    if _is_number(a) and _is_number(b):
        return abs(float(a) - float(b)) > ABS_TOL + REL_TOL * max(abs(float(a)), abs(float(b)))
    return a != b


def _label(key: tuple) -> str:
    return " ".join(str(p) for p in key if p not in (None, ""))


def _year(text):
    return int(text) if isinstance(text, str) and text.isdigit() else text


def plan_view(document: dict) -> dict:
    """A stored plan result as the comparison reads it (years as ints, shadow prices by (family, id, year))."""
    plan = document["plan"]
    return {
        "file": document.get("file", ""), "path": document.get("path", ""), "sha256": document.get("sha256", ""),
        "scenario": document.get("scenario", ""), "status": plan["status"],
        "start_year": document.get("start_year"),
        "public_cost_meur": plan["public_cost_meur"], "objective_meur": plan["objective_meur"],
        "input_file": document.get("input_file", ""), "input_sha256": document.get("input_sha256", ""),
        "overrides": list(document.get("overrides", [])),
        "targets": {_year(y): {"required_mt": t, "abatement_mt": plan["abatement_mt"].get(y),
                               "shortfall_mt": plan["shortfall_mt"].get(y),
                               "shadow_eur_per_t": plan["shadow_prices"].get(TARGET, {}).get(y, 0.0)}
                    for y, t in document["target_mt"].items()},
        "instruments": document["instruments"],
        "measures": {m: dict(info, committed_share=_with_past(plan["measures"].get(m, {})),
                             subsidy_meur=plan["measures"].get(m, {}).get("subsidy_meur", {}))
                     for m, info in document["measures"].items()},
        "commitments": {i: {int(y): v or 0.0 for y, v in by_year.items()}
                        for i, by_year in (plan.get("commitments_meur") or {}).items()},
        "cash": _cash_view(plan),
        "shadow_prices": {(s["kind"], s["id"], s["year"]): s["value"] for s in document["shadow_prices"]},
        "shadow_units": {(s["kind"], s["id"], s["year"]): s["unit"] for s in document["shadow_prices"]},
    }


def _with_past(measure: dict):
    """A measure's committed share by the target year, its decisions already taken included."""
    share = measure.get("committed_share")
    return share if share is None else share + (measure.get("past_share") or 0.0)


def _committed_from(view: dict, first: int | None) -> dict[str, float | None]:
    """What each instrument commits from year ``first`` on, the decisions already taken in those years included
    (a plan stored without its commitments per year, or without a start year: its own spend)."""
    spend = {i: v.get("spend_meur") for i, v in view["instruments"].items()}
    if first is None or not view["commitments"] or view.get("start_year") is None:
        return spend
    return {i: sum(v for y, v in view["commitments"].get(i, {}).items() if y >= first) for i in spend}


def _cash_view(plan: dict) -> dict:
    """The cash of a stored plan: total per year, peak, and per instrument commitments, cash and released (M€)."""
    cash, commitments = plan.get("cash_meur") or {}, plan.get("commitments_meur") or {}
    by_year: dict[int, float] = {}
    for by in cash.values():
        for y, v in by.items():
            by_year[int(y)] = by_year.get(int(y), 0.0) + (v or 0.0)
    peak = (None, None)  # the first year of the most cash (a year within solver noise of it is a tie)
    for y, v in sorted(by_year.items()):
        if peak[1] is None or (v > peak[1] and moved(v, peak[1])):
            peak = (y, v)
    released = plan.get("released_meur") or {}
    return {"by_year": dict(sorted(by_year.items())), "peak_year": peak[0], "peak_meur": peak[1],
            "instruments": {i: {"commitments": sum(v or 0.0 for v in commitments.get(i, {}).values()),
                                "cash": sum(v or 0.0 for v in cash.get(i, {}).values()),
                                "released": released.get(i)} for i in _union(commitments, cash)}}


def compare_plans(a: dict, b: dict) -> Comparison:
    """What changed from stored plan result ``a`` to ``b``."""
    a, b = plan_view(a), plan_view(b)
    out = Comparison(a, b)
    diffs = out.differences

    def add(section, item, unit, va, vb, note=""):
        if moved(va, vb):
            diffs.append(Difference(section, item, unit, va, vb, note))

    # input
    add("input", _("input SHA-256"), "", a.get("input_sha256") or None, b.get("input_sha256") or None)
    add("input", _("scenario"), "", a.get("scenario"), b.get("scenario"))
    add("input", _("overrides"), "", "; ".join(a.get("overrides", [])) or _("none"),
        "; ".join(b.get("overrides", [])) or _("none"))
    add("input", _("start year"), "", *(None if v is None else str(int(v)) for v in (a.get("start_year"),
                                                                                     b.get("start_year"))))

    # plan
    starts = [s for s in (a.get("start_year"), b.get("start_year")) if s is not None]
    first = int(min(starts)) if len(starts) == 2 else None
    spend_a, spend_b = _committed_from(a, first), _committed_from(b, first)
    add("plan", _("status"), "", a["status"], b["status"])
    add("plan", _("public cost"), "M€", a["public_cost_meur"], b["public_cost_meur"])
    add("plan", _("objective (shortfall penalty included)"), "M€", a.get("objective_meur"), b.get("objective_meur"))
    if first is not None and a.get("start_year") != b.get("start_year"):
        add("plan", _("committed from {year} on, decisions already taken included", year=first), "M€",
            sum(v or 0.0 for v in spend_a.values()), sum(v or 0.0 for v in spend_b.values()))

    # targets
    for y in _union(a["targets"], b["targets"]):
        ta, tb = a["targets"].get(y, {}), b["targets"].get(y, {})
        for field_, label in (("required_mt", _("required reduction {year}")), ("abatement_mt", _("abatement {year}")),
                              ("shortfall_mt", _("shortfall {year}"))):
            add("targets", label.format(year=y), _("Mt CO2-eq/yr"), ta.get(field_), tb.get(field_))

    # instrument spend (from the earlier start year on: between rounds, the decisions taken in between included)
    for i in _union(a["instruments"], b["instruments"]):
        add("instrument spend", i, "M€", spend_a.get(i), spend_b.get(i))

    # measures
    for m in _union(a["measures"], b["measures"]):
        ma, mb = a["measures"].get(m), b["measures"].get(m)
        sa = ma["committed_share"] if ma else None
        sb = mb["committed_share"] if mb else None
        row = {"measure_id": m, "name": (ma or mb)["name"], "status_a": ma["status"] if ma else None,
               "status_b": mb["status"] if mb else None, "share_a": sa, "share_b": sb,
               "cost_a": ma["public_cost_meur"] if ma else None, "cost_b": mb["public_cost_meur"] if mb else None}
        fa, fb = bool(sa and sa > ABS_TOL), bool(sb and sb > ABS_TOL)
        if ma is None or mb is None:
            note = _("only in A") if mb is None else _("only in B")
        elif fa and not fb:
            note = _("funded only in A")
        elif fb and not fa:
            note = _("funded only in B")
        elif moved(sa, sb):
            note = _("committed share changed")
        else:
            note = ""
        row["change"] = note
        out.measures.append(row)
        if note:
            diffs.append(Difference("measures", m, _("committed share by the target year"), sa, sb, note))

    # cash
    ca, cb = a["cash"], b["cash"]
    for y in sorted(set(ca["by_year"]) | set(cb["by_year"])):
        add("cash", _("cash paid out {year}", year=y), "M€", ca["by_year"].get(y, 0.0 if ca["by_year"] else None),
            cb["by_year"].get(y, 0.0 if cb["by_year"] else None))
    add("cash", _("peak cash year"), _("year"), ca["peak_year"], cb["peak_year"])
    add("cash", _("peak cash"), "M€", ca["peak_meur"], cb["peak_meur"])
    for i in _union(ca["instruments"], cb["instruments"]):
        ia, ib = ca["instruments"].get(i, {}), cb["instruments"].get(i, {})
        for key, label in (("cash", _("cash paid out {instrument}")), ("released", _("released {instrument}"))):
            add("cash", label.format(instrument=i), "M€", ia.get(key), ib.get(key))

    # shadow prices
    sp_a, sp_b = a["shadow_prices"], b["shadow_prices"]
    units = dict(b.get("shadow_units", {}))
    units.update(a.get("shadow_units", {}))
    for key in _union(sp_a, sp_b):
        add("shadow prices", _label(key), units.get(key, ""), sp_a.get(key, 0.0), sp_b.get(key, 0.0))
    return out


def _union(a: dict, b: dict) -> list:
    """Keys of a, then the keys only b has (both in their own order)."""
    return list(a) + [k for k in b if k not in a]
