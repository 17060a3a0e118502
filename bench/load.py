"""``python -m bench.load``: a bounded load test of `clsearch serve` on 127.0.0.1.

Starts the real server (`python -m cli serve --index DIR --workers N`) on a free loopback
port, then 16 concurrent clients send type-ahead traffic (search and complete) for 30 s,
under two client models, each reported on its own:

- **closed** (saturation): each client types queries letter by letter and, for every prefix,
  asks for completions and for the first page of results, sending its next request the moment
  the previous one is answered (no think time). It measures throughput; its latency is
  mostly queueing: with 16 clients always waiting, latency ≈ 16 / throughput.
- **paced** (people at the page): each client types like a person in the page's search box,
  one keystroke every 100-150 ms, debounced as the page does (`DEBOUNCE_MS` in
  search/static/app.js); when the debounce fires it asks for the hits, then, if no newer
  keystroke came meanwhile, for completions. A newer keystroke supersedes the request in
  flight: the client stops waiting for it (the page aborts it) and sends the new one on
  another connection, as a browser does. The server still does the superseded work, so it
  is timed to its end and counted in the latency too. After a query the person reads the hits
  for 0.5-1.0 s before typing the next one.

Optionally the index is rebuilt by `clsearch index build` in another process while the
clients run (``--rebuild``). Prints, per request kind and in all: requests per second,
p50/p95/p99/max latency, errors by kind (any status but 200, a timeout, a broken connection),
the CPU time the server and this client used, and the load average before and after (the
machine is shared: read every figure with it). It stops by itself: the run is bounded, every
request has a deadline, and the server it started is stopped at the end.

    python -m bench.load                               # 1 worker, 2, 2 with a rebuild; both models
    python -m bench.load --workers 2 --model paced --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.stats import percentile

# What people type into the box, letter by letter (pinyin, initials, hanzi, mixed, typos).
TYPED = ["czgf", "changzhou", "常州光伏", "lidian", "锂电", "jqr", "jiqiren", "机器人", "xinyu", "新余",
         "swyy", "shengwuyiyao", "生物医药", "常zh", "guangfu", "xiamen", "夏门", "jcdl", "集成电路",
         "wenzhou xie", "温州 鞋", "江苏 机器人", "lidain", "hefei", "xian", "qingdao", "新材料", "纺织",
         "zhongguancun", "gaoxinqu"]
TIMEOUT_S = 5.0
PAGE = 20  # hits the page asks for (PAGE in search/static/app.js)
COMPLETIONS = 6  # completions the page asks for
KEY_GAP_S = (0.100, 0.150)  # paced: time between keystrokes
READING_S = (0.5, 1.0)  # paced: looking at the hits before typing the next query
MODELS = ("closed", "paced")


def page_debounce() -> float:
    """The page's debounce (DEBOUNCE_MS in search/static/app.js), in seconds."""
    app_js = (Path(__file__).resolve().parent.parent / "search" / "static" / "app.js").read_text(encoding="utf-8")
    found = re.search(r"\bDEBOUNCE_MS\s*=\s*(\d+)", app_js)
    if found is None:
        raise SystemExit("bench.load: DEBOUNCE_MS not found in search/static/app.js")
    return int(found.group(1)) / 1000


def search_path(q: str) -> str:
    return "/api/search?" + urlencode({"q": q, "offset": 0, "limit": PAGE})


def complete_path(q: str) -> str:
    return "/api/complete?" + urlencode({"q": q, "limit": COMPLETIONS})


def prefixes(text: str) -> list[str]:
    """What a type-ahead box sends while `text` is typed: every prefix without trailing space."""
    return [text[:i] for i in range(1, len(text) + 1) if not text[:i].endswith(" ")]


def request_mix() -> list[tuple[str, str]]:
    """(kind, path) pairs: for each prefix, one completion and one search, as the page asks."""
    out = []
    for text in TYPED:
        for p in prefixes(text):
            out.append(("complete", complete_path(p)))
            out.append(("search", search_path(p)))
    return out


_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)")
_REQUESTS: dict[str, bytes] = {}


def _request(path: str) -> bytes:
    """The bytes of a keep-alive GET of `path` (made once per path: the mix repeats)."""
    request = _REQUESTS.get(path)
    if request is None:
        request = _REQUESTS[path] = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    return request


def run_loop(coro: Any) -> Any:
    """`asyncio.run(coro)`, on uvloop when it is installed (the serve extra installs it; the
    server runs on it too): the clients' share of the two cores is then about halved."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    if not hasattr(asyncio, "Runner"):  # Python 3.10
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


class Client:
    """One keep-alive HTTP/1.1 connection on raw asyncio streams (on uvloop when installed), the
    request bytes made once per path and the answer's head read as bytes: a request costs
    this process a tenth of what the server spends on it or less, so the client is not the
    bottleneck (its CPU is printed with every run)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bool, str | None, bool]:
        """(status, answered from the server's cache, the error code of a JSON error body,
        retried). A kept-alive connection the server has closed (uvicorn closes one idle for
        5 s) is not reused; if the server closes it just as it is reused, before answering
        anything, the GET is sent again on a new connection, as browsers do."""
        reused = self.writer is not None
        if self.reader is not None and self.reader.at_eof():
            self.close()
            reused = False
        try:
            return (*await self._get(path), False)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
        self.close()
        return (*await self._get(path), True)

    async def _get(self, path: str) -> tuple[int, bool, str | None]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(_request(path))
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()  # bytes: no decoding, no split
        status = int(head[9:12])
        found = _LENGTH.search(head)
        body = await self.reader.readexactly(int(found.group(1)) if found else 0)
        if b"\r\nconnection: close" in head:
            self.close()
        cached = b"\r\nx-clsearch-cache: hit" in head
        code = None
        if status != 200:
            try:
                code = json.loads(body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = "no JSON error"
        return status, cached, code

    async def body(self, path: str) -> bytes:
        """The body of a 200 answer (for /api/health)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = await self.reader.read()
        head, _, body = answer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise ValueError(head.split(b"\r\n")[0].decode("latin-1"))
        return body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None




async def _deadline(awaitable: Any, seconds: float) -> Any:
    """`asyncio.wait_for`, without the task it creates per call where `asyncio.timeout` exists
    (Python 3.11): the same TimeoutError past the deadline."""
    if not hasattr(asyncio, "timeout"):
        return await asyncio.wait_for(awaitable, seconds)
    async with asyncio.timeout(seconds):
        return await awaitable


async def timed(client: Client, kind: str, path: str, out: list, superseded=lambda: False) -> bool:
    """Send one request on `client`, record it in `out`; True if it was answered with 200."""
    t0 = time.perf_counter()
    try:
        status, cached, code, retried = await _deadline(client.get(path), TIMEOUT_S)
        error = None if status == 200 else f"HTTP {status} {code}"
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        error, cached, retried = type(exc).__name__, False, False
        client.close()
    out.append((kind, t0, time.perf_counter() - t0, error, cached, superseded(), retried))
    return error is None


async def closed_client(n: int, port: int, stop: list[float], out: list) -> None:
    """Closed loop: the next request as soon as the last one is answered."""
    mix = request_mix()
    client = Client(port)
    i = random.Random(n).randrange(0, len(mix), 2)  # clients start typing at different queries
    while time.perf_counter() < stop[0]:
        kind, path = mix[i % len(mix)]
        i += 1
        await timed(client, kind, path, out)
    client.close()


async def paced_client(n: int, port: int, stop: list[float], out: list, debounce: float) -> None:
    """A person typing in the page (see the module's docstring)."""
    rng = random.Random(1000 + n)
    idle: list[Client] = []  # the browser's open connections not in use
    newest = [0]  # number of the last search sent; a higher one supersedes the others
    running: set[asyncio.Task] = set()

    async def one(kind: str, path: str, mine: int) -> bool:
        client = idle.pop() if idle else Client(port)
        ok = await timed(client, kind, path, out, lambda: newest[0] != mine)
        idle.append(client)
        return ok

    async def ask(q: str, mine: int) -> None:
        # The page asks for the hits, then for completions unless a newer search has started.
        if await one("search", search_path(q), mine) and newest[0] == mine:
            await one("complete", complete_path(q), mine)

    await asyncio.sleep(rng.uniform(0, 1.0))  # people do not start in step
    while time.perf_counter() < stop[0]:
        text = rng.choice(TYPED)
        for i in range(1, len(text) + 1):
            q = text[:i]
            last = i == len(text)
            gap = debounce + rng.uniform(*READING_S) if last else rng.uniform(*KEY_GAP_S)
            if gap < debounce or not q.strip():
                await asyncio.sleep(gap)  # the next keystroke comes first: nothing is sent
                continue
            await asyncio.sleep(debounce)
            newest[0] += 1
            task = asyncio.create_task(ask(q, newest[0]))
            running.add(task)
            task.add_done_callback(running.discard)
            await asyncio.sleep(gap - debounce)
    if running:
        await asyncio.gather(*running)
    for client in idle:
        client.close()


async def drive(port: int, clients: int, seconds: float, rebuild, model: str = "closed",
                workers: int = 1, before: str | None = None) -> tuple[list, float, dict]:
    """Run the clients for `seconds`. With `rebuild`, start it a sixth of the way in; once it has
    finished, look at /api/health on new connections (any worker may answer) every 0.1 s until
    2 × `workers` answers in a row come from a generation other than `before`, and keep the
    clients going until 3 s after that (at most 4 × `seconds` in all), so that the switch to
    the new generation happens under load. Returns the results, the wall time, and when the
    switch was seen (seconds after the build finished)."""
    out: list = []
    started = time.perf_counter()
    stop = [started + seconds]
    debounce = page_debounce()
    switch: dict = {}
    if model == "closed":
        tasks = [asyncio.create_task(closed_client(n, port, stop, out)) for n in range(clients)]
    else:
        tasks = [asyncio.create_task(paced_client(n, port, stop, out, debounce)) for n in range(clients)]
    if rebuild is not None:
        await asyncio.sleep(seconds / 6)
        try:
            await asyncio.wait_for(rebuild(), 3 * seconds)
            built = time.perf_counter()
            in_a_row = 0
            while in_a_row < 2 * workers and time.perf_counter() < started + 4 * seconds - 3.0:
                client = Client(port)
                try:
                    generation = json.loads(await asyncio.wait_for(client.body("/api/health"), TIMEOUT_S))["generation"]
                finally:
                    client.close()
                in_a_row = in_a_row + 1 if generation != before else 0
                if generation != before:
                    switch.setdefault("first_new_s", time.perf_counter() - built)
                    if in_a_row == 1:
                        switch["all_new_s"] = time.perf_counter() - built
                await asyncio.sleep(0.1)
            if in_a_row < 2 * workers:
                switch.pop("all_new_s", None)
        finally:
            stop[0] = max(stop[0], min(time.perf_counter() + 3.0, started + 4 * seconds))
    await asyncio.gather(*tasks)
    return out, time.perf_counter() - started, switch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
        return json.load(r)


def start_server(index_dir: Path, workers: int, port: int, cache_mb: float, log: Path) -> subprocess.Popen:
    """`clsearch serve` on `port`, its stderr in `log`, once it answers /api/health."""
    cmd = [sys.executable, "-m", "cli", "serve", "--index", str(index_dir), "--port", str(port),
           "--workers", str(workers), "--cache-mb", str(cache_mb)]
    with open(log, "ab") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
            try:
                health(port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not answer /api/health within 60 s") from None
                time.sleep(0.1)
        if workers > 1:  # every worker serving before the clients connect: keep-alive connections
            # made while one worker still opens its index would all stay with the others
            seen: set[int] = set()
            while len(seen) < workers and time.monotonic() < deadline:
                seen.add(health(port).get("worker", 0))
                time.sleep(0.05)
            if len(seen) < workers:
                print(f"  (only {len(seen)} of {workers} workers answered /api/health within 60 s)", flush=True)
    except BaseException:  # a health answer that is not JSON, Ctrl-C…: no server left running
        stop_server(proc)
        raise
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # our own child's process group (uvicorn + its workers)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process `pid` and its descendants (Linux /proc)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


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
        ms = sorted(r[2] * 1000 for r in rows)
        errors = Counter(r[3] for r in rows if r[3])
        f = {"requests": len(rows), "rps": len(rows) / wall, "p50_ms": percentile(ms, 50),
             "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99), "max_ms": ms[-1] if ms else 0.0,
             "errors": sum(errors.values()), "error_kinds": dict(errors),
             "superseded": sum(1 for r in rows if r[5]), "retried": sum(1 for r in rows if r[6]),
             "cached_share": sum(1 for r in rows if r[4]) / len(rows) if rows else 0.0}
        figures[kind] = f
        print(f"  {kind:<9} {f['requests']:>8} {f['rps']:>7.0f} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f}"
              f" {f['p99_ms']:>8.1f} {f['max_ms']:>8.1f} {f['errors']:>6} {f['cached_share']:>6.0%}"
              + (f"  ({', '.join(f'{k}: {v}' for k, v in errors.items())})" if errors else ""))
    return figures


def run_one(index_dir: Path, workers: int, clients: int, seconds: float, rebuild: bool, cache_mb: float,
            model: str = "closed") -> dict:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="clsearch-load-", suffix=".log")[1])
    proc = start_server(index_dir, workers, port, cache_mb, log)
    try:
        warm_up(port)
        before = health(port)["generation"]
        rebuilt: dict = {}

        async def do_rebuild():
            t0 = time.perf_counter()
            p = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "cli", "index", "build", "--index", str(index_dir),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            rebuilt["rc"] = await p.wait()
            rebuilt["seconds"] = time.perf_counter() - t0

        load_before = os.getloadavg()[0]
        cpu0, mine0 = tree_cpu(proc.pid), own_cpu()
        results, wall, switch = run_loop(drive(port, clients, seconds, do_rebuild if rebuild else None, model,
                                                  workers, before))
        cpu, mine = tree_cpu(proc.pid) - cpu0, own_cpu() - mine0
        load_after = os.getloadavg()[0]
        after = {health(port)["generation"] for _ in range(4 * workers)}
    finally:
        stop_server(proc)
        said = [line for line in log.read_text(errors="replace").splitlines()
                if "clsearch: serving" not in line and "out of date" not in line]
        log.unlink()
    label = (f"{model} loop: {workers} worker{'s' if workers > 1 else ''}, {clients} clients, {wall:.0f} s, "
             f"answer cache {'off' if not cache_mb else f'{cache_mb:g} MB'}") + (
        f", index rebuilt in the middle ({rebuilt.get('seconds', 0):.1f} s, exit {rebuilt.get('rc')})" if rebuild else "")
    figures = report(label, results, wall)
    n = max(1, len(results))
    superseded = figures["all"]["superseded"]
    print(f"  CPU: server {cpu:.1f} s ({1000 * cpu / n:.2f} ms a request), this client {mine:.1f} s"
          f" ({1000 * mine / n:.2f} ms); load average {load_before:.1f} before, {load_after:.1f} after"
          + (f"; {superseded} requests superseded by a newer keystroke (timed to their end)" if model == "paced" else "")
          + (f"; {figures['all']['retried']} sent again on a new connection (the server had closed the idle one)"
             if figures["all"]["retried"] else ""))
    if said:
        print("  the server said on stderr:\n    " + "\n    ".join(said[:20]))
    figures["cpu"] = {"server_s": cpu, "client_s": mine, "server_ms_per_request": 1000 * cpu / n}
    figures["loadavg"] = {"before": load_before, "after": load_after}
    if rebuild:
        picked = sorted(after)
        seen = (f"first answer from it {switch['first_new_s']:.1f} s after the build finished, "
                f"every worker's by {switch['all_new_s']:.1f} s" if "all_new_s" in switch else
                "the new generation was not seen from every worker during the run")
        print(f"  generation before: {before}; answered after the run: {', '.join(picked)}"
              f" ({'picked up' if before not in after else 'NOT picked up'}; {seen})")
        figures["generations"] = {"before": before, "after": picked, "rebuild": rebuilt, "switch": switch}
    return {"model": model, "workers": workers, "clients": clients, "seconds": wall, "rebuild": rebuild,
            "cache_mb": cache_mb, "figures": figures}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, nargs="+", default=None, help="worker counts to run (default: 1 2)")
    p.add_argument("--model", choices=(*MODELS, "both"), default="both",
                   help="client model: closed (saturation), paced (people typing), or both (default)")
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
    models = MODELS if args.model == "both" else (args.model,)

    with tempfile.TemporaryDirectory(prefix="clsearch-load-") as tmp:
        index_dir = args.index
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            print(f"building an index in {index_dir} …", flush=True)
            subprocess.run([sys.executable, "-m", "cli", "index", "build", "--index", str(index_dir)],
                           check=True, stderr=subprocess.DEVNULL)
        print(f"clsearch serve load test on 127.0.0.1, {os.cpu_count()} CPUs: {len(TYPED)} queries typed "
              f"letter by letter ({len(request_mix())} distinct requests); models: {', '.join(models)}")
        runs = []
        for n in workers:
            for model in models:
                if args.rebuild in ("no", "also"):
                    runs.append(run_one(index_dir, n, args.clients, args.seconds, False, args.cache_mb, model))
                if args.rebuild == "yes":
                    runs.append(run_one(index_dir, n, args.clients, args.seconds, True, args.cache_mb, model))
        if args.rebuild == "also":
            for model in models:
                runs.append(run_one(index_dir, max(workers), args.clients, args.seconds, True, args.cache_mb, model))
    if args.json_out:
        args.json_out.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    failed = sum(r["figures"]["all"]["errors"] for r in runs)
    print(f"\nfailed requests in all runs: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
