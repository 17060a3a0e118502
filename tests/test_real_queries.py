"""Queries as people really type them (issue 7), on the bundled corpus: filler words, pasted
noise, nicknames, English, and partial results honestly flagged.

Each relevance case names the query and the cluster that must rank first; each partial case
says exactly what was dropped and what every hit matched.
"""

from __future__ import annotations

import pytest

from conftest import names


@pytest.mark.parametrize("query, first", [
    # 1. filler and descriptions: the wish words are not constraints
    ("做锂电的地方在哪", "西宁经开区锂电产业集群"),
    ("哪些城市生产陶瓷", None),
    ("石墨烯企业多的地方", "七台河石墨烯产业集群"),
    ("全国模具产业分布", None),
    ("我们市的医疗器械", None),
    # 2. pasted noise
    ("3、常州光伏创新型产业集群", "常州光伏创新型产业集群"),
    ("第12项 嵊州领带产业集群", "嵊州领带产业群"),
    ("12 泰州生物医药产业集群", "泰州生物医药创新型产业集群"),
    ("2021年新余动力电池创新型产业集群", "新余动力电池创新型产业集群"),
    ("浙江\t杭州数字安防产业集群\t杭州高新区管委会\t试点", "杭州数字安防创新型产业集群"),
    ("福建 | 厦门海洋与生命科学产业集群 | 厦门高新区管委会 | （培育）", "厦门海洋与生命科学产业集群"),
    ("附件3 创新型产业集群名单 株洲轨道交通装备制造", "株洲轨道交通装备制造创新型产业集群"),
    ("序号8 滨州高端铝材产业集群 滨州高新区管委会", "滨州高端铝材产业集群"),
    # 4. nicknames and "capital of X" frames
    ("中国光谷", "武汉东湖高新区国家地球空间信息及应用服务创新型产业集群"),
    ("中国电谷", "保定新能源与智能电网装备创新型产业集群"),
    ("亚洲锂都", "新余动力电池创新型产业集群"),
    ("中国袜业之乡", "大唐袜业产业群"),
    ("羊城 生物医药", "广州个体化医疗与生物医药产业集群"),
    ("世界陶瓷之都 德化", "福建省德化县白瓷产业集群"),
    ("中国五金之都", "永康五金产业群"),
    ("中国蜜蜂之乡", "江山蜜蜂产业集群"),
    # 6. English
    ("EV batteries", "新余动力电池创新型产业集群"),
    ("Suzhou medical devices", "苏州高新区医疗器械创新型产业集群"),
    ("Changzhou photovoltaics", "常州光伏创新型产业集群"),
    ("graphene", "七台河石墨烯产业集群"),
])
def test_real_query_finds_the_cluster(full, query, first):
    hits = full.search(query)
    assert hits, query
    if first is not None:
        assert hits[0].name == first


@pytest.mark.parametrize("query, word", [
    ("做锂电的地方在哪", "锂电"), ("哪些城市生产陶瓷", "陶瓷"), ("有没有袜业相关的园区", "袜业"),
    ("全国模具产业分布", "模具"), ("中国打火机之都", "打火机"), ("pharmaceuticals", "药"),
    ("optoelectronics", "光电"), ("robotics", "机器人"), ("rail transit", "轨道交通"),
])
def test_every_hit_has_the_industry_word(full, query, word):
    res = full.results(query, None)
    assert res.total >= 1
    assert all(word in h.name for h in res.hits), names(res.hits)


def test_a_generic_word_only_adds_rank(full):
    assert names(full.search("机器人基地", None)) == names(full.search("机器人", None))
    assert full.results("机器人基地").partial is False


def test_english_words_are_never_read_as_pinyin(full):
    res = full.results("optoelectronics", None)
    assert res.terms == ("optoelectronics",)
    assert all(set(m.channels) == {"exact"} and m.synonym and "→" in m.reading
               for h in res.hits for m in h.explain.matches)


def test_an_english_or_nickname_match_ranks_below_the_exact_hanzi(full):
    # Matched through a table, a term counts as a synonym (ranking rule 3): for the same
    # clusters, the hanzi typed as such ranks above it.
    english, hanzi = full.search("photovoltaics", None), full.search("光伏", None)
    assert names(english) == names(hanzi)
    assert all(h.explain.rules.synonyms == 1 for h in english)
    assert all(h.explain.rules.synonyms == 0 for h in hanzi)
    assert full.search("羊城 生物医药")[0].explain.rules.synonyms == 1
    assert full.search("广州 生物医药")[0].explain.rules.synonyms == 0


def test_understood_filters_are_applied_and_shown(full):
    res = full.results("２０２３年度中小企业特色产业集群 浙江省新昌县滚动轴承产业集群")
    assert names(res.hits) == ["浙江省新昌县滚动轴承产业集群"]
    assert res.filters == {"year": ("2023",), "program": ("中小企业特色产业集群",)}
    assert res.partial is False and res.dropped == ()
    assert res.understood is not None and res.understood.text == "浙江省新昌县滚动轴承产业集群"


# -- partial results: both sides of the rule ------------------------------------------------

def test_an_unknown_word_is_dropped_and_the_result_flagged(full):
    res = full.results("锂电 qwzxv", None)
    assert names(res.hits) == names(full.search("锂电", None))
    assert (res.partial, res.dropped, res.terms) == (True, ("qwzxv",), ("锂电", "qwzxv"))
    assert all(h.matched == ("锂电",) for h in res.hits)


def test_a_number_that_matches_nothing_is_dropped(full):
    res = full.results("锂电 77", None)
    assert (res.total, res.dropped, res.partial) == (3, ("77",), True)


def test_an_understood_filter_that_empties_the_result_is_dropped(full):
    res = full.results("试点类 袜业", None)
    assert names(res.hits) == names(full.search("袜业", None))
    assert (res.partial, res.dropped, res.filters) == (True, ("type=试点",), {})


def test_several_words_no_cluster_has_together_are_flagged(full):
    res = full.results("锂电 光伏", None)
    assert res.partial is True and res.dropped == ()
    assert {h.matched for h in res.hits} == {("锂电",), ("光伏",)}


def test_an_english_industry_matches_names_not_builders(full):
    # 宁波高新区工业互联网创新型产业集群 is built by 宁波高新区(新材料科技城)管委会: a zone's name,
    # not what the cluster makes.
    assert full.results("new materials Ningbo").total == 0
    assert all("新材料" in h.name for h in full.search("new materials", None))


@pytest.mark.parametrize("query", ["奶茶火星", "石墨烯奶茶", "区块链火星", "拉萨 锂电", "西藏 光伏",
                                   "哈尔滨 珍珠", "qwzxv", "咖啡 青岛", "new materials Ningbo"])
def test_informative_words_that_match_nothing_still_find_nothing(full, query):
    res = full.results(query)
    assert (res.total, res.hits, res.partial, res.dropped) == (0, [], False, ())


def test_a_query_matching_everything_is_not_partial(full):
    res = full.results("常州 光伏")
    assert res.partial is False and res.dropped == ()
    assert res.hits[0].matched == ("常州", "光伏")


def test_an_english_acronym_glued_to_hanzi_is_a_word_of_its_own(full):
    assert names(full.search("IC设计")) == ["北京市海淀区集成电路设计产业集群"]
    assert full.results("IC设计").terms == ("ic", "设计")
    assert names(full.search("新yu")) == ["新余动力电池创新型产业集群"]  # pinyin stays with its hanzi
