"""Where indexes live and which generation is current.

An index directory holds generations (``gen-*``) and a small ``CURRENT`` file naming the one in
use. A build writes a complete new generation, then replaces ``CURRENT`` atomically
(`os.replace`), so a failed or interrupted build leaves the previous index usable.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from index.dictionaries import DATA_DIR
from index.errors import IndexMissingError

ENV_VAR = "CLSEARCH_INDEX"
POINTER = "CURRENT"
META = "meta.json"
_PACKAGE_DIR = Path(__file__).parent


def user_data_dir() -> Path:
    """The per-user data directory: $XDG_DATA_HOME/clsearch, ~/Library/…, %LOCALAPPDATA%."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "clsearch"


def default_index_dir() -> Path:
    """$CLSEARCH_INDEX if set, else <user data dir>/index."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else user_data_dir() / "index"


def current_generation(index_dir: Path) -> Path | None:
    """The generation ``CURRENT`` names, or None if there is no complete index here."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexMissingError(f"cannot read index directory {index_dir}: {exc.strerror}") from exc
    gen = index_dir / name
    return gen if name.startswith("gen-") and (gen / META).is_file() else None


def read_meta(generation: Path) -> dict:
    with open(generation / META, encoding="utf-8") as fp:
        return json.load(fp)


def fingerprint_inputs(seed_files: list[Path]) -> list[Path]:
    """Everything an index is built from: seeds, analysis data and indexer code (corpus too)."""
    files = sorted(seed_files) + sorted(DATA_DIR.glob("*.t[xs]?"))
    return files + sorted(_PACKAGE_DIR.rglob("*.py"))


def fingerprint(seed_files: list[Path]) -> str:
    """Hash of the contents of every input (see `fingerprint_inputs`)."""
    h = hashlib.sha256()
    for path in fingerprint_inputs(seed_files):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def stat_signature(seed_files: list[Path]) -> str:
    """A cheap stand-in for `fingerprint`: names, sizes and modification times of the inputs.

    Equal signatures mean nothing was touched, so a query need not hash ~1 MB of inputs;
    a different signature only means the full fingerprint must be compared.
    """
    parts = []
    for path in fingerprint_inputs(seed_files):
        st = path.stat()
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def swap_in(index_dir: Path, generation: Path) -> None:
    """Make `generation` current atomically, then drop all but it and its predecessor."""
    previous = current_generation(index_dir)
    tmp = index_dir / f".{POINTER}.{os.getpid()}"
    tmp.write_text(generation.name + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / POINTER)
    keep = {generation.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            remove_tree(old)


def remove_tree(path: Path) -> None:
    """Best-effort recursive delete (a reader elsewhere may still hold files open)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
