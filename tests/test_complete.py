"""Type-ahead: `Searcher.complete` and `clsearch complete`, from hanzi, pinyin, initials or a mix."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from search import Completion, InvalidValueError
from search.complete import Completer


def texts(found):
    return [c.text for c in found]


@pytest.mark.parametrize("prefix", ["常", "chang", "cz", "常zh", "Chang Zhou", "CHANG"])
def test_every_way_of_typing_changzhou_suggests_it_first(full, prefix):
    assert full.complete(prefix)[0] == Completion("常州", "place", 4, None)


def test_suggestions_are_places_words_and_names_with_their_counts(full):
    assert full.complete("常zh") == [
        Completion("常州", "place", 4),
        Completion("常州光伏创新型产业集群", "name", 1, "most-7cf405a4"),
        Completion("常州轨道交通牵引动力与关键核心部件产业集群", "name", 1, "most-636a313a"),
    ]
    assert full.complete("jqr") == [Completion("机器人", "word", 6)]


def test_a_count_is_what_a_search_for_the_suggestion_finds(full):
    found = [c for p in ("锂", "jqr", "常州", "c", "s", "x", "zh", "h") for c in full.complete(p, limit=40)]
    assert len(found) > 150
    for c in found:
        if c.kind != "name":
            assert full.results(c.text).total == c.count, c.text


def test_traditional_characters_and_limit(full):
    assert texts(full.complete("鋰")) == ["锂电"]
    assert len(full.complete("x", limit=3)) == 3


def test_whole_syllables_come_before_a_syllable_cut_short():
    # "li" is the whole first syllable of 锂电 (li dian), only the start of 零部件 (ling …)
    c = Completer([["零部件", "ling bu jian", "word", 22, None], ["锂电", "li dian", "word", 3, None]])
    assert texts(c.complete("li")) == ["锂电", "零部件"]
    assert texts(c.complete("lin")) == ["零部件"]
    assert texts(c.complete("ld")) == ["锂电"]


@pytest.mark.parametrize("prefix, limit", [("常", 0), ("常", 1001), (None, 5), ("常", "5")])
def test_bad_arguments_are_errors(full, prefix, limit):
    with pytest.raises(InvalidValueError):
        full.complete(prefix, limit)


def test_nothing_to_suggest(full):
    assert full.complete("") == [] and full.complete("qqqq") == []


def test_the_cli_prints_one_suggestion_a_line():
    r = CliRunner().invoke(main, ["complete", "常zh", "-n", "2"])
    assert r.exit_code == 0
    assert r.output == "常州\t4\tplace\n常州光伏创新型产业集群\t1\tname\tmost-7cf405a4\n"
    data = json.loads(CliRunner().invoke(main, ["complete", "jqr", "--json"]).output)
    assert data == [{"text": "机器人", "kind": "word", "count": 6, "id": None}]
    none = CliRunner().invoke(main, ["complete", "qqqq"])
    assert none.exit_code == 1 and none.output == ""


@pytest.mark.parametrize("scan", [5000, 40])
def test_whole_syllables_first_looks_only_at_the_best_entries_but_answers_as_ranking_all(monkeypatch, scan):
    # Many entries, most starting a syllable cut short (xian..., xiang...) and outranking the
    # few where the letters are whole syllables or initials: the answer must be the same as
    # ordering every candidate by (not whole, rank).
    import heapq
    import random

    from search import complete as cm

    monkeypatch.setattr(cm, "_SCAN", scan)  # 40: runs are cut, and each candidate is asked
    rng = random.Random(7)
    syllables = ["xi", "xian", "xiang", "xin", "an", "shan", "sha", "zhou", "zhong", "li", "ling", "lian"]
    entries = []
    for n in range(600):
        syls = [rng.choice(syllables) for _ in range(rng.randint(1, 3))]
        entries.append([f"e{n}", " ".join(syls), rng.choice(["place", "word", "name"]), rng.randint(1, 40),
                        None if n % 3 else f"id{n}"])
    c = Completer(entries)
    for letters in ("x", "xi", "xia", "xian", "xin", "s", "sh", "sha", "xs", "xz", "l", "li", "lin", "z", "zh"):
        for limit in (1, 3, 6, 50):
            found = set(c._range(c._by_pinyin, letters)) | set(c._range(c._by_initials, letters))
            rank = c._rank
            ref = heapq.nsmallest(limit, found, key=lambda i: (not c._whole(i, letters),) + rank[i])
            assert c.complete(letters, limit) == [c.entries[i] for i in ref], (letters, limit)


def test_counts_after_a_change_equal_counts_from_scratch():
    """An incremental table's counts (previous counts + the changed records) are a full count's:
    items found by themselves, by a synonym and by their short form (常州市 → 常州)."""
    from index.completion import Previous, _counts

    before = [["常州市光伏产业集群", "常州"], ["无锡物联网集群"], ["苏州纳米集群", "苏州工业园区"]]
    after = [before[0], ["常州锂电池集群"], ["苏州纳米集群", "苏州工业园区"], ["IoT 无锡"]]
    items = ["常州市", "常州", "物联网", "锂电", "苏州", "园区", "集群", "工业园区", "苏州市", "无锡物联网集群"]
    synonyms = {"物联网": ["iot", "IoT"], "锂电": ["锂电池"]}
    full = _counts(items, after, synonyms)
    assert full == {"常州市": 2, "常州": 2, "物联网": 1, "锂电": 1, "苏州": 1, "园区": 1, "集群": 3,
                    "工业园区": 1, "苏州市": 1, "无锡物联网集群": 0}
    previous = Previous(_counts(items, before, synonyms), gone=[before[1]], fresh=[1, 3])
    assert _counts(items, after, synonyms, previous) == full


def _fake_read(text):
    return [(c.lower(),) for c in text]


def _fake_cut(text):
    return [text[i:i + 2] for i in range(0, len(text), 2)]


def _whole(docs, places, synonyms):
    """A table made whole: its bytes as written, the counts it leaves out, each word's records."""
    from index.completion import completion_table

    counted, held = {}, {}
    table = completion_table(docs, _fake_read, _fake_cut, places=places, synonyms=synonyms, counted=counted,
                             words_held=held)
    shown = {e[0] for e in table["entries"]}
    raw = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return raw, {k: v for k, v in counted.items() if k not in shown}, held


def test_an_updated_table_is_the_table_made_whole():
    """`update_table` from a previous table's bytes and the changed records writes the bytes a
    whole table of the records now does: names removed, renamed, moved to another first record,
    added in the middle; counts by synonym and short form; a name that JSON escapes; a short
    form that stops or starts hiding its long form."""
    from index.completion import update_table

    synonyms = {"物联网": ["iot", "IoT"]}
    before = [("a", [("name", "常州市光伏集群"), ("place", "常州 常州市")]),
              ("b", [("name", "无锡物联网集群"), ("alias", "IoT 无锡")]),
              ("c", [("name", '苏州"纳米\\集群'), ("builder", "苏州工业园区")]),
              ("d", [("name", "无锡物联网集群"), ("place", "无锡市")]),
              ("e", [("name", "常州光伏"), ("place", "常州市")])]
    after = [("a", [("name", "常州市光伏集群"), ("place", "常州 常州市")]),
             ("n", [("name", "无锡光伏集群"), ("place", "无锡市 无锡")]),  # new, in the middle
             ("c", [("name", '苏州"纳米\\集群'), ("builder", "苏州工业园区"), ("alias", "常州光伏")]),
             ("d", [("name", "无锡物联网集群"), ("place", "无锡市")]),  # now the first 无锡物联网集群
             ("e", [("name", "常州光伏产业"), ("place", "常州市")]),  # renamed
             ("m", [("name", "常州市"), ("place", "常州市 常州")])]
    places = ["常州市", "无锡市", "常州", "无锡"]
    old, left_out, held = _whole(before, places, synonyms)
    want, want_left, want_held = _whole(after, places, synonyms)
    gone_ids, fresh_ids = {"b", "c", "e"}, {"n", "c", "e", "m"}  # c: an alias more
    names: dict[str, str] = {}
    for rid, fields in after:
        names.setdefault(fields[0][1], rid)
    left_now: dict[str, int] = {}
    got = update_table(old, names, want_held, _fake_read, places=places, synonyms=synonyms,
                       fresh=[[t for _, t in f] for rid, f in after if rid in fresh_ids],
                       gone=[[t for _, t in f] for rid, f in before if rid in gone_ids],
                       left_out=left_out, texts=[[t for _, t in f] for _, f in after], left_now=left_now)
    assert got == want
    assert left_now == want_left
    assert update_table(b'{"entries":[["a],[b","a","name",1,"x"]]}', {}, {}, _fake_read, fresh=[], gone=[],
                        left_out={}, texts=[]) is None  # a text holding "],[": made whole instead
