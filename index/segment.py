"""Writing Whoosh segments fast: postings collected per term and written a block at a time.

Whoosh's own path costs ~10 µs per posting at build time: each document's fields go through an
analyzer, every posting is a tuple in a sorting pool, and the commit feeds them one by one to
the codec (with a ``stat()`` per posting for fields without lengths). Our fields are sets of
terms (`index.schema.Terms`, existence only), so this writer appends each document number to
an array per term and, at commit, hands the codec whole blocks: the files are the ones Whoosh
writes itself (same codec, same block layout), read back by any Whoosh reader.

The writer is a `SegmentWriter`, so everything else is Whoosh's: the segment, the stored
documents and columns, deletions of older segments' documents (`delete_document`), and the
table of contents that lists the segments (``commit(merge=False)`` keeps older segments' files
as they are: an incremental build adds one segment).
"""

from __future__ import annotations

import os
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial
from itertools import chain, repeat
from operator import sub
from typing import Any

from whoosh import formats
from whoosh.filedb.filestore import FileStorage
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from index.schema import Terms

_new_ids = partial(array, "I")  # a term's document numbers
_append = array.append
_consume: Callable[[Iterable[Any]], None] = deque(maxlen=0).extend

# Whoosh's segment writer spills its (unused here) posting pool past this size.
WRITER_LIMIT_MB = 32


class Postings:
    """Postings of documents given as sets of terms: per field, per term, its document numbers.

    What `SegmentBuilder` collects; a worker process can collect its share of the documents
    in one (`SegmentBuilder.add_prepared` takes it back).
    """

    def __init__(self, schema: Any):
        self.schema = schema
        self.terms: dict[str, defaultdict[str | bytes, array]] = {}

    def add(self, fields: Mapping[str, Any], docnum: int) -> dict[str, Any]:
        """Post document `docnum`'s indexed fields; returns its stored and column values."""
        schema = self.schema
        out = {}
        for name in sorted(fields):
            value = fields[name]
            field = schema[name]
            if field.indexed:
                self._post(name, _terms(field, value), docnum)
            if field.stored or field.column_type is not None:
                out[name] = value
        return out

    def _post(self, name: str, terms: Collection[str | bytes], docnum: int) -> None:
        postings = self.terms.get(name)
        if postings is None:
            postings = self.terms[name] = defaultdict(_new_ids)
        # One posting per distinct term, appended at C speed (millions of them at 100k records).
        _consume(map(_append, map(postings.__getitem__, terms), repeat(docnum, len(terms))))

    def extend(self, other: Postings) -> None:
        """Append `other`'s postings (of documents numbered after all of these)."""
        for name, postings in other.terms.items():
            mine = self.terms.get(name)
            if mine is None:
                mine = self.terms[name] = defaultdict(_new_ids)
            for term, ids in postings.items():
                mine[term].extend(ids)

    def __getstate__(self) -> dict[str, Any]:  # a worker sends it back: plain dicts, no schema
        return {"terms": {name: dict(postings) for name, postings in self.terms.items()}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.schema = None
        self.terms = {name: defaultdict(_new_ids, postings) for name, postings in state["terms"].items()}


class _Storage(FileStorage):
    """Whoosh's file storage, but for making a temporary directory without raising.

    A segment writer asks twice for the same temporary directory; the second time,
    `FileStorage.create` catches the "exists" error and keeps it in a local variable: a
    reference cycle (the exception, its traceback, that frame) that holds every frame above
    it too, down to the build's own, with all the records it held. Only the cyclic collector
    frees that, and an add or remove runs with it paused (`index.ensure`): its first
    collection after the build then scanned ~1.4 million objects (~0.5-0.8 s at 100k).
    """

    def temp_storage(self, name: str | None = None) -> FileStorage:
        path = os.path.join(self.folder, name or f"{random_name()}.tmp")
        os.makedirs(path, exist_ok=True)
        return FileStorage(path)


class SegmentBuilder(SegmentWriter):
    """A segment writer for documents given as ready sets of terms (see the module doc)."""

    def __init__(self, ix: Any, **kwargs: Any):
        if type(ix.storage) is FileStorage:  # the same directory, without the reference cycle (`_Storage`)
            ix.storage = _Storage(ix.storage.folder, supports_mmap=ix.storage.supports_mmap,
                                  readonly=ix.storage.readonly, debug=ix.storage._debug)
        super().__init__(ix, limitmb=WRITER_LIMIT_MB, compound=False, **kwargs)
        self._postings = Postings(self.schema)

    def add_terms(self, fields: Mapping[str, Any]) -> int:
        """Add one document; returns its number in this segment.

        Indexed fields take an iterable of terms (str); stored fields any picklable value;
        column fields their column value.
        """
        self._check_state()
        return self._add_values(self._postings.add(fields, self.docnum))

    def add_prepared(self, values: Iterable[Mapping[str, Any]], postings: Postings) -> None:
        """Add documents whose postings a `Postings` collected (numbered from this writer's
        next document number on): `values` are what its `add` returned for each, in order."""
        self._check_state()
        for v in values:
            self._add_values(v)
        self._postings.extend(postings)

    def _add_values(self, values: Mapping[str, Any]) -> int:
        """Write one document's stored and column values; returns its number."""
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name, value in values.items():
                field = schema[name]
                if field.stored:
                    perdoc.add_field(name, field, value, 0)
                if field.column_type is not None and value is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        return docnum

    def add_document(self, **fields: Any) -> None:
        raise TypeError("SegmentBuilder takes documents as sets of terms: use add_terms()")

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        for name in sorted(self._postings.terms):
            writer.start_field(name, self.schema[name])
            postings = self._postings.terms[name]
            for term in sorted(postings):  # str sorts as its UTF-8 bytes do
                writer.start_term(term.encode("utf-8") if isinstance(term, str) else term)
                _write_postings(writer, postings[term])
                writer.finish_term()
            writer.finish_field()
        writer.close()
        self._postings = Postings(self.schema)


def _terms(field: Any, value: Any) -> Collection[str | bytes]:
    """The distinct terms of one field value: a `Terms` field's own (str), any other field's
    through its analyzer (bytes).

    Postings here record documents only, so a field whose format keeps more (frequencies,
    positions) is refused rather than written short.
    """
    if isinstance(field, Terms):
        return value if isinstance(value, (set, frozenset)) else dict.fromkeys(value)
    if not isinstance(field.format, formats.Existence):
        raise TypeError(f"{type(field).__name__} fields keep more than which documents hold a term")
    return dict.fromkeys(tbytes for tbytes, *_ in field.index(value))


def _write_postings(writer: Any, ids: array) -> None:
    """One term's document numbers (ascending), handed to Whoosh's postings writer.

    Whoosh 2.7's W3 postings writer buffers a block of `_blocklimit` postings and writes it
    when full; a block is filled here in one step instead of one call per posting. Any other
    postings writer gets one `add` per posting.
    """
    post: Any = getattr(writer, "_postwriter", None)
    limit = getattr(post, "_blocklimit", None)
    if not (isinstance(limit, int) and hasattr(post, "_write_block") and hasattr(post, "_ids")):
        for docnum in ids:
            writer.add(docnum, 1.0, b"", None)
        return
    if post.__dict__.get("_mini_ids") is None:
        _quicker_blocks(post)
    for start in range(0, len(ids), limit):
        if start:
            post._write_block()  # the previous block was full
        chunk = ids[start:start + limit]
        post._ids = chunk
        post._weights = array("f", [1.0]) * len(chunk)
        post._maxweight = 1.0


def _quicker_blocks(post: Any) -> None:
    """Give Whoosh's W3 postings writer C-speed versions of the two steps of its block write
    that loop in Python over every posting (a third of a 100k build's commit): the same
    values, so the same bytes. Weights: None when all are 1.0 (ours always are), as Whoosh
    says; ids: delta-encoded as `whoosh.util.numlists.delta_encode` does."""
    cls = type(post)
    plain_weights = cls._mini_weights

    def mini_weights() -> Any:
        weights = post._weights
        if isinstance(weights, array) and weights.count(1.0) == len(weights):
            return None
        return plain_weights(post)

    def mini_ids() -> tuple[Any, ...]:
        ids = post._ids
        if post._byteids:
            return tuple(ids)
        return tuple(map(sub, ids, chain((0,), ids)))  # each id less the one before (0 first)

    post._mini_weights = mini_weights
    post._mini_ids = mini_ids
