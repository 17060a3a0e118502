"""`search.serve_http`: uvicorn's httptools protocol sending each response in one write.

Two real uvicorn servers over the small index, one with uvicorn's own httptools protocol and
one with `Http`, answer the same raw HTTP/1.1 requests on keep-alive connections: the bytes
must be the same (but for the Date header), whatever the response: the fast path, a FastAPI
route, an error, a file streamed by Starlette, a HEAD, a request body, a closed connection.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

pytest.importorskip("httptools", reason="the serve extra is not installed (pip install '.[serve]')")


@pytest.fixture(scope="module")
def servers(small_index):
    """(port with uvicorn's protocol, port with `Http`)."""
    import uvicorn

    from search.serve_http import Http
    from search.server import ServeConfig, create_app

    running = []
    for http in ("httptools", Http):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        app = create_app(ServeConfig(index_dir=str(small_index), cache_mb=0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, http=http))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        running.append((server, thread, sock))
    deadline = time.monotonic() + 30
    for server, thread, _ in running:
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.05)
    yield tuple(sock.getsockname()[1] for _, _, sock in running)
    for server, thread, sock in running:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _exchange(port: int, requests: list[bytes], answers: int) -> bytes:
    """Send `requests` on one connection, one at a time, and read `answers` whole responses
    (to the end of the stream if the last one closes it)."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        for request in requests:
            s.sendall(request)
            out += _read_one(s, request.startswith(b"HEAD "))
        assert out.count(b"HTTP/1.1 ") == answers
        s.settimeout(0.3)
        try:
            out += s.recv(65536)  # nothing more (a closed connection: b"")
        except TimeoutError:
            pass
    return out


def _read_one(s: socket.socket, head_only: bool) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if head_only:
        return data
    length = re.search(rb"\r\ncontent-length: (\d+)", head.lower())
    if length is None:  # chunked: to the last chunk
        while not body.endswith(b"0\r\n\r\n"):
            body += s.recv(65536)
        return head + b"\r\n\r\n" + body
    while len(body) < int(length.group(1)):
        body += s.recv(65536)
    return head + b"\r\n\r\n" + body


def _same(a: bytes, b: bytes) -> None:
    undated = re.compile(rb"\r\ndate: [^\r]*")
    assert undated.sub(b"", a) == undated.sub(b"", b)


def _get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


CASES = {
    "fast path, keep-alive": ([_get("/api/search?q=cz&limit=20"), _get("/api/complete?q=cz&limit=6"),
                               _get("/api/search?q=%E9%94%82%E7%94%B5")], 3),
    "routes and errors": ([_get("/api/stats"), _get("/api/search?q=cz&q=x"), _get("/nowhere"),
                           _get("/api/records/nope"), _get("/api/search?limit=0")], 5),
    "the page and its files": ([_get("/"), _get("/static/app.js"), _get("/static/style.css")], 3),
    "a body": ([b'POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
                b'Content-Length: 25\r\n\r\n{"q": "czgf", "limit": 3}'], 1),
    "connection close": ([_get("/api/search?q=cz", "Connection: close\r\n")], 1),
}


@pytest.mark.parametrize("case", CASES)
def test_one_write_sends_the_same_bytes_as_uvicorn(servers, case):
    plain, one_write = servers
    requests, answers = CASES[case]
    _same(_exchange(plain, requests, answers), _exchange(one_write, requests, answers))


def test_head_without_a_body_is_sent_at_once(servers):
    plain, one_write = servers
    head = b"HEAD /static/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    _same(_exchange(plain, [head], 1), _exchange(one_write, [head], 1))


def test_head_and_body_go_out_in_one_write():
    from search.serve_http import OneWrite

    class Recorder:
        def __init__(self):
            self.writes: list[bytes] = []
            self.closed = False

        def write(self, data):
            self.writes.append(bytes(data))

        def is_closing(self):
            return self.closed

        def close(self):
            self.closed = True

    class Loop:
        def __init__(self):
            self.soon: list = []

        def call_soon(self, fn):
            self.soon.append(fn)

    raw, loop = Recorder(), Loop()
    t = OneWrite(raw, loop)  # type: ignore[arg-type]
    head = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"
    t.write(head)
    assert raw.writes == []
    t.write(b"{}")
    assert raw.writes == [head + b"{}"]
    loop.soon.pop()()  # the flush it had planned finds nothing held
    assert raw.writes == [head + b"{}"]
    t.write(b"HTTP/1.1 204 No Content\r\n\r\n")  # no body follows: sent at the end of the pass
    loop.soon.pop()()
    assert raw.writes[-1] == b"HTTP/1.1 204 No Content\r\n\r\n"
    t.write(b"not a head")
    assert raw.writes[-1] == b"not a head"
    t.write(head)
    t.close()  # a held head goes out before the close
    assert raw.writes[-1] == head and raw.closed
    assert t.is_closing()  # the rest is the transport's
