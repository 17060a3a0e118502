"""Aligning a query alternative with a document: which characters matched, and how.

A document (`format.StoredDoc`) is a few fields (name, aliases, builders, place), each a string
with per-character readings written by the indexer. An alternative (a sequence of `Unit`s) matches a run of
consecutive characters of one field. Each unit reports its *channel* (exact hanzi, pinyin,
other reading, initials, prefix, homophone, fuzzy) so the ranking can prefer exact matches and
the CLI can highlight the characters, whatever channel matched them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from index.analysis import fuzzy_key
from index.format import (CH, FIELD_RANK, INITIAL_OF, READINGS, UNKNOWN_FIELD_RANK, Channel, Char, Key,
                          MatchField, Space, StoredDoc, position_key, unit_keys)
from search.query import FULL, HAN, INITIAL, LIT, PREFIX, Alternative, Unit

# Channel → (typos, exactness). Lower is better on both.
CHANNEL_COST: dict[Channel, tuple[int, int]] = {
    Channel.EXACT: (0, 0),
    Channel.PINYIN: (0, 1),
    Channel.INITIALS: (0, 3),
    Channel.PREFIX: (0, 3),
    # Another reading of a polyphone (长沙 as zhangsha): accepted, but as wrong in context as
    # a typo, so 省 read xing (反省) in 云南省玉溪 does not beat 新余 for xingyu.
    Channel.READING2: (1, 2),
    Channel.HOMOPHONE: (1, 1),
    Channel.FUZZY: (1, 2),
    # A look-alike (夭津 → 天津): a typo too, ranked below homophones and accent confusions.
    Channel.LOOKALIKE: (1, 3),
}

PART_OF_WORD = 2  # exactness cost of a match starting inside a word (乡羊 in 桐乡羊毛衫)

Doc = StoredDoc  # what the matcher reads: the indexer's stored document, decoded once
Field = MatchField


class Match(NamedTuple):
    """Where one alternative matched: field, span, and the channel of each character."""

    field: int
    kind: str
    start: int
    end: int
    channels: tuple[Channel, ...]
    typos: int
    exactness: int
    synonym: bool
    label: str

    def sort_key(self) -> tuple[int, bool, int, int, int]:
        return (self.typos, self.synonym, self.exactness, FIELD_RANK.get(self.kind, UNKNOWN_FIELD_RANK),
                self.start)


def start_keys(unit: Unit, allow_typos: bool) -> tuple[str, ...] | None:
    """Position keys where `unit` may start (`format.unit_keys`); None: anywhere."""
    if unit.kind == PREFIX:
        # An unfinished syllable starts the usual reading of the character (`unit_channel`),
        # so the character holds the fuzzy key of a syllable it starts (`query._keys_of`).
        if not unit.fuzzy:
            return None
        return tuple(sorted(k for f in unit.fuzzy if (k := position_key(Key(Space.FUZZY, f)))))
    keys = []
    for key in unit_keys(unit.kind, unit.text, unit.readings, unit.fuzzy, allow_typos, unit.shapes):
        pos = position_key(key)
        if pos is None:
            return None
        keys.append(pos)
    return tuple(keys)


def _starts(where: frozenset[str] | None, field: MatchField) -> Sequence[int]:
    """Positions where a unit could match: a superset, read from the field's position keys."""
    if where is None:
        return range(len(field.chars))
    return field.positions(where)


def unit_channel(unit: Unit, c: Char, allow_typos: bool) -> Channel | None:
    """How `unit` matches the prepared character `c`, or None."""
    kind = unit.kind
    if kind == LIT:
        return Channel.EXACT if c[CH].lower() == unit.text else None
    if kind == HAN:
        if unit.text == c[CH]:
            return Channel.EXACT
        # Homophones compare usual readings only: 夏 xia ~ 厦 xia, but not 谷 ~ 与 through
        # 谷's rare reading yu.
        if allow_typos and unit.primary and c[READINGS]:
            if unit.primary == c[READINGS][0]:
                return Channel.HOMOPHONE
            if fuzzy_key(unit.primary) == fuzzy_key(c[READINGS][0]):
                return Channel.FUZZY
        if allow_typos and c[CH] in unit.shapes:
            return Channel.LOOKALIKE
        return None
    readings = c[READINGS]
    if not readings:
        return None
    if kind == FULL:
        if unit.text == readings[0]:
            return Channel.PINYIN
        if allow_typos and unit.text in readings:
            return Channel.READING2
        if allow_typos and fuzzy_key(readings[0]) in unit.fuzzy:  # usual reading only
            return Channel.FUZZY
        return None
    # Abbreviations use the reading in context only: with every rare reading of every
    # character (能 xiong, 解 xie), initials would match almost anything. s/c/z also stand
    # for sh/ch/zh, as people type them (swyy = 生物医药).
    if kind == INITIAL:
        return Channel.INITIALS if unit.text == c[INITIAL_OF] or unit.text == readings[0][0] else None
    if kind == PREFIX:
        return Channel.PREFIX if readings[0].startswith(unit.text) else None
    return None


class _Shape(NamedTuple):
    """What `align` works out from an alternative alone (`_shape`)."""

    exact_han: bool  # hanzi only, no typo left: a substring search (`_find_exact`)
    allow: bool  # typo channels allowed
    abbreviation: bool  # initials only
    letters: str  # first letters every match spells in `MatchField.letters` ("": none known)
    where: frozenset[str] | None  # position keys where the first unit may start (None: anywhere)
    limit: int  # most typos a match may have
    least: tuple[int, int]  # least (typos, exactness) any match can have: none beats it
    # One-letter initials (qc, jq): every start `letters` finds matches each unit through
    # `Channel.INITIALS` (the letter is the usual reading's first): these channels, no test.
    spelled: tuple[Channel, ...] | None


# Per unit kind, the least exactness of its channels at no typo (`CHANNEL_COST`; a typo channel
# costs a typo, which ranks below any match without it).
LEAST_EXACTNESS = {HAN: 0, LIT: 0, FULL: 1, INITIAL: 3, PREFIX: 3}
# id(alternative) → (it, its shape): the alternative is kept alive with its entry, so its id is
# not reused while the entry stands. Cleared when full (alternatives come and go with queries).
_SHAPES: dict[int, tuple[Alternative, _Shape]] = {}
_MAX_SHAPES = 4096


def _shape(alt: Alternative) -> _Shape:
    found = _SHAPES.get(id(alt))
    if found is not None and found[0] is alt:
        return found[1]
    units = alt.units
    allow = alt.budget > alt.typos
    exact_han = not allow and all(u.kind == HAN for u in units)
    abbreviation = all(u.kind == INITIAL for u in units)
    # Where a match can start, by a substring search of the field's first letters (C speed)
    # instead of a look at every character's keys: each unit must then start with a known
    # letter as `unit_channel` accepts it, the usual reading's first letter: initials and
    # unfinished syllables always (they have no typo channel), a full syllable when no typo
    # channel is open (another reading or a fuzzy one may start with another letter).
    letters = ""
    if units and all(u.text and (u.kind in (INITIAL, PREFIX) or (u.kind == FULL and not allow)) for u in units):
        letters = "".join(u.text[0] for u in units)
    least = (alt.typos, sum(LEAST_EXACTNESS.get(u.kind, 0) for u in units))
    spelled = (Channel.INITIALS,) * len(units) if spelled_run(alt) else None
    shape = _Shape(exact_han, allow, abbreviation, letters, _start_keys(units[0], allow) if units else None,
                   max(alt.budget, alt.typos), least, spelled)
    if len(_SHAPES) >= _MAX_SHAPES:
        _SHAPES.clear()
    _SHAPES[id(alt)] = (alt, shape)
    return shape


def align(alt: Alternative, doc: Doc) -> Match | None:
    """The best place `alt` matches in `doc` (fewest typos, then exactness, field, position)."""
    units = alt.units
    m = len(units)
    if not m:
        return None
    shape = _shape(alt)
    if shape.exact_han:
        return _find_exact(alt, doc)
    allow = shape.allow
    abbreviation = shape.abbreviation
    spelled = shape.letters
    where = shape.where
    limit = shape.limit
    least_typos, least_exact = shape.least
    # The best so far, compared as `Match.sort_key` (the synonym flag is the alternative's).
    best_key: tuple[int, int, int, int] | None = None
    best_at: tuple[int, MatchField, Sequence[Channel]] | None = None
    fixed = shape.spelled
    fixed_exact = sum(CHANNEL_COST[ch][1] for ch in fixed) if fixed is not None else 0
    for fi, field in enumerate(doc.fields):
        if alt.kinds and field.kind not in alt.kinds:
            continue
        chars = field.chars
        bounds = field.bounds
        last_start = len(chars) - m
        rank = FIELD_RANK.get(field.kind, UNKNOWN_FIELD_RANK)
        for start in (_spelled_at(field.letters, spelled) if spelled else _starts(where, field)):
            if start > last_start:
                break
            typos = alt.typos
            channels: Sequence[Channel]
            if fixed is not None:
                exact = fixed_exact
                channels = fixed
            else:
                exact = 0
                channels = []
                for k in range(m):
                    ch = unit_channel(units[k], chars[start + k], allow and typos < alt.budget)
                    if ch is None:
                        break
                    t, e = CHANNEL_COST[ch]
                    typos += t
                    exact += e
                    channels.append(ch)
                if len(channels) < m:
                    continue  # a unit does not match here
            if typos > limit:
                continue
            if alt.words and _fragment(bounds, start, m) and field.text[start:start + m] not in alt.words:
                # The letters spell a corpus word (lidianchi: 锂电池) and matched other
                # characters read the same inside another word (力电池 of 动力电池): not the
                # word typed, as a homophone is not.
                typos += 1
            if start not in bounds:  # ends may fall inside a word: type-ahead
                if m > 1 and (m <= 2 or typos) and any(b in bounds for b in range(start + 1, start + m)):
                    # From inside one word into the next, a short or mistyped match is a
                    # coincidence (合肥|基于 is not feiji); a long one is not (针纺织|服装).
                    continue
                exact += PART_OF_WORD
            elif abbreviation and start + m not in bounds:
                exact += 1  # abbreviations stand for whole words: jdz is 景德镇, not 静电|植绒
            key = (typos, exact, rank, start)
            if best_key is None or key < best_key:
                best_key, best_at = key, (fi, field, channels)
                if typos == least_typos and exact == least_exact:
                    break  # no later start of this field can do better
        if (best_key is not None and best_key[0] == least_typos and best_key[1] == least_exact
                and best_key[2] == 0):
            break  # the best possible, in the name (the one field of rank 0)
    if best_key is None or best_at is None:
        return None
    typos, exact, _, start = best_key
    fi, field, channels = best_at
    return Match(fi, field.kind, start, start + m, tuple(channels), typos, exact, alt.synonym, alt.label)


def quick_check(alt: Alternative) -> Callable[[Doc], bool] | None:
    """A check much cheaper than `align` that is False when `alt` certainly does not match a
    document (one-letter initials spelled by no field's first letters, exact hanzi in no
    field's text, hanzi with too few typed as they appear to stay within the typo budget);
    None when there is none for `alt`."""
    units = alt.units
    spelled = spelled_run(alt)
    if spelled:
        return lambda doc: spelled in doc.letters
    if units and all(u.kind == HAN for u in units):
        if alt.budget <= alt.typos:
            text = "".join(u.text for u in units)
            return lambda doc: any(text in f.text for f in doc.fields)
        # Each unit not matched as typed spends a typo (a homophone, a look-alike): at least
        # `need` of them are typed as they appear, all in one field.
        need = len(units) - (alt.budget - alt.typos)
        if need > 0:
            chars = [u.text for u in units]
            return lambda doc: any(sum(c in f.text for c in chars) >= need for f in doc.fields)
    return None


def spelled_run(alt: Alternative) -> str:
    """The letters of an alternative of one-letter initials only (qqqq), else "": it matches a
    document only where they are a substring of its `StoredDoc.letters`."""
    units = alt.units
    if units and all(u.kind == INITIAL and len(u.text) == 1 for u in units):
        return "".join(u.text for u in units)
    return ""


def _spelled_at(letters: str, spelled: str) -> list[int]:
    """Every offset where `spelled` occurs in `letters` (overlaps included), ascending."""
    out = []
    pos = letters.find(spelled)
    while pos >= 0:
        out.append(pos)
        pos = letters.find(spelled, pos + 1)
    return out


@lru_cache(maxsize=4096)
def _start_keys(unit: Unit, allow_typos: bool) -> frozenset[str] | None:
    keys = start_keys(unit, allow_typos)
    return None if keys is None else frozenset(keys)


def _fragment(bounds: frozenset[int], start: int, m: int) -> bool:
    """A match of several characters starting inside a word (力电池 of 动力电池). One
    character read for letters that spell a longer word has paid already (`query._one_for_many`)."""
    return m > 1 and start not in bounds


def _find_exact(alt: Alternative, doc: Doc) -> Match | None:
    """`align` for exact hanzi with no typo allowed: a plain substring search, at C speed."""
    text = "".join(u.text for u in alt.units)
    kinds = alt.kinds
    # The best so far as `Match.sort_key` orders them (typos and synonym are the alternative's),
    # then the field's index: the first of equal matches is kept.
    best: tuple[int, int, int, int] | None = None
    for fi, field in enumerate(doc.fields):
        if kinds and field.kind not in kinds:
            continue
        ftext = field.text
        pos = ftext.find(text)
        if pos < 0:
            continue
        bounds = field.bounds
        rank = FIELD_RANK.get(field.kind, UNKNOWN_FIELD_RANK)
        while pos >= 0:
            key = (0 if pos in bounds else PART_OF_WORD, rank, pos, fi)
            if best is None or key < best:
                best = key
            pos = ftext.find(text, pos + 1)
        if best is not None and best[0] == 0 and field.rank == 0:
            break
    if best is None:
        return None
    exact, _, start, fi = best
    return Match(fi, doc.fields[fi].kind, start, start + len(text), (Channel.EXACT,) * len(text), alt.typos,
                 exact, alt.synonym, alt.label)


def best_match(alternatives: Iterable[Alternative], doc: Doc) -> Match | None:
    """The best match of any alternative of a term."""
    best: Match | None = None
    for alt in alternatives:
        m = align(alt, doc)
        if m is not None and (best is None or m.sort_key() < best.sort_key()):
            best = m
    return best
