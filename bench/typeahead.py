"""The engine's share of `python -m bench.load`: its type-ahead requests, without HTTP, by CPU.

``python -m bench.typeahead OLD_CHECKOUT NEW_CHECKOUT INDEX [--rounds R] [--cold-plans]``

Replays every distinct request of the load's mix (`bench.load.request_mix`: each prefix of
`bench.load.TYPED` as a search, first page of `bench.load.PAGE` hits with facets, and as a
completion of `bench.load.COMPLETIONS`) through the functions the server calls
(`search.serve_data.search_json` / `complete_json`), with two checkouts side by side in one
process as `bench.ab` does. First it checks that both give the same answer to every request
(every key: hits, totals, facets, highlights, completions); then it times each request R
times per checkout, alternating which goes first, as this thread's CPU time, and keeps each
request's minimum (other processes on a shared machine count as little as possible).

A searcher keeps what a query's text alone decides (`search.plans`), so a request repeated, as
the load repeats them, costs less than its first sight. With ``--cold-plans`` each checkout's
plans are dropped before every timed request: the cost of a query never seen before.

Prints, per kind, the mean and p95 of the minima for A and B, the change, and the slowest
requests, with the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.ab import load
from bench.load import request_mix
from bench.stats import percentile


def requests() -> list[tuple[str, str, int]]:
    """(kind, query, limit) of each distinct request of the load's mix, in its order."""
    out = []
    for kind, path in request_mix():
        params = parse_qs(urlsplit(path).query)
        out.append((kind, params["q"][0], int(params["limit"][0])))
    return list(dict.fromkeys(out))


def serve_data(checkout: Path) -> Any:
    """`search.serve_data` of `checkout` (imported afresh, as `bench.ab.load` does)."""
    load(checkout)
    sys.path.insert(0, str(checkout))
    try:
        import search.serve_data as module
    finally:
        sys.path.remove(str(checkout))
    return module


def answer(sd: Any, searcher: Any, kind: str, q: str, limit: int) -> Any:
    if kind == "search":
        return sd.search_json(searcher, q, {}, 0, limit, True, False, None, None)
    return sd.complete_json(searcher, q, limit)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.typeahead", description=__doc__.splitlines()[0])
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("index", type=Path)
    p.add_argument("--rounds", type=int, default=6, help="timed runs of each request by each checkout")
    p.add_argument("--cold-plans", action="store_true", help="drop the searchers' plans before each timed request")
    args = p.parse_args(argv)
    sds = [serve_data(args.old), serve_data(args.new)]
    searchers = [sd.open_searcher(str(args.index)) for sd in sds]
    for sd, s in zip(sds, searchers):
        sd.warm(s)
    mix = requests()
    differ = [r for r in mix if answer(sds[0], searchers[0], *r) != answer(sds[1], searchers[1], *r)]
    for kind, q, _ in differ[:10]:
        print(f"answers differ: {kind} {q!r}")
    best = {r: [float("inf"), float("inf")] for r in mix}
    for rnd in range(args.rounds):
        for r in mix:
            for i in ((0, 1) if rnd % 2 == 0 else (1, 0)):
                s = searchers[i]
                if args.cold_plans and hasattr(s, "_plans"):
                    s._plans = type(s._plans)()
                t = time.thread_time_ns()
                answer(sds[i], s, *r)
                best[r][i] = min(best[r][i], (time.thread_time_ns() - t) / 1e6)
    print(f"{len(mix)} distinct requests of bench.load's mix, {len(differ)} answered differently; "
          f"min of {args.rounds} CPU times each, ms; plans {'cold' if args.cold_plans else 'warm'}; "
          f"A = {args.old}, B = {args.new}")
    print(f"{'kind':10s} {'A mean':>7s} {'p95':>6s}   {'B mean':>7s} {'p95':>6s}   change")
    for kind in ("search", "complete"):
        xa = [v[0] for r, v in best.items() if r[0] == kind]
        xb = [v[1] for r, v in best.items() if r[0] == kind]
        ma, mb = sum(xa) / len(xa), sum(xb) / len(xb)
        print(f"{kind:10s} {ma:7.3f} {percentile(xa, 95):6.2f}   {mb:7.3f} {percentile(xb, 95):6.2f}   "
              f"{(mb / ma - 1) * 100:+.0f} %")
    print("slowest for A: " + ", ".join(f"{k} {q!r} {a:.2f}/{b:.2f}" for (k, q, _), (a, b) in
                                         sorted(best.items(), key=lambda kv: -kv[1][0])[:6]))
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
