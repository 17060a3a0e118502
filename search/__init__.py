"""clsearch's query layer and public API.

    from search import Searcher, Hit
    with Searcher() as s:
        for hit in s.search("锂电", limit=10):
            print(hit.name, hit.province, hit.score)

Importing this package loads Whoosh and the light query modules only: never jieba's
dictionary or pypinyin's phrase tables (those run at index time).
"""

from index.errors import (ClsearchError, FilterValueError, IndexDamagedError, IndexMissingError,
                          InvalidValueError, QueryError, SearcherClosedError, UnknownIdError)
from index.format import Channel
from search.complete import Completion
from search.hits import Explain, ExplainMatch, Highlight, Hit, Results, Span
from search.records import ListRef, Record, SourceRef
from search.searcher import Searcher

__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch", "Channel",
           "Record", "ListRef", "SourceRef", "Completion",
           "ClsearchError", "QueryError", "IndexMissingError", "IndexDamagedError", "SearcherClosedError",
           "InvalidValueError", "FilterValueError", "UnknownIdError"]
