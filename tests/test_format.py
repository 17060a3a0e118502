"""The contract between indexer and query layer (index/format.py), on hand-made values."""

import json
import pickle

import pytest

from index.format import (CharmapData, Channel, FieldKind, Fields, Key, Kind, LexiconData, Space,
                          StoredDoc, char_keys, decode, encode, match_field, position_key,
                          postings_field, read_charmap, read_lexicon, read_typos, unit_keys,
                          write_charmap, write_lexicon, write_typos)
from index.schema import make_schema


def li_dian_field() -> object:
    chars = [("锂", ("li",), "l"), ("电", ("dian",), "d")]
    keys = [char_keys(c, r, i, {r[0]}) for c, r, i in chars]
    return match_field(FieldKind.NAME, "锂电", chars, keys, bounds={0, 2})


def test_stored_document_round_trips_through_whoosh_pickling():
    doc = StoredDoc("m-001", "锂电产业集群", ("锂电集群",), "青海", "西宁市", None, "西宁管委会", "培育",
                    "创新型产业集群", ("most-2021",), 2021, (li_dian_field(),))
    stored = pickle.loads(pickle.dumps(encode(doc)))
    assert decode(stored) == doc
    # plain built-in values only: the stored bytes never depend on our class names
    assert b"index.format" not in pickle.dumps(encode(doc))


def test_a_stored_document_is_deflated_as_a_fresh_compressor_with_the_dictionary_does():
    import zlib

    from index.format import _doc_zdict, doc_json

    docs = [StoredDoc("m-001", "锂电产业集群", ("锂电集群",), "青海", "西宁市", None, "西宁管委会", "培育",
                      "创新型产业集群", ("most-2021",), 2021, (li_dian_field(),)),
            StoredDoc("x-2", "锂电", (), None, None, None, None, None, "p", (), None, ())]
    for doc in docs * 2:  # each document from a copy of one primed compressor: no state carried over
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _doc_zdict())
        assert encode(doc) == packer.compress(doc_json(encode(doc)).encode("utf-8")) + packer.flush()


def test_every_stored_document_is_deflated_as_at_memory_level_9(full_index):
    """The primed compressor uses memory level 8 (cheaper to copy): the bytes are those level
    9 writes, for every document of the bundled corpus."""
    import zlib

    from whoosh import index as windex

    from index.format import _doc_zdict, doc_json
    from index.store import current_generation

    with windex.open_dir(str(current_generation(full_index))).reader() as reader:
        stored = list(reader.column_reader(Fields.DOC))
    assert len(stored) == 477
    for raw in stored:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _doc_zdict())
        assert raw == packer.compress(doc_json(raw).encode("utf-8")) + packer.flush()
        assert encode(decode(raw)) == raw


def test_a_prepared_field_finds_each_unit_where_it_starts():
    f = li_dian_field()
    assert f.rank == 0 and f.bounds == frozenset({0, 2})
    assert f.starts(unit_keys(Kind.HAN, "电")) == (1,)
    assert f.starts(unit_keys(Kind.FULL, "li")) == (0,)
    assert f.starts(unit_keys(Kind.INITIAL, "d")) == (1,)
    assert list(f.starts(unit_keys(Kind.PREFIX, "di"))) == [0, 1]  # a prefix may start anywhere
    assert f.starts(unit_keys(Kind.HAN, "力")) == []
    # a homophone is found through readings only when a typo may be spent
    assert f.starts(unit_keys(Kind.HAN, "力", readings=["li"], fuzzy=["li"], allow_typos=True)) == [0]


def test_one_unit_to_keys_mapping_serves_retrieval_and_alignment():
    keys = unit_keys(Kind.HAN, "锂", readings=["li"], fuzzy=["li"], allow_typos=True)
    assert keys == (Key(Space.HANZI, "锂"), Key(Space.READING, "li"), Key(Space.FUZZY, "li"))
    assert [postings_field(k) for k in keys] == [Fields.HAN, Fields.PY, Fields.PYF]
    assert unit_keys(Kind.HAN, "锂", readings=["li"]) == (Key(Space.HANZI, "锂"),)
    assert [postings_field(k) for k in unit_keys(Kind.LIT, "g")] == [Fields.LIT]
    assert position_key(Key(Space.READING_PREFIX, "xi")) is None


def test_every_field_name_is_in_the_schema():
    names = {v for k, v in vars(Fields).items() if k.isupper()}
    assert names == set(make_schema().names())


def test_kinds_and_channels_read_as_plain_strings():
    assert Kind.FULL == "full" and f"{Channel.PINYIN}" == "pinyin" and str(FieldKind.ALIAS) == "alias"
    assert json.dumps([Channel.EXACT]) == '["exact"]'
    assert {"exact": 1}[Channel.EXACT] == 1


def test_lexicon_files_round_trip(tmp_path):
    lex = LexiconData(vocab=frozenset({"锂电", "常州"}), chars={"锂": ("li",), "长": ("chang", "zhang")},
                      pywords={"lidian": ["锂电"]}, synonyms={"锂电池": ["锂电"]},
                      stopwords=frozenset({"的"}), places=frozenset({"常州"}))
    write_lexicon(tmp_path, lex)
    assert read_lexicon(tmp_path) == lex
    charmap = CharmapData({"鋰": "li"}, {"鋰": "锂"})
    write_charmap(tmp_path, charmap)
    assert read_charmap(tmp_path) == charmap
    write_typos(tmp_path, {"lidian", "lidan", "xinyu"})
    table = read_typos(tmp_path)
    # every word under itself and each one-deletion variant; "lidan" is both a word and a variant
    assert table.get("lidan") == ("lidan", "lidian")
    assert table.get("lidian") == ("lidian",)
    assert table.get("xiny") == ("xinyu",) and table.get("inyu") == ("xinyu",)
    assert table.get("a") == () and table.get("zzz") == () and table.get("") == ()
    table.close()


@pytest.mark.parametrize("kind", list(Kind))
def test_every_unit_kind_has_keys(kind):
    assert unit_keys(kind, "a")


def test_the_tie_table_orders_documents_by_name_length_then_id(tmp_path):
    from index.format import parse_ties, tie_key, tie_value, write_ties

    names = [("常州光伏产业集群", "b-2"), ("锂电产业集群", "z-1"), ("锂电产业集群", "a-9"), ("钛产业集群", "m-0")]
    keys = [tie_key(tie_value(name, rid)) for name, rid in names]
    assert keys[0] == (8, "b-2")
    write_ties(tmp_path, keys)
    rank, order = parse_ties((tmp_path / "ties.bin").read_bytes())
    assert list(order) == [3, 2, 1, 0]  # 钛… (5), then the two of 6 by id, then 8
    assert [rank[d] for d in range(4)] == [3, 2, 1, 0]
    with pytest.raises(ValueError):
        parse_ties((tmp_path / "ties.bin").read_bytes()[:-4])
