"""Time one add or remove of lists on an existing index, phase by phase (issue 11's 10 s goal).

    python -m bench.change INDEX_DIR add LIST.csv [...]
    python -m bench.change INDEX_DIR remove LIST.csv [...]      (by the file's stem, as added)

What `python -m bench --scale` times as "add" / "remove", on an index you already have (for
example a copy of a scale workdir's ``<size>/index``: copy it again before each run, a change
is kept). The code fingerprint is pinned to the one the index was built with, so an index
built by an earlier checkout of the same schema is extended, not rebuilt (timing only: the
result is that code's plus this code's change). Prints, as JSON, the wall and CPU time of the
whole change, the CPU of its forked processes, peak RSS, the load average, and the wall / CPU
of the main process's phases and of each forked process (`index.workers.beside`).
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import resource
import sys
import time
from pathlib import Path

# The main process's phases, in the order a change runs them (module:attribute).
PHASES = (
    "index.corpus.cache:read_cache", "index.corpus:load_corpus", "index.corpus.load:_add_tables",
    "index.corpus.load:merge_records", "index.corpus.load:fill_places", "index.incremental:plan_update",
    "index.vocab:make_tokenizer", "index.build:index_records", "index.segment:SegmentBuilder.commit",
    "index.build:_completion", "index.build:write_ties_from_index", "index.build:file_records",
    "index.build:check_generation", "index.workers:Then.finish",
)


def _timed(spec: str, table: dict) -> None:
    module, _, name = spec.partition(":")
    owner = importlib.import_module(module)
    *path, attr = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    real = getattr(owner, attr, None)
    if real is None:
        return

    @functools.wraps(real)
    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            row = table.setdefault(spec, [0.0, 0.0, 0])
            row[0] += time.perf_counter() - wall
            row[1] += time.process_time() - cpu
            row[2] += 1

    setattr(owner, attr, timed)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] not in ("add", "remove"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    started, cpu0 = time.perf_counter(), time.process_time()
    index_dir, action, files = Path(argv[0]), argv[1], argv[2:]
    import index.ensure as ensure
    import index.workers as workers
    from index.store import current_generation, read_meta

    gen = current_generation(index_dir)
    if gen is None:
        print(f"no index in {index_dir}", file=sys.stderr)
        return 2
    code = read_meta(gen)["code"]
    ensure.code_fingerprint = lambda: code  # see the module doc
    phases: dict[str, list] = {}
    for spec in PHASES:
        _timed(spec, phases)
    forked = os.pipe()
    child = workers._child

    def timed_child(task, *args):  # each forked process reports its task's name, wall and CPU
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            child(task, *args)
        finally:
            named = args[0] if getattr(task, "__name__", "") == "_waiting" else task  # beside(told=True)
            name = getattr(getattr(named, "func", named), "__name__", "?")
            line = json.dumps([name, round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)])
            os.write(forked[1], (line + "\n").encode())

    workers._child = timed_child
    cpu1 = time.process_time()
    if action == "add":
        report = ensure.build_from_seeds(index_dir, extra=files)
    else:
        report = ensure.build_from_seeds(index_dir, remove=[Path(p).stem for p in files])
    wall = time.perf_counter() - started
    os.close(forked[1])
    with os.fdopen(forked[0]) as fp:
        children = [json.loads(line) for line in fp]
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    meta = read_meta(current_generation(index_dir))
    print(json.dumps({
        "action": action, "wall": round(wall, 2), "cpu": round(time.process_time() - cpu0, 2),
        "cpu_imports": round(cpu1 - cpu0, 2), "cpu_forked": round(kids.ru_utime + kids.ru_stime, 2),
        "records": report.records, "incremental": meta.get("incremental"),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "load": [round(x, 2) for x in os.getloadavg()],
        "phases": {spec: {"wall": round(w, 2), "cpu": round(c, 2), "calls": n} for spec, (w, c, n) in phases.items()},
        "forked": [{"task": t, "wall": w, "cpu": c} for t, w, c in children],
    }, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
