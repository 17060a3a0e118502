"""Reading the seed documents' tab layout: rows as blocks of cells.

The national and provincial documents were copied from web tables: every cell is a line that
starts with a tab, rows are separated by an empty line, and a line without a tab continues the
cell above (a cell that wrapped: 燕郊高新区 / 管委会) unless it opens its row (a page break left
the region cell without its tab: 江苏). A tab alone is an empty cell, which is why a row
separator is a line with no tab and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..text import clean_cell

Lines = Sequence[tuple[int, str]]  # (1-based line number, raw line without its newline)
_PREAMBLE_RE = re.compile(r"^附件\d*[:：]?$")


def numbered_lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), 1))


@dataclass
class Cell:
    line: int
    raw: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return clean_cell("".join(self.raw))


@dataclass
class Block:
    line: int
    cells: list[Cell] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    def source_text(self) -> str:
        """The row as written: its non-empty lines, stripped, joined with " | "."""
        return " | ".join(r.strip() for r in self.raw if r.strip())

    def is_empty(self) -> bool:
        return not any(self.texts())


def split_blocks(lines: Lines) -> list[Block]:
    """Rows of cells (see the module docstring for the rules)."""
    blocks: list[Block] = []
    current: Block | None = None
    for number, raw in lines:
        if not raw.strip(" \r\u3000") and "\t" not in raw:
            current = None
            continue
        if current is None:
            current = Block(number)
            blocks.append(current)
        current.raw.append(raw)
        if raw.startswith("\t") or not current.cells:
            current.cells.append(Cell(number, [raw.lstrip("\t")]))
        else:
            current.cells[-1].raw.append(raw)
    return blocks


def is_preamble(text: str, titles: Iterable[str]) -> bool:
    """A line before the table: "附件3：" or the list's title."""
    text = clean_cell(text).lstrip("#")
    return bool(_PREAMBLE_RE.match(text)) or text in {clean_cell(t) for t in titles}


def table_rows(lines: Lines, header: Sequence[str]) -> tuple[list[Block], list[tuple[int, str]]]:
    """The data rows of a tab table, and the lines before its first header it did not read.

    The header row may share a block with the title lines (most-2021-appendix3) and may repeat at page breaks
    (most-2021-additions); both are skipped. Blocks of empty cells (an orphan region cell at a page break) are
    skipped too. The caller decides whether the leftover preamble lines are acceptable.
    """
    rows: list[Block] = []
    preamble: list[tuple[int, str]] = []
    seen_header = False
    for block in split_blocks(lines):
        texts = block.texts()
        n = len(header)
        if len(texts) >= n and texts[-n:] == list(header):
            seen_header = True
            head_lines = block.raw[: len(block.raw) - n]
            preamble.extend((block.line + i, r) for i, r in enumerate(head_lines) if r.strip())
        elif not seen_header:
            preamble.extend((block.line + i, r) for i, r in enumerate(block.raw) if r.strip())
        elif not block.is_empty():
            rows.append(block)
    return rows, preamble
