"""What an index holds besides its postings: full records, filter values, suggestions, stats.

One `Catalog` per open index generation. Each file is read on first use only, so a plain
search pays nothing for it: ``records.jsonl`` (get, export, stats), ``values.json`` (filter
values, list titles) and ``complete.json`` (type-ahead).
"""

from __future__ import annotations

import gc
import json
import threading
from collections import Counter
from functools import cached_property
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import IO, Any

from index.errors import IndexMissingError
from index.format import COMPLETE, RECORDS, VALUES
from search.complete import Completer, Completion
from search.records import Record, RecordStore
from search.understand import title_table
from search.values import NONE_LABEL, ValueTable


class Catalog:
    """Records, values and suggestions of one index generation (read lazily, thread-safe)."""

    def __init__(self, generation: Path, simplify: Callable[[str], str] = lambda ch: ch,
                 spell: Callable[[str], str] = lambda text: text):
        self.generation = Path(generation)
        self._simplify = simplify
        self._spell = spell
        self._lock = threading.Lock()
        # Opened now, read on first use: open files outlive a later build deleting the generation.
        self._files: dict[str, IO[bytes]] = {}
        for name in (VALUES, COMPLETE):
            try:
                self._files[name] = open(self.generation / name, "rb")
            except OSError:
                pass  # reported by _read_json when (if ever) it is needed

    def close(self) -> None:
        for fp in self._files.values():
            fp.close()

    def _read_json(self, name: str) -> dict[str, Any]:
        try:
            fp = self._files.get(name)
            if fp is not None:
                fp.seek(0)
                raw = fp.read()
            else:
                raw = (self.generation / name).read_bytes()
            data: dict[str, Any] = json.loads(raw.decode("utf-8"))
            return data
        except (OSError, ValueError) as exc:
            raise IndexMissingError(
                f"the index in {self.generation.parent} has no readable {name} (built by an older clsearch?)",
                hint=f"rebuild it with: clsearch index build --index {self.generation.parent}") from exc

    @cached_property
    def values(self) -> ValueTable:
        with self._lock:
            table = ValueTable(self._read_json(VALUES), self._simplify, self._spell)
        gc.freeze()  # kept for the generation's life: out of the garbage collector's scans
        return table

    @cached_property
    def titles(self) -> dict[str, tuple[str, str]]:
        """Program and list titles → (field, value), for reading pasted titles in a query."""
        return title_table(self.values.fields)

    @cached_property
    def completer(self) -> Completer:
        with self._lock:
            completer = Completer(self._read_json(COMPLETE)["entries"], self._simplify)
        gc.freeze()
        return completer

    @cached_property
    def store(self) -> RecordStore:
        path = self.generation / RECORDS
        if not path.is_file():
            self._read_json(RECORDS)  # raises the IndexMissingError
        return RecordStore(path, self.values.title)

    # -- public helpers the Searcher exposes --------------------------------------------
    def get(self, id: str) -> Record:
        return self.store.get(id)

    def records(self) -> Iterator[Record]:
        return iter(self.store)

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        return self.completer.complete(prefix, limit)

    def stats(self) -> dict[str, Any]:
        """Record counts: total, and by list, program, type, province and year; the clusters
        recognised by several programs (linked as `related`); readable list titles."""
        counts: dict[str, Counter[str]] = {k: Counter() for k in
                                      ("by_list", "by_program", "by_type", "by_province", "by_year")}
        n = 0
        for d in self.store.rows():
            n += 1
            counts["by_list"].update(d.get("lists") or ())
            counts["by_program"][d.get("program") or NONE_LABEL] += 1
            counts["by_type"][d.get("type") or NONE_LABEL] += 1
            counts["by_province"][d.get("province") or NONE_LABEL] += 1
            counts["by_year"][str(d["year"]) if d.get("year") else NONE_LABEL] += 1
        out: dict[str, Any] = {"records": n}
        for key, c in counts.items():
            out[key] = dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
        out["list_titles"] = {key: self.values.title(key) for key in out["by_list"]}
        from index.corpus.export import several_programs, related_groups  # not on the query path

        out["several_programs"] = several_programs(related_groups(self.store.rows()))
        return out
