"""Hints for the mistakes people make in spreadsheets: a name close to a known one, Dutch number habits.

:func:`close_to` decides when an unknown sheet, column or setting name is a misspelling of a known one
(and so an error naming the one meant, rather than a note that it is ignored). A name is close to a
known name when

- they are the same once case, spaces, underscores, hyphens and dots are ignored
  (``Lead Time Years``, ``leadtimeyears`` → ``lead_time_years``);
- the name is the known name without its last words, cut at an underscore, such as a unit suffix
  (``lead_time`` → ``lead_time_years``, ``capex`` → ``capex_meur``); or
- their letters differ by a small edit (``difflib`` ratio at least :data:`CLOSE_RATIO` on the normalised
  names, both at least 4 letters: ``abatment_mt`` → ``abatement_mt``).

The other hints: ids separated by commas where ``;`` separates them, numbers written as text the Dutch
(or another) way — a decimal comma (``1,5``), thousands separators (``1.234.567``, ``12.000,5``), a
separator that reads as a thousands one in Dutch and a decimal one in English (``12.000``: both readings
are named, :func:`ambiguous`), a percentage (``80%``) — and a percentage where a share is expected
(``80`` for ``0.8``).
"""

from __future__ import annotations

import difflib
import re

from ..lang import _

#: Least similarity (difflib's ratio of the normalised names) for a name to be taken as a misspelling.
CLOSE_RATIO = 0.85

_SEPARATORS = re.compile(r"[\s_\-.]+")


def normalised(name: object) -> str:
    """Lower case, without spaces, underscores, hyphens and dots."""
    return _SEPARATORS.sub("", str(name).strip().lower())


def _words(name: object) -> str:
    """Lower case with every run of separators as one underscore."""
    return _SEPARATORS.sub("_", str(name).strip().lower()).strip("_")


def closeness(name: object, known: str) -> float:
    """How close ``name`` is to ``known``: 0 when not close, else a score (higher is closer)."""
    a, b = normalised(name), normalised(known)
    if not a or not b:
        return 0.0
    if a == b:
        return 3.0
    words, known_words = _words(name), _words(known)
    if len(a) >= 4 and known_words.startswith(words + "_"):
        return 2.0 + len(a) / len(b)
    if min(len(a), len(b)) >= 4:
        ratio = difflib.SequenceMatcher(None, a, b).ratio()
        if ratio >= CLOSE_RATIO:
            return ratio
    return 0.0


def close_to(name: object, candidates) -> list[str]:
    """The candidates ``name`` is close to, closest first."""
    scored = [(closeness(name, c), c) for c in candidates]
    return [c for s, c in sorted(scored, key=lambda sc: -sc[0]) if s > 0]


def meant(name: object, candidates) -> str | None:
    """The one candidate ``name`` is closest to, or None."""
    found = close_to(name, candidates)
    return found[0] if found else None


def did_you_mean(candidates: list[str]) -> str:
    """"did you mean 'a'?" or "did you mean 'a' or 'b'?"."""
    return _("did you mean {names}?", names=_(" or ").join(f"'{c}'" for c in candidates[:2]))


#: Text that is a number with a point or comma between thousands *or* a decimal one, and means a different
#: number in Dutch and in English: one separator followed by exactly three digits, after 1–3 digits that do
#: not start with 0 ("12.000" is 12000 to a Dutch reader and 12.0 to an English one; "0.500" is not ambiguous).
_AMBIGUOUS = re.compile(r"^[-+]?[1-9]\d{0,2}([.,])\d{3}$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")
#: Groups of three digits separated by points, commas, spaces or apostrophes, with an optional decimal part
#: after the other separator: "1.234.567", "12.000,5", "12,000.5", "12 000", "1'000".
_GROUPED = re.compile(r"^[-+]?\d{1,3}(?P<sep>[.,\s\u00a0\u202f'])\d{3}(?:(?P=sep)\d{3})*(?:(?P<dec>[.,])\d+)?$")
_PERCENT = re.compile(r"^(?P<number>[-+]?\d+(?:[.,]\d+)?)\s*%$")


def _plain(text: str) -> str:
    return text.strip().replace("\u2212", "-")


def ambiguous(text: str) -> tuple[str, str] | None:
    """The two readings of text such as '12.000' or '1,500' (thousands separator, decimal separator), or None."""
    text = _plain(text)
    m = _AMBIGUOUS.match(text)
    if not m:
        return None
    whole, fraction = text.split(m.group(1))
    return f"{whole}{fraction}", repr(float(f"{whole}.{fraction}"))


def round_thousands(text: str) -> tuple[str, str] | None:
    """:func:`ambiguous` text whose three digits are 000 ('12.000', '-1.000'), else None.

    On a command line a point is a decimal point, as in every program's options, so '1.125' is 1.125; but
    '12.000' is how a Dutch analyst writes twelve thousand and nobody writes 12 so: it is refused there too.
    """
    readings = ambiguous(text)
    return readings if readings and _plain(text).endswith("000") else None


def number_hint(value: object, share: bool = False) -> str:
    """A hint for text that is a number written another way, else ''.

    A separator that may be a thousands or a decimal one ('12.000', '1,500') gets both readings; a decimal
    comma ('1,5'), grouped thousands ('1.234.567', '12.000,5', '12 000') and a percentage ('80%': a share
    when ``share``) get the number to write instead.
    """
    if not isinstance(value, str):
        return ""
    text = _plain(value)
    readings = ambiguous(text)
    if readings:
        thousands, decimal = readings
        return _(" (a separator between thousands, {thousands}, or a decimal one, {decimal}? write {thousands} or "
                 "{decimal})", thousands=thousands, decimal=decimal)
    grouped = _GROUPED.match(text)
    if grouped and (grouped.group("dec") is None or grouped.group("dec") != grouped.group("sep")):
        number = re.sub(r"[.,\s\u00a0\u202f']", "", text[:grouped.start("dec")] if grouped.group("dec") else text)
        if grouped.group("dec"):
            number += "." + text[grouped.start("dec") + 1:]
        return _(" (write it without a thousands separator and with a decimal point: {number})", number=number)
    if _DECIMAL_COMMA.match(text):
        return _(" (use a decimal point: {point})", point=text.replace(",", "."))
    percent = _PERCENT.match(text)
    if percent:
        number = float(percent.group("number").replace(",", "."))
        if share:
            return _fraction(number)
        return _(" (write the number without '%': {number})", number=f"{number:g}")
    return ""


def share_hint(value: float) -> str:
    """A hint for a percentage given where a share (0 … 1) is expected: 80 → 0.8 (above 2: 1.5 or a share
    doubled by an override is a share too large, not a percentage)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 2 < value <= 100:
        return _fraction(value)
    return ""


def _fraction(percent: float) -> str:
    return _("; a share is a fraction: write {share} for {percent} %", share=f"{percent / 100:g}", percent=f"{percent:g}")


def ids_hint(text: str, known) -> str:
    """A hint for ids separated by ',' (or a space) where ';' separates them: 'SDE++, NIKI' → 'SDE++;NIKI'."""
    if "," not in text:
        return ""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    fixed = ";".join(parts)
    if known is not None and parts and all(p in known for p in parts):
        return _("; separate ids with ';', not ',': write '{fixed}'", fixed=fixed)
    return _("; separate ids with ';', not ',' (e.g. '{fixed}')", fixed=fixed)
