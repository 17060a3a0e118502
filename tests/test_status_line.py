"""The build's progress line: shown and overwritten on a terminal, silent when piped."""

import io

from click.testing import CliRunner

from search.output import StatusLine


def test_on_a_terminal_each_report_overwrites_the_last_and_the_line_is_cleared():
    out = io.StringIO()
    with StatusLine(out, tty=True) as status:
        status.show("indexing records: 0 of 2,000")
        status.show("indexing records: 1,000 of 2,000")
        status.log("clsearch: built the index")
        status.show("verifying the new index")
    assert out.getvalue() == ("\r\x1b[Kclsearch: indexing records: 0 of 2,000 …"
                              "\r\x1b[Kclsearch: indexing records: 1,000 of 2,000 …"
                              "\r\x1b[Kclsearch: built the index\n"
                              "\r\x1b[Kclsearch: verifying the new index …\r\x1b[K")


def test_piped_only_the_log_lines_are_written():
    out = io.StringIO()  # not a terminal
    with StatusLine(out) as status:
        status.show("indexing records: 0 of 2,000")
        status.log("clsearch: built the index")
    assert out.getvalue() == "clsearch: built the index\n"


def test_index_build_through_a_pipe_prints_no_progress(tmp_path, copy_full_index):
    from cli import main

    copy_full_index(tmp_path / "ix")
    table = tmp_path / "mine.csv"
    table.write_text("name,province,program,year\n宁德锂电新能源产业集群,福建,地方产业集群,2024\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "build", "--add", str(table), "--index", str(tmp_path / "ix")],
                                catch_exceptions=False)
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith("clsearch: built the index (requested): 478 clusters in ") and "\r" not in result.stderr
