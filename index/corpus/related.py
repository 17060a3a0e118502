"""The same cluster across programs: links between records of different programs.

A cluster is often designated by several programs: a national MOST list, a provincial list,
MIIT's SME list. Each designation is its own record (one program, one name), and the names
differ (仙桃高新区非织造布创新型产业集群 and 仙桃市无纺布产业集群), so merging them would be
wrong, but a user wants to see them together. `link_related` gives every record the records of
other programs that are the same cluster, each with a confidence and the reason.

Two records are linked when both hold:

- **same place**: the same district or county (丰台区 in one, a name starting with 丰台 in the
  other), or the same city when neither names a district (confidence factor 1.0); or one names
  a district of the other's city (factor `CITY_DISTRICT`: the city-level designation may be
  wider than the district's);
- **same industry**: the names with place, development-zone words, generic suffixes, the
  modifiers of `MODIFIERS` and connectives dropped (the *industry part*), and terms of a
  synonym group (bundled synonyms.txt plus the user's, equivalence lines only: 无纺布 非织造布)
  written as the group's first term, share most of their characters in common runs of two or
  more (智能网联新能源汽车 / 新能源智能网联汽车 share all). `similarity` is the mean share of
  each side's characters so covered.

confidence = place factor × similarity, and only pairs at or above `MIN_CONFIDENCE` are
linked. Precision matters more than recall: the threshold sits between the pairs judged the same
cluster by hand and the pairs judged different or not provable from the records
(eval/related_judged.tsv, with review notes; tests/test_related.py holds both sides). Pure:
the caller passes the region table and the synonym groups.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .names import comparable
from ..records import Record, Related
from ..text import strip_place_suffix
from .places import Regions, strip_district

__all__ = ["MIN_CONFIDENCE", "link_related", "pair_score", "PairScore", "equivalence_groups", "industry_part", "shared_runs"]

MIN_CONFIDENCE = 0.65
CITY_DISTRICT = 0.8  # a city-level designation against one of a district of that city
# Words that qualify any industry and say nothing about which one it is.
MODIFIERS = ("高端", "先进", "新型", "现代")
# Development-zone words and other place-like prefixes dropped from the industry part.
ZONE_WORDS = ("高新区", "经开区", "经济开发区", "开发区", "新区", "工业园区", "园区", "国家")
_CONNECTIVES_RE = re.compile(r"[及与和、·,，\s]")
_PAREN_RE = re.compile(r"\([^)]*\)")
_REPEAT_RE = re.compile(r"(.{2,}?)\1")  # 再生资源资源 → 再生资源 (a synonym put before its own tail)


class PairScore(NamedTuple):
    """How two records compare: place factor and description, industry words and similarity."""

    place: str  # e.g. "same district 宁海县", "" when the places differ
    place_factor: float
    words: tuple[str, ...]  # the industry words both share (synonyms as their group's first term)
    synonyms: tuple[str, ...]  # synonym rewrites that made a word shared: "非织造布 = 无纺布"
    similarity: float

    @property
    def confidence(self) -> float:
        return round(self.place_factor * self.similarity, 2)


def equivalence_groups(lines: Iterable[str]) -> list[tuple[str, ...]]:
    """The equivalence groups of synonyms.txt lines (``a b c``); one-way lines (``a => b``)
    are left out, since a broader word (纺织 => 化纤) is no evidence of the same industry."""
    return [tuple(line.split()) for line in lines if "=>" not in line and len(line.split()) >= 2]


class _Canon:
    """Rewrites every term of a synonym group as the group's first term, longest term first."""

    def __init__(self, groups: Sequence[Sequence[str]]):
        self.to: dict[str, str] = {}
        for group in groups:
            for term in group[1:]:
                if len(term) >= 2 and term != group[0]:
                    self.to.setdefault(term, group[0])
        terms = sorted(self.to, key=len, reverse=True)
        self.re = re.compile("|".join(map(re.escape, terms))) if terms else None

    def __call__(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        if self.re is None:
            return text, []
        done: list[tuple[str, str]] = []

        def sub(m: re.Match) -> str:
            done.append((m.group(0), self.to[m.group(0)]))
            return self.to[m.group(0)]

        return self.re.sub(sub, text), done


def _city_forms(record: Record, regions: Regions) -> tuple[str, ...]:
    if not record.city:
        return ()
    found = regions.city(record.city, regions.province(record.province or ""))
    return found[1].forms if found else (record.city, strip_place_suffix(record.city))


def _district_forms(district: str | None) -> tuple[str, ...]:
    if not district:
        return ()
    return tuple(dict.fromkeys((district, strip_place_suffix(district))))


def _place_prefixes(record: Record, regions: Regions) -> list[str]:
    province = regions.province(record.province or "")
    forms = [province.full, province.short] if province else []
    forms += _city_forms(record, regions) + _district_forms(record.district)
    return sorted(set(f for f in forms if f), key=len, reverse=True)


def _strip_places(text: str, prefixes: Sequence[str]) -> str:
    """`text` without the place and zone words it starts with (any number, any order)."""
    words = sorted(set(prefixes) | set(ZONE_WORDS), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for w in words:
            if text.startswith(w) and len(text) > len(w):
                text, changed = text[len(w):], True
                break
        else:
            district, rest = strip_district(text)
            if district and rest:
                text, changed = rest, True
    return text


def _name_body(record: Record) -> str:
    """The name reduced for comparison: abbreviations folded, generic suffix and brackets gone."""
    body = _PAREN_RE.sub("", comparable(record.name)).replace("·", "")
    return body[:-2] if body.endswith("产业") and len(body) > 2 else body


def _name_district(record: Record, other: Record, regions: Regions) -> str | None:
    """`record`'s district, or `other`'s when `record`'s name starts with it after its city
    (丰台轨道交通 read against 北京市丰台区…: 丰台区)."""
    if record.district:
        return record.district
    if not other.district:
        return None
    province = regions.province(record.province or "")
    rest = _name_body(record)
    for prefix in ([province.full, province.short] if province else []) + list(_city_forms(record, regions)):
        if rest.startswith(prefix):
            rest = rest[len(prefix):]
            break
    return other.district if rest.startswith(_district_forms(other.district)) else None


def _place(a: Record, b: Record, regions: Regions) -> tuple[str, float]:
    if not a.province or a.province != b.province:
        return "", 0.0
    da, db = _name_district(a, b, regions), _name_district(b, a, regions)
    if da and db:
        return (f"same district {da}", 1.0) if da == db else ("", 0.0)
    if da or db:
        district, wide, narrow = (da, b, a) if da else (db, a, b)
        if wide.city and wide.city == narrow.city:
            return f"{district} in {wide.city}", CITY_DISTRICT
        return "", 0.0
    if a.city and a.city == b.city:
        return f"same city {a.city}", 1.0
    return "", 0.0


def industry_part(record: Record, regions: Regions, canon: _Canon, other: Record | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The words of a name that say what the cluster makes, and the synonym rewrites applied.

    >>> from index.corpus.places import load_regions
    >>> r = Record("x", "仙桃高新区非织造布创新型产业集群", "", "p", "", "", province="湖北", city="仙桃市")
    >>> industry_part(r, load_regions(), _Canon([("无纺布", "非织造布")]))
    ('无纺布', [('非织造布', '无纺布')])
    """
    prefixes = _place_prefixes(record, regions)
    if other is not None:
        prefixes += _district_forms(other.district)
    text = _strip_places(_name_body(record), prefixes)
    for word in MODIFIERS:
        text = text.replace(word, "") or text
    text, rewrites = canon(text)
    text = _CONNECTIVES_RE.sub("", text)
    text = _REPEAT_RE.sub(r"\1", text)
    return text, rewrites


def _longest_common(a: str, b: str, shortest: int) -> str:
    for length in range(min(len(a), len(b)), shortest - 1, -1):
        for i in range(len(a) - length + 1):
            piece = a[i:i + length]
            if "\0" not in piece and piece in b:
                return piece
    return ""


def shared_runs(a: str, b: str) -> list[str]:
    """Common runs of two or more characters, longest first, each used once on each side, in
    any order (智能网联新能源汽车 and 新能源智能网联汽车 share everything).

    >>> shared_runs("智能网联新能源汽车", "新能源智能网联汽车")
    ['智能网联', '新能源', '汽车']
    >>> shared_runs("玻璃纤维", "化纤")
    []
    """
    shortest = max(1, min(2, len(a), len(b)))
    runs = []
    while best := _longest_common(a, b, shortest):
        runs.append(best)
        a = a.replace(best, "\0" * len(best), 1)
        b = b.replace(best, "\1" * len(best), 1)
    return runs


def pair_score(a: Record, b: Record, regions: Regions, groups: Sequence[Sequence[str]] = (),
               canon: _Canon | None = None) -> PairScore:
    """Place and industry evidence that `a` and `b` are the same cluster."""
    place, factor = _place(a, b, regions)
    if not factor:
        return PairScore("", 0.0, (), (), 0.0)
    canon = canon or _Canon(groups)
    ia, ra = industry_part(a, regions, canon, b)
    ib, rb = industry_part(b, regions, canon, a)
    if not ia or not ib:
        return PairScore(place, factor, (), (), 0.0)
    runs = shared_runs(ia, ib)
    covered = sum(len(run) for run in runs)
    similarity = round((covered / len(ia) + covered / len(ib)) / 2, 2)
    used = [f"{old} = {new}" for old, new in ra + rb if any(new in run for run in runs)]
    return PairScore(place, factor, tuple(runs), tuple(dict.fromkeys(used)), similarity)


def _reason(score: PairScore) -> str:
    words = "、".join(score.words)
    syn = f" ({'; '.join(score.synonyms)})" if score.synonyms else ""
    return f"{score.place}; same industry {words}{syn}; similarity {score.similarity:.2f}"


def candidate_pairs(records: Sequence[Record]) -> Iterable[tuple[Record, Record]]:
    """Pairs of records of different programs that may share a place: the same province, and
    the same city unless one of them has none (a county written without its prefecture)."""
    by_city: dict[tuple[str, str | None], list[Record]] = defaultdict(list)
    for r in records:
        if r.province:
            by_city[(r.province, r.city)].append(r)
    for (province, city), group in by_city.items():
        others = [r for (p, c), rs in by_city.items() if p == province and c is not None and c != city for r in rs]
        for i, a in enumerate(group):
            for b in group[i + 1:] + (others if city is None else []):
                if a.program != b.program:
                    yield a, b


def link_related(records: Sequence[Record], regions: Regions, groups: Sequence[Sequence[str]] = (),
                 min_confidence: float = MIN_CONFIDENCE) -> int:
    """Set `related` on every record (symmetric, best first); returns the number of links."""
    canon = _Canon(groups)
    links: dict[str, list[Related]] = defaultdict(list)
    n = 0
    for a, b in candidate_pairs(records):
        score = pair_score(a, b, regions, canon=canon)
        if score.confidence < min_confidence:
            continue
        n += 1
        for x, y in ((a, b), (b, a)):
            links[x.id].append(Related(id=y.id, name=y.name, program=y.program, confidence=score.confidence,
                                       reason=_reason(score), place=score.place, words=list(score.words),
                                       similarity=score.similarity))
    for r in records:
        r.related = sorted(links.get(r.id, []), key=lambda rel: (-rel.confidence, rel.id))
    return n
