"""Best-first ranking (search/bounds.py): the page it stops at is exactly the exhaustive one.

For every query of the dev and generated sets and a list of hard cases (short prefixes that
match every record, generic words, builders, places, typos, several tokens), the first `need`
hits of `bounds.rank_page` must equal those of `rank.rank` (same documents, same order, same
rankings) for several page sizes, on the full bundled index and on the small one. Also: the
total is exact when nothing was skipped and an upper bound otherwise, and the searcher's own
pages, totals and facets agree with a searcher that ranks every candidate.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search import searcher as searcher_module
from search.bounds import Prepared, rank_page
from search.candidates import alternative_docs, candidate_docs, exact_docs, spot_docs, tighten_homophones
from search.query import parse_query
from search.rank import rank, seed_alternatives, term_roles

ROOT = Path(__file__).resolve().parent.parent
HARD = ["ji", "xi", "j", "x", "cz", "a", "zh", "jiq", "管委会", "高新区", "产业集群", "新型", "开发区管委会",
        "常州高新区管委会", "滨海高新区管委会", "江苏 机器人", "湖北 汽车", "江苏 gaoxinqu", "gaoxinqu", "xian",
        "lidain", "夏门", "常zh", "jqr", "zhejiang fangzhi", "上海 生物医药", "新材料", "电子信息 江苏",
        "chanye jiqun", "cyjq", "创新型 产业 集群 高新区", "qwzxv", "锂电", "dianzi xinxi", "shengwuyiyao",
        "黄南新区管委会", "夏门高新区管委会", "宁波 qiche", "lidain dianchi", "xiamen haiyang", "机器仁", "江苏 机器仁"]


def _queries() -> list[str]:
    out = list(HARD)
    for path in (Path("/work/shared/eval/dev_queries.jsonl"), ROOT / "eval" / "generated_queries.jsonl"):
        if path.exists():
            out += [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return list(dict.fromkeys(out))


def _compare(searcher, query: str, needs=(1, 2, 11, 21, 51)) -> None:
    reader = searcher._reader
    parsed = tighten_homophones(parse_query(query, reader.lexicon), reader, reader.doc)
    alt_docs = alternative_docs(parsed, reader)
    roles = term_roles(parsed)
    candidates = candidate_docs(seed_alternatives(parsed, roles), alt_docs, None)
    full = rank(parsed, candidates, reader.doc, lambda alt, n: n in alt_docs.get(id(alt), ()), roles)
    ties = reader.ties()

    def spots(spot, unit):
        return spot_docs(spot, unit, reader)

    def exact(alt):
        return exact_docs(alt, reader)

    # One preparation serves every page size, as the searcher's plans reuse it across requests.
    prepared = Prepared(parsed, alt_docs, candidates, roles, spots, exact)
    for need in needs:
        page = rank_page(parsed, alt_docs, candidates, need, reader.doc, ties, roles, len(ties), spots, exact)
        got = [(r.doc.id, r.ranking, r.matches) for r in page.ranked[:need]]
        want = [(r.doc.id, r.ranking, r.matches) for r in full[:need]]
        assert got == want, (query, need)
        again = rank_page(parsed, alt_docs, candidates, need, reader.doc, ties, roles, len(ties), spots, exact,
                          prepared=prepared)
        assert [(r.doc.id, r.ranking, r.matches) for r in again.ranked[:need]] == want, (query, need)
        assert (again.total, again.exact, set(again.docs)) == (page.total, page.exact, set(page.docs)), (query, need)
        if page.exact:
            assert page.total == len(full) and set(page.docs) == {r.docnum for r in full}, (query, need)
        else:
            assert page.total >= len(full) and {r.docnum for r in full} <= set(page.docs), (query, need)


@pytest.mark.parametrize("query", _queries())
def test_the_page_equals_the_exhaustive_ranking_on_the_full_index(full, query):
    try:
        _compare(full, query)
    except Exception as exc:  # a query the parser rejects is rejected by both paths alike
        from index.errors import QueryError

        if not isinstance(exc, QueryError):
            raise


@pytest.mark.parametrize("query", HARD)
def test_the_page_equals_the_exhaustive_ranking_on_the_small_index(small, query):
    _compare(small, query)


def test_a_short_prefix_stops_early_with_an_upper_bound_total(full):
    res = full.results("ji", limit=10)
    assert not res.total_exact and len(res.hits) == 10
    every = full.results("ji", limit=None)  # no limit: every candidate ranked, an exact total
    assert every.total_exact and res.total >= every.total
    assert [h.id for h in res.hits] == [h.id for h in every.hits[:10]]
    assert [h.explain.placed_by for h in res.hits] == [h.explain.placed_by for h in every.hits[:10]]


@pytest.mark.parametrize("query", ["ji", "管委会", "江苏 机器人", "xian", "常州"])
def test_pages_and_facets_agree_with_ranking_everything(full, monkeypatch, query):
    pages = [full.results(query, limit=7, offset=o, facets=True) for o in (0, 7, 14)]
    monkeypatch.setattr(searcher_module, "EARLY_STOP_MIN", 10 ** 9)
    for o, page in zip((0, 7, 14), pages):
        slow = full.results(query, limit=7, offset=o, facets=True)
        assert [h.id for h in page.hits] == [h.id for h in slow.hits]
        assert [h.score for h in page.hits] == [h.score for h in slow.hits]
        if page.total_exact:
            assert (page.total, page.facets) == (slow.total, slow.facets)
        else:  # an upper bound, and so is every facet count
            assert page.total >= slow.total
            for field, counts in slow.facets.items():
                assert all(page.facets[field].get(v, 0) >= n for v, n in counts.items() if v != "(none)")


def test_documents_are_counted_by_how_many_sets_hold_them():
    from search.bits import Bits
    from search.bounds import _by_count

    sets = [Bits.of([1, 2, 3]), Bits.of([2, 3]), Bits(), Bits.of([3, 4])]
    assert [(k, sorted(ids)) for k, ids in _by_count(sets)] == [(3, [3]), (2, [2]), (1, [1, 4])]


def test_a_new_typo_costs_exactness_too():
    """`bounds.ONE_TYPO` adds exactness: true only while every typo channel costs more
    exactness than the best channel of its unit kind (hanzi: exact; pinyin: the usual
    reading), and a fragment's typo comes with a start inside a word."""
    from index.format import Channel
    from search.bounds import ONE_TYPO
    from search.match import CHANNEL_COST, PART_OF_WORD

    extra = ONE_TYPO[4]
    assert extra >= 1
    for channel in (Channel.HOMOPHONE, Channel.FUZZY, Channel.LOOKALIKE):  # a hanzi unit
        assert CHANNEL_COST[channel][1] >= CHANNEL_COST[Channel.EXACT][1] + extra
    for channel in (Channel.READING2, Channel.FUZZY):  # a full syllable
        assert CHANNEL_COST[channel][1] >= CHANNEL_COST[Channel.PINYIN][1] + extra
    assert PART_OF_WORD >= extra
