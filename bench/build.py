"""Timing index builds from the bundled seeds, each in a fresh process into a fresh directory.

A fresh process is what a user's first query pays for (the default index is built on first
use): the imports of jieba and pypinyin and jieba's dictionary load are part of the cost, and
an in-process loop would hide them after the first build. Each timed build also gets a
per-user data directory of its own, so no build memo (`index.memo`) of an earlier one helps
it; a rebuild that has one, as a user's second `clsearch index build` does, is timed apart.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import run_checked

# Runs in the child: one build, and its own view of where the time went.
_BUILD_CHILD = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from index.ensure import build_from_seeds
imported = time.perf_counter()
report = build_from_seeds(Path(sys.argv[1]))
done = time.perf_counter()
print(json.dumps({"import": imported - start, "call": done - imported,
                  "report_seconds": report.seconds, "records": report.records}))
"""


@dataclass(frozen=True)
class Build:
    wall: float  # spawn to exit of the child
    call: float  # build_from_seeds() as seen by its caller (seed parsing included)
    report_seconds: float  # the engine's own figure (BuildReport.seconds)
    records: int


def build_once(index_dir: Path, env: dict[str, str], data_home: Path | None = None) -> Build:
    """One build in a fresh process; `data_home`: its per-user data directory (XDG_DATA_HOME)."""
    if data_home is not None:
        env = {**env, "XDG_DATA_HOME": str(data_home)}
    start = time.perf_counter()
    proc = run_checked([sys.executable, "-c", _BUILD_CHILD, str(index_dir)], env)
    wall = time.perf_counter() - start
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return Build(wall, out["call"], out["report_seconds"], out["records"])


def timed_builds(workdir: Path, env: dict[str, str], count: int = 3) -> tuple[list[Build], list[Build], Path]:
    """`count` first builds, each into a fresh directory with a fresh per-user data directory
    (no build memo), then `count` rebuilds of the last one with its memo; the last index is
    kept for queries. Returns the first builds, the rebuilds and that index."""
    builds = []
    index_dir = data_home = workdir
    for _ in range(count):
        index_dir = Path(tempfile.mkdtemp(prefix="index-", dir=workdir))
        data_home = Path(tempfile.mkdtemp(prefix="data-", dir=workdir))
        builds.append(build_once(index_dir, env, data_home))
    rebuilds = [build_once(index_dir, env, data_home) for _ in range(count)]
    return builds, rebuilds, index_dir
