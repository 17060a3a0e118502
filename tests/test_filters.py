"""Filters, browsing, facets and paging, through the API and the CLI.

On the small hand-made index (tests/conftest.py): 江苏 holds 5 clusters (3 in 常州市, one of
them in its district 武进区), 浙江 2, and 6 clusters are 试点.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from search import FilterValueError, InvalidValueError, QueryError
from conftest import names

JIANGSU = ["常州光伏创新型产业集群", "常州轨道交通牵引动力与关键核心部件产业集群",
           "武进机器人及智能装备创新型产业集群", "苏州高新区医疗器械创新型产业集群",
           "江苏省无锡市锡山区电动车及零部件产业集群"]


@pytest.fixture()
def run(small_index):
    def invoke(*args):
        return CliRunner().invoke(main, [*args, "--index", str(small_index)], catch_exceptions=False)
    return invoke


# -- browsing: filters and no query -------------------------------------------------------------
def test_browsing_lists_every_match_by_city_then_name_in_pinyin_order(small):
    res = small.results("", province="江苏")
    # 常州 changzhou (own clusters, then the district 武进), 苏州 suzhou, 无锡 wuxi
    assert names(res.hits) == JIANGSU
    assert res.total == 5 and res.filters == {"province": ("江苏",)}
    assert all(h.score == 0.0 for h in res.hits)


def test_browsing_in_the_cli(run):
    r = run("--province", "江苏", "--type", "试点", "--json")
    assert [h["name"] for h in json.loads(r.output)["hits"]] == [
        "常州光伏创新型产业集群", "武进机器人及智能装备创新型产业集群", "苏州高新区医疗器械创新型产业集群"]


def test_an_empty_query_without_filters_is_still_an_error(small):
    with pytest.raises(QueryError):
        small.results("")


# -- values: several, and in any spelling ---------------------------------------------------------
def test_several_values_of_one_filter_mean_any_of_them(small):
    res = small.results("", limit=None, province=["江苏", "浙江"])
    assert res.total == 7
    assert set(names(res.hits)) == set(JIANGSU) | {"乐清电气产业集群", "淳安乾潭特色产业集群"}


@pytest.mark.parametrize("value", ["江苏", "江苏省", "Jiangsu", "JIANGSU", "jiang su", "江蘇", "江蘇省"])
def test_a_province_is_understood_in_pinyin_english_full_and_traditional_form(small, value):
    assert names(small.search("", province=value)) == JIANGSU


@pytest.mark.parametrize("field, value, stored", [
    ("type", "pilot", "试点"), ("type", "Cultivation", "培育"), ("type", "shidian", "试点"),
    ("city", "changzhou", "常州市"), ("city", "常州", "常州市"), ("district", "武进", "武进区"),
    ("program", "中小企业", "中小企业特色产业集群"), ("program", "SME", "中小企业特色产业集群"),
    ("year", 2021, "2021"), ("year", "2021年", "2021"),
])
def test_other_filter_values_are_resolved_to_what_the_index_holds(small, field, value, stored):
    assert small.results("", **{field: value}).filters == {field: (stored,)}


def test_a_city_includes_its_districts(small):
    assert names(small.search("", city="常州")) == JIANGSU[:3]  # 武进区 is in 常州市


def test_filters_combine_with_a_query(small):
    assert names(small.search("机器人", province="Jiangsu", type="pilot")) == ["武进机器人及智能装备创新型产业集群"]


@pytest.mark.parametrize("kwargs, message", [
    ({"province": "Jiangsuu"}, 'unknown province "Jiangsuu"; nearest: 江苏 (Jiangsu)'),
    ({"type": "pilots"}, 'unknown type "pilots"; nearest: 试点 (pilot); valid: 培育, 试点'),
    ({"province": "常州"}, 'unknown province "常州"; 常州市 is a city (--city)'),
    ({"year": 1999}, 'unknown year "1999"; valid: 2021'),
])
def test_an_unknown_value_is_an_error_naming_the_nearest_or_valid_ones(small, kwargs, message):
    with pytest.raises(FilterValueError) as err:
        small.search("锂电", **kwargs)
    assert str(err.value).startswith(message)
    assert err.value.field == next(iter(kwargs))


def test_an_unknown_filter_name_is_an_error(small):
    with pytest.raises(InvalidValueError, match="unknown filter 'color'"):
        small.search("锂电", color="red")


def test_an_unknown_value_in_the_cli_is_one_line_exit_2(run):
    r = run("锂电", "--province", "Jiangsuu")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith('clsearch: error: unknown province "Jiangsuu"; nearest: 江苏 (Jiangsu)')
    assert len(r.stderr.splitlines()) == 1


# -- a place in the query narrows like a filter -----------------------------------------------------
def test_a_place_in_the_query_narrows_the_total(small):
    assert small.results("机器人").total == 2  # 武进 (江苏) and 青岛 (山东)
    res = small.results("江苏 机器人")
    assert names(res.hits) == ["武进机器人及智能装备创新型产业集群"] and res.total == 1


# -- facets -----------------------------------------------------------------------------------------------
def test_facets_count_the_whole_hit_set_not_the_page(small):
    res = small.results("产业集群 常州", limit=1, facets=True)
    assert len(res.hits) == 1 and res.total == 3
    assert res.facets["city"] == {"常州市": 3}
    assert res.facets["type"] == {"试点": 2, "培育": 1}


def test_facets_of_a_browse_and_of_a_record_without_a_value(small):
    f = small.results("", province=["江苏", "浙江"], facets=True).facets
    assert f["province"] == {"江苏": 5, "浙江": 2}
    assert f["type"] == {"试点": 3, "(none)": 3, "培育": 1}
    assert f["program"] == {"创新型产业集群": 4, "浙江省产业集群": 2, "中小企业特色产业集群": 1}
    assert set(f) == {"province", "city", "program", "list", "type", "year"}


def test_facets_in_the_cli_json(run):
    data = json.loads(run("", "--province", "江苏", "--facets", "--json", "-n", "1").output)
    assert data["total"] == 5 and len(data["hits"]) == 1
    assert data["facets"]["city"] == {"常州市": 3, "苏州市": 1, "无锡市": 1}
    assert data["facets"]["list"] == {"test": 5} and data["list_titles"] == {"test": "test list"}


def test_facets_in_the_cli_text_name_lists_by_title(run):
    lines = run("", "--province", "江苏", "--facets", "-n", "1").stdout.splitlines()
    assert lines[3:] == ["province: 江苏 5", "city: 常州市 3 · 无锡市 1 · 苏州市 1", "program: 创新型产业集群 4 · 中小企业特色产业集群 1",
                         "list: test list 5", "type: 试点 3 · 培育 1 · (none) 1", "year: 2021 5"]


# -- paging -------------------------------------------------------------------------------------------------
def test_pages_are_stable_with_no_hit_twice_and_none_lost(full):
    everything = full.results("区", limit=None)
    assert everything.total == len(everything.hits) > 200
    pages = [full.results("区", limit=25, offset=o) for o in range(0, everything.total, 25)]
    assert {p.total for p in pages} == {everything.total}
    ids = [h.id for p in pages for h in p.hits]
    assert ids == [h.id for h in everything.hits]
    assert len(set(ids)) == len(ids)


def test_an_offset_past_the_end_gives_no_hits_but_the_total(small):
    res = small.results("常州", offset=50)
    assert res.hits == [] and res.total == 3


@pytest.mark.parametrize("kwargs", [{"offset": -1}, {"limit": 0}, {"limit": 10**7}, {"limit": "5"}, {"offset": 1.5}])
def test_bad_limits_and_offsets_are_errors(small, kwargs):
    with pytest.raises(InvalidValueError):
        small.results("常州", **kwargs)


def test_page_and_offset_in_the_cli(run):
    first = json.loads(run("产业集群", "--json", "-n", "2").output)
    second = json.loads(run("产业集群", "--json", "-n", "2", "--page", "2").output)
    same = json.loads(run("产业集群", "--json", "-n", "2", "--offset", "2").output)
    assert second["offset"] == 2 and second["hits"] == same["hits"]
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize("args, named", [
    (["--offset", "-1"], "--offset"), (["--page", "0"], "--page"), (["--limit", "0"], "--limit"),
    (["--offset", "1", "--page", "2"], "--offset and --page cannot be combined"),
    (["--limit", "10000000"], "limit must be a whole number from 1 to 1,000,000"),
])
def test_bad_paging_in_the_cli_is_exit_2(run, args, named):
    r = run("常州", *args)
    assert r.exit_code == 2 and r.stdout == ""
    assert named in r.stderr.splitlines()[-1]


def test_the_limit_has_no_cap_for_machine_output(full, tmp_path):
    r = CliRunner().invoke(main, ["区", "--jsonl", "--limit", "5000"])
    assert r.exit_code == 0
    assert len(r.output.splitlines()) == full.results("区").total > 200
