"""The public API: `Searcher` opens an index and answers queries with `Hit`s.

Whoosh finds the candidates (any document holding the characters, syllables, fuzzy keys or
initials a query alternative needs, through its inverted index), the matcher aligns each
candidate, and the ranking rules order them. Hits are plain values: no open reader inside.
"""

from __future__ import annotations

import html
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

from whoosh import index as windex
from whoosh import query as wq
from whoosh.reading import TermNotFound

from index.analysis import FULL, INITIAL, pair_term
from index.auto import ensure_index
from index.places import strip_place_suffix
from index.errors import InvalidValueError, QueryError
from search.catalog import Catalog
from search.complete import Completion
from search.filters import browse_order, facet_counts, filter_docs
from search.lexicon import Lexicon
from search.output import mark
from search.values import FACET_FIELDS
from search.records import Record
from search.match import Doc, Match, decode
from search.query import HAN, LIT, Alternative, ParsedQuery, parse_query
from search.rank import Ranking, evaluate, placed_by, ranking_dict

HIT_KEYS = ("id", "name", "score", "aliases", "province", "city", "district", "builder", "type",
            "program", "year", "lists", "list_titles")
MAX_LIMIT = 1_000_000  # far above any corpus: a bigger number is a mistake, not a wish
TAGS = ("<mark>", "</mark>")


class Span(NamedTuple):
    """Characters [start, end) of a field's text that matched, and through which channel."""

    start: int
    end: int
    channel: str  # exact, pinyin, reading2, initials, prefix, homophone, fuzzy, synonym, typo


class Highlight(NamedTuple):
    field: str  # name, alias, builder, place
    text: str
    spans: tuple[Span, ...]

    def marked(self, open: str = TAGS[0], close: str = TAGS[1], escape: bool = True) -> str:
        """The text with matched characters between `open` and `close` (HTML-escaped text
        unless `escape` is False; the tags are inserted as given)."""
        return mark(self.text, self.spans, open, close, html.escape if escape else None)

    def to_dict(self, tags: tuple[str, str] = TAGS) -> dict:
        return {"field": self.field, "text": self.text,
                "spans": [[sp.start, sp.end, str(sp.channel)] for sp in self.spans],
                "marked": self.marked(*tags)}


@dataclass(frozen=True)
class Hit:
    """One ranked result. `to_dict()` gives the documented JSON-able keys."""

    id: str
    name: str
    score: float
    aliases: list[str]
    province: str | None
    city: str | None
    builder: str | None
    type: str | None
    program: str
    lists: list[str]
    district: str | None = None
    year: int | None = None
    list_titles: list[str] = field(default_factory=list)  # readable titles, parallel to `lists`
    highlights: tuple[Highlight, ...] = field(default=(), compare=False, repr=False)
    explain: dict = field(default_factory=dict, compare=False, repr=False)

    __hash__ = None  # holds lists

    def marked(self, field: str = "name", open: str = TAGS[0], close: str = TAGS[1],
               escape: bool = True) -> str:
        """A field's text (name, builder, alias or place: the one that matched) with the
        matched characters between the caller's tags, the text HTML-escaped; the field's
        plain (escaped) text when nothing in it matched."""
        for h in self.highlights:
            if h.field == field:
                return h.marked(open, close, escape)
        plain = {"name": self.name, "builder": self.builder or "",
                 "alias": self.aliases[0] if self.aliases else "",
                 "place": " ".join(p for p in (self.province, self.city, self.district) if p)}
        text = plain.get(field, "")
        return html.escape(text) if escape else text

    def to_dict(self, highlights: bool = True, tags: tuple[str, str] = TAGS) -> dict:
        """JSON-able: the `HIT_KEYS`, and unless `highlights` is False the matched spans of
        each field with its marked text (`tags` around matches, the text HTML-escaped)."""
        d = {k: getattr(self, k) for k in HIT_KEYS}
        if highlights:
            d["highlights"] = [h.to_dict(tags) for h in self.highlights]
        return d


@dataclass(frozen=True)
class Results:
    """One page of hits (best first), how many matched in all, and a "did you mean".

    `total` counts the whole hit set exactly, as do `facets` (when asked for): per field,
    value → number of hits. `offset` and `limit` say which page this is; `filters` holds
    the filter values as resolved (江蘇 → 江苏).
    """

    query: str
    hits: list[Hit]
    total: int
    suggestion: str | None = None
    offset: int = 0
    limit: int | None = None
    facets: dict[str, dict[str, int]] | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self, tags: tuple[str, str] = TAGS, explain: bool = False) -> dict:
        """The CLI's --json object: query, total, offset, limit, filters, hits (with
        highlights), and facets and suggestion when present."""
        hits = []
        for h in self.hits:
            d = h.to_dict(tags=tags)
            if explain:
                d["explain"] = h.explain
            hits.append(d)
        out: dict = {"query": self.query, "total": self.total, "offset": self.offset,
                     "limit": self.limit, "filters": {k: list(v) for k, v in self.filters.items()},
                     "hits": hits}
        if self.facets is not None:
            out["facets"] = self.facets
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return out


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Searcher:
    """Search an index; the default one is built from the bundled seeds on first use.

    ``Searcher()`` uses the per-user default index ($CLSEARCH_INDEX overrides it) and builds
    or rebuilds it when needed, with one line on stderr. ``Searcher(index_dir=PATH)`` opens
    an existing index and never builds. Safe to share between threads; a context manager.
    """

    def __init__(self, index_dir: str | Path | None = None, *, log=_stderr):
        from index.store import default_index_dir

        explicit = index_dir is not None
        self.index_dir = Path(index_dir) if explicit else default_index_dir()
        self.generation = ensure_index(self.index_dir, auto_build=not explicit, log=log)
        try:
            self._ix = windex.open_dir(str(self.generation))
            self._searcher = self._ix.searcher()
        except (OSError, windex.EmptyIndexError) as exc:
            from index.errors import IndexMissingError

            hint = f"rebuild it with: clsearch index build --index {self.index_dir}"
            raise IndexMissingError(f"cannot open the index in {self.index_dir}: {exc}", hint=hint) from exc
        self.lexicon = Lexicon(self.generation)
        self._catalog = Catalog(self.generation, self.lexicon.simplify, self._spell)
        self._docs: dict[int, Doc] = {}
        self._postings_cache: dict[tuple[str, str], frozenset[int]] = {}
        self._order = None  # the browse-order column, opened on first browse
        self._lock = threading.Lock()

    # -- context manager ----------------------------------------------------------------
    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._searcher.close()

    # -- public -------------------------------------------------------------------------
    def search(self, query: str = "", limit: int | None = 10, *, offset: int = 0,
               **filters: object) -> list[Hit]:
        """Ranked hits for `query`, best first (see `results` for the filters).

        Raises QueryError for unsearchable input, FilterValueError for a filter value the
        index does not hold, InvalidValueError for a bad limit or offset.
        """
        return self.results(query, limit, offset=offset, **filters).hits

    def suggest(self, query: str) -> str | None:
        """A corrected query with hits when `query` has none ("did you mean …")."""
        return self.results(query, 1).suggestion

    def results(self, query: str = "", limit: int | None = 10, *, offset: int = 0,
                facets: bool = False, **filters: object) -> Results:
        """One page of hits with the exact total, a suggestion when nothing matched, and
        with `facets` the counts per province, city, program, list, type and year of the
        whole hit set.

        Filters (keyword arguments `province`, `city`, `district`, `program`, `list`, `type`,
        `year`) each take a value or an iterable of values: any value of one filter, all
        filters. Values are understood in pinyin, English, traditional or full form
        (Jiangsu, 江蘇, 江苏省 → 江苏; pilot → 试点); a city includes its districts. With
        filters and an empty query, the matching records are listed in browsing order:
        by province, city, district and name, in pinyin order.

        `limit` None means every hit; `offset` skips that many (pages never overlap).
        """
        if isinstance(limit, bool) or not (limit is None or isinstance(limit, int)) or (
                limit is not None and not 1 <= limit <= MAX_LIMIT):
            raise InvalidValueError(f"limit must be a whole number from 1 to {MAX_LIMIT:,} (or None for all)",
                                    param="limit")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidValueError("offset must be a whole number, 0 or more", param="offset")
        resolved = self._catalog.values.resolve_filters(filters)
        return self._results(query, limit, offset, resolved, facets, suggest=True)

    def get(self, id: str) -> Record:
        """The full record with this id (every name, place, list and source); `UnknownIdError`."""
        return self._catalog.get(id)

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Type-ahead suggestions for what the user is typing (hanzi, pinyin, initials, mixed)."""
        return self._catalog.complete(prefix, limit)

    def values(self, field: str) -> dict[str, int]:
        """Every value of a filter field in this index, with its number of records."""
        return self._catalog.values.counts(field)

    def records(self) -> Iterator[Record]:
        """Every record of the index, in index order (what `clsearch export` prints)."""
        return self._catalog.records()

    def stats(self) -> dict:
        """Record counts by list, program, type, province and year (`clsearch stats`)."""
        return self._catalog.stats()

    # -- internals ------------------------------------------------------------------------
    def _spell(self, text: str) -> str:
        """Hanzi → their usual pinyin, joined (other characters as they are)."""
        return "".join((self.lexicon.readings(c) or (c,))[0] for c in text)

    def _results(self, query: str, limit: int | None, offset: int,
                 filters: dict[str, tuple[str, ...]], facets: bool, suggest: bool) -> Results:
        allowed = filter_docs(filters, self._postings) if filters else None
        if not query.strip() and allowed is not None:
            return self._browse(query, limit, offset, filters, allowed, facets)
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
        suggestion = None
        if not ranked and suggest:
            suggestion = self._suggestion(parsed, filters)
        counts = self._facets({r[3] for r in ranked}) if facets else None
        return Results(parsed.text, hits, len(ranked), suggestion, offset, limit, counts, filters)

    def _browse(self, query: str, limit: int | None, offset: int, filters: dict,
                allowed: set[int], facets: bool) -> Results:
        """No query, only filters: the matching records in browsing order, all equal."""
        order = browse_order(allowed, self._browse_key)
        end = len(order) if limit is None else offset + limit
        hits = [_hit(self._doc(d), None, [], "browse", self._catalog.values.title)
                for d in order[offset:end]]
        counts = self._facets(allowed) if facets else None
        return Results("", hits, len(order), None, offset, limit, counts, filters)

    def _browse_key(self, docnum: int) -> str:
        with self._lock:
            if self._order is None:
                self._order = self._searcher.reader().column_reader("order")
            value = self._order[docnum]
        return value.decode() if isinstance(value, bytes) else value

    def _facets(self, docs: set[int]) -> dict[str, dict[str, int]]:
        values = {f: list(self._catalog.values.counts(f)) for f in FACET_FIELDS}
        return facet_counts(docs, values, self._postings)

    def _doc(self, docnum: int) -> Doc:
        doc = self._docs.get(docnum)
        if doc is None:
            with self._lock:
                stored = self._searcher.stored_fields(docnum)["doc"]
            doc = self._docs[docnum] = decode(stored)
        return doc

    def _candidates(self, parsed: ParsedQuery) -> dict[int, set[int]]:
        """For each alternative (by id), the documents holding a posting for every unit.

        Set algebra over cached Whoosh postings: Whoosh's own compound matchers cost ~1 ms
        per clause here, set operations on a few hundred ids cost microseconds. Units that
        spell syllables must also be neighbours (the ``pairs`` field).
        """
        alts = [a for tok in parsed.tokens for a in tok.whole]
        alts += [a for term in parsed.terms for a in term.alternatives]
        found: dict[int, set[int]] = {}
        for alt in alts:
            if id(alt) in found:
                continue
            allow = alt.budget > alt.typos
            docs: set[int] | None = None
            for unit in alt.units:
                unit_docs = self._unit_docs(unit, allow)
                docs = set(unit_docs) if docs is None else docs & unit_docs
                if not docs:
                    break
            for a, b in zip(alt.units, alt.units[1:]):
                if not docs:
                    break
                # Neighbouring units must sit side by side: look up their initials pair, or
                # their fuzzy-key pairs (bounded: an initial and a prefix can mean hundreds).
                if a.kind == INITIAL and b.kind == INITIAL:
                    docs &= self._postings("ipairs", pair_term(a.text, b.text))
                elif a.fuzzy and b.fuzzy and len(a.fuzzy) * len(b.fuzzy) <= 256:
                    near: frozenset[int] = frozenset()
                    for fa in a.fuzzy:
                        for fb in b.fuzzy:
                            near = near | self._postings("pairs", pair_term(fa, fb))
                    docs &= near
            found[id(alt)] = docs or set()
        return found

    def _unit_docs(self, unit, allow_typos: bool) -> frozenset[int]:
        if unit.kind == LIT:
            keys = [("lit", unit.text)]
        elif unit.kind == HAN:
            keys = [("han", unit.text)]
            if allow_typos:
                keys += [("py", r) for r in unit.readings] + [("pyf", f) for f in unit.fuzzy]
        elif unit.kind == FULL:
            keys = [("py", unit.text)] + ([("pyf", f) for f in unit.fuzzy] if allow_typos else [])
        elif unit.kind == INITIAL:
            keys = [("pyi", unit.text)]
        else:  # PREFIX
            keys = [("py", t) for t in self._expand("py", unit.text)]
        out: frozenset[int] = frozenset()
        for key in keys:
            out = out | self._postings(*key)
        return out

    def _postings(self, fieldname: str, text: str) -> frozenset[int]:
        key = (fieldname, text)
        ids = self._postings_cache.get(key)
        if ids is None:
            with self._lock:
                reader = self._searcher.reader()
                try:
                    ids = frozenset(reader.postings(fieldname, text).all_ids())
                except TermNotFound:
                    ids = frozenset()
            self._postings_cache[key] = ids
        return ids

    def _expand(self, fieldname: str, prefix: str) -> list[str]:
        with self._lock:
            return [t.decode() if isinstance(t, bytes) else t
                    for t in self._searcher.reader().expand_prefix(fieldname, prefix)]

    def _exact_only(self, parsed: ParsedQuery) -> ParsedQuery:
        """Hanzi typed as they appear in the corpus get no homophone channel.

        Homophones exist to rescue a wrong character (夏门 → 厦门); when the characters as
        typed occur somewhere (锂电), reading them as homophones (力电 in 动力电池) is noise.
        """
        def tighten(alt: Alternative) -> Alternative:
            if alt.budget == 0 or alt.synonym or any(u.kind != HAN for u in alt.units):
                return alt
            text = "".join(u.text for u in alt.units)
            docs: set[int] | None = None
            for u in alt.units:
                ids = self._postings("han", u.text)
                docs = set(ids) if docs is None else docs & ids
            if any(text in f.text for d in docs or () for f in self._doc(d).fields):
                return alt._replace(budget=0)
            return alt

        tokens = tuple(
            tok._replace(whole=tuple(tighten(a) for a in tok.whole),
                         parts=tuple(t._replace(alternatives=tuple(tighten(a) for a in t.alternatives))
                                     for t in tok.parts))
            for tok in parsed.tokens)
        return parsed._replace(tokens=tokens)

    def _rank(self, parsed: ParsedQuery, allowed: set[int] | None):
        parsed = self._exact_only(parsed)
        alt_docs = self._candidates(parsed)
        terms = parsed.terms
        # Significant terms (words, pinyin words) decide what is a hit; a lone character such
        # as 省 or 家 in 省铝制家 only adds to the rank of a document found otherwise. If every
        # term is a lone character (锂 电), they all count.
        significant = {i for i, t in enumerate(terms) if t.significant} or set(range(len(terms)))
        # With an industry word and a place (上海 生物医药), a cluster must match the industry
        # word: the place ranks those in it first, it does not bring clusters of its own.
        required = {i for i in significant if not terms[i].place} or significant
        seeds: list[Alternative] = []
        first = 0
        for tok in parsed.tokens:  # candidates come from what can make a hit
            own = set(range(first, first + len(tok.parts)))
            if own & required:
                seeds += tok.whole
            seeds += [a for i in own & required for a in terms[i].alternatives]
            first += len(tok.parts)
        candidates: set[int] = set()
        for alt in seeds:
            candidates |= alt_docs.get(id(alt), set())
        if allowed is not None:
            candidates &= allowed
        scored = []
        matched_terms: set[int] = set()
        for docnum in candidates:
            doc = self._doc(docnum)
            result = evaluate(parsed, doc, lambda alt, n=docnum: n in alt_docs.get(id(alt), ()))
            if result is not None and result[2] & required:
                ranking, matches, found = result
                matched_terms |= found
                scored.append((ranking.key(), doc.data["id"], ranking, matches, doc, docnum, found))
        # Honesty: a significant term that matched nowhere means no meaningful match.
        if significant - matched_terms:
            return []
        # A place beside an industry word (湖北 汽车) narrows the hits as a filter does: the
        # total counts only clusters matching every place of the query.
        places = significant - required
        if places:
            scored = [s for s in scored if places <= s[6]]
        scored.sort(key=lambda s: (s[0], s[1]))
        return [(ranking, matches, doc, docnum) for _, _, ranking, matches, doc, docnum, _ in scored]

    def _hits(self, ranked, after) -> list[Hit]:
        hits = []
        title = self._catalog.values.title
        for i, (ranking, matches, doc, _) in enumerate(ranked):
            below = ranked[i + 1][0] if i + 1 < len(ranked) else (after[0] if after else None)
            hits.append(_hit(doc, ranking, matches, placed_by(ranking, below), title))
        return hits

    def _suggestion(self, parsed: ParsedQuery, filters: dict) -> str | None:
        """Spell each term as the corpus word it most likely means, if that finds hits.

        Pinyin becomes the word it spells (changzhou → 常州) or the nearest one within two
        edits (lidn → 锂电); hanzi only a word read the same way. A real word the corpus lacks
        (龙虾) gets no look-alike suggested.
        """
        words = []
        for term in parsed.terms:
            latin = term.text.isascii()
            letters = term.text if latin else "".join(
                (self.lexicon.readings(c) or ("",))[0] for c in term.text)
            same = self.lexicon.pywords.get(letters)
            near = self.lexicon.nearest(letters, 2) if latin and letters.isalpha() and len(letters) >= 3 else []
            if same:
                words.append(same[0])
            elif near:
                words.append(self.lexicon.pywords[near[0][0]][0])
            else:
                words.append(term.text)
        candidate = " ".join(words)
        if candidate == " ".join(t.text for t in parsed.terms):
            return None
        found = self._results(candidate, 1, 0, filters, False, suggest=False)
        return candidate if found.hits else None


def _hit(doc: Doc, ranking: Ranking | None, matches: list[Match], rule: str,
         title=lambda key: key) -> Hit:
    """A `Hit` for a ranked document (or, with no `ranking`, a browsed one: score 0)."""
    d = doc.data
    by_field: dict[int, list[Span]] = {}
    for m in matches:
        spans = by_field.setdefault(m.field, [])
        for k, channel in enumerate(m.channels):
            spans.append(Span(m.start + k, m.start + k + 1, "synonym" if m.synonym else channel))
    highlights = tuple(
        Highlight(doc.fields[f].kind, doc.fields[f].text, tuple(sorted(spans, key=lambda s: s.start)))
        for f, spans in sorted(by_field.items()))
    explain = {
        "placed_by": rule,
        "rules": ranking_dict(ranking) if ranking else {},
        "matches": [{"field": m.kind, "text": doc.fields[m.field].text[m.start:m.end],
                     "as": m.label, "channels": list(m.channels), "typos": m.typos,
                     "synonym": m.synonym} for m in matches],
    }
    return Hit(id=d["id"], name=d["name"], score=ranking.score() if ranking else 0.0,
               aliases=list(d["aliases"]), province=d["province"], city=d["city"],
               builder=d["builder"], type=d["type"], program=d["program"], lists=list(d["lists"]),
               district=d.get("district"), year=d.get("year"),
               list_titles=[title(k) for k in d["lists"]], highlights=highlights, explain=explain)
