"""Province, city and district of a cluster, read from the start of a name or a region cell.

The region table is data (index/data/regions.tsv), loaded by `load_regions`. The table holds
provinces and prefecture-level cities only, so a county-level place is recognised by its
suffix (区/县/市/旗) where a text spells it out, and its prefecture is not guessed here:
河北省高阳县 gives province 河北, city None, district 高阳县. The corpus then completes city and
district from the divisions table (`index.corpus.divisions.fill_places`: 保定市).

Municipalities (北京, 天津, 上海, 重庆) are their own city: 北京市丰台区 gives 北京/北京市/丰台区,
so that a city facet holds every cluster of 北京 whatever its district.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..dictionaries import data_path
from ..text import clean_cell, strip_place_suffix

REGIONS_PATH = data_path("regions.tsv")

# A county-level place written out with its suffix: 新北区, 慈溪市, 高阳县, 东区, 滨海新区.
_DISTRICT_RE = re.compile(r"^([\u4e00-\u9fff]{1,4}?(?:市区|[区县市旗]))")
# Words ending in 区 that are zones, not districts (开发区, 高新区, 工业园区, 大别山区 …).
_NOT_DISTRICT_WORDS = {"城市", "都市", "市区", "地区", "社区", "县区", "县市", "城区", "山区", "园区"}
_NOT_DISTRICT = ("开发区", "高新区", "经开区", "园区", "示范区", "试验区", "保税区", "新区")
# 房山区, 钢城区 are districts; 大别山区, 丘陵山区 are landscapes: a long X山区/X城区 is not read.
_LANDSCAPE = ("山区", "城区")


class City(NamedTuple):
    full: str  # 常州市, 恩施土家族苗族自治州
    forms: tuple[str, ...]  # every spelling, longest first: 恩施土家族苗族自治州, 恩施州, 恩施


class Province(NamedTuple):
    short: str  # 江苏, 内蒙古
    full: str  # 江苏省, 内蒙古自治区
    cities: tuple[City, ...]

    @property
    def is_municipality(self) -> bool:
        return len(self.cities) == 1 and self.cities[0].full == self.full


class Place(NamedTuple):
    province: str | None = None
    city: str | None = None
    district: str | None = None


class Regions(NamedTuple):
    provinces: tuple[Province, ...]

    def province(self, text: str) -> Province | None:
        """The province whose short or full name is exactly `text`."""
        text = clean_cell(text)
        return next((p for p in self.provinces if text in (p.short, p.full)), None)

    def city(self, text: str, province: Province | None = None) -> tuple[Province, City] | None:
        """The city spelled exactly `text` (in `province` when given)."""
        text = clean_cell(text)
        for p in [province] if province else self.provinces:
            for c in p.cities:
                if text in c.forms:
                    return p, c
        return None


def _city_forms(spec: str) -> City:
    full, *aliases = spec.split("|")
    derived = strip_place_suffix(full) if re.search(r"(市|地区|盟)$", full) else full
    forms = [full, *aliases] + ([derived] if derived != full and len(derived) >= 2 else [])
    return City(full, tuple(sorted(dict.fromkeys(forms), key=len, reverse=True)))


def read_regions(lines) -> Regions:
    """Parse regions.tsv lines (see the header of that file)."""
    provinces = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        short, full, cities = (line.rstrip("\r\n").split("\t") + [""])[:3]
        provinces.append(Province(short, full, tuple(_city_forms(c) for c in cities.split(",") if c)))
    return Regions(tuple(provinces))


@lru_cache(maxsize=4)
def load_regions(path: Path = REGIONS_PATH) -> Regions:
    """The bundled region table (read once, on first use; never at import)."""
    with open(path, encoding="utf-8") as fp:
        return read_regions(fp)


def _strip_province(text: str, regions: Regions) -> tuple[Province | None, str]:
    for p in regions.provinces:
        for form in (p.full, p.short):
            if text.startswith(form):
                return p, text[len(form):]
    return None, text


def _strip_city(text: str, regions: Regions, province: Province | None) -> tuple[Province | None, City | None, str, str]:
    for p in [province] if province else regions.provinces:
        for c in p.cities:
            for form in c.forms:
                if text.startswith(form):
                    return p, c, form, text[len(form):]
    return province, None, "", text


def strip_district(text: str, after_city: bool = False) -> tuple[str | None, str]:
    """A county-level place written out at the start of `text`, and the rest.

    A 新区 counts as a district only right after a city written in full (上海市浦东新区,
    天津市滨海新区): elsewhere it is a development zone (中山翠亨新区).
    """
    m = _DISTRICT_RE.match(text)
    if not m or len(text) == len(m.group(1)):
        return None, text
    place = m.group(1)
    if place in _NOT_DISTRICT_WORDS or (place.endswith(_LANDSCAPE) and len(place) > 3):
        return None, text
    if place.endswith(_NOT_DISTRICT) and not (after_city and place.endswith("新区") and len(place) > 3):
        return None, text
    return place, text[m.end():]


def parse_place(text: str, regions: Regions, province: str | None = None, district_at_start: bool = True) -> Place:
    """Province/city/district written at the start of `text` (a name, a builder, a region cell).

    `province` (a short or full name) restricts the city lookup; a province prefix in the text
    wins only when no province is given. With `district_at_start` False, a district is read
    only after a written city or province (a national-list name such as 江宁智能电网… starts
    with a place the table cannot check, so it is left alone).
    """
    text = clean_cell(text).replace(",", "")
    given = regions.province(province) if province else None
    found, rest = _strip_province(text, regions)
    prov = given or found
    if found and given and found is not given:
        found, rest = None, text
    # A city spelled like its province (吉林高新区, 北京市丰台区) reads as the city.
    whole = _strip_city(text, regions, prov)
    if whole[1] is not None and len(whole[2]) >= len(text) - len(rest):
        rest = text
    prov, city, form, rest = _strip_city(rest, regions, prov)
    if city is None and prov is not None and prov.is_municipality:
        city = prov.cities[0]
        form = prov.full if found is prov and text.startswith(prov.full) else ""
    district = None
    if city is not None or found is not None or district_at_start:
        district, _ = strip_district(rest, after_city=form.endswith("市"))
    return Place(prov.short if prov else None, city.full if city else None, district)
