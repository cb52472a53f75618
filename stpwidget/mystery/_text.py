"""Names and cells: validation, the canonical form of a name, and formula-safe text."""

from __future__ import annotations

import unicodedata
from typing import Any

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_name(what: str, value: Any) -> str:
    """``value`` trimmed; ``TypeError`` unless a ``str``, ``ValueError`` if blank."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str (a name); got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{what} must be a non-empty name; got {value!r}")
    return value.strip()


def canonical(text: str) -> str:
    """The identity of a name: Unicode NFKC, trimmed, inner whitespace collapsed, case-folded.

    >>> canonical("  Ａda   LOVELACE ")
    'ada lovelace'
    """
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def formula_safe(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would run it as a formula.

    >>> print(formula_safe('=HYPERLINK("http://x")'), formula_safe("ada"))
    '=HYPERLINK("http://x") ada
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def unquote_formula(text: str) -> str:
    """Undo :func:`formula_safe`: a cell read back gives the name that was written."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text
