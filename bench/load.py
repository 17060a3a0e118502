"""``python -m bench.load``: a bounded load test of `clsearch serve` on 127.0.0.1.

Starts the real server (`python -m cli serve --index DIR --workers N`) on a free loopback
port, then 16 concurrent clients send type-ahead traffic for 30 s: each client types queries
letter by letter, and for every prefix asks for completions and for the first page of
results, as the page does. Each client waits for an answer before its next request (a closed
loop with no think time, the hardest case for latency). Optionally the index is rebuilt by
`clsearch index build` in another process halfway through (``--rebuild``).

Prints, per request kind and in all: requests per second, p50/p95/p99/max latency and errors
(any status other than 200, a timeout or a broken connection). It stops by itself: the run is
bounded, every request has a deadline, and the server it started is stopped at the end.

    python -m bench.load                       # 1 worker, then 2, then 2 with a rebuild
    python -m bench.load --workers 2 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.stats import percentile

# What people type into the box, letter by letter (pinyin, initials, hanzi, mixed, typos).
TYPED = ["czgf", "changzhou", "常州光伏", "lidian", "锂电", "jqr", "jiqiren", "机器人", "xinyu", "新余",
         "swyy", "shengwuyiyao", "生物医药", "常zh", "guangfu", "xiamen", "夏门", "jcdl", "集成电路",
         "wenzhou xie", "温州 鞋", "江苏 机器人", "lidain", "hefei", "xian", "qingdao", "新材料", "纺织",
         "zhongguancun", "gaoxinqu"]
TIMEOUT_S = 5.0


def prefixes(text: str) -> list[str]:
    """What a type-ahead box sends while `text` is typed: every prefix without trailing space."""
    return [text[:i] for i in range(1, len(text) + 1) if not text[:i].endswith(" ")]


def request_mix() -> list[tuple[str, str]]:
    """(kind, path) pairs: for each prefix, one completion and one search, as the page asks."""
    out = []
    for text in TYPED:
        for p in prefixes(text):
            out.append(("complete", "/api/complete?" + urlencode({"q": p, "limit": 6})))
            out.append(("search", "/api/search?" + urlencode({"q": p, "limit": 20})))
    return out


class Client:
    """One keep-alive HTTP/1.1 connection, small enough not to be the bottleneck itself."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bool]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        close = cached = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value == "close":
                close = True
            elif name == "x-clsearch-cache" and value == "hit":
                cached = True
        await self.reader.readexactly(length)
        if close:
            self.close()
        return status, cached

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client_loop(n: int, port: int, mix, stop: list[float], out: list) -> None:
    rng = random.Random(n)
    client = Client(port)
    start = rng.randrange(0, len(mix), 2)  # clients start typing at different queries
    i = start
    while time.perf_counter() < stop[0]:
        kind, path = mix[i % len(mix)]
        i += 1
        t0 = time.perf_counter()
        try:
            status, cached = await asyncio.wait_for(client.get(path), TIMEOUT_S)
            error = None if status == 200 else f"HTTP {status}"
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            error, cached = type(exc).__name__, False
            client.close()
        out.append((kind, time.perf_counter() - t0, error, cached))
    client.close()


async def drive(port: int, clients: int, seconds: float, rebuild) -> tuple[list, float]:
    """Run the clients for `seconds`; with `rebuild`, start it a sixth of the way in and keep
    the clients going until 3 s after it has finished (at most 4 × `seconds` in all), so that
    the switch to the new generation happens under load."""
    mix = request_mix()
    out: list = []
    started = time.perf_counter()
    stop = [started + seconds]
    tasks = [asyncio.create_task(client_loop(n, port, mix, stop, out)) for n in range(clients)]
    if rebuild is not None:
        await asyncio.sleep(seconds / 6)
        try:
            await asyncio.wait_for(rebuild(), 3 * seconds)
        finally:
            stop[0] = max(stop[0], min(time.perf_counter() + 3.0, started + 4 * seconds))
    await asyncio.gather(*tasks)
    return out, time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
        return json.load(r)


def start_server(index_dir: Path, workers: int, port: int, cache_mb: float) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cli", "serve", "--index", str(index_dir), "--port", str(port),
           "--workers", str(workers), "--cache-mb", str(cache_mb)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            health(port)
            break
        except OSError:
            if time.monotonic() > deadline:
                stop_server(proc)
                raise RuntimeError("server did not answer /api/health within 60 s") from None
            time.sleep(0.1)
    if workers > 1:  # let every worker finish opening its Searcher before timing
        time.sleep(2.0)
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # our own child's process group (uvicorn + its workers)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def warm_up(port: int) -> None:
    """Every worker answers each request kind once, so lazily read tables are not in the timing."""
    for _ in range(8):
        for path in ("/api/search?q=lidain", "/api/search?q=czgf", "/api/complete?q=cz",
                     "/api/search?" + urlencode({"q": "夏门"})):
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()


def report(label: str, results: list, wall: float) -> dict:
    print(f"\n{label}")
    print(f"  {'kind':<9} {'requests':>8} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
          f" {'errors':>6} {'cached':>7}")
    figures = {}
    for kind in ("complete", "search", "all"):
        rows = [r for r in results if kind == "all" or r[0] == kind]
        ms = sorted(r[1] * 1000 for r in rows)
        errors = [r[2] for r in rows if r[2]]
        f = {"requests": len(rows), "rps": len(rows) / wall, "p50_ms": percentile(ms, 50),
             "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99), "max_ms": ms[-1] if ms else 0.0,
             "errors": len(errors), "error_kinds": sorted(set(errors)),
             "cached_share": sum(1 for r in rows if r[3]) / len(rows) if rows else 0.0}
        figures[kind] = f
        print(f"  {kind:<9} {f['requests']:>8} {f['rps']:>7.0f} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f}"
              f" {f['p99_ms']:>8.1f} {f['max_ms']:>8.1f} {f['errors']:>6} {f['cached_share']:>6.0%}"
              + (f"  ({', '.join(f['error_kinds'])})" if errors else ""))
    return figures


def run_one(index_dir: Path, workers: int, clients: int, seconds: float, rebuild: bool, cache_mb: float) -> dict:
    port = free_port()
    proc = start_server(index_dir, workers, port, cache_mb)
    try:
        warm_up(port)
        before = health(port)["generation"]
        rebuilt = {}

        async def do_rebuild():
            t0 = time.perf_counter()
            p = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "cli", "index", "build", "--index", str(index_dir),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            rebuilt["rc"] = await p.wait()
            rebuilt["seconds"] = time.perf_counter() - t0

        results, wall = asyncio.run(drive(port, clients, seconds, do_rebuild if rebuild else None))
        after = {health(port)["generation"] for _ in range(4 * workers)}
    finally:
        stop_server(proc)
    label = (f"{workers} worker{'s' if workers > 1 else ''}, {clients} clients, {wall:.0f} s, "
             f"answer cache {'off' if not cache_mb else f'{cache_mb:g} MB'}") + (
        f", index rebuilt in the middle ({rebuilt.get('seconds', 0):.1f} s, exit {rebuilt.get('rc')})" if rebuild else "")
    figures = report(label, results, wall)
    if rebuild:
        picked = sorted(after)
        print(f"  generation before: {before}; answered after the run: {', '.join(picked)}"
              f" ({'picked up' if before not in after else 'NOT picked up'})")
        figures["generations"] = {"before": before, "after": picked, "rebuild": rebuilt}
    return {"workers": workers, "clients": clients, "seconds": wall, "rebuild": rebuild, "cache_mb": cache_mb,
            "figures": figures}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, nargs="+", default=None, help="worker counts to run (default: 1 2)")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--rebuild", choices=("yes", "no", "also"), default="also",
                   help="rebuild the index in the middle: yes, no, or also (an extra run with the most workers)")
    p.add_argument("--cache-mb", type=float, default=32.0, help="serve's answer cache per worker (0: off)")
    p.add_argument("--index", type=Path, help="index directory to serve (default: a fresh one built here)")
    p.add_argument("--json", dest="json_out", type=Path, help="also write the figures as JSON")
    args = p.parse_args(argv)
    if not 1 <= args.seconds <= 300 or not 1 <= args.clients <= 256:
        p.error("--seconds must be 1..300 and --clients 1..256")
    workers = args.workers or [1, 2]

    with tempfile.TemporaryDirectory(prefix="clsearch-load-") as tmp:
        index_dir = args.index
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            print(f"building an index in {index_dir} …", flush=True)
            subprocess.run([sys.executable, "-m", "cli", "index", "build", "--index", str(index_dir)],
                           check=True, stderr=subprocess.DEVNULL)
        print(f"clsearch serve load test on 127.0.0.1: {len(request_mix())} distinct requests "
              f"({len(TYPED)} queries typed letter by letter; completion + search per prefix), "
              f"closed loop, {os.cpu_count()} CPUs")
        runs = []
        for n in workers:
            if args.rebuild in ("no", "also"):
                runs.append(run_one(index_dir, n, args.clients, args.seconds, rebuild=False, cache_mb=args.cache_mb))
            if args.rebuild == "yes":
                runs.append(run_one(index_dir, n, args.clients, args.seconds, rebuild=True, cache_mb=args.cache_mb))
        if args.rebuild == "also":
            runs.append(run_one(index_dir, max(workers), args.clients, args.seconds, rebuild=True, cache_mb=args.cache_mb))
    if args.json_out:
        args.json_out.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    failed = sum(r["figures"]["all"]["errors"] for r in runs)
    print(f"\nfailed requests in all runs: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
