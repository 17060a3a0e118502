"""The same cluster across programs: links between records of different programs.

A cluster is often designated by several programs: a national MOST list, a provincial list,
MIIT's SME list. Each designation is its own record (one program, one name), and the names
differ (仙桃高新区非织造布创新型产业集群 and 仙桃市无纺布产业集群), so merging them would be
wrong, but a user wants to see them together. `link_related` gives every record the records of
other programs that are the same cluster, each with a confidence and the reason.

Two records are linked when both hold:

- **same place**: the same district or county (丰台区 in one, a name starting with 丰台 in the
  other), or the same city when neither names a district (confidence factor 1.0); or one names
  a district of the other's city (factor `CITY_DISTRICT`: the city-level designation may be
  wider than the district's);
- **same industry**: the names with place, development-zone words, generic suffixes, the
  modifiers of `MODIFIERS` and connectives dropped (the *industry part*), and terms of a
  synonym group (bundled synonyms.txt plus the user's, equivalence lines only: 无纺布 非织造布)
  written as the group's first term, share most of their characters in common runs of two or
  more (智能网联新能源汽车 / 新能源智能网联汽车 share all). `similarity` is the mean share of
  each side's characters so covered.

confidence = place factor × similarity, and only pairs at or above `MIN_CONFIDENCE` are
linked. Precision matters more than recall: the threshold sits between the pairs judged the same
cluster by hand and the pairs judged different or not provable from the records
(eval/related_judged.tsv, with review notes; tests/test_related.py holds both sides). Pure:
the caller passes the region table and the synonym groups.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from .names import comparable
from ..records import Record, Related
from ..text import strip_place_suffix
from .places import Regions, strip_district

__all__ = ["MIN_CONFIDENCE", "link_related", "pair_score", "PairScore", "equivalence_groups", "industry_part", "shared_runs"]

MIN_CONFIDENCE = 0.65
CITY_DISTRICT = 0.8  # a city-level designation against one of a district of that city
# Words that qualify any industry and say nothing about which one it is.
MODIFIERS = ("高端", "先进", "新型", "现代")
# Development-zone words and other place-like prefixes dropped from the industry part.
ZONE_WORDS = ("高新区", "经开区", "经济开发区", "开发区", "新区", "工业园区", "园区", "国家")
_CONNECTIVES_RE = re.compile(r"[及与和、·,，\s]")
_PAREN_RE = re.compile(r"\([^)]*\)")
_REPEAT_RE = re.compile(r"(.{2,}?)\1")  # 再生资源资源 → 再生资源 (a synonym put before its own tail)


class PairScore(NamedTuple):
    """How two records compare: place factor and description, industry words and similarity."""

    place: str  # e.g. "same district 宁海县", "" when the places differ
    place_factor: float
    words: tuple[str, ...]  # the industry words both share (synonyms as their group's first term)
    synonyms: tuple[str, ...]  # synonym rewrites that made a word shared: "非织造布 = 无纺布"
    similarity: float

    @property
    def confidence(self) -> float:
        return round(self.place_factor * self.similarity, 2)


def equivalence_groups(lines: Iterable[str]) -> list[tuple[str, ...]]:
    """The equivalence groups of synonyms.txt lines (``a b c``); one-way lines (``a => b``)
    are left out, since a broader word (纺织 => 化纤) is no evidence of the same industry."""
    return [tuple(line.split()) for line in lines if "=>" not in line and len(line.split()) >= 2]


class _Canon:
    """Rewrites every term of a synonym group as the group's first term, longest term first."""

    def __init__(self, groups: Sequence[Sequence[str]]):
        self.to: dict[str, str] = {}
        for group in groups:
            for term in group[1:]:
                if len(term) >= 2 and term != group[0]:
                    self.to.setdefault(term, group[0])
        terms = sorted(self.to, key=len, reverse=True)
        self.re = re.compile("|".join(map(re.escape, terms))) if terms else None

    def __call__(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        if self.re is None:
            return text, []
        done: list[tuple[str, str]] = []

        def sub(m: re.Match) -> str:
            done.append((m.group(0), self.to[m.group(0)]))
            return self.to[m.group(0)]

        return self.re.sub(sub, text), done


@lru_cache(maxsize=8192)
def _district_forms(district: str | None) -> tuple[str, ...]:
    if not district:
        return ()
    return tuple(dict.fromkeys((district, strip_place_suffix(district))))


def _strip_places(text: str, words: Sequence[str]) -> str:
    """`text` without the place and zone words it starts with (any number, any order);
    `words` longest first."""
    changed = True
    while changed:
        changed = False
        for w in words:
            if text.startswith(w) and len(text) > len(w):
                text, changed = text[len(w):], True
                break
        else:
            district, rest = strip_district(text)
            if district and rest:
                text, changed = rest, True
    return text


class _Prepared:
    """Per-name and per-place work done once, however many pairs a record is in."""

    def __init__(self, regions: Regions, canon: _Canon):
        self.regions, self.canon = regions, canon
        self._forms: dict[tuple, tuple[str, ...]] = {}
        self._bodies: dict[str, str] = {}
        self._parts: dict[tuple, tuple[str, list[tuple[str, str]]]] = {}
        self._rests: dict[tuple, str] = {}
        self._runs: dict[tuple[str, str], list[str]] = {}
        self._words: dict[tuple, list[str]] = {}

    def runs(self, a: str, b: str) -> list[str]:
        """`shared_runs(a, b)`, once per pair of parts (industry parts repeat across places)."""
        found = self._runs.get((a, b))
        if found is None:
            found = self._runs[(a, b)] = shared_runs(a, b)
        return found

    def place_forms(self, province: str | None, city: str | None) -> tuple[str, ...]:
        """Every spelling of the province and of the city, longest first."""
        key = (province, city)
        if key not in self._forms:
            p = self.regions.province(province or "")
            forms = [p.full, p.short] if p else []
            if city:
                found = self.regions.city(city, p)
                forms += found[1].forms if found else (city, strip_place_suffix(city))
            self._forms[key] = tuple(sorted(set(f for f in forms if f), key=len, reverse=True))
        return self._forms[key]

    def body(self, name: str) -> str:
        """The name reduced for comparison: abbreviations folded, generic suffix and brackets gone."""
        if name not in self._bodies:
            body = _PAREN_RE.sub("", comparable(name)).replace("·", "")
            self._bodies[name] = body[:-2] if body.endswith("产业") and len(body) > 2 else body
        return self._bodies[name]

    def part(self, record: Record, other_district: str | None = None) -> tuple[str, list[tuple[str, str]]]:
        if other_district and (record.district or not self._starts_with(record, other_district)):
            other_district = None  # the other's district is not in this name: the plain part
        key = (record.name, record.province, record.city, record.district, other_district)
        if key not in self._parts:
            text = _strip_places(self.body(record.name), self._place_words(key[1:]))
            for word in MODIFIERS:
                text = text.replace(word, "") or text
            text, rewrites = self.canon(text)
            text = _CONNECTIVES_RE.sub("", text)
            self._parts[key] = (_REPEAT_RE.sub(r"\1", text), rewrites)
        return self._parts[key]

    def _place_words(self, place: tuple[str | None, str | None, str | None, str | None]) -> list[str]:
        """The words `part` strips from the start of a name of this province, city, district
        and other district: longest first (ties as `sorted` leaves them), made once each."""
        found = self._words.get(place)
        if found is None:
            province, city, district, other_district = place
            words = set(self.place_forms(province, city)) | set(ZONE_WORDS)
            words |= set(_district_forms(district)) | set(_district_forms(other_district))
            found = self._words[place] = sorted(words, key=len, reverse=True)
        return found

    def _starts_with(self, record: Record, district: str) -> bool:
        """Whether `record`'s name, after its province or city, starts with `district`."""
        key = (record.name, record.province, record.city)
        rest = self._rests.get(key)
        if rest is None:
            rest = self.body(record.name)
            for prefix in self.place_forms(record.province, record.city):
                if rest.startswith(prefix):
                    rest = rest[len(prefix):]
                    break
            self._rests[key] = rest
        return rest.startswith(_district_forms(district))

    def name_district(self, record: Record, other: Record) -> str | None:
        """`record`'s district, or `other`'s when `record`'s name starts with it after its
        province or city (丰台轨道交通 read against 北京市丰台区…: 丰台区)."""
        if record.district:
            return record.district
        if other.district and self._starts_with(record, other.district):
            return other.district
        return None

    def place(self, a: Record, b: Record) -> tuple[str, float]:
        if not a.province or a.province != b.province:
            return "", 0.0
        da, db = self.name_district(a, b), self.name_district(b, a)
        if da and db:
            return (f"same district {da}", 1.0) if da == db else ("", 0.0)
        if da or db:
            district, wide, narrow = (da, b, a) if da else (db, a, b)
            if wide.city and wide.city == narrow.city:
                return f"{district} in {wide.city}", CITY_DISTRICT
            return "", 0.0
        if a.city and a.city == b.city:
            return f"same city {a.city}", 1.0
        return "", 0.0


def industry_part(record: Record, regions: Regions, canon: _Canon, other: Record | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The words of a name that say what the cluster makes, and the synonym rewrites applied:
    the name without place (its own, and `other`'s district), zone words, generic suffix,
    `MODIFIERS` and connectives, synonyms written as their group's first term.

    >>> from index.corpus.places import load_regions
    >>> r = Record("x", "仙桃高新区非织造布创新型产业集群", "", "p", "", "", province="湖北", city="仙桃市")
    >>> industry_part(r, load_regions(), _Canon([("无纺布", "非织造布")]))
    ('无纺布', [('非织造布', '无纺布')])
    """
    return _Prepared(regions, canon).part(record, other.district if other else None)


def _longest_common(a: str, b: str, shortest: int) -> str:
    """The longest run of `a` (no NUL in it) of at least `shortest` characters that `b`
    holds, the first in `a` of that length; "" if none."""
    if shortest >= 2:  # only where a run of a's character pairs that b holds is long enough
        held = {b[j:j + 2] for j in range(len(b) - 1)}
        ahead = [0] * len(a)  # from each offset of a, how many of its next pairs b holds in a row
        for i in range(len(a) - 2, -1, -1):
            if a[i:i + 2] in held:
                ahead[i] = ahead[i + 1] + 1
        for length in range(min(len(a), len(b), max(ahead) + 1), shortest - 1, -1):
            for i in range(len(a) - length + 1):
                if ahead[i] >= length - 1:
                    piece = a[i:i + length]
                    if "\0" not in piece and piece in b:
                        return piece
        return ""
    for length in range(min(len(a), len(b)), shortest - 1, -1):
        for i in range(len(a) - length + 1):
            piece = a[i:i + length]
            if "\0" not in piece and piece in b:
                return piece
    return ""


def shared_runs(a: str, b: str) -> list[str]:
    """Common runs of two or more characters, longest first, each used once on each side, in
    any order (智能网联新能源汽车 and 新能源智能网联汽车 share everything).

    >>> shared_runs("智能网联新能源汽车", "新能源智能网联汽车")
    ['智能网联', '新能源', '汽车']
    >>> shared_runs("玻璃纤维", "化纤")
    []
    """
    shortest = max(1, min(2, len(a), len(b)))
    runs = []
    while best := _longest_common(a, b, shortest):
        runs.append(best)
        a = a.replace(best, "\0" * len(best), 1)
        b = b.replace(best, "\1" * len(best), 1)
    return runs


def pair_score(a: Record, b: Record, regions: Regions, groups: Sequence[Sequence[str]] = (),
               canon: _Canon | None = None, prepared: _Prepared | None = None) -> PairScore:
    """Place and industry evidence that `a` and `b` are the same cluster."""
    prep = prepared or _Prepared(regions, canon or _Canon(groups))
    place, factor = prep.place(a, b)
    if not factor:
        return PairScore("", 0.0, (), (), 0.0)
    ia, ra = prep.part(a, b.district)
    ib, rb = prep.part(b, a.district)
    if not ia or not ib:
        return PairScore(place, factor, (), (), 0.0)
    runs = prep.runs(ia, ib)
    covered = sum(len(run) for run in runs)
    similarity = round((covered / len(ia) + covered / len(ib)) / 2, 2)
    used = [f"{old} = {new}" for old, new in ra + rb if any(new in run for run in runs)]
    return PairScore(place, factor, tuple(runs), tuple(dict.fromkeys(used)), similarity)


def _reason(score: PairScore) -> str:
    words = "、".join(score.words)
    syn = f" ({'; '.join(score.synonyms)})" if score.synonyms else ""
    return f"{score.place}; same industry {words}{syn}; similarity {score.similarity:.2f}"


def _block_keys(record: Record, prep: _Prepared) -> set[str]:
    """Keys two records must share to be compared: the character pairs of the industry part
    (a shared run has one), or "*" for a one-character part (茶, 钒), compared with all."""
    part, _ = prep.part(record)
    return {part[i:i + 2] for i in range(len(part) - 1)} if len(part) >= 2 else {"*"}


def _buckets(records: Sequence[Record], keys: Sequence[set[str]]
             ) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]], dict[tuple, list[int]], dict[str, list[int]]]:
    """Record numbers by (province, city, key), (province, key), (province, city) and province:
    where `candidate_pairs` and `_linked` look for a record's partners. Records without a
    province are in none."""
    by_city: dict[tuple, list[int]] = defaultdict(list)
    by_province: dict[tuple, list[int]] = defaultdict(list)
    in_city: dict[tuple, list[int]] = defaultdict(list)
    in_province: dict[str, list[int]] = defaultdict(list)
    for n, r in enumerate(records):
        if not r.province:
            continue
        in_province[r.province].append(n)
        if r.city:
            in_city[(r.province, r.city)].append(n)
        for k in keys[n]:
            by_province[(r.province, k)].append(n)
            if r.city:
                by_city[(r.province, r.city, k)].append(n)
    return by_city, by_province, in_city, in_province


def candidate_pairs(records: Sequence[Record], prepared: _Prepared | None = None,
                    min_similarity: float = 0.0) -> Iterable[tuple[Record, Record]]:
    """Pairs of records of different programs that may be linked, each once: the same
    province, the same city unless one of them has none (a county written without its
    prefecture), and, given `prepared`, a character pair in common in their industry parts
    (so a large list is not compared all against all) and, with `min_similarity`, enough of
    them to possibly reach it."""
    keys = [_block_keys(r, prepared) if prepared else {"*"} for r in records]
    sizes = [len(prepared.part(r)[0]) if prepared and "*" not in k else 0 for r, k in zip(records, keys)]
    by_city, by_province, in_city, in_province = _buckets(records, keys)
    check = min_similarity > 0 and prepared is not None
    plain = [len(prepared.part(r)[0]) if check and prepared else 0 for r in records]
    against: dict[tuple[int, str], int] = {}

    def size_against(n: int, record: Record, district: str | None) -> int:
        """len(prepared.part(record, district)[0]): the plain part's unless `record` names no
        district of its own and `district` is given (its name may start with it)."""
        if record.district or not district:
            return plain[n]
        found = against.get((n, district))
        if found is None and prepared is not None:
            found = against[(n, district)] = len(prepared.part(record, district)[0])
        return found or 0

    for n, a in enumerate(records):
        if not a.province:
            continue
        shared: Counter[int] = Counter()  # record number → character pairs in common
        if a.city:  # buckets hold record numbers in order: the later ones are a slice
            for k in keys[n] | {"*"}:
                bucket = by_city.get((a.province, a.city, k), ())
                shared.update(bucket[bisect_right(bucket, n):])
            if "*" in keys[n]:
                bucket = in_city[(a.province, a.city)]
                shared.update(bucket[bisect_right(bucket, n):])
        else:
            for k in keys[n] | {"*"}:
                shared.update(m for m in by_province.get((a.province, k), ()) if records[m].city or m > n)
            if "*" in keys[n]:
                shared.update(m for m in in_province[a.province] if records[m].city or m > n)
        program = a.program
        for m in sorted(shared):
            b = records[m]
            if b.program == program:
                continue
            if check and sizes[n] and sizes[m]:
                # the parts as compared in this pair (a name may start with the other's district)
                size_a, size_b = size_against(n, a, b.district), size_against(m, b, a.district)
                if size_a and size_b and not _may_reach(shared[m], size_a, size_b, min_similarity):
                    continue
            yield a, b


def _may_reach(pairs: int, size_a: int, size_b: int, similarity: float) -> bool:
    """Whether parts of these sizes sharing `pairs` character pairs can reach `similarity`:
    a shared run of L characters holds L - 1 pairs, so at most 2 × pairs characters are
    covered (one-character parts, size 0 here, are always compared)."""
    if not size_a or not size_b:
        return True
    covered = 2 * pairs
    return (min(covered, size_a) / size_a + min(covered, size_b) / size_b) / 2 >= similarity


def link_related(records: Sequence[Record], regions: Regions, groups: Sequence[Sequence[str]] = (),
                 min_confidence: float = MIN_CONFIDENCE, prepared: _Prepared | None = None) -> int:
    """Set `related` on every record (symmetric, best first); returns the number of links.

    `prepared`: the caller's `_Prepared` of these regions and groups, if it has one (its
    per-name work is reused). Records of different provinces are never linked: a large corpus
    is scored in two halves of its provinces at once, the second in a forked process
    (`index.workers.in_two`); the links are the same.
    """
    prep = prepared or _Prepared(regions, _Canon(groups))

    def scored(numbers: list[int]) -> list[tuple[int, int, PairScore]]:
        return _scored(records, numbers, prep, regions, min_confidence)

    if len(records) >= PARALLEL_LINKS:
        from index.workers import in_two

        mine, theirs = in_two(scored, *_halves(records))
        found = mine + theirs
    else:
        found = scored(list(range(len(records))))
    links: dict[str, list[Related]] = defaultdict(list)
    for na, nb, score in found:
        a, b = records[na], records[nb]
        for x, y in ((a, b), (b, a)):
            links[x.id].append(Related(id=y.id, name=y.name, program=y.program, confidence=score.confidence,
                                       reason=_reason(score), place=score.place, words=list(score.words),
                                       similarity=score.similarity))
    for r in records:  # ids are unique: the order of `found` does not matter
        r.related = sorted(links.get(r.id, []), key=lambda rel: (-rel.confidence, rel.id))
    return len(found)


PARALLEL_LINKS = 4000  # records from which `link_related` scores two halves at once


def _scored(records: Sequence[Record], numbers: list[int], prep: _Prepared, regions: Regions,
            min_confidence: float) -> list[tuple[int, int, PairScore]]:
    """The linked pairs among `records[n] for n in numbers` (every record of their provinces,
    in order), as (number, number, score)."""
    chosen = [records[n] for n in numbers]
    if min_confidence <= 0:  # every candidate pair is linked: scored as `pair_score` does
        number = {id(r): n for r, n in zip(chosen, numbers)}
        return [(number[id(a)], number[id(b)], pair_score(a, b, regions, prepared=prep))
                for a, b in candidate_pairs(chosen, prep, min_confidence)]
    return [(numbers[i], numbers[j], score) for i, j, score in _linked(chosen, prep, min_confidence)]


def _linked(records: Sequence[Record], prep: _Prepared,
            min_confidence: float) -> Iterable[tuple[int, int, PairScore]]:
    """``(i, j, pair_score(records[i], records[j]))`` for the pairs `candidate_pairs(records,
    prep, min_confidence)` yields (in its order) whose confidence reaches `min_confidence`
    (> 0): the same pairs and scores, with the per-pair work done by record number (each
    record's part, program and district looked up once, a part against another's district
    made once per district) and a pair's `PairScore` made only when it is linked."""
    n_records = len(records)
    parts = [prep.part(r) for r in records]  # (industry part, synonym rewrites), as `part(r)`
    keys = [{p[i:i + 2] for i in range(len(p) - 1)} if len(p) >= 2 else {"*"} for p, _ in parts]  # `_block_keys`
    plain = [len(p) for p, _ in parts]
    sizes = [size if size >= 2 else 0 for size in plain]  # 0: a one-character part ("*")
    programs = [r.program for r in records]
    districts = [r.district for r in records]
    by_city, by_province, in_city, in_province = _buckets(records, keys)
    against: dict[tuple[int, str], tuple[str, list[tuple[str, str]]]] = {}
    starts: dict[tuple[int, str], bool] = {}

    def part_against(n: int, district: str | None) -> tuple[str, list[tuple[str, str]]]:
        """`prep.part(records[n], district)`: the plain part unless the record names no
        district and `district` is given."""
        if not district or districts[n]:
            return parts[n]
        found = against.get((n, district))
        if found is None:
            found = against[(n, district)] = prep.part(records[n], district)
        return found

    def named(n: int, district: str) -> bool:
        """`prep._starts_with(records[n], district)`."""
        found = starts.get((n, district))
        if found is None:
            found = starts[(n, district)] = prep._starts_with(records[n], district)
        return found

    runs_of = prep.runs
    similar: dict[tuple[str, str], tuple[list[str], float]] = {}  # parts → (shared runs, similarity)
    nothing: tuple[int, ...] = ()
    for n in range(n_records):
        a = records[n]
        if not a.province:
            continue
        star = "*" in keys[n]
        if a.city:  # the later record numbers of each bucket: a slice
            near = [bucket[bisect_right(bucket, n):] for bucket in
                    (by_city.get((a.province, a.city, k), nothing) for k in keys[n] | {"*"})]
            if star:
                bucket = in_city[(a.province, a.city)]
                near.append(bucket[bisect_right(bucket, n):])
        else:
            near = [[m for m in by_province.get((a.province, k), ()) if records[m].city or m > n]
                    for k in keys[n] | {"*"}]
            if star:
                near.append([m for m in in_province[a.province] if records[m].city or m > n])
        shared = Counter(chain.from_iterable(near))  # record number → character pairs in common
        program, district_a, size_n = programs[n], districts[n], sizes[n]
        own_a = parts[n] if district_a else None  # a's part whatever the other's district
        for m in sorted(shared):
            if programs[m] == program:
                continue
            district_b = districts[m]
            part_a = part_b = None
            if size_n and sizes[m]:  # `_may_reach` of the parts as compared in this pair
                part_a = own_a or (part_against(n, district_b) if district_b else parts[n])
                part_b = parts[m] if district_b or not district_a else part_against(m, district_a)
                size_a, size_b = len(part_a[0]), len(part_b[0])
                if size_a and size_b:
                    covered = 2 * shared[m]
                    if ((covered if covered < size_a else size_a) / size_a
                            + (covered if covered < size_b else size_b) / size_b) / 2 < min_confidence:
                        continue
            b = records[m]
            # `_Prepared.place`: each side's district, or the other's when its name starts with it
            if a.province != b.province:
                continue
            da = district_a or (district_b if district_b and named(n, district_b) else None)
            db = district_b or (district_a if district_a and named(m, district_a) else None)
            if da and db:
                if da != db:
                    continue
                place, factor = f"same district {da}", 1.0
            elif da or db:
                district, wide, narrow = (da, b, a) if da else (db, a, b)
                if not (wide.city and wide.city == narrow.city):
                    continue
                place, factor = f"{district} in {wide.city}", CITY_DISTRICT
            elif a.city and a.city == b.city:
                place, factor = f"same city {a.city}", 1.0
            else:
                continue
            ia, ra = part_a if part_a is not None else part_against(n, district_b)
            ib, rb = part_b if part_b is not None else part_against(m, district_a)
            if not ia or not ib:
                continue
            found = similar.get((ia, ib))
            if found is None:
                runs = runs_of(ia, ib)
                covered = sum(len(run) for run in runs)
                found = similar[(ia, ib)] = (runs, round((covered / len(ia) + covered / len(ib)) / 2, 2))
            runs, similarity = found
            if round(factor * similarity, 2) < min_confidence:
                continue
            used = [f"{old} = {new}" for old, new in ra + rb if any(new in run for run in runs)]
            yield n, m, PairScore(place, factor, tuple(runs), tuple(dict.fromkeys(used)), similarity)


def _halves(records: Sequence[Record]) -> tuple[list[int], list[int]]:
    """The record numbers of two sets of provinces with about as many candidate pairs each
    (a city's records meet each other; a record without a city meets its whole province)."""
    by_province: dict[str, list[int]] = defaultdict(list)
    for n, r in enumerate(records):
        if r.province:
            by_province[r.province].append(n)
    cost: dict[str, int] = {}
    for province, numbers in by_province.items():
        cities = Counter(records[n].city for n in numbers)
        no_city = cities.pop(None, 0) + cities.pop("", 0)
        cost[province] = sum(c * c for c in cities.values()) + no_city * len(numbers)
    halves: tuple[list[int], list[int]] = ([], [])
    load = [0, 0]
    for province in sorted(cost, key=lambda p: (-cost[p], p)):
        side = 0 if load[0] <= load[1] else 1
        halves[side].extend(by_province[province])
        load[side] += cost[province]
    return sorted(halves[0]), sorted(halves[1])
