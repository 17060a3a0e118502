"""The bundled seeds as a specification: exact counts per list and per type, ids, zero problems."""

from collections import Counter


from index.corpus import load_corpus
from index.corpus.manifest import load_manifest
from seeds import seed_dir


def by_name(corpus, name, program="创新型产业集群"):
    (record,) = [r for r in corpus.records if r.name == name and r.program == program]
    return record


def test_bundled_seeds_have_zero_problems(corpus):
    assert [str(p) for p in corpus.problems] == []


def test_entries_parsed_per_list(corpus):
    assert corpus.entries == {
        "most-2021-appendix3": 109,
        "most-2021-additions": 43,
        "most-national-older": 108,
        "zhejiang-120": 120,
        "hubei-110": 110,
        "miit-sme-2023": 100,
        "most-2021-notice-ocr": 109,
    }


def test_records_per_list(corpus):
    assert Counter(key for r in corpus.records for key in r.lists) == {
        "most-2021-appendix3": 109,
        "most-2021-notice-ocr": 109,  # every OCR row is a source of a most-2021-appendix3 record
        "most-national-older": 108,  # every older-edition name is linked to a most-2021-appendix3 record
        "most-2021-additions": 43,
        "zhejiang-120": 115,  # 120 lines, 5 exact repeats
        "hubei-110": 110,
        "miit-sme-2023": 100,
    }


def test_total_records(corpus):
    # 109 (most-2021-appendix3, with the older edition and the OCR merged in) + 43 + 115 + 110 + 100
    assert len(corpus.records) == 477


def test_counts_per_program_and_type(corpus):
    assert Counter((r.program, r.type) for r in corpus.records) == {
        ("创新型产业集群", "试点"): 61,
        ("创新型产业集群", "培育"): 48,
        ("创新型产业集群", None): 43,  # 2021 additions: the list has no type column
        ("浙江省产业集群", None): 115,
        ("湖北省重点产业集群", None): 110,
        ("中小企业特色产业集群", None): 100,
    }


def test_older_edition_types(corpus):
    older = [s for r in corpus.records for s in r.sources if s.list == "most-national-older"]
    assert len(older) == 108
    kinds = Counter(r.type for r in corpus.records if "most-national-older" in r.lists)
    assert kinds == {"试点": 61, "培育": 47}


def test_the_one_2021_record_missing_from_the_older_edition(corpus):
    missing = [r.name for r in corpus.records if "most-2021-appendix3" in r.lists and "most-national-older" not in r.lists]
    assert missing == ["大连信息技术及服务产业集群"]
    assert corpus.unlinked == []


def test_ids_unique_and_stable(corpus):
    ids = [r.id for r in corpus.records]
    assert len(ids) == len(set(ids))
    assert by_name(corpus, "常州光伏创新型产业集群").id == "most-" + __import__("hashlib").sha1(
        "创新型产业集群|常州光伏创新型产业集群".encode()).hexdigest()[:8]
    prefixes = Counter(i.split("-")[0] for i in ids)
    assert prefixes == {"most": 152, "zj": 115, "hb": 110, "miit": 100}


def test_order_is_stable(corpus):
    again = load_corpus()
    assert [r.id for r in again.records] == [r.id for r in corpus.records]
    assert corpus.records[0].name == "中关村移动互联网产业集群"
    assert corpus.records[-1].name == "深圳市龙华区新型显示器件产业集群"


def test_every_record_has_an_entry_source(corpus):
    for r in corpus.records:
        assert r.sources[0].role == "entry"
        assert r.sources[0].line > 0 and r.sources[0].text


def test_exact_repeats_in_zhejiang_are_one_record_with_two_sources(corpus):
    zj = [r for r in corpus.records if r.program == "浙江省产业集群"]
    twice = sorted(r.name for r in zj if len(r.sources) == 2)
    assert twice == sorted(["瑞安汽配产业群", "余姚塑料产业群", "嵊州领带产业群", "宁海模具产业群", "黄岩模具产业群"])
    record = by_name(corpus, "瑞安汽配产业群", "浙江省产业集群")
    assert [s.line for s in record.sources] == [687, 755]  # the lines of their numbers, 87 and 104
    # near repeats are different names, so different records
    assert {r.name for r in zj} >= {"上虞伞业产业群", "上虞伞产业群"}


def test_multiline_cells_are_joined(corpus):
    wuhan = by_name(corpus, "武汉东湖高新区国家地球空间信息及应用服务创新型产业集群")
    assert wuhan.sources[0].line == 356
    assert wuhan.sources[0].text == "湖北 | 武汉东湖高新区国家地球空间信息及应用 | 服务创新型产业集群 | 武汉东湖高新区管委会 | 试点"
    zhuzhou = by_name(corpus, "株洲轨道交通装备制造创新型产业集群")
    assert zhuzhou.builders == ["株洲轨道交通装备制造产业集群运行管理办公室"]
    yanjiao = by_name(corpus, "燕郊高新区新型电子元器件及设备制造创新型产业集群")
    assert yanjiao.builders == ["燕郊高新区管委会"]
    assert yanjiao.recommender == "河北省科技厅"


def test_same_as_above_cells(corpus):
    assert by_name(corpus, "亦庄数字电视和数字内容产业集群").province == "北京"
    changzhi = by_name(corpus, "长治高新区紫外半导体光电创新型产业集群")
    assert (changzhi.province, changzhi.recommender) == ("山西", "山西省科技厅")
    ningbo = by_name(corpus, "宁波高新区工业互联网创新型产业集群")
    assert (ningbo.province, ningbo.city, ningbo.recommender) == ("浙江", "宁波市", "宁波市科技局")
    songjiang = by_name(corpus, "松江G60科创走廊数字经济创新型产业集群")
    assert songjiang.builders == ["松江区科委", "张江高新区松江园管委会"]


def test_page_break_region_on_its_own_line(corpus):
    assert by_name(corpus, "江宁智能电网创新型产业集群").province == "江苏"


def test_short_names(corpus):
    assert by_name(corpus, "常州光伏创新型产业集群").short_name == "常州光伏"
    assert by_name(corpus, "天津高新区新能源产业集群").short_name == "天津高新区新能源"
    assert by_name(corpus, "龙游竹笋产业群", "浙江省产业集群").short_name == "龙游竹笋"
    assert by_name(corpus, "台州黄岩塑料模具集群", "浙江省产业集群").short_name == "台州黄岩塑料模具"
    assert by_name(corpus, "余杭家纺", "浙江省产业集群").short_name == "余杭家纺"


def test_program_metadata(corpus):
    r = by_name(corpus, "常州光伏创新型产业集群")
    assert (r.issuer, r.year, r.list_title) == ("科技部火炬中心", 2021, "创新型产业集群名单")
    m = by_name(corpus, "深圳市龙华区新型显示器件产业集群", "中小企业特色产业集群")
    assert (m.issuer, m.year, m.lists) == ("工业和信息化部", 2023, ["miit-sme-2023"])


def test_different_programs_stay_separate(corpus):
    names = {r.program for r in corpus.records if "数控成形机床" in r.name}
    assert names == {"创新型产业集群", "中小企业特色产业集群"}


def test_manifest_describes_every_seed_file():
    manifest = load_manifest(seed_dir())
    files = {d.file for d in manifest.documents}
    assert files == {p.name for p in seed_dir().glob("*.txt")}
    compilation = next(d for d in manifest.documents if d.layout == "compilation")
    assert [ls.key for ls in compilation.lists] == ["most-national-older", "zhejiang-120", "hubei-110"]


def test_manifest_and_documents_are_bundled_with_the_package():
    # Run against the installed package (CI installs with `pip install .`), this checks that
    # the package data globs in pyproject.toml really ship the seeds.
    bundled = sorted(p.name for p in seed_dir().iterdir() if p.suffix in {".txt", ".json"})
    assert bundled == ["compilation_national_zhejiang_hubei.txt", "manifest.json",
                       "miit_sme_clusters_2023.txt", "most_national_2021_additions.txt",
                       "most_national_2021_appendix3.txt", "most_national_2021_notice_ocr.txt"]


def test_corpus_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = "import sys, index.corpus, index.corpus.export; print('jieba' in sys.modules, 'pypinyin' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
