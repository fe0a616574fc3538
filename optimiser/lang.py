"""The language of everything a person reads: workbooks, the terminal, error messages.

One gettext catalogue per language (``optimiser/locale/<lang>/LC_MESSAGES/policymix.po``, compiled to
``.mo``; the English text in the code is the message id, so English needs no catalogue). A translator
edits the ``.po`` file; ``pybabel compile -d optimiser/locale -D policymix`` makes the ``.mo`` that is
committed beside it (docs/model.md, "Language").

The language of a run is a context variable, set for the length of a run by
:func:`optimiser.pipeline.run` (its ``lang`` option, the CLI's ``--lang``, the API's ``lang=``) or, when
none is given, adopted from the workbook's ``language`` setting (:func:`adopt`). Code that makes text
calls :func:`_` (``_("{n} measures", n=…)`` translates, then fills the placeholders) and formats
numbers in sentences with :func:`num` (a decimal comma in Dutch). :func:`N_` marks a text for the
catalogue where it is defined and translated where it is shown (sheet descriptions, status words, the
constraint families' texts, the result fields' labels); :func:`in_language` translates into a language
given (a DataFrame's labels). This is the only translation mechanism: a new workbook uses the same
functions and needs no other. The languages are listed once, :data:`LANGUAGE_LIST`.

Dutch numbers: a decimal comma and a point between thousands (``6.264``, ``20,20``, ``1.709,5``), the
convention of the Rijksbegroting; percentages ``53%`` / ``5,3%``.
"""

from __future__ import annotations

import gettext
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def N_(msgid: str) -> str:
    """Mark a text for the catalogue without translating it here (it is translated where it is shown)."""
    return msgid


@dataclass(frozen=True)
class Language:
    """A language of the texts: its code, its name (in English, translated where shown), its own name (the
    catalogue's header) and the other spellings a user may type for it (``--lang``, the ``language`` setting)."""

    code: str
    name: str
    own: str
    aliases: tuple[str, ...] = ()


#: The languages, once: the CLI's --lang, the API's lang=, the workbook setting, the catalogue tool and the About
#: sheets read this list. A new language is one entry here and its catalogue (docs/model.md, "Language").
LANGUAGE_LIST: tuple[Language, ...] = (
    Language("en", N_("English"), "English", ("eng", "english", "engels", "en-gb", "en-us")),
    Language("nl", N_("Dutch"), "Nederlands", ("nld", "dutch", "nederlands", "nl-nl", "nl_nl")),
)
LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGE_LIST)
DEFAULT = "en"
DOMAIN = "policymix"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: (language, given explicitly): a language given by the caller is not replaced by a workbook's setting.
_STATE: ContextVar[tuple[str, bool]] = ContextVar("policymix_language", default=(DEFAULT, False))


@lru_cache(maxsize=None)
def catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English: the message ids themselves)."""
    if code == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[code], fallback=False)


def known(code: object) -> str | None:
    """The language code a text names (``nl``, ``NL``, ``nederlands``, ``en``, ``English``), or None."""
    text = str(code or "").strip().lower()
    for lang in LANGUAGE_LIST:
        if text == lang.code or text in lang.aliases:
            return lang.code
    return None


def name(code: str | None = None) -> str:
    """The name of a language (default: the run's) in the run's language: "English", "Nederlands" in Dutch."""
    code = code or current()
    return _(next(lang.name for lang in LANGUAGE_LIST if lang.code == code))


def current() -> str:
    """The language of the run under way ("en" outside a run)."""
    return _STATE.get()[0]


@contextmanager
def language(code: str | None, *, explicit: bool = True):
    """Use language ``code`` inside the block (None: English, replaceable by a workbook's setting)."""
    if code is None:
        token = _STATE.set((DEFAULT, False))
    else:
        lang = known(code)
        if lang is None:
            raise ValueError(f"unknown language {code!r}, expected one of {', '.join(LANGUAGES)}")
        token = _STATE.set((lang, explicit))
    try:
        yield current()
    finally:
        _STATE.reset(token)


def use(code: str | None) -> None:
    """Go on in language ``code`` in the current context (a caller's own scope: the CLI, after a run)."""
    lang = known(code)
    if lang is not None:
        _STATE.set((lang, _STATE.get()[1]))


def adopt(code: object) -> None:
    """A workbook's ``language`` setting: used unless the run was given a language explicitly."""
    lang = known(code)
    if lang is not None and not _STATE.get()[1]:
        _STATE.set((lang, False))


def _(msgid: str, /, **values) -> str:
    """``msgid`` in the current language, its ``{placeholders}`` filled from ``values``."""
    text = catalogue(current()).gettext(msgid) if current() != DEFAULT else msgid
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values) -> str:
    """The singular or plural text for ``n``, in the current language; ``{n}`` and ``values`` filled."""
    text = catalogue(current()).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def in_language(msgid: str, code: str | None = None, /, **values) -> str:
    """``msgid`` in a given language whatever the run's (None: the run's), its placeholders filled from ``values``
    (e.g. the names of result sheets in every language, a DataFrame's labels in the language asked for)."""
    code = code or current()
    text = catalogue(code).gettext(msgid) if code != DEFAULT else msgid
    return text.format(**values) if values else text


def in_every_language(msgid: str) -> list[str]:
    return [in_language(msgid, code) for code in LANGUAGES]


def num(value: float, spec: str = ",.1f") -> str:
    """A number for a sentence in the current language: ``num(6264.3, ",.0f")`` is 6,264 or 6.264."""
    text = format(value, spec)
    if current() == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def sig(v: float) -> str:
    """A number with three significant digits, thousands separated, no exponent, in the current language."""
    import math

    if v == 0 or not math.isfinite(v):
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(v))))
    return num(v, f",.{digits}f")
