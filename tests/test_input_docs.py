"""docs/model.md's input tables (section 7) are generated from the manifest and fail a test when they drift."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from optimiser.input.manifest import SETTINGS_KEYS, SHEETS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "make_input_tables.py"


def _script():
    spec = importlib.util.spec_from_file_location("make_input_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_input_tables_of_docs_model_md_are_up_to_date():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + "\nrun: python docs/make_input_tables.py"


def test_every_sheet_column_and_setting_of_the_manifest_is_in_the_page():
    page = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    region = page.split("<!-- input-tables:begin -->")[1].split("<!-- input-tables:end -->")[0]
    for spec in SHEETS:
        assert f"**`{spec.name}`**" in region
        for col in spec.columns:
            assert f"| **{col.name}** |" in region or f"| {col.name} |" in region, (spec.name, col.name)
    for key in SETTINGS_KEYS:
        assert f"| **{key}** |" in region or f"| {key} |" in region, key
    # what the hand-typed table lacked
    for name in ("language", "fence", "allocation", "phases_eur_per_t", "uncertainty", "fences"):
        assert name in region


def test_a_page_edited_by_hand_or_a_manifest_changed_fails_the_check(tmp_path, monkeypatch):
    module = _script()
    page = tmp_path / "model.md"
    original = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    page.write_text(original.replace("| lead_time_years |", "| lead_time |"), encoding="utf-8")
    monkeypatch.setattr(module, "PAGE", page)
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0 and page.read_text(encoding="utf-8") == original  # regenerated, the rest untouched
    monkeypatch.setattr(module, "SETTINGS_KEYS", {**SETTINGS_KEYS, "toy_setting": SETTINGS_KEYS["mip_gap"]})
    assert module.main(["--check"]) == 1  # a new setting is a new row
