"""Candidate documents: postings per query unit, set algebra per alternative (filters and
facets: `search.filters`).

Set algebra over cached Whoosh postings: Whoosh's own compound matchers cost ~1 ms per clause
here, set operations on a few hundred ids cost microseconds. Which index keys a unit is found
under is decided once, by `format.unit_keys`, for this stage and for the matcher alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from index.format import Fields, Space, StoredDoc, pair_term, postings_field, unit_keys
from index.analysis import fuzzy_key
from search.query import HAN, INITIAL, Alternative, ParsedQuery, Unit

# Fuzzy-key pairs checked for two neighbouring units: an initial and a prefix can mean hundreds.
MAX_PAIRS = 256


class Postings(Protocol):
    """What this stage reads from an index (`search.reader.IndexReader` provides it)."""

    def postings(self, fieldname: str, text: str) -> frozenset[int]: ...

    def expand(self, fieldname: str, prefix: str) -> list[str]: ...


AltDocs = dict[int, set[int]]  # id(alternative) → documents that may match it


def unit_docs(unit: Unit, allow_typos: bool, index: Postings) -> frozenset[int]:
    """Documents holding any key `unit` can be found under."""
    out: frozenset[int] = frozenset()
    for key in unit_keys(unit.kind, unit.text, unit.readings, unit.fuzzy, allow_typos, unit.shapes):
        field = postings_field(key)
        if key.space == Space.READING_PREFIX:
            for term in index.expand(field, key.text):
                out = out | index.postings(field, term)
        else:
            out = out | index.postings(field, key.text)
    return out


def alternative_docs(parsed: ParsedQuery, index: Postings) -> AltDocs:
    """For each alternative (by id), the documents holding a posting for every unit.

    Units that spell syllables must also be neighbours (the pairs fields).
    """
    alts = [a for tok in parsed.tokens for a in tok.whole]
    alts += [a for term in parsed.terms for a in term.alternatives]
    found: AltDocs = {}
    for alt in alts:
        if id(alt) in found:
            continue
        allow = alt.budget > alt.typos
        docs: set[int] | None = None
        for unit in alt.units:
            ids = unit_docs(unit, allow, index)
            docs = set(ids) if docs is None else docs & ids
            if not docs:
                break
        for a, b in zip(alt.units, alt.units[1:]):
            if not docs:
                break
            near = _neighbours(a, b, index)
            if near is not None:
                docs &= near
        found[id(alt)] = docs or set()
    return found


def _neighbours(a: Unit, b: Unit, index: Postings) -> frozenset[int] | None:
    """Documents where units `a` and `b` can sit side by side; None if that cannot be checked."""
    if a.kind == INITIAL and b.kind == INITIAL:
        return index.postings(Fields.IPAIRS, pair_term(a.text, b.text))
    if a.fuzzy and b.fuzzy and len(a.fuzzy) * len(b.fuzzy) <= MAX_PAIRS:
        near: frozenset[int] = frozenset()
        for fa in a.fuzzy:
            for fb in b.fuzzy:
                near = near | index.postings(Fields.PAIRS, pair_term(fa, fb))
        return near
    return None


def candidate_docs(seeds: Iterable[Alternative], alt_docs: Mapping[int, set[int]],
                   allowed: set[int] | None) -> set[int]:
    """Documents any seed alternative may match, within the filters (`allowed`)."""
    out: set[int] = set()
    for alt in seeds:
        out |= alt_docs.get(id(alt), set())
    if allowed is not None:
        out &= allowed
    return out


class Shapes(Protocol):
    """Look-alike characters and readings (`search.lexicon.Lexicon` provides them)."""

    def shapes(self, ch: str) -> str: ...

    def readings(self, ch: str) -> tuple[str, ...]: ...


def tighten_homophones(parsed: ParsedQuery, index: Postings, doc: Callable[[int], StoredDoc],
                       shapes: Shapes | None = None) -> ParsedQuery:
    """Hanzi typed as they appear in the corpus get no homophone channel; the others also
    get their look-alikes (with `shapes`).

    Homophones exist to rescue a wrong character (夏门 → 厦门); when the characters as typed
    occur somewhere (锂电), reading them as homophones (力电 in 动力电池) is noise. Look-alikes
    (夭津 → 天津, 汽东 → 汽车) rescue a character misread from a scan, under the same rule: only
    a word that occurs nowhere as typed is read through them. Each look-alike's readings join
    the unit's fuzzy keys, so that the neighbour check of `alternative_docs` lets it through.
    """
    def with_shapes(u: Unit) -> Unit:
        alike = shapes.shapes(u.text) if shapes is not None else ""
        if not alike:
            return u
        keys = {fuzzy_key(r) for s in alike for r in shapes.readings(s)} if shapes is not None else set()
        return u._replace(shapes=frozenset(alike), fuzzy=u.fuzzy | keys)

    def tighten(alt: Alternative) -> Alternative:
        if alt.budget == 0 or alt.synonym or any(u.kind != HAN for u in alt.units):
            return alt
        text = "".join(u.text for u in alt.units)
        docs: set[int] | None = None
        for u in alt.units:
            ids = index.postings(Fields.HAN, u.text)
            docs = set(ids) if docs is None else docs & ids
        if any(text in f.text for d in docs or () for f in doc(d).fields):
            return alt._replace(budget=0)
        if shapes is None:
            return alt
        return alt._replace(units=tuple(with_shapes(u) for u in alt.units))

    tokens = tuple(
        tok._replace(whole=tuple(tighten(a) for a in tok.whole),
                     parts=tuple(t._replace(alternatives=tuple(tighten(a) for a in t.alternatives))
                                 for t in tok.parts))
        for tok in parsed.tokens)
    return parsed._replace(tokens=tokens)
