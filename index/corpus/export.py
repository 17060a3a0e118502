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
from ..text import formula_safe

__all__ = ["write_jsonl", "write_csv", "formula_safe", "CSV_COLUMNS", "related_groups", "several_programs",
           "write_related_jsonl", "write_related_csv", "RELATED_CSV_COLUMNS"]

CSV_COLUMNS = ("id", "name", "short_name", "aliases", "program", "issuer", "list_title", "year", "province",
               "city", "district", "builder", "recommender", "type", "lists", "ocr_readings", "sources", "related")
RELATED_CSV_COLUMNS = ("group", "id", "name", "program", "province", "city", "district", "related", "confidence",
                       "reason")
LIST_SEP = "；"


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
    if column == "related":
        return LIST_SEP.join(link["id"] for link in _row(record)["related"])
    value = getattr(record, column)
    if isinstance(value, list):
        return LIST_SEP.join(value)
    return "" if value is None else str(value)


def write_csv(records: Iterable[Record], fp: IO[str]) -> int:
    """A header and one row per record (sources as document:line); returns rows written.

    Every cell goes through `formula_safe`: names come from users' lists.
    """
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for record in records:
        writer.writerow([formula_safe(_csv_value(record, c)) for c in CSV_COLUMNS])
        n += 1
    return n


def _row(record) -> dict:
    """A record as a plain dict (`to_dict()`), whichever record class it is; dicts pass through."""
    return record if isinstance(record, dict) else record.to_dict()


def related_groups(records: Iterable) -> list[list[dict]]:
    """Clusters recognised by several programs: the connected groups of records linked by
    `related` (index.related), each group in record order, groups in order of their first record.
    Records may be `Record`s or their dicts; groups hold dicts."""
    rows = [_row(r) for r in records]
    by_id = {row["id"]: row for row in rows}
    seen: set[str] = set()
    groups = []
    for row in rows:
        if row["id"] in seen or not row.get("related"):
            continue
        stack, group = [row["id"]], set()
        while stack:
            rid = stack.pop()
            if rid in group or rid not in by_id:
                continue
            group.add(rid)
            stack += [link["id"] for link in by_id[rid].get("related") or ()]
        seen |= group
        groups.append([r for r in rows if r["id"] in group])
    return groups


def several_programs(groups: list[list[dict]]) -> dict:
    """How many related groups span several programs, and which combinations (for `stats`)."""
    combos = Counter(" + ".join(sorted({r["program"] for r in g})) for g in groups)
    return {
        "clusters": len(groups),
        "records": sum(len(g) for g in groups),
        "by_programs": dict(sorted(combos.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _links(group: list[dict]) -> list[dict]:
    """Each link of a group once: the two ids (record order), confidence and reason."""
    order = {r["id"]: i for i, r in enumerate(group)}
    out = []
    for r in group:
        for link in r.get("related") or ():
            if link["id"] in order and order[link["id"]] > order[r["id"]]:
                out.append({"ids": [r["id"], link["id"]], "confidence": link["confidence"], "reason": link["reason"]})
    return out


def write_related_jsonl(groups: Iterable[list[dict]], fp: IO[str]) -> int:
    """One JSON object per group: {"group", "programs", "records", "links"}; returns groups written.

    `records` hold id, name, program, province, city and district; `links` the pairs that
    make the group, each with its confidence and reason.
    """
    n = 0
    for n, group in enumerate(groups, 1):
        fp.write(json.dumps({
            "group": n,
            "programs": sorted({r["program"] for r in group}),
            "records": [{k: r.get(k) for k in ("id", "name", "program", "province", "city", "district")} for r in group],
            "links": _links(group),
        }, ensure_ascii=False) + "\n")
    return n


def write_related_csv(groups: Iterable[list[dict]], fp: IO[str]) -> int:
    """One row per record of each group (columns `RELATED_CSV_COLUMNS`): `related` the ids it
    is linked to (joined with "；"), `confidence` and `reason` those of its best link."""
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(RELATED_CSV_COLUMNS)
    n = 0
    for n, group in enumerate(groups, 1):
        for r in group:
            links = r.get("related") or []
            best = links[0] if links else {}
            writer.writerow([n, r["id"], r["name"], r["program"], r.get("province") or "", r.get("city") or "",
                             r.get("district") or "", LIST_SEP.join(x["id"] for x in links),
                             best.get("confidence", ""), best.get("reason", "")])
    return n
