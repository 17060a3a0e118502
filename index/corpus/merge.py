"""From entries to records: one record per designation of one program, whatever its source.

`to_record` turns a parsed entry into a record with a stable id; `merge_records` folds records
of the same program and name into one (zhejiang-120 lists some clusters twice; a CSV list may repeat
a seed record); `attach` adds a listing of another list to a record that already exists:
the same name again (role "entry"), an earlier official name ("alias": also kept in
`aliases`), a misspelling in a source ("typo") or an OCR reading ("ocr"); the last two are
kept in `ocr_readings` and never become names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from .entries import Entry
from .manifest import ListSpec
from .names import name_key, short_name
from ..records import Record


ID_DIGITS = 8  # hex digits of an id; more only for a record whose 8 collide (see unique_ids)


def _digest(program: str, name: str) -> str:
    return hashlib.sha1(f"{program}|{name_key(name)}".encode()).hexdigest()


def make_id(prefix: str, program: str, name: str, digits: int = ID_DIGITS) -> str:
    """Program prefix + hex digits of a hash of program and normalised name: stable across
    rebuilds and list order, and different for the same name in two programs."""
    return f"{prefix}-{_digest(program, name)[:digits]}"


def unique_ids(records: list[Record]) -> list[Record]:
    """Give records whose ids collide distinct ids, by a rule independent of list order.

    Eight hex digits (32 bits) are short enough to type and collide about once among
    100,000 records. Records sharing an id are sorted by (program, normalised name): the
    first keeps the short id, each next one takes the shortest longer prefix of its own hash
    (9, 10 … 40 digits) that no other record uses. Distinct designations differ in their
    full SHA-1, so every record ends with a unique id, the same whatever order the lists
    came in; ids of records that collide with nothing never change.
    """
    by_id: dict[str, list[Record]] = {}
    for r in records:
        by_id.setdefault(r.id, []).append(r)
    taken = set(by_id)
    for rid, group in by_id.items():
        if len(group) < 2:
            continue
        prefix = rid.rsplit("-", 1)[0]
        group.sort(key=lambda r: (r.program, name_key(r.name)))
        for r in group[1:]:
            digest = _digest(r.program, r.name)
            for digits in range(ID_DIGITS + 1, len(digest) + 1):
                candidate = f"{prefix}-{digest[:digits]}"
                if candidate not in taken:
                    break
            taken.add(candidate)
            r.id = candidate
    return records


def to_record(entry: Entry, spec: ListSpec, programs: dict[str, str] | None = None) -> Record:
    program = entry.program or spec.program
    prefix = (programs or {}).get(program, spec.id_prefix) if entry.program else spec.id_prefix
    return Record(
        id=make_id(prefix, program, entry.name), name=entry.name, short_name=short_name(entry.name),
        program=program, issuer=entry.issuer or spec.issuer, list_title=entry.list_title or spec.title,
        year=entry.year if entry.year is not None else spec.year, province=entry.province, city=entry.city,
        district=entry.district, builders=list(entry.builders), recommender=entry.recommender, type=entry.type,
        lists=[spec.key], sources=[replace(entry.source, role="entry")],
    )


def _add(items: list[str], new: Iterable[str]) -> None:
    for item in new:
        if item and item not in items:
            items.append(item)


def absorb(record: Record, other: Record) -> None:
    """Fold `other` (same program and name) into `record`: fill gaps, union lists, keep sources."""
    for attr in ("province", "city", "district", "recommender", "type", "year"):
        if getattr(record, attr) is None:
            setattr(record, attr, getattr(other, attr))
    _add(record.builders, other.builders)
    _add(record.aliases, other.aliases)
    _add(record.lists, other.lists)
    _add(record.ocr_readings, other.ocr_readings)
    record.sources.extend(s for s in other.sources if s not in record.sources)


def merge_records(records: Iterable[Record], groups: list[list[int]] | None = None) -> list[Record]:
    """One record per (program, normalised name), in order of first appearance.

    `groups`: filled with, for each record returned, the positions in `records` of those
    merged into it, in order.
    """
    merged: dict[tuple[str, str], Record] = {}
    where: dict[tuple[str, str], list[int]] = {}
    for n, record in enumerate(records):
        key = (record.program, name_key(record.name))
        if key in merged:
            absorb(merged[key], record)
            if groups is not None:
                where[key].append(n)
        else:
            merged[key] = record
            if groups is not None:
                where[key] = [n]
    if groups is not None:
        groups[:] = where.values()
    return list(merged.values())


def attach(record: Record, entry: Entry, list_key: str, role: str) -> None:
    """Add a listing from a linked list (older edition, OCR) to its record."""
    _add(record.lists, [list_key])
    record.sources.append(replace(entry.source, role=role))
    if role == "alias":
        _add(record.aliases, [entry.name])
    elif role in ("typo", "ocr") and name_key(entry.name) != name_key(record.name):
        _add(record.ocr_readings, [entry.name])
    if record.type is None:
        record.type = entry.type
