"""Warm latency: `Searcher.search` in one long-lived process, as a server or REPL would use it.

Each query runs once untimed (its postings and documents enter the searcher's caches), then
is timed once at first sight (`bench.stats.first_sight`: no plan of its text kept; `samples`,
what the goal is judged on), then `REPEATS` times as a repeat (`repeats`). An exception is recorded with its query
and reported, not hidden: a query that raises or takes far longer than its peers is an engine
bug to look at, and the bench does not work around it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.stats import first_sight, latency

REPEATS = 3


@dataclass
class WarmRun:
    open_ms: float
    samples: dict[str, list[float]] = field(default_factory=dict)  # category → ms of each first sight
    repeats: dict[str, list[float]] = field(default_factory=dict)  # category → ms of each timed repeat
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # (ms, category, query)
    with_hits: dict[str, int] = field(default_factory=dict)  # category → queries with ≥ 1 hit
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (category, query, error)

    def overall(self) -> dict[str, float]:
        return latency([ms for values in self.samples.values() for ms in values])

    def by_category(self) -> dict[str, dict[str, float]]:
        return {c: latency(v) for c, v in self.samples.items() if v}

    def overall_repeat(self) -> dict[str, float]:
        return latency([ms for values in self.repeats.values() for ms in values])

    def by_category_repeat(self) -> dict[str, dict[str, float]]:
        return {c: latency(v) for c, v in self.repeats.items() if v}


def run_warm(index_dir: Path, queries: list[tuple[str, str]], limit: int = 10) -> WarmRun:
    from search import Searcher

    start = time.perf_counter()
    searcher = Searcher(index_dir=index_dir)
    run = WarmRun(open_ms=(time.perf_counter() - start) * 1000)
    per_query: list[tuple[float, str, str]] = []
    with searcher:
        for category, q in queries:
            run.samples.setdefault(category, [])
            run.with_hits.setdefault(category, 0)
            try:
                hits = searcher.search(q, limit=limit)
            except Exception as exc:  # noqa: BLE001 -- reported with its query, see module doc
                run.errors.append((category, q, f"{type(exc).__name__}: {exc}"))
                continue
            run.with_hits[category] += bool(hits)
            with first_sight(searcher):
                t0 = time.perf_counter_ns()
                searcher.search(q, limit=limit)
                first = (time.perf_counter_ns() - t0) / 1e6
            run.samples[category].append(first)
            times = []
            for _ in range(REPEATS):
                t0 = time.perf_counter_ns()
                searcher.search(q, limit=limit)
                times.append((time.perf_counter_ns() - t0) / 1e6)
            run.repeats.setdefault(category, []).extend(times)
            per_query.append((max(first, *times), category, q))
    run.slowest = sorted(per_query, reverse=True)[:5]
    return run
