"""Full records (`Searcher.get`, `clsearch show`), readable list titles, and export and stats
read from the index, so that an added list shows up in both."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from search import ListRef, SourceRef, UnknownIdError

XINING = "most-5d2bcf2e"  # 西宁经开区锂电产业集群: in three lists, one of them an OCR reading


def test_get_returns_the_full_record_with_every_source(full):
    r = full.get(XINING)
    assert r.name == "西宁经开区锂电产业集群" and r.type == "培育" and r.year == 2021
    assert (r.province, r.city, r.builders) == ("青海", "西宁市", ["西宁经开区管委会"])
    assert r.lists == [ListRef("most-2021-appendix3", "创新型产业集群名单"),
                       ListRef("most-national-older", "科技部官方发布的创新型产业集群试点（培育）名单"),
                       ListRef("most-2021-notice-ocr", "创新型产业集群名单（OCR）")]
    assert r.sources[0] == SourceRef("most_national_2021_appendix3.txt", "most-2021-appendix3",
                                     "创新型产业集群名单", 549, "西宁经开区锂电产业集群 | 西宁经开区管委会 | （培育）",
                                     "entry")
    assert [s.role for s in r.sources] == ["entry", "entry", "ocr"]
    assert r.ocr_readings == ["西宁经开区钮电产业集群"]


@pytest.mark.parametrize("bad", ["most-00000000", "", "  ", None])
def test_an_unknown_id_is_an_error(full, bad):
    with pytest.raises(UnknownIdError):
        full.get(bad)


def test_show_prints_the_record_and_its_sources():
    r = CliRunner().invoke(main, ["show", XINING])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[:3] == ["id: most-5d2bcf2e", "名称: 西宁经开区锂电产业集群", "地区: 青海 西宁市"]
    assert "名单: 创新型产业集群名单 (most-2021-appendix3)" in lines
    assert lines[-3:] == ["  most_national_2021_notice_ocr.txt:365 [ocr]  创新型产业集群名单（OCR）",
                          "      西宁经开区钮电产业集群 西宁经开区管委会 〈培育〉",
                          "OCR: 西宁经开区钮电产业集群"]
    data = json.loads(CliRunner().invoke(main, ["show", XINING, "--json"]).output)
    assert data["list_titles"][0] == "创新型产业集群名单" and len(data["sources"]) == 3


def test_show_of_an_unknown_id_is_one_line_exit_2():
    r = CliRunner().invoke(main, ["show", "nope-1234"])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == ('clsearch: error: no record has id "nope-1234" '
                        "(ids are printed by search --json and export)\n")


def test_every_id_export_prints_works_in_show(full):
    lines = CliRunner().invoke(main, ["export"]).output.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == 477 == len(set(ids))
    assert all(full.get(i).id == i for i in ids)


def test_hits_carry_year_district_and_readable_list_titles(full):
    hit = full.search("锂电", limit=1)[0]
    d = hit.to_dict()
    assert (d["year"], d["district"]) == (2021, None)
    assert d["list_titles"] == ["创新型产业集群名单", "科技部官方发布的创新型产业集群试点（培育）名单",
                                "创新型产业集群名单（OCR）"]
    assert full.search("忠县 锂电")[0].district == "忠县"


def test_stats_reads_the_index_and_names_the_lists():
    data = json.loads(CliRunner().invoke(main, ["stats", "--json"]).output)
    assert data["records"] == 477
    assert data["by_year"] == {"(none)": 225, "2021": 152, "2023": 100}
    assert data["list_titles"]["miit-sme-2023"] == "2023年度中小企业特色产业集群名单"
    text = CliRunner().invoke(main, ["stats"]).output
    assert "  100  miit-sme-2023  2023年度中小企业特色产业集群名单" in text.splitlines()


EXTRA = "name,province,city,program,year\n宁德锂电新能源产业集群,福建,宁德市,地方产业集群,2024\n"


def test_an_added_list_shows_up_in_stats_export_show_and_filters(tmp_path):
    table = tmp_path / "fujian.csv"
    table.write_text(EXTRA, encoding="utf-8")
    ix = str(tmp_path / "ix")
    runner = CliRunner()
    assert runner.invoke(main, ["index", "build", "--add", str(table), "--index", ix]).exit_code == 0
    stats = json.loads(runner.invoke(main, ["stats", "--json", "--index", ix]).output)
    assert stats["records"] == 478 and stats["by_list"]["fujian"] == 1
    assert stats["by_program"]["地方产业集群"] == 1
    rows = [json.loads(line) for line in runner.invoke(main, ["export", "--index", ix]).output.splitlines()]
    added = [r for r in rows if r["name"] == "宁德锂电新能源产业集群"]
    assert len(rows) == 478 and added[0]["lists"] == ["fujian"]
    shown = runner.invoke(main, ["show", added[0]["id"], "--index", ix])
    assert shown.exit_code == 0 and "名称: 宁德锂电新能源产业集群" in shown.output
    found = runner.invoke(main, ["--list", "fujian", "--year", "2024", "--json", "--index", ix])
    assert [h["name"] for h in json.loads(found.output)["hits"]] == ["宁德锂电新能源产业集群"]


def test_export_csv_joins_lists_and_loads_back_as_a_list(tmp_path):
    r = CliRunner().invoke(main, ["export", "--csv"])
    lines = r.output.splitlines()
    assert lines[0].startswith("id,name,short_name,aliases,program,")
    assert len(lines) == 478
    row = next(line for line in lines if line.startswith(XINING))
    assert "most-2021-appendix3；most-national-older；most-2021-notice-ocr" in row
    bom = CliRunner().invoke(main, ["export", "--csv", "--bom"]).output
    assert bom.startswith("\ufeffid,name,")
