"""Checking filter values: what a user typed → the values the index holds.

The indexer wrote every value of every filter field with its other names (``values.json``, see
`index.values`): short and full place names, pinyin, English, list titles. A value typed in
any of those forms (`Jiangsu`, `江蘇`, `江苏省`, `pilot`, `most`) resolves to the stored
value; anything else is a `FilterValueError` naming the nearest values, never a silent empty
result. Pure: the table and a character simplifier in, values out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from index.analysis import value_key
from index.errors import FilterValueError, InvalidValueError
from index.text import is_han

# Filter fields, in the order they are shown (facets, CLI help, completion).
FIELDS = ("province", "city", "district", "program", "list", "type", "year")
FACET_FIELDS = ("province", "city", "program", "list", "type", "year")
NONE_LABEL = "(none)"
_FEW = 12  # a field with at most this many values lists them all in an error
_MANY = 40  # … or, when no value is near, up to this many


@dataclass(frozen=True)
class Value:
    """One value of a filter field, with its record count and the names it goes by."""

    value: str
    count: int
    names: tuple[str, ...]
    parent: str | None
    title: str | None
    aliases: tuple[str, ...]  # from the data table, as written (English names)



class ValueTable:
    """The filter values of one index generation, and how to resolve what a user typed."""

    def __init__(self, data: Mapping[str, Any], simplify: Callable[[str], str] = lambda ch: ch,
                 spell: Callable[[str], str] = lambda text: text):
        self._simplify = simplify
        self._spell = spell  # hanzi → pinyin, for the nearest values of a mistyped one
        self.fields: dict[str, dict[str, Value]] = {}
        self._names: dict[str, dict[str, list[str]]] = {}
        for f in FIELDS:
            rows = data.get("fields", {}).get(f, [])
            values = {r["value"]: Value(r["value"], r["count"], tuple(r.get("names", ())),
                                        r.get("parent"), r.get("title"), tuple(r.get("aliases", ())))
                      for r in rows}
            self.fields[f] = values
            names: dict[str, list[str]] = {}
            for v in values.values():
                for n in (value_key(v.value),) + v.names:
                    if v.value not in names.setdefault(n, []):
                        names[n].append(v.value)
            self._names[f] = names

    # -- lookups ----------------------------------------------------------------------
    def counts(self, field: str) -> dict[str, int]:
        """Every value of `field` with its number of records, most records first."""
        return {v.value: v.count for v in self._field(field).values()}

    def title(self, list_key: str) -> str:
        """The readable title of a list (its key if the index knows no title)."""
        v = self.fields["list"].get(list_key)
        return (v.title if v else None) or list_key

    def parent(self, field: str, value: str) -> str | None:
        v = self.fields.get(field, {}).get(value)
        return v.parent if v else None

    def label(self, field: str, value: str) -> str:
        """A value as shown next to its alternatives: 泰州市 (江苏), 试点 (pilot)."""
        v = self.fields[field].get(value)
        if v is None:
            return value
        extra = v.parent or next(iter(v.aliases), None) or next(
            (n.capitalize() for n in v.names if n.isascii() and n.isalpha() and len(n) > 2), None)
        return f"{value} ({extra})" if extra and field not in ("list", "year") else value

    # -- resolution ---------------------------------------------------------------------
    def resolve(self, field: str, raw: str | int) -> tuple[str, str]:
        """(field, stored value) for one typed value.

        A county-level city given as a city (`--city 义乌`) is that district. Raises
        `FilterValueError` for an unknown or ambiguous value.
        """
        names = self._names[self._check_field(field)]
        text = str(raw).strip()
        key = value_key("".join(self._simplify(c) if is_han(c) else c for c in text))
        if not key:
            raise FilterValueError(f"empty {field} value", field, text)
        found = names.get(key)
        if not found and field in ("program", "list") and len(key) >= 2:
            found = sorted({v for n, vs in names.items() if key in n for v in vs})
        if not found and field == "city" and key in self._names["district"]:
            return self.resolve("district", raw)
        if found and len(found) > 1:  # a written alias beats a pinyin reading (Shanxi, Shaanxi)
            own = [v for v in found if key in {value_key(a) for a in self.fields[field][v].aliases}]
            found = own if len(own) == 1 else found
        if found and len(found) == 1:
            return field, found[0]
        if found:
            options = ", ".join(self.label(field, v) for v in found)
            raise FilterValueError(f'{field} "{text}" is ambiguous: {options}', field, text,
                                   nearest=tuple(found))
        raise self._unknown(field, text, key)

    def resolve_filters(self, filters: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
        """Every given filter as stored values: {field: (value, ...)} (empty fields left out).

        Each filter takes one value or several (an iterable); several values of one field
        mean any of them, several fields mean all of them.
        """
        out: dict[str, list[str]] = {}
        for field in FIELDS:
            raw = filters.get(field)
            if raw is None:
                continue
            items = [raw] if isinstance(raw, (str, int)) else list(raw)  # type: ignore[call-overload]
            for item in items:
                if isinstance(item, bool) or not isinstance(item, (str, int)):
                    raise InvalidValueError(f"{field} values must be text or numbers, not {item!r}",
                                            param=field)
                f, value = self.resolve(field, item)
                if value not in out.setdefault(f, []):
                    out[f].append(value)
        unknown = set(filters) - set(FIELDS)
        if unknown:
            raise InvalidValueError(f"unknown filter {sorted(unknown)[0]!r}; filters are "
                                    + ", ".join(FIELDS), param=sorted(unknown)[0])
        return {f: tuple(vs) for f, vs in out.items() if vs}

    # -- internals ----------------------------------------------------------------------
    def _field(self, field: str) -> dict[str, Value]:
        return self.fields[self._check_field(field)]

    @staticmethod
    def _check_field(field: str) -> str:
        if field not in FIELDS:
            raise InvalidValueError(f"unknown filter {field!r}; filters are " + ", ".join(FIELDS),
                                    param=field)
        return field

    def _unknown(self, field: str, text: str, key: str) -> FilterValueError:
        import difflib  # only on this error path

        names = self._names[field]
        spelled = value_key(self._spell(key))
        close = [n for k in dict.fromkeys((key, spelled))
                 for n in difflib.get_close_matches(k, list(names), n=6, cutoff=0.6)]
        nearest = tuple(dict.fromkeys(v for n in close for v in names[n]))[:3]
        values = tuple(self.fields[field])
        message = f'unknown {field} "{text}"'
        # Named in the wrong field? (--province 常州 → a city)
        for other in ("province", "city", "district", "program", "type", "list"):
            if other != field and key in self._names[other]:
                message += f"; {' / '.join(self._names[other][key])} is a {other} (--{other})"
                return FilterValueError(message, field, text, valid=values if len(values) <= _FEW else ())
        if nearest:
            message += "; nearest: " + ", ".join(self.label(field, v) for v in nearest)
        if len(values) <= _FEW or (not nearest and len(values) <= _MANY):
            message += "; valid: " + ", ".join(values)
        elif not nearest:
            message += f" ({len(values)} values; see clsearch stats, or complete with Tab)"
        return FilterValueError(message, field, text, nearest=nearest,
                                valid=values if len(values) <= _FEW else ())
