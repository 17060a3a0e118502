"""Small summary statistics, so every figure is computed and rounded the same way."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: always a value that was measured, never an interpolation."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    """median, min, max and the sample count of a list of timings."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def latency(values: Sequence[float]) -> dict[str, float]:
    """p50, p95 and max of a list of latencies, and the sample count."""
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values), "n": len(values)}


@contextmanager
def first_sight(searcher: Any) -> Iterator[None]:
    """Within, `searcher` answers without the plans it keeps of query texts (`search.plans`),
    as for a query it has never seen (its caches of postings and documents stay warm); its
    plans are back after. A bench times a query's first sight this way, and its repeats as
    they come: the load repeats type-ahead prefixes, people mostly type new queries."""
    kept = getattr(searcher, "_plans", None)
    if kept is None:  # a version without plans: every run is a first sight
        yield
        return
    searcher._plans = type(kept)()
    try:
        yield
    finally:
        searcher._plans = kept
