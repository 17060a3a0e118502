"""The contract between the indexer and the query layer: what one index generation holds.

The indexer writes through this module and the query layer reads through it. Nothing else
knows a Whoosh field name, the layout of a stored document, a position key, or the layout of
the lexicon files:

- `Fields`: the Whoosh field names (`index.schema` gives them types and analyzers);
- `StoredDoc` / `MatchField`: the document stored with each record, with `encode` / `decode`
  the only functions that know its bytes;
- `Kind`, `Channel`, `FieldKind`: what a query unit is, how a character matched, which field;
- `unit_keys`: for one query unit, the index keys that can hold it, used both to fetch
  candidates from Whoosh (`postings_field`) and to find where to align (`MatchField.starts`);
- `LexiconData`, `CharmapData` and the `write_*` / `read_*` functions for the lexicon files.

Standard library only: the query path imports it at no cost. Bump `SCHEMA_VERSION` whenever
anything here changes meaning; it is part of the index fingerprint, so a stale index is
rebuilt instead of misread.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from index.typotable import TypoTable

SCHEMA_VERSION = 8


class _Names(str, Enum):
    """A closed set of names that also compare, hash and print as their plain strings."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


# --------------------------------------------------------------------------------------------
# Whoosh fields
# --------------------------------------------------------------------------------------------

class Fields:
    """Whoosh field names. Types and analyzers are in `index.schema.make_schema`."""

    ID = "id"  # a column: the record id of each document (incremental builds delete by it)
    DOC = "doc"  # the stored document (`encode` / `decode`)
    # filters
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    TYPE = "type"
    PROGRAM = "program"
    LISTS = "lists"
    YEAR = "year"
    ORDER = "order"  # browsing order: pinyin of province, city, district, name (sortable column)
    # what a query can match
    HAN = "han"  # every hanzi
    LIT = "lit"  # letters and digits, lower-cased (G60)
    PY = "py"  # every reading of every char (full syllables)
    PYF = "pyf"  # fuzzy keys of those readings (z/zh, in/ing …)
    PYI = "pyi"  # initials of the reading in context (and their first letter: s for sh)
    PAIRS = "pairs"  # fuzzy keys of neighbouring characters (can_sa for 长沙): adjacency
    IPAIRS = "ipairs"  # initials of neighbouring characters (s_w, sh_w for 生物): adjacency


def pair_term(a: str, b: str) -> str:
    """The `PAIRS` / `IPAIRS` term for two neighbouring characters with keys `a` and `b`."""
    return f"{a}_{b}"


# --------------------------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------------------------

class Kind(_Names):
    """What one unit of a query is; one unit is matched against one character.

    FULL, INITIAL and PREFIX are the pieces Latin input is parsed into (`index.analysis`);
    HAN and LIT are typed characters.
    """

    HAN = "han"  # a hanzi as typed
    LIT = "lit"  # a letter or digit matched as written (G60)
    FULL = "full"  # a whole pinyin syllable (xin)
    INITIAL = "initial"  # an abbreviation (x, zh)
    PREFIX = "prefix"  # an unfinished last syllable (type-ahead)


class Channel(_Names):
    """How one character matched. `search.match.CHANNEL_COST` says what each one costs."""

    EXACT = "exact"  # the character as typed
    PINYIN = "pinyin"  # its reading in context
    READING2 = "reading2"  # another reading of a polyphone (长沙 as zhangsha)
    INITIALS = "initials"  # an abbreviation (jqr)
    PREFIX = "prefix"  # the start of its reading, at the end of the query (xiny)
    HOMOPHONE = "homophone"  # a hanzi read the same (夏门 → 厦门)
    LOOKALIKE = "lookalike"  # a hanzi of the same shape, read otherwise (夭津 → 天津: OCR, retyping)
    FUZZY = "fuzzy"  # a regional-accent confusion (xingyu → 新余)
    SYNONYM = "synonym"  # through the thesaurus (锂电池 → 锂电)


class FieldKind(_Names):
    """The kinds of text a record offers to match, best first."""

    NAME = "name"
    ALIAS = "alias"
    BUILDER = "builder"
    PLACE = "place"


# Field kinds, in the order the ranking prefers them (name > alias > builder > place).
FIELD_RANK: dict[str, int] = {FieldKind.NAME: 0, FieldKind.ALIAS: 1, FieldKind.BUILDER: 2,
                              FieldKind.PLACE: 3}
UNKNOWN_FIELD_RANK = 9


# --------------------------------------------------------------------------------------------
# Keys: where a unit can be found
# --------------------------------------------------------------------------------------------

class Space(_Names):
    """The kinds of index key; each has a Whoosh field and a position-key prefix."""

    HANZI = "hanzi"
    LETTER = "letter"
    READING = "reading"
    FUZZY = "fuzzy"
    INITIAL = "initial"
    READING_PREFIX = "reading_prefix"  # readings starting with the text (expanded, not looked up)


class Key(NamedTuple):
    space: Space
    text: str


_FIELD_OF = {Space.HANZI: Fields.HAN, Space.LETTER: Fields.LIT, Space.READING: Fields.PY,
             Space.FUZZY: Fields.PYF, Space.INITIAL: Fields.PYI, Space.READING_PREFIX: Fields.PY}
# Position keys in a stored field. Hanzi and letters share one space: a char as written.
_POSITION_PREFIX = {Space.HANZI: "c:", Space.LETTER: "c:", Space.READING: "r:", Space.FUZZY: "f:",
                    Space.INITIAL: "i:"}


def unit_keys(kind: str, text: str, readings: Iterable[str] = (), fuzzy: Iterable[str] = (),
              allow_typos: bool = False, shapes: Iterable[str] = ()) -> tuple[Key, ...]:
    """The index keys that can hold a query unit: ONE decision for retrieval and alignment.

    A hanzi is found as itself and, when a typo may still be spent, under any of its
    readings or their fuzzy keys (homophones) and as any of its look-alikes `shapes`; a syllable under itself, or its fuzzy key
    with a typo to spend; an initial as an initial; an unfinished syllable under every
    reading it starts.

    >>> [(str(space), text) for space, text in unit_keys(Kind.FULL, "li", fuzzy=["li"], allow_typos=True)]
    [('reading', 'li'), ('fuzzy', 'li')]
    """
    if kind == Kind.LIT:
        return (Key(Space.LETTER, text),)
    if kind == Kind.HAN:
        keys = [Key(Space.HANZI, text)]
        if allow_typos:
            keys += [Key(Space.READING, r) for r in readings] + [Key(Space.FUZZY, f) for f in fuzzy]
            keys += [Key(Space.HANZI, s) for s in shapes]
        return tuple(keys)
    if kind == Kind.FULL:
        return (Key(Space.READING, text),) + (
            tuple(Key(Space.FUZZY, f) for f in fuzzy) if allow_typos else ())
    if kind == Kind.INITIAL:
        return (Key(Space.INITIAL, text),)
    return (Key(Space.READING_PREFIX, text),)


def postings_field(key: Key) -> str:
    """The Whoosh field that holds `key` (a READING_PREFIX key is expanded in it)."""
    return _FIELD_OF[key.space]


def position_key(key: Key) -> str | None:
    """The stored position key of `key`, or None for a prefix (it may start anywhere)."""
    prefix = _POSITION_PREFIX.get(key.space)
    return None if prefix is None else prefix + key.text


def char_keys(ch: str, readings: tuple[str, ...], initial: str, fuzzy: Iterable[str]) -> set[Key]:
    """Every key a prepared character is found under (the indexer's side of `unit_keys`)."""
    keys = {Key(Space.HANZI, ch.lower())} | {Key(Space.READING, r) for r in readings}
    keys |= {Key(Space.FUZZY, f) for f in fuzzy}
    if initial:
        keys |= {Key(Space.INITIAL, initial), Key(Space.INITIAL, initial[0])}  # s also abbreviates sh
    return keys


# --------------------------------------------------------------------------------------------
# The stored document
# --------------------------------------------------------------------------------------------

# A prepared character: (char, readings with the one in context first, initial of that one).
Char = tuple[str, tuple[str, ...], str]
CH: Final = 0
READINGS: Final = 1
INITIAL_OF: Final = 2


class MatchField(NamedTuple):
    """One text of a record prepared for the matcher, so that queries do no per-char work."""

    kind: str  # a FieldKind
    rank: int  # FIELD_RANK of the kind
    text: str
    chars: tuple[Char, ...]
    at: Mapping[str, tuple[int, ...]]  # position key → offsets (see `starts`)
    bounds: frozenset[int]  # offsets where words start or end (always 0 and len(text))

    def starts(self, keys: Iterable[Key]) -> range | tuple[int, ...] | list[int]:
        """Offsets where a unit with these `unit_keys` may match: a superset, ascending."""
        found = []
        for key in keys:
            pos = position_key(key)
            if pos is None:
                return range(len(self.chars))
            if pos in self.at:
                found.append(self.at[pos])
        if len(found) == 1:
            return found[0]
        return sorted({i for positions in found for i in positions})


def match_field(kind: str, text: str, chars: Iterable[Char], keys_of: Iterable[set[Key]],
                bounds: Iterable[int] = ()) -> MatchField:
    """A `MatchField` from its characters and, per character, the keys it is found under."""
    at: dict[str, list[int]] = {}
    for i, keys in enumerate(keys_of):
        for key in keys:
            pos = position_key(key)
            if pos is not None:
                at.setdefault(pos, []).append(i)
    edges = frozenset(bounds) | {0, len(text)}
    return MatchField(kind, FIELD_RANK.get(kind, UNKNOWN_FIELD_RANK), text, tuple(chars),
                      {k: tuple(v) for k, v in at.items()}, edges)


@dataclass(frozen=True)
class StoredDoc:
    """What the index keeps of one record: hit data plus its fields prepared for matching."""

    id: str
    name: str
    aliases: tuple[str, ...]
    province: str | None
    city: str | None
    district: str | None
    builder: str | None
    type: str | None
    program: str
    lists: tuple[str, ...]
    year: int | None
    fields: tuple[MatchField, ...]


def encode(doc: StoredDoc) -> dict[str, Any]:
    """The value stored in Whoosh's `Fields.DOC` (pickled by Whoosh; plain built-in types)."""
    return {
        "id": doc.id,
        "name": doc.name,
        "aliases": list(doc.aliases),
        "province": doc.province,
        "city": doc.city,
        "district": doc.district,
        "builder": doc.builder,
        "type": doc.type,
        "program": doc.program,
        "lists": list(doc.lists),
        "year": doc.year,
        "f": [(str(f.kind), f.text, f.chars, dict(f.at), f.bounds) for f in doc.fields],
    }


def decode(stored: Mapping[str, Any]) -> StoredDoc:
    """The `StoredDoc` that `encode` wrote."""
    fields = tuple(MatchField(kind, FIELD_RANK.get(kind, UNKNOWN_FIELD_RANK), text, chars, at, bounds)
                   for kind, text, chars, at, bounds in stored["f"])
    return StoredDoc(stored["id"], stored["name"], tuple(stored["aliases"]), stored["province"],
                     stored["city"], stored["district"], stored["builder"], stored["type"],
                     stored["program"], tuple(stored["lists"]), stored["year"], fields)


# --------------------------------------------------------------------------------------------
# The lexicon files
# --------------------------------------------------------------------------------------------

LEXICON = "lexicon.json"  # read on open: vocabulary, readings, pinyin words, synonyms …
CHARMAP = "charmap.json"  # read lazily: readings of all common characters, traditional → simplified
TYPOS = "typos.tsv"  # looked up on disk (index.typotable): pinyin words by their one-deletion variants
# What surrounds the match (read lazily by search.catalog):
RECORDS = "records.jsonl"  # every record in full (`Record.to_dict()`), one a line: get, export, stats
VALUES = "values.json"  # filter values with counts and the other names they go by (index.values)
COMPLETE = "complete.json"  # type-ahead suggestions with pinyin and counts (index.completion)


@dataclass(frozen=True)
class LexiconData:
    """What the query layer needs to understand a query without jieba or pypinyin."""

    vocab: frozenset[str]  # words jieba decided, synonyms, stop words, short place names
    chars: dict[str, tuple[str, ...]]  # corpus char → readings, the usual one in the corpus first
    pywords: dict[str, list[str]]  # joined pinyin → corpus words spelled so
    synonyms: dict[str, list[str]]  # folded term → terms it also matches
    stopwords: frozenset[str]
    places: frozenset[str]  # place names (with and without suffix)
    # Words that describe a wish, not a constraint (地方, 基地): a term made of one only adds rank.
    generic: frozenset[str] = frozenset()
    # English phrase → (kind, Chinese terms); nickname → (kind, words it names). Kinds are
    # those of english.tsv (industry, place, filler) and nicknames.tsv (place, zone).
    english: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    nicknames: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class CharmapData:
    pinyin: dict[str, str]  # char → space-separated readings (every common character)
    t2s: dict[str, str]  # traditional → simplified
    # char → the corpus characters of the same shape (lookalikes.tsv, kept only where the
    # look-alike occurs in the corpus): 夭 → 天, 东 → 车
    shapes: dict[str, str] = field(default_factory=dict)


def write_lexicon(generation: Path, data: LexiconData) -> None:
    _write_json(generation / LEXICON, {
        "vocab": sorted(data.vocab),
        "chars": {ch: " ".join(r) for ch, r in data.chars.items()},
        "pywords": {k: sorted(v) for k, v in sorted(data.pywords.items())},
        "synonyms": data.synonyms,
        "stopwords": sorted(data.stopwords),
        "places": sorted(data.places),
        "generic": sorted(data.generic),
        "english": {k: [kind, list(terms)] for k, (kind, terms) in sorted(data.english.items())},
        "nicknames": {k: [kind, list(terms)] for k, (kind, terms) in sorted(data.nicknames.items())},
    })


def read_lexicon(generation: Path) -> LexiconData:
    return parse_lexicon((generation / LEXICON).read_bytes())


def parse_lexicon(raw: bytes) -> LexiconData:
    """The lexicon from the bytes of its file (which the caller has checked against its checksum).

    Raises ValueError if they are not a clsearch lexicon.
    """
    try:
        data = json.loads(raw.decode("utf-8"))
        return LexiconData(
            vocab=frozenset(data["vocab"]),
            chars={c: tuple(r.split()) for c, r in data["chars"].items()},
            pywords=data["pywords"],
            synonyms=data["synonyms"],
            stopwords=frozenset(data["stopwords"]),
            places=frozenset(data.get("places", ())),
            generic=frozenset(data.get("generic", ())),
            english={k: (kind, tuple(terms)) for k, (kind, terms) in data.get("english", {}).items()},
            nicknames={k: (kind, tuple(terms)) for k, (kind, terms) in data.get("nicknames", {}).items()},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a clsearch lexicon ({exc})") from exc


def write_charmap(generation: Path, data: CharmapData) -> None:
    _write_json(generation / CHARMAP, {"pinyin": data.pinyin, "t2s": data.t2s, "shapes": data.shapes})


def read_charmap(generation: Path) -> CharmapData:
    return parse_charmap((generation / CHARMAP).read_bytes())


def parse_charmap(raw: bytes) -> CharmapData:
    """The character map from the bytes of its file; ValueError if they are not one."""
    try:
        data = json.loads(raw.decode("utf-8"))
        return CharmapData(dict(data["pinyin"]), dict(data["t2s"]), dict(data.get("shapes", {})))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a clsearch character map ({exc})") from exc


def write_typos(generation: Path, words: Iterable[str]) -> None:
    """The typo table of `words`: sorted ``variant<TAB>word …`` lines (`index.typotable`)."""
    from index.typotable import write_typo_table

    write_typo_table(generation / TYPOS, words)


def read_typos(generation: Path) -> TypoTable:
    """The typo table, searched on disk by key (never loaded whole, never unpickled)."""
    from index.typotable import TypoTable

    return TypoTable(generation / TYPOS)


def write_records(generation: Path, records: Iterable[Mapping[str, Any]]) -> None:
    with open(generation / RECORDS, "w", encoding="utf-8") as fp:
        for d in records:
            fp.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")


def write_values(generation: Path, table: Mapping[str, Any]) -> None:
    """``{"fields": {field: [{"value", "count", "names", "aliases"?, "parent"?, "title"?}]}}``."""
    _write_json(generation / VALUES, table)


def write_complete(generation: Path, table: Mapping[str, Any]) -> None:
    """``{"entries": [[text, syllables, kind, count, id], ...]}``."""
    _write_json(generation / COMPLETE, table)


def read_json(generation: Path, name: str) -> Any:
    """One of the JSON files above (VALUES, COMPLETE)."""
    with open(generation / name, encoding="utf-8") as fp:
        return json.load(fp)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as fp:
        json.dump(data, fp, ensure_ascii=False, separators=(",", ":"))
