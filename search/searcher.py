"""The public API: `Searcher` opens an index and answers queries with `Hit`s.

A thin façade over the query stages, each a module with its own tests:

    query        raw text → ParsedQuery (tokens, terms, alternatives of units)
    candidates   Whoosh postings → documents each alternative may match; filters
    match, rank  aligning alternatives with a document; the ranking rules; which terms count
    suggestions  "did you mean" when nothing matched
    hits         Hit / Results / Highlight / Span / Explain values

`search.reader.IndexReader` is the one place that touches Whoosh.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.ensure import IndexState, open_index
from index.errors import ClsearchError, QueryError
from index.store import current_generation, default_index_dir, resolve_dir
from search.candidates import (AltDocs, alternative_docs, candidate_docs, filter_docs,
                               tighten_homophones)
from search.hits import HIT_KEYS, Explain, ExplainMatch, Highlight, Hit, Results, Span, make_hit
from search.lexicon import Lexicon
from search.query import Alternative, ParsedQuery, parse_query
from search.rank import Ranked, placed_by, rank, seed_alternatives, term_roles
from search.reader import IndexReader
from search.suggestions import respell

__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch", "HIT_KEYS"]

Filters = tuple[str | None, str | None, str | None]  # province, type, program


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
                 log: Callable[[str], None] = _stderr, refresh: bool = False):
        """`refresh`: before each query, follow ``CURRENT`` to a newer generation if another
        process has built one (for long-lived searchers such as ``clsearch serve``).

        A Searcher opens every file of its generation at once, so it keeps working after later
        builds delete that generation. `stale` is True, and `stale_reason` says why, when the
        default index was out of date and could not be rebuilt (a full disk, a read-only
        directory): the previous generation is being searched.
        """
        explicit = index_dir is not None
        self.index_dir = resolve_dir(index_dir) if index_dir is not None else default_index_dir()
        self.refresh = refresh
        self._log = log
        self._turn = threading.Condition()  # queries in flight vs. switching generations
        self._active = 0
        self._refused: Path | None = None  # a newer generation that would not open (warned once)
        self._open(open_index(self.index_dir, auto_build=not explicit, log=log))

    def _open(self, state: IndexState) -> None:
        reader = IndexReader(state.generation, self.index_dir, state.meta)
        old = getattr(self, "_reader", None)
        self._reader = reader
        self.generation: Path = state.generation
        self.stale: bool = state.stale is not None
        self.stale_reason: str | None = state.stale
        if old is not None:
            old.close()

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
    def search(self, query: str, limit: int = 10, *, province: str | None = None,
               type: str | None = None, program: str | None = None) -> list[Hit]:
        """Ranked hits for `query`, best first. Raises QueryError for unsearchable input."""
        return self.results(query, limit, province=province, type=type, program=program).hits

    def suggest(self, query: str) -> str | None:
        """A corrected query with hits when `query` has none ("did you mean …")."""
        return self.results(query, 1).suggestion

    def results(self, query: str, limit: int = 10, *, province: str | None = None,
                type: str | None = None, program: str | None = None) -> Results:
        """Like `search`, with the total count and a suggestion when nothing matched."""
        with self._query():
            return self._results(query, limit, (province, type, program), suggest=True)

    # -- generations ----------------------------------------------------------------------
    def refresh_now(self) -> Path:
        """Switch to the generation ``CURRENT`` names, if it is newer and intact; return the open one.

        What `refresh=True` does before each query, on demand (a health check, say). Waits for
        queries in flight to finish before switching.
        """
        with self._turn:
            self._switch_if_newer()
        return self.generation

    @contextmanager
    def _query(self) -> Iterator[None]:
        """Hold one query's place: with `refresh`, first switch to a newer generation once none runs.

        Every public method that reads the index runs inside this, so a switch never happens
        half way through a call.
        """
        with self._turn:
            if self.refresh:
                self._switch_if_newer()
            self._active += 1
        try:
            yield
        finally:
            with self._turn:
                self._active -= 1
                self._turn.notify_all()

    def _switch_if_newer(self) -> None:
        """(With `_turn` held.) Open the newer generation, if any, once no query is running."""
        if self._reader.closed:
            return
        newer = self._newer()
        if newer is None:
            return
        while self._active:
            self._turn.wait()
        try:
            self._open(newer)
        except ClsearchError as exc:
            self._refused = newer.generation
            self._log(f"clsearch: warning: not switching to the new index {newer.generation.name} "
                      f"({exc}); still searching {self.generation.name}")

    def _newer(self) -> IndexState | None:
        """The generation ``CURRENT`` names now, checked, if it is not the one open."""
        try:
            gen = current_generation(self.index_dir)
        except ClsearchError:
            return None
        if gen is None or gen == self.generation or gen == self._refused:
            return None
        try:
            return open_index(self.index_dir, auto_build=False)
        except ClsearchError as exc:
            self._refused = gen
            self._log(f"clsearch: warning: not switching to the new index {gen.name} ({exc}); "
                      f"still searching {self.generation.name}")
            return None

    # -- the pipeline ---------------------------------------------------------------------
    def _results(self, query: str, limit: int, filters: Filters, suggest: bool) -> Results:
        self._reader.check_open()
        if not isinstance(limit, int) or limit < 1:
            raise QueryError("limit must be a positive whole number")
        parsed = parse_query(query, self.lexicon)
        allowed = filter_docs(self._reader, *filters)
        ranked = self._rank(parsed, allowed)
        if (not ranked and any(t.text.isascii() for t in parsed.terms)
                and (allowed is None or not self._rank(parsed, None))):
            # Nothing anywhere as typed (not merely outside the filters): let pinyin letter
            # typos be corrected (lidain → lidian).
            parsed = parse_query(query, self.lexicon, correct=True)
            ranked = self._rank(parsed, allowed)
        hits = _hits(ranked[:limit], ranked[limit] if len(ranked) > limit else None)
        suggestion = self._suggestion(parsed, filters) if not ranked and suggest else None
        return Results(parsed.text, hits, len(ranked), suggestion)

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
        found = self._results(candidate, 1, filters, suggest=False)
        return candidate if found.hits else None


def _hits(ranked: list[Ranked], after: Ranked | None) -> list[Hit]:
    hits = []
    for i, r in enumerate(ranked):
        below = ranked[i + 1] if i + 1 < len(ranked) else after
        hits.append(make_hit(r.doc, r.ranking, r.matches,
                             placed_by(r.ranking, below.ranking if below else None)))
    return hits
