"""The seed manifest (seeds/manifest.json): which document holds which lists, read by which parser.

The manifest is data so that adding a document means adding an entry, not code: each document
names its layout (a parser), and each list its key, title, program, issuer, year and the counts
the corpus checks. A list's fields default to its document's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SeedFormatError

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ListSpec:
    """One list inside a document (a compilation holds several)."""

    key: str  # stable list key, e.g. "most-2021-appendix3"
    document: str  # file name inside the seed directory
    title: str
    program: str
    id_prefix: str  # record ids are f"{id_prefix}-{hash}"
    issuer: str
    year: int | None
    layout: str  # parser name (see index.corpus.LAYOUTS)
    headings: dict[str, str | None] = field(default_factory=dict)  # heading text → type
    links_to: str | None = None  # key of the list whose records this one re-lists
    province: str | None = None  # province of every entry, when the list is provincial
    count: int | None = None  # expected number of entries
    by_type: dict[str, int] = field(default_factory=dict)  # expected entries per type


@dataclass(frozen=True)
class DocumentSpec:
    file: str
    title: str
    layout: str
    kind: str
    lists: tuple[ListSpec, ...]


@dataclass(frozen=True)
class Manifest:
    documents: tuple[DocumentSpec, ...]
    programs: dict[str, str]  # program name → id prefix

    def list_keys(self) -> list[str]:
        return [ls.key for doc in self.documents for ls in doc.lists]


def id_prefix(program: str, programs: dict[str, str]) -> str:
    """The id prefix of a program: from the manifest, else "list" for a program it does not know."""
    return programs.get(program, "list")


def parse_manifest(data: dict, source: str = MANIFEST_NAME) -> Manifest:
    """Build a `Manifest` from decoded JSON; raise SeedFormatError naming what is missing."""
    try:
        programs = dict(data.get("programs", {}))
        documents = []
        for doc in data["documents"]:
            lists = []
            for raw in doc["lists"]:
                program = raw.get("program", doc.get("program"))
                if not program:
                    raise SeedFormatError(f"list {raw.get('key')!r} has no program", source)
                lists.append(ListSpec(
                    key=raw["key"], document=doc["file"], title=raw["title"], program=program,
                    id_prefix=id_prefix(program, programs), issuer=raw.get("issuer", doc.get("issuer", "")),
                    year=raw.get("year", doc.get("year")), layout=raw.get("layout", doc["layout"]),
                    headings=dict(raw.get("headings", {})), links_to=raw.get("links_to"),
                    province=raw.get("province"), count=raw.get("count"), by_type=dict(raw.get("by_type", {})),
                ))
            documents.append(DocumentSpec(doc["file"], doc["title"], doc["layout"], doc.get("kind", ""), tuple(lists)))
    except (KeyError, TypeError, AttributeError) as exc:
        raise SeedFormatError(f"malformed manifest ({exc!r})", source) from exc
    manifest = Manifest(tuple(documents), programs)
    keys = manifest.list_keys()
    if len(keys) != len(set(keys)):
        raise SeedFormatError("duplicate list key", source)
    return manifest


def load_manifest(seed_dir: Path) -> Manifest:
    path = Path(seed_dir) / MANIFEST_NAME
    try:
        with open(path, encoding="utf-8") as fp:
            data = json.load(fp)
    except (OSError, ValueError) as exc:
        raise SeedFormatError(f"cannot read the manifest ({exc})", str(path)) from exc
    return parse_manifest(data, str(path))
