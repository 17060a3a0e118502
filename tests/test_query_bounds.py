"""Any query up to the maximum length costs bounded time and memory, and fails only as QueryError.

The bound stated in the README is 50 ms and 50 MB above baseline for parsing a query (measured
on an idle machine by ``python -m bench worst``). Here the memory bound is checked exactly
(tracemalloc); time gets a wide margin (1 s) so that a loaded CI machine cannot fail the test,
which still catches the blow-up this guards against: "xianan锂" * 9 took 17.8 s and 2 GB, and
"锂xian" * 12 was OOM-killed at 24 GB, when every combination of readings was generated first.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.errors import QueryError
from search.query import (MAX_QUERY_CHARS, MAX_TERMS, MAX_WHOLE_ALTERNATIVES, check_query,
                          parse_query)

MEMORY_BOUND = 50_000_000  # bytes allocated at peak by one parse or search
TIME_MARGIN = 1.0  # seconds; the bench checks the real 50 ms bound

HANZI = "锂电新余常州光伏机器人石墨烯厦门夏鋰電天津重庆宝鸡钛省的产业集群江苏"
SYLLABLES = ["xian", "an", "li", "dian", "zhuang", "zh", "ch", "x", "y", "jqr", "lidain", "xin",
             "yu", "e", "ang", "n", "g60", "shang", "hai", "a"]


def _alternations(parts: list[str]) -> str:
    return "".join(parts)[:MAX_QUERY_CHARS]


any_text = st.text(alphabet=st.sampled_from(list(HANZI) + list("abcdefghijklmnopqrstuvwxyz")
                                            + list("0123456789 '-:*?\"()~^ＡＢ１２　ﷺ㍻、。")),
                   max_size=MAX_QUERY_CHARS)
unicode_text = st.text(max_size=MAX_QUERY_CHARS)
mixed = st.lists(st.one_of(st.sampled_from(list(HANZI)), st.sampled_from(SYLLABLES)),
                 max_size=MAX_QUERY_CHARS).map(_alternations)
queries = st.one_of(any_text, unicode_text, mixed)


def _bounded(call):
    """Run `call`; return (result or QueryError, seconds, peak bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        out = call()
    except QueryError as exc:
        out = exc
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, seconds, peak


@pytest.mark.parametrize("query", ["锂xian" * 10, "锂xian" * 12, "锂xian" * 40, "xianan锂" * 9,
                                   "xianan锂" * 28, "zh" * 100, "x锂" * 100, "ﷺ" * 11])
def test_the_queries_that_exhausted_memory_are_bounded(small, query):
    query = query[:MAX_QUERY_CHARS]
    for correct in (False, True):
        out, seconds, peak = _bounded(lambda c=correct: parse_query(query, small.lexicon, correct=c))
        assert peak < MEMORY_BOUND and seconds < TIME_MARGIN
        if not isinstance(out, QueryError):
            assert all(len(tok.whole) <= MAX_WHOLE_ALTERNATIVES + 8 for tok in out.tokens)
            assert len(out.terms) <= MAX_TERMS
    out, seconds, peak = _bounded(lambda: small.results(query))
    assert peak < MEMORY_BOUND and seconds < 2 * TIME_MARGIN


def test_whole_token_readings_are_capped_not_enumerated(small):
    # 12 pairs of 锂 + xian: 4-6 readings per pair, 6**12 combinations, only the first 12 kept.
    parsed = parse_query("锂xian" * 12, small.lexicon)
    (token,) = parsed.tokens
    assert len([a for a in token.whole if not a.synonym]) == MAX_WHOLE_ALTERNATIVES


def test_too_many_words_is_one_clear_error(small):
    with pytest.raises(QueryError, match=r"too many words \(100; the limit is 24\)"):
        parse_query("锂 " * 100, small.lexicon)


def test_a_query_that_normalises_past_the_limit_is_too_long():
    # ﷺ is one character that NFKC turns into 18: the limit holds after normalisation too.
    with pytest.raises(QueryError, match="too long"):
        check_query("ﷺ" * 12)


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=queries)
def test_any_query_parses_within_the_bound_or_is_a_query_error(small, query):
    for correct in (False, True):
        out, seconds, peak = _bounded(lambda c=correct: parse_query(query, small.lexicon, correct=c))
        assert peak < MEMORY_BOUND, f"{peak / 1e6:.1f} MB for {query!r}"
        assert seconds < TIME_MARGIN, f"{seconds:.2f} s for {query!r}"


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=queries)
def test_any_search_is_bounded_and_raises_nothing_but_query_error(small, query):
    out, seconds, peak = _bounded(lambda: small.results(query, 5))
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.1f} MB for {query!r}"
    assert seconds < 2 * TIME_MARGIN, f"{seconds:.2f} s for {query!r}"
