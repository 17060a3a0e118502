"""Aligning a query alternative with a document: which characters matched, and how.

A document is a few fields (name, aliases, builders, place), each a string with per-character
readings written by the indexer. An alternative (a sequence of `Unit`s) matches a run of
consecutive characters of one field. Each unit reports its *channel* (exact hanzi, pinyin,
other reading, initials, prefix, homophone, fuzzy) so the ranking can prefer exact matches and
the CLI can highlight the characters, whatever channel matched them.
"""

from __future__ import annotations

from typing import NamedTuple

from index.analysis import FULL, INITIAL, PREFIX, fuzzy_key
from index.document import FIELD_RANK
from search.query import HAN, LIT, Alternative

# Channel → (typos, exactness). Lower is better on both.
CHANNELS = {
    "exact": (0, 0),
    "pinyin": (0, 1),
    "initials": (0, 3),
    "prefix": (0, 3),
    # Another reading of a polyphone (长沙 as zhangsha): accepted, but as wrong in context as
    # a typo, so 省 read xing (反省) in 云南省玉溪 does not beat 新余 for xingyu.
    "reading2": (1, 2),
    "homophone": (1, 1),
    "fuzzy": (1, 2),
}


PART_OF_WORD = 2  # exactness cost of a match starting inside a word (乡羊 in 桐乡羊毛衫)

# A character, as the indexer prepared it (index.document.match_field):
CH, READINGS, INITIAL_OF = range(3)


class Field(NamedTuple):
    kind: str
    rank: int
    text: str
    chars: tuple[tuple, ...]  # (char, readings, initial of the usual reading)
    at: dict[str, tuple[int, ...]]  # "c:锂", "r:li", "f:li", "i:l" → positions, to find starts fast
    bounds: frozenset[int]  # offsets where words start or end


class Doc(NamedTuple):
    """A stored document, decoded once and cached by the searcher."""

    data: dict
    fields: tuple[Field, ...]


class Match(NamedTuple):
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


def decode(stored: dict) -> Doc:
    """Wrap the indexer's stored document (already prepared for matching) as a `Doc`."""
    fields = tuple(Field(kind, FIELD_RANK.get(kind, 9), text, chars, at, bounds)
                   for kind, text, chars, at, bounds in stored["f"])
    return Doc(stored, fields)


def _starts(unit, field: Field, allow_typos: bool):
    """Positions where `unit` could match: a superset, read from the field's position index."""
    if unit.kind == PREFIX:
        return range(len(field.chars))
    if unit.kind == LIT:
        keys = ["c:" + unit.text]
    elif unit.kind == HAN:
        keys = ["c:" + unit.text]
        if allow_typos:
            keys += ["r:" + r for r in unit.readings] + ["f:" + f for f in unit.fuzzy]
    elif unit.kind == FULL:
        keys = ["r:" + unit.text] + (["f:" + f for f in unit.fuzzy] if allow_typos else [])
    else:
        keys = ["i:" + unit.text]
    found = [field.at[k] for k in keys if k in field.at]
    if len(found) == 1:
        return found[0]
    return sorted({i for positions in found for i in positions})


def unit_channel(unit, c: tuple, allow_typos: bool) -> str | None:
    """How `unit` matches the prepared character `c`, or None."""
    kind = unit.kind
    if kind == LIT:
        return "exact" if c[CH].lower() == unit.text else None
    if kind == HAN:
        if unit.text == c[CH]:
            return "exact"
        # Homophones compare usual readings only: 夏 xia ~ 厦 xia, but not 谷 ~ 与 through
        # 谷's rare reading yu.
        if allow_typos and unit.primary and c[READINGS]:
            if unit.primary == c[READINGS][0]:
                return "homophone"
            if fuzzy_key(unit.primary) == fuzzy_key(c[READINGS][0]):
                return "fuzzy"
        return None
    readings = c[READINGS]
    if not readings:
        return None
    if kind == FULL:
        if unit.text == readings[0]:
            return "pinyin"
        if allow_typos and unit.text in readings:
            return "reading2"
        if allow_typos and fuzzy_key(readings[0]) in unit.fuzzy:  # usual reading only
            return "fuzzy"
        return None
    # Abbreviations use the reading in context only: with every rare reading of every
    # character (能 xiong, 解 xie), initials would match almost anything. s/c/z also stand
    # for sh/ch/zh, as people type them (swyy = 生物医药).
    if kind == INITIAL:
        return "initials" if unit.text == c[INITIAL_OF] or unit.text == readings[0][0] else None
    if kind == PREFIX:
        return "prefix" if readings[0].startswith(unit.text) else None
    return None


def align(alt: Alternative, doc: Doc) -> Match | None:
    """The best place `alt` matches in `doc` (fewest typos, then exactness, field, position)."""
    units = alt.units
    m = len(units)
    if not m:
        return None
    allow = alt.budget > alt.typos
    if not allow and all(u.kind == HAN for u in units):
        return _find_exact(alt, doc)
    abbreviation = all(u.kind == INITIAL for u in units)
    best: Match | None = None
    for fi, field in enumerate(doc.fields):
        chars = field.chars
        last_start = len(chars) - m
        for start in _starts(units[0], field, allow):
            if start > last_start:
                break
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
                if start not in field.bounds:  # ends may fall inside a word: type-ahead
                    if (m <= 2 or typos) and any(b in field.bounds for b in range(start + 1, start + m)):
                        # From inside one word into the next, a short or mistyped match is a
                        # coincidence (合肥|基于 is not feiji); a long one is not (针纺织|服装).
                        continue
                    exact += PART_OF_WORD
                elif abbreviation and start + m not in field.bounds:
                    exact += 1  # abbreviations stand for whole words: jdz is 景德镇, not 静电|植绒
                match = Match(fi, field.kind, start, start + m, tuple(channels), typos, exact,
                              alt.synonym, alt.label)
                if best is None or match.sort_key() < best.sort_key():
                    best = match
                    if typos == 0 and exact == 0 and field.rank == 0:
                        return best
    return best


def _find_exact(alt: Alternative, doc: Doc) -> Match | None:
    """`align` for exact hanzi with no typo allowed: a plain substring search, at C speed."""
    text = "".join(u.text for u in alt.units)
    best: Match | None = None
    for fi, field in enumerate(doc.fields):
        pos = field.text.find(text)
        while pos >= 0:
            exact = 0 if pos in field.bounds else PART_OF_WORD
            match = Match(fi, field.kind, pos, pos + len(text), ("exact",) * len(text), alt.typos,
                          exact, alt.synonym, alt.label)
            if best is None or match.sort_key() < best.sort_key():
                best = match
            pos = field.text.find(text, pos + 1)
        if best is not None and best.exactness == 0 and field.rank == 0:
            break
    return best


def best_match(alternatives, doc: Doc) -> Match | None:
    """The best match of any alternative of a term."""
    best = None
    for alt in alternatives:
        m = align(alt, doc)
        if m is not None and (best is None or m.sort_key() < best.sort_key()):
            best = m
    return best
