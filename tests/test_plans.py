"""Per-generation plans of queries (search/plans.py): bounded, thread-safe, and invisible in
what a search answers (the same hits, totals, facets and highlights on every repeat)."""

from __future__ import annotations

import threading

import pytest

from search.bits import Bits
from search.plans import Lazy, Plan, Plans
from search.query import ParsedQuery


def _plan(n_docs: int, key: object = "x") -> Plan:
    empty = ParsedQuery("x", ())
    return Plan(key, empty, empty, {1: Bits((1 << n_docs) - 1)})


def test_plans_keep_the_most_recent_within_their_byte_budget():
    one = _plan(80_000)  # 10,000 bytes of bitset, counted twice, plus the overhead
    plans = Plans(max_bytes=3 * one.size + 10)
    for k in range(5):
        plans.put(_plan(80_000, k))
    assert len(plans) == 3 and plans.get(0) is None and plans.get(4) is not None
    plans.get(2)  # used: kept over 3, the least recently used
    plans.put(_plan(80_000, 5))
    assert plans.get(2) is not None and plans.get(3) is None


def test_plans_bound_their_number_and_refuse_a_plan_over_the_whole_budget():
    plans = Plans(max_entries=2)
    for k in range(4):
        plans.put(_plan(8, k))
    assert len(plans) == 2 and plans.get(3) is not None
    small = Plans(max_bytes=100)
    huge = _plan(8, "q")
    assert small.put(huge) is huge and small.get("q") is None


def test_the_first_plan_made_for_a_key_is_the_one_kept():
    plans = Plans()
    first, second = _plan(8, "q"), _plan(8, "q")
    assert plans.put(first) is first
    assert plans.put(second) is first


def test_what_a_plan_makes_later_counts_in_the_budget():
    one = _plan(8, 0)
    plans = Plans(max_bytes=3 * one.size)
    kept = [plans.put(_plan(8, k)) for k in range(3)]
    plans.grow(kept[2], one.size)  # its page made sets: the least recently used plan goes
    assert plans.get(0) is None and plans.get(1) is not None and plans.get(2) is kept[2]
    plans.grow(_plan(8, 1), 10 ** 9)  # not the plan kept under that key: not counted
    assert plans.get(1) is not None
    plans.grow(kept[2], 10 ** 9)  # alone over the budget: it goes too
    assert plans.get(2) is None and plans.get(1) is not None and len(plans) == 1


def test_a_lazy_list_gives_every_item_to_every_walk_and_produces_each_once():
    made = []

    def source():
        for i in range(100):
            made.append(i)
            yield i

    lazy = Lazy(source())
    a, b = iter(lazy), iter(lazy)
    assert [next(a) for _ in range(10)] == list(range(10))
    assert list(b) == list(range(100))
    assert list(a) == list(range(10, 100))
    assert made == list(range(100))
    results: list[list[int]] = []
    threads = [threading.Thread(target=lambda: results.append(list(Lazy(iter(range(500)))))) for _ in range(2)]
    shared = Lazy(iter(range(5000)))
    threads += [threading.Thread(target=lambda: results.append(list(shared))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [500, 500, 5000, 5000, 5000, 5000]
    assert all(r == list(range(len(r))) for r in results)


def test_a_lazy_list_raises_again_what_its_source_raised():
    def source():
        yield 1
        raise OSError("disk")

    lazy = Lazy(source())
    with pytest.raises(OSError):
        list(lazy)
    walk = iter(lazy)
    assert next(walk) == 1
    with pytest.raises(OSError):
        next(walk)


@pytest.mark.parametrize("query", ["c", "ch", "cz", "常", "常zh", "jq", "we", "江苏 机器人", "lidain", "夏门",
                                   "湖北 汽车", "gaoxinqu"])
def test_a_repeated_search_answers_exactly_as_the_first(full, query):
    """The second search of a query uses its plan (parse, candidates, buckets): every part of
    the answer is the same, for the first page, another page, and with a filter."""
    def answers():
        return [full.results(query, limit=20, facets=True).to_dict(explain=True),
                full.results(query, limit=5, offset=5, facets=True).to_dict(explain=True),
                full.results(query, limit=None).to_dict(explain=True),
                full.results(query, limit=20, province="江苏").to_dict(explain=True)]

    full._plans = Plans()  # start without this query's plan
    first = answers()
    assert full._plans.get((query, False)) is not None
    assert answers() == first
    full._plans = Plans(max_entries=1)  # plans dropped between the requests
    assert answers() == first


def test_a_new_generation_starts_with_no_plans(full_index):
    from index.ensure import open_index
    from search.searcher import Searcher

    with Searcher(index_dir=full_index) as searcher:
        searcher.results("cz", limit=5)
        assert len(searcher._plans) > 0
        searcher._open(open_index(searcher.index_dir, auto_build=False))  # what a switch does
        assert len(searcher._plans) == 0


def test_a_dropped_plan_is_freed_at_once_without_the_cyclic_collector(full):
    """A plan holds its page's sets; a reference cycle would keep them until the cyclic
    collector runs, which big ints (not tracked by it) do not hasten: memory piled up."""
    import gc
    import weakref

    full._plans = Plans()
    full.results("c", limit=20)  # many candidates: best-first ranking, its page kept
    plan = full._plans.get(("c", False))
    assert plan is not None and plan.page is not None
    gone = weakref.ref(plan)  # its page refers back to it only weakly
    del plan
    gc.disable()
    try:
        full._plans = Plans()
        assert gone() is None
    finally:
        gc.enable()
