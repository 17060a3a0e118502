"""Every dictionary file the project reads, from one data directory (index/data/).

Each loader reads one file of ``index/data`` (documented in its README) and returns plain
Python values; nothing else in the project opens those files or computes their paths. Standard
library only, so the query path can take `syllables` for free; the index-time loaders are
called only by the indexer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


def data_path(name: str) -> Path:
    """The path of one bundled data file (``regions.tsv``, ``synonyms.txt`` …)."""
    return DATA_DIR / name


def read_data_lines(path: Path) -> Iterator[str]:
    """Non-empty, non-comment lines of a data file, stripped."""
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def dictionary_files(name: str, extra: Iterable[str | Path] = ()) -> list[Path]:
    """Every file to read for the dictionary `name`, in order: the bundled one, the user's copy
    in the config directory (synonyms.txt, stopwords.txt, nicknames.tsv: `index.user_files`),
    then `extra` (given at build time). Later files add to earlier ones, never replace them."""
    from index.user_files import user_file

    files = [p for p in (data_path(name), user_file(name)) if p is not None and p.exists()]
    return files + [Path(p) for p in extra]


def _lines(name: str, extra: Iterable[str | Path] = ()) -> Iterator[str]:
    """The lines of every file of the dictionary `name` (`dictionary_files`)."""
    for path in dictionary_files(name, extra):
        yield from read_data_lines(path)


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """The ~420 valid toneless syllables (syllables.txt). Query path and indexer alike."""
    return frozenset(read_data_lines(data_path("syllables.txt")))


def load_synonyms(path: Path | None = None, extra: Iterable[str | Path] = ()) -> dict[str, list[str]]:
    """term → terms it also matches (synonyms.txt). ``a b c`` are equivalent; ``a => b c`` is one-way.

    Without `path`: the bundled file, the user's and `extra` (`dictionary_files`), then the
    bundled shorthand.txt (化学纤维 化纤, 轨道交通 轨交 …).
    """
    table: dict[str, list[str]] = defaultdict(list)
    if path is not None and not path.exists():
        return {}
    if path is not None:
        lines: Iterable[str] = read_data_lines(path)
    else:  # the thesaurus, then the trade's short forms (shorthand.txt, generated, same format)
        lines = chain(_lines("synonyms.txt", extra), read_data_lines(data_path("shorthand.txt")))
    for line in lines:
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources, targets = left.split(), right.split()
        else:
            sources = targets = line.split()
        for s in sources:
            for t in targets:
                if t != s and t not in table[s.lower()]:  # queries are folded: IC → ic
                    table[s.lower()].append(t)
    return dict(table)


def load_stopwords(extra: Iterable[str | Path] = ()) -> list[str]:
    """Words a query drops (stopwords.txt: the bundled file, the user's, `extra`), sorted."""
    return sorted(set(_lines("stopwords.txt", extra)))


def load_readings(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """word → toneless syllables, one per character (readings.txt: ``重庆 chong qing``)."""
    table: dict[str, tuple[str, ...]] = {}
    path = path or data_path("readings.txt")
    if not path.exists():
        return table
    for line in read_data_lines(path):
        word, *syls = line.split()
        if len(syls) == len(word):
            table[word] = tuple(syls)
    return table


def load_domain_words() -> list[tuple[str, int | None, str | None]]:
    """(word, frequency or None, part-of-speech tag or None) for jieba (domain_words.txt)."""
    out: list[tuple[str, int | None, str | None]] = []
    for line in _lines("domain_words.txt"):
        word, *rest = line.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        out.append((word, freq, rest[1] if len(rest) > 1 else None))
    return out


def load_t2s() -> dict[str, str]:
    """Traditional → simplified, single characters only (t2s_chars.tsv)."""
    t2s: dict[str, str] = {}
    for line in _lines("t2s_chars.tsv"):
        parts = line.split("\t")
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            t2s[parts[0]] = parts[1]
    return t2s


def load_generic(extra: Iterable[str | Path] = ()) -> list[str]:
    """Words that describe a wish, not a constraint (generic.txt: 地方, 基地, 园区 …), sorted."""
    return sorted(set(_lines("generic.txt", extra)))


def load_nicknames() -> dict[str, tuple[str, tuple[str, ...]]]:
    """nickname → (kind, words it names) (nicknames.tsv: the bundled file and the user's)."""
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in _lines("nicknames.tsv"):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] and parts[2].split():
            table[parts[0]] = (parts[1], tuple(parts[2].split()))
    return table


def load_english() -> dict[str, tuple[str, tuple[str, ...]]]:
    """English phrase (lower case, words joined by single spaces) → (kind, Chinese terms)
    (english.tsv; kind industry, place or filler, filler with no terms)."""
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in _lines("english.tsv"):
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0]:
            key = " ".join(re.sub(r"[^a-z0-9]+", " ", parts[0].lower()).split())
            table[key] = (parts[1], tuple(parts[2].split()) if len(parts) > 2 else ())
    return table


def load_lookalikes() -> dict[str, str]:
    """char → characters of the same shape (lookalikes.tsv: ``己<TAB>已巳``), symmetric."""
    table: dict[str, str] = {}
    for line in _lines("lookalikes.tsv"):
        parts = line.split("\t")
        if len(parts) >= 2 and len(parts[0]) == 1:
            table[parts[0]] = parts[1].strip()
    return table
