"""``python -m bench --scale 5k,20k,100k``: how clsearch's costs grow with the corpus.

For each size N, N synthetic records (`bench.synthetic`, seeded) are written as CSV lists of
5,000 and added with ``--add`` to a scratch index beside the 477 seed records. Printed per size:

- build: wall and CPU seconds (with the worker process's), records per second, peak RSS (and the
  worker's, `index.workers`), index size on disk;
- cold one-shot CLI runs (``clsearch Q --json``) of a hanzi, a builder, a typo and a no-match
  query: wall time as a ratio to a bare Whoosh import (medians, interleaved runs) and peak RSS;
- warm latency per query class in one long-lived process (p50 / p95 / max), the share of
  targeted queries whose target is in the top 10, and that process's memory after all
  queries (and after half of them: it must not grow with the number of distinct queries);
- incremental add of one more 1,000-record list, and removal of it again;
- the hanzi queries run against sqlite FTS5 (stdlib, trigram tokenizer) on the same records,
  as a ratio.

Children run in fresh processes so that each figure is its own process's memory. Figures,
not tests: nothing fails on a slow number.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic
from bench.procs import WHOOSH_IMPORT, ChildFailed, clsearch_command
from bench.stats import latency

MIB = 1 << 20
ADD_SIZE = 1000

_BUILD_CHILD = """
import json, resource, sys, time
from pathlib import Path
t0, c0 = time.perf_counter(), time.process_time()
from index.ensure import build_from_seeds
report = build_from_seeds(Path(sys.argv[1]), extra=sys.argv[2:])
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build's worker process (index.workers)
print(json.dumps({"wall": time.perf_counter() - t0,
                  "cpu": time.process_time() - c0 + kids.ru_utime + kids.ru_stime,
                  "records": report.records,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "peak_worker": kids.ru_maxrss * 1024}))
"""

_CHANGE_CHILD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from bench.scale import change_lists
records = change_lists(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
from index.store import current_generation, read_meta
incremental = bool(read_meta(current_generation(Path(sys.argv[1]))).get("incremental"))
print(json.dumps({"wall": time.perf_counter() - t0, "records": records, "incremental": incremental,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

_PEAK_CHILD = """
import json, resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(json.dumps({"rc": rc, "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


def change_lists(index_dir: Path, action: str, paths: list[str]) -> int:
    """Add or remove lists in an existing index the way a user would; returns its records.

    Uses the engine's incremental path when it has one, else a full rebuild keeping the
    other lists (what ``clsearch index build --add`` did before incremental indexing).
    """
    try:
        from index.incremental import add_lists, remove_lists
    except ImportError:
        from index.ensure import build_from_seeds

        if action == "add":  # added lists are copied into the index and kept by every build
            return build_from_seeds(index_dir, extra=paths).records
        return build_from_seeds(index_dir, remove=[Path(p).stem for p in paths]).records
    if action == "add":
        return add_lists(index_dir, paths).records
    return remove_lists(index_dir, [Path(p).stem for p in paths]).records


def _run_json(argv: list[str], env: dict) -> dict:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        raise ChildFailed(f"{' '.join(argv[:4])} … exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        mult = 1000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("k")) * mult))
    return sizes


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def step_build(index_dir: Path, lists: list[Path], env: dict) -> dict:
    out = _run_json([sys.executable, "-c", _BUILD_CHILD, str(index_dir), *map(str, lists)], env)
    from index.store import current_generation

    gen = current_generation(index_dir)
    files = {p.name: p.stat().st_size for p in gen.iterdir() if p.is_file()}
    typo = sum(size for name, size in files.items() if name.startswith("typo"))
    out.update(index_bytes=dir_size(gen), typo_bytes=typo, generation=str(gen))
    print(f"   build          {out['wall']:7.1f} s wall  {out['cpu']:7.1f} s CPU  "
          f"{out['records'] / out['wall']:6.0f} records/s  peak RSS {out['peak'] / MIB:6.0f} MiB "
          f"(worker {out.get('peak_worker', 0) / MIB:.0f} MiB)  "
          f"index {out['index_bytes'] / MIB:6.1f} MiB (typo table {typo / MIB:.1f} MiB)  "
          f"[goals >= 1000 rec/s, <= 1024 MiB, <= 150 MiB]")
    return out


def _cold_once(argv: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        raise ChildFailed(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-400:]}")
    return time.perf_counter() - t0


def step_cold(index_dir: Path, queries: dict[str, str], env: dict, runs: int) -> dict:
    cmd = clsearch_command().argv
    out = {}
    for cls, q in queries.items():
        argv = [*cmd, q, "--json", "--index", str(index_dir)]
        _cold_once(argv, env)  # warm the OS cache and bytecode
        mine, bare = [], []
        for _ in range(runs):
            mine.append(_cold_once(argv, env))
            bare.append(_cold_once(WHOOSH_IMPORT, env))
        peak = _run_json([sys.executable, "-c", _PEAK_CHILD, *argv], env)["peak"]
        ratio = statistics.median(mine) / statistics.median(bare)
        out[cls] = {"query": q, "median_s": statistics.median(mine), "whoosh_s": statistics.median(bare),
                    "ratio": ratio, "peak": peak}
        print(f"   cold {cls:<9} {q:<16} {statistics.median(mine) * 1000:7.0f} ms  "
              f"ratio {ratio:5.2f}  peak RSS {peak / MIB:6.0f} MiB")
    print("   (goals: 锂电 <= 2x a bare Whoosh import and <= 120 MiB; every query <= 300 MiB)")
    return out


def step_warm(index_dir: Path, queries: list, env: dict, workdir: Path) -> dict:
    qfile = workdir / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    out = _run_json([sys.executable, "-m", "bench.scale_warm", str(index_dir), str(qfile)], env)
    print(f"   {'class':<15} {'n':>4} {'hits':>5} {'found':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
          f"   repeated: {'p50':>6} {'p95':>6}")
    again = out.get("classes_repeat", {})
    for cls in synthetic.QUERY_CLASSES + ("all",):
        s = out["classes"][cls]
        found = f"{s['found']}/{s['targeted']}" if s["targeted"] else "-"
        r = again.get(cls, {"p50": float("nan"), "p95": float("nan")})
        print(f"   {cls:<15} {s['n']:>4} {s['with_hits']:>5} {found:>6} {s['p50']:8.2f} {s['p95']:8.2f} {s['max']:8.1f}"
              f"             {r['p50']:6.2f} {r['p95']:6.2f}")
    print("   (each query timed once at first sight, no plan of its text kept: the goals are judged on"
          " that; then twice repeated)")
    print(f"   targets found in the top 10: {out['found_rate']:.3f}   (goal: warm p95 <= 20 ms, p50 <= 3 ms)")
    print(f"   long-lived Searcher RSS: open {out['rss_open'] / MIB:.0f} MiB, after half the queries "
          f"{out['rss_half'] / MIB:.0f} MiB, after all {out['rss_end'] / MIB:.0f} MiB, peak {out['peak'] / MIB:.0f} MiB")
    if out["errors"]:
        for e in out["errors"][:5]:
            print(f"   ENGINE ERROR {e}")
    return out


def step_change(index_dir: Path, added: list[Path], env: dict) -> dict:
    out = {}
    for action in ("add", "remove"):
        out[action] = _run_json([sys.executable, "-c", _CHANGE_CHILD, str(index_dir), action, *map(str, added)], env)
        how = "incremental" if out[action].get("incremental") else "full rebuild"
        print(f"   {action} a {ADD_SIZE}-record list: {out[action]['wall']:6.1f} s, {how} "
              f"({out[action]['records']} records after), peak RSS {out[action]['peak'] / MIB:.0f} MiB   [goal <= 10 s]")
    return out


def fts_latency(records, queries: list[str], repeats: int = 3) -> dict:
    """Top 10 of each hanzi query from sqlite FTS5 (trigram) over name, builder and place.

    A trigram index matches 3+ characters; shorter queries use LIKE, which FTS5 answers
    by scanning, as sqlite documents.
    """
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE c USING fts5(name, builder, place, tokenize='trigram')")
    db.executemany("INSERT INTO c VALUES (?, ?, ?)",
                   [(r["name"], r["builder"], r["place"]) for r in records])
    samples = []
    for q in queries:
        if len(q) >= 3:
            sql, args = "SELECT rowid FROM c WHERE c MATCH ? ORDER BY rank LIMIT 10", ('"' + q + '"',)
        else:
            like = f"%{q}%"
            sql, args = ("SELECT rowid FROM c WHERE name LIKE ? OR builder LIKE ? OR place LIKE ? LIMIT 10",
                         (like, like, like))
        db.execute(sql, args).fetchall()
        for _ in range(repeats):
            t0 = time.perf_counter_ns()
            db.execute(sql, args).fetchall()
            samples.append((time.perf_counter_ns() - t0) / 1e6)
    db.close()
    return latency(samples)


def run_size(n: int, records, workdir: Path, env: dict, args) -> dict:
    print(f"\n== {label(n)}: {n} synthetic records + {len(records)} seed records ==")
    size_dir = workdir / label(n)
    rows = synthetic.generate(records, n)
    lists = synthetic.write_lists(rows, size_dir / "lists", f"synthetic-{label(n)}")
    extra_rows = synthetic.generate(records, ADD_SIZE, seed=synthetic.SEED + 1,
                                    taken={r.name for r in rows})
    added = synthetic.write_lists(extra_rows, size_dir / "added", f"added-{label(n)}")
    index_dir = size_dir / "index"
    result: dict = {"size": n, "lists": len(lists)}
    reused = _current_index(index_dir, env) if args.reuse else None
    if reused is not None:
        result["build"] = reused
        print(f"   build          reused {reused['generation']} (--reuse; not timed)  "
              f"index {reused['index_bytes'] / MIB:6.1f} MiB (typo table {reused['typo_bytes'] / MIB:.1f} MiB)")
    else:
        result["build"] = step_build(index_dir, lists, env)
    if args.change_only:  # the incremental add/remove alone (issue 11's 10 s goal)
        result["change"] = step_change(index_dir, added, env)
        return result
    builder = next((r.builder for r in rows if r.builder.endswith("产业园管委会")), rows[0].builder)
    cold_queries = {"hanzi": "锂电", "builder": builder, "typo": "lidain", "no-match": "qwzxv"}
    result["cold"] = step_cold(index_dir, cold_queries, env, args.cold_runs)
    queries = synthetic.make_queries(rows, records, args.per_class)
    result["warm"] = step_warm(index_dir, queries, env, size_dir)
    hanzi = [q for cls, q, _ in queries if cls == "hanzi"]
    fts_rows = [{"name": r.name, "builder": r.builder, "place": f"{r.province} {r.city} {r.district}"}
                for r in rows]
    fts_rows += [{"name": r.name, "builder": r.builder or "",
                  "place": " ".join(p for p in (r.province, r.city, r.district) if p)} for r in records]
    fts = fts_latency(fts_rows, hanzi)
    mine = result["warm"]["classes"]["hanzi"]
    result["fts5"] = {"ms": fts, "ratio_p50": mine["p50"] / fts["p50"], "ratio_p95": mine["p95"] / fts["p95"]}
    print(f"   sqlite FTS5 trigram, the {len(hanzi)} hanzi queries: p50 {fts['p50']:.2f} / p95 {fts['p95']:.2f} ms;"
          f" clsearch / FTS5 = {result['fts5']['ratio_p50']:.2f} (p50), {result['fts5']['ratio_p95']:.2f} (p95)")
    if args.skip_change:
        result["change"] = {a: {"wall": float("nan"), "records": 0, "peak": 0} for a in ("add", "remove")}
    else:
        result["change"] = step_change(index_dir, added, env)
    return result


def _current_index(index_dir: Path, env: dict) -> dict | None:
    """The figures of an index already built in `index_dir` (`--reuse`), or None.

    It is reused if it opens and was built with this code's SCHEMA_VERSION (edits to the
    query code, or to the indexer that keep the format, do not call for a rebuild here).
    """
    code = ("import sys; from pathlib import Path; from index.ensure import open_index; "
            "from index.format import SCHEMA_VERSION; s = open_index(Path(sys.argv[1]), auto_build=False); "
            "print(s.generation); "
            "sys.exit(0 if str(s.meta.get('fingerprint', '')).endswith(f'-s{SCHEMA_VERSION}') else 3)")
    if not index_dir.exists():
        return None
    proc = subprocess.run([sys.executable, "-c", code, str(index_dir)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    gen = Path(proc.stdout.strip().splitlines()[-1])
    files = {p.name: p.stat().st_size for p in gen.iterdir() if p.is_file()}
    nan = float("nan")
    return {"wall": nan, "cpu": nan, "records": 0, "peak": 0, "index_bytes": dir_size(gen),
            "typo_bytes": sum(v for k, v in files.items() if k.startswith("typo")), "generation": str(gen),
            "reused": True}


def table(results: list[dict]) -> str:
    """The summary as the issue's table: one column per size."""
    def row(name, fn):
        return f"| {name} | " + " | ".join(fn(r) for r in results) + " |"

    def cold(cls):
        return lambda r: (f"{r['cold'][cls]['ratio']:.1f}x, {r['cold'][cls]['median_s']:.2f} s, "
                          f"{r['cold'][cls]['peak'] / MIB:.0f} MiB")

    def warm(cls):
        return lambda r: f"{r['warm']['classes'][cls]['p50']:.1f} / {r['warm']['classes'][cls]['p95']:.1f} ms"

    lines = ["| | " + " | ".join(label(r["size"]) for r in results) + " |",
             "|---" * (len(results) + 1) + "|",
             row("records", lambda r: str(r["build"]["records"])),
             row("build wall / CPU", lambda r: f"{r['build']['wall']:.0f} / {r['build']['cpu']:.0f} s"),
             row("build records/s", lambda r: f"{r['build']['records'] / r['build']['wall']:.0f}"
                 if r["build"]["records"] else "-"),
             row("build peak RSS (+ worker)", lambda r: f"{r['build']['peak'] / MIB:.0f} MiB"
                 f" (+ {r['build'].get('peak_worker', 0) / MIB:.0f})"),
             row("index on disk", lambda r: f"{r['build']['index_bytes'] / MIB:.0f} MiB (typo {r['build']['typo_bytes'] / MIB:.0f})"),
             row("cold 锂电 (ratio, wall, RSS)", cold("hanzi")),
             row("cold builder", cold("builder")),
             row("cold typo lidain", cold("typo")),
             row("cold no-match qwzxv", cold("no-match")),
             row("warm p50 / p95, all", warm("all"))]
    for cls in synthetic.QUERY_CLASSES:
        lines.append(row(f"warm p50 / p95, {cls}", warm(cls)))
    lines += [row("warm p50 / p95, all, repeated", lambda r: (
                  f"{r['warm']['classes_repeat']['all']['p50']:.1f} / {r['warm']['classes_repeat']['all']['p95']:.1f} ms"
                  if "classes_repeat" in r["warm"] else "-")),
              row("warm max, all", lambda r: f"{r['warm']['classes']['all']['max']:.0f} ms"),
              row("targets found (top 10)", lambda r: f"{r['warm']['found_rate']:.3f}"),
              row("Searcher RSS half / end", lambda r: f"{r['warm']['rss_half'] / MIB:.0f} / {r['warm']['rss_end'] / MIB:.0f} MiB"),
              row("add 1k list / remove it", lambda r: f"{r['change']['add']['wall']:.1f} / {r['change']['remove']['wall']:.1f} s"),
              row("hanzi vs FTS5 trigram p50 / p95", lambda r: f"{r['fts5']['ratio_p50']:.1f}x / {r['fts5']['ratio_p95']:.1f}x")]
    return "\n".join(lines)


def main(sizes_text: str, args) -> int:
    from index.corpus import load_corpus

    sizes = parse_sizes(sizes_text)
    records = load_corpus().records
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPROFILEIMPORTTIME", "CLSEARCH_INDEX")}
    results = []
    keep = args.workdir
    with tempfile.TemporaryDirectory(prefix="clsearch-scale-") as tmp:
        workdir = Path(keep) if keep else Path(tmp)
        try:
            for n in sizes:
                results.append(run_size(n, records, workdir, env, args))
                if args.json_out:
                    args.json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except ChildFailed as exc:
            print(f"bench: error: {exc}", file=sys.stderr)
            return 1
    print("\n" + (change_table(results) if args.change_only else table(results)))
    return 0


def change_table(results: list[dict]) -> str:
    """The build and add/remove rows alone (``--change-only``)."""
    def row(name, fn):
        return f"| {name} | " + " | ".join(fn(r) for r in results) + " |"

    return "\n".join([
        "| | " + " | ".join(label(r["size"]) for r in results) + " |", "|---" * (len(results) + 1) + "|",
        row("build wall / CPU", lambda r: f"{r['build']['wall']:.0f} / {r['build']['cpu']:.0f} s"),
        row("add 1k list / remove it", lambda r: f"{r['change']['add']['wall']:.1f} / {r['change']['remove']['wall']:.1f} s"),
        row("add / remove peak RSS", lambda r: f"{r['change']['add']['peak'] / MIB:.0f} / {r['change']['remove']['peak'] / MIB:.0f} MiB"),
        row("incremental", lambda r: f"{r['change']['add'].get('incremental')} / {r['change']['remove'].get('incremental')}"),
    ])
