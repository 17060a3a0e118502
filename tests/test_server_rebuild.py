"""`clsearch serve` and a rebuild in another process: the new generation is served without a
restart, answers cached for the old one are dropped, and no request in flight fails.

A real uvicorn server in a thread (as `clsearch serve` runs it, one worker) over a small index;
the index is rebuilt beside it while client threads keep searching.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install '.[test]')")

from conftest import small_records  # noqa: E402

from index.records import Record  # noqa: E402

QUERIES = ["czgf", "cz", "常州", "锂电", "jqr", "高新区", "xinyu", "夏门", "lidn", "qwzxv"]


def _build(root: Path, records: list[Record], fingerprint: str, cache: Path) -> None:
    from index.build import build_index

    build_index(root, records, fingerprint, cache_dir=cache, source="test")


@contextmanager
def serving(index_dir: Path, **config) -> Iterator[str]:
    """The base URL of a real uvicorn server (one worker, in a thread) over `index_dir`,
    checking for a new generation every 0.1 s; stopped on leaving."""
    import uvicorn

    from search.server import ServeConfig, create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(ServeConfig(index_dir=str(index_dir), rebuild_check=0.1, **config))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def rebuilt(base: str, index_dir: Path, cache: Path) -> tuple[str, str]:
    """Rebuild the index a running server serves: (the generation it served, the new one),
    once the server answers from the new one."""
    first = get(base, "/api/health")[1]["generation"]
    _build(index_dir, small_records(), "fp-second", cache)
    deadline = time.monotonic() + 30
    while (now := get(base, "/api/health")[1]["generation"]) == first:
        assert time.monotonic() < deadline, "the new generation was not picked up"
        time.sleep(0.1)
    return first, now


@pytest.fixture
def live(tmp_path, jieba_cache):
    """(base URL, index dir) of a server over a fresh small index, checking every 0.1 s."""
    index_dir = tmp_path / "ix"
    _build(index_dir, small_records(), "fp-first", jieba_cache)
    with serving(index_dir) as base:
        yield base, index_dir


def get(base: str, path: str, **params: str) -> tuple[int, dict]:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_a_rebuilt_index_is_served_without_restart_and_no_request_fails(live, jieba_cache):
    base, index_dir = live
    status, health = get(base, "/api/health")
    first = health["generation"]
    assert status == 200 and health["fingerprint"] == "fp-first"
    assert get(base, "/api/search", q="czgf")[1]["hits"][0]["name"] == "常州光伏创新型产业集群"  # now cached

    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def client(n: int) -> None:
        i = n
        while not stop.is_set():
            q = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                status, body = get(base, "/api/search", q=q)
                if status != 200:
                    failures.append(f"{q}: {status} {body}")
            except OSError as exc:
                failures.append(f"{q}: {exc}")
            answered[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        # Rebuilt with the photovoltaic cluster renamed and one cluster more.
        records = [r for r in small_records() if r.id != "t-03"]
        renamed = next(r for r in small_records() if r.id == "t-03")
        renamed.name = "常州光伏新能源产业集群"
        _build(index_dir, [*records, renamed], "fp-second", jieba_cache)
        deadline = time.monotonic() + 20
        while get(base, "/api/health")[1]["generation"] == first:
            assert time.monotonic() < deadline, "the new generation was not picked up"
            time.sleep(0.1)
        time.sleep(0.5)  # searches keep running on the new generation
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert failures == []
    assert answered[0] > 20
    health = get(base, "/api/health")[1]
    assert health["generation"] != first and health["fingerprint"] == "fp-second"
    # The cached answer of the old generation is gone: the new name is found.
    hits = get(base, "/api/search", q="czgf")[1]["hits"]
    assert [h["name"] for h in hits] == ["常州光伏新能源产业集群"]


def test_a_new_generation_whose_test_queries_fail_is_not_served(tmp_path, jieba_cache, monkeypatch):
    from search import serve_data
    from search.searcher import Searcher

    index_dir = tmp_path / "ix"
    _build(index_dir, small_records(), "fp-first", jieba_cache)
    current = Searcher(index_dir=index_dir)
    _build(index_dir, small_records(), "fp-second", jieba_cache)
    said: list[str] = []
    refused: set[str] = set()

    def broken(searcher):
        raise ValueError("not enough values to unpack")

    monkeypatch.setattr(serve_data, "warm", broken)
    assert serve_data.open_newer(current, refused, said.append) is None
    assert len(refused) == 1 and len(said) == 1
    assert "not switching" in said[0] and "ValueError" in said[0] and current.generation.name in said[0]
    assert serve_data.open_newer(current, refused, said.append) is None and len(said) == 1  # said once
    monkeypatch.undo()
    _build(index_dir, small_records(), "fp-third", jieba_cache)  # the next generation is taken
    fresh = serve_data.open_newer(current, refused, said.append)
    assert fresh is not None and fresh.generation != current.generation and len(said) == 1
    assert [h.name for h in fresh.search("czgf")] == ["常州光伏创新型产业集群"]
    fresh.close()
    current.close()


def test_the_server_starts_even_if_warming_up_fails(tmp_path, jieba_cache, monkeypatch):
    from fastapi.testclient import TestClient

    from search import serve_data
    from search.server import ServeConfig, create_app

    index_dir = tmp_path / "ix"
    _build(index_dir, small_records(), "fp-first", jieba_cache)
    monkeypatch.setattr(serve_data, "warm", lambda searcher: 1 / 0)
    with TestClient(create_app(ServeConfig(index_dir=str(index_dir)))) as client:  # runs the lifespan
        r = client.get("/api/search", params={"q": "czgf"})
        assert r.status_code == 200 and r.json()["hits"][0]["name"] == "常州光伏创新型产业集群"


def test_a_new_generation_answers_the_recent_requests_before_it_serves(tmp_path, jieba_cache, monkeypatch):
    """Autowarming: the distinct searches and completions answered last, newest first, are
    answered once on the new generation's Searcher before it replaces the old one."""

    import search.server
    from search.serve_data import autowarm

    warmed: list[tuple[str, list[tuple[str, str]], int]] = []

    def recording(searcher, requests, seconds, share, stop, answered):
        done = autowarm(searcher, requests, seconds, share, stop, answered)
        warmed.append((searcher.generation.name, [(fn.__name__, args[0]) for fn, args in requests], done))
        return done

    monkeypatch.setattr(search.server, "autowarm", recording)
    index_dir = tmp_path / "ix"
    _build(index_dir, small_records(), "fp-first", jieba_cache)
    with serving(index_dir, warm_recent=3) as base:
        for path, q in [("/api/search", "锂电"), ("/api/complete", "cz"), ("/api/search", "czgf"),
                        ("/api/search", "锂电"), ("/api/search", "qwzxv"), ("/api/search", "锂电")]:
            assert get(base, path, q=q)[0] == 200
        first, now = rebuilt(base, index_dir, jieba_cache)
    # The last 3 distinct ones, newest first (锂电 asked again last; cz dropped as the oldest).
    assert warmed == [(now, [("search_json", "锂电"), ("search_json", "qwzxv"), ("search_json", "czgf")], 3)]


def test_searches_warmed_on_a_new_generation_run_on_the_event_loop_at_once(tmp_path, jieba_cache, monkeypatch):
    """The autowarm's CPU times start the new generation's `Durations`: a search it answered
    runs on the event loop from the first request on it; any other goes to the threads."""

    from search.searcher import Searcher

    ran: list[tuple[str, str, str]] = []  # (generation, query, thread)
    results = Searcher.results

    def spy(self, q, *a, **k):
        ran.append((self.generation.name, q, threading.current_thread().name))
        return results(self, q, *a, **k)

    monkeypatch.setattr(Searcher, "results", spy)
    index_dir = tmp_path / "ix"
    _build(index_dir, small_records(), "fp-first", jieba_cache)
    with serving(index_dir, cache_mb=0) as base:  # the engine answers each time
        for q in ("锂电", "czgf", "锂电"):
            assert get(base, "/api/search", q=q)[0] == 200
        first, now = rebuilt(base, index_dir, jieba_cache)
        for q in ("czgf", "锂电", "新余"):
            assert get(base, "/api/search", q=q)[0] == 200

    def where(name: str) -> str:
        return "pool" if name.startswith("clsearch-search") else "warm" if name.startswith("clsearch-follow") \
            else "loop"

    ran = [(g, q, t) for g, q, t in ran if q in ("锂电", "czgf", "新余")]  # not `warm`'s own queries
    assert [(q, where(t)) for g, q, t in ran if g == first] == [("锂电", "pool"), ("czgf", "pool"), ("锂电", "loop")]
    assert [(q, where(t)) for g, q, t in ran if g == now] == [
        ("锂电", "warm"), ("czgf", "warm"),  # the autowarm, newest first
        ("czgf", "loop"), ("锂电", "loop"),  # known short on the new generation already
        ("新余", "pool")]  # never asked before


def test_autowarm_answers_newest_first_skips_failures_and_stops_when_told():
    import threading

    from index.errors import QueryError
    from search.serve_data import RecentRequests, autowarm

    asked: list[str] = []

    def fn(searcher, q):
        asked.append(q)
        if q == "bad":
            raise QueryError("refused")

    recent = RecentRequests(8)
    for q in ["a", "bad", "b", "a"]:
        recent.add(fn, (q,))
    assert autowarm(object(), recent.snapshot(), 5.0, 1.0) == 3
    assert asked == ["a", "b", "bad"]
    stop = threading.Event()
    stop.set()
    assert autowarm(object(), recent.snapshot(), 5.0, 0.5, stop) == 0
    assert autowarm(object(), recent.snapshot(), -1.0, 0.5) == 0  # no time left
