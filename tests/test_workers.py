"""Indexing on two cores (index.workers): a forked worker prepares a share of the records and
writes the record tables, and the index is the one a single process writes."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from functools import partial
from pathlib import Path

import pytest

import index.build
import index.segment
import index.workers
from index.ensure import build_from_seeds
from index.store import check_generation, current_generation, read_meta

TABLES = ("lexicon.json", "typos.tsv", "complete.json", "values.json", "records.zjsonl", "charmap.json",
          "ties.bin", "lexstate.json")

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


@pytest.fixture(autouse=True)
def forking(monkeypatch):
    """Fork whatever the machine: one CPU, or threads other tests left behind (idle ones)."""
    monkeypatch.setattr(index.workers, "_forkable", lambda: True)
    monkeypatch.setattr(index.workers, "PARALLEL_MIN", 2)


def whoosh_content(gen: Path) -> tuple:
    from whoosh import index as windex

    with windex.open_dir(str(gen)).reader() as r:
        postings = [(f, t, list(r.postings(f, t).all_ids())) for f, t in r.all_terms()]
        columns = [list(r.column_reader(c)) for c in ("id", "order", "tie", "doc")]
        return postings, list(r.all_stored_fields()), columns


def test_a_build_with_a_worker_writes_what_one_process_writes(tmp_path, full_index, monkeypatch):
    pids = tmp_path / "pids"
    write_lines = index.build.write_record_lines

    def spy(*args):
        with open(pids, "a") as fp:
            fp.write(f"{os.getpid()}\n")
        write_lines(*args)

    monkeypatch.setattr(index.build, "write_record_lines", spy)
    report = build_from_seeds(tmp_path / "ix")
    assert pids.read_text().split() != [str(os.getpid())]  # the worker wrote the records file
    assert not list(report.generation.glob(".worker-*"))  # its hand-over file is gone
    gen, serial = current_generation(tmp_path / "ix"), current_generation(full_index)
    assert check_generation(gen, read_meta(gen), full=True) == []
    for name in TABLES + ("corpus.pickle",):
        assert (gen / name).read_bytes() == (serial / name).read_bytes(), name
    assert whoosh_content(gen) == whoosh_content(serial)


def test_a_failed_worker_leaves_its_work_to_this_process(tmp_path, full_index, monkeypatch):
    def fail(*args):
        os._exit(3)  # the worker dies without a word

    monkeypatch.setattr(index.workers, "_work", fail)
    build_from_seeds(tmp_path / "ix")
    gen, serial = current_generation(tmp_path / "ix"), current_generation(full_index)
    for name in TABLES:
        assert (gen / name).read_bytes() == (serial / name).read_bytes(), name
    assert whoosh_content(gen) == whoosh_content(serial)


def test_a_worker_failing_half_way_leaves_what_it_claimed_to_this_process(tmp_path, full_index, monkeypatch):
    parent, add = os.getpid(), index.segment.Postings.add
    done = []

    def dying(self, fields, docnum):
        if os.getpid() != parent:
            done.append(docnum)
            if len(done) > 150:  # after its first chunk (100 records) and half the next
                os._exit(3)
        return add(self, fields, docnum)

    monkeypatch.setattr(index.segment.Postings, "add", dying)
    build_from_seeds(tmp_path / "ix")
    gen, serial = current_generation(tmp_path / "ix"), current_generation(full_index)
    for name in TABLES:
        assert (gen / name).read_bytes() == (serial / name).read_bytes(), name
    assert whoosh_content(gen) == whoosh_content(serial)


def test_the_two_processes_claim_every_record_once_from_both_ends():
    claims = index.workers._Claims(multiprocessing.get_context("fork"), 2500)
    low, high = [], []
    while True:
        a, b = claims.low(), claims.high()
        low += [a] if a else []
        high += [b] if b else []
        if not (a or b):
            break
    assert low[0] == (0, 312) and high[0] == (2500 - 273, 2500)  # an eighth of what is left, 100 to 1000
    spans = sorted(low + high)
    assert spans[0][0] == 0 and spans[-1][1] == 2500
    assert all(x[1] == y[0] for x, y in zip(spans, spans[1:]))  # contiguous, no overlap
    assert max(s for s, _ in low) < min(s for s, _ in high)  # this process's records come first
    assert claims.claimed() == 2500


def test_the_word_tables_written_beside_are_the_ones_this_process_writes(tmp_path, full_index, monkeypatch):
    """The lexicon, character map, typo table and counts come from a second forked process,
    the completion table and the corpus cache from a third; if they fail, this process writes
    them, the same."""
    calls = []

    def beside(task, records, told=False):
        parent = os.getpid()

        def flaky(*args):
            if os.getpid() != parent:
                os._exit(3)  # the forked process dies without a word
            calls.append(os.getpid())
            task(*args)

        return index.workers.beside(flaky, records, told)

    monkeypatch.setattr(index.build, "beside", beside)
    build_from_seeds(tmp_path / "ix")
    assert calls == [os.getpid()] * 2  # each done again here, once
    gen, serial = current_generation(tmp_path / "ix"), current_generation(full_index)
    for name in TABLES + ("corpus.pickle",):
        assert (gen / name).read_bytes() == (serial / name).read_bytes(), name


def test_in_two_computes_the_second_half_here_if_its_process_fails():
    parent = os.getpid()

    def task(x):
        if os.getpid() != parent and x == "there":
            os._exit(3)
        return x * 2

    assert index.workers.in_two(task, "here", "there") == ("herehere", "therethere")
    assert index.workers.in_two(lambda x: (x, os.getpid() == parent), 1, 2) == ((1, True), (2, False))


def test_an_interrupted_or_failing_worker_ends_without_a_traceback(capfd):
    """Ctrl-C reaches the whole process group: the build process says "interrupted" and the
    worker exits 130 without a word; a worker's error is one line (the build process redoes it)."""
    ctx = multiprocessing.get_context("fork")

    def interrupted():
        raise KeyboardInterrupt

    def failing(path):
        raise FileNotFoundError(2, "No such file or directory", path)

    codes = []
    for task, args in ((interrupted, ()), (failing, ("gen-x/.worker.tmp",))):
        worker = ctx.Process(target=index.workers._child, args=(task, *args))
        worker.start()
        worker.join()
        codes.append(worker.exitcode)
    assert codes == [130, 1]
    assert capfd.readouterr().err == (
        "clsearch: a build worker stopped (FileNotFoundError: [Errno 2] No such file or directory: "
        "'gen-x/.worker.tmp')\n")


def test_related_links_scored_in_two_halves_are_the_serial_ones(monkeypatch):
    import index.corpus.related as related
    from index.corpus import load_corpus
    from index.corpus.load import load_groups
    from index.corpus.places import load_regions

    records = load_corpus().records  # 477 records: linked in one process
    serial = [(r.id, list(r.related)) for r in records]
    assert sum(len(links) for _, links in serial) == 20  # 10 links, each on both records
    for r in records:
        r.related = []
    halves, split = [], related._halves
    monkeypatch.setattr(related, "PARALLEL_LINKS", 2)
    monkeypatch.setattr(related, "_halves", lambda rs: halves.append(split(rs)) or halves[-1])
    assert related.link_related(records, load_regions(), load_groups()) == sum(len(x) for _, x in serial) // 2
    assert all(halves[0])  # two non-empty halves, no province in both
    assert not {records[n].province for n in halves[0][0]} & {records[n].province for n in halves[0][1]}
    assert [(r.id, r.related) for r in records] == serial



def test_the_workers_claims_are_taken_only_when_they_cover_the_rest_exactly():
    tiles = index.workers._tiles
    assert tiles([(3, 5), (5, 9)], 3, 9) and tiles([], 9, 9)
    assert not tiles([(3, 5), (6, 9)], 3, 9)  # a gap
    assert not tiles([(3, 5)], 3, 9) and not tiles([(2, 9)], 3, 9) and not tiles(None, 3, 9)


def _lists(folder: Path, count: int, rows: int) -> list[Path]:
    """`count` CSV lists of `rows` clusters each; the second list repeats a row of the first."""
    folder.mkdir()
    counties = ["义乌市", "慈溪市", "高阳县", "丰台区", "江宁区", "榆次区"]
    provinces = ["浙江", "浙江", "河北", "北京", "江苏", "山西"]
    paths = []
    for k in range(count):
        lines = ["name,builder,province,program,year"]
        for n in range(rows):
            i = (k * rows + n) % len(counties)
            lines.append(f"{counties[i]}第{k}{n}号产业集群,{counties[i][:2]}产业园管委会,{provinces[i]},省级集群,2024")
        if k == 1:
            lines.append(f"{counties[0]}第00号产业集群,,浙江,省级集群,2024")
        path = folder / f"list-{k}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_lists_parsed_and_places_found_in_two_processes_are_the_serial_ones(tmp_path, monkeypatch):
    import index.corpus.divisions as divisions
    import index.corpus.load as load
    from index.corpus import load_corpus
    from index.corpus.cache import CorpusCache

    lists = _lists(tmp_path / "lists", 5, 40)

    def corpus():
        cache = CorpusCache(code="c")
        found = load_corpus(extra_tables=lists, cache=cache)
        return ([r.to_dict() for r in found.records], found.problems, found.entries,
                {k: pickle.loads(v) for k, v in cache.tables.items()}, cache.places)

    serial = corpus()
    assert len(serial[0]) == 477 + 5 * 40 and serial[0][477]["district"] == "义乌市"
    parent, part, where = os.getpid(), load._table_part, tmp_path / "where"

    def spy(path, *args):
        with open(where, "a") as fp:
            fp.write(f"{path.stem} {'here' if os.getpid() == parent else 'there'}\n")
        return part(path, *args)

    monkeypatch.setattr(load, "_table_part", spy)
    monkeypatch.setattr(load, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(divisions, "PARALLEL_PLACES", 1)
    assert corpus() == serial
    assert sorted(where.read_text().splitlines()) == [  # the last lists' bytes in the other process
        "list-0 here", "list-1 here", "list-2 there", "list-3 there", "list-4 there"]


def test_a_bad_list_parsed_in_the_other_process_is_reported_here(tmp_path, monkeypatch, capfd):
    import index.corpus.load as load
    from index.corpus import load_corpus
    from index.errors import SeedFormatError

    lists = _lists(tmp_path / "lists", 4, 20)
    lists[3].write_bytes(b"\xff\xfe not utf-8")
    monkeypatch.setattr(load, "PARALLEL_BYTES", 0)
    with pytest.raises(SeedFormatError, match="list-3.csv"):
        load_corpus(extra_tables=lists)
    assert capfd.readouterr().err == ""  # no word from the other process


def test_the_tables_of_counts_start_before_the_workers_documents_are_added(tmp_path, full_index, monkeypatch):
    """Once the worker's lexicon counts are merged, the word tables and the completion table
    are made in other processes while this one adds the worker's documents to the segment."""
    events = []
    add_prepared, beside = index.segment.SegmentBuilder.add_prepared, index.build.beside

    def adding(self, values, postings):
        events.append("documents")
        return add_prepared(self, values, postings)

    def started(task, records, told=False):
        events.append(getattr(getattr(task, "func", task), "__name__", "?"))
        return beside(task, records, told)

    monkeypatch.setattr(index.segment.SegmentBuilder, "add_prepared", adding)
    monkeypatch.setattr(index.build, "beside", started)
    build_from_seeds(tmp_path / "ix")
    assert events[:2] == ["side_tables", "_then_cache"] and set(events[2:]) == {"documents"}
    gen, serial = current_generation(tmp_path / "ix"), current_generation(full_index)
    for name in TABLES:
        assert (gen / name).read_bytes() == (serial / name).read_bytes(), name


@pytest.mark.parametrize("forked", [True, False])
def test_work_started_beside_waits_for_the_word_given_after_the_fork(tmp_path, monkeypatch, forked):
    """`beside(told=True)`: the task starts at once and asks for the word when it needs it;
    told True, False, or never told (False); done here with the same word if not forked."""
    monkeypatch.setattr(index.workers, "PARALLEL_MIN", 2)
    monkeypatch.setattr(index.workers, "_forkable", lambda: forked)

    def task(out: Path, planned) -> None:
        out.write_text(f"{os.getpid() != parent} {planned()}")

    parent = os.getpid()
    for n, word in enumerate([True, False, None]):
        out = tmp_path / f"out-{n}"
        then = index.workers.beside(partial(task, out), 10, told=True)
        assert then.forked is forked
        if word is not None:
            then.tell(word)
        then.finish()
        assert out.read_text() == f"{forked} {bool(word)}"


def test_work_started_beside_ends_when_its_parent_is_gone(tmp_path):
    """A process waiting for its word hears False once the process that forked it has
    ended, even if other processes still hold the pipe open."""
    out = tmp_path / "out"
    script = f"""
import os, sys, time
import index.workers as w
w.PARALLEL_MIN = 2
def task(planned):
    word = planned()
    open({str(out)!r}, "w").write(f"{{word}}")
then = w.beside(task, 10, told=True)
if os.fork() == 0:  # another process keeps the pipe's writing end open for a while
    time.sleep(4)
    os._exit(0)
os._exit(0)  # the parent ends without a word
"""
    import subprocess
    import sys
    import time

    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(index.workers.__file__).parent.parent)
    deadline = time.monotonic() + 10
    while not (out.exists() and out.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert out.read_text() == "False"
