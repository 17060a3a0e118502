"""Parser for the compilation document (compilation_national_zhejiang_hubei.txt): three lists, each starting at its heading.

The manifest gives every list its headings (one per section: most-national-older has a 试点 and a 培育
section, each heading a type). Lines before the first heading must be the document title.

- (a) `numbered_names`: number / name rows, an older edition of the MOST list; entries are
  linked to most-2021-appendix3 later (index.corpus.link), not here.
- (b) `numbered_name_region`: number / name / region rows, the region written "浙江,台州市"
  (sometimes only "浙江"). City comes from the region cell; a district only where the name
  spells one out (长兴县纺织产业集群).
- (c) `numbered_under_city_headings`: "12.黄石市电子信息产业集群" lines under city headings
  ("黄石市：", "神农架林区"). City comes from the heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .blocks import Lines, table_rows
from .entries import Entry, Problem
from .manifest import ListSpec
from .places import Regions, parse_place
from ..records import Source
from ..text import clean_cell

_DECLARED_RE = re.compile(r"(\d+)个")
_NUMBERED_RE = re.compile(r"^(\d+)\s*[.．、]\s*(\S.*)$")

Section = tuple[str | None, int | None, Lines]  # type, declared count, lines


def split_parts(lines: Lines, specs: list[ListSpec], title: str) -> tuple[dict[str, list[Section]], list[Problem]]:
    """Cut the document at the headings of `specs`; the lines before the first must be the title."""
    parts: dict[str, list[Section]] = {s.key: [] for s in specs}
    problems: list[Problem] = []
    current: list[tuple[int, str]] | None = None
    for number, raw in lines:
        text = clean_cell(raw)
        hit = next(((s, h) for s in specs for h in s.headings if text.startswith(clean_cell(h))), None)
        if hit:
            spec, heading = hit
            declared = _DECLARED_RE.search(text[len(clean_cell(heading)):])
            current = []
            parts[spec.key].append((spec.headings[heading], int(declared.group(1)) if declared else None, current))
        elif current is not None:
            current.append((number, raw))
        elif text and text != clean_cell(title):
            problems.append(Problem(specs[0].document, number, raw.strip(), "line before the first list heading"))
    return parts, problems


def _check_count(spec: ListSpec, line: int, declared: int | None, found: int, heading: str) -> list[Problem]:
    if declared is None or declared == found:
        return []
    return [Problem(spec.document, line, heading, f"heading declares {declared} entries, found {found}")]


def parse_numbered_names(sections: list[Section], spec: ListSpec, regions: Regions) -> tuple[list[Entry], list[Problem]]:
    """(a) number / name rows, typed by their section heading."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for kind, declared, lines in sections:
        rows, preamble = table_rows(lines, ("序号", "产业集群名称"))
        problems += [Problem(spec.document, n, r.strip(), "unexpected line before the table header") for n, r in preamble]
        found = 0
        for block in rows:
            texts = block.texts()
            if len(texts) != 2 or not texts[0].isdigit() or not texts[1]:
                problems.append(Problem(spec.document, block.line, block.source_text(), "expected a number and a name"))
                continue
            found += 1
            if int(texts[0]) != found:
                problems.append(Problem(spec.document, block.line, block.source_text(), f"number {texts[0]} out of sequence"))
            source = Source(spec.document, spec.key, block.line, block.source_text())
            entries.append(Entry(name=texts[1], source=source, type=kind))
        problems += _check_count(spec, lines[0][0] - 1 if lines else 0, declared, found, f"{kind} section")
    return entries, problems


def parse_numbered_name_region(sections: list[Section], spec: ListSpec, regions: Regions) -> tuple[list[Entry], list[Problem]]:
    """(b) number / name / region rows."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for _kind, declared, lines in sections:
        rows, preamble = table_rows(lines, ("序号", "产业集群名称", "所在区域"))
        problems += [Problem(spec.document, n, r.strip(), "unexpected line before the table header") for n, r in preamble]
        for block in rows:
            texts = block.texts()
            province = regions.province(texts[2].split(",")[0]) if len(texts) == 3 else None
            if len(texts) != 3 or not texts[0].isdigit() or not texts[1] or province is None:
                problems.append(Problem(spec.document, block.line, block.source_text(), "expected number, name, region"))
                continue
            if int(texts[0]) != len(entries) + 1:
                problems.append(Problem(spec.document, block.line, block.source_text(), f"number {texts[0]} out of sequence"))
            city_cell = texts[2].split(",", 1)[1] if "," in texts[2] else ""
            found = regions.city(city_cell, province) if city_cell else None
            if city_cell and found is None:
                problems.append(Problem(spec.document, block.line, block.source_text(), f"unknown city {city_cell}"))
            city = found[1].full if found else None
            in_name = parse_place(texts[1], regions, province.short)
            district = in_name.district if in_name.city in (None, city) else None
            source = Source(spec.document, spec.key, block.line, block.source_text())
            entries.append(Entry(name=texts[1], source=source, province=province.short, city=city,
                                 district=district, region=texts[2]))
        problems += _check_count(spec, lines[0][0] - 1 if lines else 0, declared, len(entries), spec.title)
    return entries, problems


def parse_numbered_under_city_headings(sections: list[Section], spec: ListSpec, regions: Regions) -> tuple[list[Entry], list[Problem]]:
    """(c) "N.name" lines grouped under city headings, within the list's province."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    province = regions.province(spec.province or "")
    for _kind, declared, lines in sections:
        city: str | None = None
        for number, raw in lines:
            text = clean_cell(raw)
            if not text:
                continue
            m = _NUMBERED_RE.match(text)
            heading = regions.city(text.rstrip(":："), province) if not m else None
            if heading:
                city = heading[1].full
            elif m and city:
                if int(m.group(1)) != len(entries) + 1:
                    problems.append(Problem(spec.document, number, raw.strip(), f"number {m.group(1)} out of sequence"))
                name = m.group(2)
                in_name = parse_place(name, regions, province.short if province else None)
                district = in_name.district if in_name.city in (None, city) else None
                source = Source(spec.document, spec.key, number, raw.strip())
                entries.append(Entry(name=name, source=source, province=province.short if province else None,
                                     city=city, district=district, region=city))
            else:
                problems.append(Problem(spec.document, number, raw.strip(), "neither a city heading nor a numbered entry"))
        problems += _check_count(spec, lines[0][0] - 1 if lines else 0, declared, len(entries), spec.title)
    return entries, problems


PART_PARSERS: dict[str, Callable[[list[Section], ListSpec, Regions], tuple[list[Entry], list[Problem]]]] = {
    "numbered_names": parse_numbered_names,
    "numbered_name_region": parse_numbered_name_region,
    "numbered_under_city_headings": parse_numbered_under_city_headings,
}


def parse_compilation(lines: Lines, specs: list[ListSpec], title: str, regions: Regions) -> dict[str, tuple[list[Entry], list[Problem]]]:
    """Every list of the compilation, keyed by list key; problems of the split go to the first."""
    parts, problems = split_parts(lines, specs, title)
    out: dict[str, tuple[list[Entry], list[Problem]]] = {}
    for spec in specs:
        if not parts[spec.key]:
            problems.append(Problem(spec.document, 0, spec.title, "list heading not found"))
        entries, found = PART_PARSERS[spec.layout](parts[spec.key], spec, regions)
        out[spec.key] = (entries, found)
    first = specs[0].key
    out[first] = (out[first][0], problems + out[first][1])
    return out
