"""Places at every level (issue 7, category 3): index/data/divisions.tsv gives each county its
prefecture, so a record naming a county gets its city, a query naming the prefecture finds the
county's clusters, and a prefecture holding no record is still a place, never a typo of another.

Expected values are read from the records (`clsearch export`) and the divisions table.
"""

from __future__ import annotations

import pytest

from index.corpus.divisions import (COMMON_WORDS, fill_places, load_divisions, locate, place_names,
                                    read_divisions, short_forms)
from index.records import Record

from conftest import names


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


def rec(name, province, city=None, district=None, builders=()):
    return Record(id="x", name=name, short_name=name, program="p", issuer="i", list_title="t",
                  province=province, city=city, district=district, builders=list(builders))


# ---- the table -------------------------------------------------------------------------------

def test_the_table_has_every_level(divisions):
    levels = [d.level for d in divisions.rows]
    assert (levels.count("province"), levels.count("prefecture"), levels.count("county")) == (34, 333, 2851)


def test_a_county_knows_its_prefecture_and_earlier_names(divisions):
    assert divisions.county("义乌市", "浙江").prefecture == "金华市"
    assert divisions.county("义乌", "浙江").name == "义乌市"
    laiwu = divisions.county("莱芜", "山东")  # a prefecture until 2019, now a district of 济南
    assert (laiwu.name, laiwu.prefecture, laiwu.earlier) == ("莱芜区", "济南市", ("莱芜市", "莱城区"))
    assert divisions.county("玉环县", "浙江").name == "玉环市"  # renamed 2017 (make_divisions.RENAMED)
    assert divisions.county("朝阳区", None) is None  # 北京 and 长春 both have one


@pytest.mark.parametrize("name, short", [
    ("恩施土家族苗族自治州", ["恩施"]), ("长阳土家族自治县", ["长阳"]), ("义乌市", ["义乌"]),
    ("景县", []), ("神农架林区", ["神农架"]), ("海西蒙古族藏族自治州", ["海西"]),
])
def test_short_forms(name, short):
    assert short_forms(name) == short


def test_place_names_cover_prefectures_without_records_but_not_common_words():
    known = place_names()
    assert {"拉萨", "拉萨市", "保定", "沧州", "景德镇", "资源县", "襄樊"} <= known
    assert "资源" in COMMON_WORDS and "资源" not in known and "新兴" not in known
    assert "景" not in known  # one character is never a place on its own


# ---- records ---------------------------------------------------------------------------------

def test_a_county_written_alone_gets_its_prefecture(divisions):
    assert locate(rec("义乌袜业产业集群", "浙江", "金华市"), divisions) == ("金华市", "义乌市")
    assert locate(rec("河北省高阳县毛巾纺织产业集群", "河北", None, "高阳县"), divisions, "河北省") == ("保定市", "高阳县")
    assert locate(rec("榆次液压产业集群", "山西", builders=["山西榆次工业园区管委会"]), divisions, "山西省") == (
        "晋中市", "榆次区")


def test_nothing_is_guessed(divisions):
    assert locate(rec("燕郊高新区电子产业集群", "河北"), divisions) == (None, None)  # a town
    # 江山 is in 衢州市, not in 宁波市: a city already known is never contradicted
    assert locate(rec("江山羽毛球产业集群", "浙江", "宁波市"), divisions) == ("宁波市", None)
    two = read_divisions(["1\tcounty\t东区\t甲\t一市\t", "2\tcounty\t东区\t甲\t二市\t"])
    assert locate(rec("东区化工产业集群", "甲", None, "东区"), two) == (None, "东区")


def test_fill_places_completes_the_records(corpus):
    records = {r.name: r for r in corpus.records}
    assert (records["常熟新能源汽车核心零部件创新型产业集群"].city,
            records["常熟新能源汽车核心零部件创新型产业集群"].district) == ("苏州市", "常熟市")
    assert [r.name for r in corpus.records if not r.city] == [
        "闽东中小电机产业集群", "杨凌示范区生物产业集群", "青藏高原特色生物资源与中藏药创新型产业集群",
        "燕郊高新区新型电子元器件及设备制造创新型产业集群"]
    assert fill_places(corpus.records) == corpus.records  # filled once, stable


# ---- queries ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query, first", [
    ("金华 袜业", "义乌袜业产业集群"),
    ("绍兴 领带", "嵊州领带产业群"),
    ("保定毛巾", "河北省高阳县毛巾纺织产业集群"),
    ("景德镇 陶瓷", "江西省浮梁县陶瓷产业集群"),
    ("九江 有机硅", "江西省永修县有机硅产业集群"),
    ("济宁 矿山装备", "山东省邹城市矿山装备产业集群"),
    ("慈溪 小家电", "宁波慈溪市智能小家电产业集群"),
])
def test_a_prefecture_finds_its_counties_clusters(full, query, first):
    assert names(full.search(query)) == [first]


def test_a_province_in_pinyin_narrows_like_one_in_hanzi(full):
    pinyin, hanzi = full.search("zhejiang fangzhi", limit=8), full.search("浙江 纺织", limit=8)
    assert sorted(names(pinyin)) == sorted(names(hanzi))
    assert all("纺织" in h.name and h.province == "浙江" for h in pinyin)


def test_a_prefecture_is_a_place_not_a_typo(full):
    # 沧州 holds no record of its own; it must not be read as a homophone of another city
    assert names(full.search("沧州铸造")) == ["河北省泊头市绿色铸造产业集群"]
    assert full.results("拉萨 锂电").total == 0  # a real place with no such cluster
    assert full.results("义乌 半导体").total == 0


def test_prefecture_and_county_filters_agree(full):
    in_jinhua = full.results(city="金华", limit=None)
    assert in_jinhua.total == 13
    assert {h.district for h in in_jinhua.hits} == {None, "东阳市", "兰溪市", "浦江县", "义乌市", "永康市"}
    yiwu = full.results(city="义乌", limit=None)  # a county-level city given as a city
    assert sorted(names(yiwu.hits)) == sorted(["义乌袜业产业集群", "义乌无缝针织服装产业集群",
                                              "义乌线带产业集群", "义乌小商品产业群"])
    assert names(full.search("袜业", city="金华")) == ["义乌袜业产业集群"]
