"""The records file: every record in full, as JSON lines compressed in blocks of `BLOCK` records.

At 100,000 records the plain JSON lines took ~80 MB, half of the index; compressed in blocks
they take about a sixth, and a lookup by id still reads one block. Layout::

    block block … directory offset

Each block is zlib-compressed JSON lines (``Record.to_dict()``, one a line). The directory is
zlib-compressed JSON ``{"blocks": [[offset, size, [id, …]], …]}``; the last 8 bytes give its
offset (big-endian). No pickle: the query layer parses it as data, and the generation's
checksum covers the file like any other.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

BLOCK = 256  # records per block
_TRAILER = struct.Struct(">Q")

Directory = list[tuple[int, int, list[str]]]  # (offset, size, ids) per block


def write_record_file(fp: IO[bytes], records: Iterable[Mapping[str, Any]]) -> int:
    """Write `records` (plain dicts with an "id") to `fp`; returns how many."""
    return write_record_lines(fp, ((d["id"], record_line(d)) for d in records))


def record_line(d: Mapping[str, Any]) -> str:
    """One record's line in the file."""
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def write_record_lines(fp: IO[bytes], lines: Iterable[tuple[str, str]],
                       previous: dict[tuple[str, ...], tuple[bytes, bytes]] | None = None) -> int:
    """Write (id, `record_line`) pairs to `fp`; returns how many.

    `previous`: blocks of an earlier file by their ids (`old_blocks`): a block whose ids and
    lines are the same is copied compressed as it is, not compressed again.
    """
    blocks: list[list[Any]] = []
    text: list[str] = []
    ids: list[str] = []
    count = 0

    def flush() -> None:
        raw = ("\n".join(text) + "\n").encode("utf-8")
        old = previous.get(tuple(ids)) if previous else None
        data = old[1] if old is not None and old[0] == raw else zlib.compress(raw, 6)
        blocks.append([fp.tell(), len(data), list(ids)])
        fp.write(data)
        text.clear()
        ids.clear()

    for rid, line in lines:
        text.append(line)
        ids.append(rid)
        count += 1
        if len(text) == BLOCK:
            flush()
    if text:
        flush()
    at = fp.tell()
    fp.write(zlib.compress(json.dumps({"blocks": blocks}, ensure_ascii=False).encode("utf-8"), 6))
    fp.write(_TRAILER.pack(at))
    return count


class OldRecords:
    """An earlier records file, read a block at a time as needed: for a new file that
    differs from it in a few records (`write_record_changes`).

    ValueError if `raw` is not a records file.
    """

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.directory = read_directory(io.BytesIO(raw))
        self.block_of: dict[str, int] = {}
        for b, (_, _, ids) in enumerate(self.directory):
            self.block_of.update(dict.fromkeys(ids, b))
        self.by_ids = {tuple(ids): b for b, (_, _, ids) in enumerate(self.directory)}
        self._lines: dict[int, dict[str, str]] = {}

    def compressed(self, b: int) -> bytes:
        offset, size, _ = self.directory[b]
        return self.raw[offset:offset + size]

    def text(self, b: int) -> bytes:
        """Block `b`'s lines, as bytes."""
        try:
            return zlib.decompress(self.compressed(b))
        except zlib.error as exc:
            raise ValueError(f"damaged records block ({exc})") from exc

    def line(self, rid: str) -> str | None:
        """The line of record `rid`, or None if the file has no such record."""
        b = self.block_of.get(rid)
        if b is None:
            return None
        if b not in self._lines:  # lines end with "\n", which JSON never holds (str.splitlines
            # would also split at U+2028 and other separators a JSON string may hold as they are)
            self._lines[b] = dict(zip(self.directory[b][2], self.text(b).decode("utf-8").split("\n")))
        return self._lines[b].get(rid)


def write_record_changes(fp: IO[bytes], ids: Sequence[str], changed: Mapping[int, str], old: OldRecords) -> int:
    """Write the records file of records `ids` (in order) to `fp`; returns how many.

    `changed`: the lines of the records (by position) that may differ from `old`'s; every
    other record's line is `old`'s for its id. The same bytes as `write_record_lines` with
    every line: a block of the same ids without a changed record is copied as it is.
    """
    blocks: list[list[Any]] = []
    for start in range(0, len(ids), BLOCK):
        chunk = ids[start:start + BLOCK]
        b = old.by_ids.get(tuple(chunk))
        dirty = any(n in changed for n in range(start, start + len(chunk)))
        if b is not None and not dirty:
            data = old.compressed(b)
        else:
            text = []
            differs = b is None
            for n, rid in enumerate(chunk, start):
                line, kept = changed.get(n), old.line(rid)
                if line is None:
                    if kept is None:
                        raise ValueError(f"record {rid} is neither changed nor in the earlier file")
                    line = kept
                differs = differs or line != kept
                text.append(line)
            # The same ids and lines as block `b`: its bytes as they are (no second inflate to compare).
            data = old.compressed(b) if b is not None and not differs else zlib.compress(
                ("\n".join(text) + "\n").encode("utf-8"), 6)
        blocks.append([fp.tell(), len(data), list(chunk)])
        fp.write(data)
    at = fp.tell()
    fp.write(zlib.compress(json.dumps({"blocks": blocks}, ensure_ascii=False).encode("utf-8"), 6))
    fp.write(_TRAILER.pack(at))
    return len(ids)


def old_blocks(fp: IO[bytes]) -> dict[tuple[str, ...], tuple[bytes, bytes]]:
    """Every block of a records file by its ids: (its lines as bytes, its compressed bytes).
    ValueError if the file is not a records file."""
    out = {}
    for offset, size, ids in read_directory(fp):
        fp.seek(offset)
        data = fp.read(size)
        try:
            out[tuple(ids)] = (zlib.decompress(data), data)
        except zlib.error as exc:
            raise ValueError(f"damaged records block ({exc})") from exc
    return out


def read_directory(fp: IO[bytes]) -> Directory:
    """The blocks of a records file; ValueError if it is not one."""
    try:
        fp.seek(0, 2)
        end = fp.tell()
        if end < _TRAILER.size:
            raise ValueError("too short")
        fp.seek(end - _TRAILER.size)
        (at,) = _TRAILER.unpack(fp.read(_TRAILER.size))
        if not 0 <= at <= end - _TRAILER.size:
            raise ValueError("bad directory offset")
        fp.seek(at)
        data = json.loads(zlib.decompress(fp.read(end - _TRAILER.size - at)).decode("utf-8"))
        return [(int(off), int(size), list(map(str, ids))) for off, size, ids in data["blocks"]]
    except (zlib.error, UnicodeDecodeError, KeyError, TypeError, struct.error) as exc:
        raise ValueError(f"not a clsearch records file ({exc})") from exc


def read_block(fp: IO[bytes], offset: int, size: int) -> list[dict[str, Any]]:
    """The records of one block, in order; ValueError if it is damaged."""
    fp.seek(offset)
    try:
        text = zlib.decompress(fp.read(size)).decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"damaged records block ({exc})") from exc
    return [json.loads(line) for line in text.split("\n") if line.strip()]  # not splitlines: see `OldRecords.line`


def read_all(fp: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Every record of the file, in order."""
    for offset, size, _ in read_directory(fp):
        yield from read_block(fp, offset, size)


# The `related` links, kept out of the records' lines (which hold ``"related": []``): one line
# per linked pair of records, ``[a id, a name, a program, b id, b name, b program, confidence,
# reason, place, words, similarity]``, where a comes before b in the records file, in blocks
# like the records' (the directory lists each line's two ids). Pairs are in the order of their
# later record, then of their earlier one: a list added at the end of the records adds pairs
# at the end, and the blocks before them are the previous file's, byte for byte.


def link_line(a: Any, b: Any, link: Any) -> str:
    """The line of the pair of records `a` and `b` (a before b); `link`: b's `Related` to a."""
    return json.dumps([a.id, a.name, a.program, b.id, b.name, b.program, link.confidence, link.reason,
                       link.place, list(link.words), link.similarity], ensure_ascii=False, separators=(",", ":"))


def write_links(fp: IO[bytes], records: Sequence[Any], old: OldRecords | None = None,
                same: Collection[str] | None = None) -> int:
    """Write the links file of `records` (`index.records.Record`s, links made) to `fp`; returns
    the number of pairs.

    `old`: the previous links file, and `same`: the ids of the records whose pairs are as they
    were in it (`index.corpus.related_delta.RelatedState` signatures unchanged): a block of the
    same pairs, each between two such records, is copied as it is, not encoded again.
    """
    rids = [r.id for r in records]
    at = {rid: n for n, rid in enumerate(rids)}
    pairs: list[tuple[int, int, Any]] = []
    for j, r in enumerate(records):
        if r.related:
            earlier = [(i, link) for link in r.related if (i := at.get(link.id, j)) < j]
            if len(earlier) > 1:
                earlier.sort(key=_first)
            pairs += [(i, j, link) for i, link in earlier]
    blocks: list[list[Any]] = []
    for start in range(0, len(pairs), BLOCK):
        chunk = pairs[start:start + BLOCK]
        ids = [rid for i, j, _ in chunk for rid in (rids[i], rids[j])]
        b = old.by_ids.get(tuple(ids)) if old is not None and same is not None else None
        if b is not None and same is not None and all(rid in same for rid in ids):
            data = old.compressed(b) if old is not None else b""
        else:
            text = "\n".join(link_line(records[i], records[j], link) for i, j, link in chunk) + "\n"
            data = zlib.compress(text.encode("utf-8"), 6)
        blocks.append([fp.tell(), len(data), ids])
        fp.write(data)
    _write_directory(fp, blocks)
    return len(pairs)


def _first(pair: tuple[int, Any]) -> int:
    return pair[0]


LINK_KEYS = ("id", "name", "program", "confidence", "reason", "place", "words", "similarity")


def links_by_record(lines: Iterable[Any], only: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Each record's `related` links (as `Record.to_dict()` writes them: best first, then by
    id) from the lines of a links file (`write_links`, each parsed); `only`: that record's alone."""
    out: dict[str, list[dict[str, Any]]] = {}
    for a_id, a_name, a_program, b_id, b_name, b_program, confidence, reason, place, words, similarity in lines:
        if only is None or only == a_id:
            out.setdefault(a_id, []).append({"id": b_id, "name": b_name, "program": b_program, "confidence": confidence,
                                             "reason": reason, "place": place, "words": list(words),
                                             "similarity": similarity})
        if only is None or only == b_id:
            out.setdefault(b_id, []).append({"id": a_id, "name": a_name, "program": a_program, "confidence": confidence,
                                             "reason": reason, "place": place, "words": list(words),
                                             "similarity": similarity})
    for links in out.values():
        links.sort(key=lambda d: (-d["confidence"], d["id"]))
    return out


def _write_directory(fp: IO[bytes], blocks: list[list[Any]]) -> None:
    """The directory of `blocks` and the trailer giving its offset (the end of every file)."""
    at = fp.tell()
    fp.write(zlib.compress(json.dumps({"blocks": blocks}, ensure_ascii=False).encode("utf-8"), 6))
    fp.write(_TRAILER.pack(at))
