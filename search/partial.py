"""Partial results: what may be dropped from a query that matches nothing, and what to say.

The rule (README, "Partial results"):

1. A query is first searched whole: every significant term must match somewhere, every place
   narrows, every filter applies.
2. When that finds nothing, the least informative parts are dropped, one class at a time, and
   the query is searched again:
   a. filters understood from pasted text (2021年 → year, (培育) → type, a list title);
   b. words known nowhere: numbers and codes (12, A7), and letters that are neither pinyin of
      the corpus, nor English of the glossary, nor a place (qwzxv);
   then a and b together.
   A hanzi word, a place, an English or nickname term is never dropped: a query whose
   informative words match nothing still finds nothing (奶茶火星, 拉萨 锂电).
3. Generic words (地方, 基地, 园区: generic.txt) are never constraints at all: they only add
   rank, so they are never "dropped".
4. A result is *partial* when something was dropped, or when no hit matches every
   significant term (锂电 光伏: clusters of either); each hit says which terms it matched.

Pure functions over parsed queries; the searcher runs the searches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from search.query import HAN, LIT, ParsedQuery, Term


class Dropped(NamedTuple):
    """What a search dropped to find hits: query terms (by index) and understood filters."""

    terms: frozenset[int] = frozenset()
    filters: tuple[str, ...] = ()  # "field=value"

    def __bool__(self) -> bool:
        return bool(self.terms or self.filters)


def unknown(term: Term) -> bool:
    """A term known nowhere: a number or code, or letters with no reading the corpus has.

    Only such a term may be dropped; `matches` (below) decides whether it matched.
    """
    if not term.significant or term.place:
        return False
    if any(u.kind == HAN for a in term.alternatives for u in a.units):
        return False  # hanzi (typed, or an English / nickname term): informative
    if all(u.kind == LIT for a in term.alternatives for u in a.units):
        return True  # 12, A7: a code that occurs nowhere
    return term.text.isascii()


def droppable(parsed: ParsedQuery, matched: Iterable[int]) -> frozenset[int]:
    """Significant terms that matched no document and may be dropped (`unknown`).

    Empty when a significant term that matched nowhere is informative (then the query has no
    meaningful match), or when dropping would leave no significant term.
    """
    terms = parsed.terms
    significant = {i for i, t in enumerate(terms) if t.significant}
    missing = significant - set(matched)
    if not missing or not all(unknown(terms[i]) for i in missing) or not significant - missing:
        return frozenset()
    return frozenset(missing)


def without(parsed: ParsedQuery, drop: frozenset[int]) -> ParsedQuery:
    """The query with terms `drop` made non-significant (they no longer decide hits)."""
    if not drop:
        return parsed
    tokens = []
    k = 0
    for tok in parsed.tokens:
        parts = []
        for t in tok.parts:
            parts.append(t._replace(significant=False) if k in drop else t)
            k += 1
        tokens.append(tok._replace(parts=tuple(parts)))
    return parsed._replace(tokens=tuple(tokens))


def term_texts(parsed: ParsedQuery, indexes: Iterable[int]) -> tuple[str, ...]:
    """The texts of the terms `indexes` (in `ParsedQuery.terms`), in query order."""
    texts = [t.text for tok in parsed.tokens for t in tok.parts]
    return tuple(texts[i] for i in sorted(indexes))


def describe(filters: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """Filters as ``field=value`` strings, for `Results.dropped`."""
    return tuple(f"{f}={v}" for f, vs in filters.items() for v in vs)


__all__ = ["Dropped", "droppable", "describe", "term_texts", "unknown", "without"]
