"""The same cluster across programs: `Record.related`, `clsearch export --related`, stats.

The expected links are the hand-judged pairs of eval/related_judged.tsv (judged from the
records, with review notes): every pair judged "link" is linked, and nothing else is.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from index.corpus.places import load_regions
from index.records import Record
from index.corpus.related import MIN_CONFIDENCE, equivalence_groups, industry_part, pair_score, shared_runs

JUDGED = Path(__file__).parent.parent / "eval" / "related_judged.tsv"


def judged() -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(tuple(line.split("\t")))
    return rows


@pytest.fixture(scope="module")
def records(corpus):
    return corpus.records  # the session's parsed corpus (conftest)


@pytest.fixture(scope="module")
def by_id(records):
    return {r.id: r for r in records}


def linked_pairs(records) -> set[frozenset]:
    return {frozenset((r.id, link.id)) for r in records for link in r.related}


def test_the_judged_file_names_real_records(by_id):
    rows = judged()
    assert len(rows) == 37
    for id_a, name_a, id_b, name_b, verdict, note in rows:
        assert by_id[id_a].name == name_a and by_id[id_b].name == name_b
        assert by_id[id_a].program != by_id[id_b].program
        assert verdict in ("link", "missed", "reject") and note


def test_exactly_the_pairs_judged_the_same_cluster_are_linked(records):
    expected = {frozenset((a, b)) for a, _, b, _, verdict, _ in judged() if verdict == "link"}
    assert len(expected) == 10
    assert linked_pairs(records) == expected


@pytest.mark.parametrize("id_a, name_a, id_b, name_b", [
    row[:4] for row in judged() if row[4] in ("reject", "missed")])
def test_pairs_judged_different_or_unprovable_are_not_linked(by_id, id_a, name_a, id_b, name_b):
    assert id_b not in {link.id for link in by_id[id_a].related}
    assert id_a not in {link.id for link in by_id[id_b].related}


def test_a_link_carries_id_name_program_confidence_and_reason(by_id):
    (link,) = by_id["most-a5a6eb30"].related  # 仙桃高新区非织造布创新型产业集群
    assert link.id == "hb-af18c282" and link.name == "仙桃市无纺布产业集群"
    assert link.program == "湖北省重点产业集群"
    assert link.confidence == 1.0 and link.similarity == 1.0
    assert link.place == "same city 仙桃市" and link.words == ["无纺布"]
    assert link.reason == "same city 仙桃市; same industry 无纺布 (非织造布 = 无纺布); similarity 1.00"


def test_links_are_symmetric_and_only_across_programs(records, by_id):
    for r in records:
        for link in r.related:
            other = by_id[link.id]
            assert other.program != r.program
            (back,) = [x for x in other.related if x.id == r.id]
            assert (back.confidence, back.reason) == (link.confidence, link.reason)
            assert link.confidence >= MIN_CONFIDENCE


def test_to_dict_carries_related_as_plain_dicts(by_id):
    d = by_id["miit-a668c422"].to_dict()  # 江苏省扬州市邗江区数控成形机床产业集群
    assert d["related"] == [{
        "id": "most-55f5a8c6", "name": "扬州数控成形机床创新型产业集群", "program": "创新型产业集群",
        "confidence": 0.8, "reason": "邗江区 in 扬州市; same industry 数控成形机床; similarity 1.00",
        "place": "邗江区 in 扬州市", "words": ["数控成形机床"], "similarity": 1.0,
    }]
    assert by_id["zj-70a3256f"].to_dict()["related"] == []  # 台州黄岩塑料模具集群: none
    json.dumps(d, ensure_ascii=False)


# ---- the rules, on records written out here -------------------------------------------------

def rec(id, name, program, province, city=None, district=None) -> Record:
    return Record(id=id, name=name, short_name=name, program=program, issuer="", list_title="",
                  province=province, city=city, district=district)


REGIONS = load_regions()
SYNONYMS = [("无纺布", "非织造布"), ("商用车", "商用汽车")]


def test_industry_words_are_the_name_without_place_zone_suffix_and_modifiers():
    canon_groups = SYNONYMS
    from index.corpus.related import _Canon

    canon = _Canon(canon_groups)
    assert industry_part(rec("a", "江苏省扬州市邗江区数控成形机床产业集群", "m", "江苏", "扬州市", "邗江区"),
                         REGIONS, canon)[0] == "数控成形机床"
    assert industry_part(rec("a", "孝感高新区高端装备制造创新型产业集群", "m", "湖北", "孝感市"),
                         REGIONS, canon)[0] == "装备制造"
    assert industry_part(rec("a", "十堰商用车及部件创新型产业集群", "m", "湖北", "十堰市"),
                         REGIONS, canon)[0] == "商用车部件"


def test_shared_runs_ignore_word_order():
    assert shared_runs("智能网联新能源汽车", "新能源智能网联汽车") == ["智能网联", "新能源", "汽车"]
    assert shared_runs("化工", "井矿盐化工") == ["化工"]
    assert shared_runs("玻璃纤维", "化纤") == []


def test_same_district_written_in_the_name_counts_as_same_place():
    a = rec("a", "丰台轨道交通产业集群", "p1", "北京", "北京市")
    b = rec("b", "北京市丰台区轨道交通智能控制产业集群", "p2", "北京", "北京市", "丰台区")
    score = pair_score(a, b, REGIONS)
    assert (score.place, score.place_factor, score.words, score.similarity) == \
        ("same district 丰台区", 1.0, ("轨道交通",), 0.75)


def test_a_district_of_the_city_weighs_less_than_the_same_place():
    a = rec("a", "扬州数控成形机床创新型产业集群", "p1", "江苏", "扬州市")
    b = rec("b", "江苏省扬州市邗江区数控成形机床产业集群", "p2", "江苏", "扬州市", "邗江区")
    assert pair_score(a, b, REGIONS).confidence == 0.8


@pytest.mark.parametrize("a, b", [
    # same industry, another city / another district of the same city
    (rec("a", "黄石市汽车零部件产业集群", "p1", "湖北", "黄石市"),
     rec("b", "湖北省武汉市江夏区汽车零部件产业集群", "p2", "湖北", "武汉市", "江夏区")),
    (rec("a", "武汉市黄陂区汽车零部件产业集群", "p1", "湖北", "武汉市", "黄陂区"),
     rec("b", "湖北省武汉市江夏区汽车零部件产业集群", "p2", "湖北", "武汉市", "江夏区")),
    # a county written without its prefecture: the place cannot be shown
    (rec("a", "肇庆高新区智能网联新能源汽车创新型产业集群", "p1", "广东", "肇庆市"),
     rec("b", "广东省四会市新能源智能网联汽车产业集群", "p2", "广东", None, "四会市")),
])
def test_no_link_without_the_same_place(a, b):
    assert pair_score(a, b, REGIONS).confidence == 0


def test_synonym_groups_count_and_one_way_synonyms_do_not():
    a = rec("a", "仙桃高新区非织造布创新型产业集群", "p1", "湖北", "仙桃市")
    b = rec("b", "仙桃市无纺布产业集群", "p2", "湖北", "仙桃市")
    assert pair_score(a, b, REGIONS).confidence == 0
    assert pair_score(a, b, REGIONS, SYNONYMS).confidence == 1.0
    assert equivalence_groups(["纺织 => 化纤 家纺", "无纺布 非织造布"]) == [("无纺布", "非织造布")]


def test_the_same_program_is_never_linked():
    from index.corpus.related import link_related

    a = rec("a", "仙桃市无纺布产业集群", "p1", "湖北", "仙桃市")
    b = rec("b", "仙桃无纺布产业集群", "p1", "湖北", "仙桃市")
    c = rec("c", "仙桃无纺布产业集群", "p2", "湖北", "仙桃市")
    assert link_related([a, b, c], REGIONS) == 2
    assert [x.id for x in a.related] == ["c"] and [x.id for x in b.related] == ["c"]
    assert [x.id for x in c.related] == ["a", "b"]


def test_a_users_synonyms_file_adds_links(tmp_path, records, monkeypatch):
    """A group in the user's synonyms file is evidence too (here: 江宁 智能电网 / 智能配电设备)."""
    import copy

    from index.corpus.load import load_groups
    from index.corpus.related import link_related

    monkeypatch.setenv("CLSEARCH_CONFIG", str(tmp_path))
    (tmp_path / "synonyms.txt").write_text("# mine\n智能配电设备 智能电网\n", encoding="utf-8")
    records = copy.deepcopy(records)
    link_related(records, REGIONS, load_groups())
    by_id = {r.id: r for r in records}
    assert [x.id for x in by_id["most-b771e8f2"].related] == ["miit-0ced7182"]  # 江宁智能电网创新型产业集群
    assert len(linked_pairs(records)) == 11


# ---- CLI --------------------------------------------------------------------------------------

def test_export_related_lists_the_clusters_of_several_programs():
    r = CliRunner().invoke(main, ["export", "--related"])
    assert r.exit_code == 0, r.output
    groups = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(groups) == 10 and [g["group"] for g in groups] == list(range(1, 11))
    expected = {frozenset((a, b)) for a, _, b, _, verdict, _ in judged() if verdict == "link"}
    assert {frozenset(x["id"] for x in g["records"]) for g in groups} == expected
    (xiantao,) = [g for g in groups if "hb-af18c282" in {x["id"] for x in g["records"]}]
    assert xiantao["programs"] == ["创新型产业集群", "湖北省重点产业集群"]
    assert xiantao["links"] == [{"ids": ["most-a5a6eb30", "hb-af18c282"], "confidence": 1.0,
                                 "reason": "same city 仙桃市; same industry 无纺布 (非织造布 = 无纺布); similarity 1.00"}]


def test_export_related_csv_has_one_row_per_record():
    r = CliRunner().invoke(main, ["export", "--related", "--csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 20
    row = next(x for x in rows if x["id"] == "zj-bf6688bf")  # 宁海模具产业群
    assert (row["name"], row["related"], row["confidence"]) == ("宁海模具产业群", "miit-97971231", "0.75")
    assert row["reason"] == "same district 宁海县; same industry 模具; similarity 0.75"


def test_export_csv_has_a_related_column():
    r = CliRunner().invoke(main, ["export", "--csv"])
    rows = {x["id"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    assert rows["hb-514d5d99"]["related"] == "miit-d1fef596"  # 应城市化工产业集群
    assert rows["zj-70a3256f"]["related"] == ""


def test_stats_counts_the_clusters_in_several_programs():
    r = CliRunner().invoke(main, ["stats", "--json"])
    several = json.loads(r.stdout)["several_programs"]
    assert several == {"clusters": 10, "records": 20, "by_programs": {
        "创新型产业集群 + 湖北省重点产业集群": 5, "中小企业特色产业集群 + 创新型产业集群": 3,
        "中小企业特色产业集群 + 浙江省产业集群": 1, "中小企业特色产业集群 + 湖北省重点产业集群": 1}}
    text = CliRunner().invoke(main, ["stats"]).output
    assert "in several programs  10 clusters, 20 records (clsearch export --related)" in text
    assert "  5  创新型产业集群 + 湖北省重点产业集群" in text


def test_blocking_loses_no_link(records):
    """Large lists are compared only where a pair can reach the threshold (same place, enough
    industry characters in common); on the bundled lists that finds every link all pairs give."""
    from index.corpus.load import load_groups
    from index.corpus.related import _Canon, _Prepared, candidate_pairs

    prep = _Prepared(REGIONS, _Canon(load_groups()))

    def links(pairs):
        return {frozenset((a.id, b.id)) for a, b in pairs
                if pair_score(a, b, REGIONS, prepared=prep).confidence >= MIN_CONFIDENCE}

    blocked = list(candidate_pairs(records, prep, MIN_CONFIDENCE))
    everything = list(candidate_pairs(records))
    assert len(blocked) < len(everything) / 20
    assert links(blocked) == links(everything) == linked_pairs(records)


# ---- through the index: the API (Searcher.get) and `clsearch show` -----------------------------

def test_get_returns_the_related_records(full):
    (link,) = full.get("hb-af18c282").related  # 仙桃市无纺布产业集群
    assert link == {"id": "most-a5a6eb30", "name": "仙桃高新区非织造布创新型产业集群", "program": "创新型产业集群",
                    "confidence": 1.0, "reason": "same city 仙桃市; same industry 无纺布 (非织造布 = 无纺布); similarity 1.00",
                    "place": "same city 仙桃市", "words": ["无纺布"], "similarity": 1.0}
    assert full.get("zj-70a3256f").related == []  # 台州黄岩塑料模具集群
    linked = {frozenset((r.id, x["id"])) for r in full.records() for x in r.related}
    assert linked == {frozenset((a, b)) for a, _, b, _, verdict, _ in judged() if verdict == "link"}


def test_show_prints_a_line_per_related_record(full):
    r = CliRunner().invoke(main, ["show", "zj-bf6688bf"])  # 宁海模具产业群
    assert r.exit_code == 0
    assert ("相关: 宁波市宁海县注塑模具产业集群 · 中小企业特色产业集群 · miit-97971231 · confidence 0.75 · "
            "same district 宁海县; same industry 模具; similarity 0.75") in r.output.splitlines()
    data = json.loads(CliRunner().invoke(main, ["show", "zj-bf6688bf", "--json"]).output)
    assert [x["id"] for x in data["related"]] == ["miit-97971231"]



def _crowded(records, size: int, seed: int = 5):
    """`size` records in a few places, named from the bundled records' places and industries,
    under three programs, some naming a district in the name only (many candidate pairs)."""
    import random

    from index.records import Record

    rng = random.Random(seed)
    places = sorted({(r.province, r.city, r.district or "") for r in records if r.province and r.city})[:12]
    prep = _industries(records)
    programs = ["创新型产业集群", "中小企业特色产业集群", "湖北省重点产业集群"]
    out = []
    for n in range(size):
        province, city, district = rng.choice(places)
        words = rng.sample(prep, rng.choice((1, 1, 2)))
        where = rng.choice((district or city, city, (district or "") + rng.choice(("高新区", "经开区", ""))))
        name = where + "".join(words) + rng.choice(("产业集群", "集群", "产业"))
        out.append(Record(f"s-{n}", name, "", rng.choice(programs), "", "", province=province, city=city,
                          district=district if rng.random() < 0.5 else None))
    return out


def _industries(records) -> list[str]:
    from index.corpus.load import load_groups
    from index.corpus.related import _Canon, _Prepared

    prep = _Prepared(REGIONS, _Canon(load_groups()))
    return sorted({part for part, _ in map(prep.part, records) if 2 <= len(part) <= 8})


def test_a_builds_scoring_by_record_number_is_candidate_pairs_and_pair_score(records):
    """What a build scores (`_linked`: parts and places looked up by record number, a score
    made only for a link) is exactly `candidate_pairs` filtered by `pair_score`: the same
    pairs, oriented alike, in the same order, with equal scores; on the bundled lists and on
    2,000 records crowded into twelve places, at the threshold and at a lower one."""
    from index.corpus.load import load_groups
    from index.corpus.related import _Canon, _linked, _Prepared, candidate_pairs

    many = _crowded(records, 2000)
    for group, threshold, at_least in ((records, MIN_CONFIDENCE, 10), (many, MIN_CONFIDENCE, 200),
                                       (many, 0.3, 1000)):
        prep = _Prepared(REGIONS, _Canon(load_groups()))
        want = [(a.id, b.id, score) for a, b in candidate_pairs(group, prep, threshold)
                if (score := pair_score(a, b, REGIONS, prepared=prep)).confidence >= threshold]
        prep = _Prepared(REGIONS, _Canon(load_groups()))
        got = [(group[i].id, group[j].id, score) for i, j, score in _linked(group, prep, threshold)]
        assert got == want
        assert len(want) >= at_least


def test_the_links_file_gives_every_record_its_links_as_the_corpus_made_them(full_index, corpus, tmp_path):
    """Links are kept once per pair (links.zjsonl), out of the records' lines; every reader
    (rows for export and stats, one record by id) gets each record's own, as `link_related`
    made them, and a damaged links file is reported as damage."""
    import shutil

    import pytest

    from index.errors import IndexDamagedError
    from index.recordfile import read_all
    from index.store import current_generation
    from search.records import RecordStore

    gen = current_generation(full_index)
    made = {r.id: r.to_dict()["related"] for r in corpus.records}
    with open(gen / "records.zjsonl", "rb") as fp:
        assert all(d["related"] == [] for d in read_all(fp))  # not in the lines
    store = RecordStore(gen / "records.zjsonl")
    rows = list(store.rows())
    assert {d["id"]: d["related"] for d in rows} == made and sum(map(len, made.values())) == 20
    assert list(rows[0])[-2:] == ["related", "builder"]  # where `Record.to_dict()` puts them
    linked = [rid for rid, links in made.items() if links][:20]
    assert [store.get(rid).related for rid in linked] == [made[rid] for rid in linked]
    with open(gen / "links.zjsonl", "rb") as fp:
        assert sum(1 for _ in read_all(fp)) == sum(map(len, made.values())) // 2  # a line per pair

    damaged = shutil.copytree(gen, tmp_path / gen.name)
    raw = bytearray((damaged / "links.zjsonl").read_bytes())
    raw[10:40] = b"\0" * 30
    (damaged / "links.zjsonl").write_bytes(bytes(raw))
    with pytest.raises(IndexDamagedError, match="links.zjsonl"):
        RecordStore(damaged / "records.zjsonl").get(linked[0])
