#!/usr/bin/env python
"""Generate index/data/lookalikes.tsv: characters of the same shape (形近字), for OCR/retyping errors.

    pip download --no-deps char-similar==0.0.2 && unzip -o char_similar-0.0.2-*.whl 'char_similar/data/*'
    pip install rapidfuzz        # the generator's only dependency (edit distances in C)
    python index/data/make_lookalikes.py char_similar/data [index/data/lookalikes.tsv]

Source: the glyph tables of char-similar 0.0.2 (MIT, github.com/yongzhuo/char-similar): four-corner
codes (四角号码), stroke orders (笔顺), stroke counts, first-level decompositions (拆字) and
structure types. Converted once and committed; char-similar is never a dependency of clsearch.

Scope: every GB 2312 character (levels 1 and 2: what people type and OCR reads, 夭 and 钖 are
level 2) compared with the 3,755 level-1 characters plus every hanzi of the seed documents (the
characters names are written with). Two characters are look-alikes when one of these holds:

A. their stroke counts differ by at most one and their shapes agree (`shape_score` ≥ THRESHOLD):
   the stroke orders are nearly the same, and the four-corner code or the decomposition agrees;
B. their stroke orders differ by one stroke, added, dropped or changed (木/本, 戊/戌, 候/侯);
C. their stroke orders share most strokes in order (LCS similarity ≥ ORDER_CLOSE) and their stroke
   counts differ by at most MAX_GAP (全/金, 潮/湖, 亲/新, 遣/造): the same glyph with a part more;
D. one is a component of the other and the rest is at most three strokes (川/州: 州 = 川 + 丶丶丶).

Each character keeps its best `PER_CHAR` partners by rule A among the core characters (by
`shape_score`: exactly the first version of this table), a level-2 character its best `PER_CHAR`
core partners by rule A, and every character its best `PER_CHAR` by rules B-D (by
`rank_score`); the relation is made symmetric. Deterministic (sorted everywhere).

The failures these rules answer (issue 7): with A alone and level 1 only, 夭/天, 钖/锡, 杌/机 were
out of scope, and 木/本, 全/金, 潮/湖, 川/州, 亲/新 were missed although every OCR list has them.

Output: one line per character, `char<TAB>look-alikes` (no separator inside the second column),
e.g. `己<TAB>已巳`.
"""

from __future__ import annotations

import json
import sys
from difflib import SequenceMatcher
from pathlib import Path

from rapidfuzz.distance import Indel, Levenshtein

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
THRESHOLD = 0.60
ORDER_CLOSE = 0.75
MAX_GAP = 5
PER_CHAR = 8


def gb2312_level1() -> list[str]:
    return gb2312(0xD8)


def gb2312(end: int = 0xF8) -> list[str]:
    """GB 2312 hanzi: level 1 is rows 0xB0-0xD7, level 2 rows 0xD8-0xF7."""
    out = []
    for hi in range(0xB0, end):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def seed_chars() -> set[str]:
    chars = set()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        chars |= {c for c in path.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"}
    return chars


def shape_score(a: str, b: str, t: dict) -> float:
    """How alike two glyphs look, 0..1: stroke order first, then four-corner code and parts."""
    oa, ob = t["order"].get(a, ""), t["order"].get(b, "")
    if not oa or not ob:
        return 0.0
    order = SequenceMatcher(None, oa, ob, autojunk=False).ratio()
    fa, fb = t["fourangle"].get(a, ""), t["fourangle"].get(b, "")
    corners = sum(x == y for x, y in zip(fa[:4], fb[:4])) / 4 if fa and fb else 0.0
    sa, sb = set(t["stroke"].get(a, ())), set(t["stroke"].get(b, ()))
    parts = len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    return 0.6 * order + 0.25 * corners + 0.15 * parts


def alike_a(a: str, b: str, t: dict) -> bool:
    """Rule A of the module docstring."""
    gap = abs(int(t["number"].get(a, 0)) - int(t["number"].get(b, 0)))
    return gap <= 1 and shape_score(a, b, t) >= THRESHOLD


def alike_bcd(a: str, b: str, t: dict) -> bool:
    """Rules B-D of the module docstring."""
    oa, ob = t["order"][a], t["order"][b]
    gap = abs(int(t["number"].get(a, 0)) - int(t["number"].get(b, 0)))
    if min(len(oa), len(ob)) >= 3 and Levenshtein.distance(oa, ob) <= 1:
        return True
    if gap <= MAX_GAP and Indel.normalized_similarity(oa, ob) >= ORDER_CLOSE:
        return True
    return contains(a, b, t) or contains(b, a, t)


def rank_score(a: str, b: str, t: dict) -> float:
    """What orders a character's partners: `shape_score`, with the strongest evidence first
    (one stroke apart, B; one glyph inside the other, D)."""
    oa, ob = t["order"][a], t["order"][b]
    bonus = 0.5 if min(len(oa), len(ob)) >= 3 and Levenshtein.distance(oa, ob) <= 1 else 0.0
    if contains(a, b, t) or contains(b, a, t):
        bonus += 0.2
    return shape_score(a, b, t) + bonus


def contains(part: str, whole: str, t: dict) -> bool:
    """`whole` is `part` plus at most three strokes (州 = 川 + 丶丶丶)."""
    comps = list(t["stroke"].get(whole, ()))
    if part not in comps or len(t["order"][part]) < 3:
        return False
    comps.remove(part)
    return sum(len(t["order"].get(c, "xxxx")) for c in comps) <= 3


def build(data_dir: Path) -> dict[str, list[str]]:
    t = {n: json.loads((data_dir / f"char_{n}.dict").read_text(encoding="utf-8"))
         for n in ("order", "fourangle", "stroke", "number")}
    core = sorted((set(gb2312_level1()) | seed_chars()) & set(t["order"]))
    typed = sorted((set(gb2312()) | set(core)) & set(t["order"]))
    by_count: dict[int, list[str]] = {}
    for c in typed:
        by_count.setdefault(int(t["number"].get(c, 0)), []).append(c)
    core_set = set(core)
    by_a: dict[str, dict[str, float]] = {c: {} for c in typed}  # rule A within the core
    by_a2: dict[str, dict[str, float]] = {c: {} for c in typed}  # rule A, a level-2 character
    by_bcd: dict[str, dict[str, float]] = {c: {} for c in typed}
    for c in core:
        n = int(t["number"].get(c, 0))
        for m in range(n - MAX_GAP, n + MAX_GAP + 1):
            for d in by_count.get(m, ()):
                if d == c or d in by_a[c] or d in by_a2[c] or d in by_bcd[c]:
                    continue
                if abs(m - n) <= 1 and alike_a(c, d, t):
                    s = shape_score(c, d, t)
                    if d in core_set:
                        by_a[c][d] = by_a[d][c] = s
                    else:
                        by_a2[d][c] = s
                elif alike_bcd(c, d, t):
                    by_bcd[c][d] = by_bcd[d][c] = rank_score(c, d, t)
    table = {}
    for c in typed:
        best = []
        for group in (by_a, by_a2, by_bcd):
            ranked = sorted(group[c].items(), key=lambda x: (-x[1], x[0]))[:PER_CHAR]
            best += [d for d, _ in ranked if d not in best]
        if best:
            table[c] = best
    for c, ds in list(table.items()):  # symmetric
        for d in ds:
            if c not in table.setdefault(d, []):
                table[d].append(c)
    return table


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    dst = Path(argv[1]) if len(argv) > 1 else HERE / "lookalikes.tsv"
    table = build(Path(argv[0]))
    header = [
        "# Look-alike characters (形近字): char<TAB>characters of nearly the same shape.",
        "# Generated by make_lookalikes.py from char-similar 0.0.2's glyph tables (MIT): stroke",
        "# order, four-corner code, decomposition (rules A-D of the script). Do not edit by hand: regenerate.",
    ]
    with dst.open("w", encoding="utf-8", newline="\n") as fp:
        fp.write("\n".join(header) + "\n")
        for c in sorted(table):
            fp.write(f"{c}\t{''.join(table[c])}\n")
    print(f"{len(table)} characters with look-alikes → {dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
