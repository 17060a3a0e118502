"""What one record contributes to the index: its Whoosh field values and its lexicon entries.

Pure given a reading function and jieba's word cutter (both passed in), so the build step in
`index.build` is only I/O and bookkeeping.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Mapping, Sequence

from typing import NamedTuple

from index.analysis import fuzzy_key, han_chars, initial, initial_pairs, reading_grams, reading_pairs
from index.format import FieldKind, Fields, LexiconData, MatchField, StoredDoc, encode, spot_terms, tie_value
from index.records import Record
from index.text import strip_place_suffix

Read = Callable[[str], list[tuple[str, ...]]]
Cut = Callable[[str], Sequence[str]]


class FieldTerms(NamedTuple):
    """What one prepared text contributes, whichever record holds it (cached per text)."""

    han: frozenset[str]
    lit: frozenset[str]
    py: frozenset[str]
    initials: frozenset[str]  # of the reading in context; s also stands for sh (swyy)
    pairs: frozenset[str]
    initials_pairs: frozenset[str]
    grams: frozenset[str]  # joined readings of 2-4 character runs (names and aliases only)
    votes: tuple[tuple[str, tuple[str, ...]], ...]  # (char, readings) per hanzi with readings
    words: tuple[tuple[str, str], ...]  # (word, its joined pinyin) per jieba word of 2+ chars
    spots: frozenset[str] = frozenset()  # where each character sits (`format.spot_terms`)


def field_terms(f: MatchField, read: Read, cut: Cut) -> FieldTerms:
    """The terms and lexicon entries of one prepared field (pure)."""
    readings = [c[1] for c in f.chars]
    py: set[str] = set()
    initials: set[str] = set()
    votes = []
    for ch, syls, *_ in f.chars:
        if syls:
            votes.append((ch, syls))
            py.update(syls)
            initials |= {initial(syls[0]), syls[0][0]}
    words = []
    for word in cut(f.text):
        if len(word) >= 2:
            words.append((word, "".join(r[0] for r in read(word) if r)))
    grams = reading_grams(readings) if f.kind in (FieldKind.NAME, FieldKind.ALIAS) else set()
    return FieldTerms(
        han=frozenset(ch for _, ch in han_chars(f.text)),
        lit=frozenset(c.lower() for c in f.text if c.isascii() and c.isalnum()),
        py=frozenset(py), initials=frozenset(initials),
        pairs=frozenset(reading_pairs(readings)), initials_pairs=frozenset(initial_pairs(readings)),
        grams=frozenset(grams), votes=tuple(votes), words=tuple(words), spots=frozenset(spot_terms([f])))


def index_fields(record: Record, doc: StoredDoc, read: Read, cut: Cut, lexicon: LexiconBuilder,
                 terms_of: Callable[[MatchField], FieldTerms] | None = None) -> dict[str, object]:
    """Whoosh field values for one prepared document (sets of terms); feeds `lexicon` on the way.

    `terms_of`: `field_terms` of a field, possibly cached (builders and places repeat).
    """
    terms_of = terms_of or (lambda f: field_terms(f, read, cut))
    han: set[str] = set()
    lit: set[str] = set()
    py: set[str] = set()
    initials: set[str] = set()
    pairs: set[str] = set()
    initials_pairs: set[str] = set()
    spots: set[str] = set()
    for f in doc.fields:
        t = terms_of(f)
        spots |= t.spots
        han |= t.han
        lit |= t.lit
        py |= t.py
        initials |= t.initials
        pairs |= t.pairs
        initials_pairs |= t.initials_pairs
        lexicon.typo_targets |= t.grams
        for ch, syls in t.votes:
            lexicon.vote(ch, syls)
        for word, spelled in t.words:
            lexicon.add_word(word, spelled)
        if f.kind == FieldKind.PLACE:
            lexicon.add_places(f.text.split())
    return {
        Fields.ID: record.id.encode("utf-8"),
        Fields.DOC: encode(doc),  # pickled by Whoosh: no parsing at query time
        Fields.PROVINCE: _one(record.province),
        Fields.CITY: _one(record.city),
        Fields.DISTRICT: _one(record.district),
        Fields.TYPE: _one(record.type),
        Fields.PROGRAM: _one(record.program),
        Fields.LISTS: list(record.lists),
        Fields.YEAR: _one(str(record.year or "")),
        Fields.ORDER: browse_key(record, read).encode("utf-8"),
        Fields.TIE: tie_value(record.name, record.id).encode("utf-8"),
        Fields.HAN: han,
        Fields.LIT: lit,
        Fields.PY: py,
        Fields.PYF: {fuzzy_key(s) for s in py},
        Fields.PYI: initials,
        Fields.PAIRS: pairs,
        Fields.IPAIRS: initials_pairs,
        Fields.SPOTS: spots,
    }


def _one(value: str | None) -> list[str]:
    return [value] if value else []


def browse_key(record: Record, read: Read) -> str:
    """Where a record sits when browsing: by place, then name, in pinyin (A–Z), then id.

    Records without a province or city come after those with one ("~" sorts after letters);
    a city's own clusters (no district) come before those of its districts.
    """
    def spell(text: str | None, missing: str = "~") -> str:
        if not text:
            return missing
        return " ".join(r[0] if r else ch for ch, r in zip(text, read(text)))

    # A tab sorts before the space between syllables: 长 chang before 常州 chang zhou.
    return "\t".join([spell(record.province), spell(record.city), spell(record.district, ""),
                       spell(record.name), record.id])


@dataclass
class LexiconBuilder:
    """Collects, over all records, what the query layer will need (see `search.lexicon`)."""

    vocab: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    pywords: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    typo_targets: set[str] = field(default_factory=set)  # pinyin of words and name runs
    votes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def vote(self, ch: str, readings: tuple[str, ...]) -> None:
        """Count the reading `ch` has in context; remember its other readings too."""
        self.votes[ch][readings[0]] += 1
        for r in readings[1:]:
            self.votes[ch][r] += 0

    def add_word(self, word: str, pinyin: str) -> None:
        self.vocab.add(word)
        if pinyin:
            self.pywords[pinyin].add(word)
            self.typo_targets.add(pinyin)

    def add_places(self, names: Iterable[str]) -> None:
        names = [n for n in names if len(n) >= 2]
        self.vocab.update(names)
        self.places.update(names)

    def lexicon(self, synonyms: dict[str, list[str]], stopwords: list[str], generic: Iterable[str] = (),
                english: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                nicknames: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                known_places: Iterable[str] = ()) -> LexiconData:
        """The lexicon: vocabulary (with synonyms, stop words, generic words, nicknames, short
        place names) and the rest.

        `known_places`: every place name of the country (`index.corpus.divisions.place_names`),
        so that a place holding no record is still read as a place, never as a typo of another.
        """
        generic = frozenset(generic)
        places = self.places | {p for p in known_places if len(p) >= 2}
        vocab = set(self.vocab) | places
        vocab.update(w for w in synonyms if len(w) >= 2)
        vocab.update(w for w in stopwords if len(w) >= 2)
        vocab.update(w for w in generic if len(w) >= 2)
        vocab.update(w for w in (nicknames or {}) if len(w) >= 2)
        vocab.update(strip_place_suffix(w) for w in list(vocab))
        return LexiconData(
            vocab=frozenset(vocab),
            chars={ch: tuple(r for r, _ in v.most_common()) for ch, v in self.votes.items()},
            pywords={k: sorted(v) for k, v in sorted(self.pywords.items())},
            synonyms=synonyms,
            stopwords=frozenset(stopwords),
            places=frozenset(places),
            generic=generic,
            english=dict(english or {}),
            nicknames=dict(nicknames or {}),
        )
