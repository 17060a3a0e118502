"""Indexing on two cores (index.workers): a forked worker prepares a share of the records and
writes the record tables, and the index is the one a single process writes."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

import index.build
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
    for name in TABLES:
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


def test_the_word_tables_written_beside_are_the_ones_this_process_writes(tmp_path, full_index, monkeypatch):
    """The lexicon, character map, typo table and counts come from a second forked process;
    if it fails, this process writes them, the same."""
    calls = []

    def beside(task, records):
        parent = os.getpid()

        def flaky():
            if os.getpid() != parent:
                os._exit(3)  # the forked process dies without a word
            calls.append(os.getpid())
            task()

        return index.workers.beside(flaky, records)

    monkeypatch.setattr(index.build, "beside", beside)
    build_from_seeds(tmp_path / "ix")
    assert calls == [os.getpid()]  # done again here, once
    gen, serial = current_generation(tmp_path / "ix"), current_generation(full_index)
    for name in TABLES:
        assert (gen / name).read_bytes() == (serial / name).read_bytes(), name
