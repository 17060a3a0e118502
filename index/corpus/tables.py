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
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .entries import Entry, Problem
from ..errors import SeedFormatError
from .manifest import ListSpec
from .merge import merge_records, to_record
from .names import name_key
from .places import Regions, load_regions
from ..records import Record, Source
from ..text import clean_cell, normalize

COLUMNS = ("name", "builder", "province", "city", "district", "type", "program", "year")
MAX_LIST_BYTES = 64 << 20  # a list of clusters is kilobytes; this is far past any real one
MAX_FIELD_CHARS = 200  # the longest name in the bundled lists is under 50 characters
YEARS = (1949, 2100)  # a designation year: four digits, ASCII or full-width (NFKC folds those)
_YEAR_RE = re.compile(r"[0-9]{4}")


def _rows(fp: IO[str], fmt: str, document: str) -> Iterator[tuple[int, dict, str]]:
    if fmt == "csv":
        reader = csv.DictReader(fp)
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise SeedFormatError("CSV list has no 'name' column", document)
        limit = csv.field_size_limit(MAX_LIST_BYTES)  # a huge cell is one row's problem, below
        try:
            for row in reader:
                yield reader.line_num, row, ",".join(v or "" for v in row.values() if isinstance(v, str))
        except csv.Error as exc:  # broken quoting
            raise SeedFormatError(f"cannot read CSV ({exc})", document, reader.line_num) from exc
        finally:
            csv.field_size_limit(limit)
    elif fmt == "jsonl":
        text = fp.read()
        if text.lstrip().startswith("["):
            raise SeedFormatError("is a JSON array, not JSON lines (write one object per line)", document)
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                if _is_json(text):  # one pretty-printed object: not a warning per physical line
                    raise SeedFormatError("is one JSON document, not JSON lines (write one object "
                                          "per line)", document) from None
                row = None
            yield number, row if isinstance(row, dict) else {}, line.strip()
    else:
        raise SeedFormatError(f"unknown list format {fmt!r} (csv or jsonl)", document)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def _year(text: str | None) -> int | None:
    """A designation year, or ValueError: 1949-2100 in ASCII or full-width digits (not ፩)."""
    if text is None:
        return None
    if not _YEAR_RE.fullmatch(text) or not YEARS[0] <= int(text) <= YEARS[1]:
        raise ValueError(f"year must be {YEARS[0]}-{YEARS[1]} in digits, not {text[:12]!r}")
    return int(text)


def _cell(row: dict, key: str) -> str | None:
    value = row.get(key)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = clean_cell(str(value))
    return text or None


def _builders(row: dict) -> list[str]:
    if isinstance(row.get("builders"), list):
        return [clean_cell(str(b)) for b in row["builders"] if _is_text(b) and clean_cell(str(b))]
    # normalize folds the "；" separator to ";"
    value = row.get("builder")
    text = str(value) if _is_text(value) else ""
    return [b for b in (clean_cell(p) for p in normalize(text).split(";")) if b]


def _is_text(value) -> bool:
    """A cell value that is text or a number: JSON null, lists and objects are no value."""
    return value is not None and not isinstance(value, (list, dict, bool))


def read_table(fp: IO[str], document: str, list_key: str, fmt: str = "csv", regions: Regions | None = None) -> tuple[list[Entry], list[Problem]]:
    """Entries of a CSV/JSONL list, and the rows it could not read."""
    regions = regions or load_regions()
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], tuple[int, str | None, int | None]] = {}
    for number, row, text in _rows(fp, fmt, document):
        text = text if len(text) <= 2 * MAX_FIELD_CHARS else text[:2 * MAX_FIELD_CHARS] + "…"
        long = [k for k in (*COLUMNS, "builders", "issuer", "recommender", "list_title")
                if len(str(row.get(k) or "")) > MAX_FIELD_CHARS]
        if long:
            problems.append(Problem(document, number, text, f"skipped: {long[0]} is longer than "
                                                            f"{MAX_FIELD_CHARS} characters"))
            continue
        name, program = _cell(row, "name"), _cell(row, "program")
        if not name or not program:
            problems.append(Problem(document, number, text, "skipped: row needs a name and a program"))
            continue
        try:
            year = _year(_cell(row, "year"))
        except ValueError as exc:
            problems.append(Problem(document, number, text, f"skipped: {exc}"))
            continue
        province = regions.province(_cell(row, "province") or "")
        city_text = _cell(row, "city")
        city = regions.city(city_text, province) if city_text else None
        entries.append(Entry(
            name=name, source=Source(document, list_key, number, text), builders=_builders(row),
            province=province.short if province else _cell(row, "province"),
            city=city[1].full if city else city_text, district=_cell(row, "district"),
            recommender=_cell(row, "recommender"), type=_cell(row, "type"), program=program,
            issuer=_cell(row, "issuer"), year=year, list_title=_cell(row, "list_title"),
        ))
        where = entries[-1].province
        key = (program, name_key(name))
        if key in seen and (seen[key][1], seen[key][2]) != (where, year):
            line, p0, y0 = seen[key]
            problems.append(Problem(document, number, text,
                                    f"merged with line {line}, which gives province {p0 or '-'}, year "
                                    f"{y0 or '-'} (this row: {where or '-'}, {year or '-'})"))
        seen.setdefault(key, (number, where, year))
    return entries, problems


def table_spec(path: Path, document: str | None = None) -> ListSpec:
    """The list a table file stands for: keyed by its stem, program and year per row.

    `document` names it in sources and messages (the user's own path, when `path` is the
    index's copy of the list).
    """
    fmt = "jsonl" if path.suffix.lower() in (".jsonl", ".json", ".ndjson") else "csv"
    return ListSpec(key=path.stem, document=document or str(path), title=Path(document or path).name,
                    program="", id_prefix="list", issuer="", year=None, layout=fmt)


def check_list_file(path: Path, document: str | None = None) -> None:
    """A list must be a regular file of sane size: a FIFO or /dev/zero would never end."""
    where = document or str(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise SeedFormatError(f"cannot read ({exc.strerror})", where) from exc
    if not stat.S_ISREG(st.st_mode):
        raise SeedFormatError("not a regular file (a list must be a CSV or JSON lines file)", where)
    if st.st_size > MAX_LIST_BYTES:
        raise SeedFormatError(f"too large ({st.st_size} bytes; the limit is {MAX_LIST_BYTES})", where)


def load_table_entries(path: Path, document: str | None = None) -> tuple[ListSpec, list[Entry], list[Problem]]:
    spec = table_spec(path, document)
    check_list_file(path, document)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fp:
            entries, problems = read_table(fp, spec.document, spec.key, spec.layout)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeedFormatError(f"cannot read ({exc})", spec.document) from exc
    return spec, entries, problems


def records_from_table(fp: IO[str], document: str, fmt: str = "csv", programs: dict[str, str] | None = None) -> tuple[list[Record], list[Problem]]:
    """Records of one CSV/JSONL list (pure: the caller opens the file)."""
    spec = table_spec(Path(document))
    entries, problems = read_table(fp, document, spec.key, fmt)
    return merge_records(to_record(e, spec, programs) for e in entries), problems

