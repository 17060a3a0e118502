"""The one analysis module: what a piece of text becomes for matching, at index and query time.

Everything here is a pure function over strings, standard library only, so the query layer can
import it at no cost. The heavy, index-time halves (jieba's segmentation, pypinyin's readings)
live in `index.readings` and `index.vocab`; they produce data that these functions consume.

Pinyin model
------------
Each hanzi has a tuple of toneless readings, the reading in context first (长沙 → chang), other
readings after (zhang). Latin input is parsed into *pieces*, each consumed by one hanzi:

- ``FULL``    a whole syllable (``xin``), matched against any reading of the char;
- ``INITIAL`` an abbreviation (``x``, ``zh``), matched against a reading's initial;
- ``PREFIX``  an unfinished syllable, allowed only at the very end of the query (type-ahead).

Fuzzy pinyin (the confusions of regional accents) compares `fuzzy_key`s; it is a penalised
channel, never an equivalence.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple
from collections.abc import Iterable, Iterator

from index.dictionaries import syllables
from index.format import Kind, pair_term
from index.text import is_han, normalize

# The piece kinds of Latin input (one enum with the query's other unit kinds: `format.Kind`).
FULL, INITIAL, PREFIX = Kind.FULL, Kind.INITIAL, Kind.PREFIX

# Initials, longest first so that zh/ch/sh win over z/c/s. a/o/e stand for vowel-initial
# syllables (安 an → a), which people abbreviate like any other.
INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
            "j", "q", "x", "r", "z", "c", "s", "y", "w", "a", "o", "e")
_FUZZY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "h": "f", "r": "l"}
_TONE_DIGIT_RE = re.compile(r"(?<=[a-zv])[1-5]")


@lru_cache(maxsize=1)
def _syllable_prefixes() -> frozenset[str]:
    return frozenset(s[:i] for s in syllables() for i in range(1, len(s) + 1))


@lru_cache(maxsize=1024)
def _longer(prefix: str) -> tuple[str, ...]:
    return tuple(s for s in syllables() if s.startswith(prefix) and s != prefix)


# --------------------------------------------------------------------------------------------
# Normalisation for matching
# --------------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Query/document text for matching: `normalize`d, lower-cased, tone marks removed.

    Tone marks become plain letters (ü → v), tone digits after a letter become a syllable
    break: ``Xīn yú`` → ``xin yu``, ``xin1yu2`` → ``xin yu ``.

    >>> fold("Xīn Yú"), fold("xin1yu2"), fold("LǙ")
    ('xin yu', 'xin yu', 'lv')
    """
    text = unicodedata.normalize("NFD", normalize(text).lower())
    text = text.replace("u\u0308", "v").replace("ü", "v")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    return _TONE_DIGIT_RE.sub(" ", text).strip()


def value_key(text: str) -> str:
    """A filter value or one of its names as compared: case, width, tone marks, spaces and
    dashes ignored (digits kept: they are not tones in ``most-2021-appendix3``).

    >>> value_key("Inner Mongolia"), value_key("ＪＩＡＮＧ-sū"), value_key("most-2021-appendix3")
    ('innermongolia', 'jiangsu', 'most2021appendix3')
    """
    text = unicodedata.normalize("NFD", normalize(text).lower()).replace("u\u0308", "v")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-_'’.·]", "", unicodedata.normalize("NFC", text))


@lru_cache(maxsize=4096)
def initial(syllable: str) -> str:
    """The initial of a syllable: ``zh``/``ch``/``sh`` or its first letter."""
    return syllable[:2] if syllable[:2] in ("zh", "ch", "sh") else syllable[:1]


@lru_cache(maxsize=4096)
def fuzzy_key(syllable: str) -> str:
    """A syllable with the usual accent confusions folded away.

    z/zh, c/ch, s/sh, n/l, f/h, r/l on the initial; an/ang, en/eng, in/ing (hence ian/iang and
    uan/uang) on the final. Two syllables with equal keys are near-homophones.

    >>> [fuzzy_key(s) for s in ("xing", "zhen", "ni", "huang", "meng", "long")]
    ['xin', 'zen', 'li', 'fuan', 'men', 'long']
    """
    ini = initial(syllable)
    fin = syllable[len(ini):]
    if ini in ("a", "o", "e"):  # vowel-initial syllable: no consonant initial
        ini, fin = "", syllable
    if fin.endswith("ng") and len(fin) >= 3 and fin[-3] in "aei":
        fin = fin[:-1]
    return _FUZZY_INITIAL.get(ini, ini) + fin


def reading_pairs(readings: Iterable[Iterable[str]]) -> set[str]:
    """Fuzzy-key pairs of every two neighbouring hanzi (each given as its readings).

    Indexed so that a multi-character query alternative only reaches documents where two of
    its characters sit side by side, under any reading and any fuzzy spelling.

    >>> sorted(reading_pairs([("chang", "zhang"), ("sha",), ()]))
    ['can_sa', 'zan_sa']
    """
    keys = [{fuzzy_key(r) for r in rs} for rs in readings]
    return {pair_term(a, b) for left, right in zip(keys, keys[1:]) for a in left for b in right}


def reading_grams(readings: list[tuple[str, ...]], sizes=(2, 3, 4)) -> set[str]:
    """Joined usual readings of every run of 2-4 hanzi: what a mistyped pinyin word may mean.

    >>> sorted(reading_grams([("xin",), ("yu",), ("dong",)]))
    ['xinyu', 'xinyudong', 'yudong']
    """
    out = set()
    for n in sizes:
        for i in range(len(readings) - n + 1):
            run = readings[i:i + n]
            if all(run):
                out.add("".join(r[0] for r in run))
    return out


def initial_pairs(readings: Iterable[Iterable[str]]) -> set[str]:
    """Initials of the usual readings of every two neighbouring hanzi (s also for sh).

    >>> sorted(initial_pairs([("sheng",), ("wu",), ("yi",)]))
    ['s_w', 'sh_w', 'w_y']
    """
    usual = [rs[0] if rs else "" for rs in (tuple(r) for r in readings)]
    forms = [{initial(r), r[0]} if r else set() for r in usual]
    return {pair_term(a, b) for left, right in zip(forms, forms[1:]) for a in left for b in right}


# --------------------------------------------------------------------------------------------
# Latin input → pieces
# --------------------------------------------------------------------------------------------

class Piece(NamedTuple):
    """One hanzi's worth of Latin input: a full syllable, an initial, or an unfinished syllable."""

    kind: Kind
    text: str


def _piece_options(letters: str, i: int, at_end: bool) -> Iterator[Piece]:
    rest = letters[i:]
    for n in range(min(6, len(rest)), 0, -1):
        chunk = rest[:n]
        if chunk in syllables():
            yield Piece(FULL, chunk)
    for ini in INITIALS:
        if rest.startswith(ini) and not (len(rest) == len(ini) and ini in syllables()):
            yield Piece(INITIAL, ini)
    # An unfinished last syllable, even one that is already a syllable itself: zhu → zhuang.
    if at_end and rest in _syllable_prefixes() and rest not in INITIALS and (
            rest not in syllables() or any(s != rest and s.startswith(rest) for s in _longer(rest))):
        yield Piece(PREFIX, rest)


def parse_latin(letters: str, prefix_at_end: bool = True, limit: int = 8,
                breaks: frozenset[int] = frozenset()) -> list[tuple[Piece, ...]]:
    """Every way to read a run of letters as pinyin pieces, best first, at most `limit`.

    Best means fewest non-full pieces, then fewest pieces: ``xian`` → (xian), (xi, an), ...
    `breaks` are positions where the user typed a space or tone digit: a piece may not span
    them. A partial syllable is allowed only at the end (type-ahead), and only if
    `prefix_at_end`. A beam keeps the work bounded for long runs.

    >>> [" ".join(f"{p.kind[0]}:{p.text}" for p in parse) for parse in parse_latin("xian", limit=3)]
    ['f:xian', 'f:xi f:an', 'p:xian']
    >>> [(str(p.kind), p.text) for p in parse_latin("jqr")[0]]
    [('initial', 'j'), ('initial', 'q'), ('initial', 'r')]
    """
    n = len(letters)
    options = [list(_piece_options(letters, i, prefix_at_end)) for i in range(n)]
    # beams[i]: the best partial parses ending at i, as (cost, pieces)
    beams: list[list[tuple[tuple[int, int], tuple[Piece, ...]]]] = [[] for _ in range(n + 1)]
    beams[0].append(((0, 0), ()))
    for i in range(n):
        beams[i].sort(key=lambda cp: cp[0])
        for cost, pieces in beams[i][:limit]:
            for piece in options[i]:
                j = i + len(piece.text)
                if (piece.kind == PREFIX and j != n) or any(i < b < j for b in breaks):
                    continue
                beams[j].append(((cost[0] + (piece.kind != FULL), cost[1] + 1), pieces + (piece,)))
    done = sorted(beams[n], key=lambda cp: cp[0])
    if done and done[0][0][0] == 0:
        # Someone who typed whole syllables (changxing) meant them: no abbreviations inside.
        done = [cp for cp in done if all(p.kind == FULL for p in cp[1][:-1])]
    seen: set[tuple[Piece, ...]] = set()
    out = []
    for _, pieces in done:
        if pieces not in seen:
            seen.add(pieces)
            out.append(pieces)
    return out[:limit]


# --------------------------------------------------------------------------------------------
# Segmentation with the index's own vocabulary (both sides)
# --------------------------------------------------------------------------------------------

def segment(text: str, vocab: frozenset[str] | set[str], max_len: int = 8) -> list[str]:
    """Cut a hanzi run into the fewest words of `vocab`, falling back to single characters.

    The vocabulary is decided at index time by jieba (with the domain dictionary); this
    dynamic programme reuses it on both sides, so queries are cut exactly like documents
    without loading jieba's 350,000-word dictionary.

    >>> segment("江苏的机器人", {"江苏", "机器人", "机器"})
    ['江苏', '的', '机器人']
    """
    n = len(text)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (pieces, -longest) per end
    back = [0] * (n + 1)
    best[0] = (0, 0)
    for j in range(1, n + 1):
        for i in range(max(0, j - max_len), j):
            prev, cur = best[i], best[j]
            if prev is None or (j - i > 1 and text[i:j] not in vocab):
                continue
            cand = (prev[0] + 1, min(prev[1], -(j - i)))
            if cur is None or cand < cur:
                best[j], back[j] = cand, i
    out: list[str] = []
    j = n
    while j > 0:
        out.append(text[back[j]:j])
        j = back[j]
    return out[::-1]


def split_scripts(text: str) -> list[tuple[str, str]]:
    """Split folded text into runs: ("han", ...), ("latin", ...), ("digit", ...).

    Anything else (punctuation, Whoosh syntax such as * ? " : ( ) ~ ^) is a separator,
    taken literally as "not part of a word" and never interpreted.

    >>> split_scripts("新yu 常州(gf)")  # doctest: +NORMALIZE_WHITESPACE
    [('han', '新'), ('latin', 'yu'), ('sep', ' '), ('han', '常州'), ('sep', '('),
     ('latin', 'gf'), ('sep', ')')]
    """
    runs: list[tuple[str, str]] = []
    for ch in text:
        if is_han(ch):
            kind = "han"
        elif "a" <= ch <= "z":
            kind = "latin"
        elif ch.isdigit():
            kind = "digit"
        else:
            kind = "sep"
        if runs and runs[-1][0] == kind and kind != "sep":
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    return runs


def han_chars(text: str) -> Iterable[tuple[int, str]]:
    """(offset, char) for every hanzi of `text`."""
    return ((i, c) for i, c in enumerate(text) if is_han(c))


def latin_typo_budget(n_letters: int) -> int:
    """Edits a pinyin word may carry: 0 up to 4 letters, 1 for 5-8, 2 from 9 (as Meilisearch)."""
    return 0 if n_letters <= 4 else 1 if n_letters <= 8 else 2


def han_typo_budget(n_chars: int) -> int:
    """Wrong characters (homophones) a hanzi word may carry: 0 for one, 1 for 2-3, 2 from 4."""
    return 0 if n_chars <= 1 else 1 if n_chars <= 3 else 2
