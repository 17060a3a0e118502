"""Indexing records on two cores: a forked worker prepares a share of them while this process
does the rest.

Preparing a record (jieba, pypinyin, the stored document, its terms) is pure and costs ~1 ms;
writing it is cheap. So a worker process, forked once the tokenizer and the reader are loaded
(their caches come along), prepares records from the end of the list while this process
first does what indexing does not need (the `related` links) and then takes records from the
start, a chunk at a time, until the two meet (`_Claims`): neither waits for the other, however
the machine is loaded. The worker collects its records' postings (`index.segment.Postings`,
numbered where they will sit), their stored and column values, and their lexicon counts, and
writes each claim's to a file as soon as it is made (nothing is left to merge when the two
meet); this process adds them, in record order, to its segment writer and its lexicon after
its own. The index is the one a single process writes, byte for byte: the same
documents in the same order, the same postings, the same counts in the same insertion order.

If the worker cannot be started or fails, this process prepares its records itself: slower,
never different."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.record_terms import LexiconBuilder
from index.records import Record
from index.segment import Postings, SegmentBuilder

PARALLEL_MIN = 4000  # records below which one process prepares them all (a fork is not free)
CHUNK_MIN, CHUNK_MAX = 100, 1000  # records claimed at a time (fewer as the two sides meet)
PROGRESS_EVERY = 1000

IndexOne = Callable[[Record, LexiconBuilder], dict[str, Any]]


def _forkable() -> bool:
    """Fork only from a single-threaded process (a server rebuilding in a thread indexes alone)."""
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and (os.cpu_count() or 1) >= 2)


class _Claims:
    """The records not yet claimed, ``[low, high)``, shared by this process (which claims
    from the start) and the worker (from the end) until they meet: each side does as much
    as its speed allows, whatever else it has to do (no fixed share)."""

    def __init__(self, ctx: Any, n: int):
        self._bounds = ctx.RawArray("q", [0, n])
        self._lock = ctx.Lock()
        self._n = n

    @staticmethod
    def _size(low: int, high: int) -> int:
        return max(CHUNK_MIN, min(CHUNK_MAX, (high - low) // 8))

    def low(self) -> tuple[int, int] | None:
        """The next records from the start (this process), or None when none are left."""
        with self._lock:
            low, high = self._bounds
            if low >= high:
                return None
            self._bounds[0] = end = min(high, low + self._size(low, high))
            return low, end

    def high(self) -> tuple[int, int] | None:
        """The next records from the end (the worker), or None when none are left."""
        with self._lock:
            low, high = self._bounds
            if low >= high:
                return None
            self._bounds[1] = start = max(low, high - self._size(low, high))
            return start, high

    def claimed(self) -> int:
        """How many records either side has taken."""
        low, high = self._bounds
        return int(low + self._n - high)


def index_records(writer: SegmentBuilder, records: Sequence[Record], index_one: IndexOne,
                  lex: LexiconBuilder, scratch: Path, status: Callable[[str], None],
                  then: Callable[[], None] | None = None, first: Callable[[], None] | None = None,
                  memo: dict[str, Any] | None = None, counted: Callable[[], None] | None = None) -> Then:
    """Add `records`, in order, to `writer` and their counts to `lex` (see the module doc).

    `index_one(record, lexicon)`: the record's Whoosh field values, counting its lexicon
    entries into `lexicon`. `scratch`: a directory for the worker's files (removed after).
    `first`: work for this process that indexing does not need (the `related` links): done
    here after the worker has started, before this process takes records. `then`: more work
    that needs none of this process's results (tables written from the records), done after
    `first` in another forked process. `memo`: a dict that `index_one` fills (texts' cuts
    and spellings for the completion table): the worker's entries are added to it. Returns
    a `Then`: its `finish()` waits for `then` (or does it here if no process did it);
    `stop()` abandons it. `counted`: called once `lex` and `memo` hold every record's counts
    and entries, before the worker's documents are added to `writer` (work that needs them
    can start in other processes while this one adds them).
    """
    counted = counted or (lambda: None)
    then = then or (lambda: None)
    n = len(records)
    out = scratch / f".worker-{os.getpid()}.pickle"
    worker = claims = None
    if n >= PARALLEL_MIN and _forkable():
        ctx = multiprocessing.get_context("fork")
        claims = _Claims(ctx, n)
        worker = ctx.Process(target=_child, args=(_work, records, writer.docnum, index_one, writer.schema,
                                                  out, claims, memo), daemon=True)
        try:
            worker.start()
        except OSError:  # no fork today (memory, process limits): one process does it all
            worker = claims = None
    after = None
    try:
        if first is not None:
            first()
        after = beside(then, n) if worker is not None else Then(None, then)
        if claims is None:
            for done, record in enumerate(records):
                if done % PROGRESS_EVERY == 0:
                    status(f"indexing records: {done:,} of {n:,}")
                writer.add_terms(index_one(record, lex))
            counted()
            return after
        own = 0
        while (got := claims.low()) is not None:
            start, end = got
            status(f"indexing records: {claims.claimed() - (end - start):,} of {n:,}")
            for record in records[start:end]:
                writer.add_terms(index_one(record, lex))
            own = end
        status(f"indexing records: {own:,} of {n:,}, waiting for the other process")
        while not out.exists() and worker is not None and worker.is_alive():
            worker.join(0.02)
        spans = _load(out)
        if worker is not None:
            worker.join()  # it ends once its list is written
        if not _tiles(spans, own, n) or not all(_part(out, key).exists()
                                                 for start, _ in spans for key in (start, f"{start}-lex")):
            for record in records[own:]:  # the worker failed: its records are done here
                writer.add_terms(index_one(record, lex))
            counted()
        else:
            for start, _ in spans:  # the counts first, in record order
                lex.merge(_taken(_part(out, f"{start}-lex")))
            if memo is not None:
                memo.update(_taken(_part(out, "memo")))
            counted()
            for start, _ in spans:  # then the documents, in record order, one claim at a time
                values, postings = _taken(_part(out, start))
                writer.add_prepared(values, postings)
                del values, postings
    except BaseException:
        _stop(worker)
        if after is not None:
            after.stop()
        raise
    finally:
        _remove_parts(out)
    return after


def _tiles(spans: Any, own: int, n: int) -> bool:
    """Whether `spans` (the worker's list) are ``[own, n)`` in order, without gap or overlap."""
    if not isinstance(spans, list):
        return False
    at = own
    for span in spans:
        if not (isinstance(span, tuple) and len(span) == 2 and span[0] == at and span[1] > at):
            return False
        at = span[1]
    return at == n


def _part(out: Path, key: int | str) -> Path:
    """The file of one of the worker's claims (by where it starts), or of its memo."""
    return out.with_name(f"{out.stem}-{key}.pickle")


def _taken(path: Path) -> Any:
    """A part the worker wrote (its list said so), read and removed."""
    data = _load(path)
    path.unlink(missing_ok=True)
    if data is None:
        raise OSError(f"cannot read the worker's records in {path.name}")
    return data


def _remove_parts(out: Path) -> None:
    for path in [out, out.with_suffix(".tmp"), *out.parent.glob(f"{out.stem}-*")]:
        path.unlink(missing_ok=True)


def in_two(task: Callable[[Any], Any], here: Any, there: Any) -> tuple[Any, Any]:
    """``(task(here), task(there))``, the second computed in a forked process at the same
    time (`task` must be pure; its results are sent back pickled). Both are computed here
    if no process can be forked, or if that one fails."""
    if not _forkable():
        return task(here), task(there)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    worker: Any = ctx.Process(target=_child, args=(_send_result, send, task, there), daemon=True)
    try:
        worker.start()
    except OSError:
        worker = None
    send.close()  # only the worker writes: a worker that dies closes the pipe
    try:
        mine = task(here)
        theirs = _NONE
        if worker is not None:
            try:
                theirs = receive.recv()
            except (EOFError, OSError):
                pass
    except BaseException:
        _stop(worker)
        raise
    finally:
        receive.close()
    if worker is not None:
        worker.join()
    return mine, task(there) if theirs is _NONE else theirs


_NONE = object()


def _send_result(send: Any, task: Callable[[Any], Any], arg: Any) -> None:
    send.send(task(arg))
    send.close()


def beside(task: Callable[..., None], records: int, told: bool = False) -> Then:
    """Start `task` (work that only writes files) in a forked process while this one goes on,
    for a build of `records` records (a small one does it here: a fork is not free).

    Returns a `Then`: `finish()` waits for it, or does it here if it was not forked or failed
    (the same files either way); `stop()` abandons it. `told`: `task` is called with one
    argument, a function that waits for what this process decides after the fork
    (`Then.tell`: True or False) and returns it; False too if this process ends or stops
    it first. Work that does not depend on it starts earlier that way.
    """
    if records < PARALLEL_MIN or not _forkable():
        return Then(None, task, told)
    pipe = os.pipe() if told else None
    args = (_waiting, task, pipe, os.getpid()) if pipe is not None else (task,)
    worker = multiprocessing.get_context("fork").Process(target=_child, args=args, daemon=True)
    try:
        worker.start()
    except OSError:  # no fork today: done here at finish()
        _close(*(pipe or ()))
        return Then(None, task, told)
    if pipe is None:
        return Then(worker, task)
    os.close(pipe[0])
    return Then(worker, task, told, pipe[1])


def _waiting(task: Callable[[Callable[[], bool]], None], pipe: tuple[int, int], parent: int) -> None:
    """In a process `beside(told=True)` forked: `task`, given the function that waits for
    the word of its parent (one byte on `pipe`; False if the parent ends first)."""
    os.close(pipe[1])
    word: list[bool] = []

    def planned() -> bool:
        while not word:
            ready, _, _ = select.select([pipe[0]], [], [], 1.0)
            if ready:
                word.append(os.read(pipe[0], 1) == b"1")  # b"": the parent closed it without a word
            elif os.getppid() != parent:  # the parent is gone (other forked processes keep the pipe open)
                word.append(False)
        return word[0]

    task(planned)


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


class Then:
    """The work `index_records` or `beside` was given to do (see there)."""

    def __init__(self, worker: Any, then: Callable[..., None], told: bool = False, tell: int | None = None):
        self._worker = worker
        self._then = then
        self._told = told  # `then` takes the function that gives `tell`'s word (`beside`)
        self._tell = tell  # the pipe to the worker, until told
        self._word = False

    @property
    def forked(self) -> bool:
        """Whether another process is doing it (else `finish()` does it here)."""
        return self._worker is not None

    def tell(self, word: bool) -> None:
        """Give the work its word (`beside(told=True)`), once."""
        self._word = word
        fd, self._tell = self._tell, None
        if fd is not None:
            try:
                os.write(fd, b"1" if word else b"0")
            except OSError:  # the worker has ended: finish() sees how
                pass
            _close(fd)

    def finish(self) -> None:
        """Wait until it is done (by the worker, or here if the worker failed)."""
        worker, self._worker = self._worker, None
        if self._tell is not None:  # never told: the worker hears no (and finish does it here)
            self.tell(False)
        if worker is not None:
            worker.join()
            if worker.exitcode == 0:
                return
        if self._told:
            word = self._word
            self._then(lambda: word)
        else:
            self._then()

    def stop(self) -> None:
        """Abandon it (the build failed): stop the worker if it is still running."""
        fd, self._tell = self._tell, None
        if fd is not None:
            _close(fd)
        _stop(self._worker)
        self._worker = None


def _child(task: Callable[..., Any], *args: Any) -> None:
    """A forked process's entry: `task(*args)`, ending quietly when it cannot finish.

    Ctrl-C on a terminal interrupts the whole process group: the build process says
    "interrupted" and removes its half-written generation, so a worker must not add a
    traceback of its own (multiprocessing prints one for any exception). Nor when it fails
    for another reason (its directory removed under it, a full disk): the build process
    notices (the exit status, a missing file) and does that work itself or fails with its
    own message. So: exit status 130 after an interrupt, 1 after an error, one line on stderr
    for an error only."""
    try:
        task(*args)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        os._exit(130)
    except BaseException as exc:  # noqa: BLE001 - reported by the build process, not here
        try:
            os.write(2, f"clsearch: a build worker stopped ({type(exc).__name__}: {exc})\n".encode())
        finally:
            os._exit(1)


def _stop(worker: Any) -> None:
    if worker is not None and worker.is_alive():
        worker.terminate()
        worker.join()


def _work(records: Sequence[Record], base: int, index_one: IndexOne, schema: Any, out: Path,
          claims: _Claims, memo: dict[str, Any] | None) -> None:
    """In the worker: prepare records claimed from the end of `records` (document numbers
    from `base`) until none are left, each claim's stored values and postings, and its lexicon
    counts, written to their own files as soon as they are made (`_part`), then `memo`, then the list
    of the claims (``out``, the last file: the hand-over is complete once it exists)."""
    spans = []
    while (got := claims.high()) is not None:
        start, end = got
        lex = LexiconBuilder()
        postings = Postings(schema)
        values = [postings.add(index_one(records[i], lex), base + i) for i in range(start, end)]
        _dump(_part(out, start), (values, postings))
        _dump(_part(out, f"{start}-lex"), lex)
        spans.append((start, end))
        del values, postings, lex
    _dump(_part(out, "memo"), memo or {})
    _dump(out, sorted(spans))


def _dump(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fp:
        pickle.dump(data, fp, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _load(path: Path) -> Any:
    try:
        with open(path, "rb") as fp:
            return pickle.load(fp)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None
