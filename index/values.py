"""The filter values of an index: every province, city, district, program, list, type and year
the records hold, with their record counts and every other name a user may type for them.

Written once per index generation (``values.json``) so that the query layer can check a filter
value (`--province Jiangsu`, `--type pilot`, `--province 江蘇`) without pypinyin: the pinyin
of each value is computed here, at index time. English names and short forms pinyin cannot
derive come from ``data/value_aliases.tsv``. Pure given the reading function.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from collections.abc import Callable, Iterable, Mapping, Sequence

from index.analysis import value_key
from index.dictionaries import DATA_DIR, read_data_lines
from index.text import strip_place_suffix
from index.records import Record

# The filter fields, in the order the CLI and the facets show them.
FIELDS = ("province", "city", "district", "program", "list", "type", "year")

Read = Callable[[str], Sequence[tuple[str, ...]]]


def load_value_aliases(path: Path = DATA_DIR / "value_aliases.tsv") -> dict[tuple[str, str], list[str]]:
    """(field, value) → extra names, from lines ``field<TAB>value<TAB>alias|alias``."""
    table: dict[tuple[str, str], list[str]] = defaultdict(list)
    if not path.exists():
        return {}
    for line in read_data_lines(path):
        parts = line.split("\t")
        if len(parts) == 3:
            table[(parts[0], parts[1])] += [a for a in parts[2].split("|") if a.strip()]
    return dict(table)


def _pinyin(text: str, read: Read) -> str | None:
    """Usual reading of hanzi text, joined (常州市 → changzhoushi); None if any char has none."""
    syls = [r[0] if r else "" for r in read(text)]
    if not syls or not all(syls):
        return None
    return "".join(syls)


def _place_names(value: str, read: Read, full: str | None = None) -> list[str]:
    names = [value, strip_place_suffix(value)] + ([full] if full else [])
    out = []
    for n in dict.fromkeys(names):
        out.append(n)
        py = _pinyin(n, read)
        if py:
            out.append(py)
    return out


def value_table(records: Iterable[Record], read: Read, *,
                list_titles: Mapping[str, str] | None = None,
                programs: Mapping[str, str] | None = None,
                province_full: Callable[[str], str | None] | None = None,
                aliases: Mapping[tuple[str, str], list[str]] | None = None) -> dict:
    """The JSON-able table the query layer reads (see `search.values`).

    ``{"fields": {field: [{"value", "count", "names", "aliases"?, "parent"?, "title"?}, ...]}}``,
    values by descending count, then by value. `names` are what a user may type, folded by
    `value_key`: the value, its short form, pinyin, English, and for a list its title;
    `aliases` the names from the data table as written (English first in labels). `parent` is the province of a
    city and the city of a district.
    """
    if province_full is None:
        from index.corpus.places import load_regions

        regions = load_regions()

        def province_full(short: str) -> str | None:
            p = regions.province(short)
            return p.full if p else None
    titles = dict(list_titles or {})
    programs = dict(programs or {})
    aliases = load_value_aliases() if aliases is None else aliases
    counts: dict[str, Counter] = {f: Counter() for f in FIELDS}
    parents: dict[tuple[str, str], Counter] = defaultdict(Counter)
    province, city, district, program = counts["province"], counts["city"], counts["district"], counts["program"]
    lists, types, years = counts["list"], counts["type"], counts["year"]
    # Each distinct value of a record counts once: the values read in one pass over the
    # records, counted at C speed in record order.
    read_rows = [(r.province, r.city, r.district, r.program, r.lists, r.type, r.year, r.list_title) for r in records]
    if read_rows:
        provinces, cities, districts, programs_of, lists_of, types_of, years_of, list_titles_of = zip(*read_rows)
        province.update(filter(None, provinces))
        city.update(filter(None, cities))
        district.update(filter(None, districts))
        program.update(filter(None, programs_of))
        lists.update([value for held in lists_of for value in (held if len(held) < 2 else dict.fromkeys(held))])
        types.update(filter(None, types_of))
        years.update([str(year) for year in years_of if year])
        # Each city's and district's parent, counted in record order (ties go to the first seen).
        for (kind, value, parent), n in Counter(
                [("city", c, p) for p, c in zip(provinces, cities) if c and p]
                + [("district", d, c or p) for p, c, d in zip(provinces, cities, districts) if d and (c or p)]).items():
            parents[(kind, value)][parent] += n
        for held, title in zip(lists_of, list_titles_of):
            if held and title and held[0] not in titles:
                titles[held[0]] = title
    table: dict[str, list[dict]] = {}
    for f in FIELDS:
        rows = []
        for value, n in sorted(counts[f].items(), key=lambda kv: (-kv[1], kv[0])):
            if f == "province":
                names = _place_names(value, read, province_full(value))
            elif f in ("city", "district"):
                names = _place_names(value, read)
            elif f == "program":
                names = [value] + [py for py in [_pinyin(value, read)] if py]
                prefix = programs.get(value)
                names += [prefix] if prefix else []
            elif f == "list":
                names = [value] + ([titles[value]] if value in titles else [])
            elif f == "type":
                names = [value] + [py for py in [_pinyin(value, read)] if py]
            else:  # year
                names = [value, value + "年"]
            own = [x for x in aliases.get((f, value), []) if value_key(x)]
            row: dict = {"value": value, "count": n,
                         "names": list(dict.fromkeys(value_key(x) for x in names + own if value_key(x)))}
            if own:  # preferred over pinyin: Shanxi is 山西, Shaanxi 陕西, though both read shanxi
                row["aliases"] = own
            if (f, value) in parents:
                row["parent"] = parents[(f, value)].most_common(1)[0][0]
            if f == "list":
                row["title"] = titles.get(value, value)
            rows.append(row)
        table[f] = rows
    return {"fields": table}
