"""Look-alike characters (issue 7, category 7): text retyped from a scan or a photo.

index/data/lookalikes.tsv (make_lookalikes.py, from char-similar's glyph tables) gives each
character the characters of nearly the same shape; a hanzi word that occurs nowhere as typed is
also read through them, as a typo ranked below homophones. Expected clusters are read from the
record names (the word with the right character).
"""

from __future__ import annotations

import pytest

from conftest import names
from index.dictionaries import load_lookalikes


@pytest.fixture(scope="module")
def table():
    return load_lookalikes()


@pytest.mark.parametrize("a, b", [
    ("己", "已"), ("已", "巳"), ("未", "末"), ("戊", "戌"), ("戍", "戌"), ("日", "曰"), ("贝", "见"),
    ("候", "侯"), ("木", "本"), ("夭", "天"), ("全", "金"), ("川", "州"), ("亲", "新"), ("入", "人"),
])
def test_the_classic_pairs_are_in_the_table_both_ways(table, a, b):
    assert b in table[a] and a in table[b]


@pytest.mark.parametrize("query, word", [
    ("夭津", "天津"),  # 夭 is a level-2 character of GB 2312
    ("木溪", "本溪"),
    ("机器入", "机器人"),
    ("汽东零部件", "汽车零部件"),
    ("右墨烯", "石墨烯"),
    ("永康五全", "永康五金"),
    ("装备制遣", "装备制造"),
    ("亲能源", "新能源"),
    ("鸟海", "乌海"),
])
def test_a_misread_character_finds_the_word(full, query, word):
    hits = full.search(query, limit=None)
    assert hits and word in hits[0].name
    channels = {str(sp.channel) for h in hits[0].highlights for sp in h.spans}
    assert "lookalike" in channels  # highlighted as such (the page shows it as a typo)


def test_exact_hanzi_outranks_a_look_alike(full):
    # 天津 as typed: every hit holds 天津 itself, none comes through 夭/天 look-alikes
    assert all("天津" in h.name or "天津" in (h.city or "") for h in full.search("天津", limit=None))
    # 机器人 occurs as typed: it is never read as 机器入 or 机器八
    assert all("机器人" in h.name or "智能装备" in h.name for h in full.search("机器人", limit=None))


def test_a_homophone_ranks_above_a_look_alike(full):
    # 杭川: 汉川 (杭 hang ~ 汉 han, an accent confusion) before 杭州 (川 looks like 州)
    top = names(full.search("杭川", limit=None))
    assert top[0] in ("汉川市食品产业集群", "孝感市(高新区、汉川)纺织服装产业集群")
    assert any("杭州" in n for n in top)


def test_a_known_word_gets_no_look_alikes(full):
    # 车联网 is a word of the thesaurus (→ 智能网联汽车): not a misread 互联网
    assert all("智能网联" in h.name for h in full.search("车联网", limit=None))
