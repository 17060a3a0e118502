"""Aligning a query alternative with a document: which characters matched, and how.

A document is a few fields (name, aliases, builders, place), each a string with per-character
readings written by the indexer. An alternative (a sequence of `Unit`s) matches a run of
consecutive characters of one field. Each unit reports its *channel* (exact hanzi, pinyin,
other reading, initials, prefix, homophone, fuzzy) so the ranking can prefer exact matches and
the CLI can highlight the characters, whatever channel matched them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from index.analysis import FULL, INITIAL, PREFIX, fuzzy_key, initial
from index.document import FIELD_RANK
from search.query import HAN, Alternative

# Channel → (typos, exactness). Lower is better on both.
CHANNELS = {
    "exact": (0, 0),
    "pinyin": (0, 1),
    "reading2": (0, 2),  # another reading of a polyphone (长沙 as zhangsha)
    "initials": (0, 3),
    "prefix": (0, 3),
    "homophone": (1, 1),
    "fuzzy": (1, 2),
}


@dataclass(frozen=True)
class Char:
    ch: str
    readings: tuple[str, ...]
    reading_set: frozenset[str]
    fuzzy: frozenset[str]
    initials: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    kind: str
    rank: int
    text: str
    chars: tuple[Char, ...]


@dataclass(frozen=True)
class Doc:
    """A stored document, decoded once and cached by the searcher."""

    data: dict
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Match:
    """Where one alternative matched: field, span, and the channel of each character."""

    field: int
    kind: str
    start: int
    end: int
    channels: tuple[str, ...]
    typos: int
    exactness: int
    synonym: bool
    label: str

    def sort_key(self) -> tuple:
        return (self.typos, self.synonym, self.exactness, FIELD_RANK.get(self.kind, 9), self.start)


def decode(stored: str) -> Doc:
    """Turn the indexer's stored JSON into a `Doc` ready for matching."""
    data = json.loads(stored)
    fields = []
    for kind, text, readings in data["f"]:
        chars = []
        for ch, r in zip(text, readings):
            syls = tuple(r.split())
            chars.append(Char(ch, syls, frozenset(syls), frozenset(fuzzy_key(s) for s in syls),
                              tuple(dict.fromkeys(initial(s) for s in syls))))
        fields.append(Field(kind, FIELD_RANK.get(kind, 9), text, tuple(chars)))
    return Doc(data, tuple(fields))


def unit_channel(unit, c: Char, allow_typos: bool) -> str | None:
    """How `unit` matches character `c`, or None."""
    kind = unit.kind
    if kind == HAN:
        if unit.text == c.ch:
            return "exact"
        if allow_typos and c.readings:
            if unit.readings & c.reading_set:
                return "homophone"
            if unit.fuzzy & c.fuzzy:
                return "fuzzy"
        return None
    if not c.readings:
        return None
    if kind == FULL:
        if unit.text == c.readings[0]:
            return "pinyin"
        if unit.text in c.reading_set:
            return "reading2"
        if allow_typos and unit.fuzzy & c.fuzzy:
            return "fuzzy"
        return None
    if kind == INITIAL:
        if unit.text == c.initials[0]:
            return "initials"
        return "reading2" if unit.text in c.initials else None
    if kind == PREFIX:
        if c.readings[0].startswith(unit.text):
            return "prefix"
        return "reading2" if any(r.startswith(unit.text) for r in c.readings) else None
    return None


def align(alt: Alternative, doc: Doc) -> Match | None:
    """The best place `alt` matches in `doc` (fewest typos, then exactness, field, position)."""
    units = alt.units
    m = len(units)
    if not m:
        return None
    allow = alt.budget > alt.typos
    best: Match | None = None
    for fi, field in enumerate(doc.fields):
        chars = field.chars
        for start in range(len(chars) - m + 1):
            typos = alt.typos
            exact = 0
            channels = []
            for k in range(m):
                ch = unit_channel(units[k], chars[start + k], allow and typos < alt.budget)
                if ch is None:
                    break
                t, e = CHANNELS[ch]
                typos += t
                exact += e
                channels.append(ch)
            else:
                if typos > max(alt.budget, alt.typos):
                    continue
                match = Match(fi, field.kind, start, start + m, tuple(channels), typos, exact,
                              alt.synonym, alt.label)
                if best is None or match.sort_key() < best.sort_key():
                    best = match
                    if typos == 0 and exact == 0 and field.rank == 0:
                        return best
    return best


def best_match(alternatives, doc: Doc) -> Match | None:
    """The best match of any alternative of a term."""
    best = None
    for alt in alternatives:
        m = align(alt, doc)
        if m is not None and (best is None or m.sort_key() < best.sort_key()):
            best = m
    return best
