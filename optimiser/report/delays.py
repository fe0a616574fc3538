"""The delays workbook (``policymix delays``, docs/model.md section 17): what each delay would cost.

Sheets (:data:`optimiser.input.manifest.DELAYS_SHEETS`): Summary (the plan it starts from and the delays that
cost most, in sentences), Delays (one row per item — a stock resource whose capacity rises within the
horizon, a lumpy measure — and years of delay: the abatement the plan loses in the target year with its
commitments fixed, and re-planned the extra public cost and the shortfall left; with two charts, the Mt and
the M€ per year of delay per item), About; then the effective input sheets, so that the workbook re-runs.
The figures are the fields of view ``delays`` of the result-field registry (:mod:`optimiser.model.fields`);
every cell goes through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..input.manifest import DELAYS_SHEETS
from ..input.tables import to_tables
from ..lang import N_, _
from ..lang import name as language_name
from ..model.fields import DELAYS, run_fields
from . import answers
from .inputs import add_input_sheets, in_its_language
from .words import provenance
from .xlsx import COUNT, M_EUR, MT, PALETTE, Bars, Chart, Col, Sheet, new_workbook, save

#: What an item is, in words.
KIND_WORDS = {"resource": N_("resource (capacity series moved later)"),
              "measure": N_("lumpy measure (lead time longer)")}


def write_delays(register, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the delays workbook atomically; returns its path."""
    return save(delays_workbook(register), path, force=force)


def delays_workbook(register):
    book = new_workbook(_("Policy-mix delays: {scenario}", scenario=register.scenario_name))
    for spec in DELAYS_SHEETS:
        sheet = book.sheet(_(spec.title), **({"orientation": "portrait"} if spec.title != "Delays" else {}))
        _WRITERS[spec.title](sheet, register)
        sheet.finish(widths=_WIDTHS.get(spec.title))
    add_input_sheets(book, to_tables(in_its_language(register.base)), register.base.years)
    return book


def _summary(sheet: Sheet, register) -> None:
    inp = register.base
    T = inp.settings.target_year
    sheet.title(_("What each delay costs: {scenario}", scenario=register.scenario_name))
    for text in answers.delay_lines(register, most=5):
        sheet.line(text)
    sheet.line(_("Abatement lost: with the plan's commitments fixed, what no longer runs in {year} (built later, or "
                 "no grid, hydrogen or CO2 storage for it then). Re-planned: the plan of least public cost for the "
                 "delayed input, against that of the undelayed input: the extra public cost (negative where the delay "
                 "leaves less that can be bought) and the shortfall it leaves.", year=T))
    sheet.heading(_("Key figures"))
    sheet.pairs([
        (_("plan fixed"), register.plan_file or _("the plan of the workbook's inputs")),
        (_("its abatement {year} without delay (Mt CO2-eq/yr)", year=T), register.plan_abatement_mt, MT),
        (_("re-planned without delay: public cost (M€)"), register.plan_cost_meur, M_EUR),
        (_("re-planned without delay: shortfall (Mt CO2-eq/yr)"), register.plan_shortfall_mt, MT),
        (_("items (stock resources whose capacity rises, lumpy measures)"),
         len({d.item for d in register.delays}), COUNT),
        (_("years of delay"), ", ".join(str(k) for k in register.years)),
    ], bold_labels=True)
    for note in register.notes:
        sheet.line(_("Note: {text}", text=note))


def _delays(sheet: Sheet, register) -> None:
    inp = register.base
    fields = run_fields(DELAYS)
    sheet.title(_("What each delay costs, per item and years of delay"))
    cols = [Col(_("item")), Col(_("name"), wrap=34), Col(_("kind"), wrap=22), Col(_("years of delay"), COUNT)]
    cols += [Col(f.header(inp), f.fmt) for f in fields]
    rows = [[d.item, d.name, _(KIND_WORDS[d.kind]), d.years] + [d.record.get(f) for f in fields]
            for d in register.delays]
    charts = sheet.chart_space(10)
    second = sheet.chart_space(10)
    sheet.table(cols, rows, freeze=1, autofilter=True)
    if not register.delays:
        return
    # chart data (hidden): one row per item, one column per years of delay, Mt then M€
    items = list(dict.fromkeys(d.item for d in register.delays))
    by = {(d.item, d.years): d for d in register.delays}
    data_col = len(cols) + 3
    ks = list(register.years)
    header = [_("item")] + [_("{k} year(s): Mt", k=k) for k in ks] + [_("{k} year(s): M€", k=k) for k in ks]
    data = [[i] + [by[(i, k)].abatement_lost_mt if (i, k) in by else None for k in ks]
            + [by[(i, k)].extra_public_cost_meur if (i, k) in by else None for k in ks] for i in items]
    last = sheet.data(1, data_col, header, data, [None] + [MT] * len(ks) + [M_EUR] * len(ks))
    categories = (data_col, 2, last)
    colours = [PALETTE[k % len(PALETTE)] for k in range(len(ks))]
    T = inp.settings.target_year
    sheet.chart(Chart("column", _("Abatement lost in {year} with the plan fixed, per item and years of delay", year=T),
                      _("item"), _("Mt CO2-eq/yr"),
                      series=[Bars(data_col + 1 + n, 2, last, _("{k} year(s) late", k=k), colours[n])
                              for n, k in enumerate(ks)],
                      categories=categories, stacked=False, gap=60, y_format="0.00", hidden_data=True, height=9.5),
                row=charts)
    sheet.chart(Chart("column", _("Extra public cost re-planned, per item and years of delay"), _("item"), _("M€"),
                      series=[Bars(data_col + 1 + len(ks) + n, 2, last, _("{k} year(s) late", k=k), colours[n])
                              for n, k in enumerate(ks)],
                      categories=categories, stacked=False, gap=60, y_format="#,##0", hidden_data=True, height=9.5),
                row=second)
    sheet.hide_columns(data_col)


def _about(sheet: Sheet, register) -> None:
    sheet.title(_("About this delays workbook"))
    sheet.line(_("policymix delays: what a delay of each grid reinforcement, CO2 store, hydrogen supply or lumpy "
                 "project would cost (docs/futures.md). Money in M€, abatement in Mt CO2-eq/yr."))
    sheet.row += 1
    command = ["policymix delays", register.source_file or "WORKBOOK"]
    if register.plan_file:
        command.append(f"--plan {register.plan_file}")
    command.append("--years " + ",".join(str(k) for k in register.years))
    sheet.pairs([
        *provenance(_solver(), register.source_file, register.source_sha256, register.scenario_name),
        (_("overrides applied"), "; ".join(register.overrides) or _("none")),
        (_("language"), language_name()),
        (_("re-plans"), len(register.delays), COUNT),
        (_("re-solved on a kept model (warm)"), register.updates, COUNT),
        (_("models built (a lead time changes the model's structure)"), register.builds, COUNT),
        (_("run time (s)"), round(register.seconds, 2)),
        (_("to repeat it (this workbook is also an input)"), " ".join(command + list(register.overrides))),
        (_("generated"), datetime.now().astimezone().isoformat(timespec="seconds")),
    ], bold_labels=True)
    sheet.heading(_("Sheets"))
    sheet.table([Col(_("sheet")), Col(_("what it shows"), wrap=60), Col(_("units"), wrap=30)],
                [[_(s.title), _(s.shows), _(s.units) if s.units else ""] for s in DELAYS_SHEETS]
                + [[_("(input sheets)"), _("the effective inputs: this workbook re-runs the same register"), ""]])


def _solver() -> str:
    from ..model.solve import solver_version

    return solver_version()


_WRITERS = {"Summary": _summary, "Delays": _delays, "About": _about}
_WIDTHS = {"Summary": {1: 60, 2: 30}, "About": {1: 44, 2: 90}}
