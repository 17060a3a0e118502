"""What a query's text alone decides, kept per index generation: its parse, its alternatives'
candidate documents, and the query-only preparation of best-first ranking.

Search-as-you-type sends the same short prefixes (c, ch, cz, 常) again and again, and each
costs the same parse, homophone check and posting algebra before a single document is read.
A `Plans` keeps that work for the generation it was computed on (a new generation starts an
empty one), least recently used out, bounded in bytes. Nothing a document's alignment decides
is kept: every request still ranks its candidates (this is no answer cache).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

from search.bits import Bits
from search.candidates import AltDocs
from search.query import ParsedQuery

T = TypeVar("T")

# Per generation. At 477 documents a plan is a few KB (the number of entries bounds first); at
# 100,000 a plan is ~150 KB on average (its sets of documents): ~110 plans kept; measured, a
# long-lived searcher is 143 instead of 132 MiB after the scale bench's 255 queries twice.
PLAN_CACHE_BYTES = 16 << 20
PLAN_CACHE_ENTRIES = 4096
_OVERHEAD = 4096  # bytes counted per plan for its parse, its tuples and dicts


class Plan:
    """One query text's parse (as typed, or with typo corrections), the parse with homophones
    tightened, and each alternative's documents (by id of the tightened alternatives, which
    the plan keeps alive). `page` holds best-first ranking's query-only preparation when no
    filter applies (`search.bounds.Prepared`), made on first use."""

    __slots__ = ("key", "parsed", "tight", "alt_docs", "page", "size", "__weakref__")
    # `size` counts the bitsets the plan holds, `page`'s as they are made (`Plans.grow`).

    def __init__(self, key: Hashable, parsed: ParsedQuery, tight: ParsedQuery, alt_docs: AltDocs):
        self.key = key
        self.parsed = parsed
        self.tight = tight
        self.alt_docs = alt_docs
        self.page: Any = None
        # Each bitset at most twice (its int and, once a membership is tested, its bytes).
        self.size = _OVERHEAD + sum(2 * bits_bytes(b) for b in alt_docs.values())


def bits_bytes(b: Bits) -> int:
    """About what a bitset holds in memory, its int (not its cached bytes)."""
    return (b.v.bit_length() >> 3) + 64


class Plans:
    """A bounded, thread-safe map of query key → `Plan` (least recently used out)."""

    def __init__(self, max_bytes: int = PLAN_CACHE_BYTES, max_entries: int = PLAN_CACHE_ENTRIES):
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._plans: OrderedDict[Hashable, Plan] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._plans)

    def get(self, key: Hashable) -> Plan | None:
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
            return plan

    def grow(self, plan: Plan, nbytes: int) -> None:
        """Count `nbytes` more for `plan`: what its `page` made since. The least recently used
        plans go if that is over the budget (`plan` too, if alone it is)."""
        with self._lock:
            if self._plans.get(plan.key) is not plan:
                return  # dropped meanwhile: nothing of it is counted any more
            plan.size += nbytes
            self._bytes += nbytes
            while self._plans and self._bytes > self.max_bytes:
                _, old = self._plans.popitem(last=False)
                self._bytes -= old.size

    def put(self, plan: Plan) -> Plan:
        """Keep `plan` (unless it alone is over the budget); returns the plan kept for its key
        (another thread's, if it made one meanwhile)."""
        key = plan.key
        with self._lock:
            found = self._plans.get(key)
            if found is not None:
                return found
            if plan.size > self.max_bytes:
                return plan
            self._plans[key] = plan
            self._bytes += plan.size
            while self._bytes > self.max_bytes or len(self._plans) > self.max_entries:
                _, old = self._plans.popitem(last=False)
                self._bytes -= old.size
            return plan


class Lazy(Generic[T]):
    """The items of an iterator, produced on demand once and kept, safe to walk from several
    threads at once (each walk sees every item, in order). If producing one raises, every
    walk that reaches it raises the same error (none sees a shortened list)."""

    def __init__(self, items: Iterator[T]):
        self._source: Iterator[T] | None = items
        self._items: list[T] = []
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[T]:
        i = 0
        items = self._items
        while True:
            if i < len(items):
                yield items[i]
                i += 1
                continue
            with self._lock:
                if i < len(items):
                    continue
                if self._error is not None:
                    raise self._error
                if self._source is None:
                    return
                try:
                    items.append(next(self._source))
                except StopIteration:
                    self._source = None
                    return
                except BaseException as exc:
                    self._error = exc
                    self._source = None
                    raise


__all__ = ["Plan", "Plans", "Lazy", "PLAN_CACHE_BYTES", "PLAN_CACHE_ENTRIES", "bits_bytes"]
