"""What the command line says when it is used wrongly or unusually: one line, a hint, the right status."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import cli


def _cli(args, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.run(args)
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.mark.parametrize("args,mentions,command", [
    (["锂电", "--limit", "0"], "'--limit'", "clsearch search"),
    (["锂电", "--nope"], "--nope", "clsearch search"),
    (["index", "frob"], "frob", "clsearch index"),
    (["index", "remove"], "LIST", "clsearch index remove"),
])
def test_a_usage_error_is_one_line_with_a_hint(args, mentions, command, capsys):
    code, out, err = _cli(args, capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("clsearch: error: ") and mentions in err and err.endswith(f"(see: {command} --help)\n")


def test_bare_clsearch_prints_the_help(capsys):
    code, out, err = _cli([], capsys)
    assert code == 0 and err == "" and out.startswith("Usage: clsearch [OPTIONS] QUERY... | COMMAND")


def test_options_before_a_command_belong_to_it(small_index, capsys):
    code, out, err = _cli(["--index", str(small_index), "index", "info"], capsys)
    assert code == 0 and out.startswith(f"index: {small_index}/gen-")
    code, out, err = _cli(["--json", "--index", str(small_index), "search", "锂电"], capsys)
    assert code == 0 and json.loads(out)["hits"][0]["name"] == "西宁经开区锂电产业集群"
    code, out, err = _cli(["--index", str(small_index), "锂电"], capsys)  # and before a query
    assert code == 0 and "西宁经开区" in out


def test_no_hits_under_a_filter_names_the_filter(small_index, capsys):
    code, out, err = _cli(["锂电", "--province", "江苏", "--index", str(small_index)], capsys)
    assert code == 1 and err == 'clsearch: no clusters match "锂电" with --province 江苏\n'
    code, out, err = _cli(["锂电", "--province", "火星", "--index", str(small_index)], capsys)
    assert code == 2 and err.count("\n") == 1 and "province" in err and "火星" in err


def test_the_chinese_quick_start_has_one_command_per_line():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## 中文快速上手", 1)[1].split("```", 2)[1]
    for line in block.splitlines():
        command = line.split("#", 1)[0]
        assert len(re.findall(r"(?:^|\s)clsearch\s", command.split("&&")[-1])) <= 1, line
