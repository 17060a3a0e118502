"""The public Python API: `Searcher` and `Hit`, as other tools embed them."""

from __future__ import annotations

import json
import threading

import pytest

from conftest import names
from search import ClsearchError, Hit, QueryError, Searcher, SearcherClosedError

HIT_KEYS = {"id", "name", "score", "aliases", "province", "city", "district", "builder", "type", "program",
            "year", "lists", "list_titles", "highlights", "matched"}


def test_search_returns_hits_best_first(small):
    hits = small.search("锂电", limit=10)
    assert names(hits) == ["西宁经开区锂电产业集群"]
    assert all(isinstance(h, Hit) for h in hits)


def test_hit_fields_are_plain_values(small):
    (h,) = small.search("石墨烯")
    assert (h.id, h.name, h.province, h.city, h.builder, h.type, h.program, h.lists) == (
        "t-02", "七台河石墨烯产业集群", "黑龙江", "七台河市", "七台河市科技局", "培育", "创新型产业集群", ["test"])
    assert h.aliases == [] and isinstance(h.score, float)


def test_to_dict_has_exactly_the_documented_keys_and_is_json_able(small):
    d = small.search("常州光伏")[0].to_dict()
    assert set(d) == HIT_KEYS
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


def test_scores_decrease_with_rank(small):
    hits = small.search("常州")
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_limit_caps_the_hits_and_total_counts_them_all(small):
    res = small.results("高新区", limit=2)
    assert len(res.hits) == 2
    assert res.total == 12  # every record whose name or builder holds 高新区


def test_filters_by_province_type_and_program(small):
    assert names(small.search("机器人", province="江苏")) == ["武进机器人及智能装备创新型产业集群"]
    assert names(small.search("机器人", province="江苏省")) == ["武进机器人及智能装备创新型产业集群"]
    assert names(small.search("机器人", type="培育")) == ["青岛机器人产业集群"]
    assert names(small.search("江苏", program="中小企业特色产业集群")) == ["江苏省无锡市锡山区电动车及零部件产业集群"]


@pytest.mark.parametrize("bad", ["", "   ", "锂电\x00", "\x1b[31m锂电", "锂" * 10_000])
def test_unsearchable_queries_raise_query_error(small, bad):
    with pytest.raises(QueryError):
        small.search(bad)


def test_bad_limit_raises_query_error(small):
    with pytest.raises(QueryError):
        small.search("锂电", limit=0)


@pytest.mark.parametrize("query", ['锂电 AND', 'NOT 锂电', '"锂电"', "锂电*", "锂?", "(锂电)", "锂电~2",
                                   "锂电^3", "name:锂电", "锂电 OR OR", "[锂电 TO 电]", "{锂电}"])
def test_whoosh_syntax_is_taken_literally(small, query):
    assert names(small.search(query))[0] == "西宁经开区锂电产业集群"


def test_no_meaningful_match_returns_nothing(small):
    assert small.search("qwzxv") == []
    assert small.search("区块链火星") == []


def test_did_you_mean_is_exposed(small):
    res = small.results("lidn")  # 4 letters: too short for a typo, but close to lidian
    assert res.hits == [] and res.suggestion == "锂电"
    assert small.suggest("lidn") == "锂电"


def test_context_manager_closes(small_index):
    with Searcher(index_dir=small_index) as s:
        assert s.search("锂电")
    assert s.generation.name.startswith("gen-")


@pytest.mark.parametrize("call", [lambda s: s.search("锂电"), lambda s: s.results("xinyu"),
                                  lambda s: s.suggest("lidn")])
def test_a_closed_searcher_raises_a_clsearch_error(small_index, call):
    s = Searcher(index_dir=small_index)
    s.close()
    with pytest.raises(SearcherClosedError, match="closed"):
        call(s)
    assert issubclass(SearcherClosedError, ClsearchError)


def test_safe_to_share_between_threads(small):
    expected = {q: names(small.search(q)) for q in ("锂电", "xinyu", "jqr", "夏门", "常州gf")}
    errors: list[str] = []

    def work():
        for _ in range(20):
            for q, want in expected.items():
                if names(small.search(q)) != want:
                    errors.append(q)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_explain_names_the_rule_that_placed_each_hit(small):
    top, second = small.search("智能装备 jqr")[:2]
    assert top.name == "武进机器人及智能装备创新型产业集群"
    assert top.explain["placed_by"] == "terms"
    assert [(m["text"], m["channels"]) for m in top.explain["matches"]] == [
        ("智能装备", ["exact"] * 4), ("机器人", ["initials"] * 3)]
    assert second.explain["rules"]["terms"] == 1


def test_highlights_cover_characters_matched_through_pinyin(small):
    (h,) = small.search("xinyu")
    (name,) = [x for x in h.highlights if x.field == "name"]
    assert [(s.start, s.end, s.channel) for s in name.spans] == [(0, 1, "pinyin"), (1, 2, "pinyin")]
