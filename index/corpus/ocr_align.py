"""Reading the OCR of the 2021 notice (most-2021-notice-ocr) and aligning it to the clean list (most-2021-appendix3).

Only the appendix-3 table is read: from the line "附件 3:" to "(以下无内容)". The notice's
prose, the two forms of appendices 1 and 2 and the letterhead before it are skipped by
design; a document without that table region is malformed (SeedFormatError).

Inside the table the OCR runs a row's columns together on one line, splits a wrapped cell
over several lines (the type may even come between the halves of a builder), drops the
region onto a line of its own at the middle of its group, and misreads characters (即郭 for
邯郸, 海坊 for 潍坊, 钮电 for 锂电). So lines are not parsed into rows; they are aligned:
every table line is given to one record of most-2021-appendix3 by a monotone segmentation (dynamic
programming over line × record) that maximises the characters each line shares with its
record's name, builder and type. Order does the rest: a fragment too short to match anything
(群, or 罪羊 read for a wrapped 群) stays with the record it follows.

Region labels (a line or leading token that is a province) and the two header lines are the
only table lines not aligned to a record; they say nothing the clean list does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .blocks import Lines
from .entries import Entry, Problem
from ..errors import SeedFormatError
from .manifest import ListSpec
from .places import Regions
from ..records import Source
from ..text import clean_cell, normalize

_START_RE = re.compile(r"^附件\s*3\s*[:：]")
_END_RE = re.compile(r"以下无内容")
_HEADERS = {"创新型产业集群名单", "地区集群名称建设单位类型"}
_TYPE = r"(?:试点|[(（〈<]?培育[)）〉>]?)"
_TYPE_TOKEN_RE = re.compile(rf"^({_TYPE})$")
_TYPE_HEAD_RE = re.compile(rf"^({_TYPE})(\S+)$")  # 试点服务创新型产业集群
SKIP_PENALTY = 12  # characters a record must lack before the alignment leaves it without a line
START_BONUS = 3  # a record's run that begins with the first two characters of its name
FRAGMENT_LEN = 3  # a line this short may match nothing: a wrapped cell's tail


@dataclass
class OcrLine:
    """A table line: its content tokens (region label and type taken out) and its type, if any."""

    line: int
    raw: str
    tokens: list[str] = field(default_factory=list)
    type: str | None = None

    @property
    def content(self) -> str:
        return "".join(self.tokens)


def _type_of(token: str) -> str | None:
    return "试点" if "试点" in token else "培育"


def table_lines(lines: Lines, spec: ListSpec, regions: Regions) -> list[OcrLine]:
    """The appendix-3 table's lines, cleaned into content tokens and a type."""
    start = next((i for i, (_, raw) in enumerate(lines) if _START_RE.match(raw.strip())), None)
    if start is None:
        raise SeedFormatError("no appendix-3 table (a line '附件 3:') in the OCR notice", spec.document)
    end = next((i for i, (_, raw) in enumerate(lines) if i > start and _END_RE.search(raw)), len(lines))
    out: list[OcrLine] = []
    for number, raw in lines[start + 1:end]:
        text = normalize(raw)
        if not text or text.replace(" ", "") in _HEADERS:
            continue
        item = OcrLine(number, raw.strip())
        for token in text.split(" "):
            head = _TYPE_HEAD_RE.match(token)
            if _TYPE_TOKEN_RE.match(token):
                item.type = _type_of(token)
            elif head:
                item.type, token = _type_of(head.group(1)), head.group(2)
                item.tokens.append(clean_cell(token))
            elif regions.province(token) is None:
                item.tokens.append(clean_cell(token))
        if item.tokens or item.type:
            out.append(item)
    return out


def _target(entry: Entry) -> str:
    return entry.name + "".join(entry.builders)


def _shared(a: str, b: str) -> int:
    """Characters of `a` found in order in `b`."""
    if not a:
        return 0
    return sum(m.size for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def align(items: Sequence[OcrLine], records: Sequence[Entry]) -> list[int | None]:
    """For each OCR line, the index of its record: monotone, each record one contiguous run.

    Dynamic programming over (line, record). A line either continues the record of the line
    before or starts the next record; skipping records costs SKIP_PENALTY each, so a record
    the OCR lacks is left without a line instead of stealing its neighbour's. A run earns
    START_BONUS when its first line begins like its record's name, so an unmatched fragment
    (群, 罪羊) stays with the record it follows rather than opening the next one.
    """
    m, n = len(items), len(records)
    if not m or not n:
        return [None] * m
    score = [[0] * n for _ in range(m)]
    matcher = SequenceMatcher(None, autojunk=False)
    for j, r in enumerate(records):  # `_shared` of every pair, each record's target analysed once
        matcher.set_seq2(_target(r))
        for i, it in enumerate(items):
            if it.content:
                matcher.set_seq1(it.content)
                score[i][j] = sum(b.size for b in matcher.get_matching_blocks())
            if it.type and it.type == r.type:
                score[i][j] += 1
    neg = float("-inf")
    best = [[neg] * n for _ in range(m)]
    back = [[-1] * n for _ in range(m)]
    def start(i: int, j: int) -> int:
        return START_BONUS if items[i].content[:2] == records[j].name[:2] else 0

    for j in range(n):
        best[0][j] = score[0][j] + start(0, j) - SKIP_PENALTY * j
    for i in range(1, m):
        for j in range(n):
            options = [(best[i - 1][j], j)]  # continue the same record (listed first: wins ties)
            options += [(best[i - 1][k] - SKIP_PENALTY * (j - k - 1) + start(i, j), k) for k in range(max(0, j - 4), j)]
            value, k = max(options, key=lambda o: o[0])
            best[i][j], back[i][j] = value + score[i][j], k
    j = max(range(n), key=lambda j: best[m - 1][j] - SKIP_PENALTY * (n - 1 - j))
    out: list[int | None] = [None] * m
    for i in range(m - 1, -1, -1):
        out[i] = j
        j = back[i][j]
    return out


def _reading(tokens: list[str], name: str, builder: str) -> tuple[str, str]:
    """Split a record's OCR tokens into a name reading and a builder reading.

    Each token goes to the field whose similarity to the clean text it raises most
    (a wrapped name's tail, 服务创新型产业集群, returns to the name after the builder).
    """
    got = {"name": "", "builder": ""}
    clean = {"name": name, "builder": builder}

    def ratio(field_: str, text: str) -> float:
        return SequenceMatcher(None, text, clean[field_], autojunk=False).ratio()

    for token in tokens:
        gain = {f: ratio(f, got[f] + token) - ratio(f, got[f]) for f in got}
        target = "builder" if gain["builder"] > gain["name"] else "name"
        got[target] += token
    return got["name"], got["builder"]


def parse_ocr(lines: Lines, spec: ListSpec, regions: Regions, records: Sequence[Entry]) -> tuple[list[tuple[int, Entry]], list[Problem]]:
    """OCR entries paired with the index of their record in `records` (the clean list)."""
    items = table_lines(lines, spec, regions)
    owner = align(items, records)
    problems: list[Problem] = []
    groups: dict[int, list[OcrLine]] = {}
    for item, j in zip(items, owner):
        if j is None:  # no records to align to at all
            problems.append(Problem(spec.document, item.line, item.raw, "OCR line has no record to align to"))
            continue
        groups.setdefault(j, []).append(item)
        target = _target(records[j])
        shared = _shared(item.content, target)
        if len(item.content) > FRAGMENT_LEN and shared < 0.5 * len(item.content):
            problems.append(Problem(spec.document, item.line, item.raw, f"OCR line does not match its aligned record {records[j].name}"))
    out: list[tuple[int, Entry]] = []
    for j, record in enumerate(records):
        group = groups.get(j)
        if not group:
            problems.append(Problem(spec.document, 0, record.name, "record of the clean list has no OCR line"))
            continue
        name, builder = _reading([t for it in group for t in it.tokens], record.name, "".join(record.builders))
        kind = next((it.type for it in group if it.type), None)
        if kind != record.type:
            problems.append(Problem(spec.document, group[0].line, group[0].raw, f"OCR type {kind} differs from {record.type}"))
        text = " | ".join(it.raw for it in group)
        entry = Entry(name=name, source=Source(spec.document, spec.key, group[0].line, text, role="ocr"),
                      builders=[builder] if builder else [], type=kind)
        out.append((j, entry))
    return out, problems
