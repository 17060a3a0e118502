"""Child of the scale bench: one long-lived `Searcher` answering every query, as a server would.

``python -m bench.scale_warm INDEX QUERIES.json`` prints one JSON object: latency per query
class, how many targeted queries found their target in the top 10, and the process's memory
after opening, after half the queries and after all of them (a bounded searcher does not keep
growing with the number of distinct queries). Each query runs once untimed (its postings and
documents enter the caches), then is timed once at first sight (`bench.stats.first_sight`: no
plan of a query text kept, `classes`, what the goals are judged on) and twice as a repeat
(`classes_repeat`).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from bench.stats import first_sight, latency

REPEATS = 2


def rss() -> int:
    """Current resident memory of this process, in bytes (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/statm") as fp:
            import os

            return int(fp.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(index_dir: str, query_file: str) -> dict:
    from search import Searcher

    queries = json.loads(Path(query_file).read_text(encoding="utf-8"))
    searcher = Searcher(index_dir=index_dir)
    out = {"rss_open": rss(), "errors": []}
    samples: dict[str, list[float]] = {}  # class → ms of each query's first sight
    repeats: dict[str, list[float]] = {}  # class → ms of each timed repeat
    counts: dict[str, dict[str, int]] = {}
    half = len(queries) // 2
    for n, (cls, q, target) in enumerate(queries):
        if n == half:
            out["rss_half"] = rss()
        c = counts.setdefault(cls, {"with_hits": 0, "targeted": 0, "found": 0})
        try:
            hits = searcher.search(q, limit=10)
        except Exception as exc:  # noqa: BLE001 -- reported with its query
            out["errors"].append(f"[{cls}] {q!r}: {type(exc).__name__}: {exc}")
            continue
        c["with_hits"] += bool(hits)
        if target:
            c["targeted"] += 1
            c["found"] += any(h.name == target for h in hits)
        with first_sight(searcher):
            t0 = time.perf_counter_ns()
            searcher.search(q, limit=10)
            samples.setdefault(cls, []).append((time.perf_counter_ns() - t0) / 1e6)
        for _ in range(REPEATS):
            t0 = time.perf_counter_ns()
            searcher.search(q, limit=10)
            repeats.setdefault(cls, []).append((time.perf_counter_ns() - t0) / 1e6)
    out["rss_end"] = rss()
    out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    classes, again = {}, {}
    for cls, c in counts.items():
        classes[cls] = dict(latency(samples.get(cls, [float("nan")])), n=len(samples.get(cls, [])), **c)
        again[cls] = latency(repeats.get(cls, [float("nan")]))
    every = [ms for v in samples.values() for ms in v]
    total = {k: sum(c[k] for c in counts.values()) for k in ("with_hits", "targeted", "found")}
    classes["all"] = dict(latency(every), n=len(every), **total)
    again["all"] = latency([ms for v in repeats.values() for ms in v])
    out["classes"] = classes  # first sight: what the goals are judged on
    out["classes_repeat"] = again
    out["found_rate"] = total["found"] / total["targeted"] if total["targeted"] else float("nan")
    searcher.close()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
