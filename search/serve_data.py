"""What the HTTP API answers, as plain JSON-able dicts: thin functions over a `Searcher`.

Kept apart from `search.server` (routes, limits, errors) so that the shapes the page and other
clients rely on are defined in one place, free of the web stack. They are the library's own
`to_dict()` forms, the ones `clsearch --json` prints, so the CLI and the API agree.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from index.errors import ClsearchError
from index.store import current_generation

from search.hits import TAGS
from search.searcher import Searcher

FILTERS = ("province", "city", "district", "program", "list", "type", "year")


class ApiError(Exception):
    """An error the API answers with `status` and a JSON body."""

    def __init__(self, status: int, code: str, message: str, **details: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def open_searcher(index_dir: str | None) -> Searcher:
    """A worker's Searcher: the default index (already built by `clsearch serve`) or `index_dir`.

    It stays on the generation it opened: the server follows rebuilds itself (`open_newer`,
    checked at most once per `rebuild_check` seconds in the background), so no request pays
    for a look at ``CURRENT``."""
    return Searcher(index_dir=index_dir) if index_dir else Searcher()


def open_newer(current: Searcher, refused: set[str], log: Callable[[str], None]) -> Searcher | None:
    """A new Searcher, opened and warmed, on the generation ``CURRENT`` names if that is newer
    than `current`'s; None if there is none (or it would not open: warned once, and its name
    added to `refused`). `current` keeps answering meanwhile, so a rebuild fails no request."""
    try:
        gen = current_generation(current.index_dir)
    except ClsearchError:
        return None
    if gen is None or gen == current.generation or gen.name in refused:
        return None
    try:
        fresh = Searcher(index_dir=current.index_dir, log=log)  # explicit: never builds
    except ClsearchError as exc:
        refused.add(gen.name)
        log(f"clsearch: warning: not switching to the new index {gen.name} ({exc}); "
            f"still searching {current.generation.name}")
        return None
    try:
        warm(fresh)
    except Exception as exc:  # it answers nothing right: keep the generation that works
        fresh.close()
        refused.add(gen.name)
        log(f"clsearch: warning: not switching to the new index {gen.name} (a test query failed: "
            f"{type(exc).__name__}: {exc}); still searching {current.generation.name}")
        return None
    return fresh


class RecentRequests:
    """The distinct searches and completions a worker answered last (at most `size`, the
    newest last), to warm a new generation's Searcher with before it serves (`autowarm`).
    Used from the event loop's thread only."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple[Any, str], tuple[Callable[..., Any], tuple[Any, ...], Hashable]] = \
            OrderedDict()

    def add(self, fn: Callable[..., Any], args: tuple[Any, ...], timed: Hashable = None) -> None:
        """Note a request; `timed`: its key in the server's `Durations` (None: not timed)."""
        key = (fn, repr(args))  # the filters are a dict: not hashable as they are
        items = self._items
        if key in items:
            items[key] = (fn, args, timed)
            items.move_to_end(key)
            return
        items[key] = (fn, args, timed)
        if len(items) > self.size:
            items.popitem(last=False)

    def snapshot(self) -> list[tuple[Callable[..., Any], tuple[Any, ...]]]:
        """The requests, the newest first."""
        return [(fn, args) for fn, args, _ in reversed(self._items.values())]

    def keys(self) -> list[Hashable]:
        """Their `timed` keys, in the order of `snapshot`."""
        return [timed for _, _, timed in reversed(self._items.values())]


def autowarm(searcher: Searcher, requests: list[tuple[Callable[..., Any], tuple[Any, ...]]],
             seconds: float, share: float, stop: threading.Event | None = None,
             answered: Callable[[int, float], None] | None = None) -> int:
    """Answer `requests` (`RecentRequests.snapshot`) on `searcher` and drop the answers, so that
    what a generation works out per query text and per document (plans, decoded documents,
    posting sets: `search.plans`, `search.reader`) is there before the first user's request
    rather than made during it, as Solr's autowarming of a new searcher from the old one's
    recent keys. Takes at most `seconds`, and at most `share` of one core: it sleeps between
    requests, so the worker's requests in flight keep most of it; it stops early once `stop` is
    set (the server is shutting down). Returns how many it answered. `answered(i, cpu)` is told
    the CPU time each request that did not fail took (its index in `requests`)."""
    import time

    started = time.perf_counter()
    done = 0
    for i, (fn, args) in enumerate(requests):
        begun = time.perf_counter()
        if begun - started > seconds or (stop is not None and stop.is_set()):
            break
        cpu = time.thread_time()
        try:
            fn(searcher, *args)
        except Exception:  # noqa: BLE001 - a request that fails fails again when asked: not for here
            pass
        else:
            if answered is not None:
                answered(i, time.thread_time() - cpu)
        done += 1
        pause = (time.perf_counter() - begun) * (1 - share) / share
        if stop is not None:
            stop.wait(pause)
        else:
            time.sleep(pause)
    return done


def warm(searcher: Searcher) -> None:
    """Answer a few typical requests, so that the tables a generation reads lazily are loaded
    before the first user's request rather than during it. A query the engine refuses is
    skipped; anything else raises."""
    for q in ("c", "cz", "常州", "lidian"):
        try:
            search_json(searcher, q, {}, 0, 20, True, False, None, None)
            complete_json(searcher, q, 8)
        except ClsearchError:
            pass


def current_generation_name(searcher: Searcher) -> str:
    """The name of the generation `searcher` answers from."""
    return searcher.generation.name


def search_json(searcher: Searcher, query: str, filters: dict[str, Iterable[str] | None], offset: int,
                limit: int, facets: bool, explain: bool, pre: str | None, post: str | None) -> dict[str, Any]:
    """One page of hits with the exact total, facet counts over every hit, highlights (spans, and
    the text HTML-escaped with `pre`/`post` around matched runs), a did-you-mean, and how the
    query was understood when the engine says so."""
    given = {k: [v for v in vs if v.strip()] for k, vs in filters.items() if vs}
    res = searcher.results(query, limit, offset=offset, facets=facets, **{k: v for k, v in given.items() if v})
    tags = (pre if pre is not None else TAGS[0], post if post is not None else TAGS[1])
    out = res.to_dict(tags=tags, explain=explain)
    out.setdefault("suggestion", None)
    for key in ("partial", "dropped", "understood"):  # #7's messages, when the engine gives them
        if hasattr(res, key) and key not in out:
            value = getattr(res, key)
            out[key] = list(value) if isinstance(value, (tuple, list)) else value
    return out


def complete_json(searcher: Searcher, prefix: str, limit: int) -> dict[str, Any]:
    """Type-ahead: names, places and words the prefix may be, each with its number of clusters."""
    if not prefix.strip():
        return {"query": prefix, "suggestions": []}
    return {"query": prefix, "suggestions": [c.to_dict() for c in searcher.complete(prefix, limit)]}


def record_json(searcher: Searcher, record_id: str) -> dict[str, Any]:
    """The full record: names, places, builders, lists with titles, sources, related records."""
    return searcher.get(record_id).to_dict()


def stats_json(searcher: Searcher) -> dict[str, Any]:
    return searcher.stats()


def health_json(searcher: Searcher) -> dict[str, Any]:
    """Liveness, which index generation this worker answers from, and which worker it is (its
    process id: with --workers N, whoever checks can tell when every worker is serving)."""
    import os

    from index.store import read_meta

    gen = searcher.generation
    meta = read_meta(gen)
    return {"status": "ok", "generation": gen.name, "fingerprint": meta.get("fingerprint"),
            "records": meta.get("records"), "built_at": meta.get("built_at"),
            "index_dir": str(searcher.index_dir), "worker": os.getpid()}
