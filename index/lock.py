"""One build at a time per index directory, across processes: an advisory lock file.

Two first searches on an empty directory, or eight automatic rebuilds at once, must end with
one build and everyone using its result. Every build (and every change of ``CURRENT`` or
deletion of a generation) happens inside `index_lock`; a process that finds the lock taken
waits, then looks again: usually the index it wanted is there by then.

The lock is ``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows, both released by the
operating system when the holder dies, so a killed build never leaves the directory locked.
Readers never take it: they follow ``CURRENT``, which only ever names a complete generation.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Callable, Iterator

from index.errors import IndexBuildError

LOCK_FILE = ".lock"
WAIT_SECONDS = 900.0  # a full build takes seconds; 15 minutes means the holder is stuck
_POLL = 0.05

# Threads of one process share the OS lock: a per-directory RLock orders them, and a count
# lets a holder re-enter (ensure_index holds the lock around build_index, which takes it too).
_held: dict[str, list] = {}  # key → [RLock, depth, open lock file or None]
_held_guard = threading.Lock()


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def index_lock(index_dir: Path, log: Callable[[str], None] | None = None,
               wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the build lock of `index_dir` (created if needed) for the duration of the block.

    If another process holds it, `log` says so once and this waits up to `wait` seconds;
    then IndexBuildError. A directory where the lock file cannot be created (read-only) is
    an IndexBuildError too: nothing could be built there anyway.
    """
    index_dir = Path(index_dir)
    key = os.path.normcase(str(index_dir.resolve()))
    with _held_guard:
        entry = _held.setdefault(key, [threading.RLock(), 0, None])
    rlock = entry[0]
    rlock.acquire()
    try:
        if entry[1] == 0:
            entry[2] = _acquire(index_dir, log, wait)
        entry[1] += 1
        try:
            yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                fd, entry[2] = entry[2], None
                try:
                    _unlock(fd)
                finally:
                    os.close(fd)
    finally:
        rlock.release()


def _acquire(index_dir: Path, log, wait: float) -> int:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexBuildError(f"cannot lock index directory {index_dir}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + wait
    told = False
    while not _try_lock(fd):
        if not told and log:
            log(f"clsearch: waiting for another process building the index in {index_dir}")
            told = True
        if time.monotonic() > deadline:
            os.close(fd)
            raise IndexBuildError(f"another process has held the index lock in {index_dir} "
                                  f"for over {wait:.0f} s", hint="is another clsearch build stuck?")
        time.sleep(_POLL)
    return fd
