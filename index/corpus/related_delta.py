"""`link_related` again after a change, scoring only the pairs that involve a changed record.

A full `index.corpus.related.link_related` scores every candidate pair of the corpus. After a
list is added or removed, a pair of two records that are both as they were (same id, name,
program, place and position in the record order) scores as it did: its link, if any, is
taken from the previous build (`RelatedState`). Only the pairs with a new, changed or removed
record are looked for and scored, exactly as `candidate_pairs` would find and orient them, so
the links equal a full run's (tests/test_related.py compares them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..records import Record, Related
from .cache import digest
from .places import Regions
from .related import MIN_CONFIDENCE, _Canon, _may_reach, _Prepared, _reason, link_related, pair_score



@dataclass
class RelatedState:
    """What one run of the links leaves for the next (kept by `index.corpus.cache`)."""

    sigs: dict[str, bytes] = field(default_factory=dict)  # record id → digest of what its links depend on
    related: dict[str, list[Related]] = field(default_factory=dict)  # record id → its links
    parts: dict[str, str] = field(default_factory=dict)  # record id → its industry part (`_Prepared.part`)


def _sig(r: Record) -> bytes:
    return digest((r.name, r.program, r.province, r.city, r.district, r.lists[0] if r.lists else "",
                   r.sources[0].line if r.sources else 0))


def link_related_from(state: RelatedState | None, records: Sequence[Record], regions: Regions,
                      groups: Sequence[Sequence[str]] = (), min_confidence: float = MIN_CONFIDENCE,
                      touched: set[str] | None = None, same: Collection[str] = ()) -> RelatedState:
    """Set `related` on every record as `link_related` would; returns the state for next time.

    `state`: the previous run's (None: a full run). `touched`: filled with the ids of the
    records whose links may differ from the ones `state` holds for their id (every id on a
    full run). `same`: ids of records known to be the ones `state` saw under their id
    (`index.corpus.load`: made from the same listings): their signatures are not made again.
    """
    prep = _Prepared(regions, _Canon(groups))
    old_sigs, old_parts = (state.sigs, state.parts) if state is not None else ({}, {})
    sigs: dict[str, bytes] = {}
    parts: dict[str, str] = {}
    for r in records:
        rid = r.id
        old = old_sigs.get(rid)
        sig = sigs[rid] = old if old is not None and rid in same else _sig(r)
        # a part depends on name and place alone, which the signature covers
        found = old_parts.get(rid) if old == sig else None
        parts[rid] = found if found is not None else prep.part(r)[0]
    if state is None or not _same_order(state, records):
        link_related(records, regions, groups, min_confidence, prepared=prep)  # its parts are done
        if touched is not None:
            touched.update(r.id for r in records)
    else:
        _relink(state, records, sigs, regions, prep, [parts[r.id] for r in records], min_confidence,
                touched if touched is not None else set())
    return RelatedState(sigs=sigs,
                        related={r.id: list(r.related) for r in records if r.related}, parts=parts)


def _same_order(state: RelatedState, records: Sequence[Record]) -> bool:
    """Whether the records that were there before come in the same order (a pair is oriented
    by the order: `candidate_pairs`)."""
    now = [r.id for r in records if r.id in state.sigs]
    kept = set(now)
    return now == [rid for rid in state.sigs if rid in kept]


def _relink(state: RelatedState, records: Sequence[Record], sigs: dict[str, bytes], regions: Regions,
            prep: _Prepared, parts: list[str], min_confidence: float, touched: set[str]) -> None:
    ids = {r.id for r in records}
    dirty = {n for n, r in enumerate(records) if state.sigs.get(r.id) != sigs[r.id]}
    stale = {r.id for r in (records[n] for n in dirty)} | {rid for rid in state.sigs if rid not in ids}
    # Parts repeat (the same industry in many places): each one's character pairs are made once.
    pairs_of: dict[str, frozenset[str]] = {}
    for part in parts:
        if part not in pairs_of:
            pairs_of[part] = (frozenset(part[i:i + 2] for i in range(len(part) - 1)) if len(part) >= 2
                              else frozenset({"*"}))
    keys = [pairs_of[part] for part in parts]
    sizes = [len(part) if "*" not in k else 0 for part, k in zip(parts, keys)]
    # The blocking lists a changed record looks in (below), and only those: the pairs of its
    # part in its own city, or in its province when it has no city (`candidate_pairs`).
    want_city: dict[tuple, set[str]] = defaultdict(set)  # (province, city) → keys looked up there
    want_no_city: dict[str, set[str]] = defaultdict(set)  # province → keys of records without a city
    want_province: dict[str, set[str]] = defaultdict(set)  # province → keys of every record
    for n in dirty:
        d = records[n]
        if not d.province:
            continue
        if d.city:
            want_city[(d.province, d.city)] |= keys[n] | {"*"}
            want_no_city[d.province] |= keys[n] | {"*"}
        else:
            want_province[d.province] |= keys[n] | {"*"}
    stars = any("*" in keys[n] for n in dirty)  # a one-character part is compared with every record near it
    by_city: dict[tuple, list[int]] = defaultdict(list)  # (province, city, key) → records with a city
    by_province: dict[tuple, list[int]] = defaultdict(list)  # (province, key) → every record
    no_city: dict[tuple, list[int]] = defaultdict(list)  # (province, key) → records without a city
    in_city: dict[tuple, list[int]] = defaultdict(list)
    in_province: dict[str, list[int]] = defaultdict(list)
    star_nocity: dict[str, list[int]] = defaultdict(list)
    for n, r in enumerate(records):
        province, city = r.province, r.city
        if not province:
            continue
        if stars:
            in_province[province].append(n)
            if city:
                in_city[(province, city)].append(n)
            else:
                star_nocity[province].append(n)
        wanted = want_city.get((province, city)) if city else want_no_city.get(province)
        if wanted is not None:
            for k in keys[n] & wanted:
                if city:
                    by_city[(province, city, k)].append(n)
                else:
                    no_city[(province, k)].append(n)
        wanted = want_province.get(province)
        if wanted is not None:
            for k in keys[n] & wanted:
                by_province[(province, k)].append(n)
    def part_size(n: int, district: str | None) -> int:
        """`len(prep.part(records[n], district)[0])`: the plain part's (known) unless `part`
        reads the other's district into the name (the same test as `_Prepared.part`)."""
        r = records[n]
        if not district or r.district or not prep._starts_with(r, district):
            return len(parts[n])
        return len(prep.part(r, district)[0])

    links: dict[str, list[Related]] = defaultdict(list)  # the links found now
    done: set[tuple[int, int]] = set()
    for n in sorted(dirty):
        d = records[n]
        if not d.province:
            continue
        near: set[int] = set()
        if d.city:
            for k in keys[n] | {"*"}:
                near.update(by_city.get((d.province, d.city, k), ()))
                near.update(no_city.get((d.province, k), ()))
            if "*" in keys[n]:
                near.update(in_city[(d.province, d.city)])
                near.update(star_nocity[d.province])
        else:
            for k in keys[n] | {"*"}:
                near.update(by_province.get((d.province, k), ()))
            if "*" in keys[n]:
                near.update(in_province[d.province])
        for m in near:
            pair = (min(n, m), max(n, m))
            if m == n or pair in done:
                continue
            done.add(pair)
            x = records[m]
            if d.city and x.city:
                if d.city != x.city:
                    continue
                a, b = pair
            elif d.city:
                a, b = m, n
            elif x.city:
                a, b = n, m
            else:
                a, b = pair
            ra, rb = records[a], records[b]
            if ra.program == rb.program:
                continue
            shared = len((keys[a] | {"*"}) & keys[b]) + ("*" in keys[a])
            if not shared:
                continue
            if sizes[a] and sizes[b]:
                # `part_size`, called only where it may differ from the plain part's size
                size_a = part_size(a, rb.district) if rb.district and not ra.district else sizes[a]
                size_b = part_size(b, ra.district) if ra.district and not rb.district else sizes[b]
                if size_a and size_b and not _may_reach(shared, size_a, size_b, min_confidence):
                    continue
            score = pair_score(ra, rb, regions, prepared=prep)
            if score.confidence < min_confidence:
                continue
            for p, q in ((ra, rb), (rb, ra)):
                links[p.id].append(Related(id=q.id, name=q.name, program=q.program, confidence=score.confidence,
                                           reason=_reason(score), place=score.place, words=list(score.words),
                                           similarity=score.similarity))
    # The records linked to a stale one (a link is held by both of its records): only their
    # kept links are filtered.
    related = state.related
    near_stale = {rel.id for rid in stale for rel in related.get(rid, ())}
    for r in records:  # the links kept from the previous run (best first already), and the new ones
        before = related.get(r.id, ())
        if r.id in stale:
            kept = []
        elif r.id in near_stale:
            kept = [rel for rel in before if rel.id not in stale]
        else:
            kept = list(before)
        found = links.get(r.id)
        r.related = sorted(kept + found, key=lambda rel: (-rel.confidence, rel.id)) if found else kept
        if found or len(kept) != len(before):
            touched.add(r.id)
    touched.update(stale)


__all__ = ["RelatedState", "link_related_from"]
