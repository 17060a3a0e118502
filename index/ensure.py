"""Making sure an index exists and is current, building it from the bundled seeds if not.

The default index (per-user data directory, or $CLSEARCH_INDEX) is built the first time it is
needed, rebuilt when its fingerprint (seeds, analysis data, indexer code, schema version) no
longer matches, and rebuilt when it is damaged. An index directory given explicitly is only
ever built on request.

Builds take the directory's lock (`index.lock`): of several processes that find the index
missing or out of date, one builds and the others wait, then use its result. If a rebuild
fails (full disk, read-only directory), the previous generation stays in use, with one
warning line, and `IndexState.stale` says why.

Lists added with ``--add`` are copied into the generation (``lists/<key>.csv``), so a rebuild
never depends on the original file; only `build_from_seeds(remove=…)` drops one.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from index.errors import ClsearchError, IndexBuildError, IndexDamagedError, IndexMissingError
from index.format import SCHEMA_VERSION
from index.lock import index_lock
from index.store import (LISTS, check_generation, current_generation, fingerprint, read_meta,
                         is_swapped_in, remove_tree, resolve_dir, stat_signature)

if TYPE_CHECKING:
    from index.build import BuildReport
    from index.vocab import Cuts

Log = Callable[[str], None]


class IndexState(NamedTuple):
    """The generation to search, its metadata, and why it is out of date if it could not be rebuilt."""

    generation: Path
    meta: dict
    stale: str | None = None


class AddedList(NamedTuple):
    """A list added with --add: its key, its copy inside the generation, and where it came from."""

    key: str
    file: str  # relative to the generation: lists/<key>.<ext>
    origin: str  # the path the user gave, for messages


def seed_files() -> list[Path]:
    from seeds import seed_dir

    return sorted(p for p in seed_dir().iterdir() if p.suffix in {".txt", ".json"})


def bundled_fingerprint(extra: Sequence[str | Path] = ()) -> str:
    """The fingerprint an index of the bundled seeds (plus `extra` list files) must carry."""
    return fingerprint(seed_files() + [Path(p) for p in extra]) + f"-s{SCHEMA_VERSION}"


def code_fingerprint() -> str:
    """The fingerprint of everything an index is built from except the added lists.

    Two generations with the same one were built by the same code from the same seeds and
    data, so one can be extended incrementally into the other (`index.incremental`).
    """
    return fingerprint(seed_files()) + f"-s{SCHEMA_VERSION}"


def added_lists(meta: dict) -> list[AddedList]:
    """The lists a generation holds copies of (see `build_from_seeds`)."""
    out = []
    for item in meta.get("lists") or []:
        if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in AddedList._fields):
            out.append(AddedList(item["key"], item["file"], item["origin"]))
    return out


def _list_files(generation: Path, meta: dict) -> list[Path]:
    return [generation / a.file for a in added_lists(meta)]


def _choose_keys(kept: list[AddedList], new: Sequence[Path]) -> list[tuple[str, Path]]:
    """(key, source) per new list: its file stem, made unique unless it re-adds the same origin.

    Re-adding a file replaces its earlier copy; another file with the same stem (a/x.csv and
    b/x.csv) gets its own key (x-2), never a silent merge into the first one's.
    """
    taken = {a.key: a.origin for a in kept}
    out = []
    for path in new:
        origin = str(path)
        key = path.stem
        n = 2
        while key in taken and taken[key] != origin:
            key = f"{path.stem}-{n}"
            n += 1
        taken[key] = origin
        out.append((key, path))
    return out


def _previous_lists(index_dir: Path) -> tuple[Path | None, list[AddedList], list[str]]:
    """The lists of the current generation (or, if CURRENT is damaged, the newest readable one).

    Old indexes recorded absolute paths ("extra"): those are returned as origins to copy anew.
    """
    try:
        gen = current_generation(index_dir)
        candidates = [gen] if gen else []
    except IndexDamagedError:
        candidates = sorted(index_dir.glob("gen-*"), reverse=True)
    for gen in candidates:
        try:
            meta = read_meta(gen)
        except IndexDamagedError:
            continue
        return gen, added_lists(meta), [p for p in meta.get("extra") or [] if isinstance(p, str)]
    return None, [], []


def build_from_seeds(index_dir: Path, log: Log | None = None, why: str = "requested",
                     extra: Sequence[str | Path] = (), remove: Sequence[str] = (),
                     progress: Log | None = None) -> BuildReport:
    """Parse the bundled seeds and the added lists, and build an index from them.

    The slow path: jieba and pypinyin load here. The lists of the current index are kept;
    `extra` files are added (copied in, so the build never needs them again); lists whose key
    is in `remove` are dropped. Runs under the directory's build lock. With `extra` or
    `remove`, the build extends the current generation incrementally when it can
    (`index.incremental`); otherwise, and always without them, it is a full build.
    `progress`: told what the build is doing, a short phrase at a time.
    """
    from index.build import new_generation
    from index.corpus.tables import check_list_file

    index_dir = resolve_dir(index_dir)
    new = [resolve_dir(p) for p in extra]
    for path in new:
        check_list_file(path)  # before the lock and the slow part: a FIFO or a folder is an error now
    with index_lock(index_dir, log):
        prev_gen, kept, legacy = _previous_lists(index_dir)
        known = {a.key for a in kept} | {Path(p).stem for p in legacy}
        unknown = [k for k in remove if k not in known]
        if unknown:
            raise ClsearchError(f"no added list named {', '.join(unknown)} in {index_dir}",
                                hint=f"added lists: {', '.join(sorted(known)) or 'none'}")
        kept = [a for a in kept if a.key not in remove]
        for old in legacy:  # an index from before lists were copied in: copy them now
            if Path(old).stem in remove:
                continue
            if not Path(old).is_file():
                raise IndexBuildError(f"the added list {old} is missing",
                                      hint=f"add it again with --add, or drop it with: "
                                           f"clsearch index remove {Path(old).stem}")
            new.insert(0, Path(old))
        gen = new_generation(index_dir)
        try:
            with _collector_paused(bool(extra or remove)):
                report = _build(index_dir, gen, prev_gen, kept, new, extra, remove, log, progress)
        except BaseException:
            if not is_swapped_in(index_dir, gen):  # interrupted after the swap: it is the index now
                remove_tree(gen)
            raise
    if log:
        log(f"clsearch: built the index ({why}): {report.records} clusters "
            f"in {report.seconds:.1f} s, {index_dir}")
    return report


@contextmanager
def _collector_paused(paused: bool) -> Iterator[None]:
    """Python's cyclic garbage collector off while `paused` (then back as it was).

    An add or remove holds the whole corpus (~100,000 records, millions of objects) while it
    allocates more: each automatic collection scans all of them, and those scans were most
    of the time spent unpickling the corpus cache. What a change leaves behind is small;
    reference counting frees it all the same.
    """
    enabled = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(index_dir: Path, gen: Path, prev_gen: Path | None, kept: list[AddedList], new: list[Path],
           extra: Sequence[str | Path], remove: Sequence[str], log: Log | None,
           progress: Log | None) -> BuildReport:
    """`build_from_seeds`'s work under the lock, into the new generation `gen`."""
    from index.vocab import Cuts, jieba_cache_dir

    # A change of lists in a large index: jieba's dictionary loads in another process while
    # this one reads the previous build's corpus (`index.vocab.Cuts`).
    cuts = Cuts.start(jieba_cache_dir(index_dir)) if (extra or remove) and _large(prev_gen) else None
    try:
        return _build_with(index_dir, gen, prev_gen, kept, new, extra, remove, log, progress, cuts)
    finally:
        if cuts is not None:
            cuts.stop()


def _large(generation: Path | None) -> bool:
    """Whether `generation` holds enough records that its changes use other processes
    (`index.workers.PARALLEL_MIN`)."""
    from index import workers

    try:
        records = read_meta(generation)["records"] if generation is not None else 0
    except (IndexDamagedError, KeyError):
        return False
    return isinstance(records, int) and records >= workers.PARALLEL_MIN


def _build_with(index_dir: Path, gen: Path, prev_gen: Path | None, kept: list[AddedList], new: list[Path],
                extra: Sequence[str | Path], remove: Sequence[str], log: Log | None,
                progress: Log | None, cuts: Cuts | None) -> BuildReport:
    """`_build`'s work; `cuts`: a process loading jieba, for `build_index`."""
    from index.build import build_index
    from index.corpus import load_corpus
    from index.corpus.cache import read_cache
    from index.corpus.places import load_regions
    from index.memo import BuildMemo, library_signature

    lists = _copy_lists(gen, prev_gen, kept, new)
    files = [gen / a.file for a in lists]
    if progress:
        progress(f"reading the seeds and {len(lists)} added list(s)")
    code = code_fingerprint()
    # The previous build's corpus work, for a change of lists; a plain build starts afresh,
    # but for what an earlier build of the same code and seeds kept (`index.memo`).
    cache = read_cache(prev_gen if (extra or remove) else None, code)
    memo = BuildMemo.load(f"{code}-{library_signature()}")
    if cache.seeds is None:
        cache.seeds = memo.seeds
    # The `related` links wait (corpus.link): build_index runs them while a worker indexes records.
    corpus = load_corpus(extra_tables=[(gen / a.file, a.origin) for a in lists], cache=cache, link_later=True)
    for problem in corpus.problems:
        if log:
            log(f"clsearch: warning: {problem}")
    regions = load_regions()

    def province_full(short: str) -> str | None:
        p = regions.province(short)
        return p.full if p else None

    from index.corpus.manifest import load_manifest
    from seeds import seed_dir

    manifest = load_manifest(seed_dir())
    titles = {spec.key: spec.title for doc in manifest.documents for spec in doc.lists}
    report = build_index(index_dir, corpus.records, bundled_fingerprint(files),
                         province_full=province_full, generation=gen,
                         lists=[a._asdict() for a in lists],
                         list_titles=titles, programs=manifest.programs,
                         inputs=stat_signature(seed_files() + files),
                         base=prev_gen if (extra or remove) else None, code=code,
                         progress=progress, cache=cache, link=corpus.link, memo=memo, cuts=cuts)
    return report


def _copy_lists(gen: Path, prev_gen: Path | None, kept: list[AddedList], new: list[Path]) -> list[AddedList]:
    """Copy kept lists from the previous generation and new ones from their files into `gen`."""
    out: dict[str, AddedList] = {}
    (gen / LISTS).mkdir()
    for a in kept:
        src = (prev_gen / a.file) if prev_gen else None
        if src is None or not src.is_file():
            raise IndexBuildError(f"the copy of the added list {a.key} ({a.origin}) is missing from the index",
                                  hint=f"add it again with --add {a.origin}, or drop it with: "
                                       f"clsearch index remove {a.key}")
        shutil.copyfile(src, gen / a.file)
        out[a.key] = a
    for key, path in _choose_keys(kept, new):
        rel = f"{LISTS}/{key}{path.suffix.lower()}"
        if key in out and out[key].file != rel:
            (gen / out[key].file).unlink()
        try:
            shutil.copyfile(path, gen / rel)
        except OSError as exc:
            raise IndexBuildError(f"cannot read the list {path}: {exc.strerror}") from exc
        out[key] = AddedList(key, rel, str(path))
    return list(out.values())


def is_current(generation: Path, meta: dict) -> bool:
    """True if an index with this metadata was built from today's seeds, lists and code."""
    files = _list_files(generation, meta)
    try:
        if meta.get("inputs") == stat_signature(seed_files() + files):
            return True  # nothing touched: no need to hash the inputs
        return meta.get("fingerprint") == bundled_fingerprint(files)
    except OSError:
        return False  # a list copy is gone: check_generation reports the damage


def _intact(index_dir: Path) -> tuple[Path, dict] | None:
    """The current generation and its metadata if it is there and undamaged, else None."""
    try:
        gen = current_generation(index_dir)
        if gen is None:
            return None
        meta = read_meta(gen)
    except IndexDamagedError:
        return None
    return (gen, meta) if not check_generation(gen, meta) else None


def open_index(index_dir: Path, auto_build: bool, log: Log | None = None) -> IndexState:
    """The generation of `index_dir` to search, building or rebuilding it if allowed.

    An index given explicitly (`auto_build` False) is never rebuilt implicitly: damage is an
    IndexDamagedError, and if it was built from the bundled seeds and is out of date, `log`
    says so once. The default index is built on first use, rebuilt when out of date or
    damaged; if that rebuild fails, the previous generation is used with one warning line.
    """
    index_dir = resolve_dir(index_dir)
    damage: IndexDamagedError | None = None
    gen, meta = None, {}
    try:
        gen = current_generation(index_dir)
        if gen is not None:
            meta = read_meta(gen)
            if "files" not in meta:
                raise IndexDamagedError(f"the index in {index_dir} was built by an older clsearch",
                                        hint=f"rebuild it with: clsearch index build --index {index_dir}")
            if meta.get("schema_version") != SCHEMA_VERSION:  # its files cannot be read by this code
                raise IndexDamagedError(f"the index in {index_dir} was built by another clsearch version "
                                        f"(index format {meta.get('schema_version')}, this clsearch reads "
                                        f"{SCHEMA_VERSION})",
                                        hint=f"rebuild it with: clsearch index build --index {index_dir}")
            problems = check_generation(gen, meta)
            if problems:
                raise IndexDamagedError(f"the index in {index_dir} is damaged: {gen.name}/{problems[0]}"
                                        + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                                        hint=f"rebuild it with: clsearch index build --index {index_dir}")
    except IndexDamagedError as exc:
        if not auto_build:
            raise
        damage, gen, meta = exc, None, {}
    if auto_build and (gen is None or not is_current(gen, meta)):
        why = (_why_replaced(damage, index_dir) if damage else
               "first use" if gen is None else "seeds, added lists or analysis changed")
        try:
            with index_lock(index_dir, log):
                fresh = _intact(index_dir)  # another process may have built it while we waited
                if fresh is None or not is_current(*fresh):
                    build_from_seeds(index_dir, log, why)
                    fresh = _intact(index_dir)
                if fresh is None:
                    raise IndexBuildError(f"the index built in {index_dir} did not verify")
                return IndexState(*fresh)
        except (ClsearchError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ClsearchError) else f"{exc.strerror or exc}"
            if gen is None:
                if damage is not None:
                    raise IndexDamagedError(f"{damage}; rebuilding it failed: {reason}") from exc
                if isinstance(exc, ClsearchError):
                    raise
                raise IndexBuildError(f"index build failed: {reason}") from exc
            if log:
                log(f"clsearch: warning: the index is out of date and could not be rebuilt ({reason}); "
                    f"searching the previous one, built {meta.get('built_at', '?')}")
            return IndexState(gen, meta, reason)
    if gen is not None and log and meta.get("source") == "bundled" and not is_current(gen, meta):
        log(f"clsearch: warning: the index in {index_dir} is out of date "
            f"(rebuild it with: clsearch index build --index {index_dir})")
    if gen is None:
        raise IndexMissingError(f"no clsearch index in {index_dir}",
                                hint=f"build one with: clsearch index build --index {index_dir}")
    return IndexState(gen, meta)


def _why_replaced(damage: IndexDamagedError, index_dir: Path) -> str:
    text = str(damage)
    if text.endswith("built by an older clsearch") or "built by another clsearch version" in text:
        return "the old one was built by another clsearch version"
    return "the old one was damaged: " + text.removeprefix(f"the index in {index_dir} is damaged: ")


def ensure_index(index_dir: Path, auto_build: bool, log: Log | None = None) -> Path:
    """The generation `open_index` chooses (kept for callers that only need the path)."""
    return open_index(index_dir, auto_build, log).generation
