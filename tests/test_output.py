"""Output formats and terminal habits: CSV, JSON lines, --fields, highlights as spans and
marked text, no markup in pipes, --color, NO_COLOR, TERM=dumb, footers on stderr, shell
completion of filter values."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli import main
from search import Highlight, Span
from search.output import csv_value, mark, use_color

XINING = "西宁经开区锂电产业集群"


@pytest.fixture()
def run(small_index):
    def invoke(*args, env=None):
        return CliRunner().invoke(main, [*args, "--index", str(small_index)], env=env,
                                  catch_exceptions=False)
    return invoke


# -- CSV, JSON lines, fields ---------------------------------------------------------------------
def test_csv_has_a_header_and_one_row_per_hit(run):
    r = run("常州", "--csv")
    rows = list(csv.reader(io.StringIO(r.output)))
    assert rows[0] == ["id", "name", "province", "city", "district", "type", "program", "year",
                       "list_titles", "builder", "aliases", "score"]
    assert [row[1] for row in rows[1:]] == ["常州光伏创新型产业集群", "常州轨道交通牵引动力与关键核心部件产业集群",
                                            "武进机器人及智能装备创新型产业集群"]
    assert rows[3][4] == "武进区" and rows[3][8] == "test list"


def test_csv_bom_for_excel_and_chosen_fields(run):
    r = run("锂电", "--csv", "--bom", "--fields", "id,name", "--fields", "lists")
    assert r.stdout_bytes.decode() == "\ufeffid,name,lists\r\nt-01,西宁经开区锂电产业集群,test\r\n"


def test_list_values_are_joined_with_a_fullwidth_semicolon_and_formulas_are_defused():
    assert csv_value(["a", "b"]) == "a；b" and csv_value(None) == "" and csv_value(2021) == "2021"
    assert csv_value("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_value("＠x") == "'＠x"
    assert csv_value("-5") == "-5"


def test_jsonl_is_one_hit_per_line_with_chosen_fields(run):
    r = run("常州", "--jsonl", "--fields", "name,city")
    assert [json.loads(line) for line in r.output.splitlines()] == [
        {"name": "常州光伏创新型产业集群", "city": "常州市"},
        {"name": "常州轨道交通牵引动力与关键核心部件产业集群", "city": "常州市"},
        {"name": "武进机器人及智能装备创新型产业集群", "city": "常州市"}]


@pytest.mark.parametrize("args, message", [
    (["--csv", "--json"], "--json and --csv cannot be combined"),
    (["--bom"], "--bom goes with --csv"),
    (["--fields", "name"], "--fields goes with --csv, --jsonl or --json"),
    (["--csv", "--fields", "name,colour"], 'unknown field "colour"; fields are id, name'),
])
def test_bad_output_options_are_one_line_exit_2(run, args, message):
    r = run("锂电", *args)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"clsearch: error: {message}") and len(r.stderr.splitlines()) == 1


# -- highlights: spans and marked text --------------------------------------------------------------
def test_json_highlights_carry_spans_and_marked_text_with_the_callers_tags(run):
    hit = json.loads(run("锂电", "--json").output)["hits"][0]
    assert hit["highlights"][0] == {"field": "name", "text": XINING, "spans": [[5, 6, "exact"], [6, 7, "exact"]],
                                    "marked": "西宁经开区<mark>锂电</mark>产业集群"}
    tagged = json.loads(run("锂电", "--json", "--mark", "<b>", "</b>").output)["hits"][0]
    assert tagged["highlights"][0]["marked"] == "西宁经开区<b>锂电</b>产业集群"


def test_marked_text_is_html_escaped_so_a_name_cannot_inject_markup():
    h = Highlight("name", "<img src=x>锂电&", (Span(11, 12, "exact"), Span(12, 13, "exact")))
    assert h.marked() == "&lt;img src=x&gt;<mark>锂电</mark>&amp;"
    assert h.marked("[", "]", escape=False) == "<img src=x>[锂电]&"
    assert mark("a<b", [(0, 1)], "<i>", "</i>") == "<i>a</i>&lt;b"


def test_hit_marked_in_the_api(small):
    hit = small.search("xinyu")[0]
    assert hit.marked() == "<mark>新余</mark>动力电池创新型产业集群"
    assert hit.marked("builder", "*", "*") == "新余高新区管委会"  # the name matched, not the builder
    assert small.search("新余高新区管委会")[0].marked("builder", "*", "*") == "*新余高新区管委会*"


# -- terminals and pipes ----------------------------------------------------------------------------------
def test_piped_text_has_no_markup_and_the_footer_goes_to_stderr(run):
    r = run("常州", "-n", "1")
    assert r.stdout.splitlines()[:2] == [" 1. 常州光伏创新型产业集群", "    江苏 常州市 · 试点 · 创新型产业集群 2021 · t-03"]
    assert "【" not in r.stdout and "\x1b" not in r.stdout
    assert r.stderr == "(1 of 3; --limit or --page 2 to see more)\n"


def test_color_always_marks_matches_with_ansi(run):
    r = run("锂电", "--color", "always")
    assert r.stdout.splitlines()[0] == " 1. 西宁经开区\x1b[1;31m锂电\x1b[0m产业集群"


@pytest.mark.parametrize("mode, tty, env, expected", [
    ("auto", True, {"TERM": "xterm-256color"}, True),
    ("auto", True, {"TERM": "xterm", "NO_COLOR": "1"}, False),
    ("auto", True, {"TERM": "xterm", "NO_COLOR": ""}, True),  # empty means unset (no-color.org)
    ("auto", True, {"TERM": "dumb"}, False),
    ("auto", False, {"TERM": "xterm"}, False),
    ("never", True, {}, False),
    ("always", False, {"NO_COLOR": "1"}, True),  # an explicit choice wins
])
def test_when_colour_is_used(mode, tty, env, expected):
    assert use_color(mode, tty, env) is expected


def test_a_real_pipe_is_greppable(small_index):
    out = subprocess.run([sys.executable, "-m", "cli", "锂电", "--index", str(small_index)],
                         capture_output=True, text=True, env=dict(os.environ, TERM="xterm"))
    assert out.returncode == 0
    assert XINING in out.stdout.splitlines()[0]


@pytest.mark.parametrize("cmd", ["export", "区 -n 1000"])
def test_a_closed_pipe_exits_quietly_with_status_0(cmd, full):
    script = f"set -o pipefail; {sys.executable} -m cli {cmd} --index {full.index_dir} | head -1 > /dev/null"
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert (out.returncode, out.stderr) == (0, "")


# -- shell completion --------------------------------------------------------------------------------------
def complete(words: str, small_index) -> list[str]:
    env = {"_CLSEARCH_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split(" ")) - 1)}
    r = CliRunner().invoke(main, [], env=env, prog_name="clsearch")
    return [line.split(",", 1)[1] for line in r.output.splitlines()]


def test_shell_completion_offers_commands_options_and_filter_values(small_index):
    assert {"search", "show", "complete", "export", "stats", "index"} <= set(complete("clsearch ", small_index))
    assert "--province" in complete("clsearch 锂电 --pro", small_index)
    values = complete(f"clsearch 锂电 --index {small_index} --type ", small_index)
    assert values == ["培育", "试点"]
    assert complete(f"clsearch 锂电 --index {small_index} --province 江", small_index) == ["江苏", "江西"]
