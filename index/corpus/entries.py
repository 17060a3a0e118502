"""What a parser hands to the merge step: one `Entry` per listing, and `Problem`s it met.

An entry is a row of one list as written, before it is merged into a `Record`. Parsers are
pure (text in, entries and problems out); they never raise for a bad line, they report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Source


@dataclass(frozen=True)
class Problem:
    """A line a parser could not place, or a check that failed: document, line, text, reason."""

    document: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.reason}: {self.text}"


@dataclass
class Entry:
    """One listing of a cluster in one list, as written (cells cleaned, nothing inferred yet).

    `program`, `issuer`, `year` and `list_title` override the list's defaults from the manifest
    (a CSV list may mix programs); `None` means "the list's value".
    """

    name: str
    source: Source
    builders: list[str] = field(default_factory=list)
    province: str | None = None
    city: str | None = None
    district: str | None = None
    region: str | None = None  # the region cell as written (宁波, 浙江,台州市), if any
    recommender: str | None = None
    type: str | None = None
    program: str | None = None
    issuer: str | None = None
    year: int | None = None
    list_title: str | None = None
