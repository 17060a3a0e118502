"""The public API: `Searcher` opens an index and answers queries with `Hit`s.

Whoosh finds the candidates (any document holding the characters, syllables, fuzzy keys or
initials a query alternative needs, through its inverted index), the matcher aligns each
candidate, and the ranking rules order them. Hits are plain values: no open reader inside.
"""

from __future__ import annotations

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
from index.errors import QueryError
from search.catalog import Catalog
from search.complete import Completion
from search.lexicon import Lexicon
from search.records import Record
from search.match import Doc, Match, decode
from search.query import HAN, LIT, Alternative, ParsedQuery, parse_query
from search.rank import Ranking, evaluate, placed_by, ranking_dict

HIT_KEYS = ("id", "name", "score", "aliases", "province", "city", "builder", "type", "program", "lists")


class Span(NamedTuple):
    """Characters [start, end) of a field's text that matched, and through which channel."""

    start: int
    end: int
    channel: str  # exact, pinyin, reading2, initials, prefix, homophone, fuzzy, synonym, typo


class Highlight(NamedTuple):
    field: str  # name, alias, builder, place
    text: str
    spans: tuple[Span, ...]


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
    highlights: tuple[Highlight, ...] = field(default=(), compare=False, repr=False)
    explain: dict = field(default_factory=dict, compare=False, repr=False)

    __hash__ = None  # holds lists

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in HIT_KEYS}


@dataclass(frozen=True)
class Results:
    """Hits (best first, at most `limit`), how many matched in all, and a "did you mean"."""

    query: str
    hits: list[Hit]
    total: int
    suggestion: str | None = None


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
        self._catalog = Catalog(self.generation, self.lexicon.simplify)
        self._docs: dict[int, Doc] = {}
        self._postings_cache: dict[tuple[str, str], frozenset[int]] = {}
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
        return self._results(query, limit, (province, type, program), suggest=True)

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
    def _results(self, query: str, limit: int, filters: tuple, suggest: bool) -> Results:
        if not isinstance(limit, int) or limit < 1:
            raise QueryError("limit must be a positive whole number")
        parsed = parse_query(query, self.lexicon)
        allowed = self._filter(*filters)
        ranked = self._rank(parsed, allowed)
        if (not ranked and any(t.text.isascii() for t in parsed.terms)
                and (allowed is None or not self._rank(parsed, None))):
            # Nothing anywhere as typed (not merely outside the filters): let pinyin letter
            # typos be corrected (lidain → lidian).
            parsed = parse_query(query, self.lexicon, correct=True)
            ranked = self._rank(parsed, allowed)
        hits = self._hits(ranked[:limit], ranked[limit] if len(ranked) > limit else None)
        suggestion = None
        if not ranked and suggest:
            suggestion = self._suggestion(parsed, filters)
        return Results(parsed.text, hits, len(ranked), suggestion)

    def _doc(self, docnum: int) -> Doc:
        doc = self._docs.get(docnum)
        if doc is None:
            with self._lock:
                stored = self._searcher.stored_fields(docnum)["doc"]
            doc = self._docs[docnum] = decode(stored)
        return doc

    def _filter(self, province, type, program) -> set[int] | None:
        terms = []
        if province:
            terms.append(wq.Term("province", strip_place_suffix(province.strip())))
        if type:
            terms.append(wq.Term("type", type.strip().strip("()（）")))
        if program:
            terms.append(wq.Term("program", self._program(program.strip())))
        if not terms:
            return None
        with self._lock:
            return set(self._searcher.docs_for_query(wq.And(terms)))

    def _program(self, text: str) -> str:
        with self._lock:
            programs = [p.decode() for p in self._searcher.lexicon("program")]
        if text in programs:
            return text
        matches = [p for p in programs if text in p]
        return matches[0] if len(matches) == 1 else text

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
                scored.append((ranking.key(), doc.data["id"], ranking, matches, doc))
        # Honesty: a significant term that matched nowhere means no meaningful match.
        if significant - matched_terms:
            return []
        scored.sort(key=lambda s: (s[0], s[1]))
        return [(ranking, matches, doc) for _, _, ranking, matches, doc in scored]

    def _hits(self, ranked, after) -> list[Hit]:
        hits = []
        for i, (ranking, matches, doc) in enumerate(ranked):
            below = ranked[i + 1][0] if i + 1 < len(ranked) else (after[0] if after else None)
            hits.append(_hit(doc, ranking, matches, placed_by(ranking, below)))
        return hits

    def _suggestion(self, parsed: ParsedQuery, filters: tuple) -> str | None:
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
        found = self._results(candidate, 1, filters, suggest=False)
        return candidate if found.hits else None


def _hit(doc: Doc, ranking: Ranking, matches: list[Match], rule: str) -> Hit:
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
        "rules": ranking_dict(ranking),
        "matches": [{"field": m.kind, "text": doc.fields[m.field].text[m.start:m.end],
                     "as": m.label, "channels": list(m.channels), "typos": m.typos,
                     "synonym": m.synonym} for m in matches],
    }
    return Hit(id=d["id"], name=d["name"], score=ranking.score(), aliases=list(d["aliases"]),
               province=d["province"], city=d["city"], builder=d["builder"], type=d["type"],
               program=d["program"], lists=list(d["lists"]), highlights=highlights, explain=explain)
