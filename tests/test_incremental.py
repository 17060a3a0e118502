"""Incremental builds (index.incremental): adding or removing a list reuses the previous segments
and ends with exactly what a full build of the same lists writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import index.incremental
from conftest import names
from index.ensure import build_from_seeds
from index.store import check_generation, current_generation, read_meta
from search import Searcher

# A new cluster, and a seed cluster listed again (same program and name): the seed record
# changes (one more list), so the incremental build must re-index it.
LIST = ("name,province,city,program,year\n"
        "宁德锂电新能源产业集群,福建,宁德市,地方产业集群,2024\n"
        "七台河石墨烯产业集群,黑龙江,七台河市,创新型产业集群,2021\n")
TABLES = ("lexicon.json", "typos.tsv", "complete.json", "values.json", "records.zjsonl", "links.zjsonl",
          "charmap.json")


def segments(index_dir: Path) -> int:
    from whoosh import index as windex

    return len(windex.open_dir(str(current_generation(index_dir)))._segments())


def answers(index_dir: Path) -> list:
    with Searcher(index_dir=index_dir) as s:
        out = [(q, s.results(q).total, names(s.search(q))) for q in ("宁德锂电", "石墨烯", "锂电", "ndld", "七台河")]
        out.append(("list", s.results("", list="mine").total, []))
    return out


@pytest.fixture
def table(tmp_path) -> Path:
    path = tmp_path / "mine.csv"
    path.write_text(LIST, encoding="utf-8")
    return path


def test_adding_a_list_writes_one_segment_and_what_a_full_build_writes(tmp_path, table, copy_full_index,
                                                                      monkeypatch):
    before = current_generation(copy_full_index(tmp_path / "inc"))
    report = build_from_seeds(tmp_path / "inc", extra=[table])
    gen = current_generation(tmp_path / "inc")
    meta = read_meta(gen)
    assert meta["incremental"] is True and report.records == meta["records"] == 478
    assert segments(tmp_path / "inc") == 2
    assert check_generation(gen, meta, full=True) == []
    assert check_generation(before, read_meta(before), full=True) == []  # its files shared, not changed

    copy_full_index(tmp_path / "full")
    monkeypatch.setattr(index.incremental, "MAX_SEGMENTS", 0)  # no reuse: a full build
    build_from_seeds(tmp_path / "full", extra=[table])
    full = current_generation(tmp_path / "full")
    assert read_meta(full)["incremental"] is False and segments(tmp_path / "full") == 1
    for name in TABLES:
        assert (gen / name).read_bytes() == (full / name).read_bytes(), name
    assert answers(tmp_path / "inc") == answers(tmp_path / "full")
    with Searcher(index_dir=tmp_path / "inc") as s:
        assert names(s.search("宁德锂电"))[0] == "宁德锂电新能源产业集群"
        assert s.results("", list="mine").total == 2  # the changed seed record too
        assert s.results("石墨烯").total == 1  # its old document is deleted, not found twice


def test_removing_the_list_gives_back_the_index_without_it(tmp_path, table, copy_full_index):
    original = current_generation(copy_full_index(tmp_path / "ix"))
    build_from_seeds(tmp_path / "ix", extra=[table])
    build_from_seeds(tmp_path / "ix", remove=["mine"])
    gen = current_generation(tmp_path / "ix")
    assert read_meta(gen)["incremental"] is True and read_meta(gen)["records"] == 477
    for name in TABLES:
        assert (gen / name).read_bytes() == (original / name).read_bytes(), name
    with Searcher(index_dir=tmp_path / "ix") as s:
        assert "宁德锂电新能源产业集群" not in names(s.search("宁德锂电"))
        assert names(s.search("石墨烯")) == ["七台河石墨烯产业集群"]


def test_a_plain_build_is_a_full_one_that_merges_the_segments(tmp_path, table, copy_full_index):
    copy_full_index(tmp_path / "ix")
    build_from_seeds(tmp_path / "ix", extra=[table])
    assert segments(tmp_path / "ix") == 2
    build_from_seeds(tmp_path / "ix")
    assert read_meta(current_generation(tmp_path / "ix"))["incremental"] is False
    assert segments(tmp_path / "ix") == 1


def test_a_generation_from_other_code_is_not_extended(tmp_path, table, copy_full_index, monkeypatch):
    copy_full_index(tmp_path / "ix")
    monkeypatch.setattr(index.ensure, "code_fingerprint", lambda: "other")
    build_from_seeds(tmp_path / "ix", extra=[table])
    assert read_meta(current_generation(tmp_path / "ix"))["incremental"] is False


def test_an_incremental_index_reads_postings_and_ties_like_a_fresh_one(tmp_path, table, copy_full_index):
    """Two segments and a deleted document: the block reader of postings gives what Whoosh's
    own gives, and the tie table covers every document number (search.bounds relies on both)."""
    from whoosh import index as windex

    from search.reader import matcher_ids

    copy_full_index(tmp_path / "inc")
    build_from_seeds(tmp_path / "inc", extra=[table])
    gen = current_generation(tmp_path / "inc")
    ix = windex.open_dir(str(gen))
    with ix.searcher() as s:
        reader = s.reader()
        assert reader.has_deletions() and len(ix._segments()) == 2
        checked = 0
        for field, term in (("han", "锂"), ("han", "石"), ("py", "ji"), ("pyi", "j"), ("han", "宁")):
            assert matcher_ids(reader.postings(field, term)) == list(reader.postings(field, term).all_ids())
            checked += 1
        assert checked == 5
        count = reader.doc_count_all()
    with Searcher(index_dir=tmp_path / "inc") as s:
        ties = s._reader.ties()
        assert len(ties) == count and sorted(ties.order()) == list(range(count))
        assert names(s.search("ji", limit=5)) == names(s.results("ji", limit=None).hits[:5])


def test_a_new_name_inside_older_records_is_counted_in_them_too(tmp_path, copy_full_index, monkeypatch):
    """The completion count of a name new to the index is searched in every record (through
    the index's character postings), not only in the new ones: 七台河石墨烯 is also in the
    seed record 七台河石墨烯产业集群."""
    path = tmp_path / "short.csv"
    path.write_text("name,province,city,program,year\n七台河石墨烯,黑龙江,七台河市,地方产业集群,2024\n",
                    encoding="utf-8")
    copy_full_index(tmp_path / "inc")
    build_from_seeds(tmp_path / "inc", extra=[path])
    gen = current_generation(tmp_path / "inc")
    assert read_meta(gen)["incremental"] is True
    copy_full_index(tmp_path / "full")
    monkeypatch.setattr(index.incremental, "MAX_SEGMENTS", 0)
    build_from_seeds(tmp_path / "full", extra=[path])
    full = current_generation(tmp_path / "full")
    for name in TABLES:
        assert (gen / name).read_bytes() == (full / name).read_bytes(), name
    entries = {e[0]: e[3] for e in json.loads((gen / "complete.json").read_text(encoding="utf-8"))["entries"]}
    assert entries["七台河石墨烯"] == 2


@pytest.fixture(scope="module")
def relisted(corpus, tmp_path_factory) -> list[Path]:
    """Two lists that re-list seed clusters under other programs (related links to the seed
    records and between themselves) and one that re-lists seed clusters under their own
    program (merged into the seed records)."""
    import csv

    folder = tmp_path_factory.mktemp("relisted")
    paths = []
    for n, program in enumerate(("市级重点产业集群", "县域特色产业集群", None)):
        path = folder / f"list-{n}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fp:
            w = csv.writer(fp)
            w.writerow(["name", "province", "city", "district", "program", "year"])
            for r in corpus.records[n::5]:
                name = r.name if program is None else r.short_name + ("特色产业集群", "产业集群")[n]
                w.writerow([name, r.province or "", r.city or "", r.district or "", program or r.program,
                            2020 + n])
        paths.append(path)
    return paths


def _full_tables(tmp_path: Path, name: str, copy_full_index, lists: list[Path], monkeypatch) -> Path:
    copy_full_index(tmp_path / name)
    with monkeypatch.context() as m:
        m.setattr(index.incremental, "MAX_SEGMENTS", 0)  # no reuse: a full build
        build_from_seeds(tmp_path / name, extra=lists)
    gen = current_generation(tmp_path / name)
    assert read_meta(gen)["incremental"] is False
    return gen


def _same_tables(got: Path, want: Path) -> None:
    for name in TABLES:
        assert (got / name).read_bytes() == (want / name).read_bytes(), name


@pytest.mark.parametrize("processes", ["one", "forked", "forks-fail"])
def test_adding_and_removing_merged_and_related_lists_equals_full_builds(tmp_path, relisted, copy_full_index,
                                                                        monkeypatch, processes):
    """Records merged with a list's records, records linked to them, a list removed from the
    middle (every later record moves): each step's tables are a full build's. Whether the
    links, the records file and the corpus cache's delta are made in forked processes (as at
    100,000 records), in this one, or here after the forked ones died."""
    import os

    import index.build
    import index.workers

    copy_full_index(tmp_path / "inc")
    if processes != "one":
        monkeypatch.setattr(index.workers, "_forkable", lambda: True)
        monkeypatch.setattr(index.workers, "PARALLEL_MIN", 2)
    if processes == "forks-fail":
        def beside(task, records, told=False):
            parent = os.getpid()

            def dies(*args):
                if os.getpid() != parent:
                    os._exit(3)  # the forked process dies without a word
                task(*args)

            return index.workers.beside(dies, records, told)

        monkeypatch.setattr(index.build, "beside", beside)
        import index.vocab  # the process cutting the texts dies too: they are cut here

        monkeypatch.setattr(index.vocab, "_cut_texts", lambda conn, cache_dir: os._exit(3))
    import index.corpus.cache

    for n in range(1, len(relisted) + 1):
        with monkeypatch.context() as m:
            if n == 2:  # the cache differs too much from its base: written whole (its links made here)
                m.setattr(index.corpus.cache, "REBASE", 10 ** 9)
            build_from_seeds(tmp_path / "inc", extra=[relisted[n - 1]])
        # The cache is a delta against the last one written whole.
        assert (current_generation(tmp_path / "inc") / "corpus-delta.pickle").exists() is (n != 2)
        gen = current_generation(tmp_path / "inc")
        assert read_meta(gen)["incremental"] is True
        _same_tables(gen, _full_tables(tmp_path, f"full-{n}", copy_full_index, relisted[:n], monkeypatch))
        _ties_as_the_columns_give_them(gen, tmp_path / f"ties-{n}")
    records = [json.loads(line) for line in _records_lines(gen)]
    assert sum(len(r["related"]) for r in records) > 50 and sum(len(r["lists"]) > 1 for r in records) > 50
    build_from_seeds(tmp_path / "inc", remove=["list-0"])  # the first: every record after it moves
    gen = current_generation(tmp_path / "inc")
    assert read_meta(gen)["incremental"] is True
    _same_tables(gen, _full_tables(tmp_path, "full-12", copy_full_index, relisted[1:], monkeypatch))
    _ties_as_the_columns_give_them(gen, tmp_path / "ties-12")


def _ties_as_the_columns_give_them(gen: Path, scratch: Path) -> None:
    """The tie table and live documents an incremental build took from the corpus cache's
    tie values (`CorpusCache.docs`) are those the index's own columns give."""
    import shutil

    from index.build import write_ties_from_index
    from index.corpus.cache import read_cache
    from index.incremental import _live_documents

    meta = read_meta(gen)
    docs = read_cache(gen, meta["code"]).docs
    assert docs is not None
    shutil.copytree(gen, scratch)
    write_ties_from_index(scratch)  # from the columns
    assert (scratch / "ties.bin").read_bytes() == (gen / "ties.bin").read_bytes()
    ids = json.loads(json.dumps([line["id"] for line in map(json.loads, _records_lines(gen))]))
    fast, slow = _live_documents(gen, docs, ids), _live_documents(gen, None, ids)
    assert fast[0] is not None and slow[0] is not None
    assert {rid: fast[0][rid] for rid in ids} == slow[0] and fast[1:] == slow[1:]


def _records_lines(gen: Path) -> list[str]:
    """Each record as the query layer reads it (its links from the links file), a JSON line."""
    from search.records import RecordStore

    return [json.dumps(d, ensure_ascii=False) for d in RecordStore(gen / "records.zjsonl").rows()]


@pytest.mark.parametrize("damage", ["no-made", "damaged", "missing"])
def test_an_add_without_the_previous_builds_corpus_state_is_still_a_full_builds(tmp_path, relisted, copy_full_index,
                                                                               monkeypatch, damage):
    """The corpus cache's record of what each record was made from: missing (a cache of older
    code), damaged or gone, the add still ends with a full build's tables and keeps every list."""
    import pickle

    from index.corpus.cache import CORPUS_CACHE
    from index.store import file_records, sealed_meta

    copy_full_index(tmp_path / "inc")
    build_from_seeds(tmp_path / "inc", extra=[relisted[0]])
    gen = current_generation(tmp_path / "inc")
    path = gen / CORPUS_CACHE
    if damage == "no-made":  # rewritten without it, its checksum updated: a valid older cache
        data = pickle.loads(path.read_bytes())
        del data["sections"]["made"]
        path.write_bytes(pickle.dumps(data))
        meta = read_meta(gen)
        meta["files"] = file_records(gen)
        (gen / "meta.json").write_text(json.dumps(sealed_meta({k: v for k, v in meta.items() if k != "checksum"})),
                                       encoding="utf-8")
        assert check_generation(gen, read_meta(gen), full=True) == []
    elif damage == "damaged":
        path.write_bytes(path.read_bytes()[:-100] + b"x" * 100)
    else:
        path.unlink()
    build_from_seeds(tmp_path / "inc", extra=[relisted[1]])
    now = current_generation(tmp_path / "inc")
    assert [a["key"] for a in read_meta(now)["lists"]] == ["list-0", "list-1"]
    assert read_meta(now)["incremental"] is (damage == "no-made")  # a damaged base is not extended
    _same_tables(now, _full_tables(tmp_path, "full", copy_full_index, relisted[:2], monkeypatch))
