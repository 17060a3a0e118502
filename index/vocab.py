"""Index-time segmentation with jieba, which decides the index's vocabulary.

A private `jieba.Tokenizer` (never the global one) loads jieba's dictionary plus our domain
dictionary (data/domain_words.txt). Its cache goes to the per-user data directory, not the
shared temp folder, and its logger is kept quiet. The words it cuts become the vocabulary
that `index.analysis.segment` reuses for queries, so the query path never loads jieba.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from index.analysis import han_chars
from index.dictionaries import load_domain_words


def make_tokenizer(cache_dir: Path):
    """A private jieba tokenizer with the domain dictionary, caching under `cache_dir`."""
    with warnings.catch_warnings():  # its regexes warn when compiled fresh (3.12+)
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import jieba  # index time only

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tok.tmp_dir = str(cache_dir)
    tok.cache_file = str(cache_dir / "jieba.cache")
    tok.initialize()
    for word, freq, tag in load_domain_words():  # our loader: jieba's would read comments as words
        tok.add_word(word, freq, tag)
    return tok


def words_of(tokenizer, text: str) -> list[str]:
    """jieba's words of `text` that contain hanzi (HMM off: no invented words)."""
    return [w for w in tokenizer.lcut(text, HMM=False) if any(True for _ in han_chars(w))]


def cut_words(tokenizer, text: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """`words_of` and `word_bounds` of `text` from one jieba cut (what the indexer needs of it)."""
    words = tokenizer.lcut(text, HMM=False)
    bounds = {0}
    at = 0
    for w in words:
        at += len(w)
        bounds.add(at)
    if not words:
        bounds.clear()
    return tuple(w for w in words if any(True for _ in han_chars(w))), frozenset(bounds)


def word_bounds(tokenizer, text: str) -> set[int]:
    """Offsets where jieba's words of `text` start or end."""
    out: set[int] = set()
    for _, start, end in tokenizer.tokenize(text, HMM=False):
        out.update((start, end))
    return out
