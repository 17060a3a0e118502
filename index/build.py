"""Building an index: records in, a Whoosh index plus the query layer's lexicon out.

The indexer does all the heavy work (jieba, pypinyin) and writes what the query path needs:
the vocabulary jieba decided, each corpus character's readings, pinyin of every word for typo
correction, synonyms and stop words, and (in a second, lazily read file) a reading for every
common character plus the traditional → simplified table. The query layer never imports
jieba or pypinyin.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable

from index.analysis import fold
from index.dictionaries import (load_english, load_generic, load_nicknames, load_stopwords, load_synonyms,
                                load_t2s, syllables)
from index.errors import IndexBuildError
from index.completion import completion_table
from index.format import (SCHEMA_VERSION, CharmapData, Fields, tie_key, tie_value, write_charmap,
                          write_complete, write_lexicon, write_records, write_ties, write_typos,
                          write_values)
from index.prepare import document_fields, stored_document
from index.record_terms import LexiconBuilder, index_fields
from index.records import Record
from index.schema import make_schema
from index.lock import index_lock
from index.store import (META, check_generation, file_records, read_meta, resolve_dir, sealed_meta,
                         swap_in)
from index.values import value_table

# Whoosh writer settings. Non-compound segments: a compound file is copied into memory
# (BufferFile) when a reader opens it, ~170 MB at 100k records before the first query; plain
# segment files are read where needed. The posting pool spills to sorted runs past LIMIT_MB.
WRITER_LIMIT_MB = 256
TEXT_CACHE = 1 << 16  # jieba cuts and readings of repeated texts (builders, places, words)


@dataclass(frozen=True)
class BuildReport:
    """What a build produced, for the one-line message and the benchmark."""

    generation: Path
    records: int
    seconds: float




def _common(ch: str) -> bool:
    """A character of GB 2312 (6,763 hanzi): what people type, once traditional is simplified."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= ch <= "\u9fff"


def _charmap() -> CharmapData:
    """Readings of every character pypinyin knows, and the traditional → simplified table."""
    from pypinyin.pinyin_dict import pinyin_dict  # index time only

    valid = syllables()
    readings = {}
    for code, value in pinyin_dict.items():
        syls = [s for s in dict.fromkeys(fold(r) for r in value.split(",")) if s in valid]
        if syls and _common(chr(code)):
            readings[chr(code)] = " ".join(syls)
    return CharmapData(pinyin=readings, t2s=load_t2s())


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
                programs: dict[str, str] | None = None) -> BuildReport:
    """Write a complete new generation under `index_dir` and swap it in.

    Holds the directory's build lock throughout (`index.lock`). Anything that goes wrong
    (including KeyboardInterrupt) leaves ``CURRENT`` untouched and the half-written
    generation is removed; if the process is killed outright, the next build removes it.
    `generation`: a directory made by `new_generation` that already holds the added lists'
    copies (`lists` describes them for the metadata).
    """
    from whoosh import index as windex

    from index.readings import Reader
    from index.vocab import make_tokenizer, word_bounds, words_of

    started = time.perf_counter()
    index_dir = resolve_dir(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexBuildError(f"cannot create index directory {index_dir}: {exc.strerror}") from exc
    with index_lock(index_dir):
        gen = generation
        writer = None
        try:
            if gen is None:
                gen = new_generation(index_dir)
            reader = Reader()
            tok = make_tokenizer(resolve_dir(cache_dir or index_dir / "cache"))
            ix = windex.create_in(str(gen), make_schema())
            writer = lean_writer(ix)
            lex = LexiconBuilder()
            # Builders, places and words repeat across records: read and cut each text once.
            bounds = lru_cache(TEXT_CACHE)(lambda text: frozenset(word_bounds(tok, text)))
            cut = lru_cache(TEXT_CACHE)(lambda text: tuple(words_of(tok, text)))
            read = lru_cache(TEXT_CACHE)(reader.read)
            suggestable = []
            for record in records:
                fields = document_fields(record, province_full)
                doc = stored_document(record, fields, read, bounds)
                writer.add_document(**index_fields(record, doc, read, cut, lex))
                suggestable.append((record.id, fields))
            writer.commit()
            lexicon = lex.lexicon(load_synonyms(), load_stopwords(), load_generic(), load_english(),
                                  load_nicknames())
            write_lexicon(gen, lexicon)
            write_charmap(gen, _charmap())
            write_records(gen, (record.to_dict() for record in records))
            write_values(gen, value_table(records, read, list_titles=list_titles, programs=programs))
            write_complete(gen, completion_table(
                suggestable, read, lambda text: list(cut(text)), stopwords=lexicon.stopwords,
                places=sorted(lexicon.places) + [r.province for r in records if r.province],
                synonyms=lexicon.synonyms))
            write_typos(gen, lex.typo_targets)
            # One segment, written in record order: document number i is records[i].
            write_ties(gen, [tie_key(tie_value(r.name, r.id)) for r in records])
            seconds = time.perf_counter() - started
            _write_json(gen / META, sealed_meta({
                "fingerprint": fingerprint, "schema_version": SCHEMA_VERSION, "records": len(records),
                "seconds": round(seconds, 2), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "source": source, "lists": list(lists or []), "inputs": inputs,
                "files": file_records(gen),  # size, mtime and SHA-256 of every other file
            }))
            problems = check_generation(gen, read_meta(gen), full=True)
            if problems:  # the generation must read back as written before it is swapped in
                raise IndexBuildError(f"the new index did not verify: {problems[0]}")
            swap_in(index_dir, gen)
        except BaseException as exc:
            from index.store import remove_tree

            if writer is not None:
                _abandon(writer)
            if gen is not None:
                remove_tree(gen)
            if isinstance(exc, OSError):
                raise IndexBuildError(f"index build failed: {exc.strerror or exc}") from exc
            raise
    return BuildReport(gen, len(records), time.perf_counter() - started)


def write_ties_from_index(generation: Path) -> None:
    """Rewrite the tie table (`format.write_ties`) from the index's own tie column, for every
    document number of every segment (deleted ones too): for changes that add segments or
    delete documents instead of rebuilding."""
    from whoosh import index as windex

    ix = windex.open_dir(str(generation))
    with ix.searcher() as s:
        values = [v.decode() if isinstance(v, bytes) else v for v in s.reader().column_reader(Fields.TIE)]
    write_ties(generation, [tie_key(v) for v in values])


def lean_writer(ix):
    """A Whoosh segment writer for our schema: non-compound, one length lookup per field.

    Whoosh's commit asks, for every posting of a field without a length column (our
    KEYWORD fields), whether that column's file exists: one ``stat()`` per posting, 40% of
    the commit at 100k records. This writer answers each field once.
    """
    from whoosh.codec.whoosh3 import W3PerDocReader
    from whoosh.writing import SegmentWriter

    class LengthsReader(W3PerDocReader):
        def has_column(self, fieldname):
            known = self.__dict__.setdefault("_has_column", {})
            if fieldname not in known:
                known[fieldname] = super().has_column(fieldname)
            return known[fieldname]

        def doc_field_length(self, docnum, fieldname, default=0):
            if not self.has_column(f"_{fieldname}_len"):  # whoosh3's length column name
                return default
            return super().doc_field_length(docnum, fieldname, default)

    class LeanWriter(SegmentWriter):
        def per_document_reader(self):
            if not self.perdocwriter.is_closed:
                raise RuntimeError("per-document writer is still open")
            return LengthsReader(self.storage, self.get_segment())

    return LeanWriter(ix, limitmb=WRITER_LIMIT_MB, compound=False)


def _abandon(writer) -> None:
    """Release a failed writer's open files (a full disk can stop Whoosh half way through)."""
    try:
        writer.cancel()
    except Exception:  # already committed, or half closed: nothing more to release
        pass


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fp:
        json.dump(data, fp, ensure_ascii=False, separators=(",", ":"))
