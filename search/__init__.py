"""clsearch's query layer and public API.

    from search import Searcher, Hit
    with Searcher() as s:
        for hit in s.search("锂电", limit=10):
            print(hit.name, hit.province, hit.score)

Importing this package loads Whoosh and the light query modules only: never jieba's
dictionary or pypinyin's phrase tables (those run at index time).
"""

from index.errors import (ClsearchError, FilterValueError, IndexMissingError, InvalidValueError,
                          QueryError, UnknownIdError)
from search.complete import Completion
from search.records import ListRef, Record, SourceRef
from search.searcher import Highlight, Hit, Results, Searcher, Span

__all__ = ["Searcher", "Hit", "Results", "Highlight", "Span", "Record", "ListRef", "SourceRef",
           "Completion", "ClsearchError", "QueryError", "IndexMissingError", "InvalidValueError",
           "FilterValueError", "UnknownIdError"]
