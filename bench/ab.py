"""Two versions of the query code on one index, in one process, by CPU time: an A/B that a
loaded machine does not blur.

``python -m bench.ab OLD_CHECKOUT NEW_CHECKOUT INDEX QUERIES.json [--rounds R] [--passes P] [--cold-plans]``

Both checkouts' ``search`` and ``index`` packages are imported side by side (each Searcher
keeps calling its own version's functions), both open INDEX, and every distinct query of
QUERIES.json (the ``[class, query, target]`` lists the scale bench writes in its workdir) is
run once by each, untimed, then R times by each, alternating, timed as this thread's CPU time;
P passes over the queries spread each one's runs over the whole run. A query's figure is its
minimum, so other processes on the machine (which stretch wall time and, less, CPU time)
count as little as possible. A searcher keeps what a query's text alone decides
(`search.plans`), so timed runs are repeats; with ``--cold-plans`` each starts without them,
as a query seen for the first time. Prints p50 / p95 / max per class of those
minima for A and B, and stops if a query's top 10 differ between the two.

The index must be readable by both versions (the same SCHEMA_VERSION).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.stats import percentile

PACKAGES = ("search", "index")


def load(checkout: Path) -> Any:
    """The `Searcher` class of `checkout`, its packages imported afresh (the previous
    version's modules stay alive in the objects that use them)."""
    for name in [n for n in sys.modules if n.split(".")[0] in PACKAGES]:
        del sys.modules[name]
    sys.path.insert(0, str(checkout))
    try:
        import search
        import search.searcher  # noqa: F401 -- everything a query imports, before the path goes
    finally:
        sys.path.remove(str(checkout))
    if not Path(search.__file__).resolve().is_relative_to(checkout.resolve()):
        raise SystemExit(f"{checkout}: imported {search.__file__} instead")
    return search.Searcher


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.splitlines()[0])
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("index", type=Path)
    p.add_argument("queries", type=Path)
    p.add_argument("--rounds", type=int, default=5, help="timed runs of a query by each version, in a row")
    p.add_argument("--passes", type=int, default=3, help="passes over all the queries")
    p.add_argument("--cold-plans", action="store_true",
                   help="drop a searcher's plans (search.plans) before each timed query: the cost of a "
                        "query seen for the first time, not of a repeat")
    args = p.parse_args(argv)
    a = load(args.old)(index_dir=args.index, log=lambda m: None)
    b = load(args.new)(index_dir=args.index, log=lambda m: None)
    queries = list(dict.fromkeys((c, q) for c, q, _ in json.loads(args.queries.read_text(encoding="utf-8"))))
    best = {query: [float("inf"), float("inf")] for query in queries}
    for _ in range(args.passes):  # passes spread each query's runs over the whole run
        for query in queries:
            q = query[1]
            top_a, top_b = [h.id for h in a.search(q)], [h.id for h in b.search(q)]
            if top_a != top_b:
                print(f"top 10 differ for {q!r}: {top_a} != {top_b}")
                return 1
            for _ in range(args.rounds):
                for i, searcher in enumerate((a, b)):
                    if args.cold_plans and hasattr(searcher, "_plans"):
                        searcher._plans = type(searcher._plans)()
                    t = time.thread_time_ns()
                    searcher.search(q)
                    best[query][i] = min(best[query][i], (time.thread_time_ns() - t) / 1e6)
    minima: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (cls, _), (x, y) in best.items():
        minima[cls].append((x, y))
        minima["all"].append((x, y))
    print(f"{len(queries)} distinct queries, min of {args.passes} x {args.rounds} CPU times each, ms "
          f"(plans {'cold' if args.cold_plans else 'warm'}): A = {args.old}, B = {args.new}")
    print(f"{'class':16s} {'A p50':>6s} {'p95':>6s} {'max':>6s}   {'B p50':>6s} {'p95':>6s} {'max':>6s}")
    for cls, pairs in minima.items():
        xa, xb = [x for x, _ in pairs], [y for _, y in pairs]
        print(f"{cls:16s} {percentile(xa, 50):6.2f} {percentile(xa, 95):6.2f} {max(xa):6.2f}   "
              f"{percentile(xb, 50):6.2f} {percentile(xb, 95):6.2f} {max(xb):6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
