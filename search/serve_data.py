"""What the HTTP API answers, as plain JSON-able dicts: thin functions over a `Searcher`.

Kept apart from `search.server` (routes, limits, errors) so that the shapes the page and other
clients rely on are defined in one place, free of the web stack. They are the library's own
`to_dict()` forms, the ones `clsearch --json` prints, so the CLI and the API agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from search.hits import TAGS
from search.searcher import Searcher

FILTERS = ("province", "city", "district", "program", "list", "type", "year")


class ApiError(Exception):
    """An error the API answers with `status` and a JSON body."""

    def __init__(self, status: int, code: str, message: str, **details: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def open_searcher(index_dir: str | None) -> Searcher:
    """A worker's Searcher: the default index (already built by `clsearch serve`) or `index_dir`,
    following rebuilds: between queries it switches to a newer generation (issue 12's
    `refresh`), so a rebuilt index is served without a restart and no request in flight fails."""
    return Searcher(index_dir=index_dir, refresh=True) if index_dir else Searcher(refresh=True)


def current_generation_name(searcher: Searcher) -> str:
    """The generation the searcher answers from, after switching to a newer one if there is
    one (blocks while queries are in flight: call it from a worker thread)."""
    return Path(searcher.refresh_now()).name


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
    """Liveness and which index generation this worker answers from."""
    from index.store import read_meta

    gen = Path(searcher.generation).parent / current_generation_name(searcher)
    meta = read_meta(gen)
    return {"status": "ok", "generation": gen.name, "fingerprint": meta.get("fingerprint"),
            "records": meta.get("records"), "built_at": meta.get("built_at"),
            "index_dir": str(searcher.index_dir)}
