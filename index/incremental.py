"""Incremental builds: a new generation that reuses the previous one's segments.

Adding or removing a list changes a few thousand records of a corpus that may hold 100,000.
Instead of preparing every record again, the new generation

- hard-links the previous generation's Whoosh segment files (Whoosh never rewrites a segment
  file, so both generations can share them; a copy where links are not possible);
- marks the documents of removed or changed records deleted (Whoosh keeps the deletions in
  the new table of contents; every read filters them out);
- writes one new segment with the new and changed records;
- updates the lexicon from the previous generation's counts (``lexstate.json``): the
  contributions of removed and changed records are taken out, the new ones added, so the
  lexicon and the typo table equal a full build's.

The smaller tables (records, filter values, completion) are written from the whole corpus as
in a full build. Everything else is a full build's: the build lock, the checksums of every
file, verification before the atomic swap, clean-up of a failed build (`index.build`).

An incremental build is only possible from a generation built by the same code and data
(`code_fingerprint`), intact, with its lexicon counts, and with fewer than `MAX_SEGMENTS`
segments (each adds a little to every query's cost); otherwise the build is a full one, which
also merges everything back into one segment. ``clsearch index build`` without options is
always a full build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import IndexDamagedError
from index.format import LINKS, RECORDS, Fields
from index.recordfile import OldRecords
from index.records import Record
from index.store import check_generation, read_meta, verified_bytes

LEXSTATE = "lexstate.json"  # the lexicon's counts, for the next incremental build
MAX_SEGMENTS = 12
# What a record holds that its indexed document does not depend on: a change there alone
# does not re-index the record (they are written to the records file all the same).
_NOT_INDEXED = ("related", "sources")


@dataclass
class Plan:
    """What an incremental build changes in the previous generation's segments."""

    base: Path
    deleted: list[int]  # document numbers to mark deleted (removed and changed records)
    old: list[Record]  # the removed and changed records as the previous generation had them
    new: list[Record]  # records to write to the new segment (new and changed), in corpus order
    state: dict[str, Any]  # the previous generation's lexicon counts
    meta: dict[str, Any]  # the previous generation's metadata (its files' checksums)
    records_file: OldRecords  # its records file
    links_raw: bytes | None  # its links file's bytes (`links_file`), verified
    docs: list[str]  # its `format.tie_value` of each document number (deleted ones too)
    chars: frozenset[str]  # the characters of its lexicon (its character map depends on them alone)

    @property
    def links_file(self) -> OldRecords | None:
        """Its links file (`recordfile.write_links`), read where it is used (the process that
        makes the links); None if it has none, or if it cannot be read (then written whole)."""
        try:
            return OldRecords(self.links_raw) if self.links_raw is not None else None
        except ValueError:
            return None


def signature(d: dict[str, Any]) -> str:
    """What a record's indexed document is made from, as one string (from `Record.to_dict()`)."""
    return json.dumps({k: v for k, v in d.items() if k not in _NOT_INDEXED}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


def plan_update(base: Path, code: str, records: list[Record], changed: set[int] | None = None,
                docs: list[str] | None = None) -> Plan | None:
    """How to reach `records` from generation `base`; None if only a full build can.

    `code`: the `code_fingerprint` the new generation is built with; `changed`: the
    positions of the records whose documents may differ from `base`'s record with the same
    id (None: any may; `index.corpus.cache.CorpusCache.changed` before the links are made:
    a document does not hold them). Every other record's document is taken to be the one
    `base` holds under its id. A changed record is re-indexed only if what its document is
    made from (`signature`) differs from `base`'s record. `docs`: `base`'s tie value of each
    document number, if known.
    """
    try:
        meta = read_meta(base)
    except IndexDamagedError:
        return None
    if meta.get("code") != code or LEXSTATE not in (meta.get("files") or {}):
        return None
    if check_generation(base, meta):
        return None
    try:
        state = json.loads(verified_bytes(base, LEXSTATE, meta))
        before = OldRecords(verified_bytes(base, RECORDS, meta))
        links = verified_bytes(base, LINKS, meta) if LINKS in meta["files"] else None
        docnums, segments, docs = _live_documents(base, docs, before.block_of.keys())
        chars = frozenset(ch for ch, rows_of in state["votes"].items() if rows_of)
    except (IndexDamagedError, ValueError, KeyError, TypeError, AttributeError, OSError):
        return None
    if segments >= MAX_SEGMENTS or docnums is None:
        return None
    held = before.block_of
    order = [r.id for r in records]
    ids = set(order)
    if changed is None:
        changed = set(range(len(records)))
    else:  # a record `base` does not hold is new, whatever `changed` says
        fresh = ids - held.keys()
        if fresh:
            found = {n for n in changed if order[n] in fresh}
            changed = changed | (found if len(found) == len(fresh) else {n for n, rid in enumerate(order)
                                                                         if rid in fresh})
    new: list[Record] = []
    try:
        for n in sorted(changed):
            record = records[n]
            old = before.line(record.id)
            if old is None or signature(json.loads(old)) != signature(record.to_dict()):
                new.append(record)
        left = held.keys() - ids
        gone = [rid for rid in held if rid in left] if left else []
        again = [r.id for r in new if r.id in before.block_of]
        olds = [record_of(json.loads(before.line(rid) or "")) for rid in gone + again]
    except ValueError:  # a damaged block
        return None
    return Plan(base, sorted(docnums[rid] for rid in gone + again), olds, new, state, meta, before, links, docs,
                chars)


def old_files(base: Path, meta: dict[str, Any] | None = None) -> tuple[OldRecords, OldRecords | None]:
    """Generation `base`'s records file and links file (None if it has none), as `Plan`
    holds them. `meta`: its metadata, if read. IndexDamagedError or ValueError if damaged."""
    if meta is None:
        meta = read_meta(base)
    before = OldRecords(verified_bytes(base, RECORDS, meta))
    return before, OldRecords(verified_bytes(base, LINKS, meta)) if LINKS in meta["files"] else None


def _live_documents(generation: Path, docs: list[str] | None = None,
                    ids: Collection[str] = ()) -> tuple[dict[str, int] | None, int, list[str]]:
    """Record id → document number of the live (not deleted) document of each of `ids` (the
    ids of the generation's live records; ids of deleted documents may be there too), or None
    if the live documents are not those of `ids`; number of segments; the `format.tie_value`
    of each document number (deleted ones too).

    `docs`: those tie values if known (the corpus cache's). A record's live document is the
    last one with its id (an incremental build deletes a changed record's document and adds
    the new one after every other), so the columns need not be read; they are if the counts
    of documents disagree.
    """
    from whoosh import index as windex

    keys: AbstractSet[str] = ids if isinstance(ids, AbstractSet) else set(ids)
    ix = windex.open_dir(str(generation))
    with ix.reader() as reader:
        segments = len(ix._segments())
        if docs is not None and len(docs) == reader.doc_count_all():
            words = " ".join(docs).split(" ")  # length, id, length, id…: ids hold no space
            if len(words) == 2 * len(docs):
                latest = dict(zip(words[1::2], range(len(docs))))
                if len(keys) == reader.doc_count() and latest.keys() >= keys:
                    return latest, segments, docs
        docs = [v.decode("utf-8") if isinstance(v, bytes) else v for v in reader.column_reader(Fields.TIE)]
        out = {}
        for docnum, value in enumerate(docs):
            if not reader.is_deleted(docnum):
                out[value.partition(" ")[2]] = docnum
    return (out if out.keys() == keys else None), segments, docs


def record_of(d: dict[str, Any]) -> Record:
    """A `Record` with what indexing needs, from its `to_dict()` form."""
    return Record(id=d["id"], name=d["name"], short_name=d.get("short_name", ""), program=d["program"],
                  issuer=d.get("issuer", ""), list_title=d.get("list_title", ""), year=d.get("year"),
                  aliases=list(d.get("aliases") or []), province=d.get("province"), city=d.get("city"),
                  district=d.get("district"), builders=list(d.get("builders") or []),
                  recommender=d.get("recommender"), type=d.get("type"), lists=list(d.get("lists") or []))


def link_segments(base: Path, generation: Path) -> None:
    """The Whoosh files of `base` (segments and table of contents) into `generation`.

    Hard links where the file system allows them (Whoosh writes each file once and never
    changes it), copies elsewhere.
    """
    for path in base.iterdir():
        if not path.is_file() or not (path.name.startswith("MAIN_") or path.name.startswith("_MAIN_")):
            continue
        if path.name.endswith("WRITELOCK"):
            continue
        target = generation / path.name
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)


def write_state(generation: Path, state: dict[str, Any]) -> None:
    (generation / LEXSTATE).write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")),
                                       encoding="utf-8")


def add_lists(index_dir: Path, paths: Iterable[str | Path], log: Callable[[str], None] | None = None):
    """Add list files to the index in `index_dir` (incrementally when possible): a BuildReport."""
    from index.ensure import build_from_seeds

    return build_from_seeds(Path(index_dir), log, "lists added", extra=list(paths))


def remove_lists(index_dir: Path, keys: Iterable[str], log: Callable[[str], None] | None = None):
    """Remove added lists by key (a file's stem when added) from the index: a BuildReport."""
    from index.ensure import build_from_seeds

    return build_from_seeds(Path(index_dir), log, "lists removed", remove=list(keys))
