"""Filters, facets and browsing order, as set algebra over the index's filter postings.

Filter values arrive resolved (`search.values`): several values of one field mean any of them,
several fields all of them. Facets count the whole hit set, not the page, from the same
postings: for each value of a field, the size of its posting list intersected with the hits.
Pure given `postings(field, value) -> frozenset[int]`, the reader's cached postings lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from index.format import Fields
from search.bits import Bits, int_of
from search.values import FACET_FIELDS, NONE_LABEL

Postings = Callable[[str, str], frozenset[int]]

# Filter field → Whoosh field holding it (the list keys sit in `lists`).
WHOOSH_FIELD = {"province": Fields.PROVINCE, "city": Fields.CITY, "district": Fields.DISTRICT,
                "program": Fields.PROGRAM, "list": Fields.LISTS, "type": Fields.TYPE,
                "year": Fields.YEAR}
MULTI_VALUED = frozenset({"list"})  # a record may be in several lists: no "(none)" count


def whoosh_field(field: str) -> str:
    return WHOOSH_FIELD[field]


def filter_docs(resolved: Mapping[str, Iterable[str]], postings: Postings) -> set[int] | None:
    """Documents passing every filter (any value of each), or None when there is no filter.

    >>> p = {("province", "江苏"): frozenset({1, 2}), ("province", "浙江"): frozenset({3}),
    ...      ("type", "试点"): frozenset({2, 3})}
    >>> sorted(filter_docs({"province": ["江苏", "浙江"], "type": ["试点"]},
    ...                    lambda f, v: p.get((f, v), frozenset())))
    [2, 3]
    """
    docs: set[int] | None = None
    for field, values in resolved.items():
        any_of: set[int] = set()
        for value in values:
            any_of |= postings(whoosh_field(field), value)
        docs = any_of if docs is None else docs & any_of
        if not docs:
            return set()
    return docs


def facet_counts(hits: Collection[int], values: Mapping[str, Iterable[str]], postings: Postings,
                 fields: Iterable[str] = FACET_FIELDS) -> dict[str, dict[str, int]]:
    """For each field, each value's number of hits, most first (then by value); records with
    no value of a single-valued field count under "(none)", last. Values with no hit are left out.

    `values` gives every value of each field the index holds (`ValueTable.counts`).

    >>> p = {("province", "江苏"): frozenset({1, 2}), ("province", "浙江"): frozenset({3})}
    >>> facet_counts({1, 2, 4}, {"province": ["江苏", "浙江"]}, lambda f, v: p.get((f, v), frozenset()),
    ...              ["province"])
    {'province': {'江苏': 2, '(none)': 1}}
    """
    hit_set = hits if isinstance(hits, (set, frozenset)) else set(hits)
    out: dict[str, dict[str, int]] = {}
    for field in fields:
        counts: dict[str, int] = {}
        covered = 0
        for value in values.get(field, ()):
            ids = postings(whoosh_field(field), value)
            n = len(hit_set & ids)  # CPython walks the smaller of the two
            if n:
                counts[value] = n
                covered += n
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        if field not in MULTI_VALUED and covered < len(hit_set):
            ordered[NONE_LABEL] = len(hit_set) - covered  # last, whatever its count
        out[field] = ordered
    return out


class FacetTable:
    """`facet_counts` for one index generation, from bitsets read once: each facet value's
    documents as an int (`search.bits`), so a count is one ``&`` and one popcount, whatever
    the size of the hit set, and no posting list is looked up per request.

    A city whose every document also holds its province (`parent`, checked here against the
    postings) cannot count a hit when its province counts none: such cities are kept by
    province and looked at only for the provinces that count hits. The other values are
    kept in blocks of `BLOCK` with the union of their documents, and a block that shares no
    document with the hits is passed over at once (a narrow query's hits hold a few values of
    each field). Same answers as `facet_counts` over the same postings: the counts of a field
    are sorted (most first, then by value) whatever order they were found in, as plain ints
    (the count and the value's place in value order, `_SHIFT`), not as tuples of a count and
    a string.
    """

    BLOCK = 8

    def __init__(self, values: Mapping[str, Iterable[str]], bits: Callable[[str, str], int],
                 parent: Callable[[str, str], str | None] = lambda field, value: None,
                 fields: Iterable[str] = FACET_FIELDS):
        # per field: its values in value order, blocks of (union, rows), cities by province;
        # a row is (documents, the value's place in value order)
        self._fields: list[tuple[str, list[str], list[tuple[int, list[tuple[int, int]]]],
                                 dict[str, list[tuple[int, int]]]]] = []
        province = {v: bits(whoosh_field("province"), v) for v in values.get("province", ())}
        for field in fields:
            names = sorted(values.get(field, ()))
            if len(names) >= _MASK:
                raise ValueError(f"too many values of {field} to count as facets ({len(names)})")
            place = {value: i for i, value in enumerate(names)}
            loose: list[tuple[int, int]] = []
            under: dict[str, list[tuple[int, int]]] = {}
            for value in values.get(field, ()):
                v = bits(whoosh_field(field), value)
                up = parent(field, value) if field == "city" else None
                if up is not None and (up not in province or v & ~province[up]):
                    up = None  # some document of the city lacks that province: always counted
                if up is None:
                    loose.append((v, place[value]))
                else:
                    under.setdefault(up, []).append((v, place[value]))
            blocks = []
            for i in range(0, len(loose), self.BLOCK):
                rows = loose[i:i + self.BLOCK]
                union = 0
                for v, _ in rows:
                    union |= v
                blocks.append((union, rows))
            self._fields.append((field, names, blocks, under))

    def counts(self, hits: Collection[int]) -> dict[str, dict[str, int]]:
        h = hits.v if isinstance(hits, Bits) else int_of(hits)
        total = h.bit_count()
        out: dict[str, dict[str, int]] = {}
        for field, names, blocks, under in self._fields:
            keys: list[int] = []  # -count << _SHIFT | place: ascending = most first, then by value
            covered = 0
            if h:
                for union, rows in blocks:
                    if h & union:
                        for v, i in rows:
                            n = (h & v).bit_count()
                            if n:
                                keys.append(-n << _SHIFT | i)
                                covered += n
                if under:
                    seen = out.get("province")
                    for up in (under if seen is None else seen):
                        for v, i in under.get(up, ()):
                            n = (h & v).bit_count()
                            if n:
                                keys.append(-n << _SHIFT | i)
                                covered += n
            keys.sort()
            ordered = {names[k & _MASK]: -(k >> _SHIFT) for k in keys}
            if field not in MULTI_VALUED and covered < total:
                ordered[NONE_LABEL] = total - covered
            out[field] = ordered
        return out


_SHIFT = 24  # bits of a value's place in a facet sort key
_MASK = (1 << _SHIFT) - 1


def browse_order(docs: Iterable[int], key: Callable[[int], str]) -> list[int]:
    """Documents in browsing order: by the indexer's place-then-name key, then docnum."""
    return sorted(docs, key=lambda d: (key(d), d))
