"""clsearch: the command line. A thin shell over `search` (queries) and `index` (data).

    clsearch 锂电                 ranked clusters for a keyword, place, builder or pinyin
    clsearch xinyu --json         one JSON object: {"query", "total", "hits"}
    clsearch index build          rebuild the index from the bundled seeds
    clsearch stats / export       the corpus: counts, or every record as JSON lines / CSV

Exit status as grep: 0 hits found, 1 no hits, 2 usage or error (one line on stderr).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from index.errors import ClsearchError, IndexMissingError

EXIT_HITS, EXIT_NONE, EXIT_ERROR = 0, 1, 2
_MARK = {True: ("\x1b[1;31m", "\x1b[0m"), False: ("【", "】")}


class _OutputFailed(Exception):
    """An OSError inside a command (a closed pipe, a full disk), carried past click's handlers."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


# Options that take a value, so that `clsearch --index D index info` can be read as meant.
_VALUE_OPTIONS = {"--index", "--limit", "-n", "--province", "--type", "--program", "--add"}


class QueryFirstGroup(click.Group):
    """`clsearch QUERY...` works as written: anything that is not a command is a search.

    Bare `clsearch` prints the help. Options written before a command belong to it:
    `clsearch --json stats` is `clsearch stats --json`, `clsearch --index D index info` is
    `clsearch index info --index D`.
    """

    def parse_args(self, ctx, args):
        if not args:
            click.echo(ctx.get_help())
            ctx.exit(0)
        args = self._options_after_command(args)
        if args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["search", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OSError as exc:  # click would turn a closed pipe into exit 1: `run` decides instead
            raise _OutputFailed(exc) from exc

    def _options_after_command(self, args: list[str]) -> list[str]:
        i = 0
        while i < len(args) and args[i].startswith("-") and args[i] not in ("--", "-h", "--help", "--version"):
            i += 2 if args[i] in _VALUE_OPTIONS else 1
        if i == 0 or i >= len(args) or args[i] not in self.commands:
            return args
        path = [args[i]]
        sub = self.commands[args[i]]
        if isinstance(sub, click.Group) and i + 1 < len(args) and args[i + 1] in sub.commands:
            path.append(args[i + 1])
        return path + args[:i] + args[i + len(path):]


def _resolved(ctx, param, value):
    from index.store import resolve_dir

    return resolve_dir(value) if value is not None else None


def index_option(f):
    return click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
                        callback=_resolved,
                        help="Index directory (default: per-user data dir, or $CLSEARCH_INDEX).")(f)


def fail(exc: ClsearchError) -> NoReturn:
    hint = f" ({exc.hint})" if getattr(exc, "hint", None) else ""
    click.echo(f"clsearch: error: {exc}{hint}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(cls=QueryFirstGroup, subcommand_metavar="QUERY... | COMMAND [ARGS]...",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clsearch")
def main() -> None:
    """Search China's industrial clusters (产业集群) by keyword, place, builder or pinyin.

    \b
    Examples:
      clsearch 锂电                  clsearch xinyu        clsearch jqr
      clsearch 常州 光伏 --limit 3     clsearch 夏门          clsearch 鋰電
      clsearch 机器人 --province 江苏 --type 试点 --json

    Exit status: 0 hits found, 1 no hits, 2 usage or error.
    """


@main.command("search")
@click.argument("query", nargs=-1)
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=10, show_default=True, help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"query", "total", "hits"}.')
@click.option("--province", help="Only clusters in this province (江苏 or 江苏省).")
@click.option("--type", "type_", help="Only this type: 试点 or 培育.")
@click.option("--program", help="Only this program (创新型产业集群, 中小企业特色产业集群, …).")
@click.option("--explain", is_flag=True, help="Show which ranking rule placed each hit, and how it matched.")
@index_option
def search_cmd(query, limit, as_json, province, type_, program, explain, index_dir) -> None:
    """Search (the default command: `clsearch QUERY` is `clsearch search QUERY`)."""
    from search import Searcher

    text = " ".join(query)
    try:
        with Searcher(index_dir=index_dir) as searcher:
            res = searcher.results(text, limit, province=province, type=type_, program=program)
    except ClsearchError as exc:
        fail(exc)
    if as_json:
        hits = [dict(h.to_dict(), **({"explain": h.explain.to_dict()} if explain and h.explain else {}))
                for h in res.hits]
        click.echo(json.dumps({"query": text, "total": res.total, "hits": hits}, ensure_ascii=False))
    else:
        _print_hits(res, explain)
    if not res.hits:
        note = f'clsearch: no clusters match "{text}"'
        given = [f"--{k} {v}" for k, v in (("province", province), ("type", type_), ("program", program)) if v]
        if given:
            note += " with " + " ".join(given)
        if res.suggestion:
            note += f"; did you mean: {res.suggestion} ?"
        click.echo(note, err=True)
    sys.exit(EXIT_HITS if res.hits else EXIT_NONE)


def _marked(text: str, spans, tty: bool) -> str:
    on, off = _MARK[tty]
    hit = set()
    for s in spans:
        hit.update(range(s.start, s.end))
    out, inside = [], False
    for i, ch in enumerate(text):
        if (i in hit) != inside:
            out.append(on if not inside else off)
            inside = not inside
        out.append(ch)
    if inside:
        out.append(off)
    return "".join(out)


def _print_hits(res, explain: bool) -> None:
    tty = sys.stdout.isatty()
    for n, hit in enumerate(res.hits, 1):
        marks = {h.field: h for h in hit.highlights}
        name = _marked(hit.name, marks["name"].spans, tty) if "name" in marks else hit.name
        click.echo(f"{n:>2}. {name}")
        place = " ".join(p for p in (hit.province, hit.city) if p)
        facts = [place or "—", hit.type or "", hit.program]
        click.echo("    " + " · ".join(f for f in facts if f))
        if hit.builder:
            b = marks.get("builder")
            click.echo("    建设单位: " + (_marked(b.text, b.spans, tty) if b else hit.builder))
        for h in hit.highlights:
            if h.field in ("alias", "place"):
                label = "别名" if h.field == "alias" else "地区"
                click.echo(f"    {label}: " + _marked(h.text, h.spans, tty))
        if explain and hit.explain:
            e = hit.explain
            rules = ", ".join(f"{k}={v}" for k, v in e.rules._asdict().items())
            click.echo(f"    placed by: {e.placed_by}   [{rules}]   score {hit.score}")
            for m in e.matches:
                how = "synonym" if m.synonym else "/".join(dict.fromkeys(str(c) for c in m.channels))
                click.echo(f"      {m.field}: {m.text} ← {m.reading} ({how}, typos {m.typos})")
    if res.hits and res.total > len(res.hits):
        click.echo(f"({len(res.hits)} of {res.total}; --limit to see more)")


@main.group("index")
def index_group() -> None:
    """Manage the search index."""


def add_option(f):
    return click.option("--add", "extra", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                        help="Also include this list (CSV or JSON lines with name, builder, province, "
                             "city, district, type, program, year). Repeatable.")(f)


@index_group.command("build")
@add_option
@index_option
def index_build(extra, index_dir) -> None:
    """Rebuild the index from the bundled seeds (swapped in only when complete).

    Lists added with --add are copied into the index and kept by every later build, automatic
    or not; add a file again to update its copy, and drop a list with `clsearch index remove`.
    A damaged index is rebuilt from scratch.
    """
    from index.ensure import build_from_seeds
    from index.store import default_index_dir

    try:
        build_from_seeds(index_dir or default_index_dir(), log=lambda m: click.echo(m, err=True),
                         extra=extra)
    except ClsearchError as exc:
        fail(exc)


@index_group.command("remove")
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@index_option
def index_remove(lists, index_dir) -> None:
    """Drop added lists (by key, as `clsearch index info` shows them) and rebuild."""
    from index.ensure import build_from_seeds
    from index.store import default_index_dir

    try:
        build_from_seeds(index_dir or default_index_dir(), log=lambda m: click.echo(m, err=True),
                         why="removed " + ", ".join(lists), remove=lists)
    except ClsearchError as exc:
        fail(exc)


@index_group.command("info")
@index_option
def index_info(index_dir) -> None:
    """Where the index is, what it was built from, and whether its files are intact."""
    from index.ensure import added_lists
    from index.store import check_generation, current_generation, default_index_dir, read_meta

    where = index_dir or default_index_dir()
    try:
        gen = current_generation(where)
        meta = read_meta(gen) if gen else {}
    except ClsearchError as exc:
        fail(exc)
    if gen is None:
        click.echo(f"no index in {where} (it is built on first search)")
        sys.exit(EXIT_NONE)
    click.echo(f"index: {gen}")
    for key in ("records", "built_at", "seconds", "fingerprint", "schema_version", "source"):
        click.echo(f"{key}: {meta.get(key)}")
    for a in added_lists(meta):
        click.echo(f"list: {a.key}  (added from {a.origin})")
    _echo_user_dictionaries()
    problems = check_generation(gen, meta)
    click.echo("files: " + ("intact (sizes and changed files checked; `index verify` hashes all)"
                            if not problems else "DAMAGED: " + "; ".join(problems)))
    if problems:
        sys.exit(EXIT_ERROR)


@index_group.command("verify")
@index_option
def index_verify(index_dir) -> None:
    """Check every file of the current generation against the checksums taken at build time.

    Exit status 0 if intact; 2, with one line per problem, if not.
    """
    from index.store import check_generation, current_generation, default_index_dir, read_meta

    where = index_dir or default_index_dir()
    try:
        gen = current_generation(where)
        if gen is None:
            raise IndexMissingError(f"no clsearch index in {where}",
                                    hint=f"build one with: clsearch index build --index {where}")
        meta = read_meta(gen)
    except ClsearchError as exc:
        fail(exc)
    problems = check_generation(gen, meta, full=True)
    for p in problems:
        click.echo(f"clsearch: damaged: {gen.name}/{p}", err=True)
    if problems:
        click.echo(f"clsearch: error: the index in {where} is damaged "
                   f"(rebuild it with: clsearch index build --index {where})", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"ok: {len(meta['files'])} files of {gen.name} match their checksums")


def _echo_user_dictionaries() -> None:
    from index.user_files import USER_FILES, config_dir, user_files

    found = ", ".join(p.name for p in user_files()) or "none"
    click.echo(f"user dictionaries: {config_dir()} ({found}; may hold {', '.join(USER_FILES)})")


def _records(extra=()):
    from index.corpus import load_corpus

    try:
        corpus = load_corpus(extra_tables=extra)
    except ClsearchError as exc:
        fail(exc)
    for p in corpus.problems:
        click.echo(f"clsearch: warning: {p}", err=True)
    return corpus.records


@main.command("export")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of JSON lines.")
@click.option("--related", is_flag=True,
              help="Only the clusters recognised by several programs: one group per line (or CSV rows).")
@add_option
def export_cmd(as_csv, related, extra) -> None:
    """Print every record of the bundled seeds: one JSON object per line (or CSV)."""
    from index.corpus.export import related_groups, write_csv, write_jsonl, write_related_csv, write_related_jsonl

    if related:
        (write_related_csv if as_csv else write_related_jsonl)(related_groups(_records(extra)), sys.stdout)
        return
    (write_csv if as_csv else write_jsonl)(_records(extra), sys.stdout)


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@add_option
def stats_cmd(as_json, extra) -> None:
    """Counts of the bundled records by list, program, type and province."""
    from index.corpus.export import format_stats, stats

    data = stats(_records(extra))
    click.echo(json.dumps(data, ensure_ascii=False, indent=1) if as_json else format_stats(data))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback is reachable from other machines (one warning).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes, each with its own Searcher.")
@click.option("--cors-origin", "cors", multiple=True, metavar="ORIGIN",
              help="Allow cross-origin requests from ORIGIN (e.g. https://example.org, or *). Repeatable; off by default.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=5.0, show_default=True,
              help="Seconds a request may take before it fails with 503.")
@click.option("--max-limit", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Largest page (limit) a request may ask for.")
@click.option("--cache-mb", type=click.FloatRange(0, 4096), default=32, show_default=True,
              help="Per-worker cache of answers for the current index generation (0: off).")
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@index_option
def serve_cmd(host, port, workers, cors, timeout, max_limit, cache_mb, access_log, index_dir) -> None:
    """Serve the HTTP search API and the search-as-you-type page (needs: pip install 'clsearch[serve]')."""
    try:
        from search import server
    except ImportError as exc:
        click.echo(f"clsearch: error: serve needs the web extra ({exc.name} is missing); "
                   "install it with: pip install 'clsearch[serve]'", err=True)
        sys.exit(EXIT_ERROR)
    from index.ensure import ensure_index
    from index.store import default_index_dir

    try:  # build or check the index once here, so that workers never race to build it
        gen = ensure_index(index_dir or default_index_dir(), auto_build=index_dir is None,
                           log=lambda m: click.echo(m, err=True))
    except ClsearchError as exc:
        fail(exc)
    if not server.is_loopback(host):
        click.echo(f"clsearch: warning: serving on {host}: reachable from other machines, with no authentication",
                   err=True)
    problem = server.bind_problem(host, port)
    if problem:
        click.echo(f"clsearch: error: {problem}", err=True)
        sys.exit(EXIT_ERROR)
    config = server.ServeConfig(index_dir=str(index_dir) if index_dir else None, timeout=timeout,
                                max_limit=max_limit, cors_origins=tuple(cors), cache_mb=cache_mb)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"clsearch: serving {gen.parent} at http://{shown}:{port}/ "
               f"({workers} worker{'s' if workers > 1 else ''}); Ctrl-C to stop", err=True)
    server.serve(config, host=host, port=port, workers=workers, access_log=access_log)


def run(argv: list[str] | None = None) -> None:
    """Console entry point: the CLI, with the exit statuses scripts rely on.

    Click is run with ``standalone_mode=False`` so that its own handling (``Aborted!`` and
    exit 1 on Ctrl-C, multi-line usage errors) never reaches the user: Ctrl-C is
    ``clsearch: interrupted`` and 130; a closed pipe exits 0 quietly; an output that cannot
    be written (``> /dev/full``) is one line and 2; a usage error is one line and a hint, 2.
    """
    _tolerant_streams()
    for name in ("SIGTERM", "SIGHUP"):  # unwind (a build removes its partial generation), then exit
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminate)
    try:
        try:
            rv = main.main(args=argv, prog_name="clsearch", standalone_mode=False)
            code = rv if isinstance(rv, int) else EXIT_HITS
        except SystemExit as exc:
            code = exc.code
        sys.stdout.flush()
    except (KeyboardInterrupt, click.exceptions.Abort):
        _say("clsearch: interrupted")
        code = 130
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "clsearch"
        _say(f"clsearch: error: {exc.format_message()} (see: {command} --help)")
        code = EXIT_ERROR
    except click.ClickException as exc:
        _say(f"clsearch: error: {exc.format_message()}")
        code = EXIT_ERROR
    except (OSError, _OutputFailed) as exc:
        exc = exc.error if isinstance(exc, _OutputFailed) else exc
        _quiet_stdout()
        if exc.errno == errno.EPIPE:
            code = EXIT_HITS  # the reader has all it wanted (| head)
        else:
            what = "cannot write the output" if exc.filename is None else f"{exc.filename}"
            _say(f"clsearch: error: {what}: {exc.strerror or exc}")
            code = EXIT_ERROR
    sys.exit(code)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _tolerant_streams() -> None:
    """Chinese on a stream that cannot encode it (PYTHONIOENCODING=latin-1) is escaped, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        try:
            "锂".encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (AttributeError, ValueError):
                pass


if __name__ == "__main__":
    run()
