"""Pure helpers on cluster names: short name, merge key, similarity.

These compare and trim names already cleaned by `index.text.clean_cell`; they do not
normalise text a second time.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from ..text import clean_cell

# Generic suffixes, longest first: the short name is the name without the first that matches.
GENERIC_SUFFIXES = ("创新型产业集群", "产业集群", "产业群", "集群")
# Long official forms folded to the usual abbreviation before names are compared.
_ABBREVIATIONS = (("高新技术产业开发区", "高新区"), ("经济技术开发区", "经开区"))


def short_name(name: str) -> str:
    """The name without its generic suffix: 常州光伏创新型产业集群 → 常州光伏."""
    for suffix in GENERIC_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def name_key(name: str) -> str:
    """The merge key of a name: two listings with the same key are the same designation."""
    return clean_cell(name)


def comparable(name: str) -> str:
    """A name reduced for similarity: abbreviations folded, generic suffix dropped."""
    name = clean_cell(name)
    for long, short in _ABBREVIATIONS:
        name = name.replace(long, short)
    return short_name(name)


def similarity(a: str, b: str) -> float:
    """Character similarity of two names in [0, 1] (difflib ratio on `comparable` forms)."""
    return SequenceMatcher(None, comparable(a), comparable(b), autojunk=False).ratio()
