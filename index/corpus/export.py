"""Writing records out (JSONL, CSV) and counting them: the library side of `clsearch export/stats`.

JSONL is one `Record.to_dict()` per line with ensure_ascii=False, so Chinese stays readable.
CSV flattens list fields with "；" (the separator `index.corpus.tables` splits builders on), and its
columns include everything `index.corpus.tables.read_table` needs, so an export loads back as a list.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from typing import IO

from ..records import Record

__all__ = ["write_jsonl", "write_csv", "stats", "format_stats", "CSV_COLUMNS"]

CSV_COLUMNS = ("id", "name", "short_name", "aliases", "program", "issuer", "list_title", "year", "province",
               "city", "district", "builder", "recommender", "type", "lists", "ocr_readings", "sources")
LIST_SEP = "；"
NONE_LABEL = "(none)"


def write_jsonl(records: Iterable[Record], fp: IO[str]) -> int:
    """One JSON object per record per line; returns the number written."""
    n = 0
    for record in records:
        fp.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv_value(record: Record, column: str) -> str:
    if column == "builder":
        return LIST_SEP.join(record.builders)
    if column == "sources":
        return LIST_SEP.join(f"{s.document}:{s.line}" for s in record.sources)
    value = getattr(record, column)
    if isinstance(value, list):
        return LIST_SEP.join(value)
    return "" if value is None else str(value)


def write_csv(records: Iterable[Record], fp: IO[str]) -> int:
    """A header and one row per record (sources as document:line); returns rows written."""
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for record in records:
        writer.writerow([_csv_value(record, c) for c in CSV_COLUMNS])
        n += 1
    return n


def stats(records: Iterable[Record]) -> dict:
    """Record counts: total, and by list, program, type and province (None as "(none)")."""
    records = list(records)

    def count(values: Iterable[str | None]) -> dict[str, int]:
        c = Counter(NONE_LABEL if v is None else v for v in values)
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "records": len(records),
        "by_list": count(key for r in records for key in r.lists),
        "by_program": count(r.program for r in records),
        "by_type": count(r.type for r in records),
        "by_province": count(r.province for r in records),
    }


def format_stats(st: dict) -> str:
    """A readable text table of `stats()`: one section per grouping, counts right-aligned."""
    lines = [f"records  {st['records']}"]
    for key, title in (("by_list", "list"), ("by_program", "program"), ("by_type", "type"), ("by_province", "province")):
        lines.append("")
        lines.append(f"by {title}")
        rows = st.get(key, {})
        width = max((len(str(v)) for v in rows.values()), default=1)
        lines += [f"  {str(n).rjust(width)}  {label}" for label, n in rows.items()]
    return "\n".join(lines) + "\n"
