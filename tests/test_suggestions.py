"""Did-you-mean (search/suggestions.py): respelling on a hand-made lexicon."""

import pytest

from handmade import lexicon
from search.query import parse_query
from search.suggestions import respell


@pytest.mark.parametrize("query, suggestion", [
    ("changzhou", "常州"),  # pinyin that spells a corpus word
    ("lidn", "锂电"),  # two missing letters
    ("xinyu guangfu", "新余 光伏"),
    ("里电", "锂电"),  # hanzi read the same as a corpus word
])
def test_a_query_is_respelled_as_the_corpus_words_it_means(query, suggestion):
    assert respell(parse_query(query, lexicon()), lexicon()) == suggestion


@pytest.mark.parametrize("query", ["龙虾", "qwzxv", "锂电"])
def test_no_respelling_without_a_likely_word(query):
    # a real word the corpus lacks gets no look-alike; a word already right needs none
    assert respell(parse_query(query, lexicon()), lexicon()) is None
