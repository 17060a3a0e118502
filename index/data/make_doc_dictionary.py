"""Rebuild doc_dictionary.txt, the preset dictionary the stored documents are compressed with.

A stored document (`index.format.encode`) is ~600 bytes of JSON: its texts, each character's
readings, its word bounds. Compressed alone it keeps most of that; compressed with a preset
dictionary of typical documents (zlib's ``zdict``), about 170. The dictionary is the JSON of
the bundled seeds' documents, the last ones up to `SIZE` bytes (deflate looks back 32 KiB at
most). It is data of the code, like any table here: changing it changes the code fingerprint,
so every index is rebuilt with it. Run by hand from a checkout after changing the encoding::

    python index/data/make_doc_dictionary.py GENERATION index/data/doc_dictionary.txt

where GENERATION is a generation directory of an index of the bundled seeds alone (for
example the default index, ``clsearch index build`` then ``gen-*`` under its directory).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

SIZE = 31 * 1024  # bytes of documents (under deflate's 32 KiB window, with the header)
HEADER = "# doc_dictionary.txt: zlib preset dictionary of stored documents (index/data/make_doc_dictionary.py)\n"


def main(generation: Path, out_fp: TextIO) -> None:
    from whoosh import index as windex

    from index.format import Fields, doc_json

    lines: list[str] = []
    with windex.open_dir(str(generation)).searcher() as s:
        for raw in s.reader().column_reader(Fields.DOC):
            lines.append(doc_json(raw) + "\n")
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(line.encode("utf-8"))
        if size > SIZE:
            break
        kept.append(line)
    out_fp.write(HEADER + "".join(reversed(kept)))


if __name__ == "__main__":
    with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as out:
        main(Path(sys.argv[1]), out)
