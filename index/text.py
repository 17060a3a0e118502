"""Text normalisation shared by the seed parsers, the indexer and the query layer.

This is the only normaliser in the project: anything that cleans text imports it from here.
Pure functions, standard library only, so the query path can use it at no cost.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode categories dropped outright: control, format, surrogate, private use, unassigned.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACE_RE = re.compile(r"\s+")


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph (the basic block and extension A)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def has_control(text: str) -> bool:
    """True if `text` holds a control/format character other than ordinary whitespace."""
    return any(unicodedata.category(c) in _DROP_CATEGORIES and c not in "\t\n\r" for c in text)


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), drop control characters, collapse whitespace.

    Case is kept. Note NFKC folds full-width ASCII forms: （培育） becomes (培育) and ， becomes ,;
    ideographic punctuation such as 、 and 。 is left alone.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if c in "\t\n\r" else c for c in text if unicodedata.category(c) not in _DROP_CATEGORIES or c in "\t\n\r")
    return _SPACE_RE.sub(" ", text).strip()


def clean_cell(text: str) -> str:
    """A table cell as a name: normalised, with all internal spaces removed.

    Chinese names never contain spaces; the seed documents put them in when a cell wraps.
    """
    return normalize(text).replace(" ", "")
