"""Parsers for MOST's national innovative-cluster lists (most-2021-appendix3, most-2021-additions).

Both are tab tables (see index.corpus.blocks). A blank region or recommender cell means "same as
above". The region cell holds a province (北京, 江苏) or a separately planned city (宁波 in
most-2021-additions). City and district are inferred from the name, then the builders, only where a city of
the region table is written there (常州光伏… → 常州市; 江宁… with builder 南京市江宁区… →
南京市/江宁区); otherwise they stay None rather than guessed.
"""

from __future__ import annotations

import re

from .blocks import Block, Lines, is_preamble, table_rows
from .entries import Entry, Problem
from .manifest import ListSpec
from .places import Place, Regions, parse_place
from ..records import Source
from ..text import clean_cell

APPENDIX3_HEADER = ("地区", "集群名称", "建设单位", "类型")
ADDITIONS_HEADER = ("序号", "地区", "集群名称", "建设单位", "推荐单位")
_TYPE_RE = re.compile(r"^[(（〈<]?(试点|培育)[)）〉>]?$")


def parse_type(cell: str) -> str | None:
    """试点 / （培育） as written → 试点 / 培育; None if the cell is no type."""
    m = _TYPE_RE.match(clean_cell(cell))
    return m.group(1) if m else None


def split_builders(cell: str) -> list[str]:
    """A builder cell may name several builders: 松江区科委、张江高新区松江园管委会."""
    return [b for b in clean_cell(cell).split("、") if b]


def region_place(region: str, regions: Regions) -> Place:
    """A region cell: a province (江苏) or a city (宁波 → 浙江/宁波市)."""
    province = regions.province(region)
    if province:
        return Place(province.short)
    found = regions.city(region)
    if found:
        return Place(found[0].short, found[1].full)
    return Place()


def infer_place(region: Place, texts: list[str], regions: Regions) -> Place:
    """City and district written at the start of the name or a builder, within the region."""
    city, district = region.city, None
    for text in texts:
        place = parse_place(text, regions, region.province, district_at_start=False)
        if place.province != region.province:
            continue
        if city is None and place.city:
            city = place.city
        if district is None and place.district and place.city == city:
            district = place.district
    return Place(region.province, city, district)


def _preamble_problems(preamble: Lines, spec: ListSpec) -> list[Problem]:
    return [Problem(spec.document, n, raw.strip(), "unexpected line before the table header")
            for n, raw in preamble if not is_preamble(raw, [spec.title])]


def _entry(block: Block, spec: ListSpec, region_text: str, name: str, builders: list[str], regions: Regions) -> Entry:
    region = region_place(region_text, regions)
    place = infer_place(region, [name, *builders], regions)
    source = Source(spec.document, spec.key, block.line, block.source_text())
    return Entry(name=name, source=source, builders=builders, province=place.province, city=place.city,
                 district=place.district, region=region_text)


def parse_appendix3(lines: Lines, spec: ListSpec, regions: Regions) -> tuple[list[Entry], list[Problem]]:
    """most-2021-appendix3: region / name / builder / type rows."""
    rows, preamble = table_rows(lines, APPENDIX3_HEADER)
    problems = _preamble_problems(preamble, spec)
    entries: list[Entry] = []
    region = ""
    for block in rows:
        texts = block.texts()
        if len(texts) != 4:
            problems.append(Problem(spec.document, block.line, block.source_text(), f"expected 4 cells, found {len(texts)}"))
            continue
        region = texts[0] or region
        kind = parse_type(texts[3])
        if not region or not texts[1] or kind is None:
            problems.append(Problem(spec.document, block.line, block.source_text(), "missing region, name or type"))
            continue
        entry = _entry(block, spec, region, texts[1], split_builders(texts[2]), regions)
        entry.type = kind
        entries.append(entry)
    return entries, problems


def parse_additions(lines: Lines, spec: ListSpec, regions: Regions) -> tuple[list[Entry], list[Problem]]:
    """most-2021-additions: number / region / name / builder / recommender rows; the list has no type column."""
    rows, preamble = table_rows(lines, ADDITIONS_HEADER)
    problems = _preamble_problems(preamble, spec)
    entries: list[Entry] = []
    region = recommender = ""
    for block in rows:
        texts = block.texts()
        if len(texts) != 5 or not texts[0].isdigit():
            problems.append(Problem(spec.document, block.line, block.source_text(), "expected 5 cells starting with a number"))
            continue
        if int(texts[0]) != len(entries) + 1:
            problems.append(Problem(spec.document, block.line, block.source_text(), f"number {texts[0]} out of sequence"))
        region = texts[1] or region
        recommender = texts[4] or recommender
        if not region or not texts[2]:
            problems.append(Problem(spec.document, block.line, block.source_text(), "missing region or name"))
            continue
        entry = _entry(block, spec, region, texts[2], split_builders(texts[3]), regions)
        entry.recommender = recommender or None
        entries.append(entry)
    return entries, problems
