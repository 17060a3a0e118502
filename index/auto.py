"""Making sure an index exists and is current, building it from the bundled seeds if not.

The default index (per-user data directory, or $CLSEARCH_INDEX) is built the first time it is
needed and rebuilt when its fingerprint (seeds, analysis data, indexer code, schema version)
no longer matches. An index directory given explicitly is only ever built on request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from index.errors import IndexMissingError
from index.schema import SCHEMA_VERSION
from index.store import current_generation, fingerprint, read_meta

Log = Callable[[str], None]


def seed_files() -> list[Path]:
    from seeds import seed_dir

    return sorted(p for p in seed_dir().iterdir() if p.suffix in {".txt", ".json"})


def bundled_fingerprint() -> str:
    return fingerprint(seed_files()) + f"-s{SCHEMA_VERSION}"


def build_from_seeds(index_dir: Path, log: Log | None = None, why: str = "requested"):
    """Parse the bundled seeds and build an index from them (the slow path: jieba, pypinyin)."""
    from index.build import build_index
    from index.corpus import load_corpus
    from index.places import load_regions

    corpus = load_corpus()
    regions = load_regions()

    def province_full(short: str) -> str | None:
        p = regions.province(short)
        return p.full if p else None

    report = build_index(index_dir, corpus.records, bundled_fingerprint(), province_full=province_full)
    if log:
        log(f"clsearch: built the index ({why}): {report.records} clusters in {report.seconds:.1f} s, {index_dir}")
    return report


def ensure_index(index_dir: Path, auto_build: bool, log: Log | None = None) -> Path:
    """The current generation of `index_dir`, building or rebuilding it if allowed."""
    gen = current_generation(index_dir)
    if auto_build:
        stale = gen is None or read_meta(gen).get("fingerprint") != bundled_fingerprint()
        if stale:
            why = "first use" if gen is None else "seeds or analysis changed"
            build_from_seeds(index_dir, log, why)
            gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissingError(f"no clsearch index in {index_dir}",
                                hint=f"build one with: clsearch index build --index {index_dir}")
    return gen
