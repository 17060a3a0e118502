"""``python -m bench``: build, cold-start, memory, import, warm-latency, facets and completion
figures in one run.

Prints plain text (and with ``--json OUT`` writes the same figures as JSON). It never fails on
a slow figure: the exit status is 1 only when something actually broke (a child process or an
engine call raised), so a slow machine cannot turn the bench red.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench import machine
from bench.build import build_once, timed_builds
from bench.procs import (QUERY, WHOOSH_IMPORT, ChildFailed, child_env, clsearch_command, heavy_modules,
                         import_profile, interleaved_wall_times, peak_rss, run_checked)
from bench.stats import summary

GOAL_BUILD_S, GOAL_COLD_RATIO, GOAL_WARM_P95_MS = 10.0, 1.5, 5.0
MIB = 1 << 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15, help="cold CLI runs per command (min 10, default 15)")
    p.add_argument("--queries", type=int, default=360, help="warm-latency queries (min 300, default 360)")
    p.add_argument("--skip-build", action="store_true",
                   help="no timed builds: use $CLSEARCH_INDEX if it holds a current index, else build once")
    p.add_argument("--json", dest="json_out", type=Path, metavar="OUT", help="also write the figures as JSON")
    scale = p.add_argument_group("scale bench (python -m bench --scale 5k,20k,100k; see bench/scale.py)")
    scale.add_argument("--scale", metavar="SIZES",
                       help="instead of the seed bench: synthetic corpora of these sizes (e.g. 5k,20k,100k)")
    scale.add_argument("--per-class", type=int, default=30, help="warm queries per query class (default 30)")
    scale.add_argument("--cold-runs", type=int, default=5, help="cold CLI runs per query (default 5)")
    scale.add_argument("--workdir", type=Path, help="keep the lists and indexes here (default: a temp dir)")
    scale.add_argument("--reuse", action="store_true",
                       help="with --workdir: reuse an index already built there with this SCHEMA_VERSION (no build figures)")
    scale.add_argument("--skip-change", action="store_true", help="skip the incremental add/remove step")
    scale.add_argument("--change-only", action="store_true",
                       help="only build (or --reuse) and time the incremental add/remove: no cold or warm queries")
    args = p.parse_args(argv)
    if args.runs < 10 or args.queries < 300:
        p.error("--runs must be at least 10 and --queries at least 300")
    return args


def header(info: dict) -> None:
    print(f"clsearch benchmark, {info['date']}")
    print(f"machine: {info['platform']}, {info['python']}, {info['cpus']} CPUs")
    print(f"packages: {info['clsearch']}; {info['whoosh']}; interpreter {info['executable']}")
    caveat = machine.install_caveat()
    if caveat:
        print(f"WARNING: {caveat}")


def step_build(args, workdir: Path, env: dict) -> tuple[dict, Path]:
    print("\n1. Index build from the bundled seeds (fresh process, fresh directory each)")
    existing = _usable_env_index() if args.skip_build else None
    if existing:
        print(f"   skipped: using $CLSEARCH_INDEX = {existing}")
        return {"skipped": True, "index": str(existing)}, existing
    if args.skip_build:
        index_dir = Path(tempfile.mkdtemp(prefix="index-", dir=workdir))
        b = build_once(index_dir, env)
        print(f"   skipped timing; built once for the queries: {b.wall:.2f} s, {b.records} records")
        return {"skipped": True, "wall_s": b.wall, "records": b.records}, index_dir
    builds, rebuilds, index_dir = timed_builds(workdir, env, count=3)
    wall, call = summary([b.wall for b in builds]), summary([b.call for b in builds])
    engine = statistics.median(b.report_seconds for b in builds)
    records = {b.records for b in builds}
    print(f"   process wall time    median {wall['median']:6.2f} s   min {wall['min']:6.2f} s   (3 builds)"
          f"   goal <= {GOAL_BUILD_S:g} s")
    print(f"   build_from_seeds()   median {call['median']:6.2f} s   min {call['min']:6.2f} s"
          f"   (engine's own BuildReport.seconds: median {engine:.2f} s)")
    print(f"   records              {', '.join(map(str, sorted(records)))}")
    again = summary([b.wall for b in rebuilds])
    print(f"   rebuilt in place     median {again['median']:6.2f} s   min {again['min']:6.2f} s   (3 rebuilds,"
          f" with the first build's memo: index.memo)")
    return {"wall_s": wall, "call_s": call, "report_seconds_median": engine, "records": sorted(records),
            "goal_s": GOAL_BUILD_S, "rebuild_wall_s": again}, index_dir


def _usable_env_index() -> Path | None:
    """$CLSEARCH_INDEX if it holds an index current with the seeds (else the CLI would rebuild it)."""
    from index.ensure import bundled_fingerprint
    from index.store import current_generation, read_meta

    env = os.environ.get("CLSEARCH_INDEX")
    gen = current_generation(Path(env).expanduser()) if env else None
    if gen is None or read_meta(gen).get("fingerprint") != bundled_fingerprint():
        if env:
            print(f"   $CLSEARCH_INDEX = {env} holds no current index; building a temporary one")
        return None
    return Path(env).expanduser()


def step_cold(args, env: dict) -> dict:
    cmd = clsearch_command()
    query = [*cmd.argv, QUERY, "--json"]
    print(f"\n2. Cold CLI: `clsearch {QUERY} --json` vs bare Whoosh import ({args.runs} runs each, interleaved)")
    print(f"   clsearch: {cmd.label}")
    warm = run_checked(query, env)  # warm-up: OS caches, .pyc files; also a correctness check
    hits = json.loads(warm.stdout)["hits"]
    if warm.stderr.strip():
        print(f"   note: the warm-up wrote to stderr: {warm.stderr.strip()[:200]}")
    run_checked(WHOOSH_IMPORT, env)
    times, notes = interleaved_wall_times({"cli": query, "whoosh": WHOOSH_IMPORT}, env, args.runs)
    cli, bare = summary(times["cli"]), summary(times["whoosh"])
    ratio = cli["median"] / bare["median"]
    for label, s in (("clsearch query", cli), ("whoosh import", bare)):
        print(f"   {label:<16} median {s['median'] * 1000:6.0f} ms   min {s['min'] * 1000:6.0f} ms"
              f"   max {s['max'] * 1000:6.0f} ms")
    print(f"   ratio (medians)  {ratio:.2f}   goal <= {GOAL_COLD_RATIO:g}   ({len(hits)} hits, first: {hits[0]['name'] if hits else '-'})")
    for note in notes:
        print(f"   WARNING: a timed run wrote to stderr (its time is not a plain query): {note}")
    return {"command": cmd.label, "notes": notes, "cli_s": cli, "whoosh_import_s": bare, "ratio": ratio, "goal_ratio": GOAL_COLD_RATIO}


def step_memory(env: dict) -> dict:
    print("\n3. Peak memory (max RSS) of one cold run, median of 3 fresh processes")
    cmd = clsearch_command()
    figures = {}
    for key, label, argv in (("cli", f"clsearch {QUERY} --json", [*cmd.argv, QUERY, "--json"]),
                             ("whoosh", "whoosh import", WHOOSH_IMPORT)):
        samples = [peak_rss(argv, env) for _ in range(3)]
        if None in samples:
            print("   not available on this platform (no `resource` module)")
            return {}
        figures[key] = statistics.median(samples) / MIB
        print(f"   {label:<22} {figures[key]:6.1f} MiB")
    print(f"   ratio                  {figures['cli'] / figures['whoosh']:6.2f}")
    return {"cli_mib": figures["cli"], "whoosh_import_mib": figures["whoosh"]}


def step_imports(env: dict) -> dict:
    print(f"\n4. Light path: python -X importtime -m cli {QUERY} --json")
    lines = import_profile(["-m", "cli", QUERY, "--json"], env)
    heavy = heavy_modules(lines)
    print(f"   jieba / pypinyin imported: {'YES: ' + ', '.join(heavy[:8]) if heavy else 'no'}")
    top = sorted((ln for ln in lines if ln.depth == 0), key=lambda ln: ln.cumulative_us, reverse=True)[:5]
    print("   top 5 top-level imports by cumulative time:")
    for ln in top:
        print(f"     {ln.cumulative_us / 1000:7.1f} ms  {ln.module}")
    total = sum(ln.cumulative_us for ln in lines if ln.depth == 0) / 1000
    print(f"   all imports: {total:.0f} ms, {len(lines)} modules")
    return {"heavy_modules": heavy, "total_import_ms": total,
            "top5": [{"module": ln.module, "cumulative_ms": ln.cumulative_us / 1000} for ln in top]}


def step_warm(args, index_dir: Path) -> tuple[dict, int]:
    from bench.queries import CATEGORIES, make_queries
    from bench.warm import REPEATS, run_warm
    from index.corpus import load_corpus

    queries = make_queries(load_corpus().records, args.queries)
    print(f"\n5. Warm latency: Searcher.search, {len(queries)} queries, after one warm-up each timed at first"
          f" sight (no plan of its text kept: the goal is judged on that), then {REPEATS} repeats")
    run = run_warm(index_dir, queries)
    print(f"   Searcher() open: {run.open_ms:.1f} ms")
    print(f"   {'category':<20} {'n':>4} {'w/hit':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
          f"   repeated: {'p50':>6} {'p95':>6}")
    by_category = run.by_category()
    again = run.by_category_repeat()
    for category, s in sorted(by_category.items(), key=lambda item: CATEGORIES.index(item[0])):
        r = again.get(category, s)
        print(f"   {category:<20} {s['n']:>4} {run.with_hits[category]:>5} {s['p50']:7.2f} {s['p95']:7.2f}"
              f" {s['max']:7.2f}             {r['p50']:6.2f} {r['p95']:6.2f}")
    total = run.overall()
    total_again = run.overall_repeat()
    print(f"   {'all':<20} {total['n']:>4} {sum(run.with_hits.values()):>5} {total['p50']:7.2f}"
          f" {total['p95']:7.2f} {total['max']:7.2f}             {total_again['p50']:6.2f} {total_again['p95']:6.2f}"
          f"   goal p95 <= {GOAL_WARM_P95_MS:g} ms (first sight)")
    print(f"   slowest queries (worst of {REPEATS + 1} runs): "
          + "; ".join(f"{q} [{c}] {ms:.1f} ms" for ms, c, q in run.slowest))
    for category, q, error in run.errors:
        print(f"   ENGINE ERROR [{category}] {q!r}: {error}")
    return {"queries": len(queries), "open_ms": run.open_ms, "overall_ms": total,
            "by_category_ms": by_category, "overall_repeat_ms": total_again, "by_category_repeat_ms": again,
            "with_hits": run.with_hits, "goal_p95_ms": GOAL_WARM_P95_MS,
            "slowest": [{"ms": ms, "category": c, "query": q} for ms, c, q in run.slowest],
            "errors": [{"category": c, "query": q, "error": e} for c, q, e in run.errors]}, len(run.errors)


def step_around(args, index_dir: Path) -> dict:
    from bench.around import REPEATS, report, run_around
    from bench.queries import make_queries
    from index.corpus import load_corpus

    queries = make_queries(load_corpus().records, args.queries)
    print(f"\n6. Warm latency with facets over the whole hit set, and type-ahead completion "
          f"({REPEATS} timed runs each)")
    fig = run_around(index_dir, queries)
    report(fig)
    return fig


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = machine.describe()
    header(info)
    if args.scale:
        from bench.scale import main as scale_main

        return scale_main(args.scale, args)
    figures: dict = {"machine": info}
    failures = 0
    with tempfile.TemporaryDirectory(prefix="clsearch-bench-") as tmp:
        try:
            base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPROFILEIMPORTTIME"}
            figures["build"], index_dir = step_build(args, Path(tmp), base_env)
            env = child_env(index_dir)
            figures["cold_cli"] = step_cold(args, env)
            figures["memory"] = step_memory(env)
            figures["imports"] = step_imports(env)
            figures["warm"], failures = step_warm(args, index_dir)
            figures["around"] = step_around(args, index_dir)
        except ChildFailed as exc:
            print(f"bench: error: {exc}", file=sys.stderr)
            return 1
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json_out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
