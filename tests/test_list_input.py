"""Added lists: what a user's CSV / JSON lines file may hold, and how each mistake is reported."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest

from index.corpus.tables import MAX_FIELD_CHARS, records_from_table
from index.ensure import AddedList, _choose_keys
from index.errors import SeedFormatError

HEAD = "name,province,program,year\n"


def _read(text: str, fmt: str = "csv"):
    return records_from_table(io.StringIO(text), "mine." + ("csv" if fmt == "csv" else "jsonl"), fmt)


@pytest.mark.parametrize("year,ok", [("2021", True), ("２０２１", True), ("1949", True), ("2100", True),
                                     ("1948", False), ("2101", False), ("፩፱፱፱", False), ("9" * 4301, False),
                                     ("2021.5", False), ("", True)])
def test_years_are_1949_to_2100_in_ascii_or_full_width_digits(year, ok):
    records, problems = _read(HEAD + f"常州光伏产业集群,江苏,地方产业集群,{year}\n")
    if ok:
        assert problems == [] and [r.year for r in records] == [int(year) if year else None]
    else:
        (p,) = problems
        assert records == [] and p.line == 2 and p.reason.startswith(("skipped: year must be 1949-2100 in digits",
                                                                      "skipped: year is longer than"))


def test_a_huge_cell_skips_its_row_quickly_and_says_which_line():
    started = time.perf_counter()
    records, problems = _read(HEAD + "常州光伏产业集群,江苏,地方产业集群,2021\n" + "锂" * 1_000_000 + ",江苏,地方产业集群,2021\n")
    assert time.perf_counter() - started < 5
    assert [r.name for r in records] == ["常州光伏产业集群"]
    (p,) = problems
    assert p.line == 3 and p.reason == f"skipped: name is longer than {MAX_FIELD_CHARS} characters"
    assert len(p.text) <= 2 * MAX_FIELD_CHARS + 1  # the message does not print a megabyte


def test_conflicting_duplicate_rows_merge_with_a_warning_naming_both_lines():
    records, problems = _read(HEAD + "常州光伏产业集群,江苏,地方产业集群,2021\n常州光伏产业集群,浙江,地方产业集群,2022\n")
    assert len(records) == 1
    (p,) = problems
    assert p.line == 3 and p.reason == ("merged with line 2, which gives province 江苏, year 2021 "
                                        "(this row: 浙江, 2022)")


def test_a_json_null_builder_is_no_builder():
    records, problems = _read('{"name": "常州光伏产业集群", "program": "地方产业集群", "builder": null}\n'
                              '{"name": "青岛机器人产业集群", "program": "地方产业集群", "builders": [null, "青岛高新区"]}\n',
                              "jsonl")
    assert problems == [] and [r.builders for r in records] == [[], ["青岛高新区"]]


@pytest.mark.parametrize("text", ['[{"name": "常州光伏产业集群", "program": "x"}]',
                                  '{\n  "name": "常州光伏产业集群",\n  "program": "x"\n}\n'])
def test_a_json_document_is_one_error_not_a_warning_per_line(text):
    with pytest.raises(SeedFormatError, match="not JSON lines"):
        _read(text, "jsonl")


def test_two_lists_with_the_same_name_from_different_folders_get_their_own_keys():
    kept = [AddedList("mine", "lists/mine.csv", "/a/mine.csv")]
    assert _choose_keys(kept, [Path("/b/mine.csv"), Path("/c/mine.csv"), Path("/a/mine.csv")]) == [
        ("mine-2", Path("/b/mine.csv")), ("mine-3", Path("/c/mine.csv")), ("mine", Path("/a/mine.csv"))]


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+cmd", "-2+3", "@SUM(A1)", "＝1+1", "\t=1+1"])
def test_csv_export_neutralises_formulas_from_added_lists(cell):
    """A cell starting = + - @ (full-width too, or after a tab the reader strips) is not run by a spreadsheet."""
    from index.corpus.export import write_csv

    csv_text = HEAD + f'"{cell}产业集群",江苏,"{cell}",2021\n'
    records, problems = _read(csv_text)
    assert problems == []
    out = io.StringIO()
    write_csv(records, out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["name"].startswith("'") and row["program"].startswith("'")
    assert row["name"][1:2] in "=+-@" and row["year"] == "2021"


def test_plain_numbers_stay_numbers_in_csv():
    from index.corpus.export import formula_safe

    assert [formula_safe(v) for v in ("-3", "+86", "2021", "")] == ["-3", "+86", "2021", ""]
