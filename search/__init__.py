"""clsearch's query layer and public API.

    from search import Searcher, Hit
    with Searcher() as s:
        for hit in s.search("锂电", limit=10):
            print(hit.name, hit.province, hit.score)

Importing this package loads Whoosh and the light query modules only: never jieba's
dictionary or pypinyin's phrase tables (those run at index time).
"""

from index.errors import (ClsearchError, IndexDamagedError, IndexMissingError, QueryError,
                          SearcherClosedError)
from index.format import Channel
from search.hits import Explain, ExplainMatch, Highlight, Hit, Results, Span
from search.searcher import Searcher

__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Explain", "ExplainMatch", "Channel",
           "ClsearchError", "QueryError", "IndexMissingError", "IndexDamagedError", "SearcherClosedError"]
