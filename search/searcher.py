"""The public API: `Searcher` opens an index and answers queries with `Hit`s.

A thin façade over the query stages, each a module with its own tests:

    query        raw text → ParsedQuery (tokens, terms, alternatives of units)
    candidates   Whoosh postings → documents each alternative may match; filters
    match, rank  aligning alternatives with a document; the ranking rules; which terms count
    suggestions  "did you mean" when nothing matched
    filters      filter values → documents; facets; browsing order
    hits         Hit / Results / Highlight / Span / Explain values
    catalog      what the index holds besides postings: records, filter values, suggestions

`search.reader.IndexReader` is the one place that touches Whoosh.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from index.ensure import ensure_index
from index.errors import InvalidValueError
from index.format import Fields
from index.store import default_index_dir
from search.candidates import AltDocs, alternative_docs, candidate_docs, tighten_homophones
from search.catalog import Catalog
from search.complete import Completion
from search.filters import browse_order, facet_counts, filter_docs
from search.hits import HIT_KEYS, Explain, ExplainMatch, Highlight, Hit, Results, Span, make_hit
from search.lexicon import Lexicon
from search.records import Record
from search.values import FACET_FIELDS
from search.query import Alternative, ParsedQuery, parse_query
from search.rank import Ranked, placed_by, rank, seed_alternatives, term_roles
from search.reader import IndexReader
from search.suggestions import respell

__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch", "HIT_KEYS"]

Filters = dict[str, tuple[str, ...]]  # filter field → stored values (search.values)
MAX_LIMIT = 1_000_000  # far above any corpus: a bigger number is a mistake, not a wish


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Searcher:
    """Search an index; the default one is built from the bundled seeds on first use.

    ``Searcher()`` uses the per-user default index ($CLSEARCH_INDEX overrides it) and builds
    or rebuilds it when needed, with one line on stderr. ``Searcher(index_dir=PATH)`` opens
    an existing index and never builds. Safe to share between threads; a context manager.
    After `close()`, every call raises `SearcherClosedError` (a `ClsearchError`).
    """

    def __init__(self, index_dir: str | Path | None = None, *,
                 log: Callable[[str], None] = _stderr):
        explicit = index_dir is not None
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self.generation = ensure_index(self.index_dir, auto_build=not explicit, log=log)
        self._reader = IndexReader(self.generation, self.index_dir)
        self._catalog = Catalog(self.generation, self.lexicon.simplify, self._spell)

    @property
    def lexicon(self) -> Lexicon:
        return self._reader.lexicon

    # -- context manager ----------------------------------------------------------------
    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._reader.close()

    # -- public -------------------------------------------------------------------------
    def search(self, query: str = "", limit: int | None = 10, *, offset: int = 0,
               **filters: object) -> list[Hit]:
        """Ranked hits for `query`, best first (the filters are those of `results`).

        Raises QueryError for unsearchable input, and its subclasses InvalidValueError for a
        bad limit or offset and FilterValueError for a filter value the index does not hold.
        """
        return self._checked(query, limit, offset, False, filters).hits

    def suggest(self, query: str) -> str | None:
        """A corrected query with hits when `query` has none ("did you mean …")."""
        return self.results(query, 1).suggestion

    def results(self, query: str = "", limit: int | None = 10, *, offset: int = 0,
                facets: bool = False, **filters: object) -> Results:
        """One page of hits with the exact total, a suggestion when nothing matched, and with
        `facets` the counts per province, city, program, list, type and year of the whole
        hit set.

        Filters (keywords `province`, `city`, `district`, `program`, `list`, `type`, `year`)
        each take a value or an iterable of values: any value of one filter, all filters.
        Values are understood in pinyin, English, traditional or full form (Jiangsu, 江蘇,
        江苏省 → 江苏; pilot → 试点; a list by key or title); a city includes its districts.
        With filters and an empty query, the matching records are listed in browsing order:
        by province, city, district and name, in pinyin order. A place in the query narrows
        the hits as a filter does.

        `limit` None means every hit; `offset` skips that many: pages never overlap.
        """
        return self._checked(query, limit, offset, facets, filters)

    def _checked(self, query: str, limit: int | None, offset: int, facets: bool,
                 filters: dict[str, object]) -> Results:
        """`results`, after checking the limit, the offset and the filter values."""
        self._reader.check_open()
        if isinstance(limit, bool) or not (limit is None or isinstance(limit, int)) or (
                limit is not None and not 1 <= limit <= MAX_LIMIT):
            raise InvalidValueError(f"limit must be a whole number from 1 to {MAX_LIMIT:,} (or None for all)",
                                    param="limit")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidValueError("offset must be a whole number, 0 or more", param="offset")
        resolved = self._catalog.values.resolve_filters(filters)
        return self._results(query, limit, offset, resolved, facets, suggest=True)

    def get(self, id: str) -> Record:
        """The full record with this id: every name, place, builder, list and source.

        Raises UnknownIdError (a ClsearchError) if no record has it.
        """
        self._reader.check_open()
        return self._catalog.get(id)

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Type-ahead suggestions for what the user is typing: hanzi, pinyin, initials or a
        mix (常, chang, cz, 常zh) → names, places and words, each with how many clusters a
        search for it finds."""
        self._reader.check_open()
        return self._catalog.complete(prefix, limit)

    def values(self, field: str) -> dict[str, int]:
        """Every value of a filter field in this index, with its number of records."""
        return self._catalog.values.counts(field)

    def records(self) -> Iterator[Record]:
        """Every record of the index, in index order (what `clsearch export` prints)."""
        self._reader.check_open()
        return self._catalog.records()

    def stats(self) -> dict[str, Any]:
        """Record counts by list, program, type, province and year (`clsearch stats`)."""
        self._reader.check_open()
        return self._catalog.stats()

    # -- the pipeline ---------------------------------------------------------------------
    def _results(self, query: str, limit: int | None, offset: int, filters: Filters,
                 facets: bool, suggest: bool) -> Results:
        allowed = filter_docs(filters, self._reader.postings) if filters else None
        if not query.strip() and allowed is not None:
            return self._browse(limit, offset, filters, allowed, facets)
        parsed = parse_query(query, self.lexicon)
        ranked = self._rank(parsed, allowed)
        if (not ranked and any(t.text.isascii() for t in parsed.terms)
                and (allowed is None or not self._rank(parsed, None))):
            # Nothing anywhere as typed (not merely outside the filters): let pinyin letter
            # typos be corrected (lidain → lidian).
            parsed = parse_query(query, self.lexicon, correct=True)
            ranked = self._rank(parsed, allowed)
        end = len(ranked) if limit is None else offset + limit
        hits = self._hits(ranked[offset:end], ranked[end] if len(ranked) > end else None)
        suggestion = self._suggestion(parsed, filters) if not ranked and suggest else None
        counts = self._facets({r.docnum for r in ranked}) if facets else None
        return Results(parsed.text, hits, len(ranked), suggestion, offset, limit, counts, filters,
                       self._titles(counts))

    def _browse(self, limit: int | None, offset: int, filters: Filters, allowed: set[int],
                facets: bool) -> Results:
        """No query, only filters: the matching records in browsing order, all equal."""
        order = browse_order(allowed, self._reader.column(Fields.ORDER))
        end = len(order) if limit is None else offset + limit
        title = self._catalog.values.title
        hits = [make_hit(self._reader.doc(d), None, [], "browse", title) for d in order[offset:end]]
        counts = self._facets(allowed) if facets else None
        return Results("", hits, len(order), None, offset, limit, counts, filters, self._titles(counts))

    def _facets(self, docs: set[int]) -> dict[str, dict[str, int]]:
        values = {f: list(self._catalog.values.counts(f)) for f in FACET_FIELDS}
        return facet_counts(docs, values, self._reader.postings)

    def _titles(self, facets: dict[str, dict[str, int]] | None) -> dict[str, str]:
        title = self._catalog.values.title
        return {key: title(key) for key in (facets or {}).get("list", {})}

    def _spell(self, text: str) -> str:
        """Hanzi → their usual pinyin, joined (other characters as they are)."""
        return "".join((self.lexicon.readings(c) or (c,))[0] for c in text)

    def _hits(self, ranked: list[Ranked], after: Ranked | None) -> list[Hit]:
        title = self._catalog.values.title
        hits = []
        for i, r in enumerate(ranked):
            below = ranked[i + 1] if i + 1 < len(ranked) else after
            hits.append(make_hit(r.doc, r.ranking, r.matches,
                                 placed_by(r.ranking, below.ranking if below else None), title))
        return hits

    def _rank(self, parsed: ParsedQuery, allowed: set[int] | None) -> list[Ranked]:
        parsed = tighten_homophones(parsed, self._reader, self._reader.doc)
        alt_docs: AltDocs = alternative_docs(parsed, self._reader)
        roles = term_roles(parsed)
        candidates = candidate_docs(seed_alternatives(parsed, roles), alt_docs, allowed)

        def possible(alt: Alternative, docnum: int) -> bool:
            return docnum in alt_docs.get(id(alt), ())

        return rank(parsed, candidates, self._reader.doc, possible, roles)

    def _suggestion(self, parsed: ParsedQuery, filters: Filters) -> str | None:
        """A respelling of the query (`suggestions.respell`), offered only if it finds hits."""
        candidate = respell(parsed, self.lexicon)
        if candidate is None:
            return None
        found = self._results(candidate, 1, 0, filters, False, suggest=False)
        return candidate if found.hits else None

