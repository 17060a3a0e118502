"""The record model: one cluster designation of one program, whatever document it came from.

A `Record` does not know which parser produced it: later lists (CSV, JSON, new documents) load
through the same dataclass and the same merge step. Every occurrence in a source document is
kept as a `Source`, so any field can be traced to the line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """One occurrence of a cluster in a source document, as written."""

    document: str  # file name inside seeds/ (or the path of a user-supplied list)
    list: str  # list key from the manifest, e.g. "most-2021-appendix3"
    line: int  # 1-based line number of the entry's first line
    text: str  # the entry as written (lines joined with " | " when it spans several)
    role: str = "entry"  # "entry" (a clean listing), "alias" (earlier name), "ocr" (an OCR reading)


@dataclass(frozen=True)
class Related:
    """Another program's record of the same cluster (index.related decides; see there).

    `reason` is one readable line (place; shared industry words; similarity); `place`, `words`
    and `similarity` are its parts, `confidence` (0-1) is what the links are ranked by.
    """

    id: str
    name: str
    program: str
    confidence: float
    reason: str
    place: str = ""
    words: list[str] = field(default_factory=list)
    similarity: float = 0.0


@dataclass
class Record:
    """A cluster designation. `id` is stable across rebuilds (derived from program + name)."""

    id: str
    name: str
    short_name: str
    program: str  # e.g. "创新型产业集群" / "中小企业特色产业集群" / "浙江省产业集群" / "湖北省重点产业集群"
    issuer: str  # e.g. "科技部火炬中心"
    list_title: str
    year: int | None = None
    aliases: list[str] = field(default_factory=list)  # real other names (earlier official names)
    province: str | None = None  # normalised short form: 江苏, 内蒙古, 广西
    city: str | None = None  # as usually written, with its suffix: 常州市, 神农架林区
    district: str | None = None  # district or county: 新北区, 慈溪市
    builders: list[str] = field(default_factory=list)
    recommender: str | None = None
    type: str | None = None  # 试点 / 培育 / ...
    lists: list[str] = field(default_factory=list)  # list keys this record appears in
    sources: list[Source] = field(default_factory=list)
    ocr_readings: list[str] = field(default_factory=list)  # OCR misreadings: provenance, not names
    related: list[Related] = field(default_factory=list)  # the same cluster in other programs

    @property
    def builder(self) -> str | None:
        return "；".join(self.builders) if self.builders else None

    def to_dict(self) -> dict:
        """Plain JSON-able dict (used by `clsearch export`): `dataclasses.asdict` plus
        ``builder``, written out (asdict's deep copy took most of the time of writing the
        records file at 100,000 records)."""
        return {
            "id": self.id, "name": self.name, "short_name": self.short_name, "program": self.program,
            "issuer": self.issuer, "list_title": self.list_title, "year": self.year,
            "aliases": list(self.aliases), "province": self.province, "city": self.city,
            "district": self.district, "builders": list(self.builders), "recommender": self.recommender,
            "type": self.type, "lists": list(self.lists),
            "sources": [{"document": s.document, "list": s.list, "line": s.line, "text": s.text, "role": s.role}
                        for s in self.sources],
            "ocr_readings": list(self.ocr_readings),
            "related": [{"id": r.id, "name": r.name, "program": r.program, "confidence": r.confidence,
                         "reason": r.reason, "place": r.place, "words": list(r.words),
                         "similarity": r.similarity} for r in self.related],
            "builder": self.builder,
        }
