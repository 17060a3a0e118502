"""Query understanding (search/query.py) on a hand-made lexicon: tokens, terms, alternatives."""

import pytest

from handmade import lexicon
from index.errors import QueryError
from index.format import Kind
from search.query import MAX_QUERY_CHARS, check_query, parse_query


def parts(parsed):
    return [[t.text for t in tok.parts] for tok in parsed.tokens]


def readings(alternatives):
    return [a.label for a in alternatives]


def test_a_pinyin_run_splits_into_lexicon_words():
    parsed = parse_query("jiangsujiqiren", lexicon())
    assert parts(parsed) == [["jiangsu", "jiqiren"]]
    jiangsu, jiqiren = parsed.terms
    assert jiangsu.place and not jiqiren.place  # 江苏 narrows, 机器人 makes the hit
    assert jiangsu.significant and jiqiren.significant
    assert readings(jiangsu.alternatives)[0] == "jiang su"
    # the whole run is still tried as one contiguous match first
    assert readings(parsed.tokens[0].whole)[0] == "jiang su ji qi ren"


def test_a_pinyin_run_that_is_not_all_words_stays_whole():
    # naichahuoxing: no lexicon words, so no loose single syllables that would match noise
    assert parts(parse_query("naichahuoxing", lexicon())) == [["naichahuoxing"]]
    # xinyuqingdao splits; a lone syllable left at the end (baoji + tai: 宝鸡钛) only ranks
    # the hits of the words before it, it never brings hits of its own
    assert parts(parse_query("xinyuqingdao", lexicon())) == [["xinyu", "qingdao"]]
    xinyu, qing = parse_query("xinyuqing", lexicon()).terms
    assert (xinyu.text, xinyu.significant, qing.text, qing.significant) == ("xinyu", True, "qing", False)
    # a lone syllable between words still keeps the run whole
    assert parts(parse_query("xinyuqingxinyu", lexicon())) == [["xinyuqingxinyu"]]


def test_stop_words_separate_hanzi_words():
    parsed = parse_query("江苏的机器人产业集群有哪些", lexicon())
    assert [tok.text for tok in parsed.tokens] == ["江苏", "机器人"]
    assert [t.place for t in parsed.terms] == [True, False]


def test_a_hanzi_run_becomes_its_vocabulary_words():
    # lone characters stay together (火星), but not with a vocabulary word
    parsed = parse_query("宝鸡钛", lexicon())
    assert parts(parsed) == [["宝鸡", "钛"]]
    baoji, tai = parsed.terms
    assert baoji.significant and not tai.significant  # a lone character only adds rank


def test_hanzi_and_a_lone_syllable_are_one_term():
    parsed = parse_query("新yu", lexicon())
    assert parts(parsed) == [["新yu"]]
    alts = parsed.terms[0].alternatives
    assert [[(str(u.kind), u.text) for u in a.units] for a in alts] == [
        [("han", "新"), ("full", "yu")], [("han", "新"), ("prefix", "yu")]]  # yu… typed ahead


def test_letters_next_to_digits_are_a_literal_code():
    parsed = parse_query("G60", lexicon())
    (alt,) = parsed.terms[0].alternatives
    assert [(u.kind, u.text) for u in alt.units] == [(Kind.LIT, "g"), (Kind.LIT, "6"), (Kind.LIT, "0")]


def test_spaces_inside_pinyin_only_mark_syllable_breaks():
    parsed = parse_query("xin yu", lexicon())
    assert [tok.text for tok in parsed.tokens] == ["xinyu"]
    assert [[u.text for u in a.units] for a in parsed.tokens[0].whole] == [["xin", "yu"]] * 2
    assert not any(a.label.startswith("xi n") for a in parse_query("xin yu", lexicon()).tokens[0].whole)


def test_an_unfinished_syllable_at_the_end_is_a_prefix():
    parsed = parse_query("qingda", lexicon())  # 青岛 qing dao, typed ahead
    kinds = [[(str(u.kind), u.text) for u in a.units] for a in parsed.tokens[0].whole]
    assert kinds == [[("full", "qing"), ("full", "da")], [("full", "qing"), ("prefix", "da")]]
    # not at the end of the query, a syllable is a syllable
    assert [str(u.kind) for u in parse_query("qingda 新余", lexicon()).tokens[0].whole[-1].units] == ["full", "full"]


def test_initials_are_abbreviations():
    parsed = parse_query("jqr", lexicon())
    first = parsed.tokens[0].whole[0]
    assert [(str(u.kind), u.text) for u in first.units] == [("initial", "j"), ("initial", "q"), ("initial", "r")]


def test_hanzi_units_carry_readings_for_the_homophone_channel():
    parsed = parse_query("夏门", lexicon())  # 夏 is outside the corpus: read from the full table
    alt = parsed.tokens[0].whole[0]
    assert [u.primary for u in alt.units] == ["xia", "men"]
    assert alt.budget == 1  # one wrong character allowed in a two-character word


def test_traditional_characters_outside_the_corpus_are_simplified():
    assert parse_query("鋰電", lexicon()).text == "锂电"


def test_synonyms_and_place_suffixes_are_extra_alternatives():
    alts = parse_query("锂电池", lexicon()).tokens[0].whole
    assert [(a.label, a.synonym) for a in alts] == [("锂电池", False), ("锂电", True)]
    parsed = parse_query("常州市", lexicon())
    assert readings(parsed.tokens[0].whole) == ["常州市", "常州"]


def test_typo_corrections_only_when_asked():
    lex = lexicon()
    lex.__dict__["_typos"] = {"lidan": ("lidian",), "lidian": ("lidian",)}
    plain = parse_query("lidain", lex)
    corrected = parse_query("lidain", lex, correct=True)
    assert "lidian" not in readings(plain.terms[0].alternatives)
    assert [(a.label, a.typos) for a in corrected.terms[0].alternatives if a.typos] == [("lidian", 1)]


def test_query_syntax_is_never_interpreted():
    parsed = parse_query("锂电 AND 新余", lexicon())
    assert [tok.text for tok in parsed.tokens] == ["锂电", "新余"]


@pytest.mark.parametrize("raw, message", [
    ("", "empty"), ("   ", "empty"), ("锂\x00电", "control characters"),
    ("锂" * (MAX_QUERY_CHARS + 1), "too long"),
])
def test_unsearchable_input_is_a_query_error(raw, message):
    with pytest.raises(QueryError, match=message):
        check_query(raw)
