"""Running clsearch and Python as fresh processes: wall time, peak memory, import profile.

Cold start is what a user of the CLI feels, so these figures come from real child processes
started with the same interpreter (same venv, same installed packages) as the bench itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

QUERY = "锂电"
WHOOSH_IMPORT = [sys.executable, "-c", "import whoosh.index, whoosh.qparser, whoosh.query"]

# Runs one command and reports the peak RSS of its process tree. It runs in a helper process
# of its own because RUSAGE_CHILDREN is a high-water mark over every child ever waited for:
# in the bench process it would still hold the largest earlier child (an index build).
_PEAK_HELPER = """
import json, resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": rc, "bytes": kb if sys.platform == "darwin" else kb * 1024}))
"""


class ChildFailed(RuntimeError):
    """A child process failed in a way that makes its timing meaningless."""


@dataclass(frozen=True)
class Command:
    argv: list[str]
    label: str  # how it was found, for the report


def clsearch_command() -> Command:
    """The `clsearch` script next to this interpreter, else ``python -m cli``."""
    bindir = Path(sys.executable).parent
    for name in ("clsearch", "clsearch.exe"):
        script = bindir / name
        if script.is_file() and os.access(script, os.X_OK):
            return Command([str(script)], str(script))
    return Command([sys.executable, "-m", "cli"], f"{sys.executable} -m cli")


def child_env(index_dir: Path) -> dict[str, str]:
    """The environment for every child: our index, and no profiling left on by the caller."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPROFILEIMPORTTIME",)}
    env["CLSEARCH_INDEX"] = str(index_dir)
    return env


def run_checked(argv: list[str], env: dict[str, str], ok_codes=(0,)) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, encoding="utf-8")
    if proc.returncode not in ok_codes:
        raise ChildFailed(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return proc


def wall_time(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawn to exit of one child, and what it wrote to stderr (normally nothing).

    stderr is kept because the CLI announces an automatic rebuild there ("built the index"):
    if the seeds change while the bench runs, that run timed a build, not a query.
    """
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise ChildFailed(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed, proc.stderr.decode("utf-8", errors="replace").strip()


def interleaved_wall_times(commands: dict[str, list[str]], env: dict[str, str],
                           runs: int) -> tuple[dict[str, list[float]], list[str]]:
    """`runs` wall times of each command, taken in turns so drift on the machine hits all alike.

    Also returns whatever the runs wrote to stderr, for the report to show.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    notes: list[str] = []
    for _ in range(runs):
        for name, argv in commands.items():
            elapsed, err = wall_time(argv, env)
            times[name].append(elapsed)
            if err:
                notes.append(f"{name} run {len(times[name])} ({elapsed:.2f} s): {err[:200]}")
    return times, notes


def peak_rss(argv: list[str], env: dict[str, str]) -> int | None:
    """Peak resident memory (bytes) of one run of `argv`, or None where `resource` is missing."""
    try:
        import resource  # noqa: F401  (Unix only)
    except ImportError:
        return None
    proc = run_checked([sys.executable, "-c", _PEAK_HELPER, *argv], env)
    result = json.loads(proc.stdout)
    if result["rc"] != 0:
        raise ChildFailed(f"{' '.join(argv)} exited {result['rc']} under the memory helper")
    return result["bytes"]


@dataclass(frozen=True)
class ImportLine:
    module: str
    depth: int  # 0 for a module the program imported itself, 1+ for nested imports
    self_us: int
    cumulative_us: int


def import_profile(argv_after_python: list[str], env: dict[str, str]) -> list[ImportLine]:
    """Every import of one run of ``python -X importtime ARGS``, parsed from stderr."""
    proc = run_checked([sys.executable, "-X", "importtime", *argv_after_python], env)
    lines = []
    for raw in proc.stderr.splitlines():
        if not raw.startswith("import time:") or "[us]" in raw:
            continue
        self_us, cumulative_us, name = raw[len("import time:"):].split("|", 2)
        module = name.strip()
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        lines.append(ImportLine(module, depth, int(self_us), int(cumulative_us)))
    return lines


def heavy_modules(lines: list[ImportLine], packages=("jieba", "pypinyin")) -> list[str]:
    """Modules of `packages` that were imported (the light query path must list none)."""
    return [ln.module for ln in lines if ln.module.split(".")[0] in packages]
