"""What one build keeps of its corpus so that the next one redoes only what changed.

Adding a 1,000-record list to a 100,000-record index used to parse every list again, place
every record in the divisions table again and compare every pair of records for `related`
again. A generation now carries its corpus work (``corpus.pickle``), and the next build of
the same code (`index.incremental`) starts from it:

- the seed part (every seed document parsed, linked and merged; it never changes without the
  code fingerprint changing);
- the build's records as they were before their links were made (merged, with unique ids and
  places), by owner: the seeds' and each added list's (the records whose first listing is
  theirs), keyed by the SHA-256 of the list file's bytes and the name it is reported by, with
  the list's problems and counts. A change that leaves every other list's records as they were
  (a list added whose records merge with no earlier one, a list removed that no other list's
  record holds a listing of) unpickles the unchanged lists' records as they are and makes
  only the new list's (`index.corpus.load._reuse`); any other change parses every list again;
- each record's place as `index.corpus.divisions.locate` completed it, keyed by a digest of
  what it reads (name, aliases, builders, province, city, district);
- what each record was made from (which listings were merged into it), so that the records
  made from the same listings under the same id are known to be as they were;
- the `related` links and each record's blocking keys (`index.corpus.related_delta`), so that
  only pairs involving a new, changed or removed record are scored.

Everything is stored as the pickled objects' bytes and unpickled on use, so the objects a
build mutates (merge, unique ids, places) are never the cached ones. The file is checksummed
like every other file of the generation and read only after its checksum is verified
(`index.store.verified_bytes`); it is the index's own data, as trusted as Whoosh's pickled
segment files next to it. A build that finds no usable cache computes everything, as before,
and the results are the same either way (tests/test_incremental.py compares the tables).

A change of lists changes a few thousand of the cache's ~500,000 entries. Pickling and
deflating all of it again took ~6 s of CPU at 100,000 records, so an add or remove keeps the
previous generation's file as it is (hard-linked, ``corpus.pickle``: the *base*) and writes
only what differs from it (``corpus-delta.pickle``: per table, the entries set and the keys
dropped, and the small values whole), named by the base's SHA-256. The delta is always
against the base, never against another delta, so it holds what differs now, not the history
of changes; once it has half as many entries as the base, the whole cache is written again
(and a full build always writes it whole).
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, BinaryIO

CORPUS_CACHE = "corpus.pickle"
CORPUS_DELTA = "corpus-delta.pickle"  # what differs from the generation's `CORPUS_CACHE` (see the module doc)
_VERSION = 4  # 3: its list parts were the lists' records as parsed (read, but those parts left out)
_DELTA_VERSION = 2
REBASE = 2  # the whole cache is written again once a delta has 1/REBASE as many entries as its base
# The tables a delta holds entry by entry (every other value is held whole); the last three
# are the links' state (`RelatedState`), unpickled only where the links are made.
SECTIONS = ("tables", "places", "words", "made", "place_keys", "sigs", "related", "parts")
LINK_SECTIONS = SECTIONS[-3:]
SEEDS = ("", "", "seeds")  # the seeds' key in `CorpusCache.tables` (a list's: its file's, `CorpusCache.table`)


class Words(MutableMapping[str, tuple[str, ...]]):
    """The completion's memo of jieba's words of texts, held as one string per text (the words
    NUL-separated: jieba's words hold no NUL): ~100,000 of them unpickle as 200,000 strings, not
    ~600,000. `raw`: text → that string."""

    def __init__(self, raw: dict[str, str] | None = None) -> None:
        self.raw: dict[str, str] = raw if raw is not None else {}

    def __getitem__(self, text: str) -> tuple[str, ...]:
        joined = self.raw[text]
        return tuple(joined.split("\0")) if joined else ()

    def __setitem__(self, text: str, words: tuple[str, ...]) -> None:
        self.raw[text] = "\0".join(words)

    def __delitem__(self, text: str) -> None:
        del self.raw[text]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, text: object) -> bool:
        return text in self.raw


@dataclass
class CorpusCache:
    """The reusable corpus work of one generation (see the module doc)."""

    code: str = ""  # the code fingerprint it was made with: any other code starts afresh
    seeds: bytes | None = None  # pickled seed part (`index.corpus.load.SeedPart`)
    # (sha256 of the file, the name it is reported by, its file name) → pickled list part
    tables: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    places: dict[bytes, tuple[str | None, str | None]] = field(default_factory=dict)  # locate's answers
    related: Any = None  # `index.corpus.related_delta.RelatedState` (see `links`)
    words: Words = field(default_factory=Words)  # completion: text → jieba's words
    counts: dict[str, int] = field(default_factory=dict)  # completion items the table leaves out → count
    used_tables: set[tuple[str, str, str]] = field(default_factory=set)  # what this build read (kept on save)
    used_places: set[bytes] = field(default_factory=set)
    used_words: set[str] = field(default_factory=set)
    # record id → what its record was made from (`index.corpus.load`: the listings merged into
    # it, each named by its list's cache key and its place there), for the next build
    made: dict[str, str] = field(default_factory=dict)
    # completion: each suggested word → its number of records (`index.completion.suggested_words`);
    # None: not known (a cache of older code), the next build counts them all
    held: dict[str, int] | None = None
    # record id → the key of its place in `places` (`index.corpus.divisions.fill_places`): a
    # record made from the same listings is placed under it without its digest made again
    place_keys: dict[str, bytes] = field(default_factory=dict)
    # The generation's `format.tie_value` of each document number (deleted documents too), or
    # None: its ids and ties without reading its Whoosh columns (`index.incremental`)
    docs: list[str] | None = None
    # The table keys of the lists this build read, in their order (None: its records are not held
    # by owner in `tables`, see `index.corpus.load._note_owned`); `SEEDS` is the seeds' key there.
    order: list[tuple[str, str, str]] | None = None
    # record id → what it is made from (as `made`), for the records made from listings of more
    # than one list (or the seeds and a list), and those whose id was lengthened (`unique_ids`)
    mixed: dict[str, str] = field(default_factory=dict)
    # Not kept: the owner parts still to pickle into `tables` (`seal`): (key, part).
    owned: list[tuple[tuple[str, str, str], tuple[Any, list[Any], list[Any], int]]] = field(default_factory=list)
    # Not kept: the positions of this build's records that may differ from the previous build's
    # record with the same id (None: any may); the others are as it wrote them (`index.incremental`).
    changed: set[int] | None = None
    relinked: set[int] = field(default_factory=set)  # of those, the ones whose links alone may differ
    # Not kept: the tables of the file this cache was read from (`SECTIONS`, before any delta
    # was applied: never changed), the file, and its SHA-256 (None: not read from a file).
    base: dict[str, dict] | None = None
    base_path: Path | None = None
    base_sha: str = ""
    # Not kept: the link tables' part of the delta and the size of the base's (`link_sections`)
    # when another process made the links (`index.build`): `related` here is then the previous build's.
    linked: tuple[dict[str, tuple[dict, list]], int] | None = None
    # Not kept: the links' state as read (its pickle, and the delta's changes to it), until
    # `links()` is first called: only the process that makes the links needs it.
    pending: tuple[bytes, bool, dict[str, tuple[dict, list]]] | None = None  # (pickle, deflated?, changes)

    def links(self) -> Any:
        """`related`, unpickled (and the delta's changes applied) when first asked for."""
        if self.pending is not None:
            from index.corpus.related_delta import RelatedState

            raw, deflated, changes = self.pending
            self.pending = None
            state = pickle.loads(zlib.decompress(raw) if deflated else raw)
            if isinstance(state, RelatedState):
                tables: dict[str, dict[Any, Any]] = {"sigs": state.sigs, "related": state.related,
                                                     "parts": state.parts}
                if self.base is not None:
                    self.base.update(tables)  # never changed: a copy is
                now = {name: dict(table) for name, table in tables.items()}
                for name, (put, drop) in changes.items():
                    for key in drop:
                        del now[name][key]
                    now[name].update(put)
                state = RelatedState(**now)
            self.related = state
        return self.related

    def table(self, path: Path, document: str) -> tuple[tuple[str, str, str], bytes | None]:
        """The cache key of a list file, and its cached part if there is one."""
        key = (hashlib.sha256(path.read_bytes()).hexdigest(), document, path.name)
        self.used_tables.add(key)
        return key, self.tables.get(key)

    def seal(self) -> None:
        """Pickle the owner parts `owned` into `tables` (their records without their links,
        which the links' state holds)."""
        for key, (spec, records, problems, count) in self.owned:
            links = [r.related for r in records]
            try:
                for r in records:
                    r.related = []
                self.tables[key] = pickle.dumps((spec, records, problems, count), protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                for r, related in zip(records, links):
                    r.related = related
            self.used_tables.add(key)
        self.owned = []

    def to_bytes(self) -> bytes:
        """This cache, keeping only what the build that made it used."""
        import io

        out = io.BytesIO()
        self.write(out)
        return out.getvalue()

    def write(self, fp: BinaryIO) -> None:
        """Write `to_bytes()`'s bytes to `fp`: a pickle of the small values and of each large
        one's deflated pickle (`_kept`), deflated as it is made (the whole pickle, ~100 MB at
        100k records, is never in memory, at the build's peak). A reader inflates the links'
        state only where the links are made (`links`)."""
        small, large = self._kept()
        sections = {name: _deflated(value) for name, value in large.items()}
        pickle.dump({**small, "sections": sections}, fp, protocol=pickle.HIGHEST_PROTOCOL)

    def _kept(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """What is kept: the small values, and the large ones (each written deflated)."""
        self.seal()
        return ({"version": _VERSION, "code": self.code, "counts": self.counts, "held": self.held,
                 "order": self.order, "mixed": self.mixed},
                {"seeds": self.seeds,
                 "tables": {k: v for k, v in self.tables.items() if k in self.used_tables},
                 "places": {k: v for k, v in self.places.items() if k in self.used_places},
                 "related": self.links(),
                 "words": {k: v for k, v in self.words.raw.items() if k in self.used_words},
                 "made": self.made, "docs": self.docs, "place_keys": self.place_keys})

    @classmethod
    def from_bytes(cls, raw: bytes, code: str, delta: bytes | None = None, base_path: Path | None = None,
                   base_sha: str = "") -> CorpusCache:
        """The cache of these bytes if it was made by `code`; an empty one otherwise.

        `delta`: the bytes of a delta against them (`CORPUS_DELTA`), applied; `base_path`
        and `base_sha`: the file `raw` was read from and its SHA-256, for the next delta.
        """
        try:
            if raw[:1] == b"\x80":  # a pickle: this version's
                data = pickle.loads(raw)
                if data.get("version") != _VERSION or data.get("code") != code:
                    return cls(code=code)
                sections = data.pop("sections")
                for name, value in sections.items():  # all but the links' state: inflated when asked for
                    data[name] = (value, True) if name == "related" else pickle.loads(zlib.decompress(value))
            else:  # a deflated pickle: version 3, whose list parts are not owner parts (left out; written whole)
                data = pickle.loads(zlib.decompress(raw))
                if data.get("version") != 3 or data.get("code") != code:
                    return cls(code=code)
                data["tables"], data["related"], base_path = {}, (data["related"], False), None
                data["words"] = {text: "\0".join(words) for text, words in data["words"].items()}
                data["joined"] = False  # its words (and its delta's) are tuples
            raw_links = data["related"]  # the links' state, still pickled (`links`): (bytes, deflated)
            base = {"tables": data["tables"], "places": data["places"], "words": data["words"],
                    "made": data.get("made") or {}, "place_keys": data.get("place_keys") or {}}
            now = {name: dict(table) for name, table in base.items()}  # the base's are never changed
            whole = {k: data.get(k) for k in ("seeds", "counts", "held", "docs", "order", "mixed")}
            link_changes: dict[str, tuple[dict, list]] = {}
            if delta is not None:
                changes = pickle.loads(zlib.decompress(delta))
                if (changes.get("version") != _DELTA_VERSION or changes.get("code") != code
                        or changes.get("base") != base_sha or not isinstance(raw_links[0], bytes)):
                    return cls(code=code)
                for name, (put, drop) in changes["sections"].items():
                    if name in LINK_SECTIONS:
                        link_changes[name] = (put, drop)
                        continue
                    if name == "words" and data.get("joined") is False:
                        put = {text: "\0".join(words) for text, words in put.items()}
                    table = now[name]
                    for key in drop:
                        del table[key]
                    table.update(put)
                whole.update(changes["whole"])
            return cls(code=code, seeds=whole["seeds"], tables=now["tables"], places=now["places"],
                       words=Words(now["words"]), counts=dict(whole["counts"] or {}),
                       made=now["made"], held=whole["held"], docs=whole["docs"], place_keys=now["place_keys"],
                       order=whole["order"], mixed=dict(whole["mixed"] or {}),
                       base=base if base_path is not None else None, base_path=base_path, base_sha=base_sha,
                       pending=(*raw_links, link_changes) if isinstance(raw_links[0], bytes) else None)
        except Exception:  # an unreadable cache is no cache: the build computes everything
            return cls(code=code)

    def delta(self, own: dict[str, tuple[dict, list]] | None = None) -> bytes | None:
        """What this cache holds that its base (the file it was read from) does not, as the
        bytes of a `CORPUS_DELTA` file (keeping only what this build used, as `to_bytes`);
        None if it was not read from a file, or if so much differs that it should be written
        whole. `own`: `own_sections()`, if made already."""

        base = self.base
        linked = self.linked if self.linked is not None else self.link_sections()
        if base is None or linked is None:
            return None
        link_sections, link_size = linked
        sections = dict(own) if own is not None else self.own_sections()
        sections.update(link_sections)
        size = sum(len(put) + len(drop) for put, drop in sections.values())
        if size * REBASE > sum(len(base[name]) for name in SECTIONS[:-3]) + link_size:
            return None
        changes = {"version": _DELTA_VERSION, "code": self.code, "base": self.base_sha, "sections": sections,
                   "whole": {"seeds": self.seeds, "counts": self.counts, "held": self.held, "docs": self.docs,
                             "order": self.order, "mixed": self.mixed}}
        return zlib.compress(pickle.dumps(changes, protocol=pickle.HIGHEST_PROTOCOL), 1)

    def own_sections(self) -> dict[str, tuple[dict, list]]:
        """The part of `delta` that does not depend on the links (the sections but the last
        three, `LINK_SECTIONS`); empty if this cache was not read from a file."""
        self.seal()
        base = self.base
        if base is None:
            return {}
        sections: dict[str, tuple[dict, list]] = {}
        kept: tuple[tuple[str, dict[Any, Any], set[Any]], ...] = (
            ("tables", self.tables, self.used_tables), ("places", self.places, self.used_places),
            ("words", self.words.raw, self.used_words))
        missing = object()
        for name, table, used in kept:
            before = base[name]
            # (the same as: k in table and (k not in before or before[k] != table[k]), with two
            # look-ups; most values are the very objects the base holds)
            put = {k: v for k in used if (v := table.get(k, missing)) is not missing
                   and ((b := before.get(k, missing)) is missing or (b is not v and b != v))}
            sections[name] = (put, [k for k in before if k not in used or k not in table])
        sections["made"] = _changes(base["made"], self.made)
        sections["place_keys"] = _changes(base["place_keys"], self.place_keys)
        return sections

    def link_sections(self) -> tuple[dict[str, tuple[dict, list]], int] | None:
        """The link tables' part of `delta` (what the links' state holds that the base's
        does not) and the number of entries of the base's, or None if this cache has no base
        or no links' state."""
        from index.corpus.related_delta import RelatedState

        state = self.links()
        if self.base is None or not isinstance(state, RelatedState) or "sigs" not in self.base:
            return None
        return ({name: _changes(self.base[name], now)
                 for name, now in (("sigs", state.sigs), ("related", state.related), ("parts", state.parts))},
                sum(len(self.base[name]) for name in LINK_SECTIONS))


def _deflated(value: object) -> bytes:
    """`value`'s pickle, deflated as it is made (never whole in memory)."""
    deflate = zlib.compressobj(1)
    chunks: list[bytes] = []

    class Sink:
        def write(self, chunk: bytes) -> int:
            chunks.append(deflate.compress(chunk))
            return len(chunk)

    pickle.dump(value, Sink(), protocol=pickle.HIGHEST_PROTOCOL)
    chunks.append(deflate.flush())
    return b"".join(chunks)


def _changes(before: dict, now: dict) -> tuple[dict, list]:
    """The entries of `now` that `before` does not hold as they are, and the keys it drops."""
    missing = object()
    return {k: v for k, v in now.items() if before.get(k, missing) != v}, [k for k in before if k not in now]


def digest(value: object) -> bytes:
    """A short key for a tuple of plain values (strings, numbers, None, lists of strings): 96
    bits of BLAKE2b of its repr, so the cache keeps no second copy of every name."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=12).digest()


def write_cache(generation: Path, cache: CorpusCache, relink: Callable[[], None] | None = None,
                own: dict[str, tuple[dict, list]] | None = None) -> None:
    """Write `cache` into `generation`: its base file linked and a delta beside it when it
    has one and little differs (`CorpusCache.delta`), else whole.

    `relink`: makes the links here (`index.corpus.load_corpus(link_later=True)`), for a cache
    whose links were made in another process (`CorpusCache.linked`) and must be written whole.
    `own`: `cache.own_sections()`, if made already.
    """
    import os
    import shutil

    changes = cache.delta(own) if cache.base_path is not None else None
    if changes is None and cache.linked is not None:  # written whole: the links' state is needed here
        if relink is None:
            raise ValueError("the links were made elsewhere: writing the whole cache needs them made here")
        cache.linked = None
        relink()
    if changes is not None and cache.base_path is not None:
        target = generation / CORPUS_CACHE
        try:
            os.link(cache.base_path, target)
        except OSError:
            try:
                shutil.copyfile(cache.base_path, target)
            except OSError:  # the base is gone: the cache is written whole
                target.unlink(missing_ok=True)
                changes = None
        if changes is not None:
            (generation / CORPUS_DELTA).write_bytes(changes)
            return
    with open(generation / CORPUS_CACHE, "wb") as fp:
        cache.write(fp)



def read_cache(generation: Path | None, code: str) -> CorpusCache:
    """The cache of `generation` if it is intact and made by `code`, else an empty one."""
    from index.errors import IndexDamagedError
    from index.store import read_meta, verified_bytes

    if generation is None:
        return CorpusCache(code=code)
    try:
        meta = read_meta(generation)
        files = meta.get("files") or {}
        if meta.get("code") != code or CORPUS_CACHE not in files:
            return CorpusCache(code=code)
        raw = verified_bytes(generation, CORPUS_CACHE, meta)
        delta = verified_bytes(generation, CORPUS_DELTA, meta) if CORPUS_DELTA in files else None
        return CorpusCache.from_bytes(raw, code, delta, generation / CORPUS_CACHE, files[CORPUS_CACHE]["sha256"])
    except IndexDamagedError:
        return CorpusCache(code=code)
