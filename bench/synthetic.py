"""Synthetic cluster lists for the scale bench: realistic names, reproducible, from stated sources.

Vocabularies (nothing invented by hand beyond the small word lists below):
- places: the provinces and prefecture-level cities of ``index/data/regions.tsv`` (2023
  divisions) and the districts and counties that the real records name (``seeds/``);
- industries: the industry part of every real record's short name (the name without its
  place names, development-zone words and generic suffix: 锂电, 白瓷, 汽车零部件 …);
- zones, suffixes, programs: the development-zone words, generic suffixes and programs the
  real lists use (高新区, 经开区 …; 产业集群, 创新型产业集群 …).

A record is ``{place}{zone}{industry}{suffix}`` with a builder ``{place}{zone}管委会`` (or
``…产业园管委会``), so a synthetic list has the shape of the real ones: generic words shared by
thousands of names, places shared by hundreds, industries repeated across places. The same
seed gives the same lists on every machine; each generated query names the record it was
made from (its *target*), so the bench can report how often a query finds it.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from pathlib import Path

SEED = 11
LIST_SIZE = 5000  # records per synthetic list (a 100k corpus is 20 lists, like provinces' lists)

ZONES = ("", "", "", "高新区", "经开区", "开发区", "工业园区", "产业园", "新区", "农高区", "综合保税区")
SUFFIXES = ("产业集群", "产业集群", "创新型产业集群", "特色产业集群", "产业群", "先进制造业集群")
PROGRAMS = ("省级产业集群", "中小企业特色产业集群", "创新型产业集群", "市级重点产业集群")
TYPES = ("试点", "培育", "")
_ZONE_WORDS = ("国家", "高新技术产业开发区", "经济技术开发区", "高新区", "经开区", "开发区", "工业园区",
               "产业园", "新区", "农高区", "省", "市", "县", "区")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,10}$")


@dataclass(frozen=True)
class Place:
    province: str  # short: 江苏
    city: str  # full: 常州市
    district: str  # 新北区, or ""
    short: str  # the name as written in a cluster name: 常州, 新北


@dataclass(frozen=True)
class Row:
    name: str
    builder: str
    province: str
    city: str
    district: str
    type: str
    program: str
    year: int

    def to_csv(self) -> list[str]:
        return [self.name, self.builder, self.province, self.city, self.district, self.type,
                self.program, str(self.year)]


COLUMNS = ["name", "builder", "province", "city", "district", "type", "program", "year"]


def vocabularies(records) -> tuple[list[Place], list[str]]:
    """Places (regions.tsv cities + the real records' districts) and industry words."""
    from index.corpus.places import load_regions
    from index.text import strip_place_suffix

    regions = load_regions()
    places: list[Place] = []
    city_of: dict[str, tuple[str, str]] = {}
    for prov in regions.provinces:
        for city in prov.cities:
            short = city.forms[-1]
            if len(short) >= 2:
                places.append(Place(prov.short, city.full, "", short))
                city_of[city.full] = (prov.short, city.full)
    seen = {p.short for p in places}
    for r in records:
        if r.district and r.city in city_of:
            short = strip_place_suffix(r.district)
            if len(short) >= 2 and short not in seen:
                seen.add(short)
                places.append(Place(*city_of[r.city], r.district, short))
    return places, industries(records, seen | {strip_place_suffix(p.full) for p in regions.provinces})


def industries(records, place_names: set[str]) -> list[str]:
    """The industry part of each real name: short name minus places and zone words."""
    found: set[str] = set()
    names = sorted(place_names, key=len, reverse=True)
    for r in records:
        text = r.short_name
        for part in (r.province, r.city, r.district):
            if part:
                text = text.replace(part, "")
        changed = True
        while changed:
            changed = False
            for word in list(names) + list(_ZONE_WORDS):
                if text.startswith(word) and len(text) > len(word) + 1:
                    text, changed = text[len(word):], True
        if _HAN.match(text):
            found.add(text)
    return sorted(found)


def generate(records, size: int, seed: int = SEED, taken: set[str] | None = None) -> list[Row]:
    """`size` distinct synthetic rows (distinct from `taken` names too), reproducible by seed."""
    places, inds = vocabularies(records)
    rng = random.Random(f"{seed}-{size}")
    taken = set(taken or ())
    rows: list[Row] = []
    while len(rows) < size:
        p = rng.choice(places)
        zone = rng.choice(ZONES)
        industry = rng.choice(inds)
        name = f"{p.short}{zone}{industry}{rng.choice(SUFFIXES)}"
        if name in taken:
            continue
        taken.add(name)
        builder = f"{p.short}{zone or rng.choice(('高新区', '经开区', '产业园'))}管委会"
        rows.append(Row(name, builder if rng.random() < 0.7 else "", p.province, p.city, p.district,
                        rng.choice(TYPES), rng.choice(PROGRAMS), rng.randint(2015, 2024)))
    return rows


def write_lists(rows: list[Row], directory: Path, stem: str) -> list[Path]:
    """Rows as CSV lists of at most `LIST_SIZE` records each (``stem-01.csv`` …)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, start in enumerate(range(0, len(rows), LIST_SIZE), 1):
        path = directory / f"{stem}-{n:02d}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fp:
            w = csv.writer(fp)
            w.writerow(COLUMNS)
            w.writerows(r.to_csv() for r in rows[start:start + LIST_SIZE])
        paths.append(path)
    return paths


# --- queries ----------------------------------------------------------------------------------

def _pinyin(text: str, initials: bool = False) -> str:
    from pypinyin import Style, lazy_pinyin  # bench only: the engine never imports it on queries

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER if initials else Style.NORMAL))


def _swap(rng: random.Random, text: str) -> str:
    spots = [i for i in range(len(text) - 1) if text[i] != text[i + 1]]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


QUERY_CLASSES = ("hanzi", "name", "place+industry", "builder", "broad", "pinyin", "initials",
                 "prefix", "typo", "no match")
BROAD = ["管委会", "开发区", "新型", "产业园", "高新区", "集群", "特色", "科技"]
NONSENSE = ["量子咖啡", "火星殖民地", "婚纱摄影奶茶", "qwzxv", "xyzzy", "qqqq zzzz", "恐龙魔法", "kafeihuoxing"]


def make_queries(rows: list[Row], records, per_class: int, seed: int = SEED) -> list[tuple[str, str, str | None]]:
    """(class, query, target name or None) triples, `per_class` of each class, reproducibly.

    Classes with a target (name, place+industry, pinyin, initials, prefix, typo) are made
    from one synthetic record and say which; hanzi, builder, broad and no-match queries have
    many answers or none.
    """
    places, inds = vocabularies(records)
    by_short = sorted(places, key=lambda p: len(p.short), reverse=True)
    rng = random.Random(f"q-{seed}-{len(rows)}")
    out: list[tuple[str, str, str | None]] = []

    def parts(row: Row) -> tuple[str, str]:
        place = next(p.short for p in by_short if row.name.startswith(p.short))
        industry = next(i for i in sorted(inds, key=len, reverse=True) if i in row.name[len(place):])
        return place, industry

    for cls in QUERY_CLASSES:
        for k in range(per_class):
            row = rng.choice(rows)
            place, industry = parts(row)
            head = industry[:4]  # people type a few syllables, not 24 letters
            target: str | None = row.name
            if cls == "hanzi":
                size = min(len(industry), rng.randint(2, 4))
                start = rng.randint(0, len(industry) - size)
                q, target = industry[start:start + size], None
            elif cls == "name":
                q = row.name
            elif cls == "place+industry":
                q = f"{place} {industry}"
            elif cls == "builder":
                q, target = (row.builder or f"{place}高新区管委会"), None
            elif cls == "broad":
                q, target = BROAD[k % len(BROAD)], None
            elif cls == "pinyin":
                q = f"{place} {_pinyin(head)}"
            elif cls == "initials":
                q = f"{place} {_pinyin(head, initials=True)}"
            elif cls == "prefix":
                full = _pinyin(head)
                q = f"{place} {full[:max(3, len(full) - 2)]}"
            elif cls == "typo":
                q = f"{place} {_swap(rng, _pinyin(head))}"
            else:
                q, target = NONSENSE[k % len(NONSENSE)], None
            out.append((cls, q, target))
    return out
