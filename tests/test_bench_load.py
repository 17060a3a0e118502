"""bench/load.py: the load bench leaves no server running, whatever goes wrong."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install '.[serve]')")


def test_a_server_that_does_not_start_right_is_stopped(monkeypatch, small_index, tmp_path):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))  # bench/ is not installed
    from bench import load

    started = []
    popen = load.subprocess.Popen

    def recording(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    def not_json(port):  # what a broken /api/health would make `health` raise
        raise ValueError("Expecting value: line 1 column 1 (char 0)")

    monkeypatch.setattr(load.subprocess, "Popen", recording)
    monkeypatch.setattr(load, "health", not_json)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ValueError):
        load.start_server(small_index, 1, port, 0.0, tmp_path / "log")
    assert len(started) == 1 and started[0].poll() is not None  # stopped, not left behind
