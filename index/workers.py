"""Indexing records on two cores: a forked worker prepares a share of them while this process
does the rest.

Preparing a record (jieba, pypinyin, the stored document, its terms) is pure and costs ~1 ms;
writing it is cheap. So a worker process, forked once the tokenizer and the reader are loaded
(their caches come along), prepares the last share of the records: their postings
(`index.segment.Postings`, numbered where they will sit), their stored and column values, and
their lexicon counts. It hands them back in one pickle file; this process, done with its own
share, adds them to its segment writer and its lexicon after its own. The index is the one a
single process writes, byte for byte: the same documents in the same order, the same postings,
the same counts in the same insertion order.

If the worker cannot be started or fails, this process prepares its share itself: slower,
never different.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.record_terms import LexiconBuilder
from index.records import Record
from index.segment import Postings, SegmentBuilder

PARALLEL_MIN = 4000  # records below which one process prepares them all (a fork is not free)
OWN_SHARE = 0.5  # of the records, what this process prepares (the worker also pickles its share, then
# writes the record tables while this process commits; a third writes the word tables: `beside`)
PROGRESS_EVERY = 1000

IndexOne = Callable[[Record, LexiconBuilder], dict[str, Any]]


def _forkable() -> bool:
    """Fork only from a single-threaded process (a server rebuilding in a thread indexes alone)."""
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and (os.cpu_count() or 1) >= 2)


def index_records(writer: SegmentBuilder, records: Sequence[Record], index_one: IndexOne,
                  lex: LexiconBuilder, scratch: Path, status: Callable[[str], None],
                  then: Callable[[], None] | None = None) -> Then:
    """Add `records`, in order, to `writer` and their counts to `lex` (see the module doc).

    `index_one(record, lexicon)`: the record's Whoosh field values, counting its lexicon
    entries into `lexicon`. `scratch`: a directory for the worker's pickle (removed after).
    `then`: more work that needs none of this process's results (tables written from the
    records); the worker does it after its share. Returns a `Then`: its `finish()` waits for
    that work (or does it here if the worker did not); `stop()` abandons it.
    """
    then = then or (lambda: None)
    n = len(records)
    own = n if n < PARALLEL_MIN or not _forkable() else int(n * OWN_SHARE)
    out = scratch / f".worker-{os.getpid()}.pickle"
    worker = None
    if own < n:
        ctx = multiprocessing.get_context("fork")
        worker = ctx.Process(target=_work, args=(records[own:], writer.docnum + own, index_one,
                                                 writer.schema, out, then), daemon=True)
        try:
            worker.start()
        except OSError:  # no fork today (memory, process limits): one process does it all
            worker, own = None, n
    try:
        for done, record in enumerate(records[:own]):
            if done % PROGRESS_EVERY == 0:
                status(f"indexing records: {done:,} of {n:,}")
            writer.add_terms(index_one(record, lex))
        part = None
        if worker is not None:
            status(f"indexing records: {own:,} of {n:,}, waiting for the other process")
            while not out.exists() and worker.is_alive():
                worker.join(0.02)
            part = _load(out)
            out.unlink(missing_ok=True)
        if part is None:  # no worker, or it failed: prepare its share here
            for record in records[own:]:
                writer.add_terms(index_one(record, lex))
        else:
            values, postings, counted = part
            writer.add_prepared(values, postings)
            lex.merge(counted)
    except BaseException:
        _stop(worker)
        out.unlink(missing_ok=True)
        raise

    return Then(worker, then)


def in_two(task: Callable[[Any], Any], here: Any, there: Any) -> tuple[Any, Any]:
    """``(task(here), task(there))``, the second computed in a forked process at the same
    time (`task` must be pure; its results are sent back pickled). Both are computed here
    if no process can be forked, or if that one fails."""
    if not _forkable():
        return task(here), task(there)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    worker: Any = ctx.Process(target=_send_result, args=(send, task, there), daemon=True)
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


def beside(task: Callable[[], None], records: int) -> Then:
    """Start `task` (work that only writes files) in a forked process while this one goes on,
    for a build of `records` records (a small one does it here: a fork is not free).

    Returns a `Then`: `finish()` waits for it, or does it here if it was not forked or failed
    (the same files either way); `stop()` abandons it.
    """
    if records < PARALLEL_MIN or not _forkable():
        return Then(None, task)
    worker = multiprocessing.get_context("fork").Process(target=task, daemon=True)
    try:
        worker.start()
    except OSError:  # no fork today: done here at finish()
        return Then(None, task)
    return Then(worker, task)


class Then:
    """The work `index_records` was given to do after the records (see there)."""

    def __init__(self, worker: Any, then: Callable[[], None]):
        self._worker = worker
        self._then = then

    def finish(self) -> None:
        """Wait until it is done (by the worker, or here if the worker failed)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join()
            if worker.exitcode == 0:
                return
        self._then()

    def stop(self) -> None:
        """Abandon it (the build failed): stop the worker if it is still running."""
        _stop(self._worker)
        self._worker = None


def _stop(worker: Any) -> None:
    if worker is not None and worker.is_alive():
        worker.terminate()
        worker.join()


def _work(records: Sequence[Record], first: int, index_one: IndexOne, schema: Any, out: Path,
          then: Callable[[], None]) -> None:
    """In the worker: prepare `records` (document numbers from `first`), pickle the result,
    then do `then`."""
    lex = LexiconBuilder()
    postings = Postings(schema)
    values = [postings.add(index_one(record, lex), first + i) for i, record in enumerate(records)]
    tmp = out.with_suffix(".tmp")
    with open(tmp, "wb") as fp:
        pickle.dump((values, postings, lex), fp, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, out)
    del values, postings, lex
    then()


def _load(path: Path) -> tuple[list[dict[str, Any]], Postings, LexiconBuilder] | None:
    try:
        with open(path, "rb") as fp:
            return pickle.load(fp)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None
