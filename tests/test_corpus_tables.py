"""Bad input is reported, not raised; other lists load through the same merge step; export round trips."""

import io
import json
import shutil

import pytest

from index.corpus.blocks import numbered_lines
from index.corpus import load_corpus
from index.errors import SeedFormatError
from index.corpus.export import write_csv, write_jsonl
from index.corpus.manifest import load_manifest
from index.corpus.parse_national import parse_appendix3
from index.corpus.places import load_regions
from index.corpus.tables import read_table, records_from_table
from seeds import seed_dir


@pytest.fixture
def seeds_copy(tmp_path):
    for path in seed_dir().iterdir():
        if path.suffix in (".txt", ".json"):
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_a_malformed_row_is_reported_with_document_and_line():
    spec = load_manifest(seed_dir()).documents[0].lists[0]
    text = "附件3：\n创新型产业集群名单\n\t地区\n\t集群名称\n\t建设单位\n\t类型\n\n\t江苏\n\t常州光伏创新型产业集群\n\t常州高新区管委会\n\t试点\n\n\t\n\t只有名称\n\n"
    entries, problems = parse_appendix3(numbered_lines(text), spec, load_regions())
    assert [e.name for e in entries] == ["常州光伏创新型产业集群"]
    assert [(p.document, p.line, p.text) for p in problems] == [("most_national_2021_appendix3.txt", 13, "只有名称")]


def test_a_damaged_seed_reports_problems_and_still_loads(seeds_copy):
    path = seeds_copy / "miit_sme_clusters_2023.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[11] = "这一行不是名单"  # line 12 held "5\t北京市房山区…"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus(seeds_copy)
    reasons = [(p.document, p.line, p.reason) for p in corpus.problems]
    assert ("miit_sme_clusters_2023.txt", 12, "expected a number and a name") in reasons
    assert ("miit_sme_clusters_2023.txt", 0, "expected 100 entries, parsed 99") in reasons
    assert len(corpus.records) == 476


def test_an_unreadable_seed_raises(seeds_copy):
    (seeds_copy / "hubei_missing.txt").unlink(missing_ok=True)
    (seeds_copy / "most_national_2021_additions.txt").unlink()
    with pytest.raises(SeedFormatError, match="most_national_2021_additions.txt"):
        load_corpus(seeds_copy)


def test_a_malformed_manifest_raises(seeds_copy):
    (seeds_copy / "manifest.json").write_text('{"documents": [{"file": "x.txt"}]}', encoding="utf-8")
    with pytest.raises(SeedFormatError, match="manifest"):
        load_corpus(seeds_copy)


def test_ocr_without_its_table_raises(seeds_copy):
    path = seeds_copy / "most_national_2021_notice_ocr.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("附件 3:", "附件三"), encoding="utf-8")
    with pytest.raises(SeedFormatError, match="appendix-3"):
        load_corpus(seeds_copy)


CSV = """name,builder,province,city,district,type,program,year
常州光伏创新型产业集群,常州高新区管委会,江苏省,常州,,试点,创新型产业集群,2021
拉萨牦牛乳业产业集群,拉萨经开区管委会；拉萨市工信局,西藏,拉萨市,堆龙德庆区,,西藏特色产业集群,2024
,没有名称,,,,,x,2024
拉萨牦牛乳业产业集群,,西藏,,,,西藏特色产业集群,2024
"""


def test_csv_list_yields_records_through_the_merge_step():
    records, problems = records_from_table(io.StringIO(CSV), "extra.csv")
    assert [(p.line, p.reason) for p in problems] == [(4, "skipped: row needs a name and a program")]
    assert [r.name for r in records] == ["常州光伏创新型产业集群", "拉萨牦牛乳业产业集群"]
    lhasa = records[1]
    assert (lhasa.province, lhasa.city, lhasa.district, lhasa.year) == ("西藏", "拉萨市", "堆龙德庆区", 2024)
    assert lhasa.builders == ["拉萨经开区管委会", "拉萨市工信局"]
    assert [s.line for s in lhasa.sources] == [3, 5]  # the repeated row merged into one record
    assert records[0].province == "江苏" and records[0].city == "常州市"


def test_extra_table_merges_with_the_seeds(tmp_path, corpus):
    path = tmp_path / "extra.csv"
    path.write_text(CSV, encoding="utf-8")
    merged = load_corpus(extra_tables=[path])
    assert len(merged.records) == len(corpus.records) + 1
    (changzhou,) = [r for r in merged.records if r.name == "常州光伏创新型产业集群"]
    seed = next(r for r in corpus.records if r.name == "常州光伏创新型产业集群")
    assert changzhou.id == seed.id
    assert changzhou.lists == seed.lists + ["extra"]
    assert merged.entries["extra"] == 3


def test_jsonl_list():
    lines = [
        json.dumps({"name": "宁波慈溪市智能小家电产业集群", "builders": ["慈溪市经信局"], "province": "浙江",
                    "city": "宁波市", "district": "慈溪市", "type": None, "program": "中小企业特色产业集群", "year": 2023},
                   ensure_ascii=False),
        "not json",
    ]
    entries, problems = read_table(io.StringIO("\n".join(lines) + "\n"), "x.jsonl", "x", "jsonl")
    assert [(e.name, e.builders, e.city) for e in entries] == [("宁波慈溪市智能小家电产业集群", ["慈溪市经信局"], "宁波市")]
    assert [(p.line, p.text) for p in problems] == [(2, "not json")]


@pytest.mark.parametrize("writer, fmt", [(write_csv, "csv"), (write_jsonl, "jsonl")])
def test_export_round_trip(corpus, writer, fmt):
    fp = io.StringIO()
    writer(corpus.records, fp)
    fp.seek(0)
    programs = {r.program: r.id.split("-")[0] for r in corpus.records}
    back, problems = records_from_table(fp, f"export.{fmt}", fmt, programs)
    assert problems == []
    fields = lambda r: (r.id, r.name, r.builders, r.province, r.city, r.district, r.type, r.program, r.year)  # noqa: E731
    assert [fields(r) for r in back] == [fields(r) for r in corpus.records]


def test_jsonl_is_one_readable_object_per_record(corpus):
    fp = io.StringIO()
    assert write_jsonl(corpus.records, fp) == 477
    lines = fp.getvalue().splitlines()
    assert len(lines) == 477
    first = json.loads(lines[0])
    assert first["name"] == "中关村移动互联网产业集群" and "中关村" in lines[0]
    assert first["builder"] == "中关村海淀园管委会"


def test_csv_joins_lists_with_the_chinese_semicolon(corpus):
    fp = io.StringIO()
    write_csv([r for r in corpus.records if r.name == "松江G60科创走廊数字经济创新型产业集群"], fp)
    header, row = fp.getvalue().splitlines()
    assert header.startswith("id,name,short_name,aliases,program")
    assert "松江区科委；张江高新区松江园管委会" in row


# Two designations whose 8-digit ids collide: sha1("测试产业集群|第4407号产业集群") and
# sha1("测试产业集群|第158160号产业集群") both start 32fb0041.
COLLIDING = ("第4407号产业集群", "第158160号产业集群")


def _colliding_list(tmp_path, names, stem="collide"):
    path = tmp_path / f"{stem}.csv"
    path.write_text("name,program,year\n" + "".join(f"{n},测试产业集群,2024\n" for n in names), encoding="utf-8")
    return path


@pytest.mark.parametrize("order", [COLLIDING, COLLIDING[::-1]])
def test_colliding_ids_are_resolved_the_same_way_whatever_the_order(tmp_path, order):
    corpus = load_corpus(extra_tables=[_colliding_list(tmp_path, order)])
    ids = {r.name: r.id for r in corpus.records if r.program == "测试产业集群"}
    # The first by (program, name) keeps the short id; the other takes 9 digits of its own hash.
    assert ids == {"第158160号产业集群": "list-32fb0041", "第4407号产业集群": "list-32fb00410"}
    assert len({r.id for r in corpus.records}) == len(corpus.records) == 479
    assert not [p for p in corpus.problems if "also used by" in p.reason]


def test_a_colliding_pair_in_two_lists_gets_the_same_ids(tmp_path):
    first = _colliding_list(tmp_path, COLLIDING[:1], "a")
    second = _colliding_list(tmp_path, COLLIDING[1:], "b")
    one = {r.name: r.id for r in load_corpus(extra_tables=[first, second]).records}
    other = {r.name: r.id for r in load_corpus(extra_tables=[second, first]).records}
    assert one == other
    assert one[COLLIDING[1]] == "list-32fb0041"
