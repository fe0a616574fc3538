"""The gettext catalogue of policymix's texts: extract them, merge them into each language, compile.

    python tools/catalogue.py extract   # optimiser/locale/policymix.pot: every text of the code and the manifest
    python tools/catalogue.py update    # merge the template into optimiser/locale/<lang>/LC_MESSAGES/policymix.po
    python tools/catalogue.py compile   # each .po → .mo (the .mo is committed beside its .po)
    python tools/catalogue.py check     # every message translated, placeholders kept, the .mo up to date

A translator edits the ``.po`` file (Poedit, or any text editor) and runs ``compile``. The texts are
found by Babel's extractor (``pip install '.[test]'`` brings Babel): the calls ``_("…")``, ``N_("…")`` and
``ngettext("…", "…", n)`` in the code, plus the manifest's descriptions, units and result-sheet texts,
which the code translates where it shows them (``_(column.description)``), and the result fields' labels
as a table one row per key shows them. The English text is the message id; English has no catalogue. The
languages are those of :data:`optimiser.lang.LANGUAGE_LIST` (English, the message ids, needs none).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "optimiser"
LOCALE = PACKAGE / "locale"
DOMAIN = "policymix"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
sys.path.insert(0, str(ROOT))
from optimiser.lang import DEFAULT, LANGUAGE_LIST  # noqa: E402  (the one list of languages)

LANGUAGES = tuple(lang.code for lang in LANGUAGE_LIST if lang.code != DEFAULT)
LANGUAGE_NAMES = {lang.code: lang.own for lang in LANGUAGE_LIST}
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
HEADER = ("# The texts of policymix in {language}: one message per text of the workbooks, the terminal and the\n"
          "# error messages; msgid is the English, msgstr the translation. Keep every {placeholder} as it is.\n"
          "# After editing: python tools/catalogue.py compile (and check).")
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rsa])?(?::[^}]*)?\}")


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def code_messages() -> dict[str, list[tuple[str, int]]]:
    """Every text the code marks for translation: message id → [(file, line)]."""
    from babel.messages.extract import extract_from_dir

    found: dict = {}
    # values formatted by f-strings (value=f"{v:g}") are not texts to translate: Babel's note on each is muted
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()):
            key = message if isinstance(message, str) else tuple(message)
            found.setdefault(key, []).append((f"optimiser/{filename}", lineno))
    return found


def manifest_messages() -> dict[str, list[tuple[str, int]]]:
    """The manifest's texts a person reads (descriptions, units, result sheets), translated where shown."""
    sys.path.insert(0, str(ROOT))
    from optimiser.input.manifest import (DELAYS_SHEETS, FUTURES_SHEETS, PLAN_SHEETS, RETIRED_SETTINGS, RULES_SHEETS,
                                         SETTINGS_KEYS, SHEETS, TEMPLATE_SHEETS)

    texts: list[str] = list(TEMPLATE_SHEETS)
    for spec in SHEETS:
        texts += [spec.description, spec.year_description, spec.year_unit]
        for col in spec.columns:
            texts += [col.description, col.unit]
    for col in SETTINGS_KEYS.values():
        texts += [col.description, col.unit]
    for sheet in PLAN_SHEETS + RULES_SHEETS + FUTURES_SHEETS + DELAYS_SHEETS:
        if not sheet.hidden:
            texts += [sheet.title, sheet.shows, sheet.units]
    texts += list(RETIRED_SETTINGS.values())
    skip = {"", "ids", "M€", "€/t", "€/€", "s"}  # units that read the same in every language
    return {t: [("optimiser/input/manifest.py", 0)] for t in texts if t and t not in skip}


def field_messages() -> dict[str, list[tuple[str, int]]]:
    """The labels of the result fields as a table shown one row per key shows them (without that key: 'spend
    (M€)' of 'spend {instrument} (M€)'), translated where shown (:meth:`optimiser.model.fields.Field.header`)."""
    sys.path.insert(0, str(ROOT))
    from optimiser.model.fields import FIELDS

    texts = []
    for f in FIELDS:
        if f.table.axes:
            short = f.label.replace(" {" + f.table.axes[-1].placeholder + "}", "")
            if short != f.label:
                texts.append(short)
    return {t: [("optimiser/model/fields.py", 0)] for t in texts}


def all_messages() -> dict:
    messages = code_messages()
    for found in (manifest_messages(), field_messages()):
        for text, where in found.items():
            messages.setdefault(text, []).extend(where)
    return messages


def extract() -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project="policymix", msgid_bugs_address="", copyright_holder="policymix", charset="utf-8")
    for message, locations in sorted(all_messages().items(), key=lambda kv: (kv[1][0], str(kv[0]))):
        catalog.add(message, locations=[(f, n) for f, n in locations if n] or locations[:1])
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with open(TEMPLATE, "wb") as f:
        write_po(f, catalog, width=116, omit_header=False, sort_output=False, include_lineno=False)
    return TEMPLATE


def update() -> list[Path]:
    from babel.messages.pofile import read_po, write_po

    with open(TEMPLATE, "rb") as f:
        template = read_po(f)
    out = []
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            with open(path, "rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=lang, project="policymix", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.header_comment = HEADER.replace("{language}", LANGUAGE_NAMES.get(lang, lang))
        catalog.project, catalog.version, catalog.copyright_holder = "policymix", "", "policymix"
        catalog.msgid_bugs_address, catalog.last_translator = "", "policymix"
        catalog.language_team = LANGUAGE_NAMES.get(lang, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            write_po(f, catalog, width=116, include_lineno=False, ignore_obsolete=True)
        out.append(path)
    return out


def compile_mo(lang: str) -> bytes:
    """The .mo of a language's .po, as bytes (what ``compile`` writes and the tests compare)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> list[Path]:
    out = []
    for lang in LANGUAGES:
        mo = po_path(lang).with_suffix(".mo")
        mo.write_bytes(compile_mo(lang))
        out.append(mo)
    return out


def translations(lang: str) -> dict[str, str]:
    """The singular texts of a language's catalogue: English message id → its translation."""
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


def problems(lang: str) -> list[str]:
    """What is wrong with a language's catalogue: untranslated, fuzzy or missing texts, lost placeholders."""
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang)
    found = []
    ids = set()
    for m in catalog:
        if not m.id:
            continue
        ids.add(m.id if isinstance(m.id, str) else tuple(m.id))
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        english = m.id if isinstance(m.id, (list, tuple)) else [m.id]
        if not all(strings) or m.fuzzy:
            found.append(f"{lang}: not translated{' (fuzzy)' if m.fuzzy else ''}: {english[0]!r}")
            continue
        want = sorted(PLACEHOLDER.findall(english[-1]))
        for s in strings:
            if sorted(PLACEHOLDER.findall(s)) != want:
                found.append(f"{lang}: placeholders {want} changed in {s!r}")
    for key in all_messages():
        if key not in ids:
            found.append(f"{lang}: missing from the catalogue: {key!r}")
    mo = po_path(lang).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compile_mo(lang):
        found.append(f"{lang}: {mo.relative_to(ROOT)} is not the compiled {po_path(lang).name}: run "
                     "'python tools/catalogue.py compile'")
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        print(extract())
    elif command == "update":
        print(*update(), sep="\n")
    elif command == "compile":
        print(*compile_all(), sep="\n")
    elif command == "check":
        found = [p for lang in LANGUAGES for p in problems(lang)]
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
