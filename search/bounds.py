"""Best-first ranking: align only the candidates that can still reach the page.

`rank.rank` aligns every candidate, which costs ~20-200 µs each: a generic word (管委会) or a
short prefix (``ji``) makes that the whole corpus. Here each candidate gets a *bound*, the best
ranking key it could possibly have, computed from postings alone (set algebra, no document
read), and candidates are aligned best bound first. Once the page (offset + limit) holds hits
whose keys beat the bound of every candidate not yet aligned, the rest cannot change the page
and are never read: the page is exactly the one `rank.rank` gives.

The bound of a document follows the ranking rules (`rank.RULES`), per query token:

- terms: the terms an alternative found by the candidate stage can match (`possible`); a
  whole-token alternative counts for every term of the token;
- typos, synonyms, exactness: the least any possible alternative can cost (edits already spent
  by a correction, a synonym, the cheapest channel of each unit: exact hanzi 0, pinyin 1,
  initials and prefixes 3);
- proximity: the pieces a token matched in parts must be at least; field: 0 (name);
- length and record id: exact, as each document's rank in (length, id) order (the index's
  tie table, `format.TIES`).

Documents with the same bound on the rules form a *bucket* (a set, from intersections and
differences of postings); buckets are visited in bound order and each bucket's documents in
(length, id) order, so the first aligned documents are also the likeliest hits.

When ranking stops early the total is not counted: `Page.total` is then the number of
candidates that postings say may match (every hit is one of them: an upper bound), and
`Page.docs` is that set, from which facets are counted. Both are exact when every candidate
was aligned.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import product
from typing import NamedTuple, Protocol

from index.format import FIELD_RANK, FieldKind, Spot
from search.bits import EMPTY, Bits, intersection, union
from search.match import LEAST_EXACTNESS, PART_OF_WORD, Doc
from search.match import quick_check, spelled_run
from search.plans import Lazy, bits_bytes
from search.query import HAN, INITIAL, Alternative, ParsedQuery, Token, Unit
from search.rank import Ranked, TermRoles, evaluate

# Least exactness a unit of each kind can cost at no typo (`match.CHANNEL_COST`, best channel).
_UNIT_EXACTNESS = LEAST_EXACTNESS
MAX_PART_SUBSETS = 4  # a token of more parts gets one coarse level (2**parts subsets otherwise)
MAX_COMBOS = 512  # level combinations across tokens; above this, each token gets one level

Vec = tuple[int, int, int, int, int]  # least typos, synonyms, proximity, field, exactness
ZERO: Vec = (0, 0, 0, 0, 0)
# Where the first unit of an alternative can match at no typo (`format.Spot`), and what that
# adds to its least costs: a name word start adds nothing, inside a name word adds
# PART_OF_WORD exactness, an alias, a builder or the place only is a worse field.
Spots = Callable[[str, Unit], AbstractSet[int]]
Exact = Callable[[Alternative], AbstractSet[int]]
# What a match spends beyond an alternative's least costs when it needs a new typo: every typo
# channel (`match.CHANNEL_COST`: another reading, homophone, fuzzy, look-alike) costs at least
# 1 exactness more than the unit's best channel, and the typo `match.align` charges for a
# fragment of another word comes with a start inside a word (PART_OF_WORD).
ONE_TYPO: Vec = (1, 0, 0, 0, 1)


class Ties(Protocol):
    """Equal hits' order without reading them: each document's rank in (name length, id)
    order, the `Ranking` rules' last (length) and the final tie-break (id)."""

    def key(self, docnum: int) -> int: ...

    def order(self) -> Sequence[int]:
        """Every document number, by `key`."""
        ...


class Page(NamedTuple):
    ranked: list[Ranked]  # best first: at least the `need` best hits (every hit when exact)
    total: int  # hits; an upper bound when not `exact`
    exact: bool
    docs: AbstractSet[int]  # the hits (exact), or every candidate that may be one


class _Level(NamedTuple):
    terms: int  # most terms the token can match in these documents
    vec: Vec
    docs: AbstractSet[int]


def alt_vec(alt: Alternative) -> Vec:
    """The least (typos, synonyms, proximity, field, exactness) a match of `alt` can have."""
    return (alt.typos, int(alt.synonym), 0, 0, sum(_UNIT_EXACTNESS.get(u.kind, 0) for u in alt.units))


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4])


def _least(vecs: list[Vec]) -> Vec:
    """Componentwise minimum: below every vector given (a valid lower bound of each)."""
    if not vecs:
        return ZERO
    return (min(v[0] for v in vecs), min(v[1] for v in vecs), min(v[2] for v in vecs),
            min(v[3] for v in vecs), min(v[4] for v in vecs))


# Where the other units of an alternative must sit for its first unit's spot: a match is a run
# of characters of one field.
_REST_SPOT: dict[str, str] = {Spot.WORD: Spot.NAME, Spot.SINGLE: Spot.NAME, Spot.NAME: Spot.NAME, Spot.ALIAS: Spot.ALIAS,
              Spot.BUILDER: Spot.BUILDER}


def _alt_spot(alt: Alternative, spot: str, spots: Spots) -> AbstractSet[int]:
    """Documents where `alt` can match at no typo with its first unit at `spot`: the first
    unit there, every other unit somewhere in the same kind of field.

    A document outside it matches there only through a typo channel, which ranks below any
    bound at no new typo (typos come before field and exactness), so the bounds stay bounds.
    """
    ids = spots(spot, alt.units[0])
    rest = _REST_SPOT[spot]
    for u in alt.units[1:]:
        if not ids:
            break
        ids = ids & spots(rest, u)
    return ids


def _spotted(alt: Alternative, docs: AbstractSet[int], spots: Spots) -> list[tuple[Vec, AbstractSet[int]]]:
    """`docs` of `alt` split by where it can match at no typo (see `Spots`, `_alt_spot`)."""
    base = alt_vec(alt)
    unit = alt.units[0]
    left = Bits.of(docs)
    out: list[tuple[Vec, AbstractSet[int]]] = []

    def take(spot: str) -> Bits:
        nonlocal left
        ids = left & _alt_spot(alt, spot, spots)
        left = left - ids
        return ids

    word = take(Spot.WORD)
    if len(alt.units) == 1 and unit.kind == INITIAL:  # an abbreviation of one word
        single = word & spots(Spot.SINGLE, unit)
        out += [(base, single), (_add(base, (0, 0, 0, 0, 1)), word - single)]
    else:
        out.append((base, word))
    out.append((_add(base, (0, 0, 0, 0, PART_OF_WORD)), take(Spot.NAME)))
    out.append((_add(base, (0, 0, 0, FIELD_RANK[FieldKind.ALIAS], 0)), take(Spot.ALIAS)))
    out.append((_add(base, (0, 0, 0, FIELD_RANK[FieldKind.BUILDER], 0)), take(Spot.BUILDER)))
    out.append((_add(base, (0, 0, 0, FIELD_RANK[FieldKind.PLACE], 0)), left))
    return [(vec, ids) for vec, ids in out if ids]


def _union(sets: Iterable[AbstractSet[int]]) -> Bits:
    return union(sets)


def _exact_split(alt: Alternative, ids: AbstractSet[int], exact: Exact | None
                 ) -> tuple[AbstractSet[int], AbstractSet[int]]:
    """`ids` of `alt` split into those it may match with no new typo and those it needs one for."""
    if exact is None or alt.budget <= alt.typos:
        return ids, EMPTY
    ids = Bits.of(ids)
    inside = ids & exact(alt)
    if len(inside) == len(ids):
        return ids, EMPTY
    return inside, ids - inside


def _alt_levels(alts: Sequence[Alternative], docs_of: Callable[[Alternative], AbstractSet[int]],
                spots: Spots | None, exact: Exact | None) -> list[tuple[Vec, AbstractSet[int]]]:
    """Documents of a term split by the cheapest alternative they can match (disjoint sets)."""
    by_vec: dict[Vec, list[AbstractSet[int]]] = {}
    for alt in alts:
        ids = docs_of(alt)
        if not ids:
            continue
        ids, typo = _exact_split(alt, ids, exact)
        if typo:
            by_vec.setdefault(_add(alt_vec(alt), ONE_TYPO), []).append(typo)
        if not ids:
            continue
        if spots is not None and alt.units:
            for vec, part in _spotted(alt, ids, spots):
                by_vec.setdefault(vec, []).append(part)
        else:
            by_vec.setdefault(alt_vec(alt), []).append(ids)
    out: list[tuple[Vec, AbstractSet[int]]] = []
    seen = EMPTY
    for vec in sorted(by_vec):
        sets = by_vec[vec]
        ids = Bits.of(sets[0]) if len(sets) == 1 else _union(sets)
        if seen:
            ids = ids - seen
        if ids:
            out.append((vec, ids))
            seen = seen | ids
    return out


def _token_levels(tok: Token, docs_of: Callable[[Alternative], AbstractSet[int]],
                  spots: Spots | None, exact: Exact | None) -> list[_Level]:
    """A token's documents in disjoint levels, each with its bound (terms, least costs)."""
    n = len(tok.parts)
    if n == 1:
        return [_Level(1, vec, ids)
                for vec, ids in _alt_levels(tok.parts[0].alternatives, docs_of, spots, exact)]
    part_sets = [_union([docs_of(a) for a in t.alternatives]) for t in tok.parts]
    part_vecs = [_least([alt_vec(a) for a in t.alternatives if docs_of(a)]) for t in tok.parts]
    # Per part, the documents some alternative may match with no new typo (the others need one).
    part_sure = [_union([_exact_split(a, docs_of(a), exact)[0] for a in t.alternatives]) for t in tok.parts]
    whole = _union([docs_of(a) for a in tok.whole])
    levels: list[_Level] = []
    if whole:
        # Matched whole (one match), or, if that fails, in all n parts: the least of both.
        parts_all: Vec = (0, 0, n - 1, 0, 0)
        for v in part_vecs:
            parts_all = _add(parts_all, v)
        whole_vecs = [alt_vec(a) for a in tok.whole if docs_of(a)]
        least = _least(whole_vecs + [parts_all])
        sure = _union([_exact_split(a, docs_of(a), exact)[0] for a in tok.whole])
        every = whole & intersection(part_sure)
        sure = (sure | every) & whole  # matched whole, or in all parts, with no new typo
        if sure:
            levels.append(_Level(n, least, sure))
        if len(sure) < len(whole):
            levels.append(_Level(n, _add(least, ONE_TYPO), whole - sure))
    rest: list[Bits] = [s - whole if whole else s for s in part_sets]
    known: dict[int, list[tuple[tuple[int, int], list[AbstractSet[int]]]]] = {}

    def classes(i: int) -> list[tuple[tuple[int, int], list[AbstractSet[int]]]]:
        if i not in known:
            assert spots is not None
            known[i] = _spot_classes(tok.parts[i].alternatives, docs_of, spots)
        return known[i]

    if n > MAX_PART_SUBSETS:
        # Too many subsets to list: a level per number of parts a document may match (found
        # in k parts, a token matched in pieces has at least k - 1 extra pieces and the least
        # costs of its k cheapest parts).
        for k, ids in _by_count(rest):
            least = tuple(sum(sorted(c)[:k]) for c in zip(*part_vecs))
            levels.append(_Level(k, _add((0, 0, k - 1, 0, 0), least), ids))
        return levels
    # Each non-empty subset of parts: the documents that may match exactly those parts.
    for mask in range(1, 1 << n):
        inside = [i for i in range(n) if mask >> i & 1]
        ids = intersection(rest[i] for i in inside)
        for i in range(n):
            if ids and not mask >> i & 1:
                ids = ids - rest[i]
        if ids:
            vec: Vec = (0, 0, len(inside) - 1, 0, 0)
            for i in inside:
                vec = _add(vec, part_vecs[i])
            sure = ids
            for i in inside:
                sure = sure & part_sure[i]
            if sure and spots is not None:
                for (field, extra), group in _by_field(sure, [classes(i) for i in inside]).items():
                    levels.append(_Level(len(inside), _add(vec, (0, 0, 0, field, extra)), group))
            elif sure:
                levels.append(_Level(len(inside), vec, sure))
            if len(sure) < len(ids):
                levels.append(_Level(len(inside), _add(vec, ONE_TYPO), ids - sure))
    return levels


def _by_count(sets: Sequence[Bits]) -> list[tuple[int, Bits]]:
    """(k, the documents in exactly k of `sets`) for each k >= 1 with any, most first."""
    exactly: list[Bits] = [EMPTY]  # exactly[k]: documents in k of the sets seen so far (k >= 1)
    for s in sets:
        if not s:
            continue
        grown = [EMPTY] * (len(exactly) + 1)
        left = s
        for k in range(len(exactly) - 1, 0, -1):  # documents already in k sets move to k + 1
            moved = exactly[k] & left
            grown[k + 1] = grown[k + 1] | moved
            grown[k] = grown[k] | (exactly[k] - moved)
            left = left - moved
        grown[1] = grown[1] | left  # in none before
        exactly = grown
    return [(k, exactly[k]) for k in range(len(exactly) - 1, 0, -1) if exactly[k]]


# Where the first unit of a term can sit, best first: (field rank, exactness added).
_CLASSES = ((Spot.WORD, (0, 0)), (Spot.NAME, (0, PART_OF_WORD)), (Spot.ALIAS, (FIELD_RANK[FieldKind.ALIAS], 0)),
            (Spot.BUILDER, (FIELD_RANK[FieldKind.BUILDER], 0)))
_ELSEWHERE = (FIELD_RANK[FieldKind.PLACE], 0)


def _spot_classes(alts: Sequence[Alternative], docs_of: Callable[[Alternative], AbstractSet[int]],
                  spots: Spots) -> list[tuple[tuple[int, int], list[AbstractSet[int]]]]:
    """For a term of a token matched in parts: per class of `_CLASSES`, the documents where
    one of its alternatives can sit there at no typo (`_alt_spot`; a document counts in its
    best class; one in none of them can match at no typo only in the place)."""
    found = [a for a in alts if a.units and docs_of(a)]
    return [(extra, [_alt_spot(a, spot, spots) for a in found]) for spot, extra in _CLASSES]


def _by_field(ids: AbstractSet[int], per_part: list[list[tuple[tuple[int, int], list[AbstractSet[int]]]]]
              ) -> dict[tuple[int, int], Bits]:
    """`ids` grouped by the least total (field rank, exactness added) of the parts' classes."""
    groups: dict[tuple[int, int], Bits] = {(0, 0): Bits.of(ids)}
    for classes in per_part:
        regrouped: dict[tuple[int, int], Bits] = {}
        for (field, extra), group in groups.items():
            left = group
            for (cf, ce), members in classes:
                if not left:
                    break
                take = left & _union(members)
                if take:
                    key = (field + cf, extra + ce)
                    regrouped[key] = regrouped.get(key, EMPTY) | take
                    left = left - take
            if left:
                key = (field + _ELSEWHERE[0], extra + _ELSEWHERE[1])
                regrouped[key] = regrouped.get(key, EMPTY) | left
        groups = regrouped
    return groups


def _coarse(levels: list[_Level]) -> list[_Level]:
    """One level for a token: the most terms and least costs of all its levels."""
    if len(levels) <= 1:
        return levels
    return [_Level(max(lv.terms for lv in levels), _least([lv.vec for lv in levels]),
                   _union([lv.docs for lv in levels]))]


Key = tuple[int, ...]


def buckets(parsed: ParsedQuery, docs_of: Callable[[Alternative], AbstractSet[int]],
            candidates: AbstractSet[int], spots: Spots | None = None, exact: Exact | None = None,
            weigh: Callable[[int], None] | None = None) -> Iterator[tuple[Key, Bits]]:
    """(bound key, documents) in bound order, best first; together exactly `candidates`.

    The bound key is the `Ranking.key` prefix (terms, typos, synonyms, proximity, field,
    exactness) no document of the bucket can beat. `weigh(nbytes)` is told what the walk
    holds while it is not done (each token's levels).
    """
    per_token = [_token_levels(tok, docs_of, spots, exact) for tok in parsed.tokens]
    combos = 1
    for levels in per_token:
        combos *= len(levels) + 1
    if combos > MAX_COMBOS:
        per_token = [_coarse(levels) for levels in per_token]
    if weigh is not None:  # the levels, their unions per token, what is covered so far
        held = [Bits.of(lv.docs) for levels in per_token for lv in levels]
        weigh(sum(bits_bytes(b) for b in held) * 2 + 2 * bits_bytes(Bits.of(candidates)))
    # Each token: one of its levels, or none of them (index -1).
    options = [list(range(len(levels))) + [-1] for levels in per_token]
    keyed: dict[Key, list[tuple[int, ...]]] = {}
    for choice in product(*options):
        terms, vec = 0, ZERO
        for levels, c in zip(per_token, choice):
            if c >= 0:
                terms += levels[c].terms
                vec = _add(vec, levels[c].vec)
        key: Key = (-terms, vec[0], vec[1], vec[2], vec[3], vec[4])
        keyed.setdefault(key, []).append(choice)
    unions = [_union([lv.docs for lv in levels]) for levels in per_token]
    every = Bits.of(candidates)
    covered = EMPTY
    for key in sorted(keyed):
        found = EMPTY
        for choice in keyed[key]:
            sets = [per_token[t][c].docs for t, c in enumerate(choice) if c >= 0]
            if sets:
                ids = every & intersection(sets)
            else:  # no token possible: only what is left over
                ids = every - covered
            for t, c in enumerate(choice):
                if ids and c < 0:
                    ids = ids - unions[t]
            found = found | ids
        if found:
            covered = covered | found
            yield key, found


def _in_order(ids: AbstractSet[int], ties: Ties, total: int) -> Iterator[int]:
    """The documents `ids` by tie key, lazily: the walk usually stops after a few.

    A small set (up to 4 √total) is sorted. A larger one walks the global order (a byte test
    per document, ~40 ns) in doubling chunks, the first expected to hold ~32 of them: sorting
    a bucket of thousands to use ten costs milliseconds. What is left is sorted once it is
    very sparse.
    """
    n = len(ids)
    key = ties.key
    if n * n <= 16 * total:  # sorting n costs less than walking the order to find a few
        yield from sorted(ids, key=key)
        return
    order = ties.order()
    v = Bits.of(ids).v
    bits = v.to_bytes(max(total >> 3, v.bit_length() >> 3) + 1, "little")  # membership: one byte test
    p, chunk, seen = 0, max(64, 32 * total // n), 0
    while p < total and seen < n:
        if p and (n - seen) * 64 < total - p:  # very sparse in what is left: sorting is cheaper
            yield from sorted((d for d in ids if key(d) >= p), key=key)
            return
        end = min(total, p + chunk)
        for d in order[p:end]:
            if bits[d >> 3] >> (d & 7) & 1:
                seen += 1
                yield d
        p, chunk = end, chunk * 2


class Prepared:
    """What `rank_page` works out from the query and its candidates alone, before reading a
    document: the documents streamed (narrowed by the query's places), the cheap checks that
    rule documents out, and the buckets (made lazily, kept: `search.plans.Lazy`). The same
    for every request of the query with the same candidates (no filter): the searcher keeps
    it with the query's plan."""

    __slots__ = ("stream", "places", "term_alts", "required_checks", "buckets", "by_term", "members", "_count")

    def __init__(self, parsed: ParsedQuery, alt_docs: Mapping[int, AbstractSet[int]],
                 candidates: AbstractSet[int], roles: TermRoles, spots: Spots | None = None,
                 exact: Exact | None = None, weigh: Callable[[int], None] | None = None):
        """`weigh(nbytes)` is told the size of every set it keeps (`plans.bits_bytes`), as it
        makes them: the searcher counts them in its plans' memory budget."""
        def count(ids: Bits) -> Bits:
            if weigh is not None:
                weigh(bits_bytes(ids))
            return ids

        def docs_of(alt: Alternative) -> AbstractSet[int]:
            return alt_docs.get(id(alt), EMPTY)

        # A place beside an industry word narrows the hits (`rank.rank`): only the documents
        # that may match every such place are streamed.
        places = roles.significant - roles.required
        candidates = Bits.of(candidates)
        stream = candidates
        if places:
            first = 0
            place_docs: dict[int, Bits] = {}
            for tok in parsed.tokens:
                whole = _union([docs_of(a) for a in tok.whole]) if len(tok.parts) > 1 else EMPTY
                for k, term in enumerate(tok.parts):
                    if first + k in places:
                        place_docs[first + k] = _union([docs_of(a) for a in term.alternatives]) | whole
                first += len(tok.parts)
            stream = count(candidates & intersection(place_docs.values()))
        self.stream: Bits = stream
        self.places = places

        # When every alternative of every required term has a cheap check (`match.quick_check`),
        # a document that fails them all for the alternatives it may match cannot be a hit: it
        # is not aligned (hanzi with homophones, 量子咖啡: ~150 documents at 100,000, none a
        # hit). (Not for exact hanzi only: postings already put their characters side by
        # side, so the check would pass nearly every document.)
        self.term_alts = _term_alternatives(parsed)
        required = [a for t in sorted(roles.required) for a in self.term_alts[t]]
        checks = [(docs_of(a), quick_check(a)) for a in required]
        if (not all(check is not None for _, check in checks)
                or all(a.budget <= a.typos and all(u.kind == HAN for u in a.units) for a in required)):
            checks = []
        self.required_checks = checks

        # The buckets only ever hold streamed documents: bound within the stream (a place can
        # narrow a generic word's tens of thousands of documents to a few dozen).
        within: dict[int, AbstractSet[int]] = {}

        def streamed(alt: Alternative) -> AbstractSet[int]:
            ids = within.get(id(alt))
            if ids is None:
                ids = within[id(alt)] = docs_of(alt) if stream is candidates else count(Bits.of(docs_of(alt)) & stream)
            return ids

        def counted(items: Iterator[tuple[Key, Bits]]) -> Iterator[tuple[Key, Bits]]:
            for key, ids in items:
                yield key, count(ids)

        self.buckets: Lazy[tuple[Key, Bits]] = Lazy(counted(buckets(parsed, streamed, stream, spots, exact,
                                                                    weigh)))
        self.by_term: dict[int, Bits] | None = None  # `_term_docs`, when first needed
        self._count = count
        # id(alternative) → its documents as bytes (`Bits.bytes`): membership at one byte read.
        self.members: dict[int, bytes] = {}

    def term_docs(self, parsed: ParsedQuery, docs_of: Callable[[Alternative], AbstractSet[int]]) -> dict[int, Bits]:
        by_term = self.by_term
        if by_term is None:
            by_term = self.by_term = {t: self._count(ids) for t, ids in _term_docs(parsed, docs_of).items()}
        return by_term


def rank_page(parsed: ParsedQuery, alt_docs: Mapping[int, AbstractSet[int]], candidates: AbstractSet[int],
              need: int, doc: Callable[[int], Doc], ties: Ties, roles: TermRoles, total_docs: int,
              spots: Spots | None = None, exact: Exact | None = None,
              letters: Callable[[int], str] | None = None, prepared: Prepared | None = None) -> Page:
    """The `need` best hits of `candidates`, exactly as `rank.rank(...)[:need]` orders them.

    `alt_docs` maps id(alternative) to the documents the candidate stage found for it;
    `total_docs` is the number of documents in the index (to choose how to walk a bucket);
    `spots(spot, unit)`, the documents where `unit` can match at that `format.Spot` at no
    typo, tightens the bounds on field and exactness (without it they are 0); `exact(alt)`,
    the documents `alt` may match with no typo beyond those it has spent (`alt.typos`), does
    the same for typos. `letters(docnum)`, the document's `StoredDoc.letters` (kept by the
    reader), rules out documents for a run of initials without reading them. `prepared`, a
    `Prepared` made from the same query, documents, candidates, roles, spots and exact,
    saves that work (it is made here otherwise).
    """
    def docs_of(alt: Alternative) -> AbstractSet[int]:
        return alt_docs.get(id(alt), EMPTY)

    if prepared is None:
        prepared = Prepared(parsed, alt_docs, candidates, roles, spots, exact)
    candidates = Bits.of(candidates)
    stream = prepared.stream
    places = prepared.places
    term_alts = prepared.term_alts
    required_checks = prepared.required_checks

    results: dict[int, tuple[Key, str, Ranked, frozenset[int]]] = {}
    matched_terms: set[int] = set()
    evaluated: set[int] = set()
    stopped = False
    # A hit's place: its ranking key without the length, then its tie rank, which orders
    # (length, id) as `rank.rank` does; a document's bound compares the same way.
    kth: tuple[Key, int] | None = None
    top: list[tuple[Key, int]] = []  # the places of the best `need` hits so far, sorted

    def may_hit(d: int, document: Doc) -> bool:
        return any(d in ids and check is not None and check(document) for ids, check in required_checks)

    members = prepared.members

    def align(d: int) -> None:
        nonlocal kth
        evaluated.add(d)
        document = doc(d)
        if required_checks and not may_hit(d, document):
            return
        i, bit = d >> 3, 1 << (d & 7)

        def possible(alt: Alternative) -> bool:  # d in docs_of(alt), at one byte read
            b = members.get(id(alt))
            if b is None:
                b = members[id(alt)] = Bits.of(docs_of(alt)).bytes()
            return i < len(b) and b[i] & bit != 0

        result = evaluate(parsed, document, possible)
        if result is None or not result[2] & roles.required:
            return
        ranking, matches, found = result
        matched_terms.update(found)
        if places and not places <= found:
            return
        results[d] = (ranking.key(), document.id, Ranked(ranking, matches, document, d, frozenset(found)),
                      frozenset(found))
        place = (ranking.key()[:-1], ties.key(d))
        if len(top) < need or place < top[-1]:
            insort(top, place)
            if len(top) > need:
                top.pop()
        if len(top) >= need:
            kth = top[-1]

    # Honesty first when several terms are required: each must be matched by some hit, so
    # look for one document matching each, rarest term first (the last, commonest one is
    # left to the walk). A term no candidate matches empties the page before the walk aligns
    # every candidate of the others (qqqq zzzz: thousands of documents, none a hit).
    if len(roles.required) > 1:
        by_term = prepared.term_docs(parsed, docs_of)
        rare = sorted(roles.required, key=lambda t: (len(by_term.get(t, ())), t))[:-1]
        for t in rare:
            if t in matched_terms:
                continue
            tests = [(docs_of(a), _witness_test(a, doc, letters)) for a in term_alts[t]]
            single = len(tests) == 1  # then every document of the term is one of the alternative's
            for d in by_term.get(t, EMPTY) & candidates - evaluated:  # any witness will do
                for ids, test in tests:
                    if (single or d in ids) and test(d):
                        break
                else:
                    continue  # cannot match the term: not a witness (nor aligned yet)
                align(d)
                if t in matched_terms:
                    break
            else:
                return Page([], 0, True, frozenset())
    for key, ids in prepared.buckets:
        if stopped or (kth is not None and key > kth[0]):  # no document here can reach the page
            stopped = True
            break
        for d in _in_order(ids, ties, total_docs):
            if kth is not None and (key, ties.key(d)) > kth:
                stopped = True
                break
            if d not in evaluated:
                align(d)
    # Honesty (`rank.rank`): a significant term matched by no hit means no meaningful match.
    # A term not yet matched may still match a candidate not aligned (stopped early, or
    # outside the places): look for one among those that may match it.
    missing = roles.significant - matched_terms
    if missing:
        by_term = prepared.term_docs(parsed, docs_of)
        for t in sorted(missing):
            if t in matched_terms:
                continue
            for d in sorted(by_term.get(t, EMPTY) & candidates - evaluated):
                align(d)
                if t in matched_terms:
                    break
        missing = roles.significant - matched_terms
    if missing:
        return Page([], 0, True, frozenset())
    ordered = sorted(results.values(), key=lambda r: (r[0], r[1]))
    ranked = [r[2] for r in ordered]
    if stopped:
        return Page(ranked[:need], len(stream), False, stream)
    return Page(ranked, len(ranked), True, set(results))


def _witness_test(alt: Alternative, doc: Callable[[int], Doc], letters: Callable[[int], str] | None
                  ) -> Callable[[int], bool]:
    """False for a document `alt` certainly does not match (`match.quick_check`), cheaply."""
    spelled = spelled_run(alt) if letters is not None else ""
    if spelled and letters is not None:
        return lambda d: spelled in letters(d)
    check = quick_check(alt)
    if check is None:
        return lambda d: True
    return lambda d: check(doc(d))


def _term_alternatives(parsed: ParsedQuery) -> dict[int, list[Alternative]]:
    """Per term index, the alternatives that can match it (its own, its token's whole)."""
    out: dict[int, list[Alternative]] = {}
    first = 0
    for tok in parsed.tokens:
        whole = list(tok.whole) if len(tok.parts) > 1 else []
        for k, term in enumerate(tok.parts):
            out[first + k] = list(term.alternatives) + whole
        first += len(tok.parts)
    return out


def _term_docs(parsed: ParsedQuery, docs_of: Callable[[Alternative], AbstractSet[int]]) -> dict[int, Bits]:
    """Per term index, the documents that may match it (its alternatives, its token's whole)."""
    out: dict[int, Bits] = {}
    first = 0
    for tok in parsed.tokens:
        whole = _union([docs_of(a) for a in tok.whole]) if len(tok.parts) > 1 else EMPTY
        for k, term in enumerate(tok.parts):
            out[first + k] = _union([docs_of(a) for a in term.alternatives]) | whole
        first += len(tok.parts)
    return out


__all__ = ["Page", "Prepared", "Ties", "buckets", "rank_page", "alt_vec"]
