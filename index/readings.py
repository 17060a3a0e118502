"""Index-time pinyin readings: pypinyin's phrase data corrected by our own table.

pypinyin reads many place names wrongly (长治 → zhang zhi, 单县 → dan xian), so words listed in
data/readings.txt override it. The table is applied by this module alone; pypinyin's global
dictionaries are never modified. Imported only by the indexer: pypinyin's tables cost ~0.4 s.
"""

from __future__ import annotations

from functools import lru_cache

from index.dictionaries import load_readings, syllables
from index.text import is_han


def _no_reading(text: str) -> list[str]:
    return ["" for _ in text]


class Reader:
    """Reads hanzi text as per-character reading tuples: contextual reading first, then others."""

    def __init__(self, overrides: dict[str, tuple[str, ...]] | None = None):
        import pypinyin  # index time only

        self._pypinyin = pypinyin
        self._segment = pypinyin.core.Pinyin().seg  # pypinyin's own phrase segmentation
        self.overrides = load_readings() if overrides is None else overrides
        self._max_word = max((len(w) for w in self.overrides), default=1)

    @lru_cache(maxsize=None)
    def char_readings(self, ch: str) -> tuple[str, ...]:
        """Every reading pypinyin knows for one character, most common first."""
        p = self._pypinyin
        out = p.pinyin(ch, style=p.Style.NORMAL, heteronym=True, errors="ignore")
        valid = syllables()
        return tuple(dict.fromkeys(r for r in (out[0] if out else []) if r in valid))

    @lru_cache(maxsize=1 << 16)
    def _phrase(self, piece: str) -> tuple[str, ...]:
        """pypinyin's reading of one piece of its own segmentation (pieces repeat: 产业, 集群)."""
        p = self._pypinyin
        return tuple(p.lazy_pinyin(piece, style=p.Style.NORMAL, errors=_no_reading))

    def _run(self, run: str) -> list[str]:
        # lazy_pinyin(run) reads each piece of seg(run) on its own: the same, piece by piece
        base = [syl for piece in self._segment(run) for syl in self._phrase(piece)]
        p = self._pypinyin
        if len(base) != len(run):  # defensive: never misalign readings and characters
            base = [(p.lazy_pinyin(c, style=p.Style.NORMAL) or [""])[0] for c in run]
        i = 0
        while i < len(run):  # our table wins, longest word first
            for n in range(min(self._max_word, len(run) - i), 1, -1):
                word = run[i:i + n]
                if word in self.overrides:
                    base[i:i + n] = self.overrides[word]
                    i += n - 1
                    break
            i += 1
        return base

    def read(self, text: str) -> list[tuple[str, ...]]:
        """One tuple per character of `text`; empty for anything that is not hanzi."""
        out: list[tuple[str, ...]] = [()] * len(text)
        i = 0
        while i < len(text):
            if not is_han(text[i]):
                i += 1
                continue
            j = i
            while j < len(text) and is_han(text[j]):
                j += 1
            for k, primary in enumerate(self._run(text[i:j])):
                alts = self.char_readings(text[i + k])
                out[i + k] = tuple(dict.fromkeys(([primary] if primary else []) + list(alts)))
            i = j
        return out
