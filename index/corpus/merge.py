"""From entries to records: one record per designation of one program, whatever its source.

`to_record` turns a parsed entry into a record with a stable id; `merge_records` folds records
of the same program and name into one (002(b) lists some clusters twice; a CSV list may repeat
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


def make_id(prefix: str, program: str, name: str) -> str:
    """Program prefix + 8 hex digits of a hash of program and normalised name: stable across
    rebuilds and list order, and different for the same name in two programs."""
    digest = hashlib.sha1(f"{program}|{name_key(name)}".encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:8]}"


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


def merge_records(records: Iterable[Record]) -> list[Record]:
    """One record per (program, normalised name), in order of first appearance."""
    merged: dict[tuple[str, str], Record] = {}
    for record in records:
        key = (record.program, name_key(record.name))
        if key in merged:
            absorb(merged[key], record)
        else:
            merged[key] = record
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
