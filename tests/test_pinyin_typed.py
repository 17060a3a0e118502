"""Pinyin as people type it (issue 7, categories 8 and 9), on the bundled corpus.

Runs spanning several words, a typo in each of two words, synonyms through pinyin, and short
pinyin that is a whole word. Expected clusters are read from the record names.
"""

from __future__ import annotations

import pytest

from conftest import names

LITHIUM = {"西宁经开区锂电产业集群", "枣庄锂电创新型产业集群", "重庆市忠县锂电新材料产业集群"}


@pytest.mark.parametrize("query, first", [
    # a run over place + industry, with or without spaces
    ("tianjinyiliao", "天津泰达高端医疗器械产业集群"),
    ("tian jin yi liao", "天津泰达高端医疗器械产业集群"),
    ("zhuzhouguidaojiaotong", "株洲轨道交通装备制造创新型产业集群"),
    ("baojitai", "宝鸡高新区钛产业集群"),  # 宝鸡 + the one-character word 钛
    # one typo in each of two words
    ("xiamne haiynag", "厦门海洋与生命科学产业集群"),
    ("qingdoa jiqirne", "青岛机器人产业集群"),
    ("suzhuo yiliaoqxie", "苏州高新区医疗器械创新型产业集群"),
    # a word, then a mistyped word, in one run
    ("xiningliidian", "西宁经开区锂电产业集群"),
    ("zhuzhougudaojiaotong", "株洲轨道交通装备制造创新型产业集群"),
])
def test_pinyin_runs_and_typos(full, query, first):
    assert names(full.search(query))[0] == first


def test_synonyms_apply_to_pinyin(full):
    assert set(names(full.search("锂电池", limit=None))) == LITHIUM
    # what 锂电池 finds, first; 力电池 of 动力电池 is read the same, but is not the word typed
    pinyin = full.search("lidianchi", limit=None)
    assert set(names(pinyin[:3])) == LITHIUM and pinyin[2].score > pinyin[3].score
    assert all("动力电池" in h.name for h in pinyin[3:])
    fibre = full.search("huaxuexianwei", limit=None)
    assert len(fibre) == 6 and all("化纤" in h.name for h in fibre)


@pytest.mark.parametrize("query, first", [
    ("xian", "西安泛在网络技术创新型产业集群"),
    ("Xian", "西安泛在网络技术创新型产业集群"),
    ("xi an", "西安泛在网络技术创新型产业集群"),
    ("jian", "吉安数字视听创新型产业集群"),
])
def test_a_whole_word_beats_a_character_of_another(full, query, first):
    hits = full.search(query, limit=3)
    assert hits[0].name == first
    # 线 of 线带, 仙 of 仙居 still match, below the word, as typos
    assert hits[0].score > hits[1].score


def test_type_ahead_still_reads_the_start_of_a_word(full):
    assert set(names(full.search("jiqi", limit=4))) == {
        "青岛机器人产业集群", "东莞机器人智能装备创新型产业集群", "武进机器人及智能装备创新型产业集群",
        "广东省佛山市顺德区机器人制造产业集群"}
