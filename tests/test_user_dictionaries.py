"""The user's own synonyms, stop words and nicknames: files in the per-user config directory.

They extend the bundled dictionaries (never replace them), live outside the package so a
reinstall loses nothing, and are part of the index fingerprint.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from index.dictionaries import DATA_DIR, dictionary_files, load_stopwords, load_synonyms
from index.user_files import CONFIG_ENV, config_dir, user_file, user_files

SYNONYMS = "# my own\n新三样 => 锂电 光伏 新能源汽车\n"
STOPWORDS = "劳驾\n"


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "config"
    where.mkdir()
    monkeypatch.setenv(CONFIG_ENV, str(where))
    return where


def test_the_config_dir_is_per_user_and_can_be_moved(monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "elsewhere"))
    assert config_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv(CONFIG_ENV)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
        assert config_dir() == tmp_path / "xdg" / "clsearch"
        monkeypatch.delenv("XDG_CONFIG_HOME")
        assert config_dir() == Path.home() / ".config" / "clsearch"


def test_a_users_file_is_read_after_the_bundled_one(config):
    assert dictionary_files("synonyms.txt") == [DATA_DIR / "synonyms.txt"]
    (config / "synonyms.txt").write_text(SYNONYMS, encoding="utf-8")
    assert dictionary_files("synonyms.txt") == [DATA_DIR / "synonyms.txt", config / "synonyms.txt"]
    table = load_synonyms()
    assert table["新三样"] == ["锂电", "光伏", "新能源汽车"]
    assert table["锂电"] == ["锂电池", "锂离子电池"]  # the bundled groups are all still there


def test_stopwords_add_to_the_bundled_ones(config):
    before = load_stopwords()
    (config / "stopwords.txt").write_text(STOPWORDS, encoding="utf-8")
    assert load_stopwords() == sorted(set(before) | {"劳驾"})


def test_only_the_documented_files_are_taken_from_the_config_dir(config):
    (config / "domain_words.txt").write_text("劳驾 20000 n\n", encoding="utf-8")
    (config / "nicknames.tsv").write_text("", encoding="utf-8")
    assert user_file("domain_words.txt") is None
    assert dictionary_files("domain_words.txt") == [DATA_DIR / "domain_words.txt"]
    assert user_files() == [config / "nicknames.tsv"]


def test_the_fingerprint_covers_the_users_files(config):
    from index.ensure import bundled_fingerprint

    plain = bundled_fingerprint()
    (config / "synonyms.txt").write_text(SYNONYMS, encoding="utf-8")
    with_mine = bundled_fingerprint()
    assert with_mine != plain
    (config / "synonyms.txt").write_text(SYNONYMS + "劳驾 => 锂电\n", encoding="utf-8")
    assert bundled_fingerprint() not in (plain, with_mine)
    (config / "synonyms.txt").unlink()
    assert bundled_fingerprint() == plain


def test_an_index_built_with_the_users_files_uses_them_and_goes_stale_when_they_change(config, tmp_path):
    from search import Searcher

    (config / "synonyms.txt").write_text(SYNONYMS, encoding="utf-8")
    (config / "stopwords.txt").write_text(STOPWORDS, encoding="utf-8")
    where = tmp_path / "index"
    r = CliRunner().invoke(main, ["index", "build", "--index", str(where)])
    assert r.exit_code == 0, r.output
    with Searcher(index_dir=where) as s:
        names = [h.name for h in s.search("新三样", limit=100)]
        assert "西宁经开区锂电产业集群" in names and "常州光伏创新型产业集群" in names
        assert [h.name for h in s.search("劳驾 锂电", limit=50)] == [h.name for h in s.search("锂电", limit=50)]
    info = CliRunner().invoke(main, ["index", "info", "--index", str(where)])
    assert info.output.splitlines()[-1] == (f"user dictionaries: {config} (synonyms.txt, stopwords.txt; "
                                            "may hold synonyms.txt, stopwords.txt, nicknames.tsv)")
    fresh = CliRunner().invoke(main, ["新三样", "--json", "--index", str(where)])  # (no footer on stderr)
    assert fresh.exit_code == 0 and fresh.stderr == ""
    (config / "stopwords.txt").write_text(STOPWORDS + "请帮我\n", encoding="utf-8")
    stale = CliRunner().invoke(main, ["新三样", "--index", str(where)])
    assert stale.exit_code == 0
    assert stale.stderr.startswith(f"clsearch: warning: the index in {where} is out of date")


def test_without_the_users_files_those_words_find_nothing(full):
    """The control: the bundled dictionaries know neither word (so the test above can fail)."""
    assert full.search("新三样") == [] and full.search("劳驾 锂电") == []


def test_a_token_made_only_of_stop_words_is_dropped(full):
    lidian = [h.name for h in full.search("锂电")]
    assert len(lidian) == 3
    assert [h.name for h in full.search("锂电 有哪些")] == lidian
    assert [h.name for h in full.search("有哪些 锂电")] == lidian
