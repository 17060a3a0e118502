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

Before them, which documents are hits at all (`term_roles`): significant terms decide, a place
only narrows, and a significant term that matches nowhere means no meaningful match (honesty).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from index.format import FIELD_RANK, UNKNOWN_FIELD_RANK
from search.match import Doc, Match, align
from search.query import Alternative, ParsedQuery

RULES = ("terms", "typos", "synonyms", "proximity", "field", "exactness", "length")
_SCALE: int = 100 ** (len(RULES) - 1)  # `Ranking.score`: one base-100 digit per rule


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
        value = min(self.terms, 99)
        for v in (self.typos, self.synonyms, self.proximity, self.field, self.exactness, self.length):
            value = value * 100 + 99 - min(v, 99)
        return value / _SCALE  # < 2**53: exact in a float


def evaluate(query: ParsedQuery, doc: Doc, possible: Callable[[Alternative], bool] = lambda alt: True
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
        whole = _best(token.whole, doc, possible) if n > 1 else None
        if whole is not None:
            matches.append(whole)
            matched_terms.update(range(term_index, term_index + n))
        else:
            found = 0
            for k, term in enumerate(token.parts):
                m = _best(term.alternatives, doc, possible)
                if m is not None:
                    matches.append(m)
                    matched_terms.add(term_index + k)
                    found += 1
            extra_pieces += max(0, found - 1)
        term_index += n
    if not matches:
        return None
    if len(matches) == 1:  # the usual case (one term, or a token matched whole): no gaps
        m = matches[0]
        return Ranking(len(matched_terms), m.typos, int(m.synonym), extra_pieces,
                       FIELD_RANK.get(m.kind, UNKNOWN_FIELD_RANK), m.exactness, len(doc.name)), matches, matched_terms
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
        field=sum(FIELD_RANK.get(m.kind, UNKNOWN_FIELD_RANK) for m in matches),
        exactness=sum(m.exactness for m in matches),
        length=len(doc.name),
    )
    return ranking, matches, matched_terms


def _best(alternatives: tuple[Alternative, ...], doc: Doc, possible: Callable[[Alternative], bool]) -> Match | None:
    """`match.best_match` of the alternatives `possible` allows (the first of equal ones)."""
    best: Match | None = None
    for alt in alternatives:
        if possible(alt):
            m = align(alt, doc)
            if m is not None and (best is None or m.sort_key() < best.sort_key()):
                best = m
    return best


def placed_by(this: Ranking, below: Ranking | None) -> str:
    """The first rule on which `this` beats the hit `below` it ("tie" if none)."""
    return placed_by_key(this.key(), None if below is None else below.key())


def placed_by_key(this: tuple[int, ...], below: tuple[int, ...] | None) -> str:
    """`placed_by` of two `Ranking.key`s."""
    if below is None:
        return "last"
    for name, a, b in zip(RULES, this, below):
        if a != b:
            return name
    return "tie"


def ranking_dict(r: Ranking) -> dict[str, int]:
    return dict(r._asdict())


class TermRoles(NamedTuple):
    """Which query terms (by index in `ParsedQuery.terms`) decide what is a hit."""

    significant: frozenset[int]  # unmatched anywhere, the query has no meaningful match
    required: frozenset[int]  # a hit must match one of these


def term_roles(parsed: ParsedQuery) -> TermRoles:
    """Significant terms (words, pinyin words) decide what is a hit; places only narrow.

    A lone character such as 省 or 家 in 省铝制家 only adds to the rank of a document found
    otherwise; if every term is a lone character (锂 电), they all count. With an industry word
    and a place (上海 生物医药), a cluster must match the industry word and the place: the place
    brings no clusters of its own, and narrows the hits as a filter does (see `rank`).
    """
    terms = parsed.terms
    significant = frozenset(i for i, t in enumerate(terms) if t.significant) or frozenset(range(len(terms)))
    required = frozenset(i for i in significant if not terms[i].place) or significant
    return TermRoles(significant, required)


def seed_alternatives(parsed: ParsedQuery, roles: TermRoles) -> list[Alternative]:
    """The alternatives whose documents are candidates: those that can make a hit."""
    seeds: list[Alternative] = []
    first = 0
    for tok in parsed.tokens:
        own = set(range(first, first + len(tok.parts)))
        if own & roles.required:
            seeds += tok.whole
        seeds += [a for i in sorted(own & roles.required) for a in parsed.terms[i].alternatives]
        first += len(tok.parts)
    return seeds


class Ranked(NamedTuple):
    """A hit before it is a `Hit`: its ranking, its matches, its document."""

    ranking: Ranking
    matches: list[Match]
    doc: Doc
    docnum: int = -1  # in the index: facets count hits by their postings
    terms: frozenset[int] = frozenset()  # the query terms it matched (indexes in ParsedQuery.terms)


def rank(parsed: ParsedQuery, candidates: Iterable[int], doc: Callable[[int], Doc],
         possible: Callable[[Alternative, int], bool], roles: TermRoles) -> list[Ranked]:
    """Rank the candidate documents, best first; [] if a significant term matched nowhere.

    `possible(alt, docnum)` says whether the candidate stage found `docnum` for `alt`.
    Ties are broken by record id, so the order never depends on the index layout.
    """
    scored = []
    matched_terms: set[int] = set()
    for docnum in candidates:
        d = doc(docnum)

        def found_for(alt: Alternative, n: int = docnum) -> bool:
            return possible(alt, n)

        result = evaluate(parsed, d, found_for)
        if result is not None and result[2] & roles.required:
            ranking, matches, found = result
            matched_terms |= found
            scored.append((ranking.key(), d.id, Ranked(ranking, matches, d, docnum, frozenset(found)), found))
    # Honesty: a significant term that matched nowhere means no meaningful match.
    if roles.significant - matched_terms:
        return []
    # A place beside an industry word (湖北 汽车) narrows the hits as a filter does: the total
    # counts only the clusters matching every place of the query.
    places = roles.significant - roles.required
    if places:
        scored = [s for s in scored if places <= s[3]]
    scored.sort(key=lambda s: (s[0], s[1]))
    return [s[2] for s in scored]
