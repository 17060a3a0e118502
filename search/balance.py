"""Keep-alive connections spread evenly over `clsearch serve --workers N`.

The workers share one listening socket and whichever is waiting first accepts a new
connection; a keep-alive connection then stays with that worker. A burst of clients
connecting at once (a page's visitors after a restart, a load test) lands unevenly (16
clients were seen split 15/1, 13/3 and 11/5 over 2 workers), and the busier worker's clients
wait longer for as long as they stay connected.

So each worker counts the connections that sent it requests in the last two seconds (two or
more: a connection used once is not a client to move), writes the
count to a small file in a directory the parent made for the workers (`BALANCE_EVERY` times a
second), and reads the others'. A worker with two or more connections above the least busy
live worker, and busy (`BUSY`), answers the next requests with ``Connection: close`` (half the difference: the
surplus), after their answer is complete; the clients connect again, which an idle worker is
the likeliest to accept. Nothing is refused and no answer changes: a browser or the load
test just opens a new connection for its next request. A worker whose file is older than
`STALE_S` (stopped, restarted) does not count.
"""

from __future__ import annotations

import os
import time
from collections.abc import Hashable

BALANCE_EVERY = 0.2  # seconds between two looks at the counts
WINDOW = 10  # looks: a connection counts while it sent a request within the last WINDOW looks (2 s:
# longer than a person pausing to read the hits, so paced traffic does not look uneven)
STALE_S = 1.5  # a worker that has not written its count for this long is left out
COOLDOWN = 2  # looks to wait after closing connections, until the counts show where they went
BUSY = 20  # requests a worker answers between two looks (100 a second) before it closes any:
# below that it answers each at once wherever it lands (16 people typing make ~40 a second)


class Balance:
    """One worker's side: `saw` on each request, `look` every `BALANCE_EVERY` seconds."""

    def __init__(self, directory: str, pid: int | None = None):
        self.directory = directory
        self.name = str(pid if pid is not None else os.getpid())
        self.path = os.path.join(directory, self.name)
        self.seen: dict[Hashable, int] = {}  # connection (client address) → the look it was last seen in
        self.once: dict[Hashable, int] = {}  # connections seen one request so far (not counted yet)
        self.tick = 0
        self.surplus = 0  # connections still to close
        self.wait = 0  # looks left before the next decision
        self.closed = 0  # connections closed so far (for tests and curiosity)
        self.requests = 0  # requests since the last look

    def saw(self, client: Hashable) -> bool:
        """Note a request on the connection from `client`; True: answer it with
        ``Connection: close``. A connection counts from its second request on (one that asks
        once and closes, a health check or a script, is not a client to move), and only
        those are closed."""
        self.requests += 1
        seen = self.seen
        if client in seen:
            if self.surplus:
                self.surplus -= 1
                self.closed += 1
                del seen[client]
                return True
            seen[client] = self.tick
        elif client in self.once:
            del self.once[client]
            seen[client] = self.tick
        else:
            self.once[client] = self.tick
        return False

    def look(self, now: float | None = None) -> int:
        """Count this worker's live connections, publish the count, and decide how many to close
        (returned; 0 when the workers are even, alone, or waiting for the last decision).
        `count`, `exchange` and `decide` in one call; the server runs `exchange`, the file
        system's part, in a thread of its own (see there)."""
        now = time.time() if now is None else now
        mine = self.count()
        return self.decide(mine, self.exchange(mine, now))

    def count(self) -> int:
        """This worker's live connections, with the ones quiet for `WINDOW` looks forgotten."""
        self.tick += 1
        oldest = self.tick - WINDOW + 1
        if any(t < oldest for t in self.seen.values()):
            self.seen = {c: t for c, t in self.seen.items() if t >= oldest}
        if any(t < oldest for t in self.once.values()):
            self.once = {c: t for c, t in self.once.items() if t >= oldest}
        return len(self.seen)

    def exchange(self, mine: int, now: float) -> list[int]:
        """Publish `mine` and read the other live workers' counts. Only files: it may run in
        another thread. A rename on a disk's file system took up to 4–8 ms here (p95 4 ms),
        five times a second: on the event loop, every request waiting meanwhile waited too."""
        self._write(f"{mine} {now:.3f}")
        return self._others(now)

    def decide(self, mine: int, others: list[int]) -> int:
        """How many connections to close, from this worker's count and the others'."""
        busy, self.requests = self.requests >= BUSY, 0
        if self.wait:
            self.wait -= 1
            return 0
        if not others or not busy:
            self.surplus = 0
            return 0
        gap = mine - min(others)
        self.surplus = gap // 2 if gap >= 2 else 0
        if self.surplus:
            self.wait = COOLDOWN
        return self.surplus

    def close(self) -> None:
        """Leave: remove this worker's count."""
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _write(self, text: str) -> None:
        temp = f"{self.path}.tmp"
        try:
            with open(temp, "w", encoding="ascii") as f:
                f.write(text)
            os.replace(temp, self.path)
        except OSError:  # the directory is gone (the server is stopping): nothing to balance
            pass

    def _others(self, now: float) -> list[int]:
        counts = []
        try:
            names = os.listdir(self.directory)
        except OSError:
            return []
        for name in names:
            if name == self.name or not name.isdigit():
                continue
            try:
                with open(os.path.join(self.directory, name), encoding="ascii") as f:
                    count, written = f.read().split()
                if now - float(written) <= STALE_S:
                    counts.append(int(count))
            except (OSError, ValueError):  # being replaced, or removed: skip it this time
                continue
        return counts
