"""Fault injection: several processes, damaged files, readers that outlive rebuilds, signals, full disks.

Each case states what used to happen (issue #12) and what must happen now. Most run on the
small hand-made index, copied per case; the few that need the bundled corpus share its builds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import cli
import index.ensure
import index.store
from conftest import names, small_records
from index.build import build_index
from index.errors import IndexBuildError, IndexDamagedError
from index.format import CHARMAP, LEXICON, SCHEMA_VERSION, TYPOS
from index.store import META, POINTER, check_generation, current_generation, read_meta
from search import Searcher

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
PYTHON = [sys.executable, "-X", "utf8"]
JIEBA_CACHE = Path(tempfile.gettempdir()) / "clsearch-tests-jieba-cache"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One small index, built once; each case damages its own copy."""
    root = tmp_path_factory.mktemp("pristine")
    build_index(root, small_records(), "v1", cache_dir=root / "cache", source="test")
    return root


@pytest.fixture
def copy(pristine, tmp_path) -> Path:
    target = tmp_path / "ix"
    shutil.copytree(pristine, target, copy_function=shutil.copy2)  # mtimes kept: still intact
    return target


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI entry point in-process: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        cli.run(args)
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def _file(ix: Path, which: str) -> Path:
    gen = current_generation(ix)
    if which == POINTER:
        return ix / POINTER
    if which in SEGMENT:
        return next(gen.glob("*" + SEGMENT[which]))
    return gen / which


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(b"")
    elif how == "half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(bytes(range(256)) * 4)
    elif how == "delete":
        path.unlink()
    elif how == "flip":
        i = len(data) // 2
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
    elif how == "chmod000":
        path.chmod(0)


SEGMENT = {"postings": ".pst", "terms": ".trm", "docs": ".doc.col", "toc": ".toc"}  # Whoosh's files
FILES = [POINTER, META, LEXICON, CHARMAP, TYPOS, *SEGMENT]
HOWS = ["truncate", "half", "garbage", "delete", "flip", "chmod000"]
MATRIX = [(f, h) for f in FILES for h in HOWS]


# -- damage: every file of a generation, every way --------------------------------------------

@pytest.mark.parametrize("which,how", MATRIX, ids=[f"{f}-{h}" for f, h in MATRIX])
def test_a_damaged_explicit_index_is_one_line_and_exit_2_and_verify_names_it(copy, capsys, which, how):
    if how == "chmod000" and ROOT:
        pytest.skip("root reads files whatever their mode: chmod 000 damages nothing")
    _damage(_file(copy, which), how)
    code, out, err = _cli(["锂电", "--index", str(copy)], capsys)
    assert (code, out) == (2, "") and len(err.splitlines()) == 1, err
    assert err.startswith("clsearch: error: ") and "with: clsearch index build --index" in err
    code, out, err = _cli(["index", "verify", "--index", str(copy)], capsys)
    assert code == 2 and "Traceback" not in err
    if which not in (POINTER, META):  # the damaged file is named
        name = SEGMENT.get(which, "/" + which)
        assert f"{name}: " in err, err


def _other_format(ix: Path) -> None:
    """Make the current generation claim the index format of another clsearch version."""
    gen = current_generation(ix)
    meta = {k: v for k, v in read_meta(gen).items() if k != "checksum"}
    meta["schema_version"] = SCHEMA_VERSION - 1
    (gen / META).write_text(json.dumps(index.store.sealed_meta(meta)), encoding="utf-8")


def test_an_explicit_index_of_another_format_is_refused_in_one_line_not_read(copy, capsys):
    """It used to be warned 'out of date' and then every query raised ValueError in decode()."""
    _other_format(copy)
    code, out, err = _cli(["锂电", "--index", str(copy)], capsys)
    assert (code, out) == (2, "") and len(err.splitlines()) == 1, err
    assert "built by another clsearch version" in err and "clsearch index build --index" in err
    with pytest.raises(IndexDamagedError, match="another clsearch version"):
        Searcher(index_dir=copy)


def test_a_default_index_of_another_format_is_rebuilt(copy, monkeypatch):
    _other_format(copy)
    monkeypatch.setattr(index.ensure, "build_from_seeds", _small_build)
    state = index.ensure.open_index(copy, auto_build=True)
    assert state.meta["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize("which", FILES)
def test_a_damaged_index_is_replaced_by_the_next_build(copy, capsys, which):
    """`index build` always recovers, even from a garbage CURRENT (it used to traceback)."""
    _damage(_file(copy, which), "garbage")
    build_index(copy, small_records(), "v2", cache_dir=copy / "cache", source="test")
    gen = current_generation(copy)
    assert check_generation(gen, read_meta(gen), full=True) == []
    code, out, err = _cli(["锂电", "--json", "--index", str(copy)], capsys)
    assert code == 0 and [h["name"] for h in json.loads(out)["hits"]] == ["西宁经开区锂电产业集群"]


def test_index_build_on_the_command_line_recovers_from_a_garbage_pointer(copy, capsys, monkeypatch):
    (copy / POINTER).write_bytes(b"\xff\xfe garbage")
    code, out, err = _cli(["index", "info", "--index", str(copy)], capsys)
    assert code == 2 and err.count("\n") == 1 and "CURRENT does not name a generation" in err
    monkeypatch.setattr("index.corpus.load_corpus", _small_corpus)
    code, out, err = _cli(["index", "build", "--index", str(copy)], capsys)
    assert code == 0, err
    code, out, err = _cli(["index", "verify", "--index", str(copy)], capsys)
    assert code == 0 and out.startswith("ok: ")


def _small_corpus(*args, **kwargs):
    from index.corpus import Corpus

    return Corpus(records=small_records())


def test_verify_says_ok_for_an_intact_index(copy, capsys):
    code, out, err = _cli(["index", "verify", "--index", str(copy)], capsys)
    files = read_meta(current_generation(copy))["files"]
    assert (code, err) == (0, "") and out == f"ok: {len(files)} files of {current_generation(copy).name} match their checksums\n"
    assert {LEXICON, CHARMAP, TYPOS, "_MAIN_1.toc"} <= set(files)


def test_nothing_is_parsed_before_its_checksum(copy):
    """A table replaced by another valid file of the same size is still caught, before parsing."""
    gen = current_generation(copy)
    charmap = gen / CHARMAP
    data = charmap.read_bytes()
    assert b"zhong" in data
    charmap.write_bytes(data.replace(b"zhong", b"zhang", 1))  # valid JSON, same size, different
    with pytest.raises(IndexDamagedError, match="charmap.json: contents changed"):
        Searcher(index_dir=copy)
    os.utime(charmap, ns=(0, read_meta(gen)["files"][CHARMAP]["mtime_ns"]))  # even with its mtime restored
    with Searcher(index_dir=copy) as s:
        with pytest.raises(IndexDamagedError, match="charmap.json: checksum mismatch"):
            s.results("鋰電")  # read lazily, verified before parsing
    assert not list(gen.glob("*.pickle"))


def test_a_damaged_default_index_is_rebuilt_automatically(copy, monkeypatch):
    monkeypatch.setenv("CLSEARCH_INDEX", str(copy))
    monkeypatch.setattr(index.ensure, "build_from_seeds", _small_build)
    _damage(_file(copy, CHARMAP), "half")
    messages: list[str] = []
    with Searcher(log=messages.append) as s:
        assert names(s.search("锂电")) == ["西宁经开区锂电产业集群"]
        assert not s.stale
    (line,) = messages
    assert line.startswith("rebuilt (the old one was damaged: gen-") and "/charmap.json: size " in line


def _small_build(index_dir, log=None, why="requested", extra=(), remove=()):
    report = build_index(index_dir, small_records(), "v2", cache_dir=JIEBA_CACHE, source="test")
    if log:
        log(f"rebuilt ({why})")
    return report


# -- a failed automatic rebuild keeps the previous index in use --------------------------------

def test_a_failed_automatic_rebuild_serves_the_previous_index_with_one_warning(copy, monkeypatch):
    monkeypatch.setenv("CLSEARCH_INDEX", str(copy))
    monkeypatch.setattr(index.ensure, "is_current", lambda gen, meta: False)  # out of date

    def disk_full(*args, **kwargs):
        raise IndexBuildError("index build failed: No space left on device")

    monkeypatch.setattr(index.ensure, "build_from_seeds", disk_full)
    messages: list[str] = []
    with Searcher(log=messages.append) as s:
        assert names(s.search("锂电")) == ["西宁经开区锂电产业集群"]
        assert s.stale and s.stale_reason == "index build failed: No space left on device"
    (line,) = messages
    assert line.startswith("clsearch: warning: the index is out of date and could not be rebuilt "
                           "(index build failed: No space left on device); searching the previous one")


@pytest.mark.skipif(ROOT, reason="root writes into read-only directories")
def test_a_read_only_directory_with_an_out_of_date_index_still_answers(copy, monkeypatch):
    monkeypatch.setenv("CLSEARCH_INDEX", str(copy))
    monkeypatch.setattr(index.ensure, "is_current", lambda gen, meta: False)
    (copy / ".lock").unlink(missing_ok=True)
    copy.chmod(0o555)
    try:
        messages: list[str] = []
        with Searcher(log=messages.append) as s:
            assert names(s.search("锂电")) == ["西宁经开区锂电产业集群"] and s.stale
        assert len(messages) == 1 and "cannot lock index directory" in messages[0]
    finally:
        copy.chmod(0o755)


# -- readers that outlive rebuilds ---------------------------------------------------------------

def test_a_reader_outlives_two_rebuilds_and_a_refreshing_one_moves_on(copy, monkeypatch):
    monkeypatch.setattr(index.store, "GRACE_SECONDS", 0.0)  # delete retired generations at once
    held = Searcher(index_dir=copy, log=lambda m: None)
    following = Searcher(index_dir=copy, log=lambda m: None, refresh=True)
    first = held.generation
    build_index(copy, small_records()[2:5], "v2", cache_dir=copy / "cache", source="test")
    build_index(copy, small_records()[2:5], "v3", cache_dir=copy / "cache", source="test")
    assert first.exists()  # retired, but a live reader holds it: no build deletes it
    index.store.remove_tree(first)  # even gone (a reader that could not mark it) it keeps working:
    # every file, the lazily read tables too (charmap: traditional 鋰電; typos: lidain), is open.
    assert names(held.search("鋰電")) == ["西宁经开区锂电产业集群"]
    assert names(held.search("lidain")) == ["西宁经开区锂电产业集群", "新余动力电池创新型产业集群"]  # 动力电池: li dian
    assert held.generation == first
    assert following.search("锂电") == [] and following.generation == current_generation(copy)
    assert len(following.results("产业集群").hits) == 3
    assert held.refresh_now() == current_generation(copy)  # on demand, for one that does not follow
    assert held.search("锂电") == []
    second = held.generation
    held.close()
    following.close()
    build_index(copy, small_records(), "v4", cache_dir=copy / "cache", source="test")
    assert not second.exists()  # released by both readers: deleted by the next build


def test_a_refreshing_reader_keeps_its_generation_if_the_new_one_is_damaged(copy):
    messages: list[str] = []
    with Searcher(index_dir=copy, log=messages.append, refresh=True) as s:
        mine = s.generation
        build_index(copy, small_records()[:3], "v2", cache_dir=copy / "cache", source="test")
        _damage(_file(copy, LEXICON), "flip")
        assert names(s.search("锂电")) == ["西宁经开区锂电产业集群"] and s.generation == mine
        s.search("锂电")
    assert len(messages) == 1 and messages[0].startswith("clsearch: warning: not switching to the new index")


# -- several processes -------------------------------------------------------------------------

_BUILDER = """
import sys
sys.path.insert(0, {tests!r})
from conftest import small_records
from index.build import build_index
build_index(sys.argv[1], small_records()[:int(sys.argv[2])], "v" + sys.argv[2], source="test")
"""


def test_concurrent_builds_never_destroy_each_other(tmp_path, monkeypatch):
    """4 builds at once used to delete each other's generations and leave CURRENT dangling."""
    ix = tmp_path / "ix"
    script = _BUILDER.format(tests=str(Path(__file__).parent))
    procs = [subprocess.Popen([*PYTHON, "-c", script, str(ix), str(n)], stderr=subprocess.PIPE,
                              text=True, encoding="utf-8") for n in (3, 4, 5, 6)]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    gen = current_generation(ix)
    meta = read_meta(gen)
    assert check_generation(gen, meta, full=True) == [] and meta["records"] in (3, 4, 5, 6)
    complete = [g for g in ix.glob("gen-*") if (g / META).exists()]
    assert len(complete) == 4 and all(not check_generation(g, read_meta(g)) for g in complete)
    monkeypatch.setattr(index.store, "GRACE_SECONDS", 0.0)
    build_index(ix, small_records(), "v7", source="test")  # the lock holder cleans up the retired
    assert [g.name for g in ix.glob("gen-*")] == [current_generation(ix).name]


def test_concurrent_first_searches_build_once_and_all_answer(tmp_path):
    """Two first searches on an empty index directory: one used to fail every time (8: 7 failed)."""
    env = dict(os.environ, CLSEARCH_INDEX=str(tmp_path / "ix"))
    procs = [subprocess.Popen([*PYTHON, "-m", "cli", "锂电", "--json"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for _ in range(4)]
    results = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
    assert len({out for out, _ in results}) == 1
    builds = [line for _, err in results for line in err.splitlines() if "built the index" in line]
    assert len(builds) == 1, [err for _, err in results]
    waited = [err for _, err in results if "waiting for another process" in err]
    assert len(waited) <= 3
    assert len(list((tmp_path / "ix").glob("gen-*"))) == 1


# -- signals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["build_index", "build_from_seeds"])
def test_an_interrupt_just_after_the_swap_keeps_the_new_index(tmp_path, monkeypatch, how):
    """Once CURRENT names the new generation the build has succeeded: a Ctrl-C that lands
    while it cleans up old generations (or keeps its memo) must not remove the generation
    CURRENT now names, which left an index pointing at nothing."""
    ix = tmp_path / "ix"
    if how == "build_index":
        build_index(ix, small_records(), "v1", source="test")
    else:
        index.ensure.build_from_seeds(ix)
    before = current_generation(ix)

    def interrupted(index_dir, grace=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(index.store, "clean_up", interrupted)
    with pytest.raises(KeyboardInterrupt):
        if how == "build_index":
            build_index(ix, small_records(), "v2", source="test")
        else:
            index.ensure.build_from_seeds(ix)
    now = current_generation(ix)
    assert now is not None and now != before
    assert check_generation(now, read_meta(now), full=True) == []
    assert read_meta(now)["records"] == (len(small_records()) if how == "build_index" else 477)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT", "SIGKILL"])
def test_a_signal_during_a_build_leaves_the_previous_index_and_no_junk_for_long(copy, sig, tmp_path):
    before = current_generation(copy)
    # Its own empty data directory: no build memo (index.memo), so the build runs for seconds and
    # the signal lands while it is under way. And SIGINT's default disposition, as in a terminal:
    # a test run started as a background job (`pytest &`) ignores SIGINT, its children inherit
    # that, and Python then rightly leaves Ctrl-C ignored, so the build would run to its end.
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "fresh-data"))
    proc = subprocess.Popen([*PYTHON, "-m", "cli", "index", "build", "--index", str(copy)], env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + 300
    while not [g for g in copy.glob("gen-*") if g != before] and time.monotonic() < deadline:
        time.sleep(0.05)  # until the new generation exists: the build is under way
    time.sleep(0.3)
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=300)
    assert current_generation(copy) == before and not check_generation(before, read_meta(before))
    if sig == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
        assert len(list(copy.glob("gen-*"))) == 2  # the partial one: cleaned by the next lock holder
        build_index(copy, small_records(), "v2", cache_dir=copy / "cache", source="test")
        assert all((g / META).exists() for g in copy.glob("gen-*"))
        return
    assert list(copy.glob("gen-*")) == [before]  # the partial generation was removed on the way out
    if sig == "SIGINT":
        assert (proc.returncode, err.splitlines()[-1]) == (130, "clsearch: interrupted")
    else:
        assert proc.returncode == 128 + getattr(signal, sig) and "Traceback" not in err


# -- a full disk -------------------------------------------------------------------------------

@pytest.fixture
def small_tmpfs(tmp_path):
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if not ROOT or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    import gc

    gc.collect()  # a failed Whoosh writer's files close only then (see below): the mount is busy till
    if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)  # never leave it mounted


# Whoosh's writer, failing half way through a commit, leaves file objects that only the garbage
# collector closes (with a ResourceWarning): its leak, not a fault of the build.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_fails_the_build_cleanly_and_keeps_the_index(small_tmpfs, tmp_path, monkeypatch):
    ix = small_tmpfs / "ix"
    cache = tmp_path / "jieba-cache"  # off the small disk
    build_index(ix, small_records(), "v1", cache_dir=cache, source="test")
    before = current_generation(ix)
    ballast = small_tmpfs / "ballast"
    free = shutil.disk_usage(small_tmpfs).free
    ballast.write_bytes(b"\0" * max(0, free - 200_000))  # room for a little, not a generation
    with pytest.raises(IndexBuildError, match="No space left on device"):
        build_index(ix, small_records(), "v2", cache_dir=cache, source="test")
    assert current_generation(ix) == before and list(ix.glob("gen-*")) == [before]
    monkeypatch.setenv("CLSEARCH_INDEX", str(ix))
    monkeypatch.setattr(index.ensure, "is_current", lambda gen, meta: False)
    monkeypatch.setattr(index.ensure, "build_from_seeds", _small_build)
    messages: list[str] = []
    with Searcher(log=messages.append) as s:  # the automatic rebuild fails the same way
        assert names(s.search("锂电")) == ["西宁经开区锂电产业集群"] and s.stale
    assert len(messages) == 1 and "No space left on device" in messages[0]


# -- command line: exit statuses ---------------------------------------------------------------

def _run(args, **kwargs):
    env = dict(os.environ, **kwargs.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, env=env, **kwargs)


def test_output_that_cannot_be_written_is_one_line_and_exit_2(small_index):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "cli", "产业集群", "--index", str(small_index)],
                              stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == ["clsearch: error: cannot write the output: No space left on device"]


def test_a_closed_pipe_exits_0_quietly(full):
    # `clsearch export | head -c 10`: far more than a pipe buffer, so the writer meets EPIPE.
    proc = subprocess.Popen([sys.executable, "-m", "cli", "export"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0)
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0 and err == b""


def test_a_terminal_that_cannot_show_chinese_gets_escapes_not_a_traceback(small_index):
    done = _run(["锂电", "--index", str(small_index)], env={"PYTHONIOENCODING": "latin-1"})
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert b"\\u9502\\u7535" in done.stdout  # 锂电, escaped


def test_invalid_utf8_on_the_command_line_is_named_as_such(small_index):
    done = subprocess.run([sys.executable, "-m", "cli", b"li\xffdian", "--index", str(small_index)],
                          capture_output=True)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == ["clsearch: error: the query is not valid UTF-8 text "
                                                 "(check the terminal's encoding)"]


def test_a_relative_index_path_is_resolved_first(small_index, tmp_path, monkeypatch, capsys):
    shutil.copytree(small_index, tmp_path / "rel")
    monkeypatch.chdir(tmp_path)
    build_index(Path("rel"), small_records(), "v2", cache_dir=Path("rel") / "cache", source="test")
    assert current_generation(tmp_path / "rel").parent == tmp_path / "rel"
    assert not (tmp_path / "rel" / "rel").exists()  # jieba's cache path is not doubled
    code, out, err = _cli(["锂电", "--index", "rel"], capsys)
    assert code == 0 and "Traceback" not in err


def test_list_files_that_never_end_are_refused_at_once(tmp_path, capsys):
    fifo = tmp_path / "list.csv"
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        started = time.monotonic()
        code, out, err = _cli(["index", "build", "--add", str(path), "--index", str(tmp_path / "ix")], capsys)
        assert code == 2 and "not a regular file" in err and err.count("\n") == 1
        assert time.monotonic() - started < 30


def test_meta_records_every_file_with_its_checksum(pristine):
    gen = current_generation(pristine)
    meta = json.loads((gen / META).read_text(encoding="utf-8"))
    for name, rec in meta["files"].items():
        assert set(rec) == {"size", "mtime_ns", "sha256"} and len(rec["sha256"]) == 64
        assert (gen / name).stat().st_size == rec["size"]
