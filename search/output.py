"""Writing hits and records out: marked text, terminal colour, CSV, JSON lines, field choice.

Pure functions over values (hits as `to_dict()` dicts, spans, records) and a text stream, so
the CLI stays a thin shell and a server or a notebook can format the same way.

Conventions (documented in the README):
- A list value in CSV is joined with ``；`` (the full-width semicolon, as `clsearch export`):
  it never occurs in names, and Chinese readers expect it; JSON keeps real lists.
- Marked text escapes the field's text for HTML by default, so a name cannot inject markup;
  the caller's own tags (``<mark>``/``</mark>``) are inserted as given.
- Colour is used only when asked (`always`) or when `auto` and stdout is a terminal, ``NO_COLOR``
  is unset or empty, and ``TERM`` is not ``dumb``. Without colour there is no markup at all:
  piped text is the names as written (``clsearch 锂电 | grep 西宁经开区锂电`` matches).
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

from index.text import formula_safe

LIST_SEP = "；"
COLORS = ("auto", "always", "never")
BOLD_RED, RESET = "\x1b[1;31m", "\x1b[0m"
DIM = "\x1b[2m"

# Hit keys, in the order CSV columns and --fields name them. `to_dict()` may carry more
# (highlights, explain, …): those are JSON only.
HIT_FIELDS = ("id", "name", "score", "province", "city", "district", "type", "program", "year",
              "lists", "list_titles", "builder", "aliases", "matched")
CSV_DEFAULT = ("id", "name", "province", "city", "district", "type", "program", "year",
               "list_titles", "builder", "aliases", "score")


def mark(text: str, spans: Iterable[Sequence[Any]], open: str = "<mark>", close: str = "</mark>",
         escape: Callable[[str], str] | None = html.escape) -> str:
    """`text` with each run of marked characters wrapped in `open` … `close`.

    Spans are (start, end, …) character offsets (a `Span` will do); overlapping and touching spans merge into one
    run. `escape` is applied to the text pieces (not to the tags); pass None for plain text.

    >>> mark("西宁<经开区>锂电", [(7, 9)])
    '西宁&lt;经开区&gt;<mark>锂电</mark>'
    >>> mark("锂电池", [(0, 1), (1, 2)], "[", "]", escape=None)
    '[锂电]池'
    """
    esc = escape or (lambda s: s)
    n = len(text)
    out: list[str] = []
    pos = 0  # the text before `pos` is written
    start = end = 0  # the run being merged: [start, end), empty at first
    for span in spans:  # usually in order already (`hits.make_hit` sorts them)
        s, e = span[0], span[1]
        if s < 0:
            s = 0
        if e > n:
            e = n
        if s >= e:
            continue
        if s < start:  # out of order: merge them sorted instead
            return mark(text, sorted(spans, key=lambda sp: sp[0]), open, close, escape)
        if s <= end and end > start:  # overlaps or touches the run: one run
            if e > end:
                end = e
            continue
        if end > start:
            if pos < start:
                out.append(esc(text[pos:start]))
            out.append(open + esc(text[start:end]) + close)
            pos = end
        start, end = s, e
    if end > start:
        if pos < start:
            out.append(esc(text[pos:start]))
        out.append(open + esc(text[start:end]) + close)
        pos = end
    if pos < n:
        out.append(esc(text[pos:]))
    return "".join(out)


def use_color(mode: str, isatty: bool, env: Mapping[str, str]) -> bool:
    """Whether to colour output: `mode` is auto, always or never (see the module docstring).

    >>> use_color("auto", True, {"TERM": "xterm"}), use_color("auto", True, {"NO_COLOR": "1"})
    (True, False)
    >>> use_color("auto", False, {}), use_color("always", False, {"TERM": "dumb"})
    (False, True)
    """
    if mode == "always":
        return True
    if mode == "never":
        return False
    return isatty and not env.get("NO_COLOR") and env.get("TERM") != "dumb"


def check_fields(fields: Sequence[str], allowed: Sequence[str] = HIT_FIELDS) -> list[str]:
    """The chosen columns, checked: a list of names (comma-separated items are split).

    Raises ValueError naming the unknown column and the valid ones.
    """
    out = []
    for item in fields:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in allowed:
                raise ValueError(f'unknown field "{name}"; fields are {", ".join(allowed)}')
            out.append(name)
    return out


def csv_value(value: object) -> str:
    """One CSV cell: lists joined with ``；``, None empty, numbers as written.

    A cell that a spreadsheet would read as a formula (=, +, -, @, a tab or CR first) gets a
    leading apostrophe, so a name cannot run code in Excel.
    """
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = LIST_SEP.join(str(v) for v in value)
    else:
        text = str(value)
    return formula_safe(text)


def write_csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str], fp: IO[str], bom: bool = False) -> int:
    """A header and one row per dict; returns the number of rows. `bom` for Excel."""
    if bom:
        fp.write("\ufeff")
    writer = csv.writer(fp, lineterminator="\r\n" if bom else "\n")
    writer.writerow(fields)
    n = 0
    for row in rows:
        writer.writerow([csv_value(row.get(f)) for f in fields])
        n += 1
    return n


def write_jsonl(rows: Iterable[Mapping[str, Any]], fp: IO[str], fields: Sequence[str] | None = None) -> int:
    """One JSON object per line (UTF-8 as is); only `fields` when given."""
    n = 0
    for row in rows:
        fp.write(json.dumps(pick(row, fields), ensure_ascii=False) + "\n")
        n += 1
    return n


def pick(row: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """`row` with only `fields` (in that order), or all of it."""
    return dict(row) if not fields else {f: row.get(f) for f in fields}


# -- text for a terminal or a pipe ---------------------------------------------------------
def _colored(text: str, spans: Iterable[Sequence[Any]], color: bool) -> str:
    if not color:
        return text  # no markup when piped: names stay greppable as written
    return mark(text, [(s[0], s[1]) for s in spans], BOLD_RED, RESET, escape=None)


def hit_lines(hit: Any, number: int, color: bool, explain: bool = False) -> list[str]:
    """A hit as the CLI prints it: name, facts (place · type · program year · id), builder,
    matched aliases or places, and with `explain` the rule that placed it."""
    marks = {h.field: h for h in hit.highlights}
    name = _colored(hit.name, marks["name"].spans, color) if "name" in marks else hit.name
    lines = [f"{number:>2}. {name}"]
    place = " ".join(p for p in (hit.province, hit.city, getattr(hit, "district", None)) if p)
    year = getattr(hit, "year", None)
    program = f"{hit.program} {year}" if year else hit.program
    ident = f"{DIM}{hit.id}{RESET}" if color else hit.id
    facts = [place or "—", hit.type or "", program, ident]
    lines.append("    " + " · ".join(f for f in facts if f))
    if hit.builder:
        b = marks.get("builder")
        lines.append("    建设单位: " + (_colored(b.text, b.spans, color) if b else hit.builder))
    for h in hit.highlights:
        if h.field in ("alias", "place"):
            label = "别名" if h.field == "alias" else "地区"
            lines.append(f"    {label}: " + _colored(h.text, h.spans, color))
    if explain and hit.explain:
        e = hit.explain
        rules = ", ".join(f"{k}={v}" for k, v in e["rules"].items())
        lines.append(f"    placed by: {e['placed_by']}   [{rules}]   score {hit.score}")
        for m in e["matches"]:
            how = "synonym" if m["synonym"] else "/".join(dict.fromkeys(str(c) for c in m["channels"]))
            lines.append(f"      {m['field']}: {m['text']} ← {m['as']} ({how}, typos {m['typos']})")
    return lines


def facet_lines(facets: Mapping[str, Mapping[str, int]], top: int = 12,
                titles: Mapping[str, str] | None = None) -> list[str]:
    """Facet counts as text: one line per field, the `top` values by count (lists by title)."""
    lines = []
    titles = titles or {}
    for field, counts in facets.items():
        items = list(counts.items())
        shown = " · ".join(f"{titles.get(v, v) if field == 'list' else v} {n}" for v, n in items[:top])
        more = f" · … {len(items) - top} more" if len(items) > top else ""
        lines.append(f"{field}: {shown}{more}")
    return lines


def record_lines(record: Any) -> list[str]:
    """A full record (`search.Record`) as `clsearch show` prints it."""
    place = " ".join(p for p in (record.province, record.city, record.district) if p) or "—"
    rows = [("id", record.id), ("名称", record.name)]
    rows += [("别名", a) for a in record.aliases]
    rows += [("地区", place), ("类型", record.type or "—"),
             ("项目", f"{record.program} {record.year}" if record.year else record.program),
             ("发布", record.issuer or "—")]
    rows += [("建设单位", b) for b in record.builders]
    if record.recommender:
        rows.append(("推荐单位", record.recommender))
    rows += [("名单", f"{ls.title} ({ls.key})") for ls in record.lists]
    lines = [f"{k}: {v}" for k, v in rows]
    lines.append("来源:")
    for s in record.sources:
        role = "" if s.role == "entry" else f" [{s.role}]"
        lines.append(f"  {s.document}:{s.line}{role}  {s.list_title}")
        lines.append(f"      {s.text}")
    if record.ocr_readings:
        lines.append("OCR: " + "；".join(record.ocr_readings))
    for rel in record.related:  # the same cluster in another program (index.corpus.related)
        parts = [rel.get("name") or "", rel.get("program") or "", rel.get("id") or ""]
        if rel.get("confidence") is not None:
            parts.append(f"confidence {rel['confidence']}")
        if rel.get("reason"):
            parts.append(rel["reason"])
        lines.append("相关: " + " · ".join(p for p in parts if p))
    return lines


# -- records (export) and counts (stats) -----------------------------------------------------
EXPORT_COLUMNS = ("id", "name", "short_name", "aliases", "program", "issuer", "list_title", "year",
                  "province", "city", "district", "builder", "recommender", "type", "lists",
                  "list_titles", "ocr_readings", "sources", "related")


def record_row(d: Mapping[str, Any]) -> dict[str, Any]:
    """A record's `to_dict()` flattened for CSV: sources as ``document:line``, related as the
    linked ids, the builder cell holding every builder (so an export loads back with
    ``clsearch index build --add``)."""
    row = dict(d)
    row["builder"] = list(d.get("builders") or ())
    row["sources"] = [f"{s['document']}:{s['line']}" for s in d.get("sources") or ()]
    row["related"] = [link["id"] for link in d.get("related") or ()]
    return row


def stats_text(st: Mapping[str, Any]) -> str:
    """`Searcher.stats()` as a readable table: one section per grouping, counts right-aligned."""
    lines = [f"records  {st['records']}"]
    titles = st.get("list_titles", {})
    for key, title in (("by_list", "list"), ("by_program", "program"), ("by_type", "type"),
                       ("by_province", "province"), ("by_year", "year")):
        rows = st.get(key, {})
        lines += ["", f"by {title}"]
        width = max((len(str(v)) for v in rows.values()), default=1)
        for label, n in rows.items():
            extra = f"  {titles[label]}" if key == "by_list" and titles.get(label, label) != label else ""
            lines.append(f"  {str(n).rjust(width)}  {label}{extra}")
    several = st.get("several_programs")
    if several:
        lines += ["", f"in several programs  {several['clusters']} clusters, {several['records']} records"
                      " (clsearch export --related)"]
        rows = several["by_programs"]
        width = max((len(str(v)) for v in rows.values()), default=1)
        lines += [f"  {str(n).rjust(width)}  {label}" for label, n in rows.items()]
    return "\n".join(lines) + "\n"


def understood_lines(understood: Any) -> list[str]:
    """``--explain``: what the query was understood as (`search.understand.Understood`).

    >>> from search.understand import understand
    >>> print("\\n".join(understood_lines(understand("3、常州光伏（培育）"))))
    understood: 常州光伏
      3、 → numbering (dropped)
      (培育) → type 培育
    """
    lines = [f"understood: {understood.text or '(filters only)'}"]
    for n in understood.notes:
        if n.role in ("english", "nickname"):
            what = f"{n.role}: {n.value}"
        elif n.role == "generic":
            what = "generic word (ranks, never required)"
        elif n.role in ("numbering", "bullet") or (n.role == "year" and not n.value):
            what = f"{n.role} (dropped)" if n.role != "year" else "year (no list of that year; dropped)"
        else:
            what = f"{n.role} {n.value}"
        lines.append(f"  {n.text} → {what}")
    return lines


def partial_note(results: Any) -> str:
    """The stderr line of a partial result (`search.partial`): what no cluster matches, and
    what the hits match instead.

    >>> from types import SimpleNamespace as NS
    >>> partial_note(NS(terms=("锂电", "qwzxv"), dropped=("qwzxv",), hits=[NS(matched=("锂电",))]))
    'clsearch: no cluster matches all of 锂电 qwzxv; showing matches for 锂电'
    >>> partial_note(NS(terms=("锂电", "光伏"), dropped=(), hits=[NS(matched=("锂电",))]))
    'clsearch: no cluster matches all of 锂电 光伏; showing matches for any of 锂电, 光伏'
    """
    kept = [t for t in results.terms if t not in results.dropped]
    words = [t for t in kept if "=" not in t]
    first = set(results.hits[0].matched) if results.hits else set()
    shown = " ".join(kept) if set(words) <= first or len(words) < 2 else "any of " + ", ".join(kept)
    return f"clsearch: no cluster matches all of {' '.join(results.terms)}; showing matches for {shown}"


class StatusLine:
    """What a long command is doing, on one line of a terminal that each report overwrites.

    Quiet when the stream is not a terminal (piped, redirected, a test runner): only the lines
    given to `log` are written there. Used as a context manager, it clears the status line at
    the end.

    >>> import io
    >>> out = io.StringIO()
    >>> with StatusLine(out) as status:
    ...     status.show("indexing records: 1,000 of 5,000")
    ...     status.log("clsearch: built the index")
    >>> out.getvalue()
    'clsearch: built the index\\n'
    """

    def __init__(self, stream: Any, tty: bool | None = None):
        self._stream = stream
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty()) if tty is None else tty
        self._shown = False

    def show(self, text: str) -> None:
        if self.tty:
            self._stream.write(f"\r\x1b[Kclsearch: {text} …")
            self._stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False

    def log(self, line: str) -> None:
        self.clear()
        self._stream.write(line + "\n")
        self._stream.flush()

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()
