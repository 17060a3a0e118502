"""``python -m bench.worst``: worst-case query time and memory (issue #12's bound).

Runs the adversarial queries that once exhausted memory (long hanzi/pinyin alternations,
initials, typo-laden pinyin, NFKC expansions) against the default index, each parsed and
searched several times in one warm process. Prints, per query, the median parse time, the
median search time and the tracemalloc peak of its first search, then the maxima against the bound
the README states: parsing within 50 ms and any search within 50 MB above baseline. Like
``python -m bench`` it never fails on a slow figure; it exits 1 only if a query raised
something other than QueryError.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc

PARSE_BOUND_MS, MEMORY_BOUND_MB = 50.0, 50.0

WORST = ["锂xian" * 10, "锂xian" * 12, "锂xian" * 40, "xianan锂" * 9, "xianan锂" * 28,
         "zhuangxianzhuang锂" * 11, "xian" * 50, "zh" * 100, "ch" * 100, "jqr" * 66, "a" * 200,
         "lidain" * 33, "nnnnnnnnnnn锂" * 16, "x锂" * 100, "锂" * 200, "夏门" * 100, "鋰xian" * 40,
         "shang hai " * 20, "sh zh ch " * 8, "lidn " * 24, "ﷺ" * 11, "g60" * 66, "e" * 200]


def _time_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            call()
        except Exception as exc:  # QueryError is an answer; anything else is a failure
            from index.errors import QueryError

            if not isinstance(exc, QueryError):
                raise
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.worst", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5, help="timed runs per query (median, default 5)")
    args = p.parse_args(argv)
    from search import Searcher
    from search.query import MAX_QUERY_CHARS, parse_query

    searcher = Searcher()
    searcher.results("锂电")  # warm: lazily read tables loaded, caches primed
    searcher.results("lidain")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'parse ms':>9} {'search ms':>10} {'peak MB':>8}  query")
    worst_parse = worst_search = worst_peak = 0.0
    for query in WORST:
        query = query[:MAX_QUERY_CHARS]
        try:
            tracemalloc.start()  # the first search: nothing of this query cached yet
            _time_ms(lambda q=query: searcher.results(q), 1)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            parse = _time_ms(lambda q=query: parse_query(q, searcher.lexicon, correct=True), args.runs)
            search = _time_ms(lambda q=query: searcher.results(q), args.runs)
        except Exception as exc:
            print(f"FAILED {query[:40]!r}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        worst_parse, worst_search, worst_peak = max(worst_parse, parse), max(worst_search, search), max(worst_peak, peak)
        print(f"{parse:9.1f} {search:10.1f} {peak:8.1f}  {query[:36]!r}{'…' if len(query) > 36 else ''}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_rss
    print(f"\nworst parse  {worst_parse:6.1f} ms   (bound {PARSE_BOUND_MS:g} ms)")
    print(f"worst search {worst_search:6.1f} ms")
    print(f"worst peak   {worst_peak:6.1f} MB   (bound {MEMORY_BOUND_MB:g} MB; "
          f"process max RSS grew {rss:.1f} MB over the warm baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
