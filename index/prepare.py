"""A record as the index sees it: the texts a query can match, each with per-char readings.

Pure: a `Record` and a reading function in, plain data out. The same structure is stored in
the Whoosh index and read back by the query layer's matcher, so both sides agree on offsets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from index.analysis import fuzzy_key, initial
from index.places import strip_place_suffix

if TYPE_CHECKING:  # the query path imports FIELD_RANK from here, not the record model
    from index.records import Record

# Field kinds, in the order the ranking prefers them (name > alias > builder > place).
FIELD_RANK = {"name": 0, "alias": 1, "builder": 2, "place": 3}
Readings = Sequence[tuple[str, ...]]


def place_text(record: Record, province_full: Callable[[str], str | None] = lambda p: None) -> str:
    """Every way a user may name the record's place, space-separated, without repeats."""
    names: list[str] = []
    for part in (record.province, record.city, record.district):
        if part:
            names += [part, strip_place_suffix(part)]
    if record.province:
        names.append(province_full(record.province) or "")
    return " ".join(dict.fromkeys(n for n in names if n))


def document_fields(record: Record, province_full: Callable[[str], str | None] = lambda p: None) -> list[tuple[str, str]]:
    """(kind, text) pairs a query can match, best field first."""
    fields = [("name", record.name)]
    fields += [("alias", a) for a in record.aliases if a != record.name]
    fields += [("builder", b) for b in record.builders]
    place = place_text(record, province_full)
    if place:
        fields.append(("place", place))
    return fields


def stored_document(record: Record, fields: list[tuple[str, str]], read: Callable[[str], Readings],
                    bounds: Callable[[str], set[int]] = lambda text: set()) -> dict:
    """The JSON-able document kept in the index: hit data plus fields with readings."""
    return {
        "id": record.id,
        "name": record.name,
        "aliases": list(record.aliases),
        "province": record.province,
        "city": record.city,
        "district": record.district,
        "builder": record.builder,
        "type": record.type,
        "program": record.program,
        "lists": list(record.lists),
        "year": record.year,
        "f": [match_field(kind, text, read(text), bounds(text)) for kind, text in fields],
    }


def match_field(kind: str, text: str, readings: Readings, bounds: set[int] = frozenset()) -> tuple:
    """A field prepared for the query layer's matcher, so that queries do no per-char work.

    ``(kind, text, chars, at, bounds)``: `chars` holds per character ``(char, readings,
    initial of the reading in context)``; `at` maps ``c:锂``, ``r:li``, ``f:li`` and ``i:l``
    to the positions holding them, so the matcher jumps straight to the places where a query
    can start; `bounds` are the offsets where jieba's words start or end (a match starting on
    a word is more exact: 襄阳 for xiangyang, not 桐乡|羊毛衫).
    """
    chars = []
    at: dict[str, list[int]] = {}
    for i, (ch, syls) in enumerate(zip(text, readings)):
        syls = tuple(syls)
        fuzzy = frozenset(fuzzy_key(s) for s in syls)
        ini = initial(syls[0]) if syls else ""
        chars.append((ch, syls, ini))
        keys = {"c:" + ch.lower()} | {"r:" + r for r in syls} | {"f:" + f for f in fuzzy}
        if ini:
            keys |= {"i:" + ini, "i:" + ini[0]}  # s also abbreviates sh
        for key in keys:
            at.setdefault(key, []).append(i)
    edges = frozenset(bounds) | {0, len(text)}
    return (kind, text, tuple(chars), {k: tuple(v) for k, v in at.items()}, edges)
