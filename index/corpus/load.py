"""The corpus: every seed list parsed, linked and merged into records, in named phases.

`load_corpus` reads seeds/manifest.json, hands each document to the parser its layout names,
checks the counts the manifest declares, and builds one `Record` per designation of one
program:

- most-2021-appendix3 is the clean national list: its records are canonical.
- most-national-older and most-2021-notice-ocr re-list the same designations;
  they are linked to most-2021-appendix3's records (index.corpus.link by name similarity; index.corpus.ocr_align by a
  monotone alignment), never made records of their own unless a name has no counterpart.
- Every other list makes its own records; listings with the same program and name are merged.

A line a parser cannot place is a `Problem` (document, line, text, reason), never an exception
and never silently dropped; an unreadable or malformed file raises SeedFormatError. Lists from
elsewhere (CSV, JSONL: index.corpus.tables) go through the same merge step via `extra_tables`. Every record's city and district are then completed from the
divisions table (index.corpus.divisions: 义乌袜业 → 金华市 / 义乌市).
"""

from __future__ import annotations

import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .blocks import numbered_lines
from .cache import SEEDS, CorpusCache
from .entries import Entry, Problem
from ..errors import SeedFormatError
from .link import classify, pair_names
from .manifest import DocumentSpec, ListSpec, Manifest, load_manifest
from .merge import ID_DIGITS, attach, merge_records, to_record, unique_ids
from ..workers import PARALLEL_MIN
from .names import name_key
from .ocr_align import parse_ocr
from .parse_compilation import parse_compilation
from .parse_miit import parse_miit
from .parse_national import parse_additions, parse_appendix3
from .divisions import fill_places
from .places import Regions, load_regions
from ..dictionaries import dictionary_files, read_data_lines
from ..records import Record
from .related import equivalence_groups, link_related

__all__ = ["Corpus", "Problem", "load_corpus", "LAYOUTS"]

# Layouts of single-list documents: parser(lines, spec, regions) -> (entries, problems).
LAYOUTS = {
    "most_appendix3": parse_appendix3,
    "most_additions": parse_additions,
    "miit_numbered_names": parse_miit,
}
OCR_LAYOUT = "ocr_appendix3"
COMPILATION_LAYOUT = "compilation"


@dataclass
class Corpus:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)  # list key → entries parsed
    unlinked: list[Entry] = field(default_factory=list)  # linked-list entries with no counterpart
    # With ``load_corpus(link_later=True)``: the `related` step, still to run (None: done).
    link: Callable[[], None] | None = None


def read_document(seed_dir: Path, name: str) -> list[tuple[int, str]]:
    path = Path(seed_dir) / name
    try:
        return numbered_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedFormatError(f"cannot read ({exc})", str(path)) from exc


def _parse_document(doc: DocumentSpec, lines, regions: Regions) -> dict[str, tuple[list[Entry], list[Problem]]]:
    if doc.layout == COMPILATION_LAYOUT:
        return parse_compilation(lines, list(doc.lists), doc.title, regions)
    if doc.layout not in LAYOUTS or len(doc.lists) != 1:
        raise SeedFormatError(f"unknown layout {doc.layout!r} (or not one list)", doc.file)
    spec = doc.lists[0]
    return {spec.key: LAYOUTS[doc.layout](lines, spec, regions)}


def check_counts(spec: ListSpec, entries: list[Entry]) -> list[Problem]:
    """The counts the manifest declares for a list, against what was parsed."""
    problems = []
    if spec.count is not None and spec.count != len(entries):
        problems.append(Problem(spec.document, 0, spec.title, f"expected {spec.count} entries, parsed {len(entries)}"))
    found = Counter(e.type for e in entries)
    for kind, expected in spec.by_type.items():
        if found[kind] != expected:
            problems.append(Problem(spec.document, 0, spec.title, f"expected {expected} {kind}, parsed {found[kind]}"))
    return problems


def _link_names(spec: ListSpec, entries: list[Entry], canon: list[Entry], records: dict[str, Record], corpus: Corpus) -> list[Record]:
    """Attach an older edition's names to their records; names without a counterpart stay records."""
    own = []
    for entry, j in zip(entries, pair_names(entries, canon)):
        if j is None:
            corpus.unlinked.append(entry)
            own.append(to_record(entry, spec))
            continue
        record = records[name_key(canon[j].name)]
        attach(record, entry, spec.key, classify(entry.name, record.name))
    return own


def load_corpus(seed_dir: Path | str | None = None,
                extra_tables: Iterable[Path | str | tuple[Path, str]] = (),
                synonym_files: Iterable[Path | str] | None = None,
                cache: CorpusCache | None = None, link_later: bool = False) -> Corpus:
    """Parse every seed list of the manifest (and any extra CSV/JSONL lists) into records.

    The phases, in order: parse each document with its layout's parser; make the canonical
    lists' records; link older editions and the OCR reading to them; check the declared
    counts; merge in the extra tables; order the records as the lists are; complete every
    record's city and district from the divisions table (index.corpus.divisions); link the records of
    different programs that are the same cluster (`Record.related`, index.corpus.related), with
    the synonym equivalence groups of `synonym_files` (default: the bundled synonyms.txt and
    the user's, index.user_files).

    `cache`: the previous build's corpus work (`index.corpus.cache`, bundled seeds only):
    what it holds is taken from it instead of computed, and what this build computes is
    put in it. The records are the same either way.

    `link_later`: leave the last phase (`related` links, which indexing does not need) to
    ``corpus.link()``, for the caller to run when it suits it (`index.build` runs it while a
    worker process indexes records).
    """
    if seed_dir is None:
        from seeds import seed_dir as bundled

        seed_dir = bundled()
    seed_dir = Path(seed_dir)
    manifest: Manifest = load_manifest(seed_dir)
    regions = load_regions()
    corpus = Corpus()
    specs = {spec.key: spec for doc in manifest.documents for spec in doc.lists}
    if cache is not None and cache.seeds is not None:
        seeds: SeedPart = pickle.loads(cache.seeds)
    else:
        seeds = _seed_part(manifest, seed_dir, regions, specs)
        if cache is not None:
            cache.seeds = pickle.dumps(seeds, protocol=pickle.HIGHEST_PROTOCOL)
    corpus.problems += seeds.problems
    corpus.entries.update(seeds.entries)
    corpus.unlinked += seeds.unlinked
    fulls: dict[str, str] = {}  # province → its full name, looked up once each

    def province_full(short: str) -> str:
        found = fulls.get(short)
        if found is None:
            found = fulls[short] = _province_full(regions, short)
        return found

    items = _items(extra_tables, cache)
    reused = (_reuse(cache, seeds, items, specs, manifest.programs, corpus, province_full)
              if cache is not None else None)
    if reused is not None:
        records, same = reused
    else:
        records, same = _load_records(seeds, items, specs, manifest.programs, corpus, cache, province_full)
    corpus.records = records
    groups = load_groups(synonym_files)

    def link() -> None:
        if cache is not None:
            from .related_delta import link_related_from

            relinked: set[str] = set()
            cache.related = link_related_from(cache.links(), records, regions, groups, touched=relinked, same=same)
            _note_links(cache, records, relinked)
        else:
            link_related(records, regions, groups)

    if link_later:
        corpus.link = link
    else:
        link()
    return corpus


Item = tuple[Path, "str | None", tuple[str, str, str]]  # a list file, the name it is reported by, its cache key


def _items(extra_tables: Iterable[Path | str | tuple[Path, str]], cache: CorpusCache | None) -> list[Item]:
    out = []
    for item in extra_tables:  # a path, or (path, the name to report it by)
        path, document = item if isinstance(item, tuple) else (item, None)
        path = Path(path)
        key = cache.table(path, document or str(path))[0] if cache is not None else ("", "", "")
        out.append((path, document, key))
    return out


def _load_records(seeds: SeedPart, items: list[Item], specs: dict[str, ListSpec], programs: dict[str, str],
                  corpus: Corpus, cache: CorpusCache | None, province_full: Callable[[str], str]
                  ) -> tuple[list[Record], set[str]]:
    """Phase 5 and 7 from the seed part: every list's records made, merged, given unique ids,
    ordered and placed; and the ids of the records known to be the previous build's (`cache`)."""
    made: list[str] | None = [] if cache is not None else None
    parts: dict[tuple[str, str, str], tuple[ListSpec, list[Problem], int]] = {}
    records = _add_tables(seeds.records, items, specs, programs, corpus, cache, made, parts)
    records = unique_ids(records)
    order = {key: i for i, key in enumerate(specs)}
    at = sorted(range(len(records)), key=lambda n: (order.get(records[n].lists[0], len(order)),
                                                    records[n].sources[0].line, records[n].id))
    records = [records[n] for n in at]
    corpus.problems += _duplicate_ids(records)
    # What each record is made from, and so which records may differ from the previous build's
    # before any link is made (an incremental build indexes them while another process links).
    made_at = [made[n] for n in at] if made is not None else None
    same = _note_made(cache, records, made_at) if cache is not None and made_at is not None else set()
    keys: list[bytes | None] | None = None
    if cache is not None:  # the others are placed as the previous build placed them: under its keys
        before = cache.place_keys
        keys = [before.get(r.id) if r.id in same else None for r in records]
    records = fill_places(records, province_full,
                          memo=cache.places if cache is not None else None,
                          used=cache.used_places if cache is not None else None, keys=keys)
    if cache is not None and keys is not None and made_at is not None:
        cache.place_keys = {r.id: key for r, key in zip(records, keys) if key is not None}
        cache.order, cache.owned, cache.mixed = None, [], {}
        keys_in_order = [key for _, _, key in items]
        _note_owned(cache, records, made_at, keys_in_order, parts, 0, {SEEDS, *keys_in_order})
    return records, same


def _owner(made: str) -> str:
    """The mark of the list (its `digest(key).hex()`) of a record's first listing; "" for the seeds."""
    first = made.split("|", 1)[0]
    return first.split(":", 1)[0] if ":" in first else ""


def _long(rid: str) -> bool:
    """Whether an id was made longer than its program's hash prefix (`unique_ids`)."""
    return len(rid) - rid.rfind("-") > 1 + ID_DIGITS


def _note_owned(cache: CorpusCache, records: list[Record], made: list[str], keys: list[tuple[str, str, str]],
                parts: dict[tuple[str, str, str], tuple[ListSpec, list[Problem], int]], start: int,
                todo: set[tuple[str, str, str]]) -> None:
    """Hold the records by owner for the next build (`CorpusCache.order`, `owned`, and in
    `mixed` the records of several owners' listings or with a lengthened id):
    the parts of the owners in `todo` (the seeds' is `SEEDS`), whose records are those from
    `start` on, to pickle when the cache is written. `made`: what each record is made from
    (`_add_tables`); `keys`: the lists' cache keys in order; `parts`: each list's spec,
    problems and number of entries. The records must come owner after owner, in the lists'
    order; if not (two lists under one key), none is held."""
    from .cache import digest

    if len(set(keys)) != len(keys) or any(key not in parts for key in keys if key in todo):
        cache.order = None
        return
    rank = {"": (0, SEEDS)} | {digest(key).hex(): (n, key) for n, key in enumerate(keys, 1)}
    spans: list[tuple[int, tuple[str, str, str], int]] = []  # (rank, key, first position)
    for n in range(start, len(records)):
        m = made[n]
        found = rank.get(_owner(m))
        if found is None or (spans and found[0] < spans[-1][0]):
            cache.order = None
            return
        if not spans or spans[-1][0] != found[0]:
            spans.append((found[0], found[1], n))
        if ("|" in m and len({_owner(p) for p in m.split("|")}) > 1) or _long(records[n].id):
            cache.mixed[records[n].id] = m
    if any(key not in todo for _, key, _ in spans):
        cache.order = None
        return
    ends = [n for _, _, n in spans[1:]] + [len(records)]
    owned = {key: (first, end) for (_, key, first), end in zip(spans, ends)}
    for key in [SEEDS, *keys]:
        if key not in todo:
            continue
        first, end = owned.get(key, (0, 0))  # (0, 0): no record of its own
        spec, problems, count = parts[key] if key != SEEDS else (None, [], 0)
        cache.owned.append((key, (spec, records[first:end], problems, count)))
    cache.order = list(keys)


def _reuse(cache: CorpusCache, seeds: SeedPart, items: list[Item], specs: dict[str, ListSpec],
           programs: dict[str, str], corpus: Corpus, province_full: Callable[[str], str]
           ) -> tuple[list[Record], set[str]] | None:
    """The records of the previous build's unchanged lists as it made them (`CorpusCache.order`,
    its owner parts), and the new lists' made after them; None (nothing changed) where that
    would not be the records `_load_records` makes: a list changed or moved, a new list's record
    that may merge with (or take the id of) an earlier record, a removed list that another
    list's record holds a listing of, or a removal where ids were lengthened (`unique_ids`)."""
    from .cache import digest

    order = cache.order
    keys = [key for _, _, key in items]
    if order is None or SEEDS not in cache.tables or len(set(keys)) != len(keys):
        return None
    now = set(keys)
    kept = [key for key in order if key in now]
    if keys[:len(kept)] != kept or any(key not in cache.tables for key in kept):
        return None
    fresh = items[len(kept):]
    gone = {digest(key).hex() for key in order if key not in now}
    made = cache.made
    if gone and any(_long(rid) or any(_owner(p) in gone for p in m.split("|")) for rid, m in cache.mixed.items()):
        return None  # a record made from a removed list's listing and another's, or ids to shorten maybe
    # The new lists' records made (in another process at the same time, for a large corpus)
    # while the unchanged lists' records are unpickled; nothing is changed before every check
    # has passed (but the memo of places, which gains the new records' answers).
    def old() -> list[tuple[tuple[str, str, str], TablePart]]:
        return [(key, pickle.loads(cache.tables[key])) for key in [SEEDS, *kept]]

    def new() -> _Fresh:
        return _fresh(fresh, programs, province_full, cache.places)

    if fresh and len(made) >= PARALLEL_MIN:
        from index.workers import in_two

        old_parts, made_now = in_two(_call, old, new)
    else:
        old_parts, made_now = old(), new()
    parts_now, raw, added, made_new, duplicates, keys_new, answers = made_now
    # A new record's id is its program's prefix and the hash of its program and name: one whose
    # hash an earlier record's id starts with may merge with it or take its id.
    hexes: set[str] = set()
    if raw:  # an id ends with its hash prefix, but a lengthened one (each is in `mixed`)
        hexes = {rid[-ID_DIGITS:] for rid in made}
        hexes.update(rid[rid.rfind("-") + 1:][:ID_DIGITS] for rid in cache.mixed if _long(rid))
    near = {rid[-ID_DIGITS:] for rid, _ in raw} & hexes
    if near:
        ids = {rid for rid, _ in raw}
        names = {name for rid, name in raw if rid[-ID_DIGITS:] in near}
        for _, (_, records_of, _, _) in old_parts:
            for r in records_of:
                if r.id[r.id.rfind("-") + 1:][:ID_DIGITS] in near and (
                        r.id[:r.id.rfind("-") + 1 + ID_DIGITS] in ids or (r.program, name_key(r.name)) in names):
                    return None
    taken = set(specs) | {part[0].key for key, part in old_parts if key != SEEDS}
    fresh_keys = [spec.key for _, spec, _, _ in parts_now]
    if taken & set(fresh_keys) or len(set(fresh_keys)) != len(fresh_keys):
        return None
    if any(_long(r.id) and r.id in made for r in added):  # lengthened into an earlier record's id
        return None
    marks = tuple(f"{mark}:" for mark in gone)  # a record's first listing is its owner's
    kept_made = {rid: m for rid, m in made.items() if not m.startswith(marks)} if gone else made
    if len(kept_made) != sum(len(part[1]) for _, part in old_parts):  # not the records it was written with
        return None
    # Every check passed: the corpus and the cache, for the records as they are now.
    records: list[Record] = []
    parts: dict[tuple[str, str, str], tuple[ListSpec, list[Problem], int]] = {}
    for key, (spec, records_of, problems, count) in old_parts:
        if key != SEEDS:
            corpus.problems += problems
            corpus.entries[spec.key] = count
            specs[spec.key] = spec
            parts[key] = (spec, problems, count)
        records += records_of
    for key, spec, problems, count in parts_now:
        corpus.problems += problems
        corpus.entries[spec.key] = count
        specs[spec.key] = spec
        parts[key] = (spec, problems, count)
    corpus.problems += duplicates
    cache.used_tables.update(key for key, _ in old_parts)
    places = cache.places
    for key, found in answers.items():
        places.setdefault(key, found)
    cache.used_places.update(keys_new)
    same = set(kept_made)
    place_keys = ({rid: key for rid, key in cache.place_keys.items() if rid in same} if gone
                  else dict(cache.place_keys))
    cache.used_places.update(place_keys.values())
    place_keys.update((r.id, key) for r, key in zip(added, keys_new))
    cache.place_keys = place_keys
    start = len(records)
    records += added
    cache.made = kept_made | {r.id: m for r, m in zip(added, made_new)}  # new ids: none was there (above)
    cache.changed, cache.relinked = set(range(start, len(records))), set()
    cache.mixed = {rid: m for rid, m in cache.mixed.items() if rid in same}
    cache.owned = []
    _note_owned(cache, records, [""] * start + made_new, keys, parts, start, {key for _, _, key in fresh})
    return records, same


# What `_fresh` makes of the new lists: each one's (key, spec, problems, number of entries);
# each listing's (id, (program, name key)) as parsed; their records merged, with unique ids,
# ordered and placed; what each is made from; the duplicate-id problems; each record's place
# key, and the place of each key.
_Fresh = tuple[list[tuple[tuple[str, str, str], ListSpec, list[Problem], int]], list[tuple[str, tuple[str, str]]],
               list[Record], list[str], list[Problem], list[bytes], dict[bytes, tuple[str | None, str | None]]]


def _fresh(items: list[Item], programs: dict[str, str], province_full: Callable[[str], str],
           places: dict[bytes, tuple[str | None, str | None]]) -> _Fresh:
    """The new lists' part of `_reuse` (it may run in another process: nothing it changes is
    kept but `places`, the places known, to which it adds those it finds)."""
    from .cache import digest

    parts = []
    listings: list[str] = []
    added: list[Record] = []
    for path, document, key in items:
        spec, records_of, problems, count = _table_part(path, document, programs)
        parts.append((key, spec, problems, count))
        mark = digest(key).hex()
        listings += [f"{mark}:{n}" for n in range(len(records_of))]
        added += records_of
    raw = [(r.id, (r.program, name_key(r.name))) for r in added]
    groups: list[list[int]] = []
    added = unique_ids(merge_records(added, groups))
    made = ["|".join(listings[n] for n in group) for group in groups]
    rank = {spec.key: n for n, (_, spec, _, _) in reversed(list(enumerate(parts)))}  # (the lists are after all others)
    at = sorted(range(len(added)), key=lambda n: (rank.get(added[n].lists[0], len(rank)),
                                                  added[n].sources[0].line, added[n].id))
    added = [added[n] for n in at]
    made = [made[n] for n in at]
    duplicates = _duplicate_ids(added)
    keys: list[bytes | None] = [None] * len(added)
    added = fill_places(added, province_full, memo=places, keys=keys)
    found = [key for key in keys if key is not None]
    return parts, raw, added, made, duplicates, found, {key: places[key] for key in found}


def _call(job: Callable[[], object]) -> object:
    return job()


def _note_made(cache: CorpusCache, records: list[Record], made: list[str]) -> set[str]:
    """Which records may differ from the previous build's before their links are made
    (`CorpusCache.changed`), and what each record is made from, for the next build
    (`CorpusCache.made`); returns the ids of the others.

    A record made from the same listings (the same list files' same records, merged in the
    same order) under the same id as the previous build's record with that id is that record
    again, but for its links (`_note_links`): places and merges depend on nothing else.
    """
    now = {r.id: m for r, m in zip(records, made)}
    before = cache.made
    cache.made, cache.relinked = now, set()
    if len(now) != len(records):  # ids not unique: no record is known to be as it was
        cache.changed = None
        return set()
    cache.changed = {n for n, r in enumerate(records) if before.get(r.id) != made[n]}
    return {r.id for n, r in enumerate(records) if n not in cache.changed}


def _note_links(cache: CorpusCache, records: list[Record], relinked: set[str]) -> None:
    """After the links: the records whose links alone may differ (`relinked`, by id) join
    `CorpusCache.changed` and make `CorpusCache.relinked`."""
    if cache.changed is None:
        return
    remade = cache.changed
    cache.relinked = {n for n, r in enumerate(records) if r.id in relinked and n not in remade}
    cache.changed = remade | cache.relinked


@dataclass
class SeedPart:
    """The seed documents' records, merged, before any added list (the same for every build
    of the same code: `index.corpus.cache` keeps it)."""

    records: list[Record]
    problems: list[Problem]
    entries: dict[str, int]
    unlinked: list[Entry]


def _seed_part(manifest: Manifest, seed_dir: Path, regions: Regions, specs: dict[str, ListSpec]) -> SeedPart:
    """Phases 1 to 4: the seed documents parsed, linked and merged, their counts checked."""
    part = Corpus()
    parsed, ocr_docs = _parse_documents(manifest, seed_dir, regions, part)
    records = _canonical_records(parsed, specs, manifest.programs)
    by_program = {p: {name_key(r.name): r for r in records if r.program == p}
                  for p in {r.program for r in records}}
    own = _link_editions(parsed, specs, by_program, part)
    _align_ocr(ocr_docs, parsed, by_program, regions, part)
    for key, entries in parsed.items():
        part.problems += check_counts(specs[key], entries)
        part.entries[key] = len(entries)
    return SeedPart(merge_records(records + own), part.problems, part.entries, part.unlinked)


def _province_full(regions: Regions, short: str) -> str:
    province = regions.province(short)
    return province.full if province else ""


def load_groups(synonym_files: Iterable[Path | str] | None = None) -> list[tuple[str, ...]]:
    """Phase 6's evidence: the synonym equivalence groups of the given files (default: the
    bundled synonyms.txt, then the user's)."""
    if synonym_files is None:
        synonym_files = dictionary_files("synonyms.txt")
    lines: list[str] = []
    for path in synonym_files:
        try:
            lines += read_data_lines(Path(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedFormatError(f"cannot read synonyms file ({exc})", str(path)) from exc
    return equivalence_groups(lines)


Lines = list[tuple[int, str]]


def _parse_documents(manifest: Manifest, seed_dir: Path, regions: Regions, corpus: Corpus
                     ) -> tuple[dict[str, list[Entry]], list[tuple[DocumentSpec, Lines]]]:
    """Phase 1: each document through its layout's parser. OCR readings wait for phase 3."""
    parsed: dict[str, list[Entry]] = {}
    ocr_docs = []
    for doc in manifest.documents:
        lines = read_document(seed_dir, doc.file)
        if doc.layout == OCR_LAYOUT:
            ocr_docs.append((doc, lines))
            continue
        for key, (entries, problems) in _parse_document(doc, lines, regions).items():
            parsed[key] = entries
            corpus.problems += problems
    return parsed, ocr_docs


def _canonical_records(parsed: dict[str, list[Entry]], specs: dict[str, ListSpec],
                       programs: dict[str, str]) -> list[Record]:
    """Phase 2: the records of every list that is not another edition of one."""
    records: list[Record] = []
    for key, entries in parsed.items():
        if not specs[key].links_to:
            records += [to_record(e, specs[key], programs) for e in entries]
    return merge_records(records)


def _link_editions(parsed: dict[str, list[Entry]], specs: dict[str, ListSpec],
                   by_program: dict[str, dict[str, Record]], corpus: Corpus) -> list[Record]:
    """Phase 3a: older editions' names attached to their records; the rest are new records."""
    own: list[Record] = []
    for key, entries in parsed.items():
        spec = specs[key]
        if spec.links_to:
            canon = parsed.get(spec.links_to, [])
            own += _link_names(spec, entries, canon, by_program.get(spec.program, {}), corpus)
    return own


def _align_ocr(ocr_docs: list[tuple[DocumentSpec, Lines]], parsed: dict[str, list[Entry]],
               by_program: dict[str, dict[str, Record]], regions: Regions, corpus: Corpus) -> None:
    """Phase 3b: each OCR line aligned to the canonical entry it reads (provenance only)."""
    for doc, lines in ocr_docs:
        spec = doc.lists[0]
        canon = parsed.get(spec.links_to or "", [])
        if not canon:
            raise SeedFormatError(f"OCR list links to {spec.links_to!r}, which has no entries", doc.file)
        pairs, problems = parse_ocr(lines, spec, regions, canon)
        corpus.problems += problems
        parsed[spec.key] = [e for _, e in pairs]
        for j, entry in pairs:
            attach(by_program[spec.program][name_key(canon[j].name)], entry, spec.key, "ocr")


def _add_tables(records: list[Record], items: list[Item], specs: dict[str, ListSpec],
                programs: dict[str, str], corpus: Corpus, cache: CorpusCache | None = None,
                made: list[str] | None = None,
                parts: dict[tuple[str, str, str], tuple[ListSpec, list[Problem], int]] | None = None
                ) -> list[Record]:
    """Phase 5: users' CSV / JSON lines lists, through the same merge step.

    `made`: filled with what each record returned is made from: the listings merged into it
    (a seed record by its place in the seed part, a list's record by its list's cache key
    and its place there), joined by "|". `parts`: filled with each list's spec, problems and
    number of entries, by its cache key.
    """
    listings = [f"s{n}" for n in range(len(records))] if made is not None else None
    if not items:
        if made is not None and listings is not None:
            made[:] = listings
        return records
    from .cache import digest

    added: list[Record] = []
    # Many bytes of lists: a large share is parsed in a forked process at the same time.
    parsed = _parse_tables([(path, document) for path, document, _ in items], programs)
    for (path, document, key), (part, blob) in zip(items, parsed):
        if part is None:
            part = pickle.loads(blob) if blob is not None else _table_part(path, document, programs)
        spec, records_of, problems, count = part
        corpus.problems += problems
        corpus.entries[spec.key] = count
        specs[spec.key] = spec
        if parts is not None:
            parts[key] = (spec, problems, count)
        added += records_of
        if listings is not None:
            mark = digest(key).hex()
            listings += [f"{mark}:{n}" for n in range(len(records_of))]
    # One merge for all lists: the same as one per list (a left fold in list order), not n × lists.
    if made is None or listings is None:
        return merge_records(records + added)
    groups: list[list[int]] = []
    merged = merge_records(records + added, groups)
    made[:] = ["|".join(listings[n] for n in group) for group in groups]
    return merged


PARALLEL_BYTES = 2 << 20  # list files to parse (in all) from which half are parsed in another process
PARSED_HERE = 0.45  # of their bytes, parsed in this process (it also unpickles the other's records)


def _table_part(path: Path, document: str | None, programs: dict[str, str]) -> TablePart:
    """A list file's part of the corpus, as `index.corpus.cache` keeps it (pickled): its
    spec, its records (not yet merged), its problems and its number of entries."""
    from .tables import load_table_entries

    spec, entries, problems = load_table_entries(path, document)
    return spec, [to_record(e, spec, programs) for e in entries], problems, len(entries)


TablePart = tuple[ListSpec, list[Record], list[Problem], int]


def _parse_tables(items: list[tuple[Path, str | None]], programs: dict[str, str]
                  ) -> list[tuple[TablePart | None, bytes | None]]:
    """Each list file's `_table_part` and its pickle, where they are made here: many bytes of
    lists are parsed in two halves at once, the second in a forked process
    (`index.workers.in_two`), which sends the pickles alone. ``(None, None)``: left to the
    caller (a small job, or a file that could not be parsed: its error is the caller's to raise)."""
    parent = os.getpid()

    def parse(some: list[tuple[Path, str | None]]) -> list[tuple[TablePart | None, bytes | None]]:
        keep = os.getpid() == parent  # this process keeps its objects; the other sends bytes
        out: list[tuple[TablePart | None, bytes | None]] = []
        for path, document in some:
            try:
                part = _table_part(path, document, programs)
            except Exception:  # noqa: BLE001 - raised again when the caller parses it
                out.append((None, None))
                continue
            blob = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
            out.append((part if keep else None, blob))
        return out

    if len(items) < 2 or _total_bytes(items) < PARALLEL_BYTES:
        return [(None, None)] * len(items)  # parsed by the caller, one at a time
    from index.workers import in_two

    half = _half_by_size(items, PARSED_HERE)
    mine, theirs = in_two(parse, items[:half], items[half:])
    return list(mine) + list(theirs)


def _total_bytes(items: list[tuple[Path, str | None]]) -> int:
    total = 0
    for path, _ in items:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def _half_by_size(items: list[tuple[Path, str | None]], share: float = 0.5) -> int:
    """Where to cut `items` so that the first part holds about `share` of the bytes (at least
    one item in each part)."""
    sizes = []
    for path, _ in items:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    total, run = sum(sizes), 0
    for n, size in enumerate(sizes):
        if run + size / 2 >= total * share:
            return min(max(n, 1), len(items) - 1)
        run += size
    return len(items) - 1


def _duplicate_ids(records: list[Record]) -> list[Problem]:
    seen: dict[str, Record] = {}
    problems = []
    for r in records:
        if r.id in seen:
            problems.append(Problem(r.sources[0].document, r.sources[0].line, r.name, f"id {r.id} also used by {seen[r.id].name}"))
        seen[r.id] = r
    return problems
