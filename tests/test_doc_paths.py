"""Every file of the repository that README.md and docs/*.md name exists (issue 21, point 5: docs/rules.md and
docs/model.md named modules that had moved or gone, such as optimiser/simulate.py and write_rules.py).

A path is what a page shows in `code` or links to: one that starts in a folder of the repository (``optimiser/``,
``docs/``, ``tests/``, ``inputs/``, …, or a stage of the package: ``model/families.py``), or a file of the kinds the
repository is made of (``.py``, ``.md``, ``.ipynb``) named on its own. It must exist as written, from the
repository's root, from the page's folder or from the package's; a file named on its own, somewhere in the
repository; a pattern (``inputs/data/*.csv``), at least once. Placeholders (``OUT.xlsx``, ``outputs/plan-<scenario>
-<timestamp>.xlsx``), addresses (``tls://HOST:PORT``) and a user's own files (``plan.xlsx``, ``ca.pem``) are not
files of the repository.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Folders a path of the repository starts in: its own, and the package's stages (``model/families.py``).
FOLDERS = {"optimiser", "docs", "tests", "bench", "tools", "inputs", "outputs", "input", "model", "analysis", "report",
           "notebooks", "locale", ".ci"}
#: Files of these kinds named on their own are files of the repository (a user's files are .xlsx, .csv, .json, …).
OWN_KINDS = (".py", ".md", ".ipynb")
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
PLACEHOLDER = re.compile(r"[<>{}\[\]|…]|://|^[~/]|^\.")
#: A path in plain text: one that starts in a folder of the repository (not inside an address: no / or . before it).
PLAIN = re.compile(r"(?<![\w/.:-])((?:optimiser|docs|tests|bench|tools|inputs)/[\w./*-]*[\w*/])")


def _repository_files() -> set[str]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (a source archive): the files on disk
        return {str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts}
    return set(listed.split())


FILES = _repository_files()
NAMES = {Path(f).name for f in FILES}


def named_paths(page: Path) -> list[tuple[int, str]]:
    """The (line, path) pairs of the repository's files a page names: in code spans, in links (a link's target as
    written: ``model.md`` beside the page), and in plain text starting in a folder of the repository."""
    found = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        for target in LINK.findall(line):
            target = target.split("#")[0]
            if target and not re.match(r"\w+:", target):  # not https:, mailto:
                found.append((number, "./" + target))
        words = [w for m in CODE.finditer(line) for w in m.group(1).split()] + PLAIN.findall(CODE.sub("", line))
        for word in words:
            word = word.strip(".,;:()'\"")
            word = re.sub(r"(\.py):\w+$", r"\1", word)  # model/extract.py:Limits
            if not word or PLACEHOLDER.search(word) or word.startswith("-"):
                continue
            if "/" in word and word.split("/")[0] in FOLDERS:
                found.append((number, word))
            elif "/" not in word and word.endswith(OWN_KINDS) and not Path(word).stem.isupper():
                found.append((number, word))
    return found


def exists(word: str, page: Path) -> bool:
    """Whether a path a page names is a file or folder of the repository (a link's, beside the page)."""
    if word.startswith("./"):
        return (page.parent / word[2:]).exists()
    if "*" in word:
        return any(Path(f).match(word) for f in FILES) or bool(list(ROOT.glob(word)))
    if "/" not in word:
        return word in NAMES
    return any((base / word).exists() for base in (ROOT, page.parent, ROOT / "optimiser"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_page_names_exists(page):
    missing = [f"{page.relative_to(ROOT)}:{number}: {word}" for number, word in named_paths(page)
               if not exists(word, page)]
    assert not missing, "\n".join(missing)


def test_the_pages_name_the_paths_this_test_checks():
    """The scanner finds what the pages name (a scanner that finds nothing checks nothing)."""
    named = {word for page in PAGES for _number, word in named_paths(page)}
    assert {"optimiser/commands.py", "docs/run_notebook.py", "inputs/default.xlsx", "model/families.py"} <= named
    for placeholder in ("OUT.xlsx", "tls://HOST:PORT", "outputs/plan-<scenario>-<timestamp>.xlsx", "plan.xlsx"):
        assert placeholder not in named


def test_a_path_that_is_gone_is_found(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("See `optimiser/simulate.py`, `write_rules.py`, [the model](model.md) and `model/families.py`.\n"
                    "Made by docs/make_commands.py, tested in tests/test_gone.py (https://example.org/docs/x.py).\n")
    gone = [word for _n, word in named_paths(page) if not exists(word, page)]
    assert gone == ["./model.md", "optimiser/simulate.py", "write_rules.py", "tests/test_gone.py"]
