"""index.recordfile: records in compressed blocks, read back whole or one block at a time."""

import io

import pytest

from index import recordfile
from index.recordfile import (old_blocks, read_all, read_block, read_directory, record_line, write_record_file,
                              write_record_lines)


def rows(n: int) -> list[dict]:
    return [{"id": f"list-{i:08x}", "name": f"第{i}号产业集群", "lists": ["a", "b"], "year": 2024} for i in range(n)]


def test_records_round_trip_in_order_with_a_directory_of_blocks(monkeypatch):
    monkeypatch.setattr(recordfile, "BLOCK", 4)
    fp = io.BytesIO()
    assert write_record_file(fp, rows(10)) == 10
    assert list(read_all(fp)) == rows(10)
    directory = read_directory(fp)
    assert [ids for _, _, ids in directory] == [[r["id"] for r in rows(10)[i:i + 4]] for i in (0, 4, 8)]
    offset, size, _ = directory[1]
    assert read_block(fp, offset, size) == rows(10)[4:8]  # one block alone


def test_an_empty_file_of_records_and_damage_are_told_apart():
    fp = io.BytesIO()
    assert write_record_file(fp, []) == 0
    assert list(read_all(fp)) == []
    for damaged in (b"", b"garbage", fp.getvalue()[:-3]):
        with pytest.raises(ValueError):
            read_directory(io.BytesIO(damaged))


def test_blocks_of_an_earlier_file_are_copied_and_the_file_is_the_same(monkeypatch):
    """An incremental build passes the previous file's blocks: unchanged blocks are copied
    compressed, changed ones written anew, and the bytes equal a fresh write."""
    monkeypatch.setattr(recordfile, "BLOCK", 4)
    before = io.BytesIO()
    write_record_file(before, rows(10))
    after = rows(12)
    after[5]["name"] = "改名产业集群"
    fresh = io.BytesIO()
    write_record_file(fresh, after)
    compressed = []
    real = recordfile.zlib.compress
    monkeypatch.setattr(recordfile.zlib, "compress", lambda data, level: compressed.append(data) or real(data, level))
    reused = io.BytesIO()
    write_record_lines(reused, ((d["id"], record_line(d)) for d in after), old_blocks(before))
    assert reused.getvalue() == fresh.getvalue()
    assert len(compressed) == 3  # block 2 (changed), block 3 (two more records), the directory


def test_a_file_from_an_earlier_one_and_the_changed_lines_is_a_fresh_write(monkeypatch):
    """`write_record_changes`: the lines of the changed records (by position) and the earlier
    file's for every other id, records moved from block to block (one removed from the front):
    the bytes of a fresh write; blocks of the same ids and no change copied compressed."""
    from index.recordfile import OldRecords, write_record_changes

    monkeypatch.setattr(recordfile, "BLOCK", 4)
    before = io.BytesIO()
    write_record_file(before, rows(12))
    old = OldRecords(before.getvalue())
    assert old.line("list-00000003") == record_line(rows(12)[3]) and old.line("nope") is None
    after = rows(14)
    after[9]["name"] = "改名产业集群"
    changed = {9: record_line(after[9]), 12: record_line(after[12]), 13: record_line(after[13])}
    compressed = []
    real = recordfile.zlib.compress
    monkeypatch.setattr(recordfile.zlib, "compress", lambda data, level: compressed.append(data) or real(data, level))
    got = io.BytesIO()
    assert write_record_changes(got, [d["id"] for d in after], changed, old) == 14
    assert len(compressed) == 3  # blocks 3 and 4 and the directory
    fresh = io.BytesIO()
    write_record_file(fresh, after)
    assert got.getvalue() == fresh.getvalue()
    moved = rows(12)[1:]  # every record one place earlier: each block is made from the earlier lines
    got = io.BytesIO()
    write_record_changes(got, [d["id"] for d in moved], {}, old)
    fresh = io.BytesIO()
    write_record_file(fresh, moved)
    assert got.getvalue() == fresh.getvalue()
    with pytest.raises(ValueError):  # a record neither changed nor in the earlier file
        write_record_changes(io.BytesIO(), ["list-00000001", "new"], {}, old)


def test_a_line_holding_a_unicode_line_separator_is_one_line(monkeypatch):
    """JSON keeps U+2028, U+0085 or a form feed inside a string as they are (ensure_ascii off):
    an earlier file's lines are split at "\\n" alone, so such a record keeps its own line and
    a changed neighbour's block is still the bytes of a fresh write; a block whose changed
    line is the one it holds is copied, not compressed again."""
    from index.recordfile import OldRecords, write_record_changes

    monkeypatch.setattr(recordfile, "BLOCK", 4)
    before = rows(8)
    before[1]["name"] = "甲\u2028乙\x85丙\x0c丁产业集群"
    fp = io.BytesIO()
    write_record_file(fp, before)
    old = OldRecords(fp.getvalue())
    assert old.line(before[1]["id"]) == record_line(before[1])
    assert old.line(before[2]["id"]) == record_line(before[2])
    after = [dict(d) for d in before]
    after[2]["name"] = "改名产业集群"
    compressed = []
    real = recordfile.zlib.compress
    monkeypatch.setattr(recordfile.zlib, "compress", lambda data, level: compressed.append(data) or real(data, level))
    got = io.BytesIO()
    write_record_changes(got, [d["id"] for d in after], {2: record_line(after[2]), 5: record_line(after[5])}, old)
    assert len(compressed) == 2  # the first block and the directory: line 5 is as it was
    fresh = io.BytesIO()
    write_record_file(fresh, after)
    assert got.getvalue() == fresh.getvalue()


def _linked(n: int) -> list:
    """`n` records of two programs, each linked to the next two of the other program."""
    from index.records import Record, Related

    records = [Record(id=f"r{i:03d}", name=f"第{i}号产业集群", short_name=f"第{i}号", program="AB"[i % 2],
                      issuer="", list_title="") for i in range(n)]
    for i, a in enumerate(records):
        for b in records[i + 1:i + 4]:
            if a.program != b.program:
                score = round(0.5 + (i % 7) / 20, 2)
                a.related.append(Related(b.id, b.name, b.program, score, f"同地 {i}", "常州市", ["光伏"], 0.75))
                b.related.append(Related(a.id, a.name, a.program, score, f"同地 {i}", "常州市", ["光伏"], 0.75))
    for r in records:
        r.related.sort(key=lambda rel: (-rel.confidence, rel.id))
    return records


def test_links_are_kept_once_per_pair_and_read_back_as_each_records_own(monkeypatch):
    from index.recordfile import links_by_record, write_links

    monkeypatch.setattr(recordfile, "BLOCK", 4)
    records = _linked(20)
    fp = io.BytesIO()
    assert write_links(fp, records) == sum(len(r.related) for r in records) // 2 == 36
    links = links_by_record(read_all(fp))
    assert [links.get(r.id, []) for r in records] == [r.to_dict()["related"] for r in records]
    assert links_by_record(read_all(fp), only="r005") == {"r005": records[5].to_dict()["related"]}
    directory = read_directory(fp)
    assert directory[0][2] == ["r000", "r001", "r001", "r002", "r000", "r003", "r002", "r003"]  # by the later record
    assert len(directory) == 9
    empty = io.BytesIO()
    assert write_links(empty, _linked(1)) == 0 and list(read_all(empty)) == []


def test_links_of_records_added_at_the_end_leave_the_earlier_blocks_as_they_were(monkeypatch):
    from index.recordfile import OldRecords, write_links

    monkeypatch.setattr(recordfile, "BLOCK", 4)
    before = io.BytesIO()
    write_links(before, _linked(20))
    old = OldRecords(before.getvalue())
    more = _linked(26)  # six more records (linked to the last earlier ones): their pairs come after every earlier one
    fresh, reused, touched = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_links(fresh, more)
    write_links(reused, more, old, {r.id for r in more[:20]})
    assert reused.getvalue() == fresh.getvalue()  # the same bytes, earlier blocks copied
    calls = []
    real = recordfile.link_line
    monkeypatch.setattr(recordfile, "link_line", lambda *a: calls.append(a) or real(*a))
    write_links(reused, more, old, {r.id for r in more[:20]})
    assert len(calls) == 12  # the new pairs alone: the 9 earlier blocks are copied
    calls.clear()
    write_links(touched, more, old, {r.id for r in more[:20]} - {"r002"})  # r002 is not as it was
    assert len(calls) == 4 + 4 + 12 and touched.getvalue() == fresh.getvalue()  # the 2 blocks with r002 again
