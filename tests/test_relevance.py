"""Relevance specification on the full bundled corpus.

Every case in `relevance_cases.CASES` names a query and the cluster(s) a user expects first
(an exact top set where several tie) and, where it is clear, the exact number of hits. The
tests below add what a table cannot say: no-match honesty, an exact form outranking typo or
other-reading forms, Whoosh query syntax taken literally, and "did you mean".

Cases the engine gets wrong today are kept, marked xfail(strict=True) with the symptom.
"""

from __future__ import annotations

import pytest

from relevance_cases import CASES, CHANGZHOU, CZ_PV, LITHIUM, XINYU, Case


@pytest.fixture(scope="session")
def engine(full):
    """A Searcher on the bundled corpus: the session's one full index (conftest)."""
    return full


def names(hits) -> list[str]:
    return [h.name for h in hits]


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_relevance(engine, case: Case):
    limit = max(10, len(case.top) + 5)
    results = engine.results(case.query, limit, **case.filters)
    got = names(results.hits)
    if case.top:
        k = len(case.top)
        assert set(got[:k]) == set(case.top), (
            f"{case.query!r}: expected the first {k} to be {sorted(case.top)}, got {got[:k + 3]}")
    if case.count is not None:
        assert results.total == case.count, (
            f"{case.query!r}: expected {case.count} hits, got {results.total}: {got}")


def test_expected_names_exist(corpus):
    """Guard against typos in the cases: every expected name is a record of the corpus."""
    names = {r.name for r in corpus.records}
    missing = sorted({n for c in CASES for n in c.top} - names)
    assert not missing


# -- honesty ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["qwzxv", "区块链火星", "银河系旅游", "xyzzy"])
def test_nonsense_finds_nothing_and_suggests_nothing(engine, query):
    results = engine.results(query, 10)
    assert results.hits == [] and results.total == 0
    assert results.suggestion is None


@pytest.mark.parametrize("query", ["锂电", "xinyu", "夏门"])
def test_no_suggestion_when_there_are_hits(engine, query):
    assert engine.results(query, 10).suggestion is None


ZHANG_READ_CHANG = ("长兴纺织产业集群", "长春汽车电子创新型产业集群", "安徽省长丰县流体控制设备产业集群")
POWER_BATTERIES = (XINYU, "天津市宝坻区动力电池材料产业集群", "湖北省荆门市掇刀区新能源动力电池产业集群")
SHENG_YU = ("云南省玉溪市红塔区数控机床产业集群", "贵州省玉屏县锰系新型功能材料产业集群", "浙江省玉环市数控金属切削机床产业集群")


@pytest.mark.parametrize("query, exact, other", [
    # the true reading of 张/漳 above 长 read zhang (its other reading)
    pytest.param("zhang", ("张江生物医药产业集群", "十堰市张湾区智能装备制造产业集群", "襄阳市(襄州、南漳)农产品加工产业集群"),
                 ZHANG_READ_CHANG, id="zhang-张漳-above-长"),
    # the place 新余 above 省玉 (other reading / typo across two words)
    # the whole word 锂电 above 力电 cut out of 动力|电池
    pytest.param("lidian", LITHIUM, POWER_BATTERIES, id="lidian-锂电-above-动力电池"),
    # two tokens: the cluster holding both above the one holding only the second
    pytest.param("陶瓷 建筑", ("当阳市建筑陶瓷产业集群",), ("湖南省醴陵市陶瓷产业集群", "江西省浮梁县陶瓷产业集群"),
                 id="陶瓷-建筑-both-above-one"),
    # a homophone typo in the place: both words matched above one word matched
    pytest.param("常洲光伏", (CZ_PV,), ("瑞安太阳能光伏产业集群", "常州轨道交通牵引动力与关键核心部件产业集群"),
                 id="常洲光伏-both-words-above-one"),
    # what was typed, exactly, above its synonym
    pytest.param("太阳能", ("瑞安太阳能光伏产业集群",), (CZ_PV,), id="太阳能-exact-above-synonym"),
    pytest.param("中药", ("楚雄高新区现代中药和民族药(彝族药)创新型产业集群",),
                 ("南昌高新区中成药产业集群", "青藏高原特色生物资源与中藏药创新型产业集群"), id="中药-exact-above-synonym"),
])
def test_exact_outranks_typo_and_other_readings(engine, query, exact, other):
    """Every cluster matching exactly ranks above every cluster matching only through a typo,
    another reading or a synonym (both kinds are found)."""
    got = names(engine.search(query, limit=50))
    assert set(exact) <= set(got) and set(other) <= set(got), got
    assert max(got.index(n) for n in exact) < min(got.index(n) for n in other), got


@pytest.mark.parametrize("query", ["锂电", "石墨烯", "视频", "武进", "线带", "西安", "东湖"])
def test_exact_hanzi_brings_no_homophones(engine, query):
    """A hanzi query whose exact form exists: every hit holds it (no 食品 for 视频, no 五金 for 武进)."""
    for hit in engine.search(query, limit=50):
        assert query in hit.name or any(query in a for a in hit.aliases), hit.name


def test_exact_hanzi_scores_above_homophone(engine):
    """The same cluster found by its exact name scores above its homophone typo."""
    exact = engine.search("石墨烯", limit=1)[0]
    typo = engine.search("石墨稀", limit=1)[0]
    assert exact.name == typo.name == "七台河石墨烯产业集群"
    assert exact.score > typo.score


# -- Whoosh syntax is text, not operators -------------------------------------------------------

@pytest.mark.parametrize("query", ["锂电 AND", '"锂电"', "锂电*", "(锂电)", "锂电~", "title:锂电", "name:锂电",
                                   "锂电^2", "NOT 锂电", "锂电 OR"])
def test_whoosh_syntax_taken_literally(engine, query):
    results = engine.results(query, 10)
    assert set(names(results.hits[:3])) == set(LITHIUM)


@pytest.mark.parametrize("query", ["*", "AND", "OR NOT", "()", '"', "title:", "[锂电 TO 光伏]", "锂电 -", "~"])
def test_whoosh_operators_alone_do_not_raise(engine, query):
    engine.results(query, 10)


# -- did you mean -------------------------------------------------------------------------------

@pytest.mark.parametrize("query, meant, cluster", [
    pytest.param("xinuy", "新余", XINYU, id="xinuy-新余"),  # xnyu is 新能源 (x n y), not a miss
    pytest.param("lidn", "锂电", "西宁经开区锂电产业集群", id="lidn-锂电-not-六安"),
    pytest.param("changzhuo", "常州", CHANGZHOU[0], id="changzhuo-常州"),
])
def test_near_miss_is_found_or_suggested(engine, query, meant, cluster):
    """A near miss either finds the cluster directly or says "did you mean <meant>"."""
    results = engine.results(query, 10)
    if results.total:
        assert cluster in names(results.hits[:3])
    else:
        assert results.suggestion is not None and meant in results.suggestion
        assert cluster in names(engine.search(results.suggestion, limit=3))


@pytest.mark.parametrize("query", [
    "zaozh",
    "zaozhu",
    "zaozhua",
    "zaozhuan",
    "zaozhuang",
])
def test_type_ahead_never_loses_the_target(engine, query):
    """Each longer prefix of zaozhuang keeps 枣庄 at the top (a longer query never returns less).

    zaozh also fits 造纸 (zao zhi), so 枣庄 shares the top two with 富阳造纸."""
    assert "枣庄锂电创新型产业集群" in names(engine.search(query, limit=10))[:2]


def test_a_short_reading_across_two_words_is_no_match(engine):
    """xingyu is 新余, not 省 + 玉 read across 云南省|玉溪市 (and 省 read xing at that)."""
    got = names(engine.search("xingyu", limit=50))
    assert got == [XINYU] and not set(SHENG_YU) & set(got)
