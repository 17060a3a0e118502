"""Lists from elsewhere: a CSV or JSONL file of clusters, loaded through the same merge step.

Columns (CSV header or JSON keys): name (required), builder, province, city, district, type,
program (required), year; optional issuer, recommender, list_title. `builder` may hold several
builders joined by "；" (as `index.corpus.export.write_csv` writes them); a JSON object may give
`builders` as a list instead. Province and city are normalised through the region table
(江苏省 → 江苏, 常州 → 常州市). A row without a name or program is a Problem, not an error.
The list key is the file's stem; a record is identified by program and name, so a row that
repeats a seed designation merges into the seed's record.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .entries import Entry, Problem
from ..errors import SeedFormatError
from .manifest import ListSpec
from .merge import merge_records, to_record
from .places import Regions, load_regions
from ..records import Record, Source
from ..text import clean_cell, normalize

COLUMNS = ("name", "builder", "province", "city", "district", "type", "program", "year")


def _rows(fp: IO[str], fmt: str, document: str) -> Iterator[tuple[int, dict, str]]:
    if fmt == "csv":
        reader = csv.DictReader(fp)
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise SeedFormatError("CSV list has no 'name' column", document)
        for row in reader:
            yield reader.line_num, row, ",".join(v or "" for v in row.values() if isinstance(v, str))
    elif fmt == "jsonl":
        for number, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            yield number, row if isinstance(row, dict) else {}, line.strip()
    else:
        raise SeedFormatError(f"unknown list format {fmt!r} (csv or jsonl)", document)


def _cell(row: dict, key: str) -> str | None:
    value = row.get(key)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = clean_cell(str(value))
    return text or None


def _builders(row: dict) -> list[str]:
    if isinstance(row.get("builders"), list):
        return [clean_cell(str(b)) for b in row["builders"] if clean_cell(str(b))]
    # normalize folds the "；" separator to ";"
    return [b for b in (clean_cell(p) for p in normalize(str(row.get("builder") or "")).split(";")) if b]


def read_table(fp: IO[str], document: str, list_key: str, fmt: str = "csv", regions: Regions | None = None) -> tuple[list[Entry], list[Problem]]:
    """Entries of a CSV/JSONL list, and the rows it could not read."""
    regions = regions or load_regions()
    entries: list[Entry] = []
    problems: list[Problem] = []
    for number, row, text in _rows(fp, fmt, document):
        name, program = _cell(row, "name"), _cell(row, "program")
        year = _cell(row, "year")
        if not name or not program or (year is not None and not year.isdigit()):
            problems.append(Problem(document, number, text, "row needs a name, a program and a numeric year"))
            continue
        province = regions.province(_cell(row, "province") or "")
        city_text = _cell(row, "city")
        city = regions.city(city_text, province) if city_text else None
        entries.append(Entry(
            name=name, source=Source(document, list_key, number, text), builders=_builders(row),
            province=province.short if province else _cell(row, "province"),
            city=city[1].full if city else city_text, district=_cell(row, "district"),
            recommender=_cell(row, "recommender"), type=_cell(row, "type"), program=program,
            issuer=_cell(row, "issuer"), year=int(year) if year else None, list_title=_cell(row, "list_title"),
        ))
    return entries, problems


def table_spec(path: Path) -> ListSpec:
    """The list a table file stands for: keyed by its stem, program and year per row."""
    fmt = "jsonl" if path.suffix.lower() in (".jsonl", ".json", ".ndjson") else "csv"
    return ListSpec(key=path.stem, document=str(path), title=path.name, program="", id_prefix="list",
                    issuer="", year=None, layout=fmt)


def load_table_entries(path: Path) -> tuple[ListSpec, list[Entry], list[Problem]]:
    spec = table_spec(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fp:
            entries, problems = read_table(fp, str(path), spec.key, spec.layout)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeedFormatError(f"cannot read ({exc})", str(path)) from exc
    return spec, entries, problems


def records_from_table(fp: IO[str], document: str, fmt: str = "csv", programs: dict[str, str] | None = None) -> tuple[list[Record], list[Problem]]:
    """Records of one CSV/JSONL list (pure: the caller opens the file)."""
    spec = table_spec(Path(document))
    entries, problems = read_table(fp, document, spec.key, fmt)
    return merge_records(to_record(e, spec, programs) for e in entries), problems

