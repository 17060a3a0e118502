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
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from index.typotable import TypoTable

SCHEMA_VERSION = 17


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
    TIE = "tie"  # the ranking's last rules, name length then id (`tie_value`; sortable column)
    # what a query can match
    HAN = "han"  # every hanzi
    LIT = "lit"  # letters and digits, lower-cased (G60)
    PY = "py"  # every reading of every char (full syllables)
    PYF = "pyf"  # fuzzy keys of those readings (z/zh, in/ing …)
    PYI = "pyi"  # initials of the reading in context (and their first letter: s for sh)
    PAIRS = "pairs"  # fuzzy keys of neighbouring characters (can_sa for 长沙): adjacency
    IPAIRS = "ipairs"  # initials of neighbouring characters (s_w, sh_w for 生物): adjacency
    SPOTS = "spots"  # where a character sits: field kind and word start (`spot_terms`): ranking bounds


def tie_value(name: str, id: str) -> str:
    """The `Fields.TIE` column value: what orders hits equal on every other rule, read
    without decoding the document (`tie_key` parses it)."""
    return f"{len(name)} {id}"


def tie_key(value: str) -> tuple[int, str]:
    """(name length, record id) from a `tie_value`."""
    length, _, rid = value.partition(" ")
    return int(length), rid


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


class MatchField:
    """One text of a record prepared for the matcher, so that queries do no per-char work.

    `at` maps a position key to the offsets holding it (see `starts`); a decoded field builds
    it on first use from each character's keys (an exact hanzi search never needs it).
    """

    __slots__ = ("kind", "rank", "text", "chars", "bounds", "_at", "_keys", "_letters")

    def __init__(self, kind: str, rank: int, text: str, chars: tuple[Char, ...],
                 at: Mapping[str, Sequence[int]] | None, bounds: frozenset[int],
                 keys: Sequence[tuple[str, ...]] | None = None):
        self.kind = kind  # a FieldKind
        self.rank = rank  # FIELD_RANK of the kind
        self.text = text
        self.chars = chars
        self.bounds = bounds  # offsets where words start or end (always 0 and len(text))
        self._at = at
        self._keys = keys  # per character, its position keys (when `at` is not built yet)
        self._letters: str | None = None

    @property
    def at(self) -> Mapping[str, Sequence[int]]:
        """Position key → offsets, ascending."""
        at = self._at
        if at is None:
            built: dict[str, list[int]] = {}
            for i, keys in enumerate(self._keys or ()):
                for k in keys:
                    offsets = built.get(k)
                    if offsets is None:
                        built[k] = [i]
                    else:
                        offsets.append(i)
            at = self._at = built
        return at

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchField):
            return NotImplemented
        return (self.kind, self.rank, self.text, self.chars, self.bounds) == (
            other.kind, other.rank, other.text, other.chars, other.bounds) and (
            {k: tuple(v) for k, v in self.at.items()} == {k: tuple(v) for k, v in other.at.items()})

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MatchField({self.kind!r}, {self.text!r})"

    @property
    def letters(self) -> str:
        """Per character, the first letter of its usual reading (NUL for none): where a run
        of one-letter initials (qc, zzzz) can match is a substring search of it."""
        letters = self._letters
        if letters is None:
            letters = self._letters = "".join((c[READINGS][0][:1] if c[READINGS] else "") or "\0" for c in self.chars)
        return letters

    def positions(self, where: AbstractSet[str]) -> Sequence[int]:
        """Offsets holding any of the position keys `where`, ascending.

        A decoded field answers from its per-character keys (one C-level set test per
        character) without building `at`, which costs far more for the one or two units
        most documents are aligned with.
        """
        at = self._at
        if at is None:
            keys = self._keys
            if keys is not None:
                disjoint = where.isdisjoint
                return [i for i, ks in enumerate(keys) if not disjoint(ks)]
            at = self.at
        found = [at[k] for k in where if k in at]
        if len(found) == 1:
            return found[0]
        return sorted({i for positions in found for i in positions})

    def starts(self, keys: Iterable[Key]) -> Sequence[int]:
        """Offsets where a unit with these `unit_keys` may match: a superset, ascending."""
        found = []
        at = self.at
        for key in keys:
            pos = position_key(key)
            if pos is None:
                return range(len(self.chars))
            if pos in at:
                found.append(at[pos])
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


class Spot(_Names):
    """Where in a record a character sits, for the `Fields.SPOTS` terms (``spot + position key``).

    With them the query layer bounds a document's best field and exactness from postings,
    before reading it (`search.bounds`). Only the keys of exact channels are spotted (the
    character, its usual reading, its initials): a match through another channel costs a
    typo, which ranks it below the bound anyway.
    """

    WORD = "w"  # starts a word of the name
    SINGLE = "1"  # is a one-character word of the name (initials only)
    NAME = "n"  # anywhere in the name
    ALIAS = "a"
    BUILDER = "b"


_SPOT_OF_KIND: dict[str, str] = {FieldKind.NAME: Spot.NAME, FieldKind.ALIAS: Spot.ALIAS, FieldKind.BUILDER: Spot.BUILDER}


def spot_keys(ch: str, readings: Sequence[str], initial: str) -> list[str]:
    """The position keys of a character's exact channels (hanzi or letter, usual reading, initials)."""
    keys = ["c:" + ch.lower()]
    if readings:
        keys += ["r:" + readings[0], "i:" + initial, "i:" + readings[0][0]]
    return keys


def spot_term(spot: str, position_key: str) -> str:
    return f"{spot}{position_key}"


def spot_terms(fields: Iterable[MatchField]) -> set[str]:
    """The `Fields.SPOTS` terms of a document's prepared fields (place has none: it is last)."""
    out: set[str] = set()
    for f in fields:
        spot = _SPOT_OF_KIND.get(f.kind)
        if spot is None:
            continue
        for i, (ch, readings, ini) in enumerate(f.chars):
            keys = spot_keys(ch, readings, ini)
            out.update(spot + k for k in keys)
            if spot == Spot.NAME and i in f.bounds:
                out.update(Spot.WORD + k for k in keys)
                if i + 1 in f.bounds:
                    out.update(Spot.SINGLE + k for k in keys if k.startswith("i:"))
    return out


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

    @cached_property
    def letters(self) -> str:
        """Every field's `MatchField.letters`, NUL-separated: a run of one-letter initials
        (qqqq) matches somewhere only if it is a substring of this (one test per document)."""
        return "\0".join(f.letters for f in self.fields)


DOC_DICTIONARY = "doc_dictionary.txt"  # index/data: zlib's preset dictionary for stored documents
_WINDOW = 32 * 1024  # deflate looks back this far: the dictionary's tail is what counts


@lru_cache(maxsize=1)
def _doc_zdict() -> bytes:
    """Typical stored documents (`index/data/make_doc_dictionary.py`), which the compressor
    refers back to: a document compresses to ~170 bytes instead of ~400 on its own."""
    from index.dictionaries import data_path

    try:
        return data_path(DOC_DICTIONARY).read_bytes()[-_WINDOW:]
    except OSError:  # a checkout bootstrapping the file: documents compress on their own
        return b""


@lru_cache(maxsize=1)
def _doc_packer() -> Any:
    """A compressor primed with the preset dictionary: each document's is a copy of it (priming
    one costs more than compressing a document; a copy writes the same bytes). Memory level 8,
    not 9: a copy costs a fifth less (smaller hash table and buffer to copy), and a document of
    a few hundred bytes deflates to the same bytes (all 100,476 of the 100k bench corpus did;
    tests/test_format.py checks the bundled corpus's). Decompressing does not depend on it."""
    return zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, _doc_zdict())


def encode(doc: StoredDoc) -> bytes:
    """The bytes kept in Whoosh's `Fields.DOC` column: JSON, deflated with a preset dictionary.

    Compact: a list in `StoredDoc`'s field order (no key names in every document), each field
    as its kind, its text (null when it is the record's name or builder), the readings of each
    character (space-separated, the one in context first; characters separated by ``|``) and
    its word bounds inside the text (0 and the text's length are implied). `decode` rebuilds
    the characters and the position index from these, sharing the prepared characters between
    documents. No pickle: the query layer parses it as data.
    """
    own = {FieldKind.NAME.value: doc.name, FieldKind.BUILDER.value: doc.builder}  # by kind, as str
    data = [doc.id, doc.name, list(doc.aliases), doc.province, doc.city, doc.district, doc.builder, doc.type,
            doc.program, list(doc.lists), doc.year,
            [[str(f.kind), None if own.get(str(f.kind)) == f.text else f.text,
              "|".join(" ".join(c[READINGS]) for c in f.chars),
              sorted(b for b in f.bounds if 0 < b < len(f.text))]
             for f in doc.fields]]
    packer = _doc_packer().copy()
    return packer.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) + packer.flush()


def doc_json(raw: bytes) -> str:
    """The JSON text of an `encode`d document; ValueError if `raw` is not one."""
    try:
        unpacker = zlib.decompressobj(-15, _doc_zdict())
        text = unpacker.decompress(raw) + unpacker.flush()
        if not unpacker.eof:
            raise ValueError("a truncated document")
        return text.decode("utf-8")
    except (zlib.error, UnicodeDecodeError, TypeError) as exc:
        raise ValueError(f"not a stored document ({exc})") from exc


# (char, readings as stored) → the prepared character and its position keys. Bounded by the
# characters of the corpus and their readings (a few thousand entries), shared by every doc.
_PREPARED: dict[tuple[str, str], tuple[Char, tuple[str, ...]]] = {}


def _prepared(ch: str, readings: str) -> tuple[Char, tuple[str, ...]]:
    found = _PREPARED.get((ch, readings))
    if found is None:
        from index.analysis import fuzzy_key, initial  # it imports this module

        syls = tuple(readings.split())
        ini = initial(syls[0]) if syls else ""
        keys = char_keys(ch, syls, ini, {fuzzy_key(r) for r in syls})
        positions = tuple(sorted({sys.intern(p) for k in keys if (p := position_key(k)) is not None}))
        found = _PREPARED[(ch, readings)] = ((ch, syls, ini), positions)
    return found


def decode(raw: bytes) -> StoredDoc:
    """The `StoredDoc` that `encode` wrote; ValueError if `raw` is not one."""
    try:
        (rid, name, aliases, province, city, district, builder, rtype, program, lists, year,
         stored_fields) = json.loads(doc_json(raw))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a stored document ({exc})") from exc
    fields = []
    for kind, text, readings, inner in stored_fields:
        if text is None:
            text = name if kind == "name" else builder
        prepared = [_PREPARED.get(pair) or _prepared(*pair) for pair in zip(text, readings.split("|"))]
        fields.append(MatchField(kind, FIELD_RANK.get(kind, UNKNOWN_FIELD_RANK), text,
                                 tuple(p[0] for p in prepared), None, frozenset(inner) | {0, len(text)},
                                 [p[1] for p in prepared]))
    return StoredDoc(rid, name, tuple(aliases), province, city, district, builder, rtype, program,
                     tuple(lists), year, tuple(fields))


# --------------------------------------------------------------------------------------------
# The lexicon files
# --------------------------------------------------------------------------------------------

LEXICON = "lexicon.json"  # read on open: vocabulary, readings, pinyin words, synonyms …
CHARMAP = "charmap.json"  # read lazily: readings of all common characters, traditional → simplified
TYPOS = "typos.tsv"  # looked up on disk (index.typotable): pinyin words by their one-deletion variants
# What surrounds the match (read lazily by search.catalog):
RECORDS = "records.zjsonl"  # every record in full (`Record.to_dict()`), compressed blocks (index.recordfile)
LINKS = "links.zjsonl"  # the records' `related` links, a line per pair (index.recordfile.write_links)
VALUES = "values.json"  # filter values with counts and the other names they go by (index.values)
COMPLETE = "complete.json"  # type-ahead suggestions with pinyin and counts (index.completion)
TIES = "ties.bin"  # per document number, its place in (name length, id) order (`write_ties`)


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
    """Every record (`Record.to_dict()`), in JSON lines compressed in blocks (`index.recordfile`)."""
    from index.recordfile import write_record_file

    with open(generation / RECORDS, "wb") as fp:
        write_record_file(fp, records)


def write_values(generation: Path, table: Mapping[str, Any]) -> None:
    """``{"fields": {field: [{"value", "count", "names", "aliases"?, "parent"?, "title"?}]}}``."""
    _write_json(generation / VALUES, table)


def write_complete(generation: Path, table: Mapping[str, Any]) -> None:
    """``{"entries": [[text, syllables, kind, count, id], ...]}``."""
    _write_json(generation / COMPLETE, table)


_TIES_MAGIC = b"clsearch-ties-1\n"


def write_ties(generation: Path, keys: Sequence[tuple[int, str]]) -> None:
    """The tie table: for each document number (`keys[docnum]` = its `tie_key`), its rank in
    (name length, id) order, then the document numbers in that order; uint32 little-endian.

    Ranking compares equal hits by these ranks (`search.bounds`) without reading ids: an
    incremental change of the index must rewrite this file for the new document numbers.
    """
    from array import array

    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = array("I", bytes(4 * len(keys)))
    for i, d in enumerate(order):
        rank[d] = i
    ordered = array("I", order)
    if sys.byteorder == "big":
        rank.byteswap()
        ordered.byteswap()
    with open(generation / TIES, "wb") as fp:
        fp.write(_TIES_MAGIC + len(keys).to_bytes(4, "little") + rank.tobytes() + ordered.tobytes())


def parse_ties(raw: bytes) -> tuple[Sequence[int], Sequence[int]]:
    """(rank per document number, document numbers in rank order) from a tie table's bytes."""
    from array import array

    head = len(_TIES_MAGIC)
    if raw[:head] != _TIES_MAGIC or len(raw) < head + 4:
        raise ValueError("not a clsearch tie table")
    n = int.from_bytes(raw[head:head + 4], "little")
    if len(raw) != head + 4 + 8 * n:
        raise ValueError("a truncated tie table")
    rank, order = array("I"), array("I")
    rank.frombytes(raw[head + 4:head + 4 + 4 * n])
    order.frombytes(raw[head + 4 + 4 * n:])
    if sys.byteorder == "big":
        rank.byteswap()
        order.byteswap()
    return rank, order


def read_json(generation: Path, name: str) -> Any:
    """One of the JSON files above (VALUES, COMPLETE)."""
    with open(generation / name, encoding="utf-8") as fp:
        return json.load(fp)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    # One string, one write: json.dump's many small writes took twice as long on big tables.
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
