"""Alignment (search/match.py): where an alternative matches a prepared document, and how."""

from handmade import doc, lexicon
from index.format import Channel
from search.match import PART_OF_WORD, align, best_match
from search.query import parse_query

XINYU = doc("x", "新余动力电池", words=["新余", "动力", "电池"], place="江西 新余")
XIAMEN = doc("m", "厦门海洋", words=["厦门", "海洋"])
CHANGSHA = doc("c", "长沙电力", words=["长沙", "电力"])
QINGDAO = doc("q", "青岛机器人", words=["青岛", "机器人"])


def whole(query, **kw):
    return parse_query(query, lexicon(), **kw).tokens[0].whole


def channels(match):
    return [str(c) for c in match.channels]


def test_exact_hanzi_on_a_word_is_the_best_match():
    m = align(whole("新余")[0], XINYU)
    assert (m.kind, m.start, m.end, channels(m), m.typos, m.exactness) == (
        "name", 0, 2, ["exact", "exact"], 0, 0)


def test_a_match_starting_inside_a_word_costs_exactness():
    m = align(whole("力电")[0]._replace(budget=0), XINYU)
    assert (m.start, m.exactness) == (3, PART_OF_WORD)


def test_full_pinyin_matches_through_the_reading_in_context():
    m = align(whole("xinyu")[0], XINYU)
    assert (m.start, channels(m), m.typos) == (0, ["pinyin", "pinyin"], 0)


def test_another_reading_of_a_polyphone_counts_as_a_typo():
    m = best_match(whole("zhangsha"), CHANGSHA)
    assert channels(m) == ["reading2", "pinyin"] and m.typos == 1


def test_initials_and_a_prefix():
    assert channels(best_match(whole("xy"), XINYU)) == ["initials", "initials"]
    m = best_match(whole("qingda"), QINGDAO)
    assert channels(m) == ["pinyin", "prefix"]


def test_a_homophone_rescues_a_wrong_character():
    m = best_match(whole("夏门"), XIAMEN)
    assert channels(m) == ["homophone", "exact"] and m.typos == 1
    assert m.channels[0] is Channel.HOMOPHONE


def test_no_homophone_without_a_typo_budget():
    assert best_match([a._replace(budget=0) for a in whole("夏门")], XIAMEN) is None


def test_fuzzy_pinyin_is_a_typo():
    m = best_match(whole("xingyu"), XINYU)  # in/ing
    assert channels(m) == ["fuzzy", "pinyin"] and m.typos == 1


def test_a_short_match_across_two_words_is_no_match():
    # 余动 spans 新余|动力: two characters reaching from one word into the next
    assert best_match(whole("yudong"), XINYU) is None


def test_the_name_is_preferred_to_the_place():
    m = best_match(whole("新余"), XINYU)
    assert m.kind == "name"
    place_only = doc("p", "动力电池", words=["动力", "电池"], place="江西 新余")
    assert best_match(whole("新余"), place_only).kind == "place"


def test_nothing_matches_a_document_without_the_characters():
    assert best_match(whole("青岛"), XINYU) is None


def test_one_letter_initials_are_found_where_the_first_letters_spell_them():
    assert [f.letters for f in XINYU.fields] == ["xydldc", "jx\0xy"]  # the space of 江西 新余 reads nothing
    m = best_match(whole("dc"), XINYU)
    assert (m.kind, m.start, m.end, channels(m)) == ("name", 4, 6, ["initials", "initials"])
    assert best_match(whole("dx"), XINYU) is None  # d…x spelled nowhere in one field


def test_the_quick_check_rules_out_only_documents_that_cannot_match():
    from search.match import quick_check

    spelled = quick_check(whole("dc")[0])
    assert spelled is not None and spelled(XINYU) and not spelled(QINGDAO)
    exact = quick_check(whole("电池")[0]._replace(budget=0))
    assert exact is not None and exact(XINYU) and not exact(XIAMEN)
    assert quick_check(whole("xinyu")[0]) is None  # pinyin: no cheap check, align decides
    assert XINYU.letters == "xydldc\0jx\0xy"  # every field's first letters, NUL between fields
    assert not spelled(doc("y", "电子", words=["电子"], place="江西 长沙"))  # d…c not in one field


def test_the_quick_check_of_hanzi_with_a_typo_budget_counts_the_characters_typed_as_they_appear():
    from search.match import quick_check

    alt = whole("夏门")[0]  # budget 1: one of two characters may be a homophone
    assert alt.budget == 1 and best_match([alt], XIAMEN) is not None
    check = quick_check(alt)
    assert check is not None and check(XIAMEN)  # 门 as typed
    assert not check(doc("s", "下面的海洋", words=["下面", "海洋"]))  # both would be homophones
    two = quick_check(alt._replace(budget=2))
    assert two is None  # nothing need be as typed: no check
