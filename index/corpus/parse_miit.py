"""Parser for MIIT's 2023 list of SME characteristic clusters (miit-sme-2023).

Rows are "N<tab>name"; the header "序号 集群名称" repeats at page breaks. The list has no
place columns: every name begins with its place, read by `index.corpus.places.parse_place`
(广西壮族自治区桂林市七星区… → 广西/桂林市/七星区; a separately planned city written without
its province, 宁波慈溪市…, finds its province through the region table).
"""

from __future__ import annotations

import re

from .blocks import Lines, is_preamble
from .entries import Entry, Problem
from .manifest import ListSpec
from .places import Regions, parse_place
from ..records import Source
from ..text import clean_cell

_ROW_RE = re.compile(r"^(\d+)\s+(\S+)$")
_HEADER = "序号集群名称"


def parse_miit(lines: Lines, spec: ListSpec, regions: Regions) -> tuple[list[Entry], list[Problem]]:
    entries: list[Entry] = []
    problems: list[Problem] = []
    for number, raw in lines:
        text = clean_cell(raw)
        if not text or text == _HEADER or (not entries and is_preamble(raw, [spec.title])):
            continue
        m = _ROW_RE.match(raw.strip())
        if not m:
            problems.append(Problem(spec.document, number, raw.strip(), "expected a number and a name"))
            continue
        if int(m.group(1)) != len(entries) + 1:
            problems.append(Problem(spec.document, number, raw.strip(), f"number {m.group(1)} out of sequence"))
        name = clean_cell(m.group(2))
        place = parse_place(name, regions)
        if place.province is None:
            problems.append(Problem(spec.document, number, raw.strip(), "no province or city at the start of the name"))
        entries.append(Entry(name=name, source=Source(spec.document, spec.key, number, raw.strip()),
                             province=place.province, city=place.city, district=place.district))
    return entries, problems
