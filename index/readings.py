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
        from pypinyin.constants import PHRASES_DICT
        from pypinyin.seg import mmseg

        self._pypinyin = pypinyin
        self._segment = pypinyin.core.Pinyin().seg  # pypinyin's own phrase segmentation
        self.overrides = load_readings() if overrides is None else overrides
        self._max_word = max((len(w) for w in self.overrides), default=1)
        self._starts = frozenset(w[:2] for w in self.overrides if len(w) >= 2)  # where one may begin
        # pypinyin's forward maximum matching (`mmseg.Seg.cut`), strict as its default is: its
        # dictionary's phrases and their prefixes.
        strict = getattr(mmseg.seg, "_no_non_phrases", False) is True
        prefixes = getattr(getattr(mmseg.seg, "_prefix_set", None), "_set", None)
        self._greedy = (prefixes, PHRASES_DICT) if strict and isinstance(prefixes, set) else None
        self._rests: dict[str, tuple[str, ...]] = {}  # readings of ends of runs (they recur)
        self._chars: dict[tuple[str, str], tuple[str, ...]] = {}  # (char, reading in context) → readings

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

    def _base(self, run: str) -> list[str]:
        """pypinyin's reading of a run of hanzi: ``lazy_pinyin(run)`` reads each piece of
        ``seg(run)`` on its own, so this does the same, piece by piece."""
        if self._greedy is None or not ("\u4e00" <= min(run) and max(run) <= "\u9fff"):
            return [syl for piece in self._segment(run) for syl in self._phrase(piece)]
        # One run of common hanzi is one piece of pypinyin's first split (`simpleseg`), cut by
        # forward maximum matching: what it does from an offset on depends only on the text
        # from there, so the readings of the rest after the first word are remembered.
        rests = self._rests
        found = rests.get(run)
        if found is not None:
            return list(found)
        prefixes, phrases = self._greedy
        out: list[str] = []
        remain = run
        first = None  # readings of the first step (the rest's start)
        while remain:
            if first is not None:
                found = rests.get(remain)
                if found is not None:
                    out += found
                    break
            for piece in _greedy_step(remain, prefixes, phrases):
                out += self._phrase(piece)
                remain = remain[len(piece):]
            if first is None:
                first = len(out)
                rest = remain
        if first is not None and rest and len(rests) < REMEMBERED and rest not in rests:
            rests[rest] = tuple(out[first:])
        return out

    def _run(self, run: str) -> list[str]:
        base = self._base(run)
        p = self._pypinyin
        if len(base) != len(run):  # defensive: never misalign readings and characters
            base = [(p.lazy_pinyin(c, style=p.Style.NORMAL) or [""])[0] for c in run]
        starts = self._starts
        i = 0
        while i < len(run) - 1:  # our table wins, longest word first
            if run[i:i + 2] in starts:
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
        chars = self._chars
        i = 0
        while i < len(text):
            if not is_han(text[i]):
                i += 1
                continue
            j = i
            while j < len(text) and is_han(text[j]):
                j += 1
            for k, primary in enumerate(self._run(text[i:j])):
                ch = text[i + k]
                found = chars.get((ch, primary))
                if found is None:
                    alts = self.char_readings(ch)
                    found = chars[(ch, primary)] = tuple(dict.fromkeys(([primary] if primary else []) + list(alts)))
                out[i + k] = found
            i = j
        return out


REMEMBERED = 1 << 15  # ends of runs whose readings a `Reader` keeps


def _greedy_step(remain: str, prefixes: set[str], phrases: dict) -> list[str]:
    """The pieces pypinyin's strict forward maximum matching (`mmseg.Seg.cut`) takes from
    the start of `remain` before it starts afresh: the longest phrase there; else the first
    character; or, when all of `remain` is a phrase's prefix without holding one, each of its
    characters."""
    longest = 0
    for index in range(len(remain)):
        word = remain[:index + 1]
        if word in prefixes:
            if word in phrases:
                longest = index + 1
        else:
            return [remain[:longest] if longest else remain[0]]
    return [remain[:longest]] if longest else list(remain)
