"""What a search returns: `Hit`s with highlights and an explanation, and `Results`.

Plain values: no open reader inside, safe to keep, compare and serialise. `make_hit` turns a
ranked document into a `Hit`; channels are `format.Channel` members, which compare and
serialise as their plain names ("exact", "pinyin" …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from index.format import Channel, StoredDoc
from search.match import Match
from search.rank import Ranking

HIT_KEYS = ("id", "name", "score", "aliases", "province", "city", "builder", "type", "program", "lists")


class Span(NamedTuple):
    """Characters [start, end) of a field's text that matched, and through which channel."""

    start: int
    end: int
    channel: Channel


class Highlight(NamedTuple):
    field: str  # a format.FieldKind: name, alias, builder, place
    text: str
    spans: tuple[Span, ...]


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
    highlights: tuple[Highlight, ...] = field(default=(), compare=False, repr=False)
    explain: Explain | None = field(default=None, compare=False, repr=False)

    __hash__ = None  # type: ignore[assignment]  # holds lists

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in HIT_KEYS}


@dataclass(frozen=True)
class Results:
    """Hits (best first, at most `limit`), how many matched in all, and a "did you mean"."""

    query: str
    hits: list[Hit]
    total: int
    suggestion: str | None = None


def make_hit(doc: StoredDoc, ranking: Ranking, matches: list[Match], rule: str) -> Hit:
    """A `Hit` from a ranked document, its matches, and the rule that placed it."""
    by_field: dict[int, list[Span]] = {}
    for m in matches:
        spans = by_field.setdefault(m.field, [])
        for k, channel in enumerate(m.channels):
            spans.append(Span(m.start + k, m.start + k + 1, Channel.SYNONYM if m.synonym else channel))
    highlights = tuple(
        Highlight(doc.fields[f].kind, doc.fields[f].text, tuple(sorted(spans, key=lambda s: s.start)))
        for f, spans in sorted(by_field.items()))
    explain = Explain(rule, ranking, tuple(
        ExplainMatch(m.kind, doc.fields[m.field].text[m.start:m.end], m.label, m.channels, m.typos,
                     m.synonym) for m in matches))
    return Hit(id=doc.id, name=doc.name, score=ranking.score(), aliases=list(doc.aliases),
               province=doc.province, city=doc.city, builder=doc.builder, type=doc.type,
               program=doc.program, lists=list(doc.lists), highlights=highlights, explain=explain)
