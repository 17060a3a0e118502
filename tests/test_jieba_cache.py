"""jieba's dictionary cache: kept in the per-user data directory, read back as jieba makes it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from index.vocab import jieba_cache_dir, make_tokenizer

NAME = "常州光伏创新型产业集群"


def test_the_cache_read_back_is_the_dictionary_jieba_made(tmp_path):
    made = make_tokenizer(tmp_path)  # no cache yet: jieba makes the dictionary and writes it
    (cache,) = tmp_path.glob("jieba-*.cache")
    read = make_tokenizer(tmp_path)  # from the cache's bytes
    assert read.initialized and read.FREQ == made.FREQ and read.total == made.total
    assert read.lcut(NAME) == made.lcut(NAME) == ["常州", "光伏", "创新型", "产业集群"]
    cache.write_bytes(b"not a cache")  # damaged: made again, and rewritten
    again = make_tokenizer(tmp_path)
    assert again.FREQ == made.FREQ and cache.stat().st_size > 1000


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_DATA_HOME is where Linux keeps it")
def test_the_cache_lives_in_the_user_data_directory_or_else_the_index(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert jieba_cache_dir(tmp_path / "ix") == (tmp_path / "data" / "clsearch" / "cache").absolute()
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "file"))  # cannot hold a folder
    assert jieba_cache_dir(tmp_path / "ix") == tmp_path / "ix" / "cache"
    assert Path(tmp_path / "ix" / "cache").is_dir()


def test_the_cache_earlier_versions_kept_in_the_index_directory_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    old = tmp_path / "ix" / "cache" / "jieba.cache"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x" * 1000)
    kept = old.with_name("corpus.pickle")  # anything else in that folder is not touched
    kept.write_bytes(b"y")
    jieba_cache_dir(tmp_path / "ix")
    assert sorted(p.name for p in old.parent.iterdir()) == ["corpus.pickle"]
    jieba_cache_dir(tmp_path / "ix")  # and nothing to remove is no error
