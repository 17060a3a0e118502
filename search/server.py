"""clsearch over HTTP: a JSON search API and the search-as-you-type page (`clsearch serve`).

The web stack (FastAPI on Starlette, served by uvicorn) is the optional extra ``serve``; only
`clsearch serve` and the tests import this module, so the base install and the one-shot CLI
never load it. FastAPI was chosen because it validates query parameters from their type hints
and writes the OpenAPI schema from the same declarations, so the schema cannot drift from
the code; it is a thin layer over Starlette, which handles the page's static files.

One `Searcher` serves every request of a worker process (it is safe to share between
threads). Searches run in the thread pool with a deadline (one known to be short runs on the
event loop, see `fast`); every error is a JSON object
``{"error": {"status", "code", "message"}}`` with a fitting HTTP status, never a traceback.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass, replace
from functools import partial
from importlib import resources
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.errors import ClsearchError, FilterValueError, IndexMissingError, InvalidValueError, UnknownIdError
from search.balance import BALANCE_EVERY, Balance
from search.query import MAX_QUERY_CHARS
from search.serve_data import (ApiError, RecentRequests, autowarm, complete_json, health_json, open_newer,
                               record_json, search_json, stats_json)

log = logging.getLogger("clsearch.serve")
WARMABLE = frozenset({search_json, complete_json})  # the requests a new generation is warmed with
WARM_SECONDS = 5.0  # the longest a worker spends warming a new generation before it serves it
WARM_SHARE = 0.5  # of one core, at most, while it does
SHORT_SECONDS = 0.02  # a search that took at most this CPU time the last time runs on the event loop

CONFIG_ENV = "CLSEARCH_SERVE_CONFIG"
Multi = Annotated[list[str] | None, Query()]  # a filter: repeat it for several values (OR)
FILTERS = ("province", "city", "district", "program", "list", "type", "year")


@dataclass(frozen=True)
class ServeConfig:
    """What a worker needs to know; passed to worker processes as JSON in $CLSEARCH_SERVE_CONFIG."""

    index_dir: str | None = None  # None: the default index (built by `clsearch serve` before start)
    max_query_chars: int = MAX_QUERY_CHARS  # longer: 414 (in the URL) or 413 (in a body)
    max_limit: int = 100  # largest `limit` of one page
    max_offset: int = 10_000
    timeout: float = 5.0  # seconds a search may take before the request fails with 503
    max_body_bytes: int = 16 * 1024  # larger request bodies: 413
    max_url_bytes: int = 8 * 1024  # longer path + query string: 414
    cors_origins: tuple[str, ...] = ()  # empty: no CORS headers at all
    rebuild_check: float = 1.0  # seconds between checks for a newer index generation
    cache_mb: float = 32.0  # per-worker cache of answers, per index generation (0: off)
    threads: int = 4  # threads per worker running searches (they share one Searcher and the GIL)
    balance_dir: str | None = None  # with several workers: where they share their connection counts
    warm_recent: int = 256  # distinct recent requests a new generation answers before it serves (0: none)

    def to_env(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_env(cls) -> ServeConfig:
        data = json.loads(os.environ.get(CONFIG_ENV) or "{}")
        if "cors_origins" in data:
            data["cors_origins"] = tuple(data["cors_origins"])
        return cls(**data)


class BodyAndUrlLimit:
    """Pure ASGI middleware: 414 for an oversized URL, 413 for an oversized request body.

    Checked before any routing or parsing, so a huge request costs nothing. A body without a
    Content-Length (chunked) is counted as it streams and cut off at the bound.
    """

    def __init__(self, app: ASGIApp, max_body: int, max_url: int):
        self.app, self.max_body, self.max_url = app, max_body, max_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
        if url_bytes > self.max_url:
            return await _send_error(send, ApiError(414, "uri_too_long",
                                                    f"the URL is too long ({url_bytes} bytes; the limit is {self.max_url})"))
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                return await _send_error(send, ApiError(400, "bad_request", "invalid Content-Length"))
            if too_big:
                return await _send_error(send, _body_too_large(self.max_body))
            return await self.app(scope, receive, send)

        seen, refused = 0, False

        async def bounded_receive() -> Message:
            # Past the bound: answer 413 now, and tell the app the client has gone.
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    if not refused:
                        refused = True
                        await _send_error(send, _body_too_large(self.max_body))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except Exception:
            if not refused:
                raise


def _body_too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"the request body is too large (the limit is {limit} bytes)")


def _error_json(err: ApiError) -> dict[str, Any]:
    return {"error": {"status": err.status, "code": err.code, "message": err.message, **err.details}}


def _error_body(err: ApiError) -> bytes:
    return json.dumps(_error_json(err), ensure_ascii=False).encode()


async def _send_error(send: Send, err: ApiError) -> None:
    body = _error_body(err)
    await send({"type": "http.response.start", "status": err.status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class UTF8JSONResponse(JSONResponse):
    """JSON with Chinese as is (not \\u escapes), as the CLI prints it."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error_response(err: ApiError) -> UTF8JSONResponse:
    headers = {"Retry-After": "1"} if err.status == 503 else None
    return UTF8JSONResponse(_error_json(err), status_code=err.status, headers=headers)


def error_for(exc: ClsearchError) -> ApiError:
    """The HTTP status a library error deserves: the caller's fault (400) unless the index is
    missing (503) or the id unknown (404). A filter value the index lacks names the field
    and the values meant most likely."""
    message = str(exc) + (f" ({exc.hint})" if getattr(exc, "hint", None) else "")
    if isinstance(exc, IndexMissingError):
        return ApiError(503, "index_unavailable", message)
    if isinstance(exc, UnknownIdError):
        return ApiError(404, "not_found", message, id=exc.id)
    if isinstance(exc, FilterValueError):
        return ApiError(400, "bad_filter", message, field=exc.field, value=exc.value,
                        nearest=list(exc.nearest), valid=list(exc.valid))
    if isinstance(exc, InvalidValueError):
        return ApiError(400, "bad_parameter", message, param=exc.param)
    return ApiError(400, "bad_query", message)


class AnswerCache:
    """A worker's least-recently-used cache of encoded answers, bounded in bytes.

    Type-ahead traffic repeats itself (everyone's "c", "ch", "cha" …), and the engine ranks
    every candidate of a short prefix. Keys hold the index generation, so a rebuilt index
    never serves an old answer; the cache empties when the generation changes.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self.generation: str | None = None
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, generation: str, key: Hashable) -> bytes | None:
        if generation != self.generation:
            self._items.clear()
            self.size, self.generation = 0, generation
            return None
        body = self._items.get(key)
        if body is not None:
            self._items.move_to_end(key)
        return body

    def put(self, generation: str, key: Hashable, body: bytes) -> None:
        if generation != self.generation or len(body) > self.max_bytes // 8 or key in self._items:
            return
        self._items[key] = body
        self.size += len(body)
        while self.size > self.max_bytes:
            _, old = self._items.popitem(last=False)
            self.size -= len(old)


class Durations:
    """How long each search took on a worker the last time it was answered (its query string),
    per index generation: one known to take at most `short` seconds is answered on the event
    loop rather than handed to a search thread (see `fast`). Bounded: forgotten when full.

    In a search thread the time is the thread's CPU time: it waits for the GIL there, which
    does not make the search longer (timed by the clock, a 4 ms search waiting 20 ms for the
    GIL would stay in the threads for good). On the event loop, where nothing else holds the
    GIL, it is the clock's (cheaper to read); a search slowed there by the machine's load goes
    to a thread once, is timed by its CPU there, and comes back. The engine's work is CPU: it
    reads the index through the page cache."""

    def __init__(self, short: float, size: int = 8192):
        self.short_s, self.size = short, size
        self.generation: str | None = None
        self._seconds: dict[Hashable, float] = {}

    def short(self, generation: str, key: Hashable) -> bool:
        if generation != self.generation:
            self.generation, self._seconds = generation, {}
            return False
        return self._seconds.get(key, self.short_s + 1.0) <= self.short_s

    def seed(self, generation: str, seconds: dict[Hashable, float]) -> None:
        """Start `generation` with these durations (the autowarm's, measured on it)."""
        self.generation, self._seconds = generation, dict(list(seconds.items())[:self.size])

    def note(self, generation: str, key: Hashable, seconds: float) -> None:
        if generation != self.generation:
            return
        seconds_ = self._seconds  # may be swapped for a new generation's meanwhile: harmless
        if len(seconds_) >= self.size:
            seconds_.clear()
        seconds_[key] = seconds


class SearchBody(BaseModel):
    """The body of POST /api/search: the GET parameters as JSON (lists for filters)."""

    q: str = ""
    province: list[str] | None = None
    city: list[str] | None = None
    district: list[str] | None = None
    program: list[str] | None = None
    list_: list[str] | None = Field(None, alias="list")
    type: list[str] | None = None
    year: list[str] | None = None
    offset: int = Field(0, ge=0)
    limit: int = Field(10, ge=1)
    facets: bool = True
    explain: bool = False
    pre: str | None = Field(None, max_length=64)
    post: str | None = Field(None, max_length=64)


def create_app(config: ServeConfig | None = None, *, searcher: Any = None) -> ClsearchApp:
    """The ASGI app. `searcher` (tests) is used as given and never closed by the app;
    otherwise each worker opens its own on start-up, follows rebuilds of its index in the
    background and closes its Searchers on shut-down."""
    config = config or ServeConfig()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clsearch-follow")  # rebuild checks
    searches = SearchThreads(max(1, config.threads), "clsearch-search")
    balance = Balance(config.balance_dir) if config.balance_dir and searcher is None else None
    recent = RecentRequests(config.warm_recent)  # what a new generation is warmed with (`follow`)
    durations = Durations(SHORT_SECONDS)  # which searches are short, on the generation served
    stopping = threading.Event()  # set on shut-down

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if searcher is not None:
            app.state.searcher = searcher
            yield
            return
        from search.serve_data import open_searcher, warm

        app.state.searcher = open_searcher(config.index_dir)
        try:
            warm(app.state.searcher)  # the first users do not wait for tables read on first use
        except Exception:  # served anyway: each request then answers (or fails) on its own
            log.exception("clsearch: warming up the index failed")
        retired: set[Any] = set()
        follower = asyncio.ensure_future(follow(app, retired))
        evener = asyncio.ensure_future(even(balance)) if balance is not None else None
        try:
            yield
        finally:
            stopping.set()  # an autowarm under way ends after its current request
            for task in (follower, evener):
                if task is not None:
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
            if balance is not None:
                balance.close()
                if balance.closed:
                    log.warning("clsearch: worker %s closed %d keep-alive connection%s to even out the workers",
                                os.getpid(), balance.closed, "" if balance.closed == 1 else "s")
            for old in [*retired, app.state.searcher]:
                old.close()
            pool.shutdown(wait=False)
            searches.shutdown()

    async def even(balance: Balance) -> None:
        """Every `BALANCE_EVERY` seconds, compare connection counts with the other workers
        (`search.balance`). The counting and the decision are made here; the files are written
        and read in a thread of their own, so the event loop never waits for the disk."""
        loop = asyncio.get_running_loop()
        files = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clsearch-balance")
        try:
            while True:
                await asyncio.sleep(BALANCE_EVERY)
                try:
                    mine = balance.count()
                    others = await loop.run_in_executor(files, balance.exchange, mine, time.time())
                    balance.decide(mine, others)
                except Exception:  # never let it die: balancing is a nicety
                    log.exception("clsearch: comparing connection counts failed")
        finally:
            files.shutdown(wait=True)  # an exchange under way ends before `Balance.close`

    async def follow(app: FastAPI, retired: set[Any]) -> None:
        """Every `rebuild_check` seconds, look for a newer generation; when there is one, open
        and warm a Searcher on it beside the current one, then swap them. Requests already
        running finish on the old Searcher, closed once the longest of them must have ended."""
        refused: set[str] = set()
        loop = asyncio.get_running_loop()

        def retire(old: Any) -> None:
            retired.discard(old)
            old.close()

        while True:
            await asyncio.sleep(config.rebuild_check)
            try:
                fresh = await loop.run_in_executor(pool, open_newer, app.state.searcher, refused, log.warning)
            except Exception:  # never let the follower die: the next look may work
                log.exception("clsearch: looking for a rebuilt index failed")
                continue
            if fresh is not None:
                warmed: dict[Hashable, float] = {}  # the searches' CPU times on `fresh` (`Durations`)
                if config.warm_recent:  # the requests answered last, answered once on it first
                    answered = partial(_note_warmed, recent.keys(), warmed)
                    try:
                        await loop.run_in_executor(pool, autowarm, fresh, recent.snapshot(),
                                                   WARM_SECONDS, WARM_SHARE, stopping, answered)
                    except asyncio.CancelledError:  # shutting down: it never served
                        fresh.close()
                        raise
                    except Exception:  # served cold, then
                        log.exception("clsearch: warming the new index with recent requests failed")
                old, app.state.searcher = app.state.searcher, fresh
                durations.seed(fresh.generation.name, warmed)  # known short on it already
                retired.add(old)
                loop.call_later(config.timeout + 1.0, retire, old)
                log.warning("clsearch: worker %s now serves %s", os.getpid(), fresh.generation.name)

    app = ClsearchApp(title="clsearch", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  default_response_class=UTF8JSONResponse,
                  description="Search China's industrial clusters (产业集群) by name, place, builder, "
                              "pinyin, initials or with typos.")
    if searcher is not None:
        app.state.searcher = searcher  # usable without running the lifespan (plain TestClient)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _error_response(exc)

    @app.exception_handler(ClsearchError)
    async def _library_error(request: Request, exc: ClsearchError) -> Response:
        return _error_response(error_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path"))
            problems.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
        return _error_response(ApiError(400, "bad_parameter", "; ".join(problems) or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = "no such endpoint" if exc.status_code == 404 else str(exc.detail)
        return _error_response(ApiError(exc.status_code, code, message))

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s", request.url.path, exc_info=exc)
        return _error_response(_INTERNAL)

    cache = AnswerCache(int(config.cache_mb * 1024 * 1024)) if config.cache_mb > 0 else None

    async def answer(key: Hashable | None, fn: Callable[..., Any], *args: Any,
                     inline: bool = False, timed: Hashable | None = None) -> tuple[bytes, str | None]:
        """`fn(searcher, *args)` encoded as JSON, and whether it came from the cache (None:
        no cache for this request). The cache answers only from the generation that gave it.
        `inline`: run it here, on the event loop, rather than in the pool (see `fast`).
        `timed`: the request's key in `durations`: run here too if it is known to be short."""
        searcher_ = app.state.searcher
        if fn in WARMABLE:
            recent.add(fn, args, timed)
        if timed is not None:
            generation_ = searcher_.generation.name
            inline = durations.short(generation_, timed)

            clock = time.perf_counter if inline else time.thread_time  # see `Durations`

            def call() -> bytes:
                started = clock()
                body = _encode(fn(searcher_, *args))
                durations.note(generation_, timed, clock() - started)
                return body
        else:
            def call() -> bytes:
                return _encode(fn(searcher_, *args))

        if cache is None or key is None:
            return (call() if inline else await run(call)), None
        generation = searcher_.generation.name
        body = cache.get(generation, key)
        if body is not None:
            return body, "hit"
        body = call() if inline else await run(call)
        if searcher_.generation.name == generation:
            cache.put(generation, key, body)
        return body, "miss"

    async def respond(key: Hashable | None, fn: Callable[..., Any], *args: Any) -> Response:
        body, state = await answer(key, fn, *args)
        return Response(body, media_type=UTF8JSONResponse.media_type,
                        headers={"X-Clsearch-Cache": state} if state else None)

    def cache_key(request: Request) -> Hashable | None:
        return (request.url.path, tuple(sorted(request.query_params.multi_items()))) if request.method == "GET" else None

    async def run(fn: Callable[[], Any]) -> Any:
        """Run a blocking library call in the worker's threads, failing with 503 past the deadline
        (the call itself runs on, its answer unused)."""
        loop = asyncio.get_running_loop()
        future = searches.submit(loop, fn)

        def expire() -> None:
            if not future.done():
                future.set_exception(ApiError(503, "timeout", f"the request took longer than {config.timeout:g} s"))

        timer = loop.call_later(config.timeout, expire)  # cheaper than asyncio.wait_for's task
        try:
            return await future
        finally:
            timer.cancel()

    def check_query(q: str, where: str) -> None:
        if len(q) > config.max_query_chars:
            status = 414 if where == "url" else 413
            raise ApiError(status, "query_too_long",
                           f"the query is too long ({len(q)} characters; the limit is {config.max_query_chars})")

    def check_page(offset: int, limit: int) -> None:
        if not 1 <= limit <= config.max_limit:
            raise ApiError(400, "bad_parameter", f"limit must be between 1 and {config.max_limit}")
        if not 0 <= offset <= config.max_offset:
            raise ApiError(400, "bad_parameter", f"offset must be between 0 and {config.max_offset}")

    def search_args(q: str, filters: dict[str, list[str] | None], offset: int, limit: int, facets: bool,
                    explain: bool, pre: str | None, post: str | None, where: str) -> tuple[Any, ...]:
        check_query(q, where)
        check_page(offset, limit)
        return (q, filters, offset, limit, facets, explain, pre, post)

    @app.get("/api/search", summary="Search clusters", tags=["search"])
    async def search_get(
        request: Request,
        q: Annotated[str, Query(description="The query: hanzi, pinyin, initials, mixed; typos allowed.")] = "",
        province: Multi = None, city: Multi = None, district: Multi = None, program: Multi = None,
        list_: Annotated[list[str] | None, Query(alias="list")] = None,
        type: Multi = None, year: Multi = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1)] = 10,
        facets: bool = True,
        explain: bool = False,
        pre: Annotated[str | None, Query(max_length=64, description="Tag before a highlighted run (e.g. <mark>)")] = None,
        post: Annotated[str | None, Query(max_length=64, description="Tag after a highlighted run (e.g. </mark>)")] = None,
    ) -> Response:
        """Ranked clusters for `q`, with filters (each repeatable), paging, facet counts over all
        hits, highlights as spans (and as marked text with the caller's `pre`/`post` tags) and,
        on request, the ranking explanation."""
        # Most GET requests are answered by `FastPath` with the same checks; it hands the
        # unusual ones (repeated or malformed parameters) to this route.
        filters = {"province": province, "city": city, "district": district, "program": program,
                   "list": list_, "type": type, "year": year}
        args = search_args(q, filters, offset, limit, facets, explain, pre, post, "url")
        return await respond(cache_key(request), search_json, *args)

    @app.post("/api/search", summary="Search clusters (JSON body)", tags=["search"])
    async def search_post(request: Request, body: SearchBody) -> Response:
        """The same search with the parameters in a JSON body (bounded in size)."""
        filters = {k: getattr(body, "list_" if k == "list" else k) for k in FILTERS}
        args = search_args(body.q, filters, body.offset, body.limit, body.facets, body.explain, body.pre,
                           body.post, "body")
        return await respond(None, search_json, *args)

    @app.get("/api/complete", summary="Type-ahead suggestions", tags=["search"])
    async def complete(request: Request, q: str = "", limit: Annotated[int, Query(ge=1)] = 8) -> Response:
        """What the user may be typing (hanzi, pinyin, initials or a mix), each with how many
        clusters it finds."""
        check_query(q, "url")
        check_page(0, limit)
        return await respond(cache_key(request), complete_json, q, limit)

    @app.get("/api/records/{record_id}", summary="One cluster's full record", tags=["records"])
    async def record(request: Request, record_id: str) -> Response:
        """The record with every name, place, builder, list and source, and related records."""
        if len(record_id) > 200:
            raise ApiError(414, "uri_too_long", "the id is too long")
        return await respond(cache_key(request), record_json, record_id)

    @app.get("/api/stats", summary="Counts by list, program, type and province", tags=["records"])
    async def stats(request: Request) -> Response:
        return await respond(cache_key(request), stats_json)

    @app.get("/api/health", summary="Liveness, index generation and fingerprint", tags=["service"])
    async def health(request: Request) -> Response:
        return await respond(None, health_json)

    static = resources.files("search") / "static"
    page = (static / "index.html").read_text(encoding="utf-8")

    @app.get("/", include_in_schema=False)
    async def index_page() -> HTMLResponse:
        return HTMLResponse(page, headers=_PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    async def fast(scope: Scope, receive: Receive, send: Send, outermost: bool = False) -> bool:
        """Answer GET /api/search or /api/complete without FastAPI's per-request work (solving
        dependencies, validating through pydantic): the same checks and the same answer as the
        routes above, for the parameters it can read without doubt. Anything else (a repeated
        or malformed parameter, a value out of range) goes to the route, so its errors stay
        FastAPI's. False: not handled.

        Completions run here, on the event loop: one takes ~0.1 ms on 477 records (at most
        ~3.5 ms, a one-letter prefix on 20,000: `search.complete` looks at a bounded number of
        entries), less than handing it to a thread and back costs (~0.15 ms of CPU), and so
        they are not queued behind searches in the pool either.

        A search runs in the pool, under the deadline, unless the worker answered the same
        query string on the same generation in at most `SHORT_SECONDS` (20 ms) the last time
        (`Durations`): then it runs here too, as the engine does the same work for it again.
        Handing a search to a thread costs more than the hand-off itself: the event loop waits
        for the GIL while the search threads hold it (up to the 5 ms switch interval), so
        answers already made are sent late and the cores idle between. Under bench.load's
        closed loop, 2 workers went from ~1,300 to ~1,850 requests/s at a load average of 5,
        search p95 from ~37 to ~21 ms. A search seen for the first time, or one that took longer,
        keeps the deadline; so does everything after a new generation is swapped in.

        `outermost`: called by `ClsearchApp` before any middleware, so it adds the header
        `SecurityHeaders` would."""
        respond_ok = send
        if outermost:
            send = _with_nosniff(send)  # for the errors below (rare)
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        path = scope["path"]
        try:
            if path == "/api/search":
                read = _search_params(pairs)
                if read is None:
                    return False
                q, filters, offset, limit, facets, explain, pre, post = read
                args = search_args(q, filters, offset, limit, facets, explain, pre, post, "url")
                fn: Callable[..., Any] = search_json
                inline, timed = False, scope["query_string"]
            else:
                one = _single_params(pairs, {"q": "", "limit": "8"})
                wanted = _whole(one["limit"]) if one else None
                if one is None or wanted is None or wanted < 1:
                    return False
                check_query(one["q"], "url")
                check_page(0, wanted)
                fn, args = complete_json, (one["q"], wanted)
                inline, timed = True, None
            body, state = await answer((path, tuple(sorted(pairs))) if cache else None, fn, *args,
                                       inline=inline, timed=timed)
        except ApiError as exc:
            await _error_response(exc)(scope, receive, send)
            return True
        except ClsearchError as exc:
            await _error_response(error_for(exc))(scope, receive, send)
            return True
        except Exception as exc:
            log.error("internal error on %s", path, exc_info=exc)
            await _error_response(_INTERNAL)(scope, receive, send)
            return True
        headers = [(b"content-type", _JSON_TYPE), (b"content-length", str(len(body)).encode())]
        if balance is not None and balance.saw(scope.get("client")):
            headers.append(_CLOSE)  # this worker has more than its share: reconnect (search.balance)
        if state:
            headers.append((b"x-clsearch-cache", state.encode()))
        if outermost:
            headers.append(_NOSNIFF)
        await respond_ok({"type": "http.response.start", "status": 200, "headers": headers})
        await respond_ok({"type": "http.response.body", "body": body})
        return True

    app.add_middleware(FastPath, fast=fast)
    app.add_middleware(SecurityHeaders)
    if config.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    app.add_middleware(BodyAndUrlLimit, max_body=config.max_body_bytes, max_url=config.max_url_bytes)

    async def lean(scope: Scope, receive: Receive, send: Send) -> bool:
        """`fast` before every middleware, for a request they would all let through unchanged:
        a URL within the bound, no request body, no CORS configured. False: not handled."""
        if len(scope["raw_path"]) + len(scope["query_string"]) > config.max_url_bytes:
            return False
        for name, _ in scope["headers"]:
            if name == b"content-length" or name == b"transfer-encoding":
                return False
        return await fast(scope, receive, send, outermost=True)

    if not config.cors_origins:
        app.lean = lean
    return app


_INTERNAL = ApiError(500, "internal_error", "internal error (logged on the server)")
_JSON_TYPE = b"application/json; charset=utf-8"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_CLOSE = (b"connection", b"close")
_FAST_PATHS = frozenset({"/api/search", "/api/complete"})
# The values pydantic reads as booleans; any other spelling goes to FastAPI (which refuses it).
_BOOLS = {"0": False, "off": False, "f": False, "false": False, "n": False, "no": False,
          "1": True, "on": True, "t": True, "true": True, "y": True, "yes": True}


def _encode(data: Any) -> bytes:
    """Compact UTF-8 JSON: orjson's bytes when it is installed (the same bytes, ~10x faster than
    the json module on a page of hits), else the json module's."""
    if _orjson is not None:
        try:
            body: bytes = _orjson.dumps(data)
            return body
        except TypeError:  # what orjson does not take (a huge int, a non-str key): json decides
            pass
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_orjson: Any
try:
    _orjson = importlib.import_module("orjson")
except ImportError:  # optional: the serve extra installs it where wheels exist
    _orjson = None


def _whole(text: str) -> int | None:
    """A plain non-negative whole number ("20"), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _single_params(pairs: list[tuple[str, str]], defaults: dict[str, str]) -> dict[str, str] | None:
    """The parameters named in `defaults` (other names are ignored, as FastAPI does); None if one
    of them is repeated."""
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in defaults:
            if key in out:
                return None
            out[key] = value
    return {**defaults, **out}


_SEARCH_SINGLE = {"q": "", "offset": "0", "limit": "10", "facets": "true", "explain": "false"}


SearchParams = tuple[str, dict[str, list[str] | None], int, int, bool, bool, str | None, str | None]


def _search_params(pairs: list[tuple[str, str]]) -> SearchParams | None:
    """The search route's parameters (q, filters, offset, limit, facets, explain, pre, post) read
    as FastAPI reads them, or None when FastAPI should decide (it would refuse, or the
    reading is not plain)."""
    filters: dict[str, list[str] | None] = dict.fromkeys(FILTERS)
    single: dict[str, str] = {}
    for key, value in pairs:
        if key in filters:
            filters[key] = [*(filters[key] or ()), value]
        elif key in _SEARCH_SINGLE or key in ("pre", "post"):
            if key in single:
                return None
            single[key] = value
    offset = _whole(single.get("offset", "0"))
    limit = _whole(single.get("limit", "10"))
    facets = _BOOLS.get(single.get("facets", "true"))
    explain = _BOOLS.get(single.get("explain", "false"))
    pre, post = single.get("pre"), single.get("post")
    if (offset is None or limit is None or limit < 1 or facets is None or explain is None
            or (pre is not None and len(pre) > 64) or (post is not None and len(post) > 64)):
        return None
    return (single.get("q", ""), filters, offset, limit, facets, explain, pre, post)


class SearchThreads:
    """A worker's threads running searches (they share its Searcher and the GIL): a call is put
    on a queue and its answer set on an asyncio future from the thread that ran it.

    What `loop.run_in_executor` does, for about half its CPU per call (~40 instead of ~70 µs
    on this machine: no concurrent future chained to the asyncio one, no executor lock): the
    page's searches take a few hundred µs each. An answer that comes after its future is
    done (the deadline has passed) is dropped, and a call whose deadline passed while it was
    queued is not run. Threads start as calls come, up to `size`.
    """

    def __init__(self, size: int, name: str):
        self.size, self.name = size, name
        self._queue: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]] | None] = \
            queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, loop: asyncio.AbstractEventLoop, fn: Callable[[], Any]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = loop.create_future()
        if len(self._threads) < self.size:
            self._start()
        self._queue.put((loop, future, fn))
        return future

    def shutdown(self) -> None:
        """Let the threads end once the calls queued before are done."""
        for _ in self._threads:
            self._queue.put(None)

    def _start(self) -> None:
        with self._lock:
            if len(self._threads) < self.size:
                thread = threading.Thread(target=self._work, name=f"{self.name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            loop, future, fn = item
            if future.done():  # its deadline passed while it waited: nobody wants the answer
                continue
            try:
                result = fn()
            except BaseException as exc:  # handed to the request, as an executor would
                try:
                    loop.call_soon_threadsafe(_settle, future, None, exc)
                except RuntimeError:  # the loop is closed: nobody waits for it
                    pass
            else:
                try:
                    loop.call_soon_threadsafe(_settle, future, result, None)
                except RuntimeError:
                    pass


def _note_warmed(keys: list[Hashable], warmed: dict[Hashable, float], i: int, seconds: float) -> None:
    """`autowarm`'s `answered`: the CPU time of request `i`, under its `Durations` key."""
    if keys[i] is not None:
        warmed[keys[i]] = seconds


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # past the deadline, or the request was cancelled
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


class ClsearchApp(FastAPI):
    """FastAPI, with the page's type-ahead traffic (GET /api/search and /api/complete)
    answered by `lean` (see `create_app`) before Starlette's middleware stack, which would
    cost each request more than a completion takes; anything `lean` leaves goes on as usual."""

    lean: Callable[[Scope, Receive, Send], Awaitable[bool]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lean = self.lean
        if (lean is not None and scope["type"] == "http" and scope["method"] == "GET"
                and scope["path"] in _FAST_PATHS and await lean(scope, receive, send)):
            return
        await super().__call__(scope, receive, send)


def _with_nosniff(send: Send) -> Send:
    async def with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), _NOSNIFF]}
        await send(message)

    return with_header


class FastPath:
    """Pure ASGI middleware: GET /api/search and /api/complete, the page's type-ahead traffic,
    answered by `fast` (see `create_app`) before FastAPI's routing; the rest goes on."""

    def __init__(self, app: ASGIApp, fast: Callable[[Scope, Receive, Send], Awaitable[bool]]):
        self.app, self.fast = app, fast

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in _FAST_PATHS
                and await self.fast(scope, receive, send)):
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Pure ASGI middleware: every response says ``X-Content-Type-Options: nosniff``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# The page loads only its own files: any injected markup could neither run script nor fetch.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("clsearch")
    except Exception:  # not installed (a bare checkout)
        return "0"


def app_from_env() -> ClsearchApp:
    """Factory for uvicorn worker processes (`--workers N` needs an import string)."""
    return create_app(ServeConfig.from_env())


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_problem(host: str, port: int) -> str | None:
    """Why uvicorn could not listen on host:port (address not here, port taken…), or None."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        return f"cannot resolve {host}: {exc.strerror or exc}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def http_protocol() -> str:
    """uvicorn's HTTP protocol for `serve`: httptools sending each response in one write
    (`search.serve_http`) when httptools is installed, else uvicorn's choice."""
    try:
        importlib.import_module("httptools")
    except ImportError:
        return "auto"
    return "search.serve_http:Http"


def serve(config: ServeConfig, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          access_log: bool = False) -> None:
    """Run uvicorn in the foreground until Ctrl-C (the CLI's `clsearch serve`)."""
    import shutil
    import tempfile

    import uvicorn

    shared = None
    if workers > 1 and config.balance_dir is None:
        shared = tempfile.mkdtemp(prefix="clsearch-serve-")  # the workers' connection counts
        config = replace(config, balance_dir=shared)
    os.environ[CONFIG_ENV] = config.to_env()
    if workers > 1:
        # The workers share one listening socket, and libuv (uvloop's loop) accepts every
        # pending connection at each wake-up: a burst of keep-alive connections could all land
        # on one worker (16 load-test clients on one of two workers in 2 runs of 6). One accept
        # per wake-up lets the other workers take their share (6 runs of 6 balanced).
        os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    try:
        uvicorn.run("search.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                    access_log=access_log, log_level="warning", timeout_graceful_shutdown=5,
                    server_header=False, http=http_protocol())
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
