"""One Searcher shared by threads, as each `clsearch serve` worker shares one: the tables read
on first use are read once, whole, however many threads ask at the same moment."""

from __future__ import annotations

import threading

from search import Searcher


def _at_once(n: int, fn) -> list:
    """`fn()` from `n` threads released together; what each returned or raised."""
    start = threading.Barrier(n)
    out: list = [None] * n

    def one(i: int) -> None:
        start.wait()
        try:
            out[i] = fn()
        except Exception as exc:  # collected: the assertion names it
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def test_the_tie_table_is_read_once_by_threads_asking_together(small_index):
    # Reading it seeks and reads a file shared by the threads: unguarded, two readers at once
    # got a torn read, reported as a damaged index (HTTP 503 under load).
    for _ in range(20):
        with Searcher(index_dir=small_index) as s:
            got = _at_once(8, s._reader.ties)
            assert not [g for g in got if isinstance(g, Exception)]
            assert all(g is got[0] for g in got)
            assert len(got[0].order()) == 18


def test_first_searches_of_a_fresh_searcher_from_many_threads(small_index):
    with Searcher(index_dir=small_index) as s:
        got = _at_once(8, lambda: [h.name for h in s.search("czgf")])
    assert got == [["常州光伏创新型产业集群"]] * 8
