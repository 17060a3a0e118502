"""index.segment: documents given as sets of terms, written in Whoosh's own segment format."""

import pytest
from whoosh import index as windex
from whoosh.fields import ID, STORED, TEXT, Schema

from index.schema import Terms
from index.segment import SegmentBuilder


def schema() -> Schema:
    return Schema(tag=Terms(), kind=ID(sortable=True), doc=STORED)


def build(path, docs) -> None:
    ix = windex.create_in(str(path), schema())
    writer = SegmentBuilder(ix)
    for fields in docs:
        writer.add_terms(fields)
    writer.commit()


def postings(path, field, term) -> list[int]:
    with windex.open_dir(str(path)).reader() as reader:
        return list(reader.postings(field, term).all_ids())


def test_every_term_reads_back_with_exactly_its_documents(tmp_path):
    # 300 documents: "all" spans three of Whoosh's 128-posting blocks, "odd" two
    build(tmp_path, [{"tag": {"all", "odd" if n % 2 else "even", f"n{n}"}, "kind": "x" if n < 5 else "y",
                      "doc": {"n": n}} for n in range(300)])
    assert postings(tmp_path, "tag", "all") == list(range(300))
    assert postings(tmp_path, "tag", "odd") == list(range(1, 300, 2))
    assert postings(tmp_path, "tag", "n7") == [7]
    assert postings(tmp_path, "kind", "x") == [0, 1, 2, 3, 4]  # an ID field: the whole value is one term
    with windex.open_dir(str(tmp_path)).searcher() as s:
        assert s.stored_fields(299) == {"doc": {"n": 299}}
        assert list(s.reader().column_reader("kind"))[:6] == ["x"] * 5 + ["y"]
        assert sorted(s.lexicon("tag"))[:3] == [b"all", b"even", b"n0"]


def test_a_term_given_twice_is_one_posting(tmp_path):
    build(tmp_path, [{"tag": ["a", "a", "b"]}, {"tag": ["a"]}])
    assert postings(tmp_path, "tag", "a") == [0, 1]


def test_documents_go_through_add_terms_only(tmp_path):
    ix = windex.create_in(str(tmp_path), schema())
    writer = SegmentBuilder(ix)
    with pytest.raises(TypeError):
        writer.add_document(tag="a")
    writer.cancel()


def test_a_field_that_keeps_positions_is_refused(tmp_path):
    ix = windex.create_in(str(tmp_path), Schema(text=TEXT))
    writer = SegmentBuilder(ix)
    with pytest.raises(TypeError):
        writer.add_terms({"text": "a b"})
    writer.cancel()


def test_blocks_written_without_whooshs_per_posting_loops_are_its_own_bytes(tmp_path, monkeypatch):
    """`_quicker_blocks` replaces two Python loops of Whoosh's block write (weights, id
    deltas): the postings file and the term table are the bytes Whoosh's own code writes."""
    import index.segment

    docs = [{"tag": {"all", "odd" if n % 2 else "even", f"n{n % 7}"}, "kind": "x" if n < 5 else "y"}
            for n in range(1000)]  # "all": eight 128-posting blocks, "n3": one and a part
    (tmp_path / "quick").mkdir()
    (tmp_path / "plain").mkdir()
    build(tmp_path / "quick", docs)
    monkeypatch.setattr(index.segment, "_quicker_blocks", lambda post: None)
    build(tmp_path / "plain", docs)
    for suffix in (".pst", ".trm"):
        quick, = (tmp_path / "quick").glob(f"*{suffix}")
        plain, = (tmp_path / "plain").glob(f"*{suffix}")
        assert quick.read_bytes() == plain.read_bytes(), suffix
    assert postings(tmp_path / "quick", "tag", "odd") == list(range(1, 1000, 2))


def test_a_writer_leaves_no_reference_cycle_behind(tmp_path):
    # Whoosh's FileStorage.create keeps a caught error in a local: a cycle that held every
    # frame above it (a whole build's records) until the cyclic collector ran
    import gc
    import weakref

    class Held:
        pass

    def write() -> weakref.ref:
        held = Held()  # what a caller's frame holds while its writer is made
        ix = windex.create_in(str(tmp_path), schema())
        writer = SegmentBuilder(ix)
        writer.add_terms({"tag": {"a"}})
        writer.commit()
        return weakref.ref(held)

    enabled = gc.isenabled()
    gc.disable()
    try:
        held = write()
        assert held() is None  # freed by reference counting alone
    finally:
        if enabled:
            gc.enable()
