"""A field's terms as indexing makes them (`field_terms`, each character's terms made once) are
the analysis functions' terms of the field (`reading_pairs`, `initial_pairs`, `reading_grams`,
`spot_terms`, …), on every field of the bundled corpus and of records with odd characters."""

from __future__ import annotations

from functools import lru_cache

from index.analysis import han_chars, initial, initial_pairs, reading_grams, reading_pairs
from index.format import FieldKind, spot_terms
from index.prepare import document_fields, stored_document
from index.readings import Reader
from index.record_terms import field_terms
from index.records import Record
from index.vocab import cut_words, make_tokenizer


def _plain_terms(f, read, cut):
    """What `field_terms` gave before its per-character memos, from the analysis functions."""
    readings = [c[1] for c in f.chars]
    votes = tuple((ch, syls) for ch, syls, *_ in f.chars if syls)
    words = tuple((w, "".join(r[0] for r in read(w) if r)) for w in cut(f.text) if len(w) >= 2)
    grams = reading_grams(readings) if f.kind in (FieldKind.NAME, FieldKind.ALIAS) else set()
    return (frozenset(ch for _, ch in han_chars(f.text)),
            frozenset(c.lower() for c in f.text if c.isascii() and c.isalnum()),
            frozenset(s for _, syls in votes for s in syls),
            frozenset(x for _, syls in votes for x in (initial(syls[0]), syls[0][0])),
            frozenset(reading_pairs(readings)), frozenset(initial_pairs(readings)),
            tuple(sorted(grams)), votes, words, frozenset(spot_terms([f])))


def test_field_terms_are_the_analysis_functions_terms(corpus, jieba_cache):
    tok, reader = make_tokenizer(jieba_cache), Reader()
    read = lru_cache(None)(reader.read)
    cut_of = lru_cache(None)(lambda text: cut_words(tok, text))
    odd = [Record("odd-1", "ABC-3D打印(增材)产业集群 重庆 长沙", "", "p", "", "", aliases=["银川灵武羊绒", "X"],
                  builders=["长安汽车股份有限公司·研究院"], province="重庆", city="重庆市", district="长寿区"),
           Record("odd-2", "行行长长 的 乐乐", "", "p", "", "", province="湖南", city="长沙市")]
    fields = 0
    for record in [*corpus.records, *odd]:
        doc = stored_document(record, document_fields(record), read, lambda text: cut_of(text)[1])
        for f in doc.fields:
            assert tuple(field_terms(f, read, lambda text: cut_of(text)[0])) == _plain_terms(
                f, read, lambda text: cut_of(text)[0]), (record.id, f.kind, f.text)
            fields += 1
    assert fields > 1100
