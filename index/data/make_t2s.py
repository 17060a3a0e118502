"""Rebuild t2s_chars.tsv, the traditional → simplified character table, from OpenCC's data.

Reads OpenCC's ``TSCharacters.txt`` (``traditional<TAB>candidate candidate ...`` per line) and
writes one ``traditional<TAB>simplified`` line per single character, taking the first candidate
and leaving out characters that map to themselves. The table is committed, so neither opencc
package is a runtime dependency; this script is only run by hand after upgrading the dictionary::

    python index/data/make_t2s.py                       # opencc-python-reimplemented's copy
    python index/data/make_t2s.py TSCharacters.txt out.tsv

Like pypinyin's dictionary builders, ``main`` takes file objects so it can be tested on strings.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TextIO

HEADER = """\
# t2s_chars.tsv: traditional -> simplified Chinese characters, one pair per line
#
# Format: traditional<TAB>simplified, one character each, UTF-8. Lines starting with "#" are
# comments. Characters that are the same in both scripts are not listed.
#
# Source: OpenCC's TSCharacters.txt, first candidate of each single character, from
# {source}.
#
# How to extend: do not edit by hand. Regenerate with `python index/data/make_t2s.py` (see its
# docstring) after upgrading the dictionary, and commit the result. The query layer converts only
# characters that do not occur in the indexed corpus, so a real name is never rewritten
# (乾潭 stays 乾潭 although this table maps 乾 to 干).
"""


def parse(line: str) -> tuple[str, str] | None:
    """One TSCharacters.txt line → (traditional, simplified), or None if it yields no pair.

    >>> parse("鋰\\t锂\\n")
    ('鋰', '锂')
    >>> parse("乾\\t干 乾")
    ('乾', '干')
    >>> parse("瞭\\t瞭 了") is None  # first candidate is the character itself
    True
    """
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != 2 or not fields[1]:
        return None
    trad, simp = fields[0], fields[1].split(" ")[0]
    if len(trad) != 1 or len(simp) != 1 or trad == simp:
        return None
    return trad, simp


def main(in_fp: TextIO, out_fp: TextIO, source: str = "TSCharacters.txt") -> int:
    """Write the table for the OpenCC file `in_fp` to `out_fp`; return the number of pairs."""
    out_fp.write(HEADER.format(source=source))
    count = 0
    for line in in_fp:
        if line.startswith("#"):
            continue
        pair = parse(line)
        if pair is not None:
            out_fp.write(f"{pair[0]}\t{pair[1]}\n")
            count += 1
    return count


def _default_source() -> Path:
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("opencc-python-reimplemented is not installed; pass the path of TSCharacters.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "TSCharacters.txt"


def _describe(src: Path) -> str:
    try:
        from importlib.metadata import version

        return f"opencc-python-reimplemented {version('opencc-python-reimplemented')}"
    except Exception:  # noqa: BLE001 - only decorates the header
        return src.name


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else _default_source()
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).with_name("t2s_chars.tsv")
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8", newline="\n") as fout:
        n = main(fin, fout, source=_describe(src))
    print(f"{dst}: {n} characters")
