"""The Whoosh schema, defined once, and the analyzer classes it pickles by import path.

Whoosh stores the schema with its analyzers' import paths, so the tokenizer must live in a
stable module (here). Bump `SCHEMA_VERSION` whenever a field or analyzer changes: the version
is part of the index fingerprint, so a stale index is rebuilt instead of misread.
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from index.analysis import han_chars

SCHEMA_VERSION = 6


class HanCharTokenizer(Tokenizer):
    """Yields every hanzi as a token: the n=1 gram that lets any substring (锂) match.

    Honours Whoosh's tokenizer contract (positions, chars, start_pos, start_char, mode).
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for n, (i, ch) in enumerate(han_chars(value)):
            t.text = ch
            t.boost = 1.0
            if keeporiginal:
                t.original = ch
            t.stopped = False
            if positions:
                t.pos = start_pos + n
            if chars:
                t.startchar = start_char + i
                t.endchar = start_char + i + 1
            yield t


def make_schema() -> Schema:
    """Fields: filters (province … year), hanzi chars, jieba words, and three pinyin channels."""
    return Schema(
        id=ID(stored=True, unique=True),
        doc=STORED,
        province=ID,
        city=ID,
        district=ID,
        type=ID,
        program=ID,
        lists=KEYWORD(commas=True),
        year=ID,
        # Browsing order (no query, only filters): pinyin of province, city, district, name, id.
        order=ID(sortable=True),
        han=TEXT(analyzer=HanCharTokenizer(), phrase=True),
        lit=KEYWORD,  # letters and digits, lower-cased (G60)
        words=KEYWORD,  # jieba words of every field
        py=KEYWORD,  # every reading of every char (full syllables)
        pyf=KEYWORD,  # fuzzy keys of those readings (z/zh, in/ing …)
        pyi=KEYWORD,  # initials of those readings
        # Joined full pinyin (lidian) and initials (ld) of each word, each 2-4 character run and
        # each whole name: for Whoosh-level lookups by other tools, e.g. Prefix("pyinit", "jqr").
        # clsearch's own matcher works per character (py, pyf, pyi, pairs).
        pyjoin=KEYWORD,
        pyinit=KEYWORD,
        pairs=KEYWORD,  # fuzzy keys of neighbouring characters (can_sa for 长沙): adjacency
        ipairs=KEYWORD,  # initials of neighbouring characters (s_w, sh_w for 生物): adjacency
    )
