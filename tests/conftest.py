"""Shared fixtures: a small hand-made index (fast, exact expectations) and the full index.

The small index is built from records written out below, so engine tests do not depend on
the seed parsers. The full index is built ONCE per session from the bundled seeds, as the
default index of a temporary data directory (never the user's own): tests that need an index
of the bundled corpus to start from copy it (`copy_full_index`) instead of building again.
Index builds share one jieba cache (`jieba_cache`), and the corpus is parsed once (`corpus`).
Query-stage unit tests need none of this: they use the hand-made values of `handmade.py`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from index.records import Record

# name, builder, province, city, district, type, program
SMALL = [
    ("新余动力电池创新型产业集群", "新余高新区管委会", "江西", "新余市", None, "试点", "创新型产业集群"),
    ("西宁经开区锂电产业集群", "西宁经开区管委会", "青海", "西宁市", None, "培育", "创新型产业集群"),
    ("七台河石墨烯产业集群", "七台河市科技局", "黑龙江", "七台河市", None, "培育", "创新型产业集群"),
    ("常州光伏创新型产业集群", "常州高新区管委会", "江苏", "常州市", None, "试点", "创新型产业集群"),
    ("常州轨道交通牵引动力与关键核心部件产业集群", "常州经开区管委会", "江苏", "常州市", None, "培育", "创新型产业集群"),
    ("天津高新区新能源产业集群", "天津滨海高新区管委会", "天津", "天津市", None, "培育", "创新型产业集群"),
    ("天津基于国产自主可控的信息安全产业集群", "天津滨海高新区管委会", "天津", "天津市", None, "培育", "创新型产业集群"),
    ("重庆电子信息创新型产业集群", "重庆高新区管委会", "重庆", "重庆市", None, "试点", "创新型产业集群"),
    ("武进机器人及智能装备创新型产业集群", "武进高新区管委会", "江苏", "常州市", "武进区", "试点", "创新型产业集群"),
    ("青岛机器人产业集群", "青岛高新区管委会", "山东", "青岛市", None, "培育", "创新型产业集群"),
    ("厦门海洋与生命科学产业集群", "厦门高新区管委会", "福建", "厦门市", None, "培育", "创新型产业集群"),
    ("长沙电力智能控制与设备创新型产业集群", "长沙高新区管委会", "湖南", "长沙市", None, "试点", "创新型产业集群"),
    ("宝鸡高新区钛产业集群", "宝鸡高新区管委会", "陕西", "宝鸡市", None, "培育", "创新型产业集群"),
    ("蚌埠新型高分子材料产业集群", "蚌埠高新区管委会", "安徽", "蚌埠市", None, "培育", "创新型产业集群"),
    ("江苏省无锡市锡山区电动车及零部件产业集群", None, "江苏", "无锡市", "锡山区", None, "中小企业特色产业集群"),
    ("乐清电气产业集群", None, "浙江", "温州市", "乐清市", None, "浙江省产业集群"),
    ("苏州高新区医疗器械创新型产业集群", "苏州高新区管委会", "江苏", "苏州市", None, "试点", "创新型产业集群"),
    ("淳安乾潭特色产业集群", None, "浙江", "杭州市", "淳安县", None, "浙江省产业集群"),
]


def small_records() -> list[Record]:
    out = []
    for i, (name, builder, prov, city, district, typ, program) in enumerate(SMALL):
        out.append(Record(
            id=f"t-{i:02d}", name=name, short_name=name.replace("创新型产业集群", "").replace("产业集群", ""),
            program=program, issuer="test", list_title="test list", year=2021,
            province=prov, city=city, district=district, builders=[builder] if builder else [],
            type=typ, lists=["test"],
        ))
    return out


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory):
    """Never touch the user's own index or dictionaries: both live in a session temp dir."""
    root = tmp_path_factory.mktemp("data-home")
    saved = {k: os.environ.get(k) for k in ("CLSEARCH_INDEX", "XDG_DATA_HOME", "CLSEARCH_CONFIG")}
    os.environ["XDG_DATA_HOME"] = str(root / "xdg")
    os.environ["CLSEARCH_INDEX"] = str(root / "index")
    os.environ["CLSEARCH_CONFIG"] = str(root / "config")
    yield root
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def full_index(isolated_data_dir) -> Path:
    """The default index of the session's data directory, built once from the bundled seeds."""
    from index.ensure import ensure_index
    from index.store import default_index_dir

    index_dir = default_index_dir()
    ensure_index(index_dir, auto_build=True)
    return index_dir


@pytest.fixture(scope="session")
def full(full_index):
    """A Searcher over the full bundled corpus (the session's default index)."""
    from search import Searcher

    with Searcher(log=lambda m: None) as s:
        yield s


@pytest.fixture
def copy_full_index(full_index):
    """Copy the session's full index to a new directory: a bundled-seed index without a build."""
    def copy(to: Path) -> Path:
        shutil.copytree(full_index, to)
        return to

    return copy


@pytest.fixture(scope="session")
def jieba_cache(tmp_path_factory) -> Path:
    """One jieba dictionary cache for every hand-made build of the session."""
    return tmp_path_factory.mktemp("jieba-cache")


@pytest.fixture(scope="session")
def corpus():
    """The bundled seeds parsed into records, once per session (read-only for tests)."""
    from index.corpus import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, jieba_cache) -> Path:
    from index.build import build_index

    root = tmp_path_factory.mktemp("small-index")
    build_index(root, small_records(), "test-fingerprint", cache_dir=jieba_cache, source="test")
    return root


@pytest.fixture(scope="session")
def small(small_index):
    from search import Searcher

    with Searcher(index_dir=small_index) as s:
        yield s


def names(hits) -> list[str]:
    return [h.name for h in hits]
