"""Understanding text as people paste and type it: raw query → words to search, filters, notes.

Runs before `search.query.parse_query`, on the text as typed. Pure functions: the text, the
vocabulary and the index's program and list titles in, an `Understood` out.

What it takes out of the text, and what becomes of it (each a `Note`, shown by ``--explain``
and in the JSON's ``understood``):

    numbering   3、 (五) (二十一) 第12项 序号8 附件3 2. and a leading "12 ": dropped
    bullet      • ● · ▪ and ellipses (…… ...), quotes: dropped (they separate words)
    year        2021年, 2023年度, a lone 2021: the year filter
    type        (培育) 【试点】 试点类, a lone 试点 or 培育 beside other words: the type filter
    program     a program's name or issuer (创新型产业集群名单：, 2023年度中小企业特色产业集群,
    list        科技部), or a list's title, in front of a cluster's name: the program or list filter
    cell        a pasted table row (cells split by tabs or |): each cell a word group, a type
                cell a type filter
    frame       中国袜业之乡 → 袜业, 中国伞城 → 伞: a "capital of X" frame around an industry
                or place is stripped (nicknames of nicknames.tsv are left to the query layer)

Once the query is parsed, `term_notes` adds what the query layer read through a table:
English (EV batteries → 动力电池), nicknames (中国光谷 → 东湖高新区) and generic words (地方:
rank only).

Filters understood from the text are *soft*: the searcher applies them, and drops them (saying
so) when they would leave no hit. A filter the user gave (--type) always wins over the text.
Full-width Latin (ＭＥＭＳ) is folded by normalisation (NFKC), as every query is.
"""

from __future__ import annotations

import re
from functools import cache
from collections.abc import Callable, Container, Iterable, Mapping
from typing import NamedTuple

from index.text import is_han, normalize

# Number words in list numbering: (五), (二十一), 第十二项
_NUM = "0-9一二三四五六七八九十百零〇两"
_BULLETS = "•●○◦▪■□◆◇◊・∙‣⁃►▶▷➢➤✓√※★☆·"
_QUOTES = "“”‘’「」『』《》〈〉\"'`"
_TYPES = ("试点", "培育")
_FRAME_ENDS = ("都", "谷", "城", "乡", "镇")
# Patterns are compiled on first use (`_rx`, `_leading`), not at import: a one-shot query
# that needs none of them (锂电) does not pay for compiling CJK character classes.
_LEADING_SOURCES = (
    rf"^[{_BULLETS}\-–—*>]+\s*",
    rf"^[(\[【〔][{_NUM}]{{1,4}}[)\]】〕]\s*",  # (五) 【3】
    rf"^[{_NUM}]{{1,3}}\s*[、.)\]】:]\s*(?![0-9])",  # 3、 2. 12) 一、
    rf"^第\s*[{_NUM}]{{1,4}}\s*[项条个名号批位]\s*",  # 第12项
    r"^(?:序号|编号|No\.?)\s*:?\s*[0-9]{1,4}\s*",  # 序号8
    r"^附件\s*[0-9一二三四五六七八九十]{0,3}\s*:?\s*",  # 附件3
    r"^[0-9]{1,3}\s+(?=[^\s0-9])",  # a leading "12 " (a row number)
)
_YEARS = r"(?:19|20)[0-9]{2}"
_SOURCES = {
    "_ELLIPSIS": r"…+|⋯+|\.{2,}|。{2,}|·{2,}",
    "_YEAR": rf"(?<![0-9])({_YEARS})\s*年度?|(?<![0-9A-Za-z])({_YEARS})(?![0-9A-Za-z])",
    "_TYPE_TAG": r"[(\[【〔<]\s*(试点|培育)\s*类?\s*[)\]】〕>]|(试点|培育)类",
    # A bracket of tags only: (2021年，培育), 【试点、2023】
    "_TAG_GROUP": rf"[(\[【〔]\s*((?:{_YEARS}\s*年?度?|试点|培育)(?:\s*[,，、;；/]\s*"
                  rf"(?:{_YEARS}\s*年?度?|试点|培育))+)\s*[)\]】〕]",
    "_BRACKET": r"[(\[【〔]([^()\[\]【】〔〕]{2,40})[)\]】〕]",
    "_TITLE_SUFFIX": r"(?:名单|清单|目录|名录|一览表|列表)$",
    # "capital of X" frames: 中国X都, X之都, X之乡, 中国X谷, X城 (with a prefix, or 之 …)
    "_FRAME": r"^(中国|世界|亚洲|全国|国际|全球)?(.+?)(之都|之乡|之城|名城|名镇|都|谷|城|乡|镇)$",
    "_PREFIX": r"^(中国|世界|亚洲|全国|国际|全球)(.{2,})$",
    "_CELLS": r"[\t|｜]",
    "_MARKS": rf"[{_BULLETS}{_QUOTES}]",
    "_TITLE_COLON": r"(?<=[\u3400-\u9fff])[:：]",
    "_TAG_SEP": r"\s*[,，、;；/]\s*",
}


@cache
def _rx(name: str) -> re.Pattern[str]:
    return re.compile(_SOURCES[name])


@cache
def _leading() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in _LEADING_SOURCES]


class Note(NamedTuple):
    """One piece of the query as typed and what it was understood as."""

    text: str  # as typed (normalised)
    role: str  # numbering, bullet, year, type, program, list, cell, frame
    value: str = ""  # the filter value or the words it stands for ("" when dropped)

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "as": self.role, "value": self.value}


class Understood(NamedTuple):
    """What is searched (`text`), the soft filters found in the query, and the notes."""

    text: str
    filters: dict[str, tuple[str, ...]]
    notes: tuple[Note, ...]

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "filters": {k: list(v) for k, v in self.filters.items()},
                "notes": [n.to_dict() for n in self.notes]}


Titles = Mapping[str, tuple[str, str]]  # title text (no 名单 suffix) → (program|list, stored value)


def understand(raw: str, *, vocab: frozenset[str] | set[str] = frozenset(),
               nicknames: Mapping[str, object] | None = None, chars: Container[str] = (),
               titles: Callable[[], Titles] = dict,
               years: Callable[[], frozenset[str] | set[str]] = frozenset) -> Understood:
    """Strip what is noise from a query, turn what is a filter into a filter.

    `vocab` (the index's words) decides whether what a frame leaves is a word; `nicknames`
    are left whole for the query layer; `titles()` maps program and list titles to their
    values; `years()` are the years the index holds (another year is noted, not a filter).
    Both are called only when the query may hold one (they read the index's value table).

    >>> u = understand("3、常州光伏（培育）")
    >>> u.text, u.filters, [(n.text, n.role) for n in u.notes]
    ('常州光伏', {'type': ('培育',)}, [('3、', 'numbering'), ('(培育)', 'type')])
    >>> understand("2021年新余动力电池", years=lambda: {"2021"}).filters
    {'year': ('2021',)}
    """
    if raw and all("\u3400" <= c <= "\u9fff" or "a" <= c <= "z" for c in raw) and not raw.endswith(_FRAME_ENDS) and "试点" not in raw and "培育" not in raw:
        return Understood(raw, {}, ())  # one word of hanzi or letters: nothing to understand
    notes: list[Note] = []
    filters: dict[str, list[str]] = {}

    def add_filter(field: str, value: str, text: str) -> None:
        notes.append(Note(text, field, value))
        if value not in filters.setdefault(field, []):
            filters[field].append(value)

    cells = _rx("_CELLS").split(raw)
    if len(cells) > 1:
        notes.append(Note(raw.strip(), "cell", f"{sum(1 for c in cells if c.strip())} cells"))
    kept: list[str] = []
    for cell in cells:
        text = _strip_leading(normalize(cell), notes)
        text = _rx("_ELLIPSIS").sub(lambda m: _dropped(m, notes, "bullet"), text)
        text = _rx("_MARKS").sub(lambda m: _dropped(m, notes, "bullet"), text)
        text = _rx("_TAG_GROUP").sub(lambda m: _tag_group(m, add_filter, notes, years), text)
        text = _rx("_TYPE_TAG").sub(lambda m: _filter(m, add_filter, "type", m.group(1) or m.group(2)), text)
        text = _rx("_YEAR").sub(lambda m: _year(m, add_filter, notes, years), text)
        text = _strip_leading(text.strip(), notes)
        kept.append(text)
    text = " ".join(t for t in kept if t)
    words = text.split()
    # A lone 试点 / 培育 beside other words is the type; alone, it is what is searched.
    if len(words) > 1:
        rest = []
        for w in words:
            if w in _TYPES:
                add_filter("type", w, w)
            else:
                rest.append(w)
        words = rest
    if len(words) > 1 or any(c in text for c in ":："):
        words = _titles(words, titles(), add_filter)
    if "(" in text or "【" in text or "[" in text:  # (湖北省重点产业集群) after a name
        words = [_bracket_title(w, titles, add_filter) for w in words]
    words = [_frame(w, vocab, nicknames or {}, notes, chars) for w in words]
    text = " ".join(w for w in words if w)
    if not text and not filters:  # nothing but noise: search it as typed
        return Understood(normalize(raw), {}, ())
    return Understood(text, {k: tuple(v) for k, v in filters.items()}, tuple(notes))


def _dropped(m: re.Match[str], notes: list[Note], role: str) -> str:
    notes.append(Note(m.group(0), role))
    return " "


def _filter(m: re.Match[str], add: Callable[[str, str, str], None], field: str, value: str) -> str:
    add(field, value, m.group(0))
    return " "


def _tag_group(m: re.Match[str], add: Callable[[str, str, str], None], notes: list[Note],
               years: Callable[[], frozenset[str] | set[str]]) -> str:
    """(2021年，培育): each tag of the bracket, a year or a type."""
    for tag in _rx("_TAG_SEP").split(m.group(1)):
        if tag in _TYPES:
            add("type", tag, tag)
        else:
            year = _rx("_YEAR").search(tag)
            if year is not None:
                _year(year, add, notes, years)
    return " "


def _year(m: re.Match[str], add: Callable[[str, str, str], None], notes: list[Note],
          years: Callable[[], frozenset[str] | set[str]]) -> str:
    year = m.group(1) or m.group(2)
    if year in years():
        add("year", year, m.group(0))
    else:
        notes.append(Note(m.group(0), "year", ""))  # no list of that year: noted, not a filter
    return " "


def _strip_leading(text: str, notes: list[Note]) -> str:
    """Numbering and bullets at the start, repeatedly (• 3、 …)."""
    changed = True
    while changed and text:
        changed = False
        for pattern in _leading():
            m = pattern.match(text)
            if m and m.end() < len(text):  # never the whole text: "12" alone is searched
                role = "bullet" if pattern is _leading()[0] else "numbering"
                notes.append(Note(m.group(0).strip(), role))
                text = text[m.end():].lstrip()
                changed = True
    return text


def _titles(words: list[str], titles: Titles, add: Callable[[str, str, str], None]) -> list[str]:
    """Program and list titles in front of a name (名单：name, a title word): filters.

    A title is taken only where something else is left to search, and only as a whole word
    (or the part before a colon): 创新型产业集群 inside 常州光伏创新型产业集群 is the name's.
    """
    if not titles:
        return words
    pieces: list[str] = []
    for w in words:
        pieces += [p for p in _rx("_TITLE_COLON").split(w) if p]  # 名单：, not name:
    out: list[str] = []
    found: list[tuple[str, str, str]] = []
    for p in pieces:
        key = _rx("_TITLE_SUFFIX").sub("", p)
        hit = titles.get(key) or titles.get(p)  # 创新型产业集群名单: the program before the list
        if hit is not None:
            found.append((hit[0], hit[1], p))
        else:
            out.append(p)
    if not out:  # nothing but a title: it is what is searched
        return words
    for field, value, text in found:
        add(field, value, text)
    return out


def _bracket_title(word: str, titles: Callable[[], Titles], add: Callable[[str, str, str], None]) -> str:
    """A program or list title in brackets inside a word: a filter, and the bracket goes."""
    def replace(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        hit = titles().get(_rx("_TITLE_SUFFIX").sub("", inner)) or titles().get(inner)
        if hit is None:
            return m.group(0)
        add(hit[0], hit[1], m.group(0))
        return " "

    out = _rx("_BRACKET").sub(replace, word).strip()
    return out or word


def _frame(word: str, vocab: frozenset[str] | set[str], nicknames: Mapping[str, object],
           notes: list[Note], chars: Container[str] = ()) -> str:
    """中国袜业之乡 → 袜业: strip a "capital of X" frame when what is left is a word.

    Without a prefix (中国, 世界 …) only the 之都 / 之乡 kinds are frames, and the word left
    must have two characters at least (宜城 is a place, not 宜 + 城). A nickname of the
    table (中国光谷, 瓷都) is left whole for the query layer.
    """
    if not word or not all(is_han(c) for c in word) or word in nicknames or word in vocab:
        return word
    m = _rx("_PREFIX").match(word)
    if m and m.group(2) in nicknames:  # 中国袜业之乡 → the nickname 袜业之乡
        notes.append(Note(word, "frame", m.group(2)))
        return m.group(2)
    if any(k in word for k in nicknames if isinstance(k, str) and len(k) >= 2):
        return word
    rest = frame_rest(word, vocab, chars)
    if rest is None:
        return word
    notes.append(Note(word, "frame", rest))
    return rest


def frame_rest(word: str, vocab: frozenset[str] | set[str], chars: Container[str] = ()) -> str | None:
    """What a "capital of X" frame holds, if it is a word of `vocab`: 中国袜业之乡 → 袜业.

    >>> frame_rest("中国伞城", {"伞"}), frame_rest("打火机之都", {"打火机"}), frame_rest("宜城", {"宜"})
    ('伞', '打火机', None)
    """
    m = _rx("_FRAME").match(word)
    if m is None:
        return None
    prefix, rest, suffix = m.group(1), m.group(2), m.group(3)
    if not prefix and not suffix.startswith(("之", "名")):
        return None
    if not prefix and len(rest) < 2:
        return None
    if rest in vocab or (prefix and len(rest) == 1 and rest in chars):  # 中国伞城: 伞 of 太阳伞
        return rest
    return None


def term_notes(texts: Iterable[str], english: Mapping[str, tuple[str, tuple[str, ...]]],
               nicknames: Mapping[str, tuple[str, tuple[str, ...]]], generic: Container[str]) -> list[Note]:
    """Notes for the query terms read through a table: English, nicknames, generic words.

    >>> [tuple(n) for n in term_notes(["ev battery", "中国光谷", "地方", "锂电"],
    ...     {"ev battery": ("industry", ("动力电池",))}, {"中国光谷": ("zone", ("东湖高新区",))}, {"地方"})]
    [('ev battery', 'english', '动力电池'), ('中国光谷', 'nickname', '东湖高新区'), ('地方', 'generic', 'rank only')]
    """
    notes = []
    for text in texts:
        if text in english:
            notes.append(Note(text, "english", " ".join(english[text][1])))
        elif text in nicknames:
            notes.append(Note(text, "nickname", " ".join(nicknames[text][1])))
        elif text in generic:
            notes.append(Note(text, "generic", "rank only"))
    return notes


def title_table(values: Mapping[str, Mapping[str, object]]) -> dict[str, tuple[str, str]]:
    """Titles → (field, value) from the index's program and list values (`ValueTable.fields`).

    A program by its name and its hanzi aliases (科技部, 工信部); a list by its title, with and
    without a year in front and 名单 at the end.
    """
    out: dict[str, tuple[str, str]] = {}
    for field in ("list", "program"):  # a program's name wins over a list title spelled alike
        for value, v in values.get(field, {}).items():
            names = [value] if field == "program" else []
            # Hanzi aliases that name an issuer (科技部, 火炬中心), not a place (浙江).
            names += [str(a) for a in getattr(v, "aliases", ())
                      if all(is_han(c) for c in str(a)) and (len(str(a)) >= 3)]
            title = getattr(v, "title", None)
            if title:
                names.append(str(title))
            for name in names:
                name = normalize(name).replace(" ", "")
                bare = _rx("_YEAR").sub("", name).strip()
                for n in {name, bare, _rx("_TITLE_SUFFIX").sub("", name), _rx("_TITLE_SUFFIX").sub("", bare)}:
                    if len(n) >= 2:
                        out[n] = (field, value)
    return out


__all__ = ["Note", "Understood", "frame_rest", "term_notes", "understand", "title_table"]
