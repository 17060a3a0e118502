"""The analysis module: normalisation, pinyin pieces, fuzzy keys, segmentation, readings.

One module serves both sides; these tests pin its exact outputs.
"""

from __future__ import annotations

import pytest

from index.analysis import (fold, fuzzy_key, latin_typo_budget, parse_latin, segment,
                            split_scripts)
from index.distance import damerau


def spelled(parses):
    return [" ".join(f"{p.kind[0]}:{p.text}" for p in parse) for parse in parses]


@pytest.mark.parametrize("raw, folded", [
    ("Xīn Yú", "xin yu"), ("xin1yu2", "xin yu"), ("LǙ", "lv"), ("ＸＩＮＹＵ", "xinyu"),
    ("  锂电\t产业 ", "锂电 产业"),
])
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize("letters, parses", [
    ("xinyu", ["f:xin f:yu"]),
    ("xian", ["f:xian", "f:xi f:an", "p:xian", "f:xi p:an", "f:xia i:n"]),  # p:xian → xiang
    ("jqr", ["i:j i:q i:r"]),
    ("xiny", ["f:xin i:y", "f:xi i:n i:y"]),
    ("changxing", ["f:chang f:xing", "f:chang f:xin i:g"]),
    ("taoc", ["f:tao i:c"]),
    ("qwzxv", []),
])
def test_parse_latin_keeps_every_valid_split_best_first(letters, parses):
    assert spelled(parse_latin(letters))[: len(parses) or None] == parses


def test_a_space_is_a_syllable_break():
    assert spelled(parse_latin("xian", breaks=frozenset({2}))) == ["f:xi f:an", "f:xi p:an", "f:xi f:a i:n"]


def test_only_the_last_piece_may_be_unfinished():
    assert spelled(parse_latin("zhon"))[0] == "p:zhon"
    inside = spelled(parse_latin("zhon", prefix_at_end=False))
    assert inside[0] == "i:zh f:o i:n" and not any("p:" in s for s in inside)


@pytest.mark.parametrize("a, b", [("xing", "xin"), ("zhen", "zen"), ("ni", "li"), ("fu", "hu"),
                                  ("ri", "li"), ("chang", "can"), ("shi", "si"), ("jiang", "jian"),
                                  ("huang", "fuan"), ("meng", "men")])
def test_fuzzy_keys_fold_accent_confusions(a, b):
    assert fuzzy_key(a) == fuzzy_key(b)


@pytest.mark.parametrize("a, b", [("xin", "xun"), ("long", "lon"), ("an", "en"), ("zhou", "zou2")])
def test_fuzzy_keys_keep_real_differences(a, b):
    assert fuzzy_key(a) != fuzzy_key(b)


def test_segment_uses_the_index_vocabulary_fewest_words():
    vocab = {"江苏", "机器人", "机器", "产业集群", "有哪些"}
    assert segment("江苏的机器人产业集群有哪些", vocab) == ["江苏", "的", "机器人", "产业集群", "有哪些"]
    assert segment("区块链火星", set()) == ["区", "块", "链", "火", "星"]


def test_split_scripts_treats_syntax_as_separators():
    assert split_scripts('锂电"and"(x)') == [("han", "锂电"), ("sep", '"'), ("latin", "and"), ("sep", '"'),
                                             ("sep", "("), ("latin", "x"), ("sep", ")")]
    assert [r for r in split_scripts("新yu*") if r[0] != "sep"] == [("han", "新"), ("latin", "yu")]


@pytest.mark.parametrize("a, b, d", [("lidain", "lidian", 1), ("jiqirne", "jiqiren", 1), ("shimoxii", "shimoxi", 1),
                                     ("taoic", "taoci", 1), ("lidn", "lidian", 2), ("abc", "xyz", 3)])
def test_damerau_counts_a_swap_as_one_edit(a, b, d):
    assert damerau(a, b) == d


def test_typo_budget_by_length():
    assert [latin_typo_budget(n) for n in (3, 4, 5, 8, 9, 12)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("word, reading", [
    ("重庆", "chong qing"), ("长沙", "chang sha"), ("厦门", "xia men"), ("蚌埠", "beng bu"),
    ("六安", "lu an"), ("乐清", "yue qing"), ("丽水", "li shui"), ("长治", "chang zhi"),
    ("单县", "shan xian"), ("朝阳", "chao yang"), ("闵行", "min hang"), ("中藏药", "zhong zang yao"),
])
def test_place_names_read_correctly_at_index_time(word, reading):
    from index.readings import Reader

    assert " ".join(r[0] for r in Reader().read(word)) == reading


def test_the_other_reading_of_a_polyphone_is_kept_after_the_right_one():
    from index.readings import Reader

    chang = Reader().read("长沙")[0]
    assert chang[0] == "chang" and "zhang" in chang[1:]
