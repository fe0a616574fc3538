"""Language: one gettext catalogue per language, --lang and the language setting, Dutch numbers and words.

The hand-computed case (tests/builders.py): a 1 Mt/yr at 50 €/t, b 2 Mt/yr at 80 €/t, c 2 Mt/yr at 120 €/t,
10 support years, no CO2 price, a 2 Mt/yr target in 2026: all of a (500 M€) and half of b (800 M€) is
1 300 M€, and b at the margin makes the target worth 80 €/t × 10 years = 800 M€ per Mt/yr. In Dutch:
"1.300 M€" and "2,00 Mt CO2-eq/jr" (a decimal comma, a point between thousands).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import openpyxl
import pytest

from builders import measure, run, tables, workbook
from optimiser.lang import LANGUAGES, current, language, num, sig

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import catalogue  # noqa: E402  (tools/catalogue.py: the catalogue's own tool)


def _dutch_workbook(path: Path, **settings) -> Path:
    t = tables(reduction=2.0, **settings)
    return workbook(path, t)


# ---------------------------------------------------------------- the catalogue

def test_the_committed_mo_is_the_compiled_po():
    for lang in catalogue.LANGUAGES:
        mo = catalogue.po_path(lang).with_suffix(".mo")
        assert mo.read_bytes() == catalogue.compile_mo(lang), f"run: python tools/catalogue.py compile ({lang})"


def test_every_text_of_the_code_has_a_dutch_translation_with_its_placeholders():
    # untranslated or fuzzy messages, placeholders lost or added, texts of the code missing from the .po
    assert catalogue.problems("nl") == []
    found = catalogue.all_messages()
    assert len(found) > 900  # workbooks, terminal, template, error messages and the manifest's texts
    for text in ("Every target is met: {abated} Mt CO2-eq/yr in {year} (required {required}) at a public cost of "
                 "{cost} M€ of commitments.",                      # words (Summary and terminal)
                 "blank cell, expected a value",                   # input validation
                 "Instructions", "A_m: abatement at full deployment",  # manifest texts translated where shown
                 "Binding limits"):                                 # a sheet title
        assert text in found, text


def test_one_mechanism_every_familys_and_fields_texts_are_in_the_catalogue():
    # the constraint families' texts and the result fields' labels are message ids like every other text: the
    # catalogue holds them (no second mechanism), and the Dutch of a family reads in Dutch
    from optimiser.model.families import FAMILIES
    from optimiser.model.fields import FIELDS

    texts = set(catalogue.all_messages())
    for f in FAMILIES:
        own = [f.label, f.meaning, f.words, f.more, f.where, f.held, f.shadow_unit]
        assert not [t for t in own if t and t not in texts], f.name
    for f in FIELDS:
        assert f.label in texts, f.label
    with language("nl"):
        from optimiser.model.families import family

        assert family("budget").text("label") == "budget (verplichtingen)"
        assert family("resource").text("where", id="grid") == "blad 'resources', id grid"


def test_the_languages_are_listed_once():
    from optimiser import api, lang

    assert catalogue.LANGUAGES == tuple(c for c in lang.LANGUAGES if c != lang.DEFAULT)
    assert tuple(api.LANGUAGES) == lang.LANGUAGES
    assert {lang.known(x.own) for x in lang.LANGUAGE_LIST} == set(lang.LANGUAGES)


def test_no_module_shadows_the_translation_function():
    """`_` is the translation function wherever it is imported: an unpacking `x, _ = …` in the same module
    would make it a local variable and break every `_()` of the function."""
    bad = []
    for path in (ROOT / "optimiser").rglob("*.py"):
        tree = ast.parse(path.read_text())
        if not any(isinstance(n, ast.ImportFrom) and (n.module or "").endswith("lang")
                   and any(a.name == "_" for a in n.names) for n in ast.walk(tree)):
            continue
        bad += [f"{path.name}:{n.lineno}" for n in ast.walk(tree)
                if (isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store))
                or (isinstance(n, ast.arg) and n.arg == "_")]
    assert not bad, bad


def test_dutch_numbers_take_a_decimal_comma_and_a_point_between_thousands():
    assert (num(6264.3, ",.0f"), num(20.2, ",.2f"), sig(2.6437), num(0.534, ".0%")) == ("6,264", "20.20", "2.64", "53%")
    with language("nl"):
        assert current() == "nl"
        assert (num(6264.3, ",.0f"), num(20.2, ",.2f"), sig(2.6437), num(0.534, ".1%")) == \
            ("6.264", "20,20", "2,64", "53,4%")
        assert num(1234567.891, ",.2f") == "1.234.567,89"
    assert current() == "en"
    assert set(LANGUAGES) == {"en", "nl"}


# ---------------------------------------------------------------- the terminal and the workbooks

def test_a_plan_in_dutch_on_the_terminal_and_in_the_workbook(tmp_path):
    src = _dutch_workbook(tmp_path / "in.xlsx")
    out = tmp_path / "plan.xlsx"
    proc = run("plan", src, "-o", out, "--lang", "nl", check_code=0)
    lines = proc.stdout.splitlines()
    headline = ("Elk doel wordt gehaald: 2,00 Mt CO2-eq/jr in 2026 (vereist 2,00) tegen 1.300 M€ publieke kosten aan "
                "verplichtingen.")
    assert lines[1] == headline
    assert ("Marginale waarde van het doel voor 2026: 800 M€ per Mt/jr — één ton per jaar meer reductie in 2026 "
            "vraagt 800 € meer aan verplichtingen.") in lines
    assert lines[-1] == f"Plan geschreven naar {out}"
    wb = openpyxl.load_workbook(out)
    result_sheets = ["Samenvatting", "Maatregelen", "Instrumenten", "Kas", "Capaciteit", "Per cluster", "MACC",
                     "Toelichting"]
    assert wb.sheetnames[:8] == result_sheets
    assert wb.sheetnames[8:11] == ["settings", "measures", "instruments"]  # input names stay as they are
    summary = wb["Samenvatting"]
    assert summary["A1"].value == "Plan voor de beleidsmix: test" and summary["A2"].value == headline
    plan = list(wb["Maatregelen"].iter_rows(values_only=True))
    head = plan[0]
    assert head[:5] == ("id maatregel", "naam", "sector", "cluster", "status")
    status = {row[0]: row[head.index("status")] for row in plan[1:]}
    assert status == {"a": "gefinancierd", "b": "deels gefinancierd", "c": "niet gefinancierd"}
    # the families' own Dutch labels and meanings, not the catalogue's
    about = {row[0]: row for row in wb["Toelichting"].iter_rows(values_only=True) if row and row[0]}
    assert about["budget"][1] == "budget (verplichtingen)" and about["resource"][1] == "capaciteit"
    assert {r[0]: r[1] for r in wb["settings"].iter_rows(values_only=True)}["language"] == "nl"
    assert wb["measures"]["A1"].value == "measure_id"


def test_the_language_setting_speaks_dutch_and_lang_overrides_it(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables(reduction=2.0, language="nl"))
    proc = run("plan", src, "-o", tmp_path / "nl.xlsx", check_code=0)
    assert "tegen 1.300 M€ publieke kosten" in proc.stdout and "Werkmap:" in proc.stdout
    proc = run("plan", src, "-o", tmp_path / "en.xlsx", "--lang", "en", check_code=0)
    assert "at a public cost of 1,300 M€ of commitments" in proc.stdout
    assert openpyxl.load_workbook(tmp_path / "en.xlsx").sheetnames[0] == "Summary"
    proc = run("plan", src, "--set", "settings:language=en", "-o", tmp_path / "en2.xlsx", check_code=0)
    assert "at a public cost of 1,300 M€" in proc.stdout


def test_error_messages_in_the_workbooks_language(tmp_path):
    t = tables(measures=[measure("a", "veel", 50), measure("b", 2.0, 80, max_share=80, eligible="G, H")],
               language="nl")
    proc = run("check", workbook(tmp_path / "bad.xlsx", t), check_code=2)
    lines = proc.stderr.strip().splitlines()
    assert lines[0].endswith("bad.xlsx, blad 'measures', rij 2, kolom 'abatement_mt': gevonden 'veel', verwacht een "
                             "getal")
    assert lines[0].startswith("fout: ")
    assert "schrijf 0.8 voor 80 %" in lines[1]
    assert "scheid id's met ';', niet met ','" in lines[2]
    proc = run("check", tmp_path / "bad.xlsx", "--lang", "en", check_code=2)
    assert proc.stderr.startswith("error: ") and "sheet 'measures', row 2, column 'abatement_mt'" in proc.stderr
    proc = run("plan", "--lang", "nl", "-o", tmp_path / "bad.xlsx", check_code=2)  # the input workbook's own name
    assert "fout: -o " in proc.stderr and "bestand bestaat al; gebruik --force" in proc.stderr


def test_a_dutch_plan_reruns_and_compares_with_an_english_one(tmp_path):
    src = _dutch_workbook(tmp_path / "in.xlsx")
    run("plan", src, "-o", tmp_path / "nl.xlsx", "--json", tmp_path / "nl.json", "--lang", "nl", check_code=0)
    run("plan", src, "-o", tmp_path / "en.xlsx", check_code=0)
    again = run("plan", tmp_path / "nl.xlsx", "-o", tmp_path / "again.xlsx", "--json", tmp_path / "again.json",
                check_code=0)
    assert "let op" not in again.stderr and "note" not in again.stderr  # the Dutch result sheets are skipped
    assert "tegen 1.300 M€" in again.stdout  # and the plan remembers its language
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("nl.json", "again.json"))
    assert a["objective_meur"] == pytest.approx(b["objective_meur"]) == pytest.approx(1300)
    proc = run("compare", tmp_path / "nl.xlsx", tmp_path / "en.xlsx", check_code=0)
    assert "No differences" in proc.stdout
    proc = run("compare", tmp_path / "nl.xlsx", tmp_path / "en.xlsx", "--lang", "nl", "-o", tmp_path / "cmp.xlsx",
               check_code=0)
    assert "Geen verschillen" in proc.stdout and f"Vergelijking geschreven naar {tmp_path / 'cmp.xlsx'}" in proc.stdout
    assert openpyxl.load_workbook(tmp_path / "cmp.xlsx").sheetnames == ["Vergelijking", "Maatregelen", "Toelichting"]


def test_every_workbook_in_dutch(tmp_path):
    src = _dutch_workbook(tmp_path / "in.xlsx")
    proc = run("sweep", src, "--vary", "settings:target_reduction_mt=1:3:1", "-o", tmp_path / "sweep.xlsx",
               "--lang", "nl", check_code=0)
    assert "Reeks geschreven naar" in proc.stdout and "publieke kosten (M€)" in proc.stdout
    assert openpyxl.load_workbook(tmp_path / "sweep.xlsx").sheetnames == ["Reeks", "Grafieken", "Bindende grenzen", "Toelichting"]
    proc = run("rules-gap", src, "-o", tmp_path / "rules.xlsx", "--lang", "nl")
    assert proc.returncode in (0, 3) and "Regels:" in proc.stdout
    assert openpyxl.load_workbook(tmp_path / "rules.xlsx").sheetnames[:4] == ["Regels vs optimum", "Uitkomsten regels",
                                                                              "Rondes", "Samenvatting"]
    run("template", tmp_path / "sjabloon.xlsx", "--lang", "nl", check_code=0)
    wb = openpyxl.load_workbook(tmp_path / "sjabloon.xlsx")
    assert wb.sheetnames[:2] == ["Instructies", "settings"]  # the input sheets keep their names
    note = next(c.comment.text for c in wb["measures"][1] if c.value == "eligible_instruments")
    assert "Scheid id's met ';', niet met ','" in note
    abatement = next(c.comment.text for c in wb["measures"][1] if c.value == "abatement_mt")
    assert "Eenheid: Mt CO2-eq/jr." in abatement and "reductie bij volledige inzet" in abatement
    # the Dutch template, filled in, is read like the English one (its Instructies sheet is skipped)
    proc = run("check", tmp_path / "sjabloon.xlsx", "--lang", "nl", check_code=2)
    assert "verplichte instelling" not in proc.stderr and "instelling 'start_year' is leeg" in proc.stderr


def test_the_api_speaks_the_language_asked(tmp_path):
    import optimiser

    src = _dutch_workbook(tmp_path / "in.xlsx")
    p = optimiser.plan(src, lang="nl")
    assert p.lang == "nl" and p.summary()[0].startswith("Elk doel wordt gehaald: 2,00 Mt CO2-eq/jr")
    assert p.shadow_prices.xs("target")["unit"].iloc[0] == "M€ per Mt/jr, d.w.z. € per ton jaarlijkse reductie"
    assert "bespaart" in p.binding["meaning"].iloc[0]  # the binding limits' sentences in the run's language
    assert str(optimiser.plan(src)).startswith("Every target is met")
    assert current() == "en"  # nothing leaks out of a run
    with pytest.raises(optimiser.InputError):
        optimiser.plan(src, lang="fr")


def test_help_speaks_the_language_asked():
    """--help and usage errors in Dutch with --lang nl (headings, help texts, the error line); English without."""
    nl = run("futures", "--help", "--lang", "nl", check_code=0).stdout
    assert nl.startswith("gebruik: policymix futures") and "\nopties:\n" in nl
    assert "toon deze hulp en stop" in nl and "aantal toekomsten (standaard 200)" in nl
    assert "number of futures" not in nl
    en = run("futures", "--help", check_code=0).stdout
    assert en.startswith("usage: policymix futures") and "\noptions:\n" in en and "number of futures (default 200)" in en
    assert "(standaard 5%)" in run("plan", "--lang=nl", "--help", check_code=0).stdout  # argparse's %% kept
    err = run("plan", "--lang", "nl", "--alternatives", "x", check_code=2).stderr
    assert err.startswith("policymix: fout: argument --alternatives") and err.rstrip().endswith(
        "(zie policymix plan --help)")
    err = run("futures", "--samples", "0", "--lang", "nl", check_code=2).stderr
    assert err == "policymix: fout: argument --samples: verwacht een geheel getal ≥ 1, gevonden '0' " \
                  "(zie policymix futures --help)\n"


# ---------------------------------------------------------------- futures and the uncertainty sheet in Dutch

def _cost_case() -> dict:
    """Measure a (1 Mt/yr, 10 years) and 500 M€ in 2024 for a 1 Mt target; its cost drawn from 40 … 60 €/t."""
    t = tables(measures=[measure("a", 1.0, 50)], budgets=[{"instrument_id": "G", 2024: 500.0, 2025: 0.0, 2026: 0.0}],
               reduction=1.0)
    t["uncertainty"] = [{"name": "cost of a", "sheet": "measures", "id": "a", "column": "cost_eur_per_t", "op": "set",
                         "distribution": "uniform", "low": 40, "high": 60, "_row": 2}]
    return t


@pytest.mark.parametrize("changes, row, column, dutch", [
    ({2: {"low": 1.5}}, 2, "low", "low 1.5 ligt boven high 1.2"),
    ({3: {"weights": "1;2;3"}}, 3, "weights", "3 gewichten voor 2 waarden: geef één gewicht per waarde"),
    ({2: {"distribution": "triangular"}}, 2, "mode", "lege cel: verdeling triangular vraagt low en mode en high"),
    ({2: {"op": "shift"}}, 2, "op", "shift verschuift een jaarreeks; blad 'measures' heeft geen jaarkolommen"),
    ({2: {"sheet": "measurez"}}, 2, "sheet", "onbekend blad 'measurez', verwacht een van settings, "),
    ({3: {"name": "cost of b"}}, 3, "name", "naam 'cost of b' staat ook op rij 2, buiten de groep van deze rij: "
                                            "geef elke onzekere invoer een eigen naam"),
    ({2: {"column": "lead_time_years", "op": "add", "low": 0, "high": 2}}, 2, "distribution",
     "de kolom bevat gehele getallen: gebruik voor add de verdeling choice met gehele waarden (bijv. 0;1;2)"),
])
def test_the_uncertainty_sheets_mistakes_in_dutch(changes, row, column, dutch, tmp_path, capsys):
    from make_bad_uncertainty import with_sheet
    from optimiser.cli import main

    wb = with_sheet(changes)(tmp_path)
    assert main(["check", str(wb), "--lang", "nl"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"fout: {wb}, blad 'uncertainty', rij {row}, kolom '{column}': {dutch}"), lines[0]
    assert main(["check", str(wb)]) == 2  # and in English without --lang
    assert f"sheet 'uncertainty', row {row}, column '{column}'" in capsys.readouterr().err


def test_a_futures_argument_error_in_dutch(tmp_path):
    src = workbook(tmp_path / "in.xlsx", _cost_case())
    proc = run("futures", src, "--samples", "2000000", "--lang", "nl", "-o", tmp_path / "f.xlsx", check_code=2)
    assert proc.stderr == ("fout: --samples 2.000.000: meer dan de 1.000.000 toekomsten die één berekening mag "
                           "hebben\n")
    assert "Traceback" not in proc.stderr and not (tmp_path / "f.xlsx").exists()
    proc = run("futures", src, "--samples", "2000000", "-o", tmp_path / "f.xlsx", check_code=2)
    assert "--samples 2,000,000: more than the 1,000,000 futures one run may have" in proc.stderr


def test_a_workbook_without_uncertainty_rows_in_dutch(tmp_path, capsys):
    from optimiser.cli import main

    src = workbook(tmp_path / "in.xlsx", tables())
    assert main(["futures", str(src), "--samples", "4", "--lang", "nl", "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "blad 'uncertainty'" in err and "de werkmap heeft geen rijen met onzekerheden: voeg een blad " \
                                            "'uncertainty' toe" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_futures_worker_speaks_the_runs_language_without_inheriting_it():
    """A worker process (spawned, or on a Dask cluster) starts in English: the language comes with the work."""
    import contextvars
    import hashlib
    import pickle

    from optimiser.analysis import futures as F
    from optimiser.input.tables import to_input

    inp = to_input(_cost_case())
    with language("nl"):
        futures = F.draw(inp, 4, 1)
        payload = F.Payload(inp, "wait_and_see", lang=current())
    assert payload.lang == "nl"
    key = hashlib.sha256(pickle.dumps(payload)).hexdigest()
    F._STATES.clear()
    part = contextvars.Context().run(F.run_chunk, key, payload, futures)  # a context that was never told "nl"
    assert [r.solver_note for r in part.results] == ["opgebouwd: nieuwe structuur"] + \
        ["herberekend op een bewaard model"] * 3
    english = F.Payload(inp, "wait_and_see")
    F._STATES.clear()
    with language("nl"):  # the payload's language wins over the worker's own
        part = F.run_chunk(hashlib.sha256(pickle.dumps(english)).hexdigest(), english, futures)
    assert part.results[0].solver_note == "built: new structure"


def test_futures_on_spawned_local_processes_in_dutch(monkeypatch):
    from types import SimpleNamespace

    from optimiser.analysis import futures as F
    from optimiser.input.tables import to_input

    monkeypatch.setattr(F, "sys", SimpleNamespace(platform="darwin"))  # spawn: the workers start afresh, in English
    inp = to_input(_cost_case())
    with language("nl"):
        r = F.run(inp, samples=8, seed=3, jobs=2, chunk_size=2)
        assert r.workers == "2 lokale processen"
        stress = F.run(inp, mode="stress_test", samples=4, seed=3, commitments={("a", 2024): 1.0})
    assert {res.solver_note for res in r.results} <= {"opgebouwd: nieuwe structuur", "herberekend op een bewaard model"}
    assert "herberekend op een bewaard model" in {res.solver_note for res in r.results}
    assert stress.workers == "dit proces" and {res.solver_note for res in stress.results} == {"doorgerekend"}
    assert current() == "en"


def test_decide_by_and_the_api_tell_their_mistakes_in_dutch(tmp_path):
    import optimiser
    from optimiser.analysis import futures as F
    from optimiser.analysis.decide import decide
    from optimiser.input.data import InputError
    from optimiser.input.tables import to_input

    inp = to_input(_cost_case())
    with language("nl"), pytest.raises(InputError) as exc:
        decide(inp, F.draw(inp, 2, 1), 2040)
    assert exc.value.problems[0].message == ("--decide-by 2040: verwacht een jaar van start_year 2024 tot en met "
                                             "target_year 2026")
    src = _dutch_workbook(tmp_path / "in.xlsx")
    with pytest.raises(InputError) as exc:
        optimiser.plan(src, lang="nl", alternatives=-1)
    assert exc.value.problems[0].message == "alternatives=-1: verwacht een geheel getal ≥ 0"
    with pytest.raises(InputError) as exc:
        optimiser.plan(src, lang="nl", set=[("prices:co2_price_eur_per_t:*", 1)])
    assert exc.value.problems[0].message == "set=: verwacht een dict {'BLAD:ID:KOLOM': waarde}, gevonden list"
    with pytest.raises(InputError) as exc:
        optimiser.plan(src, set=[("prices:co2_price_eur_per_t:*", 1)])
    assert exc.value.problems[0].message == "set=: expected a dict {'SHEET:ID:COLUMN': value}, found list"
    p = optimiser.plan(src, lang="nl")
    with pytest.raises(InputError) as exc:
        p.to_excel(src, force=True)
    assert exc.value.problems[0].message == f"{src}: dat is de invoerwerkmap; kies een ander uitvoerbestand"
    out = p.to_excel(tmp_path / "plan.xlsx")
    with pytest.raises(InputError) as exc:
        p.to_excel(out)
    assert exc.value.problems[0].message == f"{out}: bestand bestaat al; geef force=True om het te vervangen"
    with pytest.raises(InputError) as exc:
        p.to_iamc(tmp_path / "plan.txt")
    assert exc.value.problems[0].message == f"{tmp_path / 'plan.txt'}: een IAMC-bestand is .csv of .xlsx, niet .txt"
    with pytest.raises(AttributeError, match="alleen een simulatie"):
        p.rule_outcomes
    assert current() == "en"
