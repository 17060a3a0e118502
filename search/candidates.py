"""Candidate documents: postings per query unit, set algebra per alternative (filters and
facets: `search.filters`).

Set algebra over cached Whoosh postings held as bitsets (`search.bits`): Whoosh's own compound
matchers cost ~1 ms per clause here, and Python sets ~50 ns per member (a generic word's
postings hold much of the corpus); a bitset union or intersection costs microseconds whatever
the sizes. Which index keys a unit is found under is decided once, by `format.unit_keys`, for
this stage and for the matcher alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from itertools import islice
from typing import Protocol

from index.analysis import fuzzy_key
from index.format import Fields, Space, StoredDoc, pair_term, postings_field, spot_term, unit_keys
from search.bits import EMPTY, Bits, intersection, union
from search.query import FULL, HAN, INITIAL, LIT, Alternative, ParsedQuery, Unit

# Fuzzy-key pairs checked for two neighbouring units: an initial and a prefix can mean hundreds.
MAX_PAIRS = 256
_FIRST_READS = 16  # documents read for the characters as typed before narrowing by pairs


class Postings(Protocol):
    """What this stage reads from an index (`search.reader.IndexReader` provides it)."""

    def bits(self, fieldname: str, text: str) -> Bits: ...

    def expand(self, fieldname: str, prefix: str) -> list[str]: ...


AltDocs = dict[int, Bits]  # id(alternative) → documents that may match it


def unit_postings(unit: Unit, allow_typos: bool, index: Postings) -> list[Bits]:
    """The non-empty posting lists of every key `unit` can be found under."""
    posts = []
    for key in unit_keys(unit.kind, unit.text, unit.readings, unit.fuzzy, allow_typos, unit.shapes):
        field = postings_field(key)
        if key.space == Space.READING_PREFIX:
            posts += [index.bits(field, term) for term in index.expand(field, key.text)]
        else:
            posts.append(index.bits(field, key.text))
    return [p for p in posts if p]


def unit_docs(unit: Unit, allow_typos: bool, index: Postings) -> Bits:
    """Documents holding any key `unit` can be found under."""
    return _union(unit_postings(unit, allow_typos, index))


def _union(posts: list[Bits]) -> Bits:
    return posts[0] if len(posts) == 1 else union(posts)


def _keep(docs: Bits, posts: list[Bits]) -> Bits:
    """`docs` that are in any of `posts`."""
    return docs & _union(posts) if posts else EMPTY


_SPOT_KEY = {HAN: "c:", LIT: "c:", FULL: "r:", INITIAL: "i:"}


def spot_docs(spot: str, unit: Unit, index: Postings) -> Bits:
    """Documents where `unit` can match at no typo at `spot` (a `format.Spot`: a name word
    start, the name, an alias, a builder; `format.spot_terms`)."""
    key = _SPOT_KEY.get(unit.kind)
    if key is not None:
        return index.bits(Fields.SPOTS, spot_term(spot, key + unit.text))
    # An unfinished syllable: every reading it starts.
    return union(index.bits(Fields.SPOTS, term)
                 for term in index.expand(Fields.SPOTS, spot_term(spot, "r:" + unit.text)))


def exact_docs(alt: Alternative, index: Postings) -> Bits:
    """Documents `alt` may match spending no typo beyond `alt.typos` (exact keys only)."""
    return _alt_docs(alt._replace(budget=alt.typos), index, {})


def alternative_docs(parsed: ParsedQuery, index: Postings) -> AltDocs:
    """For each alternative (by id), the documents holding a posting for every unit.

    Units that spell syllables must also be neighbours (the pairs fields).
    """
    alts = [a for tok in parsed.tokens for a in tok.whole]
    alts += [a for term in parsed.terms for a in term.alternatives]
    found: AltDocs = {}
    seen: dict[tuple[Unit, bool], list[Bits]] = {}  # units shared by alternatives
    for alt in alts:
        if id(alt) not in found:
            found[id(alt)] = _alt_docs(alt, index, seen)
    return found


def _alt_docs(alt: Alternative, index: Postings, seen: dict[tuple[Unit, bool], list[Bits]]) -> Bits:
    allow = alt.budget > alt.typos

    def postings_of(unit: Unit) -> list[Bits]:
        posts = seen.get((unit, allow))
        if posts is None:
            posts = seen[(unit, allow)] = unit_postings(unit, allow, index)
        return posts

    per_unit = [postings_of(u) for u in alt.units]
    if not per_unit or not all(per_unit):
        return EMPTY
    docs = intersection(_union(posts) for posts in per_unit)
    return _keep_neighbours(docs, alt, index)


def _keep_neighbours(docs: Bits, alt: Alternative, index: Postings) -> Bits:
    """`docs` narrowed to those where each two neighbouring units of `alt` may sit side by side."""
    for a, b in zip(alt.units, alt.units[1:]):
        if not docs:
            break
        near = _neighbour_postings(a, b, index)
        if near is not None:
            docs = _keep(docs, near)
    return docs


def _neighbour_postings(a: Unit, b: Unit, index: Postings) -> list[Bits] | None:
    """Posting lists of documents where units `a` and `b` can sit side by side; None if that
    cannot be checked."""
    if a.kind == INITIAL and b.kind == INITIAL:
        return [index.bits(Fields.IPAIRS, pair_term(a.text, b.text))]
    if a.fuzzy and b.fuzzy and len(a.fuzzy) * len(b.fuzzy) <= MAX_PAIRS:
        posts = [index.bits(Fields.PAIRS, pair_term(fa, fb)) for fa in a.fuzzy for fb in b.fuzzy]
        return [p for p in posts if p]
    return None


def candidate_docs(seeds: Iterable[Alternative], alt_docs: Mapping[int, Bits],
                   allowed: AbstractSet[int] | None) -> Bits:
    """Documents any seed alternative may match, within the filters (`allowed`)."""
    out = union(alt_docs.get(id(alt), EMPTY) for alt in seeds)
    if allowed is not None:
        out = out & allowed
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
        docs = intersection(index.bits(Fields.HAN, u.text) for u in alt.units)
        if occurs(text, alt, docs):
            return alt._replace(budget=0)
        if shapes is None:
            return alt
        return alt._replace(units=tuple(with_shapes(u) for u in alt.units))

    def occurs(text: str, alt: Alternative, docs: Bits) -> bool:
        if any(text in f.text for d in islice(docs, _FIRST_READS) for f in doc(d).fields):
            return True
        if len(docs) <= _FIRST_READS:
            return False
        # Not in the first few: read only documents where each two neighbouring characters
        # may sit side by side (common characters pull in much of the corpus, pairs do not).
        docs = _keep_neighbours(docs, alt, index)
        return any(text in f.text for d in docs for f in doc(d).fields)

    tokens = tuple(
        tok._replace(whole=tuple(tighten(a) for a in tok.whole),
                     parts=tuple(t._replace(alternatives=tuple(tighten(a) for a in t.alternatives))
                                 for t in tok.parts))
        for tok in parsed.tokens)
    return parsed._replace(tokens=tokens)
