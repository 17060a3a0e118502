"""What the indexer wrote for the query layer: vocabulary, readings, synonyms, stop words.

Loading this is the query path's only "dictionary" cost: a small JSON file (a few thousand
words and characters). The large reading table for characters outside the corpus and the
traditional → simplified table sit in a second file, read only when a query needs them.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from functools import cached_property
from pathlib import Path

from index.analysis import damerau, deletes
from index.store import CHARMAP, LEXICON



class Lexicon:
    """Read-only view of one index generation's lexicon files."""

    def __init__(self, generation: Path):
        self.generation = generation
        with open(generation / LEXICON, encoding="utf-8") as fp:
            data = json.load(fp)
        self.vocab: frozenset[str] = frozenset(data["vocab"])
        self.chars: dict[str, tuple[str, ...]] = {c: tuple(r.split()) for c, r in data["chars"].items()}
        self.pywords: dict[str, list[str]] = data["pywords"]
        self.pygrams: list[str] = data.get("pygrams", [])
        self.synonyms: dict[str, list[str]] = data["synonyms"]
        self.stopwords: frozenset[str] = frozenset(data["stopwords"])
        self._lock = threading.Lock()

    @cached_property
    def _charmap(self) -> dict:
        with open(self.generation / CHARMAP, encoding="utf-8") as fp:
            return json.load(fp)

    def readings(self, ch: str) -> tuple[str, ...]:
        """Readings of any hanzi: the corpus's own first, the full table for the rest."""
        if ch in self.chars:
            return self.chars[ch]
        return tuple(self._charmap["pinyin"].get(ch, "").split())

    def simplify(self, ch: str) -> str:
        """Traditional → simplified, but only for characters the corpus does not contain.

        So a name already in simplified form (乾潭, a real place) is never rewritten.
        """
        if ch in self.chars:
            return ch
        return self._charmap["t2s"].get(ch, ch)

    @cached_property
    def _deletes(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        for key in list(self.pywords) + self.pygrams:
            for d in deletes(key):
                table[d].append(key)
        return dict(table)

    def corrections(self, letters: str, max_edits: int) -> list[tuple[str, int]]:
        """Lexicon pinyin words within `max_edits` (a swap counts one), nearest first.

        Symmetric-delete lookup: one deletion on each side finds every word at distance one
        and most at distance two; each candidate is then checked with `damerau`.
        """
        if max_edits <= 0:
            return []
        with self._lock:
            table = self._deletes
        found: dict[str, int] = {}
        probes = deletes(letters)
        if max_edits >= 2:
            probes = set().union(*(deletes(p) for p in probes))
        for probe in probes:
            for key in table.get(probe, ()):
                if key not in found and key != letters:
                    d = damerau(letters, key, max_edits)
                    if d <= max_edits:
                        found[key] = d
        return sorted(found.items(), key=lambda kd: (kd[1], -len(kd[0]), kd[0]))

    def nearest(self, letters: str, max_edits: int = 2) -> list[tuple[str, int]]:
        """Every lexicon pinyin word within `max_edits`, by brute force: for "did you mean".

        Slower than `corrections` (it reaches words two insertions away, lidn → lidian), so it
        runs only when a query found nothing.
        """
        found = []
        for key in self.pywords:
            if abs(len(key) - len(letters)) <= max_edits and key[:1] == letters[:1]:
                d = damerau(letters, key, max_edits)
                if d <= max_edits:
                    found.append((key, d))
        return sorted(found, key=lambda kd: (kd[1], abs(len(kd[0]) - len(letters)), kd[0]))
