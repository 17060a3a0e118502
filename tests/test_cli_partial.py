"""The CLI's side of partial results and understood queries: the stderr line, the JSON fields,
--explain, exit statuses."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main


@pytest.fixture()
def run(small_index):
    def invoke(*args):
        return CliRunner().invoke(main, [*args, "--index", str(small_index)], catch_exceptions=False)
    return invoke


def test_a_partial_result_says_so_on_stderr_and_exits_0(run):
    r = run("锂电 qwzxv")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == " 1. 西宁经开区锂电产业集群"
    assert r.stderr == "clsearch: no cluster matches all of 锂电 qwzxv; showing matches for 锂电\n"


def test_words_no_cluster_has_together_are_named(run):
    r = run("锂电 光伏")
    assert r.exit_code == 0
    assert r.stderr == ("clsearch: no cluster matches all of 锂电 光伏; "
                        "showing matches for any of 锂电, 光伏\n")


def test_nonsense_finds_nothing_and_exits_1(run):
    r = run("奶茶火星")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == 'clsearch: no clusters match "奶茶火星"\n'


def test_the_json_carries_terms_dropped_partial_and_matched(run):
    r = run("锂电 qwzxv", "--json")
    data = json.loads(r.stdout)
    assert (data["terms"], data["dropped"], data["partial"]) == (["锂电", "qwzxv"], ["qwzxv"], True)
    assert [h["matched"] for h in data["hits"]] == [["锂电"]]


def test_the_json_says_what_the_query_was_understood_as(run):
    data = json.loads(run("3、锂电（培育）", "--json").stdout)
    assert data["understood"] == {"text": "锂电", "filters": {"type": ["培育"]},
                                  "notes": [{"text": "3、", "as": "numbering", "value": ""},
                                            {"text": "(培育)", "as": "type", "value": "培育"}]}
    assert data["filters"] == {"type": ["培育"]} and data["partial"] is False
    assert [h["name"] for h in data["hits"]] == ["西宁经开区锂电产业集群"]


def test_explain_shows_what_was_understood_as_what(run):
    r = run("3、锂电（培育）", "--explain")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[:3] == ["understood: 锂电", "  3、 → numbering (dropped)",
                                         "  (培育) → type 培育"]


def test_a_plain_query_has_no_understood_block(run):
    r = run("锂电", "--explain")
    assert not r.stdout.startswith("understood")
    assert "understood" not in json.loads(run("锂电", "--json").stdout)


def test_explain_names_english_nickname_and_generic_words(run):
    r = run("EV batteries", "--explain")
    assert r.stdout.splitlines()[:3] == ["understood: EV batteries", "  ev battery → english: 动力电池",
                                         " 1. 新余动力电池创新型产业集群"]
    r = run("做锂电的地方在哪", "--explain")
    assert r.stdout.splitlines()[:4] == ["understood: 做锂电的地方在哪",
                                         "  地方 → generic word (ranks, never required)",
                                         "  在哪 → generic word (ranks, never required)",
                                         " 1. 西宁经开区锂电产业集群"]
