"""China's administrative divisions (index/data/divisions.tsv): where a record is, at every level.

The seed lists name a cluster's place at whatever level they like: a province and a county
(河北省高阳县), a county alone (义乌袜业), a zone's builder (山西榆次工业园区管委会). The
region table (`places.load_regions`) knows provinces and prefectures only; this table adds
every county and district with its prefecture, so that a record naming a county gets its
prefecture and province (`fill_places`), and so that the query layer knows every place name
of the country (`place_names`), including prefectures that hold no record of their own.

Short forms are derived, never stored: 义乌市 → 义乌, 恩施土家族苗族自治州 → 恩施; a form of
one character (景县 → 景) is never used on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache, cache
from pathlib import Path
from typing import NamedTuple

from ..dictionaries import data_path, read_data_lines
from ..records import Record
from ..text import clean_cell, strip_place_suffix

DIVISIONS_PATH = data_path("divisions.tsv")

# Autonomous units: the suffix with the peoples' names before it (土家族苗族自治州).
_AUTONOMOUS_RE = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,4}?族)*自治[州县旗]$")
# Names of districts that say nothing about where they are (every city has a 城区 or 郊区).
_GENERIC = {"城区", "郊区", "矿区", "市辖区", "新区", "开发区", "高新区"}


class Division(NamedTuple):
    code: str
    level: str  # province / prefecture / county
    name: str  # 义乌市
    province: str  # short form: 浙江
    prefecture: str  # full name of the parent prefecture; "" for provinces, prefectures, 仙桃市
    earlier: tuple[str, ...]  # earlier names: 莱芜市, 襄樊市

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every earlier name."""
        return (self.name,) + self.earlier

    @property
    def forms(self) -> tuple[str, ...]:
        """Every spelling people use, longest first: 义乌市, 义乌 (and earlier names, shortened)."""
        return _forms(self)


@cache
def _forms(d: Division) -> tuple[str, ...]:
    out = []
    for name in d.names:
        out += [name, *short_forms(name)]
    return tuple(sorted(dict.fromkeys(f for f in out if len(f) >= 2 and f not in _GENERIC),
                        key=len, reverse=True))


class _FormIndex(NamedTuple):
    """The counties of one province (or of all, under None) by each of their forms, in table order."""

    by_form: dict[str, list[tuple[int, Division]]]
    longest: int


_INDEXES: dict[int, tuple[tuple[Division, ...], dict[str | None, _FormIndex]]] = {}


def _county_index(rows: tuple[Division, ...], province: str | None) -> _FormIndex:
    cached = _INDEXES.get(id(rows))
    if cached is None or cached[0] is not rows:
        cached = _INDEXES[id(rows)] = (rows, {})
    indexes = cached[1]
    if province not in indexes:
        by_form: dict[str, list[tuple[int, Division]]] = {}
        for n, d in enumerate(rows):
            if d.level == "county" and (province is None or d.province == province):
                for f in d.forms:
                    by_form.setdefault(f, []).append((n, d))
        indexes[province] = _FormIndex(by_form, max((len(f) for f in by_form), default=0))
    return indexes[province]


_PREFECTURES: dict[int, tuple[tuple[Division, ...], dict[str | None, dict[str, Division]]]] = {}


def _prefecture_names(rows: tuple[Division, ...], province: str | None) -> dict[str, Division]:
    """Each name of a prefecture of `province` (any if None) → the first such prefecture in
    table order (what a scan of `Divisions.prefectures` finds), built once per table."""
    cached = _PREFECTURES.get(id(rows))
    if cached is None or cached[0] is not rows:
        cached = _PREFECTURES[id(rows)] = (rows, {})
    indexes = cached[1]
    if province not in indexes:
        names: dict[str, Division] = {}
        for d in rows:
            if d.level == "prefecture" and (province is None or d.province == province):
                for name in d.names:
                    names.setdefault(name, d)
        indexes[province] = names
    return indexes[province]


def short_forms(name: str) -> list[str]:
    """The name without its administrative suffix (two characters at least).

    >>> short_forms("恩施土家族苗族自治州"), short_forms("义乌市"), short_forms("景县")
    (['恩施'], ['义乌'], [])
    """
    m = _AUTONOMOUS_RE.match(name)
    short = m.group(1) if m else strip_place_suffix(name)
    return [short] if short != name and len(short) >= 2 else []


class Divisions(NamedTuple):
    rows: tuple[Division, ...]

    def counties(self, province: str | None) -> Iterator[Division]:
        return (d for d in self.rows if d.level == "county" and (province is None or d.province == province))

    def prefectures(self, province: str | None) -> Iterator[Division]:
        return (d for d in self.rows if d.level == "prefecture" and (province is None or d.province == province))

    def county(self, name: str, province: str | None, city: str | None = None) -> Division | None:
        """The county or district called `name` (any of its forms), if exactly one fits."""
        short = strip_place_suffix(name)  # 玉屏县 for 玉屏侗族自治县
        index = _county_index(self.rows, province).by_form
        hits = dict(index.get(name, []) + index.get(short, []))  # table order, each once
        found = [d for _, d in sorted(hits.items()) if city is None or d.prefecture in ("", city)]
        exact = [d for d in found if name in d.names]
        found = exact or found
        return found[0] if len(found) == 1 else None

    def county_at_start(self, text: str, province: str | None, city: str | None) -> Division | None:
        """The county or district that `text` starts with (its longest form), if one alone fits."""
        index = _county_index(self.rows, province)
        at_start: dict[int, tuple[int, Division]] = {}  # table position → (its longest form at the start, it)
        for k in range(min(len(text), index.longest), 1, -1):
            for n, d in index.by_form.get(text[:k], ()):
                at_start.setdefault(n, (k, d))
        best: list[tuple[int, Division]] = []
        for _, (k, d) in sorted(at_start.items()):
            if city is not None and d.prefecture not in ("", city):
                continue
            if len(text) > k:
                best.append((k, d))
        if not best:
            return None
        longest = max(n for n, _ in best)
        top = [d for n, d in best if n == longest]
        return top[0] if len(top) == 1 else None

    def prefecture_at_start(self, text: str, province: str | None) -> Division | None:
        found = [d for d in self.prefectures(province)
                 if any(text.startswith(f) and len(text) > len(f) for f in d.forms)]
        return found[0] if len(found) == 1 else None


def read_divisions(lines: Iterable[str]) -> Divisions:
    rows = []
    for line in lines:
        code, level, name, province, prefecture, earlier = (line.split("\t") + [""] * 6)[:6]
        rows.append(Division(code, level, name, province, prefecture,
                             tuple(e for e in earlier.split(",") if e)))
    return Divisions(tuple(rows))


@lru_cache(maxsize=2)
def load_divisions(path: Path = DIVISIONS_PATH) -> Divisions:
    """The bundled table (read once, on first use; never at import)."""
    return read_divisions(read_data_lines(path))


# Short forms that are, in this domain, far more often a common word than the place (资源 in
# 生物资源 is not 资源县; 新兴 in 新兴产业 is not 新兴县): not read as places when typed alone.
# The full names (资源县, 新兴县) still are.
COMMON_WORDS = frozenset("""
资源 新兴 合作 和平 平安 东方 友好 前进 解放 振兴 复兴 通道 港口 运河 清新 富民 工农 红旗 红星
比如 南部 城中 中方 石棉 温泉 清水 长子 大方 大名 高明 安居 互助 同心 宏伟 安定 延长 富裕
白云 盐湖 回民 爱民 向阳 白塔 双桥 城北 城厢 金台 天心 芙蓉 莲花 灯塔 龙华 新华 建华 西华
""".split())


def place_names(divisions: Divisions | None = None) -> set[str]:
    """Every name of every division, with and without its suffix (for the query layer), less
    the short forms that are common words (`COMMON_WORDS`)."""
    divisions = divisions or load_divisions()
    out: set[str] = set()
    for d in divisions.rows:
        out.update(f for f in d.forms if f not in COMMON_WORDS)
    return out


def _strip_prefix(text: str, forms: Iterable[str]) -> str:
    for form in sorted(forms, key=len, reverse=True):
        if form and text.startswith(form) and len(text) > len(form):
            return text[len(form):]
    return text


def locate(record: Record, divisions: Divisions, province_full: str = "") -> tuple[str | None, str | None]:
    """(city, district) of `record` as its name, aliases or builders say, completing what it has.

    A district already known gives its prefecture; otherwise the first text that starts, after
    the province and the city, with a county of the record's province (and city) gives both.
    Nothing is guessed: a name that fits two counties gives none.
    """
    city, district = record.city, record.district
    province = record.province
    if district:
        county = divisions.county(district, province, city)
        if county is not None and county.prefecture and city is None:
            city = county.prefecture
        return city, district
    city_forms: tuple[str, ...] = ()
    if city:
        row = _prefecture_names(divisions.rows, province).get(city)
        city_forms = row.forms if row else (city, strip_place_suffix(city))
    for text in [record.name, *record.aliases, *record.builders]:
        rest = _strip_prefix(clean_cell(text), [p for p in (province or "", province_full) if p])
        found_city = city
        if city:
            rest = _strip_prefix(rest, city_forms)
        else:
            pref = divisions.prefecture_at_start(rest, province)
            if pref is not None:
                found_city = pref.name
                rest = _strip_prefix(rest, pref.forms)
        county = divisions.county_at_start(rest, province, found_city)
        if county is not None:
            return (found_city or county.prefecture or None), county.name
    return city, district


PARALLEL_PLACES = 4000  # records from which a fresh build places two halves at once


def fill_places(records: list[Record], province_full=lambda p: "", divisions: Divisions | None = None,
                memo: dict[bytes, tuple[str | None, str | None]] | None = None,
                used: set[bytes] | None = None, keys: list[bytes | None] | None = None) -> list[Record]:
    """Records with `city` and `district` completed from the divisions table (`locate`).

    `memo`: answers of earlier calls by a digest of what `locate` reads (a previous build's,
    kept by `index.corpus.cache`); new answers are added to it, and the keys read to `used`.
    `keys`: each record's digest, by position: given where known (a record the previous
    build placed under that key: not made again), None where not; every one filled in.
    Many records and no earlier answers (a fresh build): two halves are placed at once, the
    second in a forked process (`index.workers.in_two`); the answers are the same.
    """
    from .cache import digest

    def answers(span: tuple[int, int]) -> list[tuple[bytes, tuple[str | None, str | None]]]:
        table = divisions or load_divisions()
        out = []
        for r in records[span[0]:span[1]]:
            key = digest((r.name, r.aliases, r.builders, r.province, r.city, r.district)) if memo is not None else b""
            out.append((key, locate(r, table, province_full(r.province) or "" if r.province else "")))
        return out

    known: list[tuple[bytes, tuple[str | None, str | None]]] | None = None
    if len(records) >= PARALLEL_PLACES and not memo:
        from index.workers import in_two

        half = len(records) // 2
        mine, theirs = in_two(answers, (0, half), (half, len(records)))
        known = list(mine) + list(theirs)
    out = []
    for n, r in enumerate(records):
        if known is not None:
            key, found = known[n]
            if memo is not None:
                memo.setdefault(key, found)
        else:
            given = keys[n] if keys is not None else None
            key = (given if given is not None else
                   digest((r.name, r.aliases, r.builders, r.province, r.city, r.district)) if memo is not None else b"")
            got = memo.get(key) if memo is not None else None
            if got is None:
                divisions = divisions or load_divisions()
                got = locate(r, divisions, province_full(r.province) or "" if r.province else "")
                if memo is not None:
                    memo[key] = got
            found = got
        if used is not None:
            used.add(key)
        if keys is not None:
            keys[n] = key
        city, district = found
        out.append(r if (city, district) == (r.city, r.district) else replace(r, city=city, district=district))
    return out
