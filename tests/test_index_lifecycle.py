"""Where the index lives, when it is built, and that a failed build never breaks search."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import index.ensure
import index.build
import index.store
from conftest import names, small_records
from index.build import build_index
from index.errors import IndexMissingError
from index.store import current_generation
from search import Searcher


def test_default_index_is_built_on_first_use_with_one_line(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    env.pop("CLSEARCH_INDEX", None)
    # cwd elsewhere: run the installed package, not the checkout (CI installs with pip install .)
    first = subprocess.run([sys.executable, "-m", "cli", "锂电", "--json"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, encoding="utf-8")
    assert first.returncode == 0
    (line,) = first.stderr.splitlines()
    assert line.startswith("clsearch: built the index (first use): 477 clusters in ")
    assert line.endswith(f" s, {tmp_path / 'clsearch' / 'index'}")
    assert current_generation(tmp_path / "clsearch" / "index") is not None
    again = subprocess.run([sys.executable, "-m", "cli", "锂电", "--json"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, encoding="utf-8")
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == first.stdout


def test_an_index_is_current_for_both_the_checkout_and_the_installed_copy(tmp_path, copy_full_index):
    # Under pytest `index` is the installed copy (CI: pip install .), which built the session's
    # index; `-m cli` run from the checkout is the checkout's code, which also holds the data/
    # generator scripts. Both must agree on the fingerprint, or each calls the other's index
    # out of date and rebuilds it.
    ix = copy_full_index(tmp_path / "ix")
    checkout = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "cli", "锂电", "--index", str(ix)], cwd=checkout,
                         capture_output=True, text=True, encoding="utf-8")
    assert (out.returncode, out.stderr) == (0, "")


def test_changed_seeds_or_analysis_trigger_a_rebuild(tmp_path, monkeypatch, copy_full_index):
    # an index of today's seeds (first use is the test above)
    monkeypatch.setenv("CLSEARCH_INDEX", str(copy_full_index(tmp_path / "ix")))
    messages: list[str] = []
    with Searcher(log=messages.append) as s:  # nothing changed: no rebuild
        old = s.generation
    assert messages == []
    # An input of the fingerprint changes (as when a seed file or a data file is edited).
    edited = tmp_path / "edited_seed.txt"
    edited.write_text("v1", encoding="utf-8")
    real_seed_files = index.ensure.seed_files
    monkeypatch.setattr(index.ensure, "seed_files", lambda: real_seed_files() + [edited])
    with Searcher(log=messages.append) as s:
        rebuilt = s.generation
        assert rebuilt != old
        assert names(s.search("石墨烯")) == ["七台河石墨烯产业集群"]
    assert len(messages) == 1 and "(seeds, added lists or analysis changed)" in messages[0]
    os.utime(edited)  # touched, not changed: the contents decide, no rebuild
    with Searcher(log=messages.append) as s:
        assert s.generation == rebuilt
    edited.write_text("v2", encoding="utf-8")
    with Searcher(log=messages.append) as s:
        assert s.generation != rebuilt
    assert len(messages) == 2


def _boom(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_an_interrupted_build_leaves_the_previous_index_usable(tmp_path, jieba_cache, monkeypatch, failure):
    build_index(tmp_path, small_records(), "v1", cache_dir=jieba_cache)
    before = current_generation(tmp_path)

    def fail(*args, **kwargs):
        raise failure("disk full" if failure is OSError else None)

    monkeypatch.setattr(index.build, "_charmap", fail)  # late in the build: index half written
    with pytest.raises(KeyboardInterrupt if failure is KeyboardInterrupt else index.build.IndexBuildError):
        build_index(tmp_path, small_records(), "v2", cache_dir=jieba_cache)
    assert current_generation(tmp_path) == before
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [before.name]  # no half-built leftovers
    with Searcher(index_dir=tmp_path) as s:
        assert names(s.search("锂电")) == ["西宁经开区锂电产业集群"]


def test_a_new_build_is_swapped_in_and_the_old_one_kept_for_a_grace_period(tmp_path, monkeypatch, jieba_cache):
    build_index(tmp_path, small_records(), "v1", cache_dir=jieba_cache)
    first = current_generation(tmp_path)
    build_index(tmp_path, small_records()[:3], "v2", cache_dir=jieba_cache)
    second = current_generation(tmp_path)
    assert second != first and first.exists()  # a reader of the old one keeps working
    with Searcher(index_dir=tmp_path) as s:
        assert len(s.results("产业集群").hits) == 3
    build_index(tmp_path, small_records(), "v3", cache_dir=jieba_cache)
    assert first.exists() and second.exists()  # both retired less than GRACE_SECONDS ago
    monkeypatch.setattr(index.store, "GRACE_SECONDS", 0.0)
    build_index(tmp_path, small_records(), "v4", cache_dir=jieba_cache)
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [current_generation(tmp_path).name]


def test_an_explicit_index_directory_is_never_built_implicitly(tmp_path):
    with pytest.raises(IndexMissingError):
        Searcher(index_dir=tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


def test_a_garbled_pointer_is_reported_not_crashed_on(tmp_path, jieba_cache):
    build_index(tmp_path, small_records(), "v1", cache_dir=jieba_cache)
    (tmp_path / "CURRENT").write_text("../../etc\n")
    with pytest.raises(IndexMissingError):
        Searcher(index_dir=tmp_path)


def test_added_lists_are_copied_in_and_survive_automatic_rebuilds(tmp_path, monkeypatch, copy_full_index):
    copy_full_index(tmp_path / "ix")  # with its jieba cache: the builds below skip making one
    monkeypatch.setenv("CLSEARCH_INDEX", str(tmp_path / "ix"))
    table = tmp_path / "mine.csv"
    table.write_text("name,province,program,year\n宁德锂电新能源产业集群,福建,地方产业集群,2024\n", encoding="utf-8")
    index.ensure.build_from_seeds(tmp_path / "ix", extra=[table])
    table.rename(tmp_path / "moved.csv")  # the original is gone: the index has its own copy
    edited = tmp_path / "edited_seed.txt"
    edited.write_text("v1", encoding="utf-8")
    real_seed_files = index.ensure.seed_files
    monkeypatch.setattr(index.ensure, "seed_files", lambda: real_seed_files() + [edited])
    messages: list[str] = []
    with Searcher(log=messages.append) as s:  # an automatic rebuild keeps the list
        assert names(s.search("宁德锂电"))[0] == "宁德锂电新能源产业集群"
    assert len(messages) == 1 and "(seeds, added lists or analysis changed): 478 clusters" in messages[0]
    index.ensure.build_from_seeds(tmp_path / "ix")  # so does `clsearch index build`
    with Searcher(log=messages.append) as s:
        assert names(s.search("宁德锂电"))[0] == "宁德锂电新能源产业集群"
    index.ensure.build_from_seeds(tmp_path / "ix", remove=["mine"])  # only an explicit removal drops it
    with Searcher(log=messages.append) as s:
        assert "宁德锂电新能源产业集群" not in names(s.search("宁德锂电"))


def test_an_explicit_stale_index_is_used_as_is_with_a_warning(tmp_path, monkeypatch, copy_full_index):
    built = current_generation(copy_full_index(tmp_path / "ix"))
    messages: list[str] = []
    with Searcher(index_dir=tmp_path / "ix", log=messages.append):
        pass
    assert messages == []
    edited = tmp_path / "edited_seed.txt"
    edited.write_text("changed", encoding="utf-8")
    real_seed_files = index.ensure.seed_files
    monkeypatch.setattr(index.ensure, "seed_files", lambda: real_seed_files() + [edited])
    with Searcher(index_dir=tmp_path / "ix", log=messages.append) as s:
        assert s.generation == built
        assert names(s.search("石墨烯")) == ["七台河石墨烯产业集群"]
    assert messages == [f"clsearch: warning: the index in {tmp_path / 'ix'} is out of date "
                        f"(rebuild it with: clsearch index build --index {tmp_path / 'ix'})"]


def test_file_records_take_a_linked_files_checksum_from_the_generation_it_was_linked_from(tmp_path):
    """An incremental build hard-links the previous generation's unchanged files: their
    recorded SHA-256 is reused (not read again); a copy, or a file changed since, is hashed."""
    import os

    from index.store import file_records, sha256_of

    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    for name in ("linked", "copied", "rewritten"):
        (base / name).write_bytes(name.encode() * 100)
    known = file_records(base)
    known["linked"]["sha256"] = known["copied"]["sha256"] = "recorded"  # to see which are reused
    os.link(base / "linked", new / "linked")
    (new / "copied").write_bytes((base / "copied").read_bytes())
    os.link(base / "rewritten", new / "rewritten")
    os.utime(new / "rewritten", ns=(1, 1))  # the same file, but not as recorded: hashed again
    files = file_records(new, base, known)
    assert files["linked"]["sha256"] == "recorded"
    assert files["copied"]["sha256"] == sha256_of(new / "copied")
    assert files["rewritten"]["sha256"] == sha256_of(new / "rewritten")
    assert file_records(new) == {**files, "linked": {**files["linked"], "sha256": sha256_of(new / "linked")}}
