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
# Text that `normalize` leaves as it is: CJK unified ideographs (assigned, no NFKC mapping) and
# printable ASCII, single spaces between words only.
_PLAIN_RE = re.compile(r"(?:[\u4e00-\u9fef!-~]+(?: [\u4e00-\u9fef!-~]+)*)?")


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
    if _PLAIN_RE.fullmatch(text):  # common hanzi and printable ASCII: nothing to change
        return text
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if c in "\t\n\r" else c for c in text if unicodedata.category(c) not in _DROP_CATEGORIES or c in "\t\n\r")
    return _SPACE_RE.sub(" ", text).strip()


def clean_cell(text: str) -> str:
    """A table cell as a name: normalised, with all internal spaces removed.

    Chinese names never contain spaces; the seed documents put them in when a cell wraps.
    """
    return normalize(text).replace(" ", "")


PLACE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                   "林区", "新区", "地区", "省", "市", "区", "县", "旗", "盟")


def strip_place_suffix(name: str) -> str:
    """A place name without its administrative suffix, as people often write it.

    ``常州市`` → ``常州``, ``广西壮族自治区`` → ``广西``; short names (``新区``) stay whole.
    Here, not with the region table, so the query path takes it without the corpus code.
    """
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def formula_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not run: a leading apostrophe before =, +, -, @, tab or CR.

    As OWASP recommends for CSV injection; full-width ＝＋－＠ too (some spreadsheets fold them),
    and leading spaces do not hide the sign. Plain numbers (-3, +86) are left as they are.
    """
    if text and text.lstrip(" ")[:1] in _FORMULA_STARTS and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
