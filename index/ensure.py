"""Making sure an index exists and is current, building it from the bundled seeds if not.

The default index (per-user data directory, or $CLSEARCH_INDEX) is built the first time it is
needed and rebuilt when its fingerprint (seeds, analysis data, indexer code, schema version)
no longer matches. An index directory given explicitly is only ever built on request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from index.errors import IndexMissingError
from index.format import SCHEMA_VERSION
from index.store import current_generation, fingerprint, read_meta, stat_signature

Log = Callable[[str], None]


def seed_files() -> list[Path]:
    from seeds import seed_dir

    return sorted(p for p in seed_dir().iterdir() if p.suffix in {".txt", ".json"})


def bundled_fingerprint(extra: Sequence[str | Path] = ()) -> str:
    """The fingerprint an index of the bundled seeds (plus `extra` lists) must carry."""
    return fingerprint(seed_files() + [Path(p) for p in extra]) + f"-s{SCHEMA_VERSION}"


def build_from_seeds(index_dir: Path, log: Log | None = None, why: str = "requested",
                     extra: Sequence[str | Path] = ()):
    """Parse the bundled seeds (and `extra` CSV/JSONL lists) and build an index from them.

    The slow path: jieba and pypinyin load here. The extra lists are remembered in the
    index's metadata, so an automatic rebuild keeps them.
    """
    from index.build import build_index
    from index.corpus import load_corpus
    from index.corpus.places import load_regions

    extra = [str(Path(p).resolve()) for p in extra]
    corpus = load_corpus(extra_tables=extra)
    for problem in corpus.problems:
        if log:
            log(f"clsearch: warning: skipped {problem}")
    regions = load_regions()

    def province_full(short: str) -> str | None:
        p = regions.province(short)
        return p.full if p else None

    report = build_index(index_dir, corpus.records, bundled_fingerprint(extra),
                         province_full=province_full, extra=extra,
                         inputs=stat_signature(seed_files() + [Path(p) for p in extra]))
    if log:
        log(f"clsearch: built the index ({why}): {report.records} clusters "
            f"in {report.seconds:.1f} s, {index_dir}")
    return report


def is_current(meta: dict) -> bool:
    """True if an index with this metadata was built from today's seeds, lists and code."""
    extra = [p for p in meta.get("extra", []) if Path(p).is_file()]
    if len(extra) != len(meta.get("extra", [])):
        return False  # an added list has gone: rebuild without it
    if meta.get("inputs") == stat_signature(seed_files() + [Path(p) for p in extra]):
        return True  # nothing touched: no need to hash the inputs
    return meta.get("fingerprint") == bundled_fingerprint(extra)


def ensure_index(index_dir: Path, auto_build: bool, log: Log | None = None) -> Path:
    """The current generation of `index_dir`, building or rebuilding it if allowed.

    An index given explicitly is never rebuilt implicitly; if it was built from the bundled
    seeds and is out of date, `log` says so once.
    """
    gen = current_generation(index_dir)
    meta = read_meta(gen) if gen else {}
    if auto_build and (gen is None or not is_current(meta)):
        why = "first use" if gen is None else "seeds, added lists or analysis changed"
        extra = [p for p in meta.get("extra", []) if Path(p).is_file()]
        build_from_seeds(index_dir, log, why, extra)
        gen = current_generation(index_dir)
    elif gen is not None and log and meta.get("source") == "bundled" and not is_current(meta):
        log(f"clsearch: warning: the index in {index_dir} is out of date "
            f"(rebuild it with: clsearch index build --index {index_dir})")
    if gen is None:
        raise IndexMissingError(f"no clsearch index in {index_dir}",
                                hint=f"build one with: clsearch index build --index {index_dir}")
    return gen
