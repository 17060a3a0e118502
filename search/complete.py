"""Type-ahead: what the user is typing (``常``, ``chang``, ``cz``, ``常zh``) → names and words.

The indexer wrote the suggestions (`index.completion`): every cluster name and every place and
industry word that occurs in names, with the pinyin of each character and the number of
clusters a search for it finds. Here they sit in three sorted arrays (by text, by joined
pinyin, by initials), so a keystroke is a few binary searches and a short sort: it runs on
every keystroke, well under a millisecond on the bundled corpus.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.analysis import value_key
from index.errors import InvalidValueError
from index.text import is_han

MAX_LIMIT = 1000
_KIND_ORDER = {"place": 0, "word": 1, "name": 2}
_SCAN = 5000  # most candidates looked at for one prefix (a one-letter prefix on a big index)


@dataclass(frozen=True)
class Completion:
    """One suggestion: the text to put in the box, what it is, and how many clusters it finds.

    `kind` is ``name`` (a cluster's name; `id` is that cluster's), ``place`` or ``word``.
    """

    text: str
    kind: str
    count: int
    id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "kind": self.kind, "count": self.count, "id": self.id}


def _initials(syllables: Sequence[str]) -> set[str]:
    """``cz`` for chang zhou, and ``chzh`` too (zh/ch/sh typed in full)."""
    first = "".join(s[:1] for s in syllables)
    full = "".join(s[:2] if s[:2] in ("zh", "ch", "sh") else s[:1] for s in syllables)
    return {first, full}


class Completer:
    """Suggestions of one index generation (see the module docstring)."""

    def __init__(self, entries: Sequence[Sequence[object]], simplify: Callable[[str], str] = lambda ch: ch):
        self._simplify = simplify
        self.entries = [Completion(str(e[0]), str(e[2]), int(str(e[3])), None if e[4] is None else str(e[4]))
                        for e in entries]
        self._syllables = [str(e[1]).split() for e in entries]
        self._by_text = sorted((c.text, i) for i, c in enumerate(self.entries))
        by_pinyin, by_initials = [], []
        for i, syls in enumerate(self._syllables):
            by_pinyin.append(("".join(syls), i))
            by_initials += [(ini, i) for ini in _initials(syls)]
        self._by_pinyin = sorted(by_pinyin)
        self._by_initials = sorted(by_initials)
        self._rank = [(-c.count, _KIND_ORDER.get(c.kind, 3), len(c.text), c.text)
                      for c in self.entries]

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """The best `limit` suggestions starting with `prefix`: most clusters first.

        Places and words come before names at equal counts; hanzi, full pinyin, initials and
        hanzi followed by pinyin (``常zh``) are all understood; traditional characters are
        simplified, case, width and tone marks ignored.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise InvalidValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}", param="limit")
        if not isinstance(prefix, str):
            raise InvalidValueError("a prefix is text", param="prefix")
        key = value_key("".join(self._simplify(c) if is_han(c) else c for c in prefix))
        if not key:
            return []
        head = ""
        for c in key:
            if not is_han(c):
                break
            head += c
        tail = key[len(head):]
        if head and not tail:
            found = set(self._range(self._by_text, head))
        elif head:
            found = {i for i in self._range(self._by_text, head)
                     if self._tail_matches(i, len(head), tail)}
        else:
            initials = self._range(self._by_initials, key)
            found = set(self._range(self._by_pinyin, key)) | set(initials)
            # Whole syllables typed (li = 锂电, 丽水) before a syllable cut short (ling 零部件).
            # Entries whose initials start with the letters are all in `initials` unless the
            # run was cut at _SCAN: then each is asked.
            known = set(initials) if len(initials) < _SCAN else None
            return [self.entries[i] for i in self._whole_first(found, key, limit, known)]
        best = heapq.nsmallest(limit, found, key=self._rank.__getitem__)
        return [self.entries[i] for i in best]

    def _whole_first(self, found: set[int], letters: str, limit: int, by_initials: set[int] | None) -> list[int]:
        """``heapq.nsmallest(limit, found, key=lambda i: (not self._whole(i, letters), rank[i]))``,
        without testing every candidate (a one-letter prefix has thousands on a big index): the
        best by rank are tested first, more only while fewer than `limit` of them are whole.
        `by_initials`: the candidates whose initials start with `letters`, if known (whole)."""
        rank = self._rank.__getitem__

        def whole(i: int) -> bool:
            if by_initials is None:
                return self._whole(i, letters)
            return i in by_initials or self._whole_syllables(i, letters)

        k = limit
        flags: dict[int, bool] = {}
        while True:
            top = heapq.nsmallest(k, found, key=rank)  # stable: ties in `found`'s order, as before
            for i in top:
                if i not in flags:
                    flags[i] = whole(i)
            firsts = [i for i in top if flags[i]]
            if len(firsts) >= limit:
                return firsts[:limit]  # every other whole entry ranks below these
            if k >= len(found):
                return (firsts + [i for i in top if not flags[i]])[:limit]
            k *= 4

    def _whole_syllables(self, i: int, letters: str) -> bool:
        """True if `letters` are the first whole syllables of entry `i` (`_whole` less initials)."""
        joined = ""
        for s in self._syllables[i]:
            joined += s
            if len(joined) >= len(letters):
                return joined == letters
        return False

    def _whole(self, i: int, letters: str) -> bool:
        """True if `letters` are whole syllables of entry `i`, or its initials."""
        joined = ""
        for s in self._syllables[i]:
            joined += s
            if joined == letters:
                return True
            if len(joined) >= len(letters):
                break
        return any(ini.startswith(letters) for ini in _initials(self._syllables[i]))

    def _tail_matches(self, i: int, start: int, letters: str) -> bool:
        syls = self._syllables[i][start:]
        return bool(syls) and ("".join(syls).startswith(letters)
                               or any(ini.startswith(letters) for ini in _initials(syls)))

    @staticmethod
    def _range(table: list[tuple[str, int]], prefix: str) -> list[int]:
        """Entry numbers whose key starts with `prefix` (a bounded run of the sorted table)."""
        out = []
        start = bisect_left(table, (prefix, -1))
        for n in range(start, min(len(table), start + _SCAN)):
            k, i = table[n]
            if not k.startswith(prefix):
                break
            out.append(i)
        return out
