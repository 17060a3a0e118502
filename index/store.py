"""Where indexes live, which generation is current, and whether a generation is intact.

An index directory holds generations (``gen-*``) and a small ``CURRENT`` file naming the one in
use. A build writes a complete new generation, records every file's size and SHA-256 in its
``meta.json``, then replaces ``CURRENT`` atomically (`os.replace`), so a failed or interrupted
build leaves the previous index usable. All of this happens under the directory's build lock
(`index.lock`); readers never lock.

A generation that stops being current is marked retired and deleted only after a grace period
(`GRACE_SECONDS`), only by the lock holder, and never while a live process holds it open (a
marker file per open reader, `hold` / `release`). Partial generations of killed builds, never current, are deleted by the next
lock holder. ``CURRENT`` only ever names a generation that is complete, and a generation is
never deleted while ``CURRENT`` names it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from index.dictionaries import DATA_DIR
from index.errors import IndexDamagedError, IndexMissingError

ENV_VAR = "CLSEARCH_INDEX"
POINTER = "CURRENT"
META = "meta.json"
LISTS = "lists"  # copies of the lists added with --add, one file per list key
RETIRED = ".retired"  # in a generation: when it stopped being current (its mtime)
READERS = ".readers"  # in a generation: one file per open reader, named <pid>-<id>
GRACE_SECONDS = 60.0  # readers open every file when they open a generation; this covers the gap
_UNCHECKED = {META, RETIRED}  # and everything under READERS
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
    """$CLSEARCH_INDEX if set, else <user data dir>/index (absolute either way)."""
    env = os.environ.get(ENV_VAR)
    return resolve_dir(Path(env)) if env else user_data_dir().absolute() / "index"


def resolve_dir(path: Path | str) -> Path:
    """An index directory as an absolute path: ``~`` expanded, relative paths made absolute.

    Done first, so nothing downstream (jieba's cache path, messages, the lock) sees a relative
    path that means something else after a directory change.
    """
    return Path(os.path.abspath(Path(path).expanduser()))


def current_generation(index_dir: Path) -> Path | None:
    """The generation ``CURRENT`` names; None if there is no ``CURRENT`` (no index yet).

    Raises IndexDamagedError if ``CURRENT`` is unreadable, garbage, or names a generation
    that is not there, and IndexMissingError if the directory itself cannot be read.
    """
    pointer = index_dir / POINTER
    try:
        raw = pointer.read_bytes()
    except FileNotFoundError:
        if any(index_dir.glob(f"gen-*/{META}")):
            raise _damaged(index_dir, f"{POINTER} is missing") from None
        return None
    except NotADirectoryError as exc:
        raise IndexMissingError(f"cannot read index directory {index_dir}: not a directory") from exc
    except OSError as exc:
        if not index_dir.is_dir() or not os.access(index_dir, os.R_OK | os.X_OK):
            raise IndexMissingError(f"cannot read index directory {index_dir}: {exc.strerror}") from exc
        raise _damaged(index_dir, f"cannot read {POINTER}: {exc.strerror}") from exc
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        name = ""
    if not (name.startswith("gen-") and len(name) < 100 and name.isascii() and "/" not in name
            and "\\" not in name and ".." not in name):
        raise _damaged(index_dir, f"{POINTER} does not name a generation")
    gen = index_dir / name
    if not (gen / META).is_file():
        raise _damaged(index_dir, f"{POINTER} names {name}, which is missing or incomplete")
    return gen


def _damaged(index_dir: Path, what: str) -> IndexDamagedError:
    return IndexDamagedError(f"the index in {index_dir} is damaged: {what}",
                             hint=f"rebuild it with: clsearch index build --index {index_dir}")


def read_meta(generation: Path) -> dict:
    """A generation's metadata; IndexDamagedError if it is missing, unreadable or not JSON."""
    try:
        data = json.loads((generation / META).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not valid JSON"
        raise _damaged(generation.parent, f"{generation.name}/{META}: {why}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("files", {}), dict):
        raise _damaged(generation.parent, f"{generation.name}/{META}: not clsearch metadata")
    if "checksum" in data and data.pop("checksum") != _meta_checksum(data):
        raise _damaged(generation.parent, f"{generation.name}/{META}: checksum mismatch")
    return data


def sealed_meta(data: dict) -> dict:
    """`data` with a checksum of itself, so that any change to meta.json is seen (`read_meta`)."""
    return {**data, "checksum": _meta_checksum(data)}


def _meta_checksum(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- checksums --------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_records(generation: Path, base: Path | None = None, known: dict[str, Any] | None = None) -> dict[str, dict]:
    """Every file of a generation (meta.json aside): size, mtime and SHA-256, for its meta.

    `base` and `known`: a generation this one was made from and its metadata's files: a file
    that is the very file (a hard link) `known` records, with the same size and modification
    time, gets the SHA-256 recorded there instead of being read again (an incremental build
    links the previous generation's unchanged segments, ~140 MB at 100,000 records).
    """
    out = {}
    for path in sorted(p for p in generation.rglob("*") if p.is_file()):
        name = path.relative_to(generation).as_posix()
        if name in _UNCHECKED or name.startswith(READERS + "/"):
            continue
        st = path.stat()
        out[name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                     "sha256": _known_sha(st, base, name, known) or sha256_of(path)}
    return out


def _known_sha(st: os.stat_result, base: Path | None, name: str, known: dict[str, Any] | None) -> str | None:
    """The SHA-256 `known` records for `base`'s file `name` if `st` is that file as recorded."""
    want = known.get(name) if known is not None and base is not None else None
    if not isinstance(want, dict) or not isinstance(want.get("sha256"), str) or base is None:
        return None
    try:
        before = (base / name).stat()
    except OSError:
        return None
    if (os.path.samestat(st, before) and st.st_size == want.get("size")
            and st.st_mtime_ns == want.get("mtime_ns")):
        return str(want["sha256"])
    return None


def check_generation(generation: Path, meta: dict, full: bool = False) -> list[str]:
    """What is wrong with a generation's files, as short phrases ([] if it is intact).

    Every recorded file must exist, be readable and have its recorded size. Its contents are
    hashed when `full`, or when its modification time changed since the build (any write
    changes it): so opening an index costs one stat per file, and a damaged file is still
    found before anything reads it. `index verify` passes `full`.
    """
    files = meta.get("files")
    if not isinstance(files, dict) or not files:
        return [f"{META} lists no file checksums (built by an older clsearch)"]
    problems = []
    for name, want in files.items():
        path = generation / name
        try:
            st = path.stat()
            if not isinstance(want, dict):
                raise ValueError
            if st.st_size != want.get("size"):
                problems.append(f"{name}: size {st.st_size}, built as {want.get('size')}")
                continue
            if full or st.st_mtime_ns != want.get("mtime_ns"):
                if sha256_of(path) != want.get("sha256"):
                    problems.append(f"{name}: contents changed (checksum mismatch)")
            elif not os.access(path, os.R_OK):
                problems.append(f"{name}: not readable")
        except FileNotFoundError:
            problems.append(f"{name}: missing")
        except OSError as exc:
            problems.append(f"{name}: {exc.strerror}")
        except ValueError:
            problems.append(f"{name}: bad entry in {META}")
    return problems


def verified_bytes(generation: Path, name: str, meta: dict) -> bytes:
    """The contents of one file of a generation, checked against its recorded SHA-256 first.

    What the query layer parses itself goes through here, so nothing it reads is trusted
    before the checksum says it is what the build wrote.
    """
    try:
        data = (generation / name).read_bytes()
    except OSError as exc:
        raise _damaged(generation.parent, f"{generation.name}/{name}: {exc.strerror}") from exc
    return _checked(data, generation, name, meta)


def _checked(data: bytes, generation: Path, name: str, meta: dict) -> bytes:
    """`data` if its SHA-256 is the one the build recorded for `name`, else IndexDamagedError."""
    want = (meta.get("files") or {}).get(name)
    if not isinstance(want, dict) or hashlib.sha256(data).hexdigest() != want.get("sha256"):
        raise _damaged(generation.parent, f"{generation.name}/{name}: checksum mismatch")
    return data


def open_verified(generation: Path, name: str, meta: dict):
    """An open binary file of a generation, for reading later; its size checked now.

    Holding the file open keeps it readable after a later build deletes the generation
    (POSIX), so a long-lived Searcher never meets a missing file half way.
    """
    try:
        fp = open(generation / name, "rb")
    except OSError as exc:
        raise _damaged(generation.parent, f"{generation.name}/{name}: {exc.strerror}") from exc
    return fp


def read_verified(fp, generation: Path, name: str, meta: dict) -> bytes:
    """Read a file opened by `open_verified` and check its SHA-256 before returning it."""
    try:
        fp.seek(0)
        data = fp.read()
    except OSError as exc:
        raise _damaged(generation.parent, f"{generation.name}/{name}: {exc.strerror}") from exc
    return _checked(data, generation, name, meta)


# -- fingerprints -----------------------------------------------------------------------------

def fingerprint_inputs(seed_files: list[Path]) -> list[Path]:
    """Everything an index is built from: seeds, analysis data, the user's own dictionaries
    (index.user_files) and indexer code (corpus too)."""
    from index.user_files import user_files

    files = sorted(seed_files) + sorted(DATA_DIR.glob("*.t[xs]?")) + user_files()
    # The generator scripts in data/ ship only in a checkout, not in an installed copy: were
    # they hashed, a checkout and an installed clsearch would call each other's index stale.
    code = [p for p in _PACKAGE_DIR.rglob("*.py") if DATA_DIR not in p.parents]
    return files + sorted(code)


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


# -- swapping and cleaning (under the build lock) ---------------------------------------------

def is_swapped_in(index_dir: Path, generation: Path) -> bool:
    """Whether ``CURRENT`` names `generation`: once it does, the build that made it has
    succeeded, whatever interrupts that build afterwards (a signal while it cleans up or keeps
    its memo), and the generation must not be removed as a partial one."""
    try:
        return (index_dir / POINTER).read_text(encoding="utf-8").strip() == generation.name
    except (OSError, UnicodeDecodeError):
        return False


def swap_in(index_dir: Path, generation: Path) -> None:
    """Make `generation` current atomically; retire the previous one; clean up old ones.

    The caller holds `index.lock.index_lock(index_dir)`.
    """
    try:
        previous = current_generation(index_dir)
    except IndexDamagedError:
        previous = None
    tmp = index_dir / f".{POINTER}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fp:
        fp.write(generation.name + "\n")
        fp.flush()
        os.fsync(fp.fileno())
    os.replace(tmp, index_dir / POINTER)
    if previous is not None and previous != generation:
        try:
            (previous / RETIRED).touch()
        except OSError:
            pass
    clean_up(index_dir)


def clean_up(index_dir: Path, grace: float | None = None) -> list[str]:
    """Delete what no reader can need: returns the names removed. The caller holds the lock.

    Kept: the generation ``CURRENT`` names, and generations retired less than `grace` seconds
    ago. Removed: older retired generations, partial generations of killed builds (no meta,
    never current: the lock holder is the only builder), and stray temporary files.
    """
    grace = GRACE_SECONDS if grace is None else grace
    try:
        current = current_generation(index_dir)
    except (IndexDamagedError, IndexMissingError):
        return []  # never delete anything while CURRENT cannot be trusted
    now = time.time()
    removed = []
    for path in sorted(index_dir.iterdir()):
        name = path.name
        if current is not None and name == current.name:
            continue
        if name.startswith("gen-") and path.is_dir():
            marker = path / RETIRED
            try:
                since = marker.stat().st_mtime if marker.exists() else (
                    path.stat().st_mtime if (path / META).exists() else None)
            except OSError:
                since = None
            if since is not None and (now - since < grace or _held(path)):
                continue  # retired recently, or a reader still has it open
            remove_tree(path)
            removed.append(name)
        elif name.startswith(f".{POINTER}.") and path.is_file():
            try:
                path.unlink()
                removed.append(name)
            except OSError:
                pass
    return removed


def hold(generation: Path) -> Path | None:
    """Mark `generation` as open by this process, so that no build deletes it; see `release`.

    Best effort: where the marker cannot be written (a read-only index), the grace period
    and the files a reader keeps open still protect it.
    """
    marker = generation / READERS / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        marker.parent.mkdir(exist_ok=True)
        marker.touch()
    except OSError:
        return None
    return marker


def release(marker: Path | None) -> None:
    if marker is not None:
        try:
            marker.unlink()
        except OSError:
            pass


def _held(generation: Path) -> bool:
    """True if a live process has `generation` open (a marker whose process still runs)."""
    try:
        markers = list((generation / READERS).iterdir())
    except OSError:
        return False
    for marker in markers:
        pid = marker.name.split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            return True
    return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return True  # no cheap check: trust the marker (readers remove theirs on close)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def remove_tree(path: Path) -> None:
    """Best-effort recursive delete (a reader elsewhere may still hold files open)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
