"""uvicorn's httptools protocol, sending a response's head and body in one write.

uvicorn writes a response's head (status line and headers) to the socket as soon as the app
sends ``http.response.start``, then the body in a second write. uvloop sends each write at
once, so every answer costs two ``send`` system calls and reaches the client as two TCP
segments, which wakes the client twice. `Http` holds the head back and sends it with the
first piece of body that follows (or at the end of the event loop's current pass, for a
response whose body comes later or never): the same bytes, in the same order, in one write.
In `bench.load`'s closed loop the two writes were ~15 % of a worker's time.

Only `clsearch serve` uses it (``uvicorn.run(..., http="search.serve_http:Http")``); when
httptools is not installed uvicorn's own default is used.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HEAD_START = b"HTTP/1.1 "
_HEAD_END = b"\r\n\r\n"


class OneWrite:
    """A transport that holds a response head (a write that starts with the status line and
    ends with the blank line) until the next write, then sends both as one. Anything else
    it does is the transport's."""

    __slots__ = ("_transport", "_held", "_loop")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._held: bytes | None = None
        self._loop = loop

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + bytes(data))
        elif isinstance(data, bytes) and data.startswith(_HEAD_START) and data.endswith(_HEAD_END):
            self._held = data
            self._loop.call_soon(self.flush)  # no body follows at once (HEAD, 204, a stream)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def writelines(self, lines: Any) -> None:
        self.flush()
        self._transport.writelines(lines)

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading…
        return getattr(self._transport, name)


class Http(HttpToolsProtocol):
    """uvicorn's httptools protocol on a `OneWrite` transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = OneWrite(transport, self.loop)  # type: ignore[assignment]
