"""Building an index: records in, a Whoosh index plus the query layer's lexicon out.

The indexer does all the heavy work (jieba, pypinyin) and writes what the query path needs:
the vocabulary jieba decided, each corpus character's readings, pinyin of every word for typo
correction, synonyms and stop words, and (in a second, lazily read file) a reading for every
common character plus the traditional → simplified table. The query layer never imports
jieba or pypinyin.
"""

from __future__ import annotations

import gc
import json
import os
import time
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate
from pathlib import Path
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from index.analysis import fold, han_chars
from index.dictionaries import (load_english, load_generic, load_lookalikes, load_nicknames, load_stopwords,
                                load_synonyms, load_t2s, syllables)
from index.errors import IndexBuildError
from index.completion import Previous, completion_table, suggested_words, syllables_of, update_table
from index.corpus.cache import CorpusCache, write_cache
from index.corpus.divisions import place_names
from index.format import (CHARMAP, COMPLETE, LINKS, RECORDS, SCHEMA_VERSION, TYPOS, CharmapData, FieldKind, Fields, tie_key,
                          tie_value, write_charmap, write_complete, write_lexicon, write_ties, write_typos,
                          write_values)
from index.recordfile import record_line, write_links, write_record_changes, write_record_lines
from index.typotable import update_typo_table
from index.prepare import document_fields, prepare_field, stored_document
from index.record_terms import LexiconBuilder, field_terms, index_fields
from index.records import Record
from index.schema import make_schema
from index.text import is_han
from index.segment import SegmentBuilder
from index.workers import _dump, _load, beside, index_records
from index.lock import index_lock
from index.memo import MAX_RECORDS, BuildMemo, Lazy
from index.store import (META, check_generation, file_records, read_meta, resolve_dir, sealed_meta,
                         swap_in, verified_bytes)
from index.values import value_table

if TYPE_CHECKING:
    from index.incremental import Plan
    from index.recordfile import OldRecords
    from index.vocab import Cuts

LINKED = ".linked.pickle"  # an add's or remove's links state, from the process that made them
TEXT_CACHE = 1 << 16  # jieba cuts and readings of repeated texts (builders, places, words)
HOLDERS_ENOUGH = 64  # documents: a new completion item's candidates are narrowed by its rarest characters to this
REPEATED = frozenset({FieldKind.BUILDER, FieldKind.PLACE})  # kinds whose texts recur: prepared once
NAMED = frozenset({FieldKind.NAME, FieldKind.ALIAS})  # kinds the completion table cuts and spells


@dataclass(frozen=True)
class BuildReport:
    """What a build produced, for the one-line message and the benchmark."""

    generation: Path
    records: int
    seconds: float




def _common(ch: str) -> bool:
    """A character of GB 2312 (6,763 hanzi): what people type, once traditional is simplified."""
    if not "\u4e00" <= ch <= "\u9fff":
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def pinyin_readings() -> dict[str, str]:
    """pypinyin's readings of every common character (`_common`), folded, the ones our
    syllable table knows, space-separated."""
    from pypinyin.pinyin_dict import pinyin_dict  # index time only

    valid = syllables()
    readings = {}
    for code, value in pinyin_dict.items():
        ch = chr(code)
        if not _common(ch):  # before folding: most of pypinyin's ~41,000 characters are not
            continue
        syls = [s for s in dict.fromkeys(fold(r) for r in value.split(",")) if s in valid]
        if syls:
            readings[ch] = " ".join(syls)
    return readings


def _charmap(corpus_chars: set[str] | frozenset[str] = frozenset(),
             readings: dict[str, str] | None = None) -> CharmapData:
    """Readings of every character pypinyin knows (`pinyin_readings`, or `readings` if
    given: its answer kept from an earlier build), the traditional → simplified table, and
    for each character its look-alikes that occur in the corpus (`corpus_chars`)."""
    if readings is None:
        readings = pinyin_readings()
    shapes = {}
    for ch, alike in load_lookalikes().items():
        found = "".join(c for c in alike if c in corpus_chars and c != ch)
        if found:
            shapes[ch] = found
    return CharmapData(pinyin=readings, t2s=load_t2s(), shapes=shapes)


def new_generation(index_dir: Path) -> Path:
    """Create the (empty) directory of a new generation; its name sorts by creation time."""
    gen = Path(index_dir) / f"gen-{time.time_ns():x}-{os.getpid()}"
    gen.mkdir(parents=True)
    return gen


def build_index(index_dir: Path, records: list[Record], fingerprint: str, *,
                cache_dir: Path | None = None,
                province_full: Callable[[str], str | None] = lambda p: None,
                source: str = "bundled", lists: list[dict[str, str]] | None = None,
                inputs: str = "", generation: Path | None = None,
                list_titles: dict[str, str] | None = None,
                programs: dict[str, str] | None = None,
                base: Path | None = None, code: str = "",
                progress: Callable[[str], None] | None = None,
                cache: CorpusCache | None = None, link: Callable[[], None] | None = None,
                memo: BuildMemo | None = None, cuts: Cuts | None = None) -> BuildReport:
    """Write a complete new generation under `index_dir` and swap it in.

    Holds the directory's build lock throughout (`index.lock`). Anything that goes wrong
    (including KeyboardInterrupt) leaves ``CURRENT`` untouched and the half-written
    generation is removed; if the process is killed outright, the next build removes it.
    `generation`: a directory made by `new_generation` that already holds the added lists'
    copies (`lists` describes them for the metadata).
    `base`: a previous generation to extend incrementally (`index.incremental`) if it can be;
    `code`: the fingerprint of the code and data the index is built with (`code_fingerprint`).
    `progress`: told what the build is doing now, a short phrase at a time (a terminal shows it).
    `cache`: the corpus cache (`index.corpus.cache`): its memo of name spellings and cuts is
    used and extended, and it is written into the generation with the other files.
    `link`: the corpus's last step, still to run (`load_corpus(link_later=True)`): the
    `related` links, which only the records file needs; a full build runs it while a worker
    process indexes records.
    `memo`: what an earlier small build made of the same inputs (`index.memo`): a build of
    fewer than `index.memo.MAX_RECORDS` records takes texts' cuts and readings from it (and
    loads jieba and pypinyin only for texts it lacks); a full one keeps its own in it.
    `cuts`: a process already loading jieba (`index.vocab.Cuts`): an incremental build has it
    cut the texts of the records it indexes (and takes back) instead of loading jieba here.
    """
    status = progress or (lambda text: None)
    from whoosh import index as windex

    from index import incremental
    from index.readings import Reader
    from index.vocab import cut_words, jieba_cache_dir, make_tokenizer

    started = time.perf_counter()
    index_dir = resolve_dir(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexBuildError(f"cannot create index directory {index_dir}: {exc.strerror}") from exc
    with index_lock(index_dir):
        gen = generation
        writer = None
        helper = None
        side = tail = None
        early = saved = None
        try:
            if gen is None:
                gen = new_generation(index_dir)
            reader = Lazy(Reader)
            tok = Lazy(partial(make_tokenizer, resolve_dir(cache_dir) if cache_dir else jieba_cache_dir(index_dir)))
            if memo is not None and len(records) >= MAX_RECORDS:
                memo = None

            def read_text(text: str) -> list[tuple[str, ...]]:
                return reader().read(text)

            read = lru_cache(TEXT_CACHE)(memo.reader(read_text) if memo is not None else read_text)
            plan: Plan | None = None  # (the process forked below sees it as None)

            def record_tables(same: set[str] | None = None,
                              old: tuple[OldRecords, OldRecords | None] | None = None) -> None:
                """The records file, the links file and, for a full build, the filter values (of
                the records alone: another process writes them, `index.workers`). `same`: the
                ids of the records whose links are as the previous generation's links file
                holds them; `old`: an incremental build's previous records and links files
                (`incremental.old_files`): its values are written with the word tables
                (`side_tables`), off the links' process."""
                with open(gen / RECORDS, "wb") as fp:
                    if old is not None:  # the previous file's lines and blocks where they are the same
                        changed = cache.changed if cache is not None else None
                        relinked = cache.relinked if cache is not None and changed is not None else set()
                        lines = {n: _record_line(records[n])  # a line does not hold its record's links
                                 for n in (range(len(records)) if changed is None else changed - relinked)}
                        write_record_changes(fp, [record.id for record in records], lines, old[0])
                    else:
                        write_record_lines(fp, ((record.id, _record_line(record)) for record in records))
                with open(gen / LINKS, "wb") as fp:
                    write_links(fp, records, old[1] if old is not None else None, same)
                if old is None:
                    values_table()

            def values_table() -> None:
                write_values(gen, value_table(records, read, list_titles=list_titles, programs=programs))

            parent, linked_here = os.getpid(), []

            def linked_tables(planned: Callable[[], bool]) -> None:
                """An add's or remove's links (if still to make), then, once `planned()` says the
                build is incremental, the records file and filter values."""
                before = None
                if link is not None:
                    before = cache.links() if cache is not None else None  # the previous build's links
                    link()
                    linked_here.append(os.getpid())
                if not planned():  # a full build after all: it writes them itself
                    return
                # This process's copy of the plan is None if it was forked before the plan was made.
                assert base is not None
                old = (plan.records_file, plan.links_file) if plan is not None else incremental.old_files(base)
                record_tables(_same_links(before, cache.links() if cache is not None else None), old)
                if link is not None and cache is not None and os.getpid() != parent:
                    _dump(gen / LINKED, cache.link_sections())  # for this process's corpus cache

            if memo is None:  # loaded now, before a process is forked: its caches come along
                reader()
            # An add or remove links the records, then writes the records file and filter values,
            # in another process started now, while this one plans, indexes its few records and
            # completes (a full build links while a worker indexes: `index_records`). Whether the
            # build is incremental is known once planned: the process is told then (`Then.tell`).
            early = beside(linked_tables, len(records), told=True) if base is not None and code else None
            # The records whose documents may differ from the previous generation's: an
            # incremental plan compares them (a document does not hold the links, made later).
            plan = (incremental.plan_update(base, code, records, cache.changed if cache is not None else None,
                                            cache.docs if cache is not None else None)
                    if base is not None and code else None)
            if early is not None:
                early.tell(plan is not None)
                if plan is None:  # a full build: it links and writes them in its own way
                    early.stop()
                    early = None
            # Each document number's tie value: the new segment's documents come after the base's.
            docs = [tie_value(r.name, r.id) for r in (records if plan is None else plan.new)]
            if plan is not None:
                docs[:0] = plan.docs
            if cache is not None:
                cache.docs = docs
            if cuts is not None and plan is not None:  # the texts to cut, to the process loading jieba
                cuts.ask(sorted({text for record in plan.new + plan.old
                                 for _, text in document_fields(record, province_full)}))
            elif cuts is not None:  # a full build: jieba is loaded here, before any worker is forked
                cuts.stop()
                cuts = None

            if memo is None and cuts is None:  # jieba: loaded now, before a worker is forked (its caches come along)
                tok()
            if plan is not None:
                incremental.link_segments(plan.base, gen)
                writer = SegmentBuilder(windex.open_dir(str(gen)))
                for docnum in plan.deleted:
                    writer.delete_document(docnum)
                lex = LexiconBuilder.from_state(plan.state)
            else:
                writer = SegmentBuilder(windex.create_in(str(gen), make_schema()))
                lex = LexiconBuilder()
            # Builders, places and words repeat across records: read, cut and prepare each text once.
            def cut_text(text: str) -> tuple[tuple[str, ...], frozenset[int]]:
                found = cuts.get(text) if cuts is not None else None
                return found if found is not None else cut_words(tok(), text)

            jieba_cut = lru_cache(TEXT_CACHE)(memo.cutter(cut_text) if memo is not None else cut_text)  # one per text

            def bounds(text):
                return jieba_cut(text)[1]

            def cut(text):
                return jieba_cut(text)[0]

            prepared = lru_cache(TEXT_CACHE)(lambda kind, text: prepare_field(kind, text, read(text), bounds(text)))
            terms_memo = lru_cache(TEXT_CACHE)(lambda kind, text: field_terms(prepared(kind, text), read, cut))

            def prepare(kind, text):
                if kind in REPEATED:
                    return prepared(kind, text)
                return prepare_field(kind, text, read(text), bounds(text))

            def terms_of(f):
                return terms_memo(f.kind, f.text) if f.kind in REPEATED else field_terms(f, read, cut)

            if cuts is not None:  # the texts' cuts, before any is needed (and a worker is forked)
                cuts.receive()
            if plan is not None:  # take back what the old forms of changed records contributed
                for record in plan.old:
                    fields = document_fields(record, province_full)
                    for f in stored_document(record, fields, read, bounds, prepare).fields:
                        lex.add(terms_of(f), f.text if f.kind == FieldKind.PLACE else None, n=-1)
            todo = plan.new if plan is not None else records

            # Names' and aliases' words and spellings, for the completion table (made in another
            # process, after the worker that prepared half of them has ended): `_named`.
            named: dict[str, str] = {}

            def index_one(record: Record, counts: LexiconBuilder) -> dict:
                fields = document_fields(record, province_full)
                doc = stored_document(record, fields, read, bounds, prepare)
                for f in doc.fields:
                    if f.kind in NAMED:
                        named[f.text] = _named(cut(f.text), [c[1][0] if c[1] else c[0].lower() for c in f.chars])
                return index_fields(record, doc, read, cut, counts, terms_of, REPEATED)

            def linking() -> None:
                if link is not None and plan is None:
                    status("linking the records of different programs")
                    link()

            synonyms = load_synonyms()
            stopwords = load_stopwords()
            # The thesaurus's words by their pinyin too: lidianchi → 锂电池 → 锂电.
            thesaurus = {term: "".join(r[0] for r in read(term) if r) for term in sorted(synonyms)
                         if len(term) >= 2 and all(is_han(c) for c in term)}
            # The lexicon, character map, typo table and counts: written in another process
            # while this one commits and completes.
            word_tables = partial(_word_tables, gen, lex, synonyms, stopwords, thesaurus, plan,
                                  partial(memo.pinyin_readings, pinyin_readings) if memo is not None else None)
            # A full build's completion table too, and then the corpus cache (its memo of cuts is filled).
            completion = partial(_completion, gen, records, province_full, read, cut, lex.places, stopwords,
                                 synonyms, plan, cache, named)

            def side_tables(word_tables: Callable[[], None] = word_tables) -> None:
                """The word tables, and an add's or remove's filter values (`record_tables`)."""
                word_tables()
                if plan is not None:
                    values_table()

            def counted(lex: LexiconBuilder = lex, completion: Callable[[], None] = completion) -> None:
                """Every record counted: the tables of counts start beside."""
                nonlocal side, tail
                lex.flush()  # its counts are read from here on (`LexiconBuilder.add_again`)
                side = beside(side_tables, len(records))
                tail = beside(partial(_then_cache, completion, gen, cache), len(records)) if plan is None else None
                if tail is not None and tail.forked:  # its process has them (if it fails, they are made again)
                    named.clear()

            # The worker's documents are added to the segment while those tables are made.
            helper = index_records(writer, todo, index_one, lex, gen, status,
                                   then=record_tables if early is None else None, first=linking, memo=named,
                                   counted=counted)
            status(f"indexing records: writing {len(todo):,}")
            writer.commit(merge=False)
            writer = None
            prepared.cache_clear()  # the documents' fields are written: only texts' readings and cuts are used on
            terms_memo.cache_clear()
            beside_all = side is not None and side.forked and tail is not None and tail.forked
            if plan is None and not beside_all:  # an incremental build's collector is off (`index.ensure`)
                gc.collect()  # what indexing held is reused by the tables made here below (the peak RSS)
            status("writing the lexicon, completion and filter tables")
            if plan is None:  # one segment, written in record order: document number i is records[i]
                write_ties(gen, [tie_key(tie_value(r.name, r.id)) for r in records])
            else:  # linked segments with deletions, and a new one (before waiting for the links)
                write_ties_from_index(gen, docs)
            if side is None:
                side_tables()
            if tail is None:
                completion()
                if cache is not None:  # an add or remove: its cache is final once linked, written beside the rest
                    # Linked in another process: what of the cache does not depend on the links is
                    # made in a third while they are (`_cache_when_linked`).
                    saved = (beside(partial(_cache_when_linked, gen, cache, link), len(records), told=True)
                             if early is not None and early.forked and link is not None else None)
                    if early is not None:
                        status("linking the records of different programs")
                        early.finish()
                        early = None
                        if link is not None and not linked_here:  # linked in the other process
                            cache.linked = _load(gen / LINKED)
                            if cache.linked is None:  # its links' state is not here: made again
                                link()
                    if saved is not None and cache.linked is not None:  # the links' part is in LINKED
                        saved.tell(True)
                    else:
                        if saved is not None:
                            saved.stop()
                        saved = beside(partial(write_cache, gen, cache, link), len(records))
            for then in (side, tail):
                if then is not None:
                    then.finish()
            side = tail = None
            del lex, thesaurus, word_tables, completion, counted
            named.clear()
            jieba_cut.cache_clear()
            helper.finish()
            helper = None
            if early is not None:
                early.finish()
                early = None
            read.cache_clear()
            if saved is not None:  # a full build's was written with its completion table
                saved.finish()
                saved = None
            for path in (gen / LINKED, (gen / LINKED).with_suffix(".tmp")):  # read by now
                path.unlink(missing_ok=True)
            seconds = time.perf_counter() - started
            _write_json(gen / META, sealed_meta({
                "fingerprint": fingerprint, "schema_version": SCHEMA_VERSION, "records": len(records),
                "seconds": round(seconds, 2), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "source": source, "lists": list(lists or []), "inputs": inputs, "code": code,
                "incremental": plan is not None,
                # size, mtime and SHA-256 of every other file (the previous generation's where linked)
                "files": file_records(gen, plan.base, plan.meta.get("files")) if plan is not None else file_records(gen),
            }))
            status("verifying the new index")
            problems = check_generation(gen, read_meta(gen), full=True)
            if problems:  # the generation must read back as written before it is swapped in
                raise IndexBuildError(f"the new index did not verify: {problems[0]}")
            swap_in(index_dir, gen)
            if memo is not None and plan is None:  # a full build: what it made, for the next one
                memo.save(cache.seeds if cache is not None else None)
        except BaseException as exc:
            from index.store import is_swapped_in, remove_tree

            if helper is not None:
                helper.stop()
            for then in (side, tail, early, saved):
                if then is not None:
                    then.stop()
            if writer is not None:
                _abandon(writer)
            if gen is not None and not is_swapped_in(index_dir, gen):
                remove_tree(gen)
            if isinstance(exc, OSError):
                raise IndexBuildError(f"index build failed: {exc.strerror or exc}") from exc
            raise
    return BuildReport(gen, len(records), time.perf_counter() - started)


def _record_line(record: Record) -> str:
    """A record's line in the records file: `Record.to_dict()` with its links left out
    (``"related": []``, in their place: readers put them back from the links file)."""
    d = record.to_dict()
    d["related"] = []
    return record_line(d)


def _same_links(before: Any, now: Any) -> set[str] | None:
    """The ids of the records whose links' signatures are the same in the links' states
    `before` and `now` (`index.corpus.related_delta.RelatedState`): their pairs are as they
    were. None if either is not a state."""
    from index.corpus.related_delta import RelatedState

    if not isinstance(before, RelatedState) or not isinstance(now, RelatedState):
        return None
    old = before.sigs
    return {rid for rid, sig in now.sigs.items() if old.get(rid) == sig}


def _completion(gen: Path, records: list[Record], province_full: Callable[[str], str | None], read: Any,
                cut: Any, places: Counter[str], stopwords: list[str], synonyms: dict[str, list[str]],
                plan: Plan | None, cache: CorpusCache | None,
                named: dict[str, str] | None = None) -> None:
    """Write the completion table (`index.completion`); an incremental build (`plan`) starts
    from the previous generation's. `cache`: its memo of cuts is used and extended, and the
    counts of the items the table leaves out are kept in it for next time, with each
    suggested word's number of records. `named`: texts' words and spellings as indexing
    made them."""
    stop = frozenset(stopwords)  # the lexicon's (`LexiconBuilder.lexicon`)
    place_values = sorted(p for p, c in places.items() if c > 0) + [r.province for r in records if r.province]
    if plan is not None and cache is not None and cache.held is not None:
        if _completion_update(gen, records, province_full, read, cut, stop, synonyms, plan, cache, named or {},
                              place_values):
            return
    previous, spelled = None, {}
    if plan is not None:  # the previous table's counts and spellings, and what changed since
        old_entries = json.loads(verified_bytes(plan.base, COMPLETE, plan.meta))["entries"]
        spelled = {text: syls for text, syls, *_ in old_entries}
        fresh = {r.id for r in plan.new}
        counts = dict(cache.counts) if cache is not None else {}  # the items the table left out
        counts.update((text, count) for text, _, _, count, _ in old_entries)
        previous = Previous(counts,
                            [[t for _, t in document_fields(r, province_full)] for r in plan.old],
                            [n for n, r in enumerate(records) if r.id in fresh])
        del old_entries
    spell, cut_name = _completion_memo(cache, spelled, read, cut, named or {})
    holders, release = (_holders(gen, records, cache.docs if cache is not None else None)
                        if previous is not None else (None, lambda: None))
    counted: dict[str, int] = {}
    held: dict[str, int] = {}
    table = completion_table(
        ((record.id, document_fields(record, province_full)) for record in records), read, cut_name,
        spell=spell, previous=previous, counted=counted, holders=holders, stopwords=stop,
        places=place_values, synonyms=synonyms, words_held=held)
    if cache is not None:
        cache.held = held
    release()
    write_complete(gen, table)
    if cache is not None:  # the counts of the items the table leaves out, for next time
        shown = {entry[0] for entry in table["entries"]}
        cache.counts = {item: n for item, n in counted.items() if item not in shown}
    del table, counted



def _completion_update(gen: Path, records: list[Record], province_full: Callable[[str], str | None], read: Any,
                       cut: Any, stop: frozenset[str], synonyms: dict[str, list[str]], plan: Plan,
                       cache: CorpusCache, named: dict[str, str], place_values: list[str]) -> bool:
    """`_completion` of an incremental build whose previous build kept each suggested word's
    number of records (`CorpusCache.held`): the previous table's bytes updated
    (`completion.update_table`); False if they cannot be (then the table is made whole)."""
    old = verified_bytes(plan.base, COMPLETE, plan.meta)
    spell, cut_name = _completion_memo(cache, {}, read, cut, named)
    old_texts = [[t for _, t in document_fields(r, province_full)] for r in plan.old]
    new_texts = [[t for _, t in document_fields(r, province_full)] for r in plan.new]
    # Every record's words as the previous build counted them, those of the changed records
    # taken out and put back as they are now; texts made only where an item is looked for.
    held = dict(cache.held or {})
    for r in plan.old:
        for w in suggested_words(document_fields(r, province_full), cut_name, stop):
            held[w] = held.get(w, 0) - 1
    for r in plan.new:
        for w in suggested_words(document_fields(r, province_full), cut_name, stop):
            held[w] = held.get(w, 0) + 1
    held = {w: n for w, n in held.items() if n > 0}
    names: dict[str, str] = {}
    used = cache.used_words  # the memo of every name's and alias's words is kept
    for r in records:
        names.setdefault(r.name, r.id)
        used.add(r.name)
        used.update(r.aliases)
    opened: list[Callable[[], None]] = []

    def holders() -> Callable[[str], set[int] | None]:
        found, release = _holders(gen, records, cache.docs)
        opened.append(release)
        return found

    left_now: dict[str, int] = {}
    try:
        data = update_table(old, names, held, read, fresh=new_texts, gone=old_texts, left_out=cache.counts,
                            texts=_Texts(records, province_full), places=place_values, synonyms=synonyms,
                            spell=spell, left_now=left_now, holders=holders)
    finally:
        for release in opened:
            release()
    if data is None:
        return False
    (gen / COMPLETE).write_bytes(data)
    cache.held, cache.counts = held, left_now
    return True

class _Texts(Sequence[list[str]]):
    """Each record's texts (`document_fields`), made when first read."""

    def __init__(self, records: list[Record], province_full: Callable[[str], str | None]) -> None:
        self.records = records
        self.province_full = province_full
        self.made: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, n: int) -> list[str]: ...

    @overload
    def __getitem__(self, n: slice) -> Sequence[list[str]]: ...

    def __getitem__(self, n: int | slice) -> list[str] | Sequence[list[str]]:
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        found = self.made.get(n)
        if found is None:
            found = self.made[n] = [t for _, t in document_fields(self.records[n], self.province_full)]
        return found


def _cache_when_linked(gen: Path, cache: CorpusCache, relink: Callable[[], None],
                       linked: Callable[[], bool]) -> None:
    """`write_cache` of an add's or remove's corpus cache, started while another process
    makes the links (`linked_tables`): what of it does not depend on them first, then, once
    `linked()` says that process's part (`LINKED`) is there, the rest."""
    own = cache.own_sections()
    if not linked():  # the links were made here after all: the cache is written another way
        return
    cache.linked = _load(gen / LINKED)
    if cache.linked is None:
        raise OSError(f"cannot read the links' part of the corpus cache in {LINKED}")
    write_cache(gen, cache, relink, own)


def _then_cache(completion: Callable[[], None], gen: Path, cache: CorpusCache | None) -> None:
    """`completion()`, then the corpus cache it extended written into the generation."""
    completion()
    if cache is not None:
        gc.collect()
        write_cache(gen, cache)


def _word_tables(gen: Path, lex: LexiconBuilder, synonyms: dict[str, list[str]], stopwords: list[str],
                 thesaurus: dict[str, str], plan: Plan | None,
                 pinyin: Callable[[], dict[str, str]] | None = None) -> None:
    """Write the lexicon, the character map, the typo table and the lexicon's counts (what
    the records' words and readings decide). `plan`: an incremental build's (the previous
    generation's files are reused or updated where they can be). `pinyin`: gives
    `pinyin_readings()`'s answer (kept from an earlier build: `index.memo`)."""
    from index import incremental

    lexicon = lex.lexicon(synonyms, stopwords, load_generic(), load_english(),
                          load_nicknames(), known_places=place_names(), extra_words=thesaurus)
    write_lexicon(gen, lexicon)
    if plan is not None and plan.chars == frozenset(lexicon.chars):  # the same characters
        (gen / CHARMAP).write_bytes(verified_bytes(plan.base, CHARMAP, plan.meta))
    else:
        write_charmap(gen, _charmap(frozenset(lexicon.chars), pinyin() if pinyin is not None else None))
    del lexicon
    targets = lex.typo_targets | {p for p in thesaurus.values() if p}
    if plan is not None:  # the previous table with the lines of the changed words rewritten
        before = set(plan.state["typos"]) | {p for p in thesaurus.values() if p}
        update_typo_table(verified_bytes(plan.base, TYPOS, plan.meta), gen / TYPOS,
                          targets - before, before - targets)
    else:
        write_typos(gen, targets)
    del targets
    incremental.write_state(gen, lex.state())


def _holders(generation: Path, records: list[Record],
             ties: list[str] | None = None) -> tuple[Callable[[str], set[int] | None], Callable[[], None]]:
    """For a text, the positions in `records` of the records whose documents in the new
    generation hold each of its rarest hanzi (from the ``han`` postings; a superset of those
    holding the text), or None for a text without hanzi; and the function that closes the
    index reader. `ties`: the generation's tie value of each document number, if known
    (`incremental._live_documents`)."""
    from whoosh import index as windex

    from search.reader import matcher_ids  # the query layer's block reader of postings

    reader = windex.open_dir(str(generation)).reader()
    position = {r.id: n for n, r in enumerate(records)}
    # Document number → position in `records` of the record with its id (None: removed). A
    # deleted document of a changed record gives the record's position too: a superset still.
    at: Callable[[int], int | None]
    if ties is not None and len(ties) == reader.doc_count_all():
        def at_tie(docnum: int, ties: list[str] = ties) -> int | None:
            return position.get(ties[docnum].partition(" ")[2])

        at = at_tie
    else:
        at = [position.get(v.decode("utf-8") if isinstance(v, bytes) else v)
              for v in reader.column_reader(Fields.ID)].__getitem__
    # Characters recur from one name to the next: each is looked up once.
    frequency: dict[str, int] = {}
    by_term: dict[str, set[int]] = {}
    terms_of = _han_terms(reader)

    def df(term: str) -> int:
        if term not in frequency:
            frequency[term] = (reader.doc_frequency(Fields.HAN, term) if terms_of is None
                               else sum(info.doc_frequency() for *_, info in terms_of(term)))
        return frequency[term]

    def docs(term: str) -> set[int]:
        if term not in by_term:
            if terms_of is not None:
                by_term[term] = _han_docs(terms_of(term))
                return by_term[term]
            try:
                postings = reader.postings(Fields.HAN, term)
            except Exception:  # whoosh's TermNotFound: no document holds the character
                by_term[term] = set()
            else:  # a block at a time where the reader knows how
                ids = matcher_ids(postings)
                by_term[term] = set(postings.all_ids() if ids is None else ids)
        return by_term[term]

    def holders(text: str) -> set[int] | None:
        terms = sorted({ch for _, ch in han_chars(text)}, key=lambda t: (df(t), t))
        if not terms:
            return None
        found = docs(terms[0])
        for term in terms[1:]:  # the rarest characters narrow it; the caller's substring test does the rest
            if len(found) <= HOLDERS_ENOUGH:
                break
            found = found & docs(term)
        return {n for n in map(at, found) if n is not None}

    return holders, reader.close



def _han_terms(reader: Any) -> Callable[[str], list[tuple[Any, int, bytes, Any]]] | None:
    """For a character, each segment holding it in its ``han`` postings, as (segment reader,
    its first document number, the term's bytes, the term's info), with one look-up in each
    segment's term table (memoized); None for a reader of another kind than Whoosh 2.7's.
    (Whoosh's own `doc_frequency` and `postings` make three look-ups per segment.)"""
    from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader

    subs = list(getattr(reader, "readers", None) or [reader])
    offsets = list(getattr(reader, "doc_offsets", None) or [0])
    if len(subs) != len(offsets) or not all(isinstance(getattr(s, "_terms", None), W3TermsReader) for s in subs):
        return None
    found: dict[str, list[tuple[Any, int, bytes, Any]]] = {}

    def terms_of(term: str) -> list[tuple[Any, int, bytes, Any]]:
        if term not in found:
            out = []
            for sub, offset in zip(subs, offsets):
                tbytes = sub._text_to_bytes(Fields.HAN, term)
                raw = sub._terms._tindex.get(sub._terms._keycoder(Fields.HAN, tbytes))
                if raw is not None:
                    out.append((sub, offset, tbytes, W3TermInfo.from_bytes(raw)))
            found[term] = out
        return found[term]

    return terms_of


def _han_docs(found: list[tuple[Any, int, bytes, Any]]) -> set[int]:
    """The document numbers of a ``han`` term's postings in each segment `_han_terms` found
    (deleted documents too: a superset)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.filedb.structfile import BufferFile

    out: set[int] = set()
    for sub, offset, tbytes, info in found:
        terms, form = sub._terms, sub.schema[Fields.HAN].format
        if info.is_inlined():  # the postings are in the term's info
            postings = terms._codec.postings_reader(terms._postfile, info, form, term=(Fields.HAN, tbytes))
            out.update(map(offset.__add__, postings.all_ids()))
            continue
        # The term's postings read at once, their blocks then taken apart in memory (Whoosh
        # 2.7 reads its recorded length as a 1-tuple); if they do not give as many documents
        # as the term's info says, read from the file as Whoosh does.
        start, length = info.extent()
        length = length[0] if isinstance(length, tuple) else length
        try:
            ids = _block_ids(W3LeafMatcher(BufferFile(terms._postfile.get(start, length)), 0, length, form))
        except Exception:  # a short read: a block cut off
            ids = []
        if len(ids) != info.doc_frequency():
            ids = _block_ids(terms._codec.postings_reader(terms._postfile, info, form, term=(Fields.HAN, tbytes)))
        out.update(map(offset.__add__, ids))
    return out


def _block_ids(postings: Any) -> list[int]:
    """Every document number of a fresh `W3LeafMatcher`, a block at a time, decoded as
    `W3LeafMatcher._read_ids` does but at C speed (`itertools.accumulate`)."""
    out: list[int] = []
    while True:
        postings._read_data()
        ids = postings._data[0]
        out.extend(ids if postings._byteids else accumulate(ids))
        if postings._lastblock:
            return out
        postings._goto(postings._nextoffset)


def _named(words: tuple[str, ...], syllables: list[str]) -> str:
    """A text's jieba words and spelling (`completion.syllables_of`) in one string (~100,000
    of them are kept until the completion table is made): the words NUL-separated, then
    ``\x01`` and the syllables space-separated (words hold neither character)."""
    return "\0".join(words) + "\x01" + " ".join(syllables)


def _completion_memo(cache: CorpusCache | None, spelled: dict[str, str], read, cut,
                     named: dict[str, str]
                     ) -> tuple[Callable[[str], str], Callable[[str], list[str]]]:
    """The spelling and the words of a text for the completion table: spellings from the
    previous table (`spelled`), words from the cache's memo (names repeat from one build to
    the next), either from what indexing made (`named`: text → its words and spelling);
    computed (and memoized) when they are not there."""
    def spell(text: str) -> str:
        found = spelled.get(text)
        if found is None:
            made = named.get(text)
            found = spelled[text] = (made.split("\x01", 1)[1] if made is not None
                                     else " ".join(syllables_of(text, read)))
        return found

    def words_of(text: str) -> tuple[str, ...]:
        made = named.get(text)
        if made is None:
            return tuple(cut(text))
        words = made.split("\x01", 1)[0]
        return tuple(words.split("\0")) if words else ()

    if cache is None:
        return spell, (lambda text: list(words_of(text)))
    words, used_words = cache.words, cache.used_words

    def cut_words(text: str) -> list[str]:
        found = words.get(text)
        if found is None:
            found = words[text] = words_of(text)
        used_words.add(text)
        return list(found)

    return spell, cut_words


def write_ties_from_index(generation: Path, docs: list[str] | None = None) -> None:
    """Rewrite the tie table (`format.write_ties`) from the index's own tie column, for every
    document number of every segment (deleted ones too): for changes that add segments or
    delete documents instead of rebuilding. `docs`: the column's values, if known (one per
    document number; else, or if there are not as many, the column is read)."""
    from whoosh import index as windex

    ix = windex.open_dir(str(generation))
    with ix.searcher() as s:
        if docs is not None and len(docs) == s.reader().doc_count_all():
            values = docs
        else:
            values = [v.decode() if isinstance(v, bytes) else v for v in s.reader().column_reader(Fields.TIE)]
    write_ties(generation, [tie_key(v) for v in values])


def _abandon(writer) -> None:
    """Release a failed writer's open files (a full disk can stop Whoosh half way through)."""
    try:
        writer.cancel()
    except Exception:  # already committed, or half closed: nothing more to release
        pass


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
