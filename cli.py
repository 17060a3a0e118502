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
from search.output import StatusLine
from search.output import (COLORS, CSV_DEFAULT, EXPORT_COLUMNS, HIT_FIELDS, check_fields, facet_lines,
                           hit_lines, partial_note, pick, record_lines, record_row, stats_text, understood_lines, use_color,
                           write_csv,
                           write_jsonl)

EXIT_HITS, EXIT_NONE, EXIT_ERROR = 0, 1, 2


class _OutputFailed(Exception):
    """An OSError inside a command (a closed pipe, a full disk), carried past click's handlers."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


# How many values an option takes, so that `clsearch --index D index info` can be read as meant.
_VALUE_OPTIONS = {"--index": 1, "--limit": 1, "-n": 1, "--offset": 1, "--page": 1, "--fields": 1,
                  "--mark": 2, "--color": 1, "--colour": 1, "--add": 1, "--host": 1, "--port": 1,
                  "--workers": 1, "--cors-origin": 1, "--timeout": 1, "--max-limit": 1, "--cache-mb": 1,
                  **{f"--{name}": 1 for name in ("province", "city", "district", "program", "list", "type", "year")}}


class QueryFirstGroup(click.Group):
    """`clsearch QUERY...` works as written: anything that is not a command is a search.

    Bare `clsearch` prints the help. Options written before a command belong to it:
    `clsearch --json stats` is `clsearch stats --json`, `clsearch --index D index info` is
    `clsearch index info --index D`.
    """

    def parse_args(self, ctx, args):
        if not args and not ctx.resilient_parsing:  # (shell completion offers the commands)
            click.echo(ctx.get_help())
            ctx.exit(0)
        if not args:
            return super().parse_args(ctx, args)
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
            i += 1 + _VALUE_OPTIONS.get(args[i], 0)
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


def usage(message: str) -> NoReturn:
    """A bad combination of options: one line, exit 2 (as click's own usage errors)."""
    click.echo(f"clsearch: error: {message}", err=True)
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


FILTERS = ("province", "city", "district", "program", "list", "type", "year")


def _filter_values(field: str):
    """Shell completion of a filter option: the values the index holds (and their pinyin)."""
    def complete(ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        try:
            from search import Searcher

            with Searcher(index_dir=ctx.params.get("index_dir"), log=lambda m: None) as s:
                counts = s.values(field)
        except Exception:  # completion must never break the shell
            return []
        return [CompletionItem(v, help=f"{n} clusters") for v, n in counts.items()
                if v.startswith(incomplete)]
    return complete


def filter_options(f):
    helps = {
        "province": "Only this province (江苏, 江苏省, Jiangsu, 江蘇). Repeat for several.",
        "city": "Only this city, its counties and districts included (常州, 常州市, changzhou).",
        "district": "Only this district or county (武进区, 武进).",
        "program": "Only this program (创新型产业集群, 中小企业, most, miit, SME …).",
        "list": "Only clusters in this list (its key, as stats shows, or part of its title).",
        "type": "Only this type: 试点 (pilot) or 培育 (cultivation).",
        "year": "Only this list year (2021, 2023).",
    }
    for name in reversed(FILTERS):
        f = click.option(f"--{name}", f"{name}_", multiple=True, metavar="VALUE", help=helps[name],
                         shell_complete=_filter_values(name))(f)
    return f


@main.command("search")
@click.argument("query", nargs=-1)
@click.option("--limit", "-n", type=click.IntRange(1), default=10, show_default=True,
              help="Most hits to show (no upper bound other than the API's 1,000,000).")
@click.option("--all", "all_hits", is_flag=True, help="Every hit (no limit): for --csv, --jsonl, --json.")
@click.option("--offset", type=click.IntRange(0), default=None, help="Skip the first N hits (paging).")
@click.option("--page", type=click.IntRange(1), default=None, help="Page P of --limit hits each (1 is the first).")
@filter_options
@click.option("--facets", is_flag=True, help="Also count the hits by province, city, program, list, type and year.")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object {"query", "total", "offset", "limit", "filters", "hits"[, "facets"]}.')
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per hit per line.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row (UTF-8; lists joined with ；).")
@click.option("--bom", is_flag=True, help="With --csv: start with a byte-order mark, for Excel.")
@click.option("--fields", multiple=True, metavar="A,B,…",
              help="Columns/keys for --csv, --jsonl, --json: " + ", ".join(HIT_FIELDS) + ".")
@click.option("--mark", "mark_tags", nargs=2, default=("<mark>", "</mark>"), show_default=True,
              metavar="OPEN CLOSE", help="Tags around matched characters in the JSON's marked text (HTML-escaped).")
@click.option("--color", "--colour", "color", type=click.Choice(COLORS), default="auto", show_default=True,
              help="Colour matched characters: auto (a terminal, unless NO_COLOR or TERM=dumb), always, never.")
@click.option("--explain", is_flag=True, help="Show which ranking rule placed each hit, and how it matched.")
@index_option
def search_cmd(query, limit, all_hits, offset, page, facets, as_json, as_jsonl, as_csv, bom, fields,
               mark_tags, color, explain, index_dir, **filters) -> None:
    """Search (the default command: `clsearch QUERY` is `clsearch search QUERY`).

    With filters and no QUERY, lists the matching clusters by place (province, city,
    district) and name, in pinyin order.
    """
    from search import Searcher

    text = " ".join(query)
    formats = [n for n, on in (("--json", as_json), ("--jsonl", as_jsonl), ("--csv", as_csv)) if on]
    if len(formats) > 1:
        usage(f"{formats[0]} and {formats[1]} cannot be combined")
    if bom and not as_csv:
        usage("--bom goes with --csv")
    if offset is not None and page is not None:
        usage("--offset and --page cannot be combined")
    try:
        chosen = check_fields(fields)
    except ValueError as exc:
        usage(str(exc))
    if chosen and not formats:
        usage("--fields goes with --csv, --jsonl or --json")
    size = None if all_hits else limit
    start = offset or ((page - 1) * limit if page else 0)
    wanted = {k[:-1]: v for k, v in filters.items() if v}
    try:
        with Searcher(index_dir=index_dir) as searcher:
            res = searcher.results(text, size, offset=start, facets=facets, **wanted)
    except ClsearchError as exc:
        fail(exc)
    out = sys.stdout
    if explain and res.understood is not None and not formats:
        click.echo("\n".join(understood_lines(res.understood)))
    if as_json:
        data = res.to_dict(tags=mark_tags, explain=explain)
        if chosen:
            data["hits"] = [pick(h, chosen) for h in data["hits"]]
        click.echo(json.dumps(data, ensure_ascii=False))
    elif as_jsonl:
        write_jsonl((h.to_dict(tags=mark_tags) for h in res.hits), out, chosen or None)
    elif as_csv:
        write_csv((h.to_dict(highlights=False) for h in res.hits), chosen or CSV_DEFAULT, out, bom=bom)
    else:
        tty = use_color(color, out.isatty(), os.environ)
        for n, hit in enumerate(res.hits, res.offset + 1):
            click.echo("\n".join(hit_lines(hit, n, tty, explain)), color=tty)
        if res.facets:
            click.echo("\n".join(facet_lines(res.facets, titles=res.list_titles)))
    if res.hits and res.total > res.offset + len(res.hits) and not formats:
        last = res.offset + len(res.hits)
        total = res.total if res.total_exact else f"about {res.total}"
        click.echo(f"({res.offset + 1}–{last} of {total}; --page {last // len(res.hits) + 1}"
                   f" or --offset {last} for more)" if res.offset or page else
                   f"({len(res.hits)} of {total}; --limit or --page 2 to see more)", err=True)
    if res.partial and res.hits:
        click.echo(partial_note(res), err=True)
    if not res.hits:
        where = f' at offset {res.offset}' if res.offset and res.total else ""
        note = f'clsearch: no clusters match "{text}"{where}' if text else "clsearch: no clusters match these filters"
        if text and wanted:  # name the filters: the query alone may have hits
            note += " with " + " ".join(f"--{k} {' '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                                        for k, v in wanted.items())
        if res.suggestion:
            note += f"; did you mean: {res.suggestion} ?"
        click.echo(note, err=True)
    sys.exit(EXIT_HITS if res.hits else EXIT_NONE)


@main.command("show")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--json", "as_json", is_flag=True, help="The full record as one JSON object (one a line for several).")
@index_option
def show_cmd(ids, as_json, index_dir) -> None:
    """The full record of a cluster: names, places, builders, lists and every source.

    IDs are those printed by search (text and --json) and by export.
    """
    from search import Searcher

    try:
        with Searcher(index_dir=index_dir) as searcher:
            records = [searcher.get(i) for i in ids]
    except ClsearchError as exc:
        fail(exc)
    for n, record in enumerate(records):
        if as_json:
            click.echo(json.dumps(record.to_dict(), ensure_ascii=False))
        else:
            click.echo(("\n" if n else "") + "\n".join(record_lines(record)))


@main.command("complete")
@click.argument("prefix")
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=10, show_default=True, help="Most suggestions.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of {text, kind, count, id}.")
@index_option
def complete_cmd(prefix, limit, as_json, index_dir) -> None:
    """Type-ahead suggestions for PREFIX (常, chang, cz, 常zh): names, places and words.

    Each line: the suggestion, how many clusters it finds, and its kind (name lines end
    with the cluster's id).
    """
    from search import Searcher

    try:
        with Searcher(index_dir=index_dir) as searcher:
            found = searcher.complete(prefix, limit)
    except ClsearchError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False))
    else:
        for c in found:
            click.echo("\t".join([c.text, str(c.count), c.kind] + ([c.id] if c.id else [])))
    sys.exit(EXIT_HITS if found else EXIT_NONE)


@main.group("index")
def index_group() -> None:
    """Manage the search index."""


def add_option(f):
    return click.option("--add", "extra", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                        help="Also include this list (CSV or JSON lines with name, builder, province, "
                             "city, district, type, program, year). Repeatable.")(f)


NICE = 10  # `index build --nice`: how much lower the build's CPU priority is


@index_group.command("build")
@add_option
@index_option
@click.option("--nice", is_flag=True,
              help=f"Build at a lower CPU priority (nice +{NICE}), so that a server answering "
                   "from this index on the same machine keeps its cores (POSIX; ignored elsewhere).")
def index_build(extra, index_dir, nice) -> None:
    """Rebuild the index from the bundled seeds (swapped in only when complete).

    Lists added with --add are copied into the index and kept by every later build, automatic
    or not; add a file again to update its copy, and drop a list with `clsearch index remove`.
    A damaged index is rebuilt from scratch.
    """
    from index.ensure import build_from_seeds
    from index.store import default_index_dir

    if nice and hasattr(os, "nice"):
        os.nice(NICE)  # this process and the workers it forks: the build's own alone
    try:
        with StatusLine(sys.stderr) as status:
            build_from_seeds(index_dir or default_index_dir(), log=status.log, progress=status.show,
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
        with StatusLine(sys.stderr) as status:
            build_from_seeds(index_dir or default_index_dir(), log=status.log, progress=status.show,
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
    problems = check_generation(gen, meta)
    click.echo("files: " + ("intact (sizes and changed files checked; `index verify` hashes all)"
                            if not problems else "DAMAGED: " + "; ".join(problems)))
    _echo_user_dictionaries()
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


@main.command("export")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of JSON lines (lists joined with ；).")
@click.option("--bom", is_flag=True, help="With --csv: start with a byte-order mark, for Excel.")
@click.option("--related", is_flag=True,
              help="Only the clusters recognised by several programs: one group per line (or CSV rows).")
@index_option
def export_cmd(as_csv, bom, related, index_dir) -> None:
    """Print every record of the index, added lists included: JSON lines (or CSV).

    The ids are those search prints and `clsearch show ID` takes.
    """
    from search import Searcher

    if bom and not as_csv:
        usage("--bom goes with --csv")
    out = sys.stdout
    try:
        with Searcher(index_dir=index_dir) as searcher:
            rows = (r.to_dict() for r in searcher.records())
            if related:
                from index.corpus.export import related_groups, write_related_csv, write_related_jsonl

                if bom:
                    out.write("\ufeff")
                (write_related_csv if as_csv else write_related_jsonl)(related_groups(rows), out)
            elif as_csv:
                write_csv((record_row(d) for d in rows), EXPORT_COLUMNS, out, bom=bom)
            else:
                write_jsonl(rows, out)
    except ClsearchError as exc:
        fail(exc)


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@index_option
def stats_cmd(as_json, index_dir) -> None:
    """Counts of the index's records by list, program, type, province and year."""
    from search import Searcher

    try:
        with Searcher(index_dir=index_dir) as searcher:
            data = searcher.stats()
    except ClsearchError as exc:
        fail(exc)
    click.echo(json.dumps(data, ensure_ascii=False, indent=1) if as_json else stats_text(data), nl=as_json)


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
