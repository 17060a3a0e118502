"""What type-ahead can suggest: names, and the place and industry words that occur in them.

Written once per index generation (``complete.json``) with each suggestion's pinyin, so the
query layer completes ``常``, ``chang``, ``cz`` or ``常zh`` without pypinyin (see
`search.complete`). Each suggestion carries the number of clusters a search for it finds by
its exact characters or a synonym (the same thesaurus the query layer expands): the records
holding one of those in a name, alias, builder or place.
Pure given jieba's cutter and the reading function.
"""

from __future__ import annotations

import json
from collections import defaultdict
from operator import add
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import NamedTuple

from index.text import PLACE_SUFFIXES, strip_place_suffix

NAME, PLACE, WORD = "name", "place", "word"
_SUFFIX_ENDS = frozenset(suffix[-1] for suffix in PLACE_SUFFIXES)

Read = Callable[[str], Sequence[tuple[str, ...]]]
Cut = Callable[[str], list[str]]


def syllables_of(text: str, read: Read) -> list[str]:
    """Usual reading of each character; the character itself (lower-cased) if it has none."""
    return [r[0] if r else ch.lower() for ch, r in zip(text, read(text))]


def completion_table(docs: Iterable[tuple[str, list[tuple[str, str]]]], read: Read, cut: Cut, *,
                     stopwords: Iterable[str] = (), places: Iterable[str] = (),
                     synonyms: dict[str, list[str]] | None = None,
                     spell: Callable[[str], str] | None = None,
                     previous: Previous | None = None, counted: dict[str, int] | None = None,
                     holders: Holders | None = None, words_held: dict[str, int] | None = None) -> dict:
    """``{"entries": [[text, syllables, kind, count, id], ...]}`` from (record id, fields).

    `fields` are a record's (kind, text) pairs, as `index.prepare.document_fields` gives.

    `syllables` is space-separated, one per character (`spell(text)` if given: a memo of them).
    `previous`: the counts of a previous table and what changed since (see `Previous`): only
    the changed records are searched for the items it counted. `counted`: filled with every
    item's count (the table leaves some out), for the next table. `holders(text)`: the positions of the records that may
    hold `text` (a superset, from the index's postings), or None: where to look for an item
    `previous` did not count, instead of every record. Names are kind ``name`` with the
    record's id; words of two or more characters in names and aliases are ``place`` when they
    name a place, else ``word``; place values (`places`) are added as ``place`` too.
    `words_held`: filled with each word's number of records (`suggested_words`), for
    `completion_update`.
    """
    stop = frozenset(stopwords)
    texts: list[list[str]] = []
    names: dict[str, str] = {}
    words: set[str] = set()
    held = words_held if words_held is not None else {}
    for rid, fields in docs:
        texts.append([text for _, text in fields])
        for kind, text in fields:
            if kind == "name":
                names.setdefault(text, rid)
        found = suggested_words(fields, cut, stop)
        words |= found
        for w in found:
            held[w] = held.get(w, 0) + 1
    return _table(names, words, texts, read, places, synonyms, spell, previous, counted, holders)


def suggested_words(fields: Iterable[tuple[str, str]], cut: Cut, stopwords: frozenset[str]) -> set[str]:
    """The words a record's fields give the table: those of two or more characters, with a
    hanzi, not stop words, in its name and aliases."""
    return {w for kind, text in fields if kind in ("name", "alias") for w in cut(text)
            if len(w) >= 2 and w not in stopwords and any("\u4e00" <= c <= "\u9fff" for c in w)}


def update_table(old: bytes, names: dict[str, str], words_held: dict[str, int], read: Read, *,
                 fresh: Sequence[list[str]], gone: Sequence[list[str]], left_out: dict[str, int],
                 texts: Sequence[list[str]], places: Iterable[str] = (),
                 synonyms: dict[str, list[str]] | None = None, spell: Callable[[str], str] | None = None,
                 left_now: dict[str, int] | None = None, holders: Callable[[], Holders] | None = None
                 ) -> bytes | None:
    """`completion_table`'s table, as the bytes `format.write_complete` writes, from the
    previous one's bytes (`old`) and what changed since; None if `old` cannot be taken apart
    (then `completion_table` makes it).

    `names`: each name's first record id in record order; `words_held`: each word's number
    of records (`suggested_words`); `fresh` / `gone`: the texts of the new and changed
    records now, and those of the removed and changed ones then; `left_out`: the counts of
    the items the previous table left out (its `counted` less its entries); `texts`: every
    record's texts (read only where an item new to the table is looked for, among the
    records `holders()` gives). An item counted before is counted again in the changed
    records only; a name entry whose name, count and record are unchanged is copied as it
    was written. `left_now`: filled with the counts of the items this table leaves out (for
    the next one's `left_out`). `holders()`: gives `completion_table`'s `holders`.
    """
    synonyms = synonyms or {}
    spell = spell or (lambda text: " ".join(syllables_of(text, read)))
    split = _Parts.of(old)
    if split is None:
        return None
    place_names = {p for p in places if len(p) >= 2}
    words = {w for w, n in words_held.items() if n > 0} | place_names
    word_items = sorted(words - names.keys())
    held = _Held(names, word_items, synonyms)
    plus, minus = held.count(fresh), held.count(gone)
    changed = plus.keys() | minus.keys()
    old_words = {e[0]: e for e in split.word_entries()}
    # The previous count of an item (None: not counted then).

    def before(item: str) -> int | None:
        entry = old_words.get(item)
        if entry is not None:
            return int(entry[3])
        if item in left_out:
            return left_out[item]
        part = split.names.get(item.encode("utf-8"))
        return None if part is None else int(_entry(part)[3])

    counts: dict[str, int] = {}
    new: list[str] = []
    parts: list[bytes] = []
    reused = split.names
    # Each name's entry: the previous one's bytes when nothing in it changed.
    pending: list[tuple[int, str, str]] = []  # (position in `parts`, name, id) made below
    for name, rid in names.items():
        if name not in changed:
            part = reused.get(name.encode("utf-8"))
            if part is not None and part.endswith(b',"' + rid.encode("utf-8") + b'"'):
                parts.append(part)
                continue
        pending.append((len(parts), name, rid))
        parts.append(b"")
    for item in [name for _, name, _ in pending] + word_items:
        count = before(item)
        if count is None:
            new.append(item)
        else:
            counts[item] = count + plus.get(item, 0) - minus.get(item, 0)
    if new:
        counts.update(_count(new, texts, synonyms, holders() if holders is not None else None))
    for at, name, rid in pending:
        part = split.names.get(name.encode("utf-8"))
        syllables = _entry(part)[1] if part is not None else spell(name)
        parts[at] = _dumps([name, syllables, NAME, counts[name], rid])
    for w in word_items:
        short = strip_place_suffix(w)
        if short != w and short in words and _count_of(short, counts, split, old_words) == counts[w]:
            if left_now is not None:
                left_now[w] = counts[w]
            continue  # 常州市 finds what 常州 finds: suggest the short form only
        if not counts[w] and left_now is not None:
            left_now[w] = 0
        if counts[w]:
            entry = old_words.get(w)
            kind = PLACE if w in place_names else WORD
            parts.append(_dumps([w, entry[1] if entry is not None else spell(w), kind, counts[w], None]))
    if not parts:
        return b'{"entries":[]}'
    return b'{"entries":[[' + b"],[".join(parts) + b"]]}"


def _count_of(item: str, counts: dict[str, int], split: _Parts,
              old_words: dict[str, list]) -> int | None:
    """`item`'s count in `update_table`: made there, else unchanged from the previous table."""
    if item in counts:
        return counts[item]
    if item in old_words:
        return int(old_words[item][3])
    part = split.names.get(item.encode("utf-8"))
    return None if part is None else int(_entry(part)[3])


def _dumps(entry: list) -> bytes:
    """An entry's bytes in the table, without its brackets (as `format.write_complete` writes it)."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))[1:-1].encode("utf-8")


def _entry(part: bytes) -> list:
    return json.loads(b"[" + part + b"]")


class _Parts(NamedTuple):
    """A written table taken apart: each name entry's bytes by its name's (unescaped)
    UTF-8 bytes, and the word entries' bytes."""

    names: dict[bytes, bytes]
    words: list[bytes]

    @classmethod
    def of(cls, raw: bytes) -> _Parts | None:
        head, tail = b'{"entries":[[', b"]]}"
        if raw == b'{"entries":[]}':
            return cls({}, [])
        if not (raw.startswith(head) and raw.endswith(tail)):
            return None
        # Each entry holds exactly one kind (a string between commas: nothing else written
        # can be, an unescaped quote only opens or closes a string), so this many entries;
        # the entries split at each "],[" only if no text holds one.
        named = raw.count(b',"name",')
        total = named + raw.count(b',"place",') + raw.count(b',"word",')
        if raw.count(b"],[") != total - 1:
            return None
        parts = raw[len(head):-len(tail)].split(b"],[")
        if named and b',"name",' not in parts[named - 1]:
            return None
        # A text ends at the first '","' (a quote inside it is escaped); a name whose text
        # needs escaping is not found by its plain bytes: counted and written again.
        return cls({p[1:p.index(b'","')]: p for p in parts[:named]}, parts[named:])

    def word_entries(self) -> list[list]:
        return json.loads(b"[[" + b"],[".join(self.words) + b"]]") if self.words else []


class _Held:
    """Which of many items a few records hold (as `_count` counts: by the item, one of its
    synonyms or its short form), by looking up the records' substrings instead of testing
    every item against every record: the names (any container of them, such as the table's
    dict) and the words directly, their other forms in a small table."""

    def __init__(self, names: Collection[str], words: list[str], synonyms: dict[str, list[str]]) -> None:
        self.names = names
        self.words = set(words)
        self.forms = _other_forms([*names, *words], synonyms)  # a short form or synonym → its items
        keys = [*names, *words, *self.forms]
        self.longest = max(map(len, keys), default=0)
        self.starts = {k[:2] for k in keys if len(k) >= 2}  # what a form of two characters or more starts with

    def count(self, records: Iterable[list[str]]) -> dict[str, int]:
        """Item → how many of `records` (each a list of texts) hold it."""
        out: dict[str, int] = defaultdict(int)
        names, words, forms, starts, longest = self.names, self.words, self.forms, self.starts, self.longest
        for texts in records:
            found: set[str] = set()
            for text in texts:
                n = len(text)
                for i in range(n):
                    for j in range(i + 1, min(n, i + longest) + 1):
                        if j == i + 2 and text[i:j] not in starts:
                            break
                        s = text[i:j]
                        if s in names or s in words:
                            found.add(s)
                        owners = forms.get(s)
                        if owners is not None:
                            found.update(owners)
            for item in found:
                out[item] += 1
        return out


def _table(names: dict[str, str], words: set[str], texts: Sequence[list[str]], read: Read, places: Iterable[str],
           synonyms: dict[str, list[str]] | None, spell: Callable[[str], str] | None, previous: Previous | None,
           counted: dict[str, int] | None, holders: Holders | None) -> dict:
    place_names = {p for p in places if len(p) >= 2}
    words = words | place_names
    spell = spell or (lambda text: " ".join(syllables_of(text, read)))
    counts = _counts(list(names) + sorted(words - set(names)), texts, synonyms or {}, previous, holders)
    if counted is not None:
        counted.update(counts)
    entries = []
    for text, rid in names.items():
        entries.append([text, spell(text), NAME, counts[text], rid])
    for w in sorted(words - set(names)):
        short = strip_place_suffix(w)
        if short != w and short in words and counts.get(short) == counts[w]:
            continue  # 常州市 finds what 常州 finds: suggest the short form only
        if counts[w]:
            kind = PLACE if w in place_names else WORD
            entries.append([w, spell(w), kind, counts[w], None])
    return {"entries": entries}


Holders = Callable[[str], "set[int] | None"]


class Previous(NamedTuple):
    """A previous table's counts and the records changed since: their texts then, and the
    positions of their texts now (in the order `completion_table` gets the records)."""

    counts: dict[str, int]  # item → records holding it, as the previous table's entries give them
    gone: list[list[str]]  # the texts of removed records and the old texts of changed ones
    fresh: list[int]  # the new and changed records


def _counts(items: list[str], texts: Sequence[list[str]], synonyms: dict[str, list[str]],
            previous: Previous | None = None, holders: Holders | None = None) -> dict[str, int]:
    """For each item, how many records hold it (or one of its synonyms) in any of their texts.

    With `previous`, an item it counted is counted again in the changed records only.
    """
    if previous is None:
        return _count(items, texts, synonyms)
    known = [item for item in items if item in previous.counts]
    out = _count([item for item in items if item not in previous.counts], texts, synonyms, holders)
    held = _Held((), known, synonyms)
    plus = held.count(texts[i] for i in previous.fresh)
    minus = held.count(previous.gone)
    for item in known:
        out[item] = previous.counts[item] + plus.get(item, 0) - minus.get(item, 0)
    return out


def _other_forms(items: Iterable[str], synonyms: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each short form (`strip_place_suffix`) and synonym of `items` → the items it stands
    for: the other texts by which `_count` finds a record holding an item."""
    forms: dict[str, list[str]] = defaultdict(list)
    lowered: dict[str, list[str]] = defaultdict(list)
    for item in items:
        key = item.lower()
        if key in synonyms:
            lowered[key].append(item)
        if item[-1:] in _SUFFIX_ENDS:
            short = strip_place_suffix(item)
            if short != item:
                forms[short].append(item)
    for key, owners in lowered.items():
        for other in synonyms[key]:
            forms[other] += owners
    forms.pop("", None)
    return forms


def _count(items: list[str], texts: Sequence[list[str]], synonyms: dict[str, list[str]],
           holders: Holders | None = None) -> dict[str, int]:
    if not items:
        return {}
    needed: set[str] = set()
    for item in items:
        needed.update(item)
        for other in synonyms.get(item.lower(), ()):
            needed.update(other)
    by_char: dict[str, set[int]] = defaultdict(set)
    # Without `holders` (a full build), the records by each pair of adjacent characters of
    # their texts too: a word of two or more characters is narrowed by its rarest pairs, far
    # fewer records than its rarest character's (~100,000 names are counted).
    by_pair: dict[str, set[int]] | None = _by_pair(items, texts, synonyms) if holders is None else None
    indexed = False

    def candidates(word: str) -> Iterable[int]:
        nonlocal indexed
        found = holders(word) if holders is not None else None
        if found is not None:
            return found
        if by_pair is not None and len(word) >= 2:
            pairs = sorted((by_pair.get(word[k:k + 2], _NONE) for k in range(len(word) - 1)), key=len)
            return pairs[0].intersection(*pairs[1:3])
        if not indexed:  # every record by character, once, for the words `holders` cannot narrow
            for i, fields in enumerate(texts):
                for ch in set("".join(fields)) & needed:
                    by_char[ch].add(i)
            indexed = True
        sets = sorted((by_char.get(ch, set()) for ch in set(word)), key=len)
        return set(sets[0]).intersection(*sets[1:]) if sets else set()

    def holding(word: str) -> set[int]:
        if by_pair is not None and len(word) == 2:  # its one pair: exactly the records holding it
            return set(by_pair.get(word, _NONE))
        return {i for i in candidates(word) if any(word in t for t in texts[i])}

    out = {}
    for item in items:
        found = holding(item)
        short = strip_place_suffix(item)  # a search for 丰台区 finds 丰台 too
        others = list(synonyms.get(item.lower(), ())) + ([short] if short != item else [])
        for other in others:
            found |= holding(other)
        out[item] = len(found)
    return out


_NONE: frozenset[int] = frozenset()


def _by_pair(items: list[str], texts: Sequence[list[str]], synonyms: dict[str, list[str]]) -> dict[str, set[int]]:
    """Each pair of adjacent characters that an item, a synonym of one or a short form holds
    → the records with a text holding it (a record holding a word holds each of its pairs in
    the same text)."""
    needed: set[str] = set()
    for item in items:
        for form in (item, strip_place_suffix(item), *synonyms.get(item.lower(), ())):
            needed.update(form[k:k + 2] for k in range(len(form) - 1))
    out: dict[str, set[int]] = defaultdict(set)
    for i, fields in enumerate(texts):
        pairs: set[str] = set()
        for text in fields:
            pairs.update(map(add, text, text[1:]))  # each character and the next
        for pair in pairs & needed:
            out[pair].add(i)
    return out
