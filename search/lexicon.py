"""What the indexer wrote for the query layer: vocabulary, readings, synonyms, stop words.

Loading this is the query path's only "dictionary" cost: a small JSON file (a few thousand
words and characters). The large reading table for characters outside the corpus, the
traditional → simplified table and the typo table sit in two more files, opened together with
the lexicon (so a later build deleting the generation cannot take them away) and read only
when a query needs them. What is parsed is first checked against the SHA-256 that the
generation's metadata records; nothing is a pickle.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from index.distance import damerau, deletes
from index.errors import IndexDamagedError
from index.format import (CHARMAP, LEXICON, TYPOS, CharmapData, LexiconData, parse_charmap,
                          parse_lexicon)
from index.store import open_verified, read_verified, verified_bytes
from index.typotable import TypoTable


CORRECTIONS_CACHE = 2048  # runs of letters whose typo corrections a long-lived lexicon keeps


class Lexicon:
    """Read-only view of one index generation's lexicon files (`meta`: its metadata, for checksums)."""

    def __init__(self, generation: Path, meta: dict[str, Any]):
        self.generation: Path | None = generation
        self._meta = meta
        self._load(_parsed(parse_lexicon, verified_bytes(generation, LEXICON, meta), generation, LEXICON))
        # Opened now, read on first need: open files outlive a deleted generation. The typo
        # table is searched on disk (a memory map); `check_generation` vetted its size and
        # modification time at open, and `index verify` hashes it.
        self._charmap_file = open_verified(generation, CHARMAP, meta)
        try:
            self._typos: TypoTable | Mapping[str, tuple[str, ...]] = TypoTable(generation / TYPOS)
        except OSError as exc:
            self._charmap_file.close()
            raise IndexDamagedError(f"{generation / TYPOS}: {exc.strerror}") from exc
        self._charmap_data: CharmapData | None = None
        self._charmap_lock = threading.Lock()

    @classmethod
    def from_data(cls, data: LexiconData, charmap: CharmapData | None = None,
                  typos: Mapping[str, tuple[str, ...]] | None = None) -> Lexicon:
        """A lexicon from values, not files: for tests and tools (no generation directory)."""
        lexicon = cls.__new__(cls)
        lexicon.generation = None
        lexicon._load(data)
        lexicon._charmap_file = None
        lexicon._charmap_data = charmap or CharmapData({}, {})
        lexicon._charmap_lock = threading.Lock()
        lexicon._typos = typos or {}
        return lexicon

    def _load(self, data: LexiconData) -> None:
        self.vocab: frozenset[str] = data.vocab
        self.chars: dict[str, tuple[str, ...]] = data.chars
        self.pywords: dict[str, list[str]] = data.pywords
        self.synonyms: dict[str, list[str]] = data.synonyms
        self.stopwords: frozenset[str] = data.stopwords
        self.places: frozenset[str] = data.places
        self.generic: frozenset[str] = data.generic
        self.english: Mapping[str, tuple[str, tuple[str, ...]]] = data.english
        self.nicknames: Mapping[str, tuple[str, tuple[str, ...]]] = data.nicknames

    @property
    def _charmap(self) -> CharmapData:
        """Read (and checksummed) on first need, from the file opened with the lexicon."""
        if self._charmap_data is None:
            with self._charmap_lock:
                if self._charmap_data is None:
                    assert self.generation is not None and self._charmap_file is not None
                    raw = read_verified(self._charmap_file, self.generation, CHARMAP, self._meta)
                    self._charmap_data = _parsed(parse_charmap, raw, self.generation, CHARMAP)
        return self._charmap_data

    def readings(self, ch: str) -> tuple[str, ...]:
        """Readings of any hanzi: the corpus's own first, the full table for the rest."""
        if ch in self.chars:
            return self.chars[ch]
        return tuple(self._charmap.pinyin.get(ch, "").split())

    def shapes(self, ch: str) -> str:
        """Corpus characters that look like `ch` (look-alikes, 形近字): read on first need."""
        return self._charmap.shapes.get(ch, "")

    def simplify(self, ch: str) -> str:
        """Traditional → simplified, but only for characters the corpus does not contain.

        So a name already in simplified form (乾潭, a real place) is never rewritten.
        """
        if ch in self.chars:
            return ch
        return self._charmap.t2s.get(ch, ch)

    def close(self) -> None:
        """Release the open files and the typo table's memory map."""
        if self._charmap_file is not None:
            self._charmap_file.close()
        if isinstance(self._typos, TypoTable):
            self._typos.close()

    def corrections(self, letters: str, max_edits: int) -> list[tuple[str, int]]:
        """Pinyin of corpus words and name runs within `max_edits` (a swap counts one).

        Symmetric-delete lookup (as SymSpell): the indexer stored every pinyin word under
        itself and each string one deletion away; the query's own deletions (two deep for
        two edits) are looked up and every candidate is checked with `damerau`. The table is
        searched on disk (`index.typotable`), never loaded whole.
        """
        if max_edits <= 0:
            return []
        cache = self.__dict__.setdefault("_correction_cache", OrderedDict())
        key = (letters, max_edits)
        with self._charmap_lock:
            if key in cache:
                cache.move_to_end(key)
                return list(cache[key])
        found = self._corrections(letters, max_edits)
        with self._charmap_lock:
            cache[key] = tuple(found)
            if len(cache) > CORRECTIONS_CACHE:
                cache.popitem(last=False)
        return found

    def _corrections(self, letters: str, max_edits: int) -> list[tuple[str, int]]:
        probes = deletes(letters)
        if max_edits >= 2:
            probes = set().union(*(deletes(p) for p in probes))
        table = self._typos
        found: dict[str, int] = {}
        for probe in probes:
            try:
                keys = table.get(probe, ())
            except (UnicodeDecodeError, ValueError) as exc:  # a damaged table: never a traceback
                raise IndexDamagedError(f"{self.generation}/{TYPOS}: not a typo table ({exc})") from exc
            for key in keys:
                if key not in found and key != letters:
                    found[key] = damerau(letters, key, max_edits)
        return sorted(((k, d) for k, d in found.items() if d <= max_edits),
                      key=lambda kd: (kd[1], -len(kd[0]), kd[0]))

    def nearest(self, letters: str, max_edits: int = 2) -> list[tuple[str, int]]:
        """Every lexicon pinyin word within `max_edits`, by brute force: for "did you mean".

        It reaches words two insertions away (lidn → lidian) and runs only when a query found
        nothing. Among equally near words, one the query skips letters of comes first: people
        drop letters more often than they mistype them (lidn is 锂电 lidian, not 六安 luan).
        """
        found = []
        for key in self.pywords:
            if abs(len(key) - len(letters)) <= max_edits and key[:1] == letters[:1]:
                d = damerau(letters, key, max_edits)
                # Two edits only as two missing letters (lidn → lidian): two wrong letters in
                # a short word suggest an unrelated word (yinte → yunhe).
                if d <= 1 or (d <= max_edits and _skips(letters, key)):
                    found.append((key, d))
        return sorted(found, key=lambda kd: (kd[1], not _skips(letters, kd[0]),
                                             abs(len(kd[0]) - len(letters)), kd[0]))


def _skips(short: str, word: str) -> bool:
    """True if `short` is `word` with some letters left out (lidn in lidian)."""
    letters = iter(word)
    return all(c in letters for c in short)


T = TypeVar("T")


def _parsed(parse: Callable[[bytes], T], raw: bytes, generation: Path, name: str) -> T:
    try:
        return parse(raw)
    except ValueError as exc:  # checksummed, so only a file of another version gets here
        raise IndexDamagedError(f"{generation / name}: {exc}",
                                hint=f"rebuild it with: clsearch index build --index {generation.parent}") from exc
