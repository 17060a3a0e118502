"""The ranking stage (search/rank.py): each rule on purpose-built documents, and which terms count."""

import pytest

from handmade import doc, lexicon
from search.query import parse_query
from search.rank import RULES, Ranking, evaluate, placed_by, rank, seed_alternatives, term_roles


def q(text):
    return parse_query(text, lexicon())


def ranked_ids(query, docs):
    parsed = q(query)
    return [r.doc.id for r in rank(parsed, range(len(docs)), docs.__getitem__,
                                   lambda alt, n: True, term_roles(parsed))]


def ranking(query, d):
    return evaluate(q(query), d)[0]


def test_rules_apply_in_their_documented_order():
    assert RULES == ("terms", "typos", "synonyms", "proximity", "field", "exactness", "length")
    better = Ranking(2, 5, 5, 5, 5, 5, 99)
    assert better.key() < Ranking(1, 0, 0, 0, 0, 0, 1).key()  # terms first
    assert Ranking(1, 0, 1, 9, 9, 9, 99).key() < Ranking(1, 1, 0, 0, 0, 0, 1).key()  # then typos
    assert better.score() > Ranking(1, 0, 0, 0, 0, 0, 1).score()


def test_placed_by_names_the_first_rule_that_differs():
    assert placed_by(Ranking(1, 0, 0, 0, 0, 1, 9), Ranking(1, 0, 0, 0, 0, 2, 3)) == "exactness"
    assert placed_by(Ranking(1, 0, 0, 0, 0, 0, 9), Ranking(1, 0, 0, 0, 0, 0, 9)) == "tie"
    assert placed_by(Ranking(1, 0, 0, 0, 0, 0, 9), None) == "last"


def test_an_exact_match_outranks_a_homophone():
    docs = [doc("homophone", "夏门海洋", words=["夏门", "海洋"]),
            doc("exact", "厦门海洋", words=["厦门", "海洋"])]
    # 夏门 is no place: read as typed and as a homophone of 厦门
    assert ranked_ids("夏门", docs) == ["homophone", "exact"]
    assert (ranking("夏门", docs[0]).typos, ranking("夏门", docs[1]).typos) == (0, 1)
    # 厦门 is a place: typed as meant, never a homophone of another (no 夏门)
    assert ranked_ids("厦门", docs) == ["exact"]


def test_more_terms_then_closer_terms():
    docs = [doc("apart", "海洋光伏电池", words=["海洋", "光伏", "电池"]),
            doc("one", "海洋集群", words=["海洋", "集群"]),
            doc("near", "海洋电池", words=["海洋", "电池"])]
    assert ranked_ids("海洋 电池", docs) == ["near", "apart", "one"]


def test_a_better_field_then_a_shorter_name():
    docs = [doc("builder", "动力电池集群", builder="新余管委会"),
            doc("long", "新余动力电池集群", words=["新余", "动力", "电池", "集群"]),
            doc("short", "新余电池", words=["新余", "电池"])]
    assert ranked_ids("新余", docs) == ["short", "long", "builder"]


def test_ties_are_broken_by_id():
    docs = [doc("b", "新余电池", words=["新余", "电池"]), doc("a", "新余电池", words=["新余", "电池"])]
    assert ranked_ids("新余", docs) == ["a", "b"]


@pytest.mark.parametrize("query, significant, required", [
    ("机器人", {0}, {0}),
    ("江苏 机器人", {0, 1}, {1}),  # a place narrows, it does not bring hits
    ("江苏", {0}, {0}),  # a place alone is what is asked for
    ("宝鸡钛", {0}, {0}),  # a lone character only adds rank
    ("锂 电", {0, 1}, {0, 1}),  # every term a lone character: all count
])
def test_which_terms_decide_the_hits(query, significant, required):
    roles = term_roles(q(query))
    assert (set(roles.significant), set(roles.required)) == (significant, required)


def test_only_required_terms_seed_candidates():
    parsed = q("江苏 机器人")
    seeds = seed_alternatives(parsed, term_roles(parsed))
    assert {a.label for a in seeds} == {"机器人"}


def test_a_significant_term_matching_nowhere_means_no_hits():
    docs = [doc("x", "新余动力电池", words=["新余", "动力", "电池"])]
    assert ranked_ids("新余", docs) == ["x"]
    assert ranked_ids("新余 青岛", docs) == []  # honesty: 青岛 matches nothing


def test_a_place_alone_does_not_make_a_hit_and_narrows_the_hits_of_an_industry_word():
    docs = [doc("jiangsu-other", "江苏光伏", words=["江苏", "光伏"]),
            doc("robot", "青岛机器人", words=["青岛", "机器人"]),
            doc("jiangsu-robot", "江苏机器人", words=["江苏", "机器人"])]
    assert ranked_ids("江苏 机器人", docs) == ["jiangsu-robot"]
    assert ranked_ids("机器人", docs) == ["jiangsu-robot", "robot"]
