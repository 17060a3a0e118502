"""One open index generation: Whoosh postings, stored documents and the lexicon, thread-safe.

Every read of the Whoosh index by the query layer goes through here, behind one lock (a Whoosh
reader is not safe to share), with postings and decoded documents cached for the life of the
reader. The stages (`candidates`, `rank`, `suggestions`) take an `IndexReader`, never Whoosh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as windex
from whoosh import query as wq
from whoosh.reading import ReaderClosed, TermNotFound

from index.errors import IndexMissingError, SearcherClosedError
from index.format import Fields, StoredDoc, decode
from search.lexicon import Lexicon

T = TypeVar("T")


class IndexReader:
    """Read access to one generation. `close()` releases it; later calls raise SearcherClosedError."""

    def __init__(self, generation: Path, index_dir: Path):
        self.generation = generation
        try:
            self._ix = windex.open_dir(str(generation))
            self._searcher = self._ix.searcher()
        except (OSError, windex.EmptyIndexError) as exc:
            hint = f"rebuild it with: clsearch index build --index {index_dir}"
            raise IndexMissingError(f"cannot open the index in {index_dir}: {exc}", hint=hint) from exc
        self.lexicon = Lexicon(generation)
        self._docs: dict[int, StoredDoc] = {}
        self._postings: dict[tuple[str, str], frozenset[int]] = {}
        self._lock = threading.Lock()
        self.closed = False

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._searcher.close()

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

    def postings(self, fieldname: str, text: str) -> frozenset[int]:
        """Document numbers holding `text` in `fieldname` (cached)."""
        key = (fieldname, text)
        ids = self._postings.get(key)
        if ids is None:
            def read(s: Any) -> frozenset[int]:
                try:
                    return frozenset(s.reader().postings(fieldname, text).all_ids())
                except TermNotFound:
                    return frozenset()

            ids = self._postings[key] = self._locked(read)
        return ids

    def expand(self, fieldname: str, prefix: str) -> list[str]:
        """Terms of `fieldname` starting with `prefix`."""
        return self._locked(lambda s: [t.decode() if isinstance(t, bytes) else t
                                       for t in s.reader().expand_prefix(fieldname, prefix)])

    def terms(self, fieldname: str) -> list[str]:
        """Every term of `fieldname` (for small filter fields such as program)."""
        return self._locked(lambda s: [t.decode() if isinstance(t, bytes) else t
                                       for t in s.lexicon(fieldname)])

    def docs_with_all(self, terms: Iterable[tuple[str, str]]) -> set[int]:
        """Documents holding every (field, term) pair: the filters."""
        query = wq.And([wq.Term(f, t) for f, t in terms])
        return self._locked(lambda s: set(s.docs_for_query(query)))

    def doc(self, docnum: int) -> StoredDoc:
        """The stored document of `docnum`, decoded once and cached."""
        doc = self._docs.get(docnum)
        if doc is None:
            stored = self._locked(lambda s: s.stored_fields(docnum)[Fields.DOC])
            doc = self._docs[docnum] = decode(stored)
        return doc
