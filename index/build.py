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
from index.dictionaries import load_stopwords, load_synonyms, load_t2s, syllables
from index.errors import IndexBuildError
from index.completion import completion_table
from index.format import (SCHEMA_VERSION, CharmapData, write_charmap, write_complete,
                          write_lexicon, write_records, write_typos, write_values)
from index.prepare import document_fields, stored_document
from index.record_terms import LexiconBuilder, index_fields
from index.records import Record
from index.schema import make_schema
from index.values import value_table
from index.store import META, read_meta, swap_in

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


def build_index(index_dir: Path, records: list[Record], fingerprint: str, *,
                cache_dir: Path | None = None,
                province_full: Callable[[str], str | None] = lambda p: None,
                source: str = "bundled", extra: list[str] | None = None,
                inputs: str = "", list_titles: dict[str, str] | None = None,
                programs: dict[str, str] | None = None) -> BuildReport:
    """Write a complete new generation under `index_dir` and swap it in.

    Anything that goes wrong (including KeyboardInterrupt) leaves ``CURRENT`` untouched; the
    half-written generation is removed.
    """
    from whoosh import index as windex

    from index.readings import Reader
    from index.vocab import make_tokenizer, word_bounds, words_of

    started = time.perf_counter()
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexBuildError(f"cannot create index directory {index_dir}: {exc.strerror}") from exc
    gen = index_dir / f"gen-{time.time_ns():x}-{os.getpid()}"
    try:
        gen.mkdir()
        reader = Reader()
        tok = make_tokenizer(cache_dir or index_dir / "cache")
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
        lexicon = lex.lexicon(load_synonyms(), load_stopwords())
        write_lexicon(gen, lexicon)
        write_charmap(gen, _charmap())
        write_records(gen, (record.to_dict() for record in records))
        write_values(gen, value_table(records, read, list_titles=list_titles, programs=programs))
        write_complete(gen, completion_table(
            suggestable, read, lambda text: list(cut(text)), stopwords=lexicon.stopwords,
            places=sorted(lexicon.places) + [r.province for r in records if r.province],
            synonyms=lexicon.synonyms))
        write_typos(gen, lex.typo_targets)
        seconds = time.perf_counter() - started
        _write_json(gen / META, {
            "fingerprint": fingerprint, "schema_version": SCHEMA_VERSION, "records": len(records),
            "seconds": round(seconds, 2), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "source": source, "extra": list(extra or []), "inputs": inputs,
        })
        read_meta(gen)  # the generation is complete and readable
        swap_in(index_dir, gen)
    except BaseException as exc:
        from index.store import remove_tree

        remove_tree(gen)
        if isinstance(exc, OSError):
            raise IndexBuildError(f"index build failed: {exc}") from exc
        raise
    return BuildReport(gen, len(records), time.perf_counter() - started)


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


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fp:
        json.dump(data, fp, ensure_ascii=False, separators=(",", ":"))
