"""What one record contributes to the index: its Whoosh field values and its lexicon entries.

Pure given a reading function and jieba's word cutter (both passed in), so the build step in
`index.build` is only I/O and bookkeeping.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from typing import Any, NamedTuple

from index.analysis import fuzzy_key, initial
from index.format import (_SPOT_OF_KIND, FieldKind, Fields, LexiconData, MatchField, Spot, StoredDoc, encode,
                          spot_keys, tie_value)
from index.records import Record
from index.text import is_han, strip_place_suffix

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
    grams: tuple[str, ...]  # joined readings of 2-4 character runs (names and aliases only)
    votes: tuple[tuple[str, tuple[str, ...]], ...]  # (char, readings) per hanzi with readings
    words: tuple[tuple[str, str], ...]  # (word, its joined pinyin) per jieba word of 2+ chars
    spots: frozenset[str] = frozenset()  # where each character sits (`format.spot_terms`)


def field_terms(f: MatchField, read: Read, cut: Cut) -> FieldTerms:
    """The terms and lexicon entries of one prepared field (pure).

    What each character contributes (its readings, initials, fuzzy keys, spot terms) is made
    once per prepared character (`_char_terms`, `_spot_terms`): the same terms as
    `reading_pairs`, `initial_pairs`, `reading_grams` and `spot_terms` give."""
    chars = f.chars
    known = _CHAR_TERMS
    per = [known.get(c) or _char_terms(c) for c in chars]
    initials_of = [p[1] for p in per]
    fuzzy = [p[2] for p in per]
    words = []
    for word in cut(f.text):
        if len(word) >= 2:
            words.append((word, "".join(r[0] for r in read(word) if r)))
    joined = _PAIR_TERMS
    pairs: set[str] = set()
    for two in zip(fuzzy, fuzzy[1:]):  # `reading_pairs`
        if two[0] and two[1]:
            pairs.update(joined.get(two) or _pair_terms(two))
    initials_pairs: set[str] = set()
    for two in zip(initials_of, initials_of[1:]):  # `initial_pairs`
        if two[0] and two[1]:
            initials_pairs.update(joined.get(two) or _pair_terms(two))
    grams = _grams([c[1] for c in chars]) if f.kind in (FieldKind.NAME, FieldKind.ALIAS) else ()
    return FieldTerms(
        han=frozenset(filter(is_han, f.text)),
        lit=frozenset(c.lower() for c in f.text if c.isascii() and c.isalnum()),
        py=frozenset().union(*[p[0] for p in per]), initials=frozenset().union(*initials_of),
        pairs=frozenset(pairs), initials_pairs=frozenset(initials_pairs),
        grams=grams, votes=tuple((c[0], c[1]) for c in chars if c[1]), words=tuple(words),
        spots=_field_spots(f))


# Prepared character (char, readings, initial) → its readings, its initials as `field_terms`
# counts them ({initial of the usual reading, its first letter}) and its readings' fuzzy keys:
# bounded by the corpus's characters and their readings (a few thousand).
_CHAR_TERMS: dict[tuple, tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = {}
# Two neighbours' fuzzy keys (or initials) → their pair terms; at most `PAIRS_KEPT` kept.
_PAIR_TERMS: dict[tuple[frozenset[str], frozenset[str]], tuple[str, ...]] = {}
PAIRS_KEPT = 1 << 15
# (spot, prepared character) → its spot terms: anywhere, starting a word, a one-character word.
_SPOT_TERMS: dict[tuple, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}


def _char_terms(c: tuple) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    syls = c[1]
    if syls:
        found = (syls, frozenset({initial(syls[0]), syls[0][0]}), frozenset({fuzzy_key(r) for r in syls}))
    else:
        found = ((), frozenset(), frozenset())
    _CHAR_TERMS[c] = found
    return found


def _pair_terms(two: tuple[frozenset[str], frozenset[str]]) -> tuple[str, ...]:
    """`pair_term` of every key of the left character with every key of the right one."""
    found = tuple(f"{a}_{b}" for a in two[0] for b in two[1])
    if len(_PAIR_TERMS) < PAIRS_KEPT:
        _PAIR_TERMS[two] = found
    return found


def _grams(readings: list[tuple[str, ...]]) -> tuple[str, ...]:
    """`reading_grams(readings)`, sorted: the joined usual readings of every run of 2-4
    characters that all have readings."""
    usual = [r[0] if r else "" for r in readings]
    out = set()
    last = len(usual)
    for i in range(last - 1):
        two = usual[i] and usual[i + 1] and usual[i] + usual[i + 1]
        if not two:
            continue
        out.add(two)
        if i + 2 < last and usual[i + 2]:
            three = two + usual[i + 2]
            out.add(three)
            if i + 3 < last and usual[i + 3]:
                out.add(three + usual[i + 3])
    return tuple(sorted(out))


def _field_spots(f: MatchField) -> frozenset[str]:
    """`spot_terms([f])`, a character's terms made once (`_SPOT_TERMS`)."""
    spot = _SPOT_OF_KIND.get(f.kind)
    if spot is None:
        return frozenset()
    memo = _SPOT_TERMS
    out: set[str] = set()
    if spot != Spot.NAME:
        for c in f.chars:
            found = memo.get((spot, c)) or _spot_terms(spot, c)
            out.update(found[0])
        return frozenset(out)
    bounds = f.bounds
    for i, c in enumerate(f.chars):
        found = memo.get((spot, c)) or _spot_terms(spot, c)
        out.update(found[0])
        if i in bounds:
            out.update(found[1])
            if i + 1 in bounds:
                out.update(found[2])
    return frozenset(out)


def _spot_terms(spot: str, c: tuple) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    keys = spot_keys(c[0], c[1], c[2])
    found = (tuple(spot + k for k in keys), tuple(Spot.WORD + k for k in keys),
             tuple(Spot.SINGLE + k for k in keys if k.startswith("i:")))
    _SPOT_TERMS[(spot, c)] = found
    return found


def index_fields(record: Record, doc: StoredDoc, read: Read, cut: Cut, lexicon: LexiconBuilder,
                 terms_of: Callable[[MatchField], FieldTerms] | None = None,
                 repeated: Collection[str] = ()) -> dict[str, object]:
    """Whoosh field values for one prepared document (sets of terms); feeds `lexicon` on the way.

    `terms_of`: `field_terms` of a field, possibly cached (builders and places repeat): the
    fields of the kinds in `repeated` get the same `FieldTerms` for the same text, counted
    by `LexiconBuilder.add_again`.
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
        if f.kind in repeated:
            lexicon.add_again(t, f.text if f.kind == FieldKind.PLACE else None)
        else:
            lexicon.add(t, f.text if f.kind == FieldKind.PLACE else None)
    return {
        Fields.ID: record.id.encode("utf-8"),
        Fields.DOC: encode(doc),  # compressed JSON in a column (format.encode)
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
    """Collects, over all records, what the query layer will need (see `search.lexicon`).

    Everything is a count of the records (fields) that contributed it, so that an incremental
    build can take a removed record's contribution back out (`add` with ``n=-1``) and end with
    what a full build of the remaining records collects. `state` / `from_state` save and load
    the counts (plain JSON values).
    """

    vocab: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    pywords: Counter[tuple[str, str]] = field(default_factory=Counter)  # (pinyin, word)
    typos: Counter[str] = field(default_factory=Counter)  # pinyin of words and name runs
    votes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # in context
    seen: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # any reading

    def __post_init__(self) -> None:
        # `add_again`'s fields: id of their terms → [terms, place, times counted since the first]
        self._again: dict[int, list[Any]] = {}

    def __getstate__(self) -> dict[str, Any]:  # a worker sends it: its counts complete
        self.flush()
        state = dict(self.__dict__)
        del state["_again"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._again = {}

    def add_again(self, terms: FieldTerms, place: str | None = None) -> None:
        """`add` of a field whose terms recur as the same object (a builder, a place): the
        first time at once, then only counted, and added that many times at once by `flush`
        (every key is in the counters after the first time: the same counts in the same
        order). Reading the counts (`merge`, `state`, `lexicon`, `typo_targets`) flushes."""
        entry = self._again.get(id(terms))
        if entry is not None and entry[0] is terms and entry[1] == place:
            entry[2] += 1
            return
        if entry is None:
            self._again[id(terms)] = [terms, place, 0]
        self.add(terms, place)

    def flush(self) -> None:
        """Add what `add_again` only counted."""
        again, self._again = self._again, {}
        for terms, place, times in again.values():
            if times:
                self.add(terms, place, n=times)

    def add(self, terms: FieldTerms, place: str | None = None, n: int = 1) -> None:
        """Count one field's contribution `n` times (-1 takes it back); `place`: a place field's text."""
        typos = self.typos
        typo_count = typos.get
        for gram in terms.grams:  # what Counter.update does, in the same order, without its overhead
            typos[gram] = typo_count(gram, 0) + n
        votes, seen_of = self.votes, self.seen
        for ch, syls in terms.votes:
            votes[ch][syls[0]] += n
            seen = seen_of[ch]
            for r in syls:
                seen[r] += n
        vocab, pywords = self.vocab, self.pywords
        for word, spelled in terms.words:
            vocab[word] += n
            if spelled:
                pywords[(spelled, word)] += n
                typos[spelled] = typo_count(spelled, 0) + n
        if place is not None:
            names = [p for p in place.split() if len(p) >= 2]
            self.vocab.update(dict.fromkeys(names, n))
            self.places.update(dict.fromkeys(names, n))

    def merge(self, other: LexiconBuilder) -> None:
        """Add `other`'s counts (of records that come after these: new keys go last, in
        `other`'s order, as if one builder had counted them all)."""
        self.flush()
        other.flush()
        for mine, theirs in ((self.vocab, other.vocab), (self.places, other.places),
                             (self.pywords, other.pywords), (self.typos, other.typos)):
            _add_counts(mine, theirs)
        for ch, counts in other.votes.items():
            _add_counts(self.votes[ch], counts)
        for ch, counts in other.seen.items():
            _add_counts(self.seen[ch], counts)

    @property
    def typo_targets(self) -> set[str]:
        self.flush()
        return {w for w, c in self.typos.items() if c > 0}

    def state(self) -> dict[str, Any]:
        """The counts as JSON values (only positive ones)."""
        self.flush()
        def pos(c: Counter) -> dict:
            return {k: v for k, v in c.items() if v > 0}

        return {
            "vocab": pos(self.vocab), "places": pos(self.places), "typos": pos(self.typos),
            "pywords": [[p, w, c] for (p, w), c in self.pywords.items() if c > 0],
            "votes": {ch: [[r, c.get(r, 0), n] for r, n in self.seen[ch].items() if n > 0]
                      for ch, c in self.votes.items()},
        }

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> LexiconBuilder:
        """The builder `state` saved; ValueError if `data` is not such a state."""
        try:
            out = cls(vocab=Counter(data["vocab"]), places=Counter(data["places"]),
                      typos=Counter(data["typos"]),
                      pywords=Counter({(p, w): c for p, w, c in data["pywords"]}))
            for ch, rows in data["votes"].items():
                for r, primary, n in rows:
                    out.votes[ch][r] = primary
                    out.seen[ch][r] = n
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a lexicon state ({exc})") from exc
        return out

    def lexicon(self, synonyms: dict[str, list[str]], stopwords: list[str], generic: Iterable[str] = (),
                english: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                nicknames: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                known_places: Iterable[str] = (), extra_words: Mapping[str, str] | None = None) -> LexiconData:
        """The lexicon: vocabulary (with synonyms, stop words, generic words, nicknames, short
        place names) and the rest.

        `known_places`: every place name of the country (`index.corpus.divisions.place_names`),
        so that a place holding no record is still read as a place, never as a typo of another.
        `extra_words`: words of the thesaurus with their pinyin, spelled by pinyin too.
        """
        self.flush()
        generic = frozenset(generic)
        places = {w for w, c in self.places.items() if c > 0} | {p for p in known_places if len(p) >= 2}
        vocab = {w for w, c in self.vocab.items() if c > 0} | places
        vocab.update(w for w in synonyms if len(w) >= 2)
        vocab.update(w for w in stopwords if len(w) >= 2)
        vocab.update(w for w in generic if len(w) >= 2)
        vocab.update(w for w in (nicknames or {}) if len(w) >= 2)
        vocab.update(strip_place_suffix(w) for w in list(vocab))
        return LexiconData(
            vocab=frozenset(vocab),
            chars=self._readings(),
            pywords=self._pywords(extra_words or {}),
            synonyms=synonyms,
            stopwords=frozenset(stopwords),
            places=frozenset(places),
            generic=generic,
            english=dict(english or {}),
            nicknames=dict(nicknames or {}),
        )

    def _readings(self) -> dict[str, tuple[str, ...]]:
        """Each character's readings, the one it has most often in context first.

        Ties go to the alphabetically first reading, so the order does not depend on the order
        records came in (a full build and an incremental one agree).
        """
        out = {}
        for ch, seen in self.seen.items():
            votes = self.votes.get(ch, Counter())
            readings = sorted((r for r, n in seen.items() if n > 0), key=lambda r: (-votes.get(r, 0), r))
            if readings:
                out[ch] = tuple(readings)
        return out

    def _pywords(self, extra: Mapping[str, str]) -> dict[str, list[str]]:
        found = {key for key, c in self.pywords.items() if c > 0}
        found |= {(spelled, word) for word, spelled in extra.items() if spelled}
        out: dict[str, list[str]] = defaultdict(list)
        for spelled, word in sorted(found):
            out[spelled].append(word)
        return dict(out)


def _add_counts(mine: Counter, theirs: Mapping) -> None:
    get = mine.get
    for key, n in theirs.items():
        mine[key] = get(key, 0) + n
