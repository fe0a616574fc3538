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

The other hints: ids separated by commas where ``;`` separates them, a decimal comma (``1,5``) and a
percentage where a share is expected (``80`` for ``0.8``).
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


_DECIMAL_COMMA = re.compile(r"^\s*[-\u2212]?\d+,\d+\s*$")


def number_hint(value: object) -> str:
    """A hint for text that is a number written the Dutch way (``1,5``), else ''."""
    if not isinstance(value, str) or not _DECIMAL_COMMA.match(value):
        return ""
    whole, fraction = value.strip().replace("\u2212", "-").split(",")
    point = f"{whole}.{fraction}"
    if len(fraction) == 3:  # 1,500 may be 1.5 or 1500
        return _(" (write {point} with a decimal point, or {plain} without a thousands separator)", point=point,
                 plain=f"{whole}{fraction}")
    return _(" (use a decimal point: {point})", point=point)


def share_hint(value: float) -> str:
    """A hint for a percentage given where a share (0 … 1) is expected: 80 → 0.8."""
    if isinstance(value, (int, float)) and 1 < value <= 100:
        return _("; a share is a fraction: write {share} for {percent} %", share=f"{value / 100:g}", percent=f"{value:g}")
    return ""


def ids_hint(text: str, known) -> str:
    """A hint for ids separated by ',' (or a space) where ';' separates them: 'SDE++, NIKI' → 'SDE++;NIKI'."""
    if "," not in text:
        return ""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    fixed = ";".join(parts)
    if known is not None and parts and all(p in known for p in parts):
        return _("; separate ids with ';', not ',': write '{fixed}'", fixed=fixed)
    return _("; separate ids with ';', not ',' (e.g. '{fixed}')", fixed=fixed)
