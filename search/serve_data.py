"""What the HTTP API answers, as plain JSON-able dicts: pure functions over a `Searcher`.

Kept apart from `search.server` (routes, limits, errors) so that the shapes the page and other
clients rely on are defined in one place, free of the web stack, and testable on their own.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

FACETS = ("province", "city", "program", "type", "year", "list")


class ApiError(Exception):
    """An error the API answers with `status` and a JSON body."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def open_searcher(index_dir: str | None):
    """The worker's Searcher: the default index (already built by `clsearch serve`) or `index_dir`."""
    from search import Searcher

    return Searcher(index_dir=index_dir) if index_dir else Searcher()


def marked(text: str, spans, pre: str, post: str) -> str:
    """`text` with each run of highlighted characters between `pre` and `post`.

    Text is HTML-escaped when the tags look like HTML (start with "<"), so that a name can never
    inject markup into a page that inserts the result as HTML.

    >>> marked("常州<光伏>", [(0, 1), (1, 2), (3, 5)], "<b>", "</b>")
    '<b>常州</b>&lt;<b>光伏</b>&gt;'
    >>> marked("常州光伏", [(2, 4)], "[", "]")
    '常州[光伏]'
    """
    on: set[int] = set()
    for s in spans:
        on.update(range(s[0], s[1]))
    esc = escape if pre.startswith("<") else (lambda c: c)
    out, inside = [], False
    for i, ch in enumerate(text):
        if (i in on) != inside:
            out.append(post if inside else pre)
            inside = not inside
        out.append(esc(ch))
    if inside:
        out.append(post)
    return "".join(out)


def hit_json(hit, explain: bool, pre: str | None, post: str | None) -> dict:
    d = hit.to_dict()
    highlights = []
    for h in hit.highlights:
        item = {"field": h.field, "text": h.text,
                "spans": [{"start": s.start, "end": s.end, "channel": s.channel} for s in h.spans]}
        if pre is not None or post is not None:
            item["marked"] = marked(h.text, [(s.start, s.end) for s in h.spans], pre or "", post or "")
        highlights.append(item)
    d["highlights"] = highlights
    if explain and hit.explain:
        d["explain"] = hit.explain.to_dict() if hasattr(hit.explain, "to_dict") else hit.explain
    return d


def _first(values):
    return values[0] if values else None


def search_json(searcher, query: str, filters: dict, offset: int, limit: int, facets: bool,
                explain: bool, pre: str | None, post: str | None) -> dict:
    """One page of results, the exact total, facet counts over every hit, and the messages."""
    filters = {k: [v for v in (vs or []) if v.strip()] for k, vs in filters.items()}
    unsupported = [k for k in ("district", "list", "year") if filters.get(k)]
    if unsupported:
        raise ApiError(400, "bad_filter", f"filtering by {', '.join(unsupported)} is not supported by this index")
    several = [k for k in ("province", "type", "program") if len(filters.get(k) or ()) > 1]
    if several:
        raise ApiError(400, "bad_filter", f"one value only for {', '.join(several)}")
    res = searcher.results(query, 10_000, province=_first(filters.get("province")),
                           type=_first(filters.get("type")), program=_first(filters.get("program")))
    hits = res.hits
    if filters.get("city"):
        cities = set(filters["city"])
        hits = [h for h in hits if h.city in cities]
    out = {
        "query": query,
        "total": len(hits),
        "offset": offset,
        "limit": limit,
        "hits": [hit_json(h, explain, pre, post) for h in hits[offset:offset + limit]],
        "suggestion": res.suggestion,
        "partial": getattr(res, "partial", False),
        "dropped": list(getattr(res, "dropped", ()) or ()),
        "understood": getattr(res, "understood", None),
    }
    if facets:
        out["facets"] = _facets(hits)
    return out


def _facets(hits) -> dict:
    counts: dict[str, Counter] = {k: Counter() for k in FACETS}
    for h in hits:
        for k in ("province", "city", "program", "type"):
            v = getattr(h, k)
            if v:
                counts[k][v] += 1
        for name in h.lists:
            counts["list"][name] += 1
        year = getattr(h, "year", None)
        if year:
            counts["year"][str(year)] += 1
    return {k: [{"value": v, "count": n} for v, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]
            for k, c in counts.items()}


def complete_json(searcher, prefix: str, limit: int) -> dict:
    """Type-ahead: names the prefix already finds, best first."""
    from index.errors import QueryError

    if not prefix.strip():
        return {"query": prefix, "suggestions": []}
    try:
        res = searcher.results(prefix, limit)
    except QueryError as exc:
        if "empty" in str(exc):  # only stop words or punctuation so far: nothing to suggest yet
            return {"query": prefix, "suggestions": []}
        raise
    return {"query": prefix, "suggestions": [{"text": h.name, "kind": "name", "id": h.id, "count": 1}
                                             for h in res.hits]}


def _stored(searcher, **where) -> list[dict]:
    """Stored documents of the searcher's index (all, or those matching `where`).

    Interim, until `Searcher.get` and `Searcher.stats` (issue 9) read the records the index keeps.
    """
    from index.format import Fields

    def read(s):
        found = s.documents(**where) if where else s.all_stored_fields()
        return [f[Fields.DOC] for f in found]

    return searcher._reader._locked(read)


def record_json(searcher, record_id: str) -> dict:
    """The full record of `record_id`; ApiError 404 when there is none."""
    found = _stored(searcher, id=record_id)
    if not found:
        raise ApiError(404, "not_found", f"no cluster has the id {record_id!r}")
    return {k: v for k, v in found[0].items() if k != "f"} | {"sources": [], "related": []}


def stats_json(searcher) -> dict:
    docs = _stored(searcher)

    def count(values):
        c = Counter("(none)" if v is None else v for v in values)
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "records": len(docs),
        "by_list": count(k for d in docs for k in d["lists"]),
        "by_program": count(d["program"] for d in docs),
        "by_type": count(d["type"] for d in docs),
        "by_province": count(d["province"] for d in docs),
    }


def health_json(searcher) -> dict:
    """Liveness and which index generation this worker answers from."""
    from index.store import read_meta

    gen = Path(searcher.generation)
    meta = read_meta(gen)
    return {"status": "ok", "generation": gen.name, "fingerprint": meta.get("fingerprint"),
            "records": meta.get("records"), "built_at": meta.get("built_at"),
            "index_dir": str(searcher.index_dir)}
