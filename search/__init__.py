"""clsearch's query layer and public API.

    from search import Searcher, Hit
    with Searcher() as s:
        for hit in s.search("锂电", limit=10):
            print(hit.name, hit.province, hit.score)

Importing this package loads Whoosh and the light query modules only: never jieba's
dictionary or pypinyin's phrase tables (those run at index time); each class is imported
from its module when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from index.errors import (ClsearchError, FilterValueError, IndexDamagedError, IndexMissingError,
                          InvalidValueError, QueryError, SearcherClosedError, UnknownIdError)
from index.format import Channel

if TYPE_CHECKING:
    from search.complete import Completion
    from search.hits import Explain, ExplainMatch, Highlight, Hit, Results, Span
    from search.records import ListRef, Record, SourceRef
    from search.searcher import Searcher

# The query layer's classes, each imported from its module on first use: a command that only
# needs `search.output` (`clsearch index build`, `index info`) does not load them all.
_HOMES = {"Searcher": "search.searcher", "Completion": "search.complete", "Record": "search.records",
          "ListRef": "search.records", "SourceRef": "search.records",
          **{name: "search.hits" for name in ("Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch")}}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch", "Channel",
           "Record", "ListRef", "SourceRef", "Completion",
           "ClsearchError", "QueryError", "IndexMissingError", "IndexDamagedError", "SearcherClosedError",
           "InvalidValueError", "FilterValueError", "UnknownIdError"]
