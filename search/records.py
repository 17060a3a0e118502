"""Full records, as the index holds them: `Searcher.get(id)`, `clsearch show`, export and stats.

The indexer writes every record in full beside the Whoosh index (``records.zjsonl``: JSON
lines in compressed blocks, `index.recordfile`), so what `export` prints, what `stats` counts
and what `show` displays is exactly what is searched, added lists included. Records are read
from that file when asked for, never kept in memory all at once: a lookup by id reads one
block, found through the file's directory (read on the first lookup).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar

from index.errors import IndexDamagedError, UnknownIdError
from index.format import LINKS
from index.recordfile import links_by_record, read_all, read_block, read_directory

T = TypeVar("T")


class ListRef(NamedTuple):
    """A list a record appears in: its key and its readable title (from the manifest)."""

    key: str
    title: str


class SourceRef(NamedTuple):
    """One occurrence of the cluster in a source document, as written there."""

    document: str
    list: str
    list_title: str
    line: int
    text: str
    role: str  # entry (a clean listing), alias (an earlier name), ocr (an OCR reading)


@dataclass(frozen=True)
class Record:
    """A cluster designation in full: every name, place, builder, list and source."""

    id: str
    name: str
    short_name: str
    aliases: list[str]
    program: str
    issuer: str
    province: str | None
    city: str | None
    district: str | None
    builders: list[str]
    recommender: str | None
    type: str | None
    year: int | None
    lists: list[ListRef]
    sources: list[SourceRef]
    ocr_readings: list[str] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)  # the same cluster in other programs

    __hash__ = None  # type: ignore[assignment]  # holds lists

    @property
    def builder(self) -> str | None:
        return "；".join(self.builders) if self.builders else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the keys of `clsearch export`, lists as keys plus their titles."""
        return {
            "id": self.id, "name": self.name, "short_name": self.short_name,
            "aliases": list(self.aliases), "program": self.program, "issuer": self.issuer,
            "province": self.province, "city": self.city, "district": self.district,
            "builders": list(self.builders), "builder": self.builder,
            "recommender": self.recommender, "type": self.type, "year": self.year,
            "lists": [ls.key for ls in self.lists], "list_titles": [ls.title for ls in self.lists],
            "list_title": self.lists[0].title if self.lists else None,
            "sources": [s._asdict() for s in self.sources],
            "ocr_readings": list(self.ocr_readings), "related": list(self.related),
        }


def record_from_dict(d: dict[str, Any], title: Callable[[str], str] = lambda key: key) -> Record:
    """A `Record` from one row of the records file, list titles looked up by `title`."""
    return Record(
        id=d["id"], name=d["name"], short_name=d.get("short_name") or d["name"],
        aliases=list(d.get("aliases") or ()), program=d.get("program") or "",
        issuer=d.get("issuer") or "", province=d.get("province"), city=d.get("city"),
        district=d.get("district"), builders=list(d.get("builders") or ()),
        recommender=d.get("recommender"), type=d.get("type"), year=d.get("year"),
        lists=[ListRef(k, title(k)) for k in d.get("lists") or ()],
        sources=[SourceRef(s["document"], s["list"], title(s["list"]), s["line"], s["text"],
                           s.get("role", "entry")) for s in d.get("sources") or ()],
        ocr_readings=list(d.get("ocr_readings") or ()), related=list(d.get("related") or ()),
    )


class RecordStore:
    """The records file of one index generation (`index.recordfile`: JSON lines in zlib blocks)."""

    def __init__(self, path: Path, title: Callable[[str], str] = lambda key: key):
        self.path = Path(path)
        self._title = title
        self._blocks: dict[str, tuple[int, int]] | None = None  # id → (offset, size) of its block
        # The links file beside it (`index.recordfile.write_links`): the records' lines leave their
        # `related` links out. Without one (records written on their own), a line's are its own.
        self.links_path = self.path.with_name(LINKS)
        self._link_blocks: dict[str, list[tuple[int, int]]] | None = None  # id → blocks of its pairs

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every record as stored (plain dicts), in index order, with its links."""
        with open(self.path, "rb") as fp:
            rows = self._checked(lambda: list(read_all(fp)))
        if self.links_path.exists():
            with open(self.links_path, "rb") as fp:
                links = self._checked(lambda: links_by_record(read_all(fp)), self.links_path)
            for d in rows:
                d["related"] = links.get(str(d.get("id")), [])
        yield from rows

    def __iter__(self) -> Iterator[Record]:
        return (record_from_dict(d, self._title) for d in self.rows())

    def get(self, id: str) -> Record:
        """The record with this id; `UnknownIdError` if there is none."""
        if not isinstance(id, str) or not id.strip():
            raise UnknownIdError("a record id is a non-empty string such as most-1a2b3c4d", str(id))
        blocks = self._index()
        key = id.strip()
        if key not in blocks:
            raise UnknownIdError(f'no record has id "{key}"', key,
                                 hint="ids are printed by search --json and export")
        offset, size = blocks[key]
        with open(self.path, "rb") as fp:
            rows = self._checked(lambda: read_block(fp, offset, size))
        d = next(d for d in rows if d.get("id") == key)
        if self.links_path.exists():
            d["related"] = self._links_of(key)
        return record_from_dict(d, self._title)

    def _links_of(self, key: str) -> list[dict[str, Any]]:
        """The links of record `key`, from the blocks of the links file that hold its pairs."""
        path = self.links_path
        if self._link_blocks is None:
            with open(path, "rb") as fp:
                directory = self._checked(lambda: read_directory(fp), path)
            blocks: dict[str, list[tuple[int, int]]] = {}
            for offset, size, ids in directory:
                for rid in dict.fromkeys(ids):
                    blocks.setdefault(rid, []).append((offset, size))
            self._link_blocks = blocks
        spans = self._link_blocks.get(key, [])

        def read() -> dict[str, list[dict[str, Any]]]:
            with open(path, "rb") as fp:
                lines = [line for offset, size in spans for line in read_block(fp, offset, size)]
            return links_by_record(lines, only=key)

        return self._checked(read, path).get(key, [])

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and id in self._index()

    def _index(self) -> dict[str, tuple[int, int]]:
        if self._blocks is None:
            with open(self.path, "rb") as fp:
                directory = self._checked(lambda: read_directory(fp))
            blocks: dict[str, tuple[int, int]] = {}
            for offset, size, ids in directory:
                for rid in ids:
                    blocks.setdefault(rid, (offset, size))
            self._blocks = blocks
        return self._blocks

    def _checked(self, read: Callable[[], T], path: Path | None = None) -> T:
        path = path or self.path
        try:
            return read()
        except (ValueError, StopIteration, TypeError) as exc:  # TypeError: a links line of another shape
            raise IndexDamagedError(f"the index in {path.parent.parent} is damaged: "
                                    f"{path.parent.name}/{path.name}: {exc}",
                                    hint=f"rebuild it with: clsearch index build --index "
                                         f"{path.parent.parent}") from exc
