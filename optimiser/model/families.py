"""The constraint families of the model (docs/model.md section 5): the one place a family is described.

A :class:`Family` holds everything the rest of the planner needs to know of
one kind of constraint: the function that returns its rows as data (its
formula in the docstring), its label and meaning in English and Dutch, the
unit of its limit and of its shadow price, whether it is a limit a budget
team can move (``kind="policy"``), a limit of single measures
(``"measure"``) or an accounting identity without a shadow price
(``"identity"``), whether its positive duals are checked by a warm re-solve,
whether an elastic run may relax it, and how one of its rows reads in words.

Building (:mod:`optimiser.model.build`), solving and probing
(:mod:`~optimiser.model.solve`), extraction and explanations
(:mod:`~optimiser.model.extract`), the workbooks, the JSON and the terminal
all read :data:`FAMILIES`; none of them names a family. A new family is one
entry here (and one paragraph in docs/model.md, and its hand-computed test).

Texts: every text of a family is an English message id marked with ``N_`` and
translated where it is shown, like every other text (the gettext catalogue of
:mod:`optimiser.lang`); ``{item}`` is the limit's id in words (a resource's
name, not its id), ``{year}`` its year, ``{unit}`` the unit of its right-hand
side, ``{words}`` the limit in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from ..input.data import PlanInput
from ..input.manifest import ALL_INSTRUMENTS
from ..lang import N_, _, in_language
from .cash import cash_terms
from .index import Index, Rows, Term, has_shortfall


def _id_year(key) -> tuple[object, object]:
    """(id, year) of a row key: (i, y) → (i, y); i → (i, None)."""
    return (key[0], key[1]) if isinstance(key, tuple) else (key, None)


def _key_of(ident, year):
    """The row key of (id, year): the inverse of :func:`_id_year`."""
    return ident if year is None else (ident, year)


@dataclass(frozen=True)
class Family:
    name: str  # the one word in code, docs/model.md, the workbooks and the JSON
    rows: Callable[[Index, PlanInput], Rows]  # its rows as data; the docstring holds the formula
    label: str  # what kind of limit it is, in a few words (a message id, like every text below)
    meaning: str  # what it says, in one line
    kind: str = "policy"  # "policy" (a budget team's limit) | "measure" (a single measure's) | "identity"
    unit: Callable[[PlanInput, object], str] | str = ""  # unit of a row's right-hand side
    shadow_unit: str | None = None  # unit of its shadow price, when not "<objective unit> per <unit>"
    probed: bool = False  # positive duals checked by a warm re-solve with the limit relaxed
    relaxable: bool = False  # an elastic run may relax its rows (docs/model.md section 5a)
    explains: bool = False  # named among the limits holding back a measure it binds
    split: Callable[[object], tuple[object, object]] = _id_year  # row key → (id, year)
    join: Callable[[object, object], object] = _key_of  # (id, year) → row key
    limits: Callable[[PlanInput], Iterable] | None = None  # every limit of the input (0 where no row binds)
    item: Callable[[PlanInput, object], str] | None = None  # an id in words (default: the id)
    words: str = N_("{item} in {year}")  # one row in words
    more: str = N_("one more {unit} of {words}")  # relaxed by ``step`` units
    step: float = 1.0
    held: str | None = None  # why a measure it binds is held back: {item}, {years}, {others}
    where: str = ""  # where the workbook sets it: {id}
    anchor: str = ""  # the id a row without one takes in an IIS (the target's setting)

    @property
    def reported(self) -> bool:
        return self.kind != "identity"

    @property
    def elastic(self) -> bool:
        """Same as ``relaxable``."""
        return self.relaxable

    @property
    def slack(self) -> str:
        """Name of the elastic slack variable of its rows."""
        return f"{self.name}_slack"

    def unit_of(self, inp: PlanInput, key, lang: str | None = None) -> str:
        """The unit of a row's limit, in the run's language (a resource's unit as the workbook gives it)."""
        return self.unit(inp, key) if callable(self.unit) else in_language(self.unit, lang) if self.unit else ""

    def item_of(self, inp: PlanInput, ident, lang: str | None = None) -> str:
        if ident is None:
            return ""
        return self.item(inp, ident) if self.item is not None else str(ident)

    def text(self, attribute: str, lang: str | None = None, /, **values) -> str:
        """One of its texts (``label``, ``meaning``, ``where``, …) in ``lang`` (None: the run's), placeholders filled."""
        msgid = getattr(self, attribute)
        return in_language(msgid, lang, **values) if msgid else ""

    def in_words(self, inp: PlanInput, key, lang: str | None = None) -> str:
        ident, year = self.split(key)
        text = self.text("words", lang, item=self.item_of(inp, ident, lang), year=year, id=ident)
        return text.replace(" in None", "")

    def shadow_unit_of(self, inp: PlanInput, key, lang: str | None = None) -> str:
        """'M€ per MW', 'M€ per M€', '€ per t of annual abatement', … (Mt/yr per … when maximising abatement)."""
        if self.shadow_unit is not None and inp.settings.objective == "min-cost":
            return self.text("shadow_unit", lang)
        return f"{objective_unit(inp)} per {self.unit_of(inp, key, lang)}"

    def relaxed(self, inp: PlanInput, key, lang: str | None = None) -> str:
        """'one more MW of Grid capacity, Zeeland in 2030': the relaxation a shadow price is the value of."""
        ident, year = self.split(key)
        return self.text("more", lang, unit=self.unit_of(inp, key, lang), words=self.in_words(inp, key, lang),
                         item=self.item_of(inp, ident, lang), year=year)

    def key_of(self, ident, year):
        """The row key of a limit named by (id, year) as the JSON and the workbooks give them."""
        return self.join(ident, None if year is None else int(year))

    def where_set(self, key, lang: str | None = None) -> str:
        ident = self.split(key)[0]
        return self.text("where", lang, id=ident)


def objective_unit(inp: PlanInput) -> str:
    """What the objective counts: M€ (min-cost) or Mt CO2-eq/yr (max-abatement), in the run's language."""
    return _("Mt CO2-eq/yr") if inp.settings.objective == "max-abatement" else "M€"


# ---------------------------------------------------------------- the families' rows

def funding(idx: Index, inp: PlanInput) -> Rows:
    """funding — the whole gap is paid, never more (EU state-aid rule).

    Σ_{i:(m,i)∈E} s_{m,i,y} = Gap_{m,y} · d_{m,y}        ∀ m, y with Gap_{m,y} > 0

    Gap_{m,y} = max(0, c_m − p_y) · A_m · D_m  (``idx.gap``, M€ per full share).
    Dual: not reported (an accounting identity, not a limit).
    """
    rows = Rows("==")
    for (m, y) in idx.funding_keys:
        rows.add((m, y), [(1.0, "s", (m, i, y)) for i in idx.s_by_my[(m, y)]] + [(-idx.gap[(m, y)], "d", (m, y))], 0.0)
    return rows


def _cap_rows(caps: dict[tuple[str, str, int], float]) -> Rows:
    """s_{m,i,y} − cap_{m,i,y} · d_{m,y} ≤ 0 for every cap that can bind (cap in M€ per full share)."""
    rows = Rows("<=")
    for (m, i, y), cap in caps.items():
        rows.add((m, i, y), [(1.0, "s", (m, i, y)), (-cap, "d", (m, y))], 0.0)
    return rows


def capex_cap(idx: Index, inp: PlanInput) -> Rows:
    """capex_cap — an instrument pays at most a share of the capex.

    s_{m,i,y} ≤ capex_share_cap_i · K_m · d_{m,y}    (only where it can bind)
    Shadow price: M€ saved per M€ more room under the cap.
    """
    return _cap_rows(idx.capex_cap)


def eur_per_t_cap(idx: Index, inp: PlanInput) -> Rows:
    """eur_per_t_cap — an instrument pays at most so many € per tonne over the support period.

    s_{m,i,y} ≤ eur_per_t_cap_i · A_m · D_m · d_{m,y}    (only where it can bind)
    Shadow price: M€ saved per M€ more room under the cap.
    """
    return _cap_rows(idx.eur_per_t_cap)


def budget(idx: Index, inp: PlanInput) -> Rows:
    """budget — yearly commitment ceiling of each instrument.

    Σ_m s_{m,i,y} ≤ B_{i,y}        ∀ i, y with eligible spending
    Shadow price: M€ saved per M€ added.
    """
    rows = Rows("<=")
    for (i, y) in idx.budget_keys:
        rows.add((i, y), [(1.0, "s", (m, i, y)) for m in idx.s_by_iy[(i, y)]], inp.budgets[i][y])
    return rows


def period_budget(idx: Index, inp: PlanInput) -> Rows:
    """period_budget — an instrument's budget over all years, where given.

    Σ_{m,y} s_{m,i,y} ≤ Bp_i
    Shadow price: M€ saved per M€ added.
    """
    rows = Rows("<=")
    wanted = set(idx.period_budget_keys)
    terms: dict[str, list[Term]] = defaultdict(list)
    for k in idx.s_keys:
        if k[1] in wanted:
            terms[k[1]].append((1.0, "s", k))
    for i in idx.period_budget_keys:
        rows.add(i, terms[i], inp.instruments[i].period_budget_meur)
    return rows


def cash(idx: Index, inp: PlanInput) -> Rows:
    """cash — a cash ceiling (kasplafond): the most an instrument, or all together (``*``), pays out in a year.

    Σ_{i matching} Σ_{m,y} f_{m,i,y,t} · s_{m,i,y} ≤ C_t − Σ_{i matching} past cash_{i,t}    (sheet cash_limits)

    f_{m,i,y,t}: the share of s_{m,i,y} paid in year t (:func:`optimiser.model.cash.schedule`): π_{t−y} for
    a profile, min(g_{m,y}, max(0, c_m − p_t)) / (g_{m,y} · D_m) from y + L_m for ``operating``. The past
    decisions' cash is a constant. Rows only where some commitment pays that year.
    Shadow price: M€ saved per M€ of extra cash room in that year.
    """
    rows = Rows("<=")
    terms, rhs = cash_terms(idx, inp)
    for key in sorted(terms):
        lid, t = key
        rows.add(key, terms[key], rhs[key], limit=inp.cash_limits[lid].limits[t])
    return rows


def resource(idx: Index, inp: PlanInput) -> Rows:
    """resource — grid, hydrogen, CO2 storage (stock) and installation labour (flow).

    stock:  Σ_m a_{m,r} · o_{m,y} ≤ Cap_{r,y} − past use_{r,y}    (what operates in y: o_{m,y} = x_{m,y−L_m})
    flow:   Σ_m a_{m,r} · d_{m,y} ≤ Cap_{r,y}    (what is being committed/built in y)
    The decisions of the past (sheet committed) operate from their year + L_m: a constant use.
    Shadow price: M€ per unit of capacity (e.g. per MW of grid in a cluster).
    """
    rows = Rows("<=")
    past = idx.decisions.past_use
    for (r, y), terms in idx.resource_terms.items():
        cap = inp.resources[r].capacity[y]
        rows.add((r, y), [(a, "d", (m, t)) for a, m, t in terms], cap - past.get((r, y), 0.0), limit=cap)
    return rows


def max_share(idx: Index, inp: PlanInput) -> Rows:
    """max_share — at most the deployable share is committed (less what was committed in the past).

    x_{m,T} = Σ_y d_{m,y} ≤ u_m − past share_m     (x is non-decreasing, so the last year covers every year)
    Shadow price: M€ per unit share.
    """
    rows = Rows("<=")
    past = idx.decisions.past_share
    for m in idx.max_share_keys:
        rows.add(m, [(1.0, "d", (m, y)) for y in idx.d_years[m]], inp.measures[m].max_share - past.get(m, 0.0))
    return rows


def exclusive(idx: Index, inp: PlanInput) -> Rows:
    """exclusive — options competing for the same emissions share one source.

    Σ_{m∈g} x_{m,T} ≤ 1 − past share_g     ∀ g    (x non-decreasing: the last year covers every year)
    Shadow price: M€ per unit share of the emission source.
    """
    rows = Rows("<=")
    past = idx.decisions.past_group
    for g, members in idx.exclusive.items():
        rows.add(g, [(1.0, "d", (m, y)) for m in members for y in idx.d_years[m]], 1.0 - past.get(g, 0.0))
    return rows


def committed(idx: Index, inp: PlanInput) -> Rows:
    """committed — a forced decision (sheet committed, year ≥ start_year): at least this share is committed then.

    d_{m,y} ≥ share_{m,y}     (paid and budgeted like any other commitment)
    Shadow price: M€ saved per unit share less forced — what forcing the commitment costs.
    """
    rows = Rows(">=")
    for (m, y), share in sorted(idx.decisions.forced.items()):
        rows.add((m, y), [(1.0, "d", (m, y))], share)
    return rows


def lumpy(idx: Index, inp: PlanInput) -> Rows:
    """lumpy — all-or-nothing projects: a lumpy measure is committed in full or not at all in each year.

    d_{m,y} = u_m · b_{m,y}     ∀ lumpy m, y    (b ∈ {0, 1})
    Duals: of the LP with b fixed at its optimum (not reported).
    """
    rows = Rows("==")
    for (m, y) in idx.lumpy_keys:
        rows.add((m, y), [(1.0, "d", (m, y)), (-inp.measures[m].max_share, "b", (m, y))], 0.0)
    return rows


def lumpy_once(idx: Index, inp: PlanInput) -> Rows:
    """lumpy_once — a lumpy project is committed in at most one year.

    Σ_y b_{m,y} ≤ 1     ∀ lumpy m
    Duals: not reported (it only carries the binaries).
    """
    rows = Rows("<=")
    for m in sorted({m for m, _y in idx.lumpy_keys}):
        rows.add(m, [(1.0, "b", (m, y)) for y in idx.d_years[m]], 1.0)
    return rows


def target(idx: Index, inp: PlanInput) -> Rows:
    """target — the required reduction in every target year, or a penalised shortfall.

    Σ_m A_m · o_{m,y} + σ_y ≥ T_y − past abatement_y    ∀ target years y    (no rows when maximising abatement)
    Shadow price: € per tonne of annual abatement (M€ of extra commitments per extra Mt/yr).
    """
    rows = Rows(">=")
    if inp.settings.objective == "max-abatement":
        return rows  # no target: abatement is what is maximised
    past = idx.decisions.past_abatement  # decisions of the past operating in y: a constant
    for y in idx.target_years:
        shortfall = [(1.0, "shortfall", y)] if has_shortfall(inp) else []
        rows.add(y, [(a, "d", (m, t)) for a, m, t in idx.target_terms[y]] + shortfall,
                 inp.targets[y] - past.get(y, 0.0))
    return rows


# ---------------------------------------------------------------- the registry

#: The family whose shadow price is the marginal value of abatement (€ per t of annual abatement).
TARGET = "target"
#: Families other stages speak of by name: the Instrument use and Resource use sheets are about them, and the
#: rules simulation blocks grants by the same limits.
BUDGET, PERIOD_BUDGET, RESOURCE, EXCLUSIVE = "budget", "period_budget", "resource", "exclusive"
#: The cash ceilings (the Cash sheet and the rules simulation speak of them).
CASH = "cash"
#: The decisions already taken in the horizon (forced; the Cash sheet lists them with their shadow prices).
COMMITTED = "committed"


def _measure_name(inp: PlanInput, m) -> str:
    measure = inp.measures.get(m)
    return (measure.name or m) if measure is not None else str(m)


def _cap_item(inp: PlanInput, ident) -> str:
    """'SDE++ → Tata Steel: DRI and EAF' for the cap key's id 'SDE++ → tata_dri_eaf'."""
    i, _arrow, m = str(ident).partition(" → ")
    return f"{i} → {_measure_name(inp, m)}" if m else str(ident)


def _resource_name(inp: PlanInput, r) -> str:
    res = inp.resources.get(r)
    return (res.name or r) if res is not None else str(r)


def _instrument_name(inp: PlanInput, i) -> str:
    return _("all instruments") if i == ALL_INSTRUMENTS else str(i)


def _cap_split(key) -> tuple[str, int]:
    m, i, y = key
    return f"{i} → {m}", y


_IDENTITY = dict(kind="identity")
_SHARE_MORE = N_("1 percentage point more of {words} (were it possible)")
#: What the two caps of an instrument share: a limit of single measures in M€, per measure, instrument and year,
#: relaxed by one M€ of room.
_CAP = dict(kind="measure", unit="M€", split=_cap_split, item=_cap_item,
            more=N_("one more M€ of room under {words}"))
#: What the budget team's money limits share (budgets, period budgets, cash limits): in M€, probed, relaxable and
#: named among what holds a measure back.
_MONEY_LIMIT = dict(unit="M€", probed=True, relaxable=True, explains=True)

FAMILIES: list[Family] = [
    Family("funding", funding, N_("funding"), N_("the whole unprofitable gap is paid, never more"), **_IDENTITY),
    Family("capex_cap", capex_cap, N_("capex-share cap"), N_("an instrument pays at most its share of capex"),
           words=N_("the capex-share cap {item} in {year}"), where=N_("sheet 'instruments', column capex_share_cap"),
           **_CAP),
    Family("eur_per_t_cap", eur_per_t_cap, N_("€/t cap"), N_("an instrument pays at most its €/t cap"),
           words=N_("the €/t cap {item} in {year}"), where=N_("sheet 'instruments', column eur_per_t_cap"), **_CAP),
    Family(BUDGET, budget, N_("budget"), N_("yearly commitment ceiling of an instrument"),
           limits=lambda inp: [(i, y) for i in inp.instruments for y in inp.years],
           words=N_("{item} budget in {year}"), held=N_("budget of {item} exhausted in {years}"),
           where=N_("sheet 'budgets'"), **_MONEY_LIMIT),
    Family(PERIOD_BUDGET, period_budget, N_("period budget"), N_("an instrument's budget over all years"),
           limits=lambda inp: [i for i, inst in inp.instruments.items() if inst.period_budget_meur is not None],
           words=N_("{item}'s period budget"), held=N_("period budget of {item} exhausted"),
           where=N_("sheet 'instruments', column period_budget_meur"), **_MONEY_LIMIT),
    Family(CASH, cash, N_("cash limit"), N_("the most an instrument (or all together) pays out in cash in a year"),
           limits=lambda inp: [(i, t) for i, c in inp.cash_limits.items() for t in c.limits], item=_instrument_name,
           words=N_("the cash limit of {item} in {year}"), held=N_("cash limit of {item} binding in {years}"),
           where=N_("sheet 'cash_limits', row {id}"), **_MONEY_LIMIT),
    Family(RESOURCE, resource, N_("resource"),
           N_("grid, hydrogen, CO2 storage (stock) and labour (flow) limits"),
           unit=lambda inp, key: (inp.resources[key[0]].unit if key[0] in inp.resources else "") or _("unit"),
           probed=True, relaxable=True, explains=True,
           limits=lambda inp: [(r, y) for r in inp.resources for y in inp.years],
           item=_resource_name,
           held=N_("{item} limit binding in {years}"),
           where=N_("sheet 'resources', id {id}")),
    Family("max_share", max_share, N_("maximum share"),
           N_("at most the deployable share of a measure"),
           kind="measure", unit=N_("share"), item=_measure_name,
           words=N_("the deployable share of {item}"),
           more=_SHARE_MORE, step=0.01,
           where=N_("sheet 'measures', column max_share")),
    Family(EXCLUSIVE, exclusive, N_("exclusive group"),
           N_("options for one emission source exclude each other"),
           kind="measure", unit=N_("share"), explains=True,
           words=N_("emission source '{item}'"),
           more=N_("letting the options for {words} together cover 1 percentage point more (were it possible)"),
           step=0.01,
           held=N_("its emission source (group '{item}') goes to {others}"),
           where=N_("sheet 'measures', column exclusive_group")),
    Family("lumpy", lumpy, N_("all or nothing"), N_("all-or-nothing projects are committed in full"), **_IDENTITY),
    Family("lumpy_once", lumpy_once, N_("committed once"),
           N_("an all-or-nothing project is committed in at most one year"), **_IDENTITY),
    Family(COMMITTED, committed, N_("forced decision"),
           N_("a decision already taken: at least this share of a measure is committed in that year"),
           kind="measure", unit=N_("share"), probed=True, item=_measure_name,
           words=N_("the forced decision on {item} in {year}"),
           more=N_("forcing 1 percentage point less in {words}"),
           step=0.01, where=N_("sheet 'committed', measure {id}")),
    Family(TARGET, target, N_("target"),
           N_("required reduction in each target year"),
           unit=N_("Mt CO2-eq/yr"), shadow_unit=N_("M€ per Mt/yr, i.e. € per t of annual abatement"),
           probed=True, split=lambda key: (None, key), join=lambda ident, year: year,
           limits=lambda inp: sorted(inp.targets),
           words=N_("the {year} target"),
           more=N_("one {unit} less required in {year}"),
           where=N_("sheet 'targets' / setting target_reduction_mt"),
           anchor="target_reduction_mt"),
]


def family(name: str) -> Family:
    for f in FAMILIES:
        if f.name == name:
            return f
    raise KeyError(name)


def reported() -> list[Family]:
    """The families with a shadow price, in the order the outputs list them: policy limits first."""
    return sorted((f for f in FAMILIES if f.reported),
                  key=lambda f: (f.name != TARGET, f.kind != "policy", FAMILIES.index(f)))


def register(new: Family, *, before: str | None = None) -> None:
    """Add a family to the model (tests and extensions): built, solved and reported like every other."""
    if any(f.name == new.name for f in FAMILIES):
        raise ValueError(f"a family named {new.name!r} exists")
    FAMILIES.insert(FAMILIES.index(family(before)) if before else len(FAMILIES), new)


def unregister(name: str) -> None:
    FAMILIES.remove(family(name))


def model_rows(idx: Index, inp: PlanInput) -> dict[str, Rows]:
    """Every row of the model, by family name; in an elastic run each relaxable row gains its slack.

    elastic:  Σ … − r_k ≤ limit_k,  r_k ≥ 0 (the relaxation; its total Σ r_k / |limit_k| is minimised first).
    """
    out = {}
    elastic = inp.settings.elastic
    for f in FAMILIES:
        rows = f.rows(idx, inp)
        if elastic and f.relaxable and rows.sense == "<=":
            for key, terms in rows.terms.items():
                terms.append((-1.0, f.slack, key))
        out[f.name] = rows
    return out


def limit_label(inp: PlanInput | None, name: str, key, lang: str | None = None) -> tuple[str, str, object, str]:
    """(family, id, year, unit of its shadow price): how a limit is named in tables and headers."""
    f = family(name)
    ident, year = f.split(key)
    unit = f.shadow_unit_of(inp, key, lang) if inp is not None else ""
    return f.name, "" if ident is None else str(ident), year, unit


def limit_sort_key(item: tuple[str, object]) -> tuple[int, str]:
    """Policy limits first, then limits of single measures, each in registry order."""
    name, key = item
    order = [f.name for f in reported()]
    return (order.index(name) if name in order else len(order)), str(key)
