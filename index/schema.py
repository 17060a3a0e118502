"""The Whoosh schema, defined once, and the analyzer classes it pickles by import path.

Whoosh stores the schema with its analyzers' import paths, so the tokenizer must live in a
stable module (here). Field names come from `index.format`, the contract with the query layer;
bump `format.SCHEMA_VERSION` whenever a field or analyzer changes.
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from index.analysis import han_chars
from index.format import SCHEMA_VERSION, Fields

__all__ = ["HanCharTokenizer", "SCHEMA_VERSION", "make_schema"]


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
    f = Fields
    return Schema(**{
        f.ID: ID(stored=True, unique=True),
        f.DOC: STORED,
        f.PROVINCE: ID,
        f.CITY: ID,
        f.DISTRICT: ID,
        f.TYPE: ID,
        f.PROGRAM: ID,
        f.LISTS: KEYWORD(commas=True),
        f.YEAR: ID,
        f.ORDER: ID(sortable=True),  # browsing order (see index.record_terms.browse_key)
        f.TIE: ID(sortable=True),  # name length and id (format.tie_value): best-first ranking
        f.HAN: TEXT(analyzer=HanCharTokenizer(), phrase=True),
        f.LIT: KEYWORD,
        f.WORDS: KEYWORD,
        f.PY: KEYWORD,
        f.PYF: KEYWORD,
        f.PYI: KEYWORD,
        # For Whoosh-level lookups by other tools, e.g. Prefix("pyinit", "jqr"); clsearch's
        # own matcher works per character (py, pyf, pyi, pairs).
        f.PYJOIN: KEYWORD,
        f.PYINIT: KEYWORD,
        f.PAIRS: KEYWORD,
        f.IPAIRS: KEYWORD,
        f.SPOTS: KEYWORD,  # format.spot_terms: field kind and word start of each character
    })
