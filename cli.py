"""clsearch: the command line. A thin shell over `search` (queries) and `index` (data).

    clsearch 锂电                 ranked clusters for a keyword, place, builder or pinyin
    clsearch xinyu --json         one JSON object: {"query", "total", "hits"}
    clsearch index build          rebuild the index from the bundled seeds
    clsearch stats / export       the corpus: counts, or every record as JSON lines / CSV

Exit status as grep: 0 hits found, 1 no hits, 2 usage or error (one line on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.errors import ClsearchError

EXIT_HITS, EXIT_NONE, EXIT_ERROR = 0, 1, 2
_MARK = {True: ("\x1b[1;31m", "\x1b[0m"), False: ("【", "】")}


class QueryFirstGroup(click.Group):
    """`clsearch QUERY...` works as written: anything that is not a command is a search."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["search", *args]
        elif not args:
            args = ["search"]
        return super().parse_args(ctx, args)


def index_option(f):
    return click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
                        help="Index directory (default: per-user data dir, or $CLSEARCH_INDEX).")(f)


def fail(exc: ClsearchError) -> None:
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

    Lists added with --add are kept by later automatic rebuilds; build again without --add
    to drop them.
    """
    from index.ensure import build_from_seeds
    from index.store import default_index_dir

    try:
        build_from_seeds(index_dir or default_index_dir(), log=lambda m: click.echo(m, err=True),
                         extra=extra)
    except ClsearchError as exc:
        fail(exc)


@index_group.command("info")
@index_option
def index_info(index_dir) -> None:
    """Where the index is, and what it was built from."""
    from index.store import current_generation, default_index_dir, read_meta

    where = index_dir or default_index_dir()
    try:
        gen = current_generation(where)
    except ClsearchError as exc:
        fail(exc)
    if gen is None:
        click.echo(f"no index in {where} (it is built on first search)")
        sys.exit(EXIT_NONE)
    meta = read_meta(gen)
    click.echo(f"index: {gen}")
    for key in ("records", "built_at", "seconds", "fingerprint", "schema_version", "source", "extra"):
        click.echo(f"{key}: {meta.get(key)}")


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
@add_option
def export_cmd(as_csv, extra) -> None:
    """Print every record of the bundled seeds: one JSON object per line (or CSV)."""
    from index.corpus.export import write_csv, write_jsonl

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
    from index.auto import ensure_index
    from index.store import default_index_dir

    try:  # build or check the index once here, so that workers never race to build it
        gen = ensure_index(index_dir or default_index_dir(), auto_build=index_dir is None,
                           log=lambda m: click.echo(m, err=True))
    except ClsearchError as exc:
        fail(exc)
    if not server.is_loopback(host):
        click.echo(f"clsearch: warning: serving on {host}: reachable from other machines, with no authentication",
                   err=True)
    config = server.ServeConfig(index_dir=str(index_dir) if index_dir else None, timeout=timeout,
                                max_limit=max_limit, cors_origins=tuple(cors), cache_mb=cache_mb)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"clsearch: serving {gen.parent} at http://{shown}:{port}/ "
               f"({workers} worker{'s' if workers > 1 else ''}); Ctrl-C to stop", err=True)
    server.serve(config, host=host, port=port, workers=workers, access_log=access_log)


def run() -> None:
    """Console entry point: the CLI, with a quiet exit for closed pipes and Ctrl-C."""
    try:
        main()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_HITS)
    except KeyboardInterrupt:
        click.echo("clsearch: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    run()
