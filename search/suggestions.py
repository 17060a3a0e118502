"""Suggestions: "did you mean" for a query that found nothing.

`respell` is pure given the lexicon; the searcher offers its result only if it finds hits.
"""

from __future__ import annotations

from search.lexicon import Lexicon
from search.query import ParsedQuery

MAX_EDITS = 2  # pinyin words within two edits (lidn → lidian), by `Lexicon.nearest`


def respell(parsed: ParsedQuery, lexicon: Lexicon) -> str | None:
    """Each term spelled as the corpus word it most likely means; None if nothing changes.

    Pinyin becomes the word it spells (changzhou → 常州) or the nearest one within two edits
    (lidn → 锂电); hanzi only a word read the same way. A real word the corpus lacks (龙虾)
    gets no look-alike suggested.
    """
    words = []
    for term in parsed.terms:
        latin = term.text.isascii()
        letters = term.text if latin else "".join(
            (lexicon.readings(c) or ("",))[0] for c in term.text)
        same = lexicon.pywords.get(letters)
        near = (lexicon.nearest(letters, MAX_EDITS)
                if latin and letters.isalpha() and len(letters) >= 3 else [])
        if same:
            words.append(same[0])
        elif near:
            words.append(lexicon.pywords[near[0][0]][0])
        else:
            words.append(term.text)
    candidate = " ".join(words)
    if candidate == " ".join(t.text for t in parsed.terms):
        return None
    return candidate
