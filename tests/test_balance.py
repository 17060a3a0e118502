"""search.balance: workers of `clsearch serve --workers N` even out their keep-alive connections."""

from __future__ import annotations

import os

import pytest

from search.balance import BUSY, COOLDOWN, STALE_S, WINDOW, Balance


def busy(worker, n=BUSY):
    for k in range(n):
        worker.saw(("busy", 10_000 + k % 2))  # the requests of two clients (counted too)


def test_the_busier_worker_closes_half_the_gap_after_answering(tmp_path):
    a, b = Balance(str(tmp_path), pid=101), Balance(str(tmp_path), pid=102)
    for _ in range(2):  # a connection counts from its second request on
        for port in range(13):
            assert a.saw(("127.0.0.1", port)) is False
        for port in range(100, 103):
            assert b.saw(("127.0.0.1", port)) is False
    for port in range(200, 230):
        a.saw(("127.0.0.1", port))  # one request each (health checks): neither counted nor closed
    assert b.look(now=1000.0) == 0  # a has not said anything yet
    assert a.look(now=1000.0) == 5  # 13 against 3: (13 - 3) // 2 (56 requests: busy)
    assert not a.saw(("127.0.0.1", 230))  # a new connection is not the one to close
    closes = [a.saw(("127.0.0.1", port)) for port in range(13)]
    assert closes == [True] * 5 + [False] * 8
    assert a.closed == 5 and len(a.seen) == 8
    assert b.look(now=1000.1) == 0  # the less busy worker never closes anything
    # It waits COOLDOWN looks for the clients to reconnect before deciding again.
    assert [a.look(now=1000.2 + k / 10) for k in range(COOLDOWN)] == [0] * COOLDOWN
    assert (tmp_path / "101").read_text().split()[0] == "8"


def test_even_or_nearly_even_workers_close_nothing(tmp_path):
    a, b = Balance(str(tmp_path), pid=1), Balance(str(tmp_path), pid=2)
    for _ in range(2):
        for port in range(9):
            a.saw(("c", port))
        for port in range(100, 108):
            b.saw(("c", port))
    b.look(now=5.0)
    a.saw(("c", 0))
    a.saw(("c", 0))  # 20 requests: busy
    assert a.look(now=5.0) == 0  # 9 against 8
    assert not any(a.saw(("c", port)) for port in range(9))


def test_a_worker_not_busy_closes_nothing(tmp_path):
    a, b = Balance(str(tmp_path), pid=1), Balance(str(tmp_path), pid=2)
    for port in [*range(6), *range(6)]:  # 12 requests on 6 connections since the last look
        a.saw(("c", port))
    b.look(now=3.0)
    assert a.look(now=3.0) == 0  # 6 against 0, but answering everyone at once anyway
    busy(a, BUSY - 1)
    assert a.look(now=3.2) == 0
    busy(a)
    assert a.look(now=3.4) == 4  # now busy: 8 (with the 2 busy clients) against 0


def test_a_worker_alone_or_with_a_silent_one_closes_nothing(tmp_path):
    a = Balance(str(tmp_path), pid=1)
    for port in [*range(16), *range(16)]:
        a.saw(("c", port))
    assert a.look(now=10.0) == 0
    (tmp_path / "2").write_text(f"0 {10.0 - STALE_S - 0.5:.3f}")  # stopped writing: left out
    (tmp_path / "junk").write_text("x")
    assert a.look(now=10.0) == 0


def test_connections_count_while_they_send_requests(tmp_path):
    a = Balance(str(tmp_path), pid=1)
    for c in (1, 1, 2, 2, 3):
        a.saw(("c", c))
    assert set(a.seen) == {("c", 1), ("c", 2)} and set(a.once) == {("c", 3)}
    for _ in range(WINDOW - 1):
        a.saw(("c", 2))
        a.look(now=1.0)
    assert set(a.seen) == {("c", 1), ("c", 2)}
    a.look(now=1.0)
    assert set(a.seen) == {("c", 2)} and not a.once  # quiet for WINDOW looks: gone (closed or idle)


def test_leaving_removes_the_count_and_a_removed_directory_is_harmless(tmp_path):
    d = tmp_path / "shared"
    d.mkdir()
    a = Balance(str(d), pid=7)
    a.look(now=1.0)
    assert os.listdir(d) == ["7"]
    a.close()
    assert os.listdir(d) == []
    d.rmdir()
    assert a.look(now=2.0) == 0  # the server is stopping: nothing written, nothing decided
    a.close()


def test_serve_gives_several_workers_a_shared_directory_and_removes_it(monkeypatch):
    uvicorn = pytest.importorskip("uvicorn")
    from search import server

    seen = []

    def run(*args, **kwargs):
        config = server.ServeConfig.from_env()
        seen.append((kwargs["workers"], config.balance_dir,
                     config.balance_dir is not None and os.path.isdir(config.balance_dir)))

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.delenv("CLSEARCH_SERVE_CONFIG", raising=False)
    monkeypatch.delenv("UV_TCP_SINGLE_ACCEPT", raising=False)
    server.serve(server.ServeConfig(), workers=1)
    server.serve(server.ServeConfig(), workers=2)
    assert seen[0] == (1, None, False)
    assert seen[1][0] == 2 and seen[1][2] is True
    assert not os.path.exists(seen[1][1])  # removed once uvicorn returned


def test_a_worker_reads_and_writes_the_counts_off_its_event_loop(monkeypatch, tmp_path, small_index):
    pytest.importorskip("fastapi")
    import threading
    import time

    from fastapi.testclient import TestClient

    from search.server import ServeConfig, create_app

    threads: set[str] = set()
    exchange = Balance.exchange

    def spy(self, mine, now):
        threads.add(threading.current_thread().name)
        return exchange(self, mine, now)

    monkeypatch.setattr(Balance, "exchange", spy)
    app = create_app(ServeConfig(index_dir=str(small_index), balance_dir=str(tmp_path)))
    with TestClient(app) as c:  # runs the lifespan: the worker's Searcher and its balancing
        assert c.get("/api/search", params={"q": "cz"}).status_code == 200
        deadline = time.monotonic() + 10
        while not threads and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.listdir(tmp_path) == [str(os.getpid())]  # its count, published
    assert threads and all(name.startswith("clsearch-balance") for name in threads)
    assert os.listdir(tmp_path) == []  # left on shut-down
