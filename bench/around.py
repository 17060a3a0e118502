"""Warm latency of what surrounds the match: facets over the whole hit set, and type-ahead.

- *Facets*: `Searcher.results(q, 10, facets=True)` for every query of the bench mix (the same
  queries as the warm-latency step), and browsing with filters (``results("", province=…,
  facets=True)``) for every province and type, as a faceted search page would ask.
- *Completion*: `Searcher.complete(prefix, 10)` for every prefix a user types on the way to
  each query of the mix: hanzi one character at a time, pinyin one letter at a time, and the
  initials (``常``, ``常州``, ``c``, ``ch``, … ``changzhou``, ``cz``).

Each call runs once untimed, then `REPEATS` timed runs, as in `bench.warm`. Run on its own with
``python -m bench.around [--index DIR] [--queries N]``, or as steps 6 and 7 of ``python -m bench``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stats import latency

REPEATS = 3
GOAL_FACETS_P95_MS, GOAL_COMPLETE_P95_MS = 5.0, 2.0


def _timed(call: Callable[[], object]) -> list[float]:
    call()  # warm-up: caches
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return times


def typed_prefixes(query: str, spell: Callable[[str], list[str]]) -> list[str]:
    """What a user types on the way to `query`: each longer prefix of it as written, and for a
    hanzi query each prefix of its pinyin and its initials."""
    out = [query[:i] for i in range(1, len(query) + 1) if query[:i].strip()]
    syls = spell(query) if any("\u4e00" <= c <= "\u9fff" for c in query) else []
    if syls:
        joined = "".join(syls)
        out += [joined[:i] for i in range(1, len(joined) + 1)]
        initials = "".join(s[:1] for s in syls)
        out += [initials[:i] for i in range(2, len(initials) + 1)]
    return list(dict.fromkeys(out))


def run_around(index_dir: Path, queries: list[tuple[str, str]]) -> dict[str, Any]:
    from search import QueryError, Searcher

    with Searcher(index_dir=index_dir) as s:
        facet_ms: list[float] = []
        plain_ms: list[float] = []  # the same calls without facets: what facets add
        slow: list[tuple[float, str]] = []
        for _category, q in queries:
            try:
                plain_ms += _timed(lambda q=q: s.results(q, 10))
                times = _timed(lambda q=q: s.results(q, 10, facets=True))
            except QueryError:
                continue
            facet_ms += times
            slow.append((max(times), q))
        browse_ms: list[float] = []
        for field in ("province", "type", "program", "list"):
            for value in s.values(field):
                browse_ms += _timed(lambda f=field, v=value: s.results("", 10, facets=True, **{f: v}))

        def spell(text: str) -> list[str]:
            return [(s.lexicon.readings(c) or ("",))[0] for c in text if "\u4e00" <= c <= "\u9fff"]

        firsts = [q.split()[0] for _c, q in queries if q.split()]  # the box completes the first word
        prefixes = list(dict.fromkeys(p for q in firsts for p in typed_prefixes(q, spell)))
        complete_ms: list[float] = []
        for p in prefixes:
            complete_ms += _timed(lambda p=p: s.complete(p, 10))
    return {
        "plain_ms": latency(plain_ms), "facets_ms": latency(facet_ms), "browse_facets_ms": latency(browse_ms),
        "facets_and_browse_ms": latency(facet_ms + browse_ms),
        "complete_ms": latency(complete_ms), "prefixes": len(prefixes),
        "slowest_facets": [{"ms": ms, "query": q} for ms, q in sorted(slow, reverse=True)[:5]],
        "goal_facets_p95_ms": GOAL_FACETS_P95_MS, "goal_complete_p95_ms": GOAL_COMPLETE_P95_MS,
    }


def report(fig: dict[str, Any]) -> None:
    def row(label: str, s: dict[str, float], goal: float | None = None) -> None:
        tail = f"   goal p95 <= {goal:g} ms" if goal else ""
        print(f"   {label:<34} {s['n']:>6} {s['p50']:7.2f} {s['p95']:7.2f} {s['max']:7.2f}{tail}")

    print(f"   {'':<34} {'calls':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    row("results(q, 10) (no facets)", fig["plain_ms"])
    row("results(q, 10, facets=True)", fig["facets_ms"])
    row('results("", 10, facets=True, f=v)', fig["browse_facets_ms"])
    row("both (the faceted mix)", fig["facets_and_browse_ms"], GOAL_FACETS_P95_MS)
    row(f"complete(prefix, 10), {fig['prefixes']} prefixes", fig["complete_ms"], GOAL_COMPLETE_P95_MS)
    print("   slowest with facets: " + "; ".join(f"{x['query']} {x['ms']:.1f} ms" for x in fig["slowest_facets"]))


def main(argv: list[str] | None = None) -> int:
    from bench.queries import make_queries
    from index.corpus import load_corpus
    from index.store import default_index_dir

    p = argparse.ArgumentParser(prog="python -m bench.around", description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, default=None, help="index directory (default: the default index)")
    p.add_argument("--queries", type=int, default=360, help="queries of the bench mix (default 360)")
    args = p.parse_args(argv)
    index_dir = args.index or default_index_dir()
    if args.index is None:
        from search import Searcher

        Searcher().close()  # build the default index if needed
    queries = make_queries(load_corpus().records, args.queries)
    print(f"Warm latency around the match ({len(queries)} queries of the bench mix, {REPEATS} timed runs each)")
    report(run_around(index_dir, queries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
