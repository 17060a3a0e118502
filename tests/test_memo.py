"""The build memo (`index.memo`): a rebuild of the same seeds and code takes the seed corpus,
texts' cuts and readings from the per-user data directory instead of loading jieba and
pypinyin, and writes the same index; a changed input or a damaged memo is no memo."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import index.build
import index.memo
import index.readings
import index.vocab
from index.ensure import build_from_seeds, code_fingerprint
from index.memo import BuildMemo, library_signature, memo_path
from index.store import current_generation
from index.user_files import CONFIG_ENV
from test_determinism import TABLES, segment_bytes


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """A per-user data directory of the test's own: no memo to start with."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


def _loads(monkeypatch) -> list[str]:
    """Which of jieba's tokenizer and pypinyin's reader a build makes (they are made only on a
    memo miss, so an empty list means every text came from the memo)."""
    made: list[str] = []
    make_tokenizer, reader = index.vocab.make_tokenizer, index.readings.Reader

    def tokenizer(*args, **kwargs):
        made.append("jieba")
        return make_tokenizer(*args, **kwargs)

    def new_reader(*args, **kwargs):
        made.append("pypinyin")
        return reader(*args, **kwargs)

    monkeypatch.setattr(index.vocab, "make_tokenizer", tokenizer)
    monkeypatch.setattr(index.readings, "Reader", new_reader)
    return made


def _same_index(one: Path, two: Path) -> None:
    for name in TABLES:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    assert segment_bytes(one) == segment_bytes(two)


def test_a_rebuild_takes_everything_from_the_memo_and_writes_the_same_index(tmp_path, data_home, monkeypatch):
    made = _loads(monkeypatch)
    build_from_seeds(tmp_path / "index")
    first = current_generation(tmp_path / "index")
    assert sorted(made) == ["jieba", "pypinyin"]
    memo = BuildMemo.load(f"{code_fingerprint()}-{library_signature()}")
    assert memo_path() == data_home / "clsearch" / "cache" / "build-memo.pickle"
    assert memo.seeds is not None and memo.pinyin is not None and len(memo.cuts) > 500 and len(memo.reads) > 500
    assert "常州光伏创新型产业集群" in memo.cuts and "常州光伏创新型产业集群" in memo.reads
    written = memo_path().stat().st_mtime_ns

    made.clear()
    build_from_seeds(tmp_path / "index")  # the same seeds and code: no jieba, no pypinyin
    second = current_generation(tmp_path / "index")
    assert made == [] and second != first
    _same_index(first, second)
    assert memo_path().stat().st_mtime_ns == written  # nothing new: not written again

    made.clear()
    build_from_seeds(tmp_path / "elsewhere")  # another index directory: the memo is per user
    assert made == []
    _same_index(first, current_generation(tmp_path / "elsewhere"))


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty", "not-a-dict", "folder"])
def test_a_damaged_memo_is_ignored(tmp_path, data_home, monkeypatch, damage):
    build_from_seeds(tmp_path / "before")
    want = current_generation(tmp_path / "before")
    path = memo_path()
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[:len(raw) // 2])
    elif damage == "flipped":
        at = len(raw) - 100
        path.write_bytes(raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1:])
    elif damage == "garbage":
        path.write_bytes(b"\x80\x04garbage" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "not-a-dict":
        from index import memo

        payload = memo.zlib.compress(pickle.dumps(["not", "a", "memo"]))
        path.write_bytes(memo._MAGIC + memo.hashlib.sha256(payload).digest() + payload)
    else:
        path.unlink()
        path.mkdir()
    assert BuildMemo.load(f"{code_fingerprint()}-{library_signature()}").cuts == {}
    made = _loads(monkeypatch)
    build_from_seeds(tmp_path / "index")
    assert sorted(made) == ["jieba", "pypinyin"]  # computed afresh
    _same_index(want, current_generation(tmp_path / "index"))
    if damage != "folder":  # and a good memo written in its place
        assert len(BuildMemo.load(f"{code_fingerprint()}-{library_signature()}").cuts) > 500


def test_a_changed_input_starts_afresh(tmp_path, data_home, monkeypatch):
    """A user's synonyms file is part of the code fingerprint, and so of the memo's key."""
    build_from_seeds(tmp_path / "one")
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv(CONFIG_ENV, str(config))
    (config / "synonyms.txt").write_text("锂电 锂离子电池\n", encoding="utf-8")
    made = _loads(monkeypatch)
    build_from_seeds(tmp_path / "two")
    assert sorted(made) == ["jieba", "pypinyin"]
    key = f"{code_fingerprint()}-{library_signature()}"
    assert BuildMemo.load(key).key == key and BuildMemo.load(key).cuts  # the new key's memo replaced the old
    assert BuildMemo.load(key + "x").cuts == {}


def test_a_memo_keeps_only_what_its_build_used(tmp_path):
    path = tmp_path / "memo.pickle"
    memo = BuildMemo("k")
    cut = memo.cutter(lambda text: ((text,), frozenset({0, len(text)})))
    assert cut("锂电") == (("锂电",), frozenset({0, 2}))
    cut("光伏")
    memo.save(b"seeds", path)
    again = BuildMemo.load("k", path)
    assert again.seeds == b"seeds" and set(again.cuts) == {"锂电", "光伏"}

    def unexpected(text):
        raise AssertionError(text)

    assert again.cutter(unexpected)("光伏") == (("光伏",), frozenset({0, 2}))
    again.save(b"seeds", path)
    assert set(BuildMemo.load("k", path).cuts) == {"光伏"}
    assert BuildMemo.load("other", path).cuts == {}


def test_a_memo_that_cannot_be_written_is_only_a_slower_next_build(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    memo = BuildMemo("k")
    memo.cutter(lambda text: ((), frozenset()))("x")
    memo.save(None, blocked / "cache" / "memo.pickle")  # its folder cannot be made: no error
    assert list(tmp_path.iterdir()) == [blocked]


def test_a_big_build_neither_reads_nor_writes_the_memo(tmp_path, data_home, monkeypatch, jieba_cache):
    from conftest import small_records

    monkeypatch.setattr(index.build, "MAX_RECORDS", 10)  # the 18 hand-made records are "big"
    memo = BuildMemo("k")
    index.build.build_index(tmp_path / "index", small_records(), "v1", cache_dir=jieba_cache, memo=memo)
    assert memo.used_cuts == {} and not memo_path().exists()


def test_an_interrupt_while_the_memo_is_written_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "memo.pickle"
    memo = BuildMemo("k")
    memo.cutter(lambda text: ((text,), frozenset({0, len(text)})))("锂电")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(index.memo.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        memo.save(None, path)
    assert list(path.parent.iterdir()) == []


def test_leftovers_of_writers_that_no_longer_run_are_swept_by_the_next_write(tmp_path):
    path = tmp_path / "memo.pickle"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is free now (reaped)
    leftovers = {
        "dead": tmp_path / f".memo.pickle.{dead.pid}",
        "alive": tmp_path / f".memo.pickle.{os.getppid()}",  # a writer still at work
        "other": tmp_path / ".memo.pickle.notapid",
    }
    for leftover in leftovers.values():
        leftover.write_bytes(b"half a memo")
    memo = BuildMemo("k")
    memo.cutter(lambda text: ((text,), frozenset({0, len(text)})))("光伏")
    memo.save(None, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["memo.pickle", leftovers["alive"].name, leftovers["other"].name])
    assert set(BuildMemo.load("k", path).cuts) == {"光伏"}
