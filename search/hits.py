"""What a search returns: `Hit`s with highlights and an explanation, and `Results`.

Plain values: no open reader inside, safe to keep, compare and serialise. `make_hit` turns a
ranked document into a `Hit`; channels are `format.Channel` members, which compare and
serialise as their plain names ("exact", "pinyin" …).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from index.format import Channel, FieldKind, StoredDoc
from search.match import Match
from search.output import mark
from search.rank import Ranking
from search.understand import Understood

HIT_KEYS = ("id", "name", "score", "aliases", "province", "city", "district", "builder", "type",
            "program", "year", "lists", "list_titles", "matched")
TAGS = ("<mark>", "</mark>")  # the default tags around matched characters in marked text


class Span(NamedTuple):
    """Characters [start, end) of a field's text that matched, and through which channel."""

    start: int
    end: int
    channel: Channel


class Highlight(NamedTuple):
    field: str  # a format.FieldKind: name, alias, builder, place
    text: str
    spans: tuple[Span, ...]

    def marked(self, open: str = TAGS[0], close: str = TAGS[1], escape: bool = True) -> str:
        """The text with matched characters between `open` and `close`: the text is
        HTML-escaped (unless `escape` is False), the caller's tags are inserted as given."""
        return mark(self.text, self.spans, open, close, _escape if escape else None)

    def to_dict(self, tags: tuple[str, str] = TAGS) -> dict[str, Any]:
        """``{"field", "text", "spans": [[start, end, channel], ...], "marked"}``."""
        name = _NAMES.get
        field, text, spans = self
        return {"field": name(field) or str(field), "text": text,
                "spans": [[start, end, name(channel) or str(channel)] for start, end, channel in spans],
                "marked": mark(text, spans, tags[0], tags[1], _escape)}


_NAMES: dict[Any, str] = {c: str(c) for c in (*Channel, *FieldKind)}  # str(c) without a Python call
_SPECIAL = re.compile("[&<>\"']").search


def _escape(text: str) -> str:
    """`html.escape(text)`, without its five replacements when nothing needs escaping (most
    names)."""
    return html.escape(text) if _SPECIAL(text) else text


@dataclass(frozen=True)
class ExplainMatch:
    """How one query term matched: where, as what, through which channels."""

    field: str
    text: str  # the matched characters
    reading: str  # what the query was read as (its alternative's label)
    channels: tuple[Channel, ...]
    typos: int
    synonym: bool

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "text": self.text, "as": self.reading,
                "channels": [str(c) for c in self.channels], "typos": self.typos,
                "synonym": self.synonym}


@dataclass(frozen=True)
class Explain:
    """Why a hit sits where it does: the rule that placed it above the next, and its matches.

    `to_dict()` gives ``{"placed_by", "rules", "matches"}``; ``explain["placed_by"]`` reads
    that dict too, as the API's earlier plain-dict form did.
    """

    placed_by: str  # a rank.RULES name, "tie", or "last"
    rules: Ranking
    matches: tuple[ExplainMatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"placed_by": self.placed_by, "rules": dict(self.rules._asdict()),
                "matches": [m.to_dict() for m in self.matches]}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]


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
    explain: Explain | None = field(default=None, compare=False, repr=False)
    # The query terms this hit matched (as `Results.terms` spells them); empty when browsing.
    matched: tuple[str, ...] = field(default=(), compare=False)

    __hash__ = None  # type: ignore[assignment]  # holds lists

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

    def to_dict(self, highlights: bool = True, tags: tuple[str, str] = TAGS) -> dict[str, Any]:
        """JSON-able: the `HIT_KEYS`, and unless `highlights` is False each matched field's
        spans and marked text (`tags` around matches, the text HTML-escaped)."""
        v = self.__dict__
        d: dict[str, Any] = {  # HIT_KEYS, in their order
            "id": v["id"], "name": v["name"], "score": v["score"], "aliases": v["aliases"],
            "province": v["province"], "city": v["city"], "district": v["district"],
            "builder": v["builder"], "type": v["type"], "program": v["program"], "year": v["year"],
            "lists": v["lists"], "list_titles": v["list_titles"], "matched": list(v["matched"])}
        if highlights:
            d["highlights"] = [h.to_dict(tags) for h in v["highlights"]]
        return d


@dataclass(frozen=True)
class Results:
    """One page of hits (best first), how many matched in all, and a "did you mean".

    `total` counts the whole hit set, as do `facets` (when asked for): per field, value →
    number of hits, "(none)" for hits without a value; `list_titles` names the lists of the
    list facet. `offset` and `limit` say which page this is; `filters` holds the filter
    values as resolved (江蘇 → 江苏).

    `total_exact` is False when the page was ranked best-first and ranking stopped once no
    other candidate could reach it (`search.bounds`; many candidates and a `limit`): the hits
    are still exactly the best ones, but `total` and `facets` then count the candidates the
    index's postings say may match, an upper bound of the hits (shown as "about N").
    """

    query: str
    hits: list[Hit]
    total: int
    suggestion: str | None = None
    offset: int = 0
    limit: int | None = None
    facets: dict[str, dict[str, int]] | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    list_titles: dict[str, str] = field(default_factory=dict)  # list key → title, for the list facet
    # False when ranking stopped early: `total` (and `facets`) are then upper bounds.
    total_exact: bool = True
    # Partial results (search.partial): the query's significant terms and understood filters
    # ("type=试点"), those dropped to find hits, and whether no hit matches all of them.
    terms: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    partial: bool = False
    # What the query was understood as: the text searched, filters found in it, noise notes.
    understood: Understood | None = None

    def to_dict(self, tags: tuple[str, str] = TAGS, explain: bool = False) -> dict[str, Any]:
        """The CLI's --json object: query, total, offset, limit, filters, hits (with
        highlights, and with `explain` each hit's explanation), facets and suggestion when
        present."""
        hits = []
        for h in self.hits:
            d = h.to_dict(tags=tags)
            if explain and h.explain:
                d["explain"] = h.explain.to_dict()
            hits.append(d)
        out: dict[str, Any] = {"query": self.query, "total": self.total, "total_exact": self.total_exact,
                               "offset": self.offset,
                               "limit": self.limit,
                               "filters": {k: list(v) for k, v in self.filters.items()}, "hits": hits}
        if self.facets is not None:
            out["facets"] = self.facets
            out["list_titles"] = self.list_titles
        if self.suggestion:
            out["suggestion"] = self.suggestion
        out["terms"] = list(self.terms)
        out["partial"] = self.partial
        out["dropped"] = list(self.dropped)
        if self.understood is not None:
            out["understood"] = self.understood.to_dict()
        return out


def make_hit(doc: StoredDoc, ranking: Ranking | None, matches: list[Match], rule: str,
             title: Callable[[str], str] = lambda key: key, matched: tuple[str, ...] = ()) -> Hit:
    """A `Hit` from a ranked document, its matches, and the rule that placed it; with no
    `ranking`, a browsed document (score 0, no highlights). `title` names a list.

    Its `explain` is made when first read (`_Why`): a page of the API asks for it only with
    ``explain=true``."""
    by_field: dict[int, list[Span]] = {}
    for m in matches:
        spans = by_field.get(m.field)
        if spans is None:
            spans = by_field[m.field] = []
        start = m.start
        if m.synonym:
            spans += [_new(Span, (k, k + 1, _SYNONYM)) for k in range(start, start + len(m.channels))]
        else:
            spans += [_new(Span, (k, k + 1, channel)) for k, channel in enumerate(m.channels, start)]
    fields = doc.fields
    highlights = tuple(
        _new(Highlight, (fields[f].kind, fields[f].text,
                         tuple(spans) if len(spans) == 1 else tuple(sorted(spans, key=_START))))
        for f, spans in sorted(by_field.items()))
    values = {
        "id": doc.id, "name": doc.name, "score": _score(ranking) if ranking else 0.0,
        "aliases": list(doc.aliases), "province": doc.province, "city": doc.city,
        "builder": doc.builder, "type": doc.type, "program": doc.program, "lists": list(doc.lists),
        "district": doc.district, "year": doc.year, "list_titles": _titles(doc, title),
        "highlights": highlights, "matched": matched}
    if ranking is None:
        values["explain"] = None
    else:
        values["_why"] = (rule, ranking, matches, fields)
    return _frozen(Hit, values)


class _Why:
    """`Hit.explain`, made from what `make_hit` kept (the rule, ranking, matches and fields)
    the first time it is read, then kept in the hit like any field (what was kept for it is
    dropped then)."""

    def __get__(self, hit: Hit | None, owner: type | None = None) -> Explain | None:
        if hit is None:
            return None  # the field's default, read on the class
        v = hit.__dict__
        found = v.get("explain", _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        why = v.get("_why")
        if why is None:  # none kept, or another thread has just made it
            return v.get("explain")
        rule, ranking, matches, fields = why
        explain = _frozen(Explain, {
            "placed_by": rule, "rules": ranking, "matches": tuple(_frozen(ExplainMatch, {
                "field": m.kind, "text": fields[m.field].text[m.start:m.end], "reading": m.label,
                "channels": m.channels, "typos": m.typos, "synonym": m.synonym}) for m in matches)})
        v["explain"] = explain
        v.pop("_why", None)
        return explain


Hit.explain = _Why()  # type: ignore[assignment]  # the dataclass' own __init__ still sets it
_MISSING = object()
_SYNONYM = Channel.SYNONYM
_START = itemgetter(0)
_new = tuple.__new__  # a NamedTuple without its Python-level __new__
_SCORES: dict[Ranking, float] = {}  # Ranking.score of the rankings seen (few distinct ones)


def _score(ranking: Ranking) -> float:
    score = _SCORES.get(ranking)
    if score is None:
        if len(_SCORES) >= 4096:
            _SCORES.clear()
        score = _SCORES[ranking] = ranking.score()
    return score


def _titles(doc: StoredDoc, title: Callable[[str], str]) -> list[str]:
    """The titles of the document's lists, kept in the (cached, per generation) document
    while `title` is the same."""
    kept = doc.__dict__.get("_list_titles")
    if kept is None or kept[0] != title:
        kept = (title, [title(k) for k in doc.lists])
        doc.__dict__["_list_titles"] = kept
    return list(kept[1])


T = TypeVar("T")


def _frozen(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the frozen dataclass `cls` with every field in `values`, as its
    `__init__` would make it (which sets each field through `object.__setattr__`: ~7 µs for a
    `Hit`, a tenth of that here). `values` must name every field."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj
