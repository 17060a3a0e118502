"""One open index generation: Whoosh postings, stored documents and the lexicon, thread-safe.

Every read of the Whoosh index by the query layer goes through here, behind one lock (a Whoosh
reader is not safe to share), with postings and decoded documents cached for the life of the
reader. The stages (`candidates`, `rank`, `suggestions`) take an `IndexReader`, never Whoosh.
"""

from __future__ import annotations

import pickle
import struct
import threading
from collections import OrderedDict
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as windex
from whoosh import query as wq
from whoosh.reading import ReaderClosed, TermNotFound

from index.errors import IndexDamagedError, SearcherClosedError
from index.format import TIES, Fields, StoredDoc, decode, parse_ties
from index.store import hold, open_verified, read_verified, release
from search.bits import Bits, int_of
from search.lexicon import Lexicon

T = TypeVar("T")

# Bounds on what a long-lived reader keeps (its memory does not grow with distinct queries):
# decoded documents (~10 KB each) and cached posting lists (counted in document ids, ~60 bytes
# each in a frozenset). Together at most ~40 MB + ~90 MB.
DOC_CACHE = 4096
POSTING_CACHE_IDS = 500_000
BITS_CACHE_BYTES = 64 << 20  # posting lists as bitsets (`bits`): up to N/8 bytes each
EXPAND_CACHE = 2048  # prefixes expanded to the terms they start (a few dozen terms each)

# What Whoosh raises reading a damaged segment: each read maps them to IndexDamagedError.
_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, struct.error,
                pickle.UnpicklingError, zlib.error)


def matcher_ids(matcher: Any) -> list[int] | None:
    """Every document number of a fresh Whoosh postings matcher, a block at a time (~6x
    faster than `all_ids`, which steps posting by posting in Python); None for a matcher of
    another kind (the caller then uses `all_ids`).

    Knows Whoosh 2.7's codec matcher (`W3LeafMatcher`), a multi-segment reader's
    `MultiMatcher` of them and the `FilterMatcher` that drops deleted documents.
    """
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher, MultiMatcher

    kind = type(matcher)
    if kind is W3LeafMatcher:
        out: list[int] = []
        if not matcher.is_active():
            return out
        while True:
            if matcher._ids is None:
                matcher._read_ids()
            out.extend(matcher._ids[matcher._i:])
            if matcher._lastblock:
                return out
            matcher._goto(matcher._nextoffset)
    if kind is MultiMatcher and matcher.current == 0:
        out = []
        for sub, offset in zip(matcher.matchers, matcher.offsets):
            ids = matcher_ids(sub)
            if ids is None:
                return None
            out.extend(ids if not offset else (offset + i for i in ids))
        return out
    if kind is FilterMatcher:
        ids = matcher_ids(matcher.child)
        if ids is None:
            return None
        keep, exclude = matcher._ids, matcher._exclude
        return [i for i in ids if (i in keep) != exclude]
    return None


class Ties:
    """Equal hits' order without reading them (`bounds.Ties`): per document number its rank in
    (name length, id) order (`format.TIES`), and the document numbers in that order."""

    def __init__(self, rank: Sequence[int], order: Sequence[int]):
        self.rank = rank
        self._order = order
        self.key: Callable[[int], int] = rank.__getitem__  # a C call: buckets are sorted by it

    def order(self) -> Sequence[int]:
        return self._order

    def __len__(self) -> int:
        return len(self.rank)


class IndexReader:
    """Read access to one generation. `close()` releases it; later calls raise SearcherClosedError."""

    def __init__(self, generation: Path, index_dir: Path, meta: dict[str, Any]):
        """Open every file of the generation now (`meta` holds their checksums).

        Open files stay readable after a later build deletes the generation, so a reader
        that outlives rebuilds keeps working.
        """
        self.generation = generation
        self._hint = f"rebuild it with: clsearch index build --index {index_dir}"
        self._index_dir = index_dir
        try:
            self._ix = windex.open_dir(str(generation))
            self._searcher = self._ix.searcher()
        except Exception as exc:  # Whoosh raises anything at all on a damaged TOC or segment
            raise IndexDamagedError(f"cannot open the index in {index_dir}: {type(exc).__name__}: {exc}",
                                    hint=self._hint) from exc
        try:
            # Whoosh opens a column's file on first use: open the documents' now, so that
            # every file this reader needs is open before a later build may delete them.
            self._doc_column: Any = (self._searcher.reader().column_reader(Fields.DOC)
                                     if self._searcher.doc_count_all() else ())
        except Exception as exc:
            self._searcher.close()
            raise IndexDamagedError(f"cannot open the index in {index_dir}: {type(exc).__name__}: {exc}",
                                    hint=self._hint) from exc
        try:
            self.lexicon = Lexicon(generation, meta)
        except BaseException:
            self._searcher.close()
            raise
        try:
            self._ties_file = open_verified(generation, TIES, meta)
        except BaseException:
            self._searcher.close()
            self.lexicon.close()
            raise
        self._meta = meta
        self._held = hold(generation)  # no build deletes it while this reader is open
        self._docs: OrderedDict[int, StoredDoc] = OrderedDict()  # least recently used first
        self._letters: dict[int, str] = {}  # StoredDoc.letters, kept once read (`letters`)
        self._postings: OrderedDict[tuple[str, str], frozenset[int]] = OrderedDict()
        self._posting_ids = 0  # ids held by `_postings`
        self._bits: OrderedDict[tuple[str, str], Bits] = OrderedDict()
        self._bits_bytes = 0  # bytes held by `_bits`
        self._columns: dict[str, list[str]] = {}
        self._ties: Ties | None = None
        self._expanded: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._lock = threading.Lock()
        self.closed = False

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._searcher.close()
                self.lexicon.close()
                self._ties_file.close()
                release(self._held)

    def check_open(self) -> None:
        if self.closed:
            raise SearcherClosedError("this Searcher is closed", hint="open a new Searcher")

    def _locked(self, read: Callable[[Any], T]) -> T:
        """Run `read(whoosh_searcher)` under the lock; a closed reader is a SearcherClosedError."""
        with self._lock:
            self.check_open()
            try:
                return read(self._searcher)
            except ReaderClosed as exc:
                raise SearcherClosedError("this Searcher is closed", hint="open a new Searcher") from exc
            except _READ_ERRORS as exc:
                raise IndexDamagedError(f"the index in {self._index_dir} is damaged: "
                                        f"{type(exc).__name__}: {exc}", hint=self._hint) from exc

    def postings(self, fieldname: str, text: str) -> frozenset[int]:
        """Document numbers holding `text` in `fieldname` (cached, least recently used out)."""
        key = (fieldname, text)
        ids: frozenset[int] | None = _recent(self._postings, key)
        if ids is not None:
            return ids
        ids = frozenset(self._locked(lambda s: _posting_ids(s, fieldname, text)))
        with self._lock:
            if key not in self._postings:
                self._postings[key] = ids
                self._posting_ids += len(ids) + 1
                while self._posting_ids > POSTING_CACHE_IDS and len(self._postings) > 1:
                    _, old = self._postings.popitem(last=False)
                    self._posting_ids -= len(old) + 1
        return ids

    def bits(self, fieldname: str, text: str) -> Bits:
        """`postings` as a bitset (`search.bits`), cached apart (least recently used out)."""
        key = (fieldname, text)
        found: Bits | None = _recent(self._bits, key)
        if found is not None:
            return found
        cached = self._postings.get(key)
        found = Bits(int_of(cached if cached is not None
                            else self._locked(lambda s: _posting_ids(s, fieldname, text))))
        size = (found.v.bit_length() >> 3) + 64
        with self._lock:
            if key not in self._bits:
                self._bits[key] = found
                self._bits_bytes += size
                while self._bits_bytes > BITS_CACHE_BYTES and len(self._bits) > 1:
                    _, old = self._bits.popitem(last=False)
                    self._bits_bytes -= (old.v.bit_length() >> 3) + 64
        return found

    def expand(self, fieldname: str, prefix: str) -> list[str]:
        """Terms of `fieldname` starting with `prefix` (the last `EXPAND_CACHE` are kept)."""
        key = (fieldname, prefix)
        terms = self._expanded.get(key)
        if terms is None:
            terms = self._locked(lambda s: [t.decode() if isinstance(t, bytes) else t
                                            for t in s.reader().expand_prefix(fieldname, prefix)])
            with self._lock:
                self._expanded[key] = terms
                while len(self._expanded) > EXPAND_CACHE:
                    self._expanded.popitem(last=False)
        return terms

    def terms(self, fieldname: str) -> list[str]:
        """Every term of `fieldname` (for small filter fields such as program)."""
        return self._locked(lambda s: [t.decode() if isinstance(t, bytes) else t
                                       for t in s.lexicon(fieldname)])

    def docs_with_all(self, terms: Iterable[tuple[str, str]]) -> set[int]:
        """Documents holding every (field, term) pair: the filters."""
        query = wq.And([wq.Term(f, t) for f, t in terms])
        return self._locked(lambda s: set(s.docs_for_query(query)))

    def column(self, fieldname: str) -> Callable[[int], str]:
        """A sortable field's value per document (read once, kept): the browsing order."""
        values = self._columns.get(fieldname)
        if values is None:
            def read(s: Any) -> list[str]:
                col = s.reader().column_reader(fieldname)
                return [v.decode() if isinstance(v, bytes) else v for v in col]

            values = self._columns[fieldname] = self._locked(read)
        return values.__getitem__

    def ties(self) -> Ties:
        """The tie table (`format.TIES`), read (and its checksum checked) on first use, then kept."""
        ties = self._ties
        if ties is None:
            with self._lock:  # one reader of the shared file at a time (threads share a Searcher)
                ties = self._ties
                if ties is None:
                    self.check_open()
                    try:
                        raw = read_verified(self._ties_file, self.generation, TIES, self._meta)
                        rank, order = parse_ties(raw)
                    except (IndexDamagedError, ValueError) as exc:
                        raise IndexDamagedError(f"the index in {self._index_dir} is damaged: {exc}",
                                                hint=self._hint) from exc
                    ties = self._ties = Ties(rank, order)
        return ties

    def letters(self, docnum: int) -> str:
        """`StoredDoc.letters` of `docnum`, kept once read: where a run of initials can match,
        without a decode. At most one string per document (~150 bytes with its slot: 15 MB
        if every one of 100,000 documents is read; it does not grow with distinct queries)."""
        found = self._letters.get(docnum)
        if found is None:
            found = self._letters[docnum] = self.doc(docnum).letters
        return found

    def doc(self, docnum: int) -> StoredDoc:
        """The stored document of `docnum`, decoded (the last `DOC_CACHE` are kept)."""
        doc = self._docs.get(docnum)
        if doc is not None:
            try:
                self._docs.move_to_end(docnum)
            except KeyError:
                pass
            return doc
        raw = self._locked(lambda s: self._doc_column[docnum])
        try:
            doc = decode(raw)
        except ValueError as exc:
            raise IndexDamagedError(f"the index in {self._index_dir} is damaged: document {docnum}: {exc}",
                                    hint=self._hint) from exc
        with self._lock:
            self._docs[docnum] = doc
            while len(self._docs) > DOC_CACHE:
                self._docs.popitem(last=False)
        return doc


def _recent(cache: OrderedDict[Any, Any], key: Any) -> Any:
    """`cache[key]` marked most recently used, or None; another thread may drop it meanwhile."""
    found = cache.get(key)
    if found is not None:
        try:
            cache.move_to_end(key)
        except KeyError:  # dropped by another thread meanwhile
            pass
    return found


def _posting_ids(s: Any, fieldname: str, text: str) -> Sequence[int]:
    """The document numbers of `text` in `fieldname`, read a block at a time where possible."""
    try:
        matcher = s.reader().postings(fieldname, text)
    except TermNotFound:
        return ()
    ids = matcher_ids(matcher)
    return list(matcher.all_ids()) if ids is None else ids  # read now, under the caller's lock
