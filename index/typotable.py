"""The typo table on disk: pinyin words by their one-deletion variants, looked up, not loaded.

Symmetric-delete typo correction (as SymSpell) needs every target word filed under itself and
each string one deletion away. At 100,000 records that is ~3 million keys: unpickled whole it
cost 2.4 s and 435 MiB on the first Latin query that found nothing. Here it is a sorted text
file, one key per line::

    variant<TAB>word word …

sorted by variant (plain ASCII letters, so code-point order is byte order), and a query finds
a key by binary search over a memory map: a few page reads, no parsing of the rest. Text, not
pickle, so the query path never unpickles anything and a checksum covers it like any file.

A word is written as what it adds to the variant: ``.`` is the variant itself,
``3n`` the variant with ``n`` inserted at offset 3 (``lidia  3n`` is lidian), and ``=word`` any
other word in full. Each word is one letter longer than its variants, so most lines shrink by
about a third (32 → ~21 MB at 100,000 records).
"""

from __future__ import annotations

import mmap
from collections import defaultdict
from pathlib import Path
from collections.abc import Iterable, Iterator



def typo_lines(words: Iterable[str]) -> Iterator[str]:
    """The table's lines for `words`: each word under itself and its one-deletion variants
    (`index.distance.deletes`), written as tokens (see the module doc), in sorted order.

    A line's words come in token order (a lookup sorts what it finds anyway). Built from one
    sorted list of ``variant<TAB>token`` strings: at 100,000 records ~3 million short strings,
    a third of the memory of a dict of lists.
    """
    entries: list[str] = []
    add = entries.append
    for word in {w for w in words if _usable(w)}:
        for variant, token in _filed(word):
            add(f"{variant}\t{token}")
    entries.sort()  # by variant (a tab sorts before any letter), then token
    key: str | None = None
    tokens: list[str] = []
    for entry in entries:
        variant, token = entry.split("\t", 1)
        if variant != key:
            if key is not None:
                yield f"{key}\t{' '.join(tokens)}\n"
            key, tokens = variant, []
        tokens.append(token)
    if key is not None:
        yield f"{key}\t{' '.join(tokens)}\n"


def _word_of(key: str, token: str) -> str:
    """The word a token of the line of `key` stands for (see the module doc)."""
    if token == ".":
        return key
    if token[0] == "=":
        return token[1:]
    i = 0
    while token[i].isdigit():
        i += 1
    at = int(token[:i])
    return key[:at] + token[i:] + key[at:]


def write_typo_table(path: Path, words: Iterable[str]) -> int:
    """Write the table for `words` to `path`; returns the number of keys."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        for line in typo_lines(words):
            fp.write(line)
            count += 1
    return count


def _usable(word: str) -> bool:
    return bool(word) and not any(c.isspace() for c in word)


def _filed(word: str) -> Iterator[tuple[str, str]]:
    """(variant, token) for each line `word` is filed on: itself (``.``) and each one-deletion
    variant (what it inserts where, or ``=word``; see the module doc)."""
    yield word, "."
    seen = {word}
    for i, c in enumerate(word):
        variant = word[:i] + word[i + 1:]
        if variant not in seen:  # aab: deleting either a is one variant
            seen.add(variant)
            yield variant, (f"{i}{c}" if not (c.isdigit() or c in ".=") else "=" + word)


def update_typo_table(data: bytes, path: Path, added: Iterable[str], removed: Iterable[str]) -> None:
    """Write to `path` the table whose bytes are `data`, less the words `removed`, plus `added`: the file
    `write_typo_table` writes for those words, made by rewriting only the lines of the keys
    the changed words are filed under (an incremental build changes a few thousand words
    of a table of millions of keys)."""
    delta: dict[bytes, tuple[set[bytes], set[bytes]]] = defaultdict(lambda: (set(), set()))
    for n, changed in enumerate((added, removed)):
        for word in {w for w in changed if _usable(w)}:
            for variant, token in _filed(word):
                delta[variant.encode("utf-8")][n].add(token.encode("utf-8"))
    out: list[bytes] = []
    pos = 0
    for key in sorted(delta):
        start, end, found = _seek(data, key, pos)
        out.append(data[pos:start])
        filed: set[bytes] = set(data[start + len(key) + 1:end].split()) if found else set()
        plus, minus = delta[key]
        filed = (filed - minus) | plus
        if filed:
            out.append(key + b"\t" + b" ".join(sorted(filed)) + b"\n")
        pos = end if found else start
    out.append(data[pos:])
    with open(path, "wb") as fp:
        fp.writelines(out)


def _seek(data: bytes, want: bytes, lo: int) -> tuple[int, int, bool]:
    """The line of `want` in a table, searched from `lo` (a line start): (start, end, True),
    or where it would go: (start, start, False)."""
    hi = len(data)
    while lo < hi:  # lo and hi are line starts; lines before lo sort below `want`, from hi above
        mid = (lo + hi) // 2
        cut = data.rfind(b"\n", lo, mid)
        start = cut + 1 if cut >= 0 else lo
        end = data.find(b"\n", mid)
        end = len(data) if end < 0 else end + 1
        tab = data.find(b"\t", start, end)
        found = data[start:tab]
        if found == want:
            return start, end, True
        if found < want:
            lo = end
        else:
            hi = start
    return lo, lo, False


class TypoTable:
    """Read-only lookups in a table written by `write_typo_table` (binary search on a mmap)."""

    def __init__(self, path: Path):
        self._fp = open(path, "rb")
        try:
            self._map: mmap.mmap | bytes = mmap.mmap(self._fp.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            self._map = b""

    def close(self) -> None:
        if isinstance(self._map, mmap.mmap):
            self._map.close()
        self._fp.close()

    def _line_at(self, pos: int) -> tuple[int, int]:
        """Start and end (past the newline) of the line holding byte `pos`."""
        data = self._map
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        return start, (len(data) if end < 0 else end + 1)

    def get(self, key: str, default=()) -> tuple[str, ...]:
        """The words filed under `key` (empty if none)."""
        data = self._map
        want = key.encode("utf-8")
        lo, hi = 0, len(data)
        while lo < hi:  # invariant: every line starting before lo sorts below `want`
            mid = (lo + hi) // 2
            start, end = self._line_at(mid)
            tab = data.find(b"\t", start, end)
            found = data[start:tab]
            if found == want:
                return tuple(_word_of(key, t) for t in data[tab + 1:end].decode("utf-8").split())
            if found < want:
                lo = end
            else:
                hi = start
        return tuple(default)
