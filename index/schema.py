"""The Whoosh schema, defined once, and the analyzer classes it pickles by import path.

Whoosh stores the schema with its analyzers' import paths, so the tokenizer must live in a
stable module (here). Field names come from `index.format`, the contract with the query layer;
bump `format.SCHEMA_VERSION` whenever a field or analyzer changes.
"""

from __future__ import annotations

from whoosh import formats
from whoosh.analysis import IDAnalyzer, Token, Tokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, FieldType, Schema

from index.analysis import han_chars
from index.format import SCHEMA_VERSION, Fields

__all__ = ["HanCharTokenizer", "SCHEMA_VERSION", "Terms", "make_schema"]


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


class Terms(FieldType):
    """An indexed field whose value is already its set of terms: no analyzer runs at build time.

    Postings only record which documents hold a term (`formats.Existence`): the query layer
    reads document sets, never frequencies, positions or lengths. Written in bulk by
    `index.segment.SegmentBuilder`; at query time a term is looked up as given.
    """

    def __init__(self) -> None:
        super().__init__(formats.Existence(), IDAnalyzer())

    def index(self, value, **kwargs):
        return ((t.encode("utf-8"), 1, 1.0, b"") for t in dict.fromkeys(value))


def make_schema() -> Schema:
    """Fields: filters (province … year), hanzi chars, letters, and the pinyin channels.

    Every indexed field is a `Terms` field; ``order`` and ``id`` are per-document columns
    (browsing order; the id that an incremental build deletes by; ``doc`` the stored document).
    """
    f = Fields
    return Schema(**{
        f.ID: COLUMN(VarBytesColumn()),
        f.DOC: COLUMN(VarBytesColumn()),  # format.encode: the document the matcher reads
        f.PROVINCE: Terms(),
        f.CITY: Terms(),
        f.DISTRICT: Terms(),
        f.TYPE: Terms(),
        f.PROGRAM: Terms(),
        f.LISTS: Terms(),
        f.YEAR: Terms(),
        f.ORDER: COLUMN(VarBytesColumn()),  # browsing order (see index.record_terms.browse_key)
        f.TIE: COLUMN(VarBytesColumn()),  # name length and id (format.tie_value); ties.bin is made of it
        f.HAN: Terms(),
        f.LIT: Terms(),
        f.PY: Terms(),
        f.PYF: Terms(),
        f.PYI: Terms(),
        f.PAIRS: Terms(),
        f.IPAIRS: Terms(),
        f.SPOTS: Terms(),  # format.spot_terms: field kind and word start of each character
    })
