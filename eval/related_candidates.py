"""Candidates for eval/related_judged.tsv: every cross-program pair index.related scores above 0 (index.corpus.related).

    python eval/related_candidates.py              # all scored pairs, best first, with their verdicts
    python eval/related_candidates.py --unjudged   # only the pairs not yet judged (exit 1 if any)

A pair is scored when the two records share a place and some industry characters; the linker
keeps those at or above index.corpus.related.MIN_CONFIDENCE. Judge each pair from the records
(`clsearch export`), not from its score, and add it to related_judged.tsv with a note.
"""

from __future__ import annotations

import sys
from pathlib import Path

from index.corpus.load import load_corpus, load_groups
from index.corpus.places import load_regions
from index.corpus.related import MIN_CONFIDENCE, candidate_pairs, pair_score

JUDGED = Path(__file__).with_name("related_judged.tsv")


def judged(path: Path = JUDGED) -> dict[frozenset, str]:
    """Pair of ids → verdict (link / missed / reject)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            id_a, _, id_b, _, verdict, _ = line.split("\t")
            out[frozenset((id_a, id_b))] = verdict
    return out


def scored_pairs(records, regions, groups):
    rows = []
    for a, b in candidate_pairs(records):
        score = pair_score(a, b, regions, groups)
        if score.place_factor and score.similarity > 0:
            rows.append((score, a, b))
    return sorted(rows, key=lambda t: (-t[0].confidence, t[1].id, t[2].id))


def main(argv: list[str]) -> int:
    verdicts = judged()
    records = load_corpus().records
    unjudged = 0
    for score, a, b in scored_pairs(records, load_regions(), load_groups()):
        verdict = verdicts.get(frozenset((a.id, b.id)), "UNJUDGED")
        unjudged += verdict == "UNJUDGED"
        if "--unjudged" in argv and verdict != "UNJUDGED":
            continue
        kept = "linked" if score.confidence >= MIN_CONFIDENCE else "-"
        print(f"{score.confidence:.2f}  {kept:6}  {verdict:8}  {a.id} {a.name}  ~  {b.id} {b.name}  [{score.place}; {'、'.join(score.words)}]")
    return 1 if unjudged and "--unjudged" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
