"""What one record contributes to the index: its Whoosh field values and its lexicon entries.

Pure given a reading function and jieba's word cutter (both passed in), so the build step in
`index.build` is only I/O and bookkeeping.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Mapping, Sequence

from index.analysis import fuzzy_key, initial, initial_pairs, reading_grams, reading_pairs
from index.format import FieldKind, Fields, LexiconData, StoredDoc, encode, spot_terms, tie_value
from index.records import Record
from index.text import strip_place_suffix

Read = Callable[[str], list[tuple[str, ...]]]
Cut = Callable[[str], Sequence[str]]


def index_fields(record: Record, doc: StoredDoc, read: Read, cut: Cut, lexicon: LexiconBuilder) -> dict[str, object]:
    """Whoosh field values for one prepared document; feeds `lexicon` on the way."""
    words: list[str] = []
    joined: set[str] = set()  # full pinyin of words, of 2-4 character runs and of whole names
    abbreviated: set[str] = set()  # initials of words and of whole names
    py: set[str] = set()
    initials: set[str] = set()
    pairs: set[str] = set()
    initials_pairs: set[str] = set()
    for f in doc.fields:
        kind, text, chars = f.kind, f.text, f.chars
        readings = [c[1] for c in chars]
        pairs |= reading_pairs(readings)
        initials_pairs |= initial_pairs(readings)
        usual = [r[0] for r in readings if r]
        if kind in (FieldKind.NAME, FieldKind.ALIAS):
            grams = reading_grams(readings)
            joined |= grams | {"".join(usual)}
            abbreviated.add("".join(initial(s) for s in usual))
            lexicon.typo_targets |= grams
        for ch, syls, *_ in chars:
            if syls:
                lexicon.vote(ch, syls)
                py.update(syls)
                # abbreviations use the reading in context; s also stands for sh (swyy)
                initials |= {initial(syls[0]), syls[0][0]}
        for word in cut(text):
            words.append(word)
            if len(word) >= 2:
                spelled = [r[0] for r in read(word) if r]
                lexicon.add_word(word, "".join(spelled))
                joined.add("".join(spelled))
                abbreviated.add("".join(initial(s) for s in spelled))
        if kind == FieldKind.PLACE:
            lexicon.add_places(text.split())
    texts = [f.text for f in doc.fields]
    return {
        Fields.ID: record.id,
        Fields.DOC: encode(doc),  # pickled by Whoosh: no parsing at query time
        Fields.PROVINCE: record.province or "",
        Fields.CITY: record.city or "",
        Fields.DISTRICT: record.district or "",
        Fields.TYPE: record.type or "",
        Fields.PROGRAM: record.program,
        Fields.LISTS: ",".join(record.lists),
        Fields.YEAR: str(record.year or ""),
        Fields.ORDER: browse_key(record, read),
        Fields.TIE: tie_value(record.name, record.id),
        Fields.HAN: " ".join(texts),
        Fields.LIT: " ".join(sorted({c.lower() for t in texts for c in t if c.isascii() and c.isalnum()})),
        Fields.WORDS: " ".join(words),
        Fields.PY: " ".join(sorted(py)),
        Fields.PYF: " ".join(sorted({fuzzy_key(s) for s in py})),
        Fields.PYI: " ".join(sorted(initials)),
        Fields.PYJOIN: " ".join(sorted(k for k in joined if k)),
        Fields.PYINIT: " ".join(sorted(k for k in abbreviated if k)),
        Fields.PAIRS: " ".join(sorted(pairs)),
        Fields.IPAIRS: " ".join(sorted(initials_pairs)),
        Fields.SPOTS: " ".join(sorted(spot_terms(doc.fields))),
    }


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
                nicknames: Mapping[str, tuple[str, tuple[str, ...]]] | None = None) -> LexiconData:
        """The lexicon: vocabulary (with synonyms, stop words, generic words, nicknames, short
        place names) and the rest."""
        generic = frozenset(generic)
        vocab = set(self.vocab)
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
            places=frozenset(self.places),
            generic=generic,
            english=dict(english or {}),
            nicknames=dict(nicknames or {}),
        )
