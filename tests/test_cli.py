"""The command line, as a user runs it: output shapes, exit codes, and every bad input."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from cli import main

HIT_KEYS = {"id", "name", "score", "aliases", "province", "city", "district", "builder", "type", "program",
            "year", "lists", "list_titles", "highlights", "matched"}


@pytest.fixture()
def run(small_index):
    def invoke(*args, index=True):
        extra = ["--index", str(small_index)] if index else []
        return CliRunner().invoke(main, [*args, *extra], catch_exceptions=False)
    return invoke


def test_query_works_as_written_and_prints_a_ranked_list(run):
    r = run("锂电")
    assert r.exit_code == 0
    assert r.output.splitlines() == [
        " 1. 西宁经开区锂电产业集群",
        "    青海 西宁市 · 培育 · 创新型产业集群 2021 · t-01",
        "    建设单位: 西宁经开区管委会",
    ]


def test_highlights_show_characters_matched_through_pinyin_and_typos(run):
    def first(*args):
        return run(*args, "--color", "always").output.splitlines()[0]
    on, off = "\x1b[1;31m", "\x1b[0m"
    assert first("xinyu") == f" 1. {on}新余{off}动力电池创新型产业集群"
    assert first("夏门") == f" 1. {on}厦门{off}海洋与生命科学产业集群"
    assert first("常州gf") == f" 1. {on}常州光伏{off}创新型产业集群"


def test_json_prints_one_object_with_query_total_and_hits(run):
    r = run("常州", "--json", "--limit", "2")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert set(data) == {"query", "total", "total_exact", "offset", "limit", "filters", "hits", "terms",
                         "partial", "dropped"}
    assert data["query"] == "常州" and data["total"] == 3 and len(data["hits"]) == 2
    assert all(set(h) == HIT_KEYS for h in data["hits"])
    assert "常州" in r.output  # UTF-8 as is, not \\u escapes


def test_filters(run):
    data = json.loads(run("机器人", "--json", "--province", "江苏", "--type", "试点").output)
    assert [h["name"] for h in data["hits"]] == ["武进机器人及智能装备创新型产业集群"]


def test_no_hits_exits_1_and_says_so(run):
    r = run("qwzxv")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr == 'clsearch: no clusters match "qwzxv"\n'


def test_no_hits_with_a_close_correction_says_did_you_mean(run):
    r = run("lidn")
    assert r.exit_code == 1
    assert r.stderr == 'clsearch: no clusters match "lidn"; did you mean: 锂电 ?\n'


def test_no_hits_in_json_is_still_one_object(run):
    r = run("qwzxv", "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout) == {"query": "qwzxv", "total": 0, "total_exact": True, "offset": 0, "limit": 10,
                                    "filters": {}, "hits": [], "terms": ["qwzxv"], "partial": False,
                                    "dropped": []}


@pytest.mark.parametrize("args, message", [
    ([], "the query is empty"),
    (["   "], "the query is empty"),
    (["锂电\x07"], "the query contains control characters"),
    (["x" * 10_000], "the query is too long (10000 characters; the limit is 200)"),
])
def test_bad_queries_exit_2_with_one_line(run, args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith(f"clsearch: error: {message}")


@pytest.mark.parametrize("query", ['锂电 AND', '"锂电"', "锂电*", "(锂电)", "锂电~", "锂电^2", "name:锂电", "锂电?"])
def test_whoosh_syntax_is_never_an_error(run, query):
    r = run(query, "--json")
    assert r.exit_code == 0
    assert json.loads(r.output)["hits"][0]["name"] == "西宁经开区锂电产业集群"


def test_missing_index_directory_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["锂电", "--index", str(tmp_path / "nope")])
    assert r.exit_code == 2
    where = tmp_path / "nope"
    assert r.stderr == (f"clsearch: error: no clsearch index in {where} "
                        f"(build one with: clsearch index build --index {where})\n")


def test_usage_errors_exit_2(run):
    assert run("锂电", "--limit", "0").exit_code == 2
    assert run("锂电", "--bogus").exit_code == 2


def test_explain_shows_the_rule_and_the_channels(run):
    lines = run("智能装备", "jqr", "--explain", "--limit", "1").output.splitlines()
    assert lines[3].startswith("    placed by: terms   [terms=2, typos=0, synonyms=0, proximity=1, field=0,")
    assert lines[4:6] == ["      name: 智能装备 ← 智能装备 (exact, typos 0)", "      name: 机器人 ← j q r (initials, typos 0)"]


def test_every_command_has_help():
    runner = CliRunner()
    for args in ([], ["search"], ["index"], ["index", "build"], ["index", "info"], ["export"], ["stats"]):
        r = runner.invoke(main, [*args, "--help"])
        assert r.exit_code == 0, args
        assert re.search(r"Usage: ", r.output)


def test_export_prints_every_record_as_json_lines():
    r = CliRunner().invoke(main, ["export"])
    lines = r.stdout.splitlines()
    assert r.exit_code == 0 and len(lines) == 477
    first = json.loads(lines[0])
    assert {"id", "name", "aliases", "province", "sources"} <= set(first)


def test_export_csv_has_a_header_and_one_row_per_record():
    r = CliRunner().invoke(main, ["export", "--csv"])
    assert r.exit_code == 0
    assert r.output.splitlines()[0].startswith("id,")


def test_stats_counts_by_list_program_type_and_province():
    r = CliRunner().invoke(main, ["stats", "--json"])
    data = json.loads(r.output)
    assert data["records"] == 477
    assert data["by_program"] == {"创新型产业集群": 152, "浙江省产业集群": 115, "湖北省重点产业集群": 110,
                                  "中小企业特色产业集群": 100}


EXTRA_LIST = "name,province,city,program,year\n宁德锂电新能源产业集群,福建,宁德市,地方产业集群,2024\n"


def test_index_build_adds_a_users_own_list(tmp_path, copy_full_index):
    copy_full_index(tmp_path / "ix")  # its jieba cache: the build below need not make one
    table = tmp_path / "fujian.csv"
    table.write_text(EXTRA_LIST, encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["index", "build", "--add", str(table), "--index", str(tmp_path / "ix")])
    assert built.exit_code == 0
    assert built.stderr.startswith("clsearch: built the index (requested): 478 clusters in ")
    found = runner.invoke(main, ["ningde", "--json", "--index", str(tmp_path / "ix")])
    assert [h["name"] for h in json.loads(found.output)["hits"]] == ["宁德锂电新能源产业集群"]


@pytest.mark.parametrize("content, message", [
    ("名称,地区\n锂电,青海\n", "CSV list has no 'name' column"),
    (None, "cannot read"),
])
def test_a_malformed_list_is_one_clear_error_and_the_old_index_stays(tmp_path, small_index, content, message):
    table = tmp_path / "bad.csv"
    if content is not None:
        table.write_text(content, encoding="utf-8")
    r = CliRunner().invoke(main, ["index", "build", "--add", str(table), "--index", str(small_index)])
    assert r.exit_code == 2
    assert r.stderr.startswith(f"clsearch: error: {table}: {message}")
    assert CliRunner().invoke(main, ["锂电", "--index", str(small_index)]).exit_code == 0


def test_an_unreadable_index_directory_exits_2(tmp_path):
    not_a_dir = tmp_path / "index-file"
    not_a_dir.write_text("not an index", encoding="utf-8")
    r = CliRunner().invoke(main, ["锂电", "--index", str(not_a_dir)])
    assert r.exit_code == 2
    assert r.stderr.startswith(f"clsearch: error: cannot read index directory {not_a_dir}: ")
    assert len(r.stderr.splitlines()) == 1


def test_index_build_nice_lowers_the_builds_priority_only_when_asked(tmp_path, copy_full_index, monkeypatch):
    import os

    import cli

    calls: list[int] = []
    monkeypatch.setattr(os, "nice", lambda n: calls.append(n) or n, raising=False)
    copy_full_index(tmp_path / "ix")
    runner = CliRunner()
    assert runner.invoke(main, ["index", "build", "--index", str(tmp_path / "ix")]).exit_code == 0
    assert calls == []
    built = runner.invoke(main, ["index", "build", "--nice", "--index", str(tmp_path / "ix")])
    assert built.exit_code == 0 and "built the index" in built.output
    assert calls == [cli.NICE]
    assert "--nice" in runner.invoke(main, ["index", "build", "--help"]).output
