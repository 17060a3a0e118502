"""The corpus cache (index.corpus.cache): a build that starts from the previous build's corpus
work ends with exactly the records, problems and links a build from scratch makes."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from pathlib import Path

import pytest

from index.corpus import load_corpus
from index.corpus.cache import CorpusCache
from index.corpus.load import load_groups
from index.corpus.places import load_regions
from index.corpus.related import link_related
from index.corpus.related_delta import link_related_from

# Re-lists a seed cluster (same program and name: merged into the seed record), and one of
# another program in the same place and industry as a seed cluster (a related link).
MINE = ("name,province,city,program,year\n"
        "七台河石墨烯产业集群,黑龙江,七台河市,创新型产业集群,2021\n"
        "宁德锂电新能源产业集群,福建,宁德市,地方产业集群,2024\n")


def dump(corpus) -> tuple:
    return ([r.to_dict() for r in corpus.records], [tuple(p) for p in corpus.problems], corpus.entries)


def roundtrip(cache: CorpusCache) -> CorpusCache:
    return CorpusCache.from_bytes(cache.to_bytes(), cache.code)


@pytest.fixture(scope="module")
def lists(corpus, tmp_path_factory) -> list[Path]:
    """Three lists that re-list the seed clusters under other programs (many related links,
    among themselves and with the seeds), and MINE."""
    folder = tmp_path_factory.mktemp("lists")
    programs = ("市级重点产业集群", "县域特色产业集群", "省级先进制造业集群")
    paths = []
    for n, program in enumerate(programs):
        path = folder / f"list-{n}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fp:
            w = csv.writer(fp)
            w.writerow(["name", "province", "city", "district", "program", "year"])
            for r in corpus.records[n::2]:
                w.writerow([r.short_name + ("特色产业集群", "产业集群", "先进制造业集群")[n], r.province or "",
                            r.city or "", r.district or "", program, 2020 + n])
        paths.append(path)
    mine = folder / "mine.csv"
    mine.write_text(MINE, encoding="utf-8")
    return [*paths, mine]


def test_adding_and_removing_lists_with_the_cache_equals_loading_from_scratch(lists):
    first, rest = lists[:1], lists[1:]
    cache = CorpusCache(code="test")
    assert dump(load_corpus(extra_tables=first, cache=cache)) == dump(load_corpus(extra_tables=first))
    for n in range(2, len(lists) + 1):  # add one list at a time
        cache = roundtrip(cache)
        got = load_corpus(extra_tables=lists[:n], cache=cache)
        want = load_corpus(extra_tables=lists[:n])
        assert dump(got) == dump(want), n
    assert sum(len(r.related) for r in want.records) > 100
    assert any(len(r.lists) > 1 and r.lists[-1] == "mine" for r in want.records)
    for gone in (lists[-1], lists[1], lists[0]):  # remove the last, a middle, the first
        kept = [p for p in lists if p != gone]
        got = load_corpus(extra_tables=kept, cache=roundtrip(cache))
        assert dump(got) == dump(load_corpus(extra_tables=kept)), gone.name
    assert rest


def test_links_after_changed_moved_and_removed_records_equal_a_full_run(lists):
    records = load_corpus(extra_tables=lists).records
    regions, groups = load_regions(), load_groups()
    rng = random.Random(3)
    before = [replace(r, related=[]) for r in records if rng.random() < 0.8]
    state = link_related_from(None, before, regions, groups)
    after = []
    for r in records:
        roll = rng.random()
        if roll < 0.05:
            r = replace(r, city=None, district=None)  # a changed place
        elif roll < 0.1:
            r = replace(r, name=r.name.replace("产业集群", "集群"))  # a changed name
        after.append(replace(r, related=[]))
    fresh = [replace(r, related=[]) for r in after]
    link_related(fresh, regions, groups)
    link_related_from(state, after, regions, groups)
    assert [r.related for r in after] == [r.related for r in fresh]
    assert sum(len(r.related) for r in fresh) > 100
    turned = [replace(r, related=[]) for r in reversed(after)]  # another order: a full run
    link_related_from(state, turned, regions, groups)
    fresh = [replace(r, related=[]) for r in reversed(after)]
    link_related(fresh, regions, groups)
    assert [r.related for r in turned] == [r.related for r in fresh]


def test_a_cache_of_other_code_or_damaged_is_no_cache():
    cache = CorpusCache(code="a", seeds=b"x")
    assert CorpusCache.from_bytes(cache.to_bytes(), "b").seeds is None
    assert CorpusCache.from_bytes(b"not a cache", "a").seeds is None


def test_to_dict_is_asdict_with_the_builder(corpus, lists):
    from dataclasses import asdict

    records = load_corpus(extra_tables=lists).records
    assert any(r.related for r in records) and any(len(r.sources) > 1 for r in records)
    for r in records:
        assert r.to_dict() == {**asdict(r), "builder": r.builder}
        assert list(r.to_dict()) == [*asdict(r), "builder"]  # the same key order: the same JSON


def test_updating_a_typo_table_gives_the_table_of_the_new_words(tmp_path):
    from index.typotable import TypoTable, update_typo_table, write_typo_table

    rng = random.Random(5)
    words = {"".join(rng.choice("abcdeghz") for _ in range(rng.randint(1, 7))) for _ in range(400)}
    before = set(list(words)[:300])
    after = set(list(words)[100:])
    write_typo_table(tmp_path / "before.tsv", before)
    write_typo_table(tmp_path / "want.tsv", after)
    update_typo_table((tmp_path / "before.tsv").read_bytes(), tmp_path / "got.tsv", after - before, before - after)
    assert (tmp_path / "got.tsv").read_bytes() == (tmp_path / "want.tsv").read_bytes()
    table = TypoTable(tmp_path / "got.tsv")
    word = sorted(after - before)[0]
    assert word in table.get(word)
    table.close()
    update_typo_table(b"", tmp_path / "empty.tsv", after, set())
    assert (tmp_path / "empty.tsv").read_bytes() == (tmp_path / "want.tsv").read_bytes()


def _saved(gen: Path, cache: CorpusCache) -> CorpusCache:
    """`cache` written into a new generation directory `gen` and read back as a build reads it."""
    import json

    from index.corpus.cache import read_cache, write_cache
    from index.store import file_records, sealed_meta

    gen.mkdir()
    write_cache(gen, cache)
    (gen / "meta.json").write_text(json.dumps(sealed_meta({"code": cache.code, "files": file_records(gen)})),
                                   encoding="utf-8")
    return read_cache(gen, cache.code)


def _kept(cache: CorpusCache) -> dict:
    """What a cache keeps for the next build (as it would be written whole)."""
    import pickle
    import zlib

    kept = pickle.loads(cache.to_bytes())
    kept.update((name, pickle.loads(zlib.decompress(value))) for name, value in kept.pop("sections").items())
    return {k: v for k, v in kept.items() if k not in ("version", "code")}


def _held(cache: CorpusCache) -> dict:
    """What a cache read from a generation holds."""
    return {"seeds": cache.seeds, "tables": cache.tables, "places": cache.places, "related": cache.links(),
            "words": cache.words.raw, "counts": cache.counts, "made": cache.made, "held": cache.held, "docs": cache.docs,
            "place_keys": cache.place_keys, "order": cache.order, "mixed": cache.mixed}


def test_a_change_of_lists_writes_only_what_differs_and_reads_back_the_whole_cache(lists, tmp_path):
    """After an add or remove, the cache is the previous file (hard-linked) and a small delta
    beside it; read back, it holds what the whole cache would, and the next build's links
    and records equal a build from scratch."""
    from index.corpus.cache import CORPUS_CACHE, CORPUS_DELTA

    cache = CorpusCache(code="test")
    load_corpus(extra_tables=lists[:2], cache=cache).link  # noqa: B018 - linked already
    first = _saved(tmp_path / "g1", cache)
    assert not (tmp_path / "g1" / CORPUS_DELTA).exists()  # a cache read from nowhere is written whole
    assert _held(first) == _kept(cache)
    steps = [lists[:3], lists[:4], lists[:2] + lists[3:], lists[:1]]  # add, add, remove, remove two
    previous = first
    for n, tables in enumerate(steps, 2):
        corpus = load_corpus(extra_tables=tables, cache=previous)
        assert dump(corpus) == dump(load_corpus(extra_tables=tables)), n
        written = _saved(tmp_path / f"g{n}", previous)
        gen = tmp_path / f"g{n}"
        assert (gen / CORPUS_DELTA).exists(), n
        assert (gen / CORPUS_CACHE).stat().st_ino == (tmp_path / "g1" / CORPUS_CACHE).stat().st_ino  # linked
        assert _held(written) == _kept(previous), n
        previous = written


def test_a_delta_that_differs_too_much_or_does_not_match_its_base_is_not_used(lists, tmp_path, monkeypatch):
    import index.corpus.cache as cache_module
    from index.corpus.cache import CORPUS_DELTA

    cache = CorpusCache(code="test")
    load_corpus(extra_tables=lists[:1], cache=cache)
    first = _saved(tmp_path / "g1", cache)
    load_corpus(extra_tables=lists, cache=first)  # three more lists: more than half again
    monkeypatch.setattr(cache_module, "REBASE", 2)
    whole = _saved(tmp_path / "g2", first)
    assert not (tmp_path / "g2" / CORPUS_DELTA).exists() and _held(whole) == _kept(first)
    raw = (tmp_path / "g1" / "corpus.pickle").read_bytes()
    second = CorpusCache.from_bytes(raw, "test", base_path=tmp_path / "g1" / "corpus.pickle", base_sha="x")
    load_corpus(extra_tables=lists[:2], cache=second)
    delta = second.delta()
    assert delta is not None
    assert CorpusCache.from_bytes(raw, "test", delta, base_sha="y").seeds is None  # another base: no cache
    assert CorpusCache.from_bytes(raw, "test", delta, base_sha="x").seeds is not None


@pytest.mark.parametrize("processes", ["one", "two"])
def test_unchanged_lists_records_are_taken_as_the_previous_build_made_them(lists, monkeypatch, processes):
    """An add whose records merge with no earlier one, and a removal of a list no other list's
    record holds a listing of, unpickle the other lists' records as they were (no merge, no
    places made again); the rest parse every list again. Either way: the records of a build
    from scratch, and only the new records are marked changed."""
    import index.corpus.load as load

    taken: list[bool] = []
    reuse = load._reuse

    def spy(*args, **kwargs):
        found = reuse(*args, **kwargs)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(load, "_reuse", spy)
    if processes == "two":  # the new lists' records made in a forked process
        import index.workers

        monkeypatch.setattr(load, "PARALLEL_MIN", 0)
        monkeypatch.setattr(index.workers, "_forkable", lambda: True)
    first, second, third, mine = lists
    cache = CorpusCache(code="test")
    load_corpus(extra_tables=[first, second], cache=cache)
    assert taken == [False] and cache.order is not None and len(cache.owned) == 3
    steps = [([first, second, third], True), ([second, third], True), ([second, third, mine], False),
             ([second, third], False), ([third], True)]
    for tables, fast in steps:
        before = roundtrip(cache)
        ids = set(before.made)
        cache = roundtrip(cache)
        got = load_corpus(extra_tables=tables, cache=cache, link_later=True)
        assert taken[-1] is fast, [p.name for p in tables]
        if fast:  # before the links are made (they add the records whose links alone changed)
            assert cache.changed == {n for n, r in enumerate(got.records) if r.id not in ids}
        assert got.link is not None
        got.link()
        assert dump(got) == dump(load_corpus(extra_tables=tables)), [p.name for p in tables]
        assert cache.order is not None
    # A list changed (the same name, other contents): the old one removed, the new one added.
    changed = third.parent / "changed" / third.name
    changed.parent.mkdir(exist_ok=True)
    changed.write_text(third.read_text(encoding="utf-8").replace("2022", "2019"), encoding="utf-8")
    got = load_corpus(extra_tables=[changed], cache=roundtrip(cache))
    assert taken[-1] is True and dump(got) == dump(load_corpus(extra_tables=[changed]))
    # A new list before an earlier one: every list parsed again.
    got = load_corpus(extra_tables=[first, third], cache=roundtrip(cache))
    assert taken[-1] is False and dump(got) == dump(load_corpus(extra_tables=[first, third]))


def test_a_version_3_cache_is_read_without_its_list_parts_and_written_whole(lists, tmp_path):
    """A cache of the previous version (its list parts were the lists' records as parsed): its
    places, links and words are used, its list parts left out (every list is parsed again), and
    the next cache is written whole (never a delta against it)."""
    import pickle
    import zlib

    cache = CorpusCache(code="test")
    load_corpus(extra_tables=lists[:2], cache=cache)
    cache.words["常州光伏"], cache.words["无"] = ("常州", "光伏"), ()  # the completion's memo of cuts
    cache.used_words.update(["常州光伏", "无"])
    small, large = cache._kept()
    large["related"] = pickle.dumps(large["related"], protocol=pickle.HIGHEST_PROTOCOL)
    large["words"] = {text: cache.words[text] for text in large["words"]}  # version 3: tuples of words
    old = zlib.compress(pickle.dumps({**small, **large, "version": 3}, protocol=pickle.HIGHEST_PROTOCOL), 1)
    read = CorpusCache.from_bytes(old, "test", None, tmp_path / "corpus.pickle", "sha")
    assert read.tables == {} and read.places == cache.places and read.made == cache.made
    assert read.words.raw == {"常州光伏": "常州\0光伏", "无": ""} and read.words["常州光伏"] == ("常州", "光伏")
    assert read.words["无"] == () and dict(read.words) == dict(cache.words)
    assert read.links() == cache.links() and read.base is None and read.base_path is None
    got = load_corpus(extra_tables=lists[:3], cache=read)
    assert dump(got) == dump(load_corpus(extra_tables=lists[:3]))
    assert read.order is not None and read.delta() is None
    # With a delta of that version (its words tuples too).
    delta = {"version": 2, "code": "test", "base": "sha", "sections": {"words": ({"新材料": ("新", "材料")}, ["无"])},
             "whole": {"seeds": cache.seeds, "counts": {}, "held": None, "docs": None}}
    read = CorpusCache.from_bytes(old, "test", zlib.compress(pickle.dumps(delta)), tmp_path / "corpus.pickle", "sha")
    assert read.words.raw == {"常州光伏": "常州\0光伏", "新材料": "新\0材料"} and read.base is None
