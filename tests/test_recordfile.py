"""index.recordfile: records in compressed blocks, read back whole or one block at a time."""

import io

import pytest

from index import recordfile
from index.recordfile import read_all, read_block, read_directory, write_record_file


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
