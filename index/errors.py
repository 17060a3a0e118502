"""The one home of clsearch's exceptions.

Every error a user can cause derives from `ClsearchError`; the CLI maps these to one line on
stderr and exit status 2. Each carries the data needed to explain itself.
"""

from __future__ import annotations


class ClsearchError(Exception):
    """Base class: something the user can fix (bad query, bad file, missing index)."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class QueryError(ClsearchError):
    """The query cannot be searched: empty, too long, or only control characters."""


class IndexMissingError(ClsearchError):
    """No usable index at the given directory."""


class IndexDamagedError(IndexMissingError):
    """The index is there but a file of it is unreadable, truncated or changed since the build."""


class IndexBuildError(ClsearchError):
    """An index build failed; the previous index, if any, is untouched."""


class SeedFormatError(ClsearchError):
    """A source document could not be parsed: which document and which line."""

    def __init__(self, message: str, document: str | None = None, line: int | None = None):
        where = f"{document}:{line}: " if document and line else (f"{document}: " if document else "")
        super().__init__(where + message)
        self.document = document
        self.line = line


class InvalidValueError(QueryError):
    """A parameter is out of range: a negative offset, a limit below 1 or above the maximum.

    A `QueryError` too: the request cannot be searched as given."""

    def __init__(self, message: str, param: str | None = None, hint: str | None = None):
        super().__init__(message, hint)
        self.param = param


class FilterValueError(InvalidValueError):
    """A filter value the index does not hold (or that names several values).

    `nearest` holds the values meant most likely, `valid` every value when there are few.
    """

    def __init__(self, message: str, field: str, value: str, nearest: tuple[str, ...] = (),
                 valid: tuple[str, ...] = ()):
        super().__init__(message, param=field)
        self.field = field
        self.value = value
        self.nearest = nearest
        self.valid = valid


class UnknownIdError(ClsearchError):
    """No record has this id (`Searcher.get`, `clsearch show`)."""

    def __init__(self, message: str, id: str, hint: str | None = None):
        super().__init__(message, hint)
        self.id = id


class SearcherClosedError(ClsearchError):
    """A Searcher was used after `close()` (or after its `with` block ended)."""
