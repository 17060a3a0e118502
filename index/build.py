"""Building an index: records in, a Whoosh index plus the query layer's lexicon out.

The indexer does all the heavy work (jieba, pypinyin) and writes what the query path needs:
the vocabulary jieba decided, each corpus character's readings, pinyin of every word for typo
correction, synonyms and stop words, and (in a second, lazily read file) a reading for every
common character plus the traditional → simplified table. The query layer never imports
jieba or pypinyin.
"""

from __future__ import annotations

import json
import pickle
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from index.analysis import DATA_DIR, deletes, fold, read_data_lines, syllables
from index.document import document_fields, stored_document
from index.errors import IndexBuildError
from index.records import Record
from index.terms import LexiconBuilder, index_fields
from index.schema import SCHEMA_VERSION, make_schema
from index.completion import completion_table
from index.store import CHARMAP, COMPLETE, LEXICON, META, RECORDS, TYPOS, VALUES, read_meta, swap_in
from index.values import value_table



@dataclass(frozen=True)
class BuildReport:
    """What a build produced, for the one-line message and the benchmark."""

    generation: Path
    records: int
    seconds: float


def load_synonyms(path: Path = DATA_DIR / "synonyms.txt") -> dict[str, list[str]]:
    """term → terms it also matches. ``a b c`` are all equivalent; ``a => b c`` is one-way."""
    table: dict[str, list[str]] = defaultdict(list)
    if not path.exists():
        return {}
    for line in read_data_lines(path):
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources, targets = left.split(), right.split()
        else:
            sources = targets = line.split()
        for s in sources:
            for t in targets:
                if t != s and t not in table[s.lower()]:  # queries are folded: IC → ic
                    table[s.lower()].append(t)
    return dict(table)


def typo_table(words: set[str]) -> dict[str, tuple[str, ...]]:
    """Every word under itself and under each string one deletion away (symmetric delete)."""
    table: dict[str, list[str]] = defaultdict(list)
    for word in sorted(w for w in words if w):
        for variant in deletes(word):
            table[variant].append(word)
    return {k: tuple(v) for k, v in table.items()}


def _common(ch: str) -> bool:
    """A character of GB 2312 (6,763 hanzi): what people type, once traditional is simplified."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= ch <= "\u9fff"


def _charmap() -> dict:
    """Readings of every character pypinyin knows, and the traditional → simplified table."""
    from pypinyin.pinyin_dict import pinyin_dict  # index time only

    valid = syllables()
    readings = {}
    for code, value in pinyin_dict.items():
        syls = [s for s in dict.fromkeys(fold(r) for r in value.split(",")) if s in valid]
        if syls and _common(chr(code)):
            readings[chr(code)] = " ".join(syls)
    t2s = {}
    path = DATA_DIR / "t2s_chars.tsv"
    if path.exists():
        for line in read_data_lines(path):
            parts = line.split("\t")
            if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
                t2s[parts[0]] = parts[1]
    return {"pinyin": readings, "t2s": t2s}


def build_index(index_dir: Path, records: list[Record], fingerprint: str, *,
                cache_dir: Path | None = None, province_full=lambda p: None,
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
        writer = ix.writer()
        lex = LexiconBuilder()
        bounds, cut = partial(word_bounds, tok), partial(words_of, tok)
        suggestable = []
        for record in records:
            fields = document_fields(record, province_full)
            doc = stored_document(record, fields, reader.read, bounds)
            writer.add_document(**index_fields(record, doc, reader.read, cut, lex))
            suggestable.append((record.id, fields))
        writer.commit()
        with open(gen / RECORDS, "w", encoding="utf-8") as fp:
            for record in records:
                fp.write(json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
        _write_json(gen / VALUES, value_table(records, reader.read, list_titles=list_titles,
                                              programs=programs))
        stop_path = DATA_DIR / "stopwords.txt"
        stopwords = sorted(read_data_lines(stop_path)) if stop_path.exists() else []
        lexicon = lex.lexicon(load_synonyms(), stopwords)
        _write_json(gen / LEXICON, lexicon)
        _write_json(gen / CHARMAP, _charmap())
        _write_json(gen / COMPLETE, completion_table(
            suggestable, reader.read, cut, stopwords=stopwords,
            places=[n for n in lexicon["places"]] + [r.province for r in records if r.province],
            synonyms=lexicon["synonyms"]))
        with open(gen / TYPOS, "wb") as fp:
            pickle.dump(typo_table(lex.typo_targets), fp, protocol=4)
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


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fp:
        json.dump(data, fp, ensure_ascii=False, separators=(",", ":"))
