"""Linking a re-listing of a list to the records of its clean edition.

most-national-older is an older edition of the MOST list: names only, some misspelled (夏门, 闻东, 系統),
one truncated (昌高新技术产业开发区…), some under an earlier official name (北京中关村移动互联网
创新型产业集群). Each of its names is paired with one record of most-2021-appendix3 by name similarity
(`index.corpus.names.similarity`, which folds 高新技术产业开发区 to 高新区), greedily from the most
similar pair down, one to one; a pair below MIN_SIMILARITY is no pair. Then `classify` tells a
spelling slip from an earlier name.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from .entries import Entry
from ..distance import damerau
from .names import comparable, name_key

MIN_SIMILARITY = 0.5
TYPE_BONUS = 0.05  # between equally similar candidates, prefer the one of the same type


def pair_names(variants: Sequence[Entry], records: Sequence[Entry]) -> list[int | None]:
    """For each variant, the index of its record in `records`, or None (one to one).

    Every pair is scored as `similarity` does, each name reduced once (`comparable`) and each
    record's form analysed once; a pair whose upper bounds (difflib's quick ratios) cannot
    reach MIN_SIMILARITY is no pair, and is not scored exactly.
    """
    forms = [comparable(v.name) for v in variants]
    matcher = SequenceMatcher(None, autojunk=False)
    scored = []
    for j, r in enumerate(records):
        matcher.set_seq2(comparable(r.name))
        for i, v in enumerate(variants):
            matcher.set_seq1(forms[i])
            bonus = TYPE_BONUS if v.type and v.type == r.type else 0
            if matcher.real_quick_ratio() + bonus < MIN_SIMILARITY or matcher.quick_ratio() + bonus < MIN_SIMILARITY:
                continue
            scored.append((matcher.ratio() + bonus, i, j))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    out: list[int | None] = [None] * len(variants)
    taken: set[int] = set()
    for score, i, j in scored:
        if score < MIN_SIMILARITY:
            break
        if out[i] is None and j not in taken:
            out[i] = j
            taken.add(j)
    return out


def classify(variant: str, canonical: str) -> str:
    """How a paired name relates to its record's name: "entry", "typo" or "alias".

    Same name → "entry". One character changed, dropped or added (夏门/厦门, 系統/系统,
    个体医疗/个体化医疗) → "typo": a slip of the compiler, not a name anyone gave the cluster.
    A name that starts inside the canonical one's place name (昌高新… for 南昌高新…) → "typo"
    (truncated). Anything else is an earlier official name → "alias".
    """
    if name_key(variant) == name_key(canonical):
        return "entry"
    if damerau(variant, canonical, 1) <= 1:
        return "typo"
    if any(variant[:3] == canonical[k:k + 3] for k in (1, 2)):
        return "typo"
    return "alias"
