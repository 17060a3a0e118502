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

import gc
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.ensure import IndexState, open_index
from index.errors import ClsearchError, InvalidValueError
from index.format import Fields
from index.store import current_generation, default_index_dir, resolve_dir
from search.bits import EMPTY, Bits
from search.bounds import Page, Prepared, rank_page
from search.candidates import (AltDocs, alternative_docs, candidate_docs, exact_docs, spot_docs,
                               tighten_homophones)
from search.catalog import Catalog
from search.complete import Completion
from search.filters import FacetTable, browse_order, filter_docs
from search.hits import HIT_KEYS, Explain, ExplainMatch, Highlight, Hit, Results, Span, make_hit
from search.lexicon import Lexicon
from search.records import Record
from search.values import FACET_FIELDS
from search.partial import Dropped, describe, droppable, term_texts, without
from search.plans import Plan, Plans
from search.query import Alternative, ParsedQuery, Unit, check_query, parse_query
from search.rank import Ranked, placed_by_key, rank, seed_alternatives, term_roles
from search.reader import IndexReader
from search.suggestions import respell
from search.understand import Understood, term_notes, understand

__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch", "HIT_KEYS"]

Filters = dict[str, tuple[str, ...]]  # filter field → stored values (search.values)
# Within one call: id(parsed query) → (it, it with homophones tightened, its alternatives'
# documents, the generation's plan of it if it has one).
_Memo = dict[int, tuple[ParsedQuery, ParsedQuery, AltDocs, Plan | None]]
# Candidates above which a page is ranked best-first (`search.bounds`): fewer are all aligned,
# and the total and facets count exactly the hits.
EARLY_STOP_MIN = 100
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
                 log: Callable[[str], None] = _stderr, refresh: bool = False):
        """`refresh`: before each call, follow ``CURRENT`` to a newer generation if another
        process has built one (for long-lived searchers such as ``clsearch serve``).

        A Searcher opens its generation's files at once and marks the generation as held, so
        it keeps working however many builds follow. `stale` is True, and `stale_reason` says
        why, when the default index was out of date and could not be rebuilt (a full disk, a
        read-only directory): the previous generation is being searched.
        """
        explicit = index_dir is not None
        self.index_dir = resolve_dir(index_dir) if index_dir is not None else default_index_dir()
        self.refresh = refresh
        self._log = log
        self._turn = threading.Condition()  # calls in flight vs. switching generations
        self._active = 0
        self._refused: Path | None = None  # a newer generation that would not open (warned once)
        self._open(open_index(self.index_dir, auto_build=not explicit, log=log))

    def _open(self, state: IndexState) -> None:
        reader = IndexReader(state.generation, self.index_dir, state.meta)
        old, old_catalog = getattr(self, "_reader", None), getattr(self, "_catalog", None)
        self._reader = reader
        self._catalog = Catalog(state.generation, reader.lexicon.simplify, self._spell)
        self._facet_table: FacetTable | None = None  # read on the first facet count
        self._plans = Plans()  # what each query's text alone decides, on this generation
        self.generation: Path = state.generation
        self.stale: bool = state.stale is not None
        self.stale_reason: str | None = state.stale
        if old is not None:
            old.close()
        if old_catalog is not None:
            old_catalog.close()
        # What was just loaded (lexicon, tables) lives as long as the generation: keep the
        # garbage collector from scanning it on every pass (issue #11: a full pass over a
        # large index's structures took over a second).
        gc.freeze()

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
        self._catalog.close()

    # -- public -------------------------------------------------------------------------
    def search(self, query: str = "", limit: int | None = 10, *, offset: int = 0,
               **filters: object) -> list[Hit]:
        """Ranked hits for `query`, best first (the filters are those of `results`).

        Raises QueryError for unsearchable input, and its subclasses InvalidValueError for a
        bad limit or offset and FilterValueError for a filter value the index does not hold.
        """
        with self._query():
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
        with self._query():
            return self._checked(query, limit, offset, facets, filters)

    # -- generations ----------------------------------------------------------------------
    def refresh_now(self) -> Path:
        """Switch to the generation ``CURRENT`` names, if it is newer and intact; return the open one.

        What `refresh=True` does before each call, on demand (a health check, say). Waits for
        calls in flight to finish before switching.
        """
        with self._turn:
            self._switch_if_newer()
        return self.generation

    @contextmanager
    def _query(self) -> Iterator[None]:
        """Hold one call's place: with `refresh`, first switch to a newer generation once none runs.

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
        """(With `_turn` held.) Open the newer generation, if any, once no call is running."""
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
        with self._query():
            self._reader.check_open()
            return self._catalog.get(id)

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Type-ahead suggestions for what the user is typing: hanzi, pinyin, initials or a
        mix (常, chang, cz, 常zh) → names, places and words, each with how many clusters a
        search for it finds."""
        with self._query():
            self._reader.check_open()
            return self._catalog.complete(prefix, limit)

    def values(self, field: str) -> dict[str, int]:
        """Every value of a filter field in this index, with its number of records."""
        with self._query():
            return self._catalog.values.counts(field)

    def records(self) -> Iterator[Record]:
        """Every record of the index, in index order (what `clsearch export` prints)."""
        self._reader.check_open()
        return self._catalog.records()

    def stats(self) -> dict[str, Any]:
        """Record counts by list, program, type, province and year (`clsearch stats`)."""
        with self._query():
            self._reader.check_open()
            return self._catalog.stats()

    # -- the pipeline ---------------------------------------------------------------------
    def _results(self, query: str, limit: int | None, offset: int, filters: Filters,
                 facets: bool, suggest: bool) -> Results:
        if not query.strip():
            allowed = filter_docs(filters, self._reader.postings) if filters else None
            if allowed is not None:
                return self._browse(limit, offset, filters, allowed, facets)
        check_query(query)  # refuse control characters and the like before cleaning anything
        understood = self._understand(query)
        soft = {f: v for f, v in understood.filters.items() if f not in filters}
        if not understood.text and soft:  # only filters in the text (试点类): browse them
            allowed = filter_docs({**filters, **soft}, self._reader.postings) or set()
            res = self._browse(limit, offset, {**filters, **soft}, allowed, facets)
            return replace(res, understood=understood)
        need = None if limit is None else offset + limit + 1  # +1: the rule placing the last hit
        parsed, page, dropped = self._search_partial(understood.text or query, filters, soft, need)
        ranked = page.ranked
        end = len(ranked) if limit is None else offset + limit
        hits = self._hits(ranked[offset:end], ranked[end] if len(ranked) > end else None, parsed)
        suggestion = self._suggestion(parsed, filters) if not ranked and suggest else None
        counts = self._facets(page.docs) if facets else None
        terms = ([i for i, t in enumerate(parsed.terms) if t.significant or i in dropped.terms]
                 or list(range(len(parsed.terms))))  # no significant term: every term counts
        wanted = term_texts(parsed, terms) + describe(soft)
        first = ranked[0].terms if ranked else frozenset()
        partial = bool(ranked) and (bool(dropped) or not set(terms) <= first)  # search.partial, 4.
        applied = filters if dropped.filters or not ranked else {**filters, **soft}
        return Results(parsed.text, hits, page.total, suggestion, offset, limit, counts, applied,
                       self._titles(counts), total_exact=page.exact, terms=wanted,
                       dropped=term_texts(parsed, dropped.terms) + dropped.filters if ranked else (),
                       partial=partial, understood=self._noted(understood, parsed))

    def _noted(self, understood: Understood, parsed: ParsedQuery) -> Understood | None:
        """`understood` with the notes of terms read through a table; None if nothing to say."""
        lex = self.lexicon
        extra = term_notes((t.text for t in parsed.terms), lex.english, lex.nicknames, lex.generic)
        if not understood.notes and not extra:
            return None
        return understood._replace(notes=understood.notes + tuple(extra))

    def _understand(self, query: str) -> Understood:
        lexicon = self.lexicon

        def years() -> frozenset[str]:
            return frozenset(str(y) for y in self._catalog.values.counts("year"))

        return understand(query, vocab=lexicon.vocab, nicknames=lexicon.nicknames, chars=lexicon.chars,
                          titles=lambda: self._catalog.titles, years=years)

    def _search_partial(self, text: str, filters: Filters, soft: Filters, need: int | None
                        ) -> tuple[ParsedQuery, Page, Dropped]:
        """Search the query whole; if nothing matches, drop the least informative parts
        (`search.partial`): the understood filters, then words known nowhere, then both."""
        base = filter_docs(filters, self._reader.postings) if filters else None
        with_soft = filter_docs({**filters, **soft}, self._reader.postings) if soft else base
        memo: _Memo = {}
        parsed, page = self._ranked(text, with_soft, need, memo)
        if page.ranked:
            return parsed, page, Dropped()
        attempts: list[tuple[set[int] | None, frozenset[int], tuple[str, ...]]] = []
        if soft:
            attempts.append((base, frozenset(), describe(soft)))
        attempts.append((with_soft, droppable(parsed, self._found_terms(parsed, with_soft, memo)), ()))
        if soft:
            attempts.append((base, droppable(parsed, self._found_terms(parsed, base, memo)), describe(soft)))
        for allowed, terms, lost in attempts:
            if not terms and not lost:
                continue
            lighter = without(parsed, terms)
            page = self._rank(lighter, allowed, need)
            if page.ranked:
                return lighter, page, Dropped(terms, lost)
        return parsed, Page([], 0, True, frozenset()), Dropped()

    def _ranked(self, text: str, allowed: set[int] | None, need: int | None,
                memo: _Memo | None = None) -> tuple[ParsedQuery, Page]:
        if memo is None:
            memo = {}
        parsed = self._plan(text, False, memo)
        page = self._rank(parsed, allowed, need, memo)
        if (not page.ranked and any(t.text.isascii() for t in parsed.terms)
                and (allowed is None or not self._rank(parsed, None, 1, memo).ranked)):
            # Nothing anywhere as typed (not merely outside the filters): let pinyin letter
            # typos be corrected (lidain → lidian).
            parsed = self._plan(text, True, memo)
            page = self._rank(parsed, allowed, need, memo)
        return parsed, page

    def _plan(self, text: str, correct: bool, memo: _Memo) -> ParsedQuery:
        """`text` parsed (with typo corrections if `correct`), its candidates put in `memo`:
        both from the generation's `Plans` when the text was searched before."""
        key = (text, correct)
        plan = self._plans.get(key)
        if plan is None:
            parsed = parse_query(text, self.lexicon, correct=correct)
            tight = tighten_homophones(parsed, self._reader, self._reader.doc, self.lexicon)
            plan = self._plans.put(Plan(key, parsed, tight, alternative_docs(tight, self._reader)))
        memo[id(plan.parsed)] = (plan.parsed, plan.tight, plan.alt_docs, plan)
        return plan.parsed

    def _candidates(self, parsed: ParsedQuery, memo: _Memo | None) -> tuple[ParsedQuery, AltDocs]:
        """`parsed` with its homophones tightened, and the documents of each alternative
        (`memo`: kept for the rest of one call, which may ask again for the same query)."""
        found = memo.get(id(parsed)) if memo is not None else None
        if found is not None and found[0] is parsed:
            return found[1], found[2]
        tight = tighten_homophones(parsed, self._reader, self._reader.doc, self.lexicon)
        alt_docs: AltDocs = alternative_docs(tight, self._reader)
        if memo is not None:
            memo[id(parsed)] = (parsed, tight, alt_docs, None)
        return tight, alt_docs

    def _found_terms(self, parsed: ParsedQuery, allowed: set[int] | None, memo: _Memo | None = None) -> set[int]:
        """The terms that some document (within `allowed`) may match."""
        parsed, alt_docs = self._candidates(parsed, memo)
        found: set[int] = set()
        k = 0
        for tok in parsed.tokens:
            whole = any(self._within(alt_docs.get(id(a), EMPTY), allowed) for a in tok.whole)
            for t in tok.parts:
                if (whole and len(tok.parts) > 1) or any(
                        self._within(alt_docs.get(id(a), EMPTY), allowed) for a in t.alternatives):
                    found.add(k)
                k += 1
        return found

    @staticmethod
    def _within(docs: AbstractSet[int], allowed: set[int] | None) -> bool:
        return bool(docs if allowed is None else docs & allowed)

    def _browse(self, limit: int | None, offset: int, filters: Filters, allowed: set[int],
                facets: bool) -> Results:
        """No query, only filters: the matching records in browsing order, all equal."""
        order = browse_order(allowed, self._reader.column(Fields.ORDER))
        end = len(order) if limit is None else offset + limit
        title = self._catalog.values.title
        hits = [make_hit(self._reader.doc(d), None, [], "browse", title) for d in order[offset:end]]
        counts = self._facets(allowed) if facets else None
        return Results("", hits, len(order), None, offset, limit, counts, filters, self._titles(counts))

    def _facets(self, docs: AbstractSet[int]) -> dict[str, dict[str, int]]:
        table = self._facet_table
        if table is None:  # two threads may both read it: the same table, one kept
            values = self._catalog.values
            reader = self._reader
            table = self._facet_table = FacetTable({f: list(values.counts(f)) for f in FACET_FIELDS},
                                                   lambda f, v: reader.bits(f, v).v, values.parent)
        return table.counts(docs)

    def _titles(self, facets: dict[str, dict[str, int]] | None) -> dict[str, str]:
        title = self._catalog.values.title
        return {key: title(key) for key in (facets or {}).get("list", {})}

    def _spell(self, text: str) -> str:
        """Hanzi → their usual pinyin, joined (other characters as they are)."""
        return "".join((self.lexicon.readings(c) or (c,))[0] for c in text)

    def _hits(self, ranked: list[Ranked], after: Ranked | None, parsed: ParsedQuery) -> list[Hit]:
        title = self._catalog.values.title
        texts = [t.text for tok in parsed.tokens for t in tok.parts]  # `term_texts`, once a page
        keys = [r.ranking.key() for r in ranked]
        if after is not None:
            keys.append(after.ranking.key())
        words: dict[frozenset[int], tuple[str, ...]] = {}  # a page's hits mostly match the same terms
        hits = []
        for i, r in enumerate(ranked):
            matched = words.get(r.terms)
            if matched is None:
                matched = words[r.terms] = tuple(texts[k] for k in sorted(r.terms))
            hits.append(make_hit(r.doc, r.ranking, r.matches,
                                 placed_by_key(keys[i], keys[i + 1] if i + 1 < len(keys) else None), title,
                                 matched))
        return hits

    def _rank(self, parsed: ParsedQuery, allowed: set[int] | None, need: int | None = None,
              memo: _Memo | None = None) -> Page:
        """The hits of `parsed`, best first: all of them, or with `need` at least the `need`
        best (`bounds.rank_page`: the others are not aligned when the candidates are many)."""
        found = memo.get(id(parsed)) if memo is not None else None
        plan = found[3] if found is not None and found[0] is parsed else None
        parsed, alt_docs = self._candidates(parsed, memo)
        roles = term_roles(parsed)
        candidates = candidate_docs(seed_alternatives(parsed, roles), alt_docs, allowed)
        if need is not None and len(candidates) > EARLY_STOP_MIN:
            ties = self._reader.ties()
            reader = self._reader

            def spots(spot: str, unit: Unit) -> Bits:
                return spot_docs(spot, unit, reader)

            def exact(alt: Alternative) -> Bits:
                return exact_docs(alt, reader)

            prepared = None
            if plan is not None and allowed is None:  # the same candidates every time: keep it
                prepared = plan.page
                if prepared is None:
                    # By weak references: the plan (and the plans, which hold it) hold its page,
                    # which holds this; a cycle would leave a dropped plan's sets to the cyclic
                    # collector, which runs rarely when what piles up is big ints (untracked).
                    plans, kept = weakref.ref(self._plans), weakref.ref(plan)

                    def weigh(nbytes: int) -> None:
                        holder, alive = plans(), kept()
                        if holder is not None and alive is not None:
                            holder.grow(alive, nbytes)

                    prepared = plan.page = Prepared(parsed, alt_docs, candidates, roles, spots, exact, weigh)
            return rank_page(parsed, alt_docs, candidates, need, reader.doc, ties, roles, len(ties),
                             spots, exact, reader.letters, prepared)

        members: dict[int, bytes] = {}  # id(alternative) → its documents as bytes (`Bits.bytes`)

        def possible(alt: Alternative, docnum: int) -> bool:  # docnum in its documents, one byte read
            b = members.get(id(alt))
            if b is None:
                b = members[id(alt)] = alt_docs.get(id(alt), EMPTY).bytes()
            i = docnum >> 3
            return i < len(b) and b[i] >> (docnum & 7) & 1 == 1

        ranked = rank(parsed, candidates, self._reader.doc, possible, roles)
        return Page(ranked, len(ranked), True, {r.docnum for r in ranked})

    def _suggestion(self, parsed: ParsedQuery, filters: Filters) -> str | None:
        """A respelling of the query (`suggestions.respell`), offered only if it finds hits."""
        candidate = respell(parsed, self.lexicon)
        if candidate is None:
            return None
        found = self._results(candidate, 1, 0, filters, False, suggest=False)
        return candidate if found.hits else None

