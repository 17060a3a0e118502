"""The ranking rules, in the order they apply, as pure functions.

1. terms      more query terms matched
2. typos      fewer typos (homophones, fuzzy pinyin, letter edits): an exact match always
              outranks a typo match of the same terms
3. synonyms   fewer terms matched only through a synonym
4. proximity  terms closer together (a token matched as one contiguous run beats its parts)
5. field      better field: name > alias > builder > place
6. exactness  more exact: hanzi > full pinyin > other reading of a polyphone > initials/prefix
7. length     shorter name
A hit is placed above the next by the first rule on which they differ; `placed_by` names it.
"""

from __future__ import annotations

from typing import NamedTuple


from index.document import FIELD_RANK
from search.match import Doc, Match, best_match
from search.query import ParsedQuery

RULES = ("terms", "typos", "synonyms", "proximity", "field", "exactness", "length")


class Ranking(NamedTuple):
    terms: int
    typos: int
    synonyms: int
    proximity: int
    field: int
    exactness: int
    length: int

    def key(self) -> tuple[int, ...]:
        """Sort key, smaller is better, in rule order."""
        return (-self.terms, self.typos, self.synonyms, self.proximity, self.field,
                self.exactness, self.length)

    def score(self) -> float:
        """A number that orders hits exactly as `key` does (higher is better).

        Each rule is one base-100 digit, clipped; it is a rank, not a probability.
        """
        digits = [min(self.terms, 99)] + [99 - min(v, 99) for v in self.key()[1:]]
        value = 0
        for d in digits:
            value = value * 100 + d
        return value / 100 ** (len(digits) - 1)  # < 2**53: exact in a float


def evaluate(query: ParsedQuery, doc: Doc, possible=lambda alt: True
             ) -> tuple[Ranking, list[Match], set[int]] | None:
    """Rank one document for the query: its `Ranking`, the matches, and which terms matched.

    `possible(alt)` says whether the candidate search found this document for `alt` (the
    others cannot match, so they are not aligned). Returns None when no term matches at all.
    """
    matches: list[Match] = []
    matched_terms: set[int] = set()
    extra_pieces = 0
    term_index = 0
    for token in query.tokens:
        n = len(token.parts)
        whole = best_match([a for a in token.whole if possible(a)], doc) if n > 1 else None
        if whole is not None:
            matches.append(whole)
            matched_terms.update(range(term_index, term_index + n))
        else:
            found = 0
            for k, term in enumerate(token.parts):
                m = best_match([a for a in term.alternatives if possible(a)], doc)
                if m is not None:
                    matches.append(m)
                    matched_terms.add(term_index + k)
                    found += 1
            extra_pieces += max(0, found - 1)
        term_index += n
    if not matches:
        return None
    gaps = 0
    ordered = sorted(matches, key=lambda m: (m.field, m.start))
    for a, b in zip(ordered, ordered[1:]):
        if a.field == b.field and a.kind != "place":
            gaps += min(abs(b.start - a.end), 9)
    ranking = Ranking(
        terms=len(matched_terms),
        typos=sum(m.typos for m in matches),
        synonyms=sum(m.synonym for m in matches),
        proximity=extra_pieces + gaps,
        field=sum(FIELD_RANK.get(m.kind, 9) for m in matches),
        exactness=sum(m.exactness for m in matches),
        length=len(doc.data["name"]),
    )
    return ranking, matches, matched_terms


def placed_by(this: Ranking, below: Ranking | None) -> str:
    """The first rule on which `this` beats the hit `below` it ("tie" if none)."""
    if below is None:
        return "last"
    for name, a, b in zip(RULES, this.key(), below.key()):
        if a != b:
            return name
    return "tie"


def ranking_dict(r: Ranking) -> dict[str, int]:
    return r._asdict()
