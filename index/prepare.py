"""A record as the index sees it: the texts a query can match, each with per-char readings.

Pure: a `Record` and a reading function in, a `format.StoredDoc` out. The same document is
stored in the Whoosh index and read back by the query layer's matcher, so both sides agree on
offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from index.analysis import fuzzy_key, initial
from index.format import (FIELD_RANK, UNKNOWN_FIELD_RANK, Char, FieldKind, MatchField, StoredDoc, char_keys,
                          position_key)
from index.records import Record
from index.text import strip_place_suffix

Readings = Sequence[tuple[str, ...]]


def place_text(record: Record, province_full: Callable[[str], str | None] = lambda p: None) -> str:
    """Every way a user may name the record's place, space-separated, without repeats."""
    return _place_text(record.province, record.city, record.district, province_full)


@lru_cache(maxsize=1 << 14)
def _place_text(province: str | None, city: str | None, district: str | None,
                province_full: Callable[[str], str | None]) -> str:
    record = Record("", "", "", "", "", "", province=province, city=city, district=district)
    names: list[str] = []
    for part in (record.province, record.city, record.district):
        if part:
            names += [part, strip_place_suffix(part)]
    if record.province:
        names.append(province_full(record.province) or "")
    return " ".join(dict.fromkeys(n for n in names if n))


def document_fields(record: Record, province_full: Callable[[str], str | None] = lambda p: None
                    ) -> list[tuple[str, str]]:
    """(kind, text) pairs a query can match, best field first."""
    fields = [(FieldKind.NAME.value, record.name)]
    fields += [(FieldKind.ALIAS.value, a) for a in record.aliases if a != record.name]
    fields += [(FieldKind.BUILDER.value, b) for b in record.builders]
    place = place_text(record, province_full)
    if place:
        fields.append((FieldKind.PLACE.value, place))
    return fields


def stored_document(record: Record, fields: list[tuple[str, str]], read: Callable[[str], Readings],
                    bounds: Callable[[str], Iterable[int]] = lambda text: (),
                    prepare: Callable[[str, str], MatchField] | None = None) -> StoredDoc:
    """The document kept in the index: hit data plus fields with readings.

    `prepare(kind, text)`: `prepare_field` of a text, possibly cached (builders and places
    repeat across records).
    """
    if prepare is None:
        def prepare(kind: str, text: str) -> MatchField:
            return prepare_field(kind, text, read(text), bounds(text))
    return StoredDoc(
        id=record.id, name=record.name, aliases=tuple(record.aliases), province=record.province,
        city=record.city, district=record.district, builder=record.builder, type=record.type,
        program=record.program, lists=tuple(record.lists), year=record.year,
        fields=tuple(prepare(kind, text) for kind, text in fields),
    )


def prepare_field(kind: str, text: str, readings: Readings, bounds: Iterable[int] = ()) -> MatchField:
    """A field prepared for the query layer's matcher, so that queries do no per-char work.

    Per character: the character, its readings (the one in context first) and the initial of
    that reading, plus the keys it is found under (`format.char_keys`), so the matcher jumps
    straight to the places where a query can start. `bounds` are the offsets where jieba's
    words start or end (a match starting on a word is more exact: 襄阳 for xiangyang, not
    桐乡|羊毛衫). The position index is built on first use (the indexer never needs it).
    """
    prepared = [_prepared_char(ch, tuple(syls)) for ch, syls in zip(text, readings)]
    return MatchField(kind, FIELD_RANK.get(kind, UNKNOWN_FIELD_RANK), text, tuple(p[0] for p in prepared),
                      None, frozenset(bounds) | {0, len(text)}, [p[1] for p in prepared])


@lru_cache(maxsize=1 << 16)
def _prepared_char(ch: str, syls: tuple[str, ...]) -> tuple[Char, tuple[str, ...]]:
    """A character with its readings as `MatchField` holds it, and its position keys
    (characters and their readings repeat: each pair is prepared once)."""
    ini = initial(syls[0]) if syls else ""
    keys = char_keys(ch, syls, ini, {fuzzy_key(s) for s in syls})
    return (ch, syls, ini), tuple(p for k in keys if (p := position_key(k)) is not None)
