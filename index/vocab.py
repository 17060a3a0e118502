"""Index-time segmentation with jieba, which decides the index's vocabulary.

A private `jieba.Tokenizer` (never the global one) loads jieba's dictionary plus our domain
dictionary (data/domain_words.txt). Its cache goes to the per-user data directory, not the
shared temp folder, and its logger is kept quiet. The words it cuts become the vocabulary
that `index.analysis.segment` reuses for queries, so the query path never loads jieba.
"""

from __future__ import annotations

import logging
import marshal
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.analysis import han_chars
from index.dictionaries import load_domain_words

_ENG = re.compile("[a-zA-Z0-9]", re.U)  # jieba's re_eng


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
    tok.cache_file = str(cache_dir / _cache_name(jieba))
    if not _load_cache(tok):
        tok.initialize()  # makes the dictionary and writes the cache
    for word, freq, tag in load_domain_words():  # our loader: jieba's would read comments as words
        tok.add_word(word, freq, tag)
    # Its dictionary is final: cut blocks with the ends of texts that recur remembered.
    routes = SuffixRoutes(tok.FREQ, tok.total)
    tok._Tokenizer__cut_DAG_NO_HMM = routes.cut
    plain = tok.lcut

    def lcut(sentence, cut_all=False, HMM=True, use_paddle=False):  # noqa: N803 (jieba's names)
        if cut_all or HMM or use_paddle or not isinstance(sentence, str):
            return plain(sentence, cut_all=cut_all, HMM=HMM, use_paddle=use_paddle)
        return routes.lcut(sentence)

    tok.lcut = lcut
    return tok


def jieba_cache_dir(index_dir: Path) -> Path:
    """Where jieba's dictionary cache is kept: the per-user data directory's ``cache`` folder
    (one for every index directory: a fresh one need not make the dictionary again, ~1.3 s),
    or ``index_dir/cache`` when that folder cannot be made. The cache earlier versions kept
    in the index directory (``cache/jieba.cache``, ~9 MB; never read now) is removed."""
    from index.store import user_data_dir

    try:
        (Path(index_dir) / "cache" / "jieba.cache").unlink()
    except OSError:  # none there (the usual case), or not ours to remove: harmless
        pass
    for folder in (user_data_dir().absolute() / "cache", Path(index_dir) / "cache"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        return folder
    return Path(index_dir) / "cache"


def _cache_name(jieba) -> str:
    """The cache file of jieba's bundled dictionary, named by that file's size and time: jieba
    trusts any cache of its default dictionary, so another version's is another file."""
    try:
        st = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME).stat()
    except (OSError, AttributeError, TypeError):
        return "jieba.cache"
    return f"jieba-{st.st_size}-{st.st_mtime_ns}.cache"


def _load_cache(tok) -> bool:
    """Load jieba's dictionary from its cache as `Tokenizer.initialize` would, but from the
    file's bytes at once (jieba's ``marshal.load`` of the open file costs ~1 s more for the
    ~9 MB); False if there is no usable cache (then `initialize` makes and writes one)."""
    if tok.dictionary is not None:  # a dictionary of its own: jieba's checks apply
        return False
    try:
        with open(tok.cache_file, "rb") as fp:
            freq, total = marshal.loads(fp.read())
    except (OSError, EOFError, ValueError, TypeError):
        return False
    if not isinstance(freq, dict) or not isinstance(total, int) or not freq:
        return False
    tok.FREQ, tok.total = freq, total
    tok.initialized = True
    return True


class SuffixRoutes:
    """jieba's cut of a block without HMM (`Tokenizer.__cut_DAG_NO_HMM`), the same words, with
    the best routes through the ends of blocks remembered.

    jieba picks, from each offset, the word that maximises the log frequency of the rest of
    the block, working back from its end: what it decides at an offset depends only on the
    text from there on. Names end alike (…袜业产业集群, …高新区锂电产业集群): the routes
    through such an end are taken from the last block that had it, and only the offsets
    before it are worked out. The dictionary (`freq`, `total`) must not change after this
    is made.
    """

    LIMIT = 1 << 14  # ends remembered (each a few hundred bytes)

    def __init__(self, freq: dict[str, int], total: int):
        import math

        self._freq = freq
        self._logtotal = math.log(total)
        self._log = math.log
        self._ends: dict[str, tuple[list[float], list[int]]] = {}  # an end → its values and next ends

    def routes(self, sentence: str) -> tuple[list[float], list[int], int]:
        """jieba's ``route`` of a block: for each offset, the best log probability of the rest
        (one more entry, 0, at the end) and where the first word of that rest ends
        (inclusive); the ends from the third value on are relative to it (a remembered end's)."""
        n = len(sentence)
        ends = self._ends
        start, tail = n, None
        for k in range(1, n):  # the longest remembered end
            tail = ends.get(sentence[k:])
            if tail is not None:
                start = k
                break
        if tail is None:
            values, nexts = [0.0] * (n + 1), [0] * n
        else:
            values, nexts = [0.0] * start + tail[0], [0] * start + tail[1]
        freq, logtotal, log = self._freq, self._logtotal, self._log
        for idx in range(start - 1, -1, -1):
            # jieba's get_DAG at idx: where the dictionary's words starting here end
            ends_here = []
            i = idx
            frag = sentence[idx]
            while i < n and frag in freq:
                if freq[frag]:
                    ends_here.append(i)
                i += 1
                frag = sentence[idx:i + 1]
            if not ends_here:
                ends_here.append(idx)
            values[idx], nexts[idx] = max((log(freq.get(sentence[idx:x + 1]) or 1) - logtotal + values[x + 1], x)
                                          for x in ends_here)
        first = nexts[0] + 1 if start > 0 else n  # the rest after the first word: another block may end so
        if 0 < first < start and len(ends) < self.LIMIT:
            rest = sentence[first:]
            if rest not in ends:
                ends[rest] = (values[first:], [x - first for x in nexts[first:start]] +
                              [x + start - first for x in nexts[start:]])
        return values, nexts, start

    def lcut(self, text: str) -> list[str]:
        """jieba's ``Tokenizer.lcut(text, HMM=False)``: its blocks of hanzi and letters cut
        (`cut`), spaces kept, anything else a character at a time."""
        import jieba

        han, skip = jieba.re_han_default, jieba.re_skip_default
        words: list[str] = []
        for block in han.split(text):
            if not block:
                continue
            if han.match(block):
                words += self.cut(block)
            else:
                for x in skip.split(block):
                    if skip.match(x):
                        words.append(x)
                    else:
                        words += x
        return words

    def cut(self, sentence: str) -> list[str]:
        """The words of one block, as jieba's ``__cut_DAG_NO_HMM`` yields them."""
        _, nexts, start = self.routes(sentence)
        words = []
        x = 0
        n = len(sentence)
        buf = ""
        while x < n:
            y = nexts[x] + 1 + (start if x >= start else 0)
            word = sentence[x:y]
            if len(word) == 1 and _ENG.match(word):  # jieba's re_eng
                buf += word
                x = y
            else:
                if buf:
                    words.append(buf)
                    buf = ""
                words.append(word)
                x = y
        if buf:
            words.append(buf)
        return words


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


Cut = tuple[tuple[str, ...], frozenset[int]]  # `cut_words`' answer


class Cuts:
    """jieba's cuts (`cut_words`) of given texts, made in a forked process that loads jieba's
    dictionary while this one does other work.

    Loading the dictionary costs ~1.4 s of CPU (most of it unmarshalling jieba's ~500,000
    entries), whatever the number of texts: for a change of lists at 100,000 records that was a
    tenth of the time, spent before the change's few texts could be cut. `start` forks a process
    that loads it at once; `ask` sends it the texts (once); `get` gives a text's cut from its
    answer (received when first needed) or None (a text not asked about, or the process failed,
    or another process asks): the caller then cuts it with its own tokenizer, the same words.
    """

    def __init__(self, worker: Any, conn: Any) -> None:
        self._worker = worker
        self._conn = conn
        self._owner = os.getpid()
        self._asked = False
        self._answers: dict[str, Cut] | None = None

    @classmethod
    def start(cls, cache_dir: Path) -> Cuts | None:
        """The process started (it loads the tokenizer caching under `cache_dir`, as
        `make_tokenizer`), or None if no process can be forked here."""
        import multiprocessing

        from index.workers import _child, _forkable

        if not _forkable():
            return None
        ctx = multiprocessing.get_context("fork")
        mine, theirs = ctx.Pipe(duplex=True)
        worker = ctx.Process(target=_child, args=(_cut_texts, theirs, cache_dir), daemon=True)
        try:
            worker.start()
        except OSError:
            mine.close()
            return None
        finally:
            theirs.close()  # only the worker holds its end: a worker that dies closes the pipe
        return cls(worker, mine)

    def ask(self, texts: Sequence[str]) -> None:
        """Send the texts to cut (once; later calls are ignored)."""
        if self._asked or os.getpid() != self._owner:
            return
        self._asked = True
        try:
            self._conn.send(list(texts))
        except (OSError, ValueError):  # the process is gone: `get` answers None
            pass

    def receive(self) -> None:
        """Wait for the answer to `ask` (if not received yet)."""
        if self._answers is not None or os.getpid() != self._owner:
            return
        answers: dict[str, Cut] = {}
        if self._asked:
            try:
                got = self._conn.recv()
                if isinstance(got, dict):
                    answers = got
            except (EOFError, OSError, ValueError):
                pass
        self._answers = answers
        self.stop()

    def get(self, text: str) -> Cut | None:
        """`cut_words(tokenizer, text)` if the process made it, else None."""
        if self._answers is None:
            self.receive()
        return self._answers.get(text) if self._answers is not None else None

    def stop(self) -> None:
        """End the process (once it has answered, it ends by itself) and close the pipe."""
        if os.getpid() != self._owner:
            return
        worker, self._worker = self._worker, None
        if worker is not None:
            if self._answers:
                worker.join(1)
            if worker.is_alive():  # SIGKILL: whatever handler of SIGTERM it inherited (the CLI's) never runs
                worker.kill()
            worker.join()
            self._conn.close()


def _cut_texts(conn: Any, cache_dir: Path) -> None:
    """In the forked process: load the tokenizer, then cut the texts asked for (`Cuts`)."""
    tok = make_tokenizer(cache_dir)
    texts = conn.recv()
    if texts is None:
        return
    conn.send({text: cut_words(tok, text) for text in texts})
    conn.close()
