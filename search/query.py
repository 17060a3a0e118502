"""Query understanding: raw user text → tokens → terms → alternative unit sequences.

A *token* is what the user separated with spaces (or punctuation: Whoosh syntax such as
``AND * ? " : ( ) ~ ^`` is never interpreted, only treated as a separator). A token is first
tried *whole*, as one contiguous run (常州光伏, 新yu, 机器仁 with its typo); if that fails, each
of its *parts* (words of the index's vocabulary: 宝鸡 + 钛, jiangsu + jiqiren) counts on its
own. Each term has *alternatives*: the exact reading, other pinyin parses, lexicon typo
corrections and synonyms, each a sequence of `Unit`s matched one per character.
"""

from __future__ import annotations

import re
from functools import lru_cache, cache
from itertools import accumulate, islice, product
from collections.abc import Mapping
from typing import NamedTuple

from index.analysis import (Piece, fold, fuzzy_key, han_typo_budget, latin_typo_budget, parse_latin,
                            segment, split_scripts)
from index.dictionaries import syllables
from index.errors import QueryError
from index.format import Kind
from index.text import has_control, is_han, normalize, strip_place_suffix
from search.lexicon import Lexicon
from search.understand import frame_rest

MAX_QUERY_CHARS = 200
# Bounds on the work one query may cause, whatever it is (issue #12): alternatives are
# generated lazily and cut at these sizes, so a legal 200-character query cannot grow into
# millions of combinations (锂xian锂xian… multiplies 4-6 readings per pair).
MAX_WHOLE_ALTERNATIVES = 12  # whole-token readings: combinations of its runs' readings
MAX_RUN_PARSES = 6  # pinyin parses of one run of letters
MAX_CORRECTIONS = 4  # lexicon typo corrections of one run of letters
MAX_CORRECTION_LETTERS = 32  # longer runs get no typo correction (no corpus word is that long)
MAX_CORRECTED_RUNS = 6  # distinct runs of letters one query looks up corrections for
MAX_TERMS = 24  # words of one query, once stop words are gone: more is an error, not a search
# Unit kinds (`format.Kind`): a hanzi, a letter or digit matched as written (G60), and the
# pinyin pieces FULL / INITIAL / PREFIX of `index.analysis`.
HAN, LIT, FULL, INITIAL, PREFIX = Kind.HAN, Kind.LIT, Kind.FULL, Kind.INITIAL, Kind.PREFIX
# Query-language operators people carry over from other engines (AND, OR, NOT, TO, field:).
# Never interpreted: ignored like stop words. Other syntax characters are separators.
_OPERATOR_RE = re.compile(r"(?<![A-Za-z])(?:AND|OR|NOT|TO)(?![A-Za-z])|[A-Za-z_]+:")


class Unit(NamedTuple):
    """What one character of a name must be: a hanzi, or a pinyin piece (full/initial/prefix)."""

    kind: Kind
    text: str
    readings: frozenset[str] = frozenset()  # han: every reading of the char (candidate search)
    fuzzy: frozenset[str] = frozenset()  # han: fuzzy keys of those; full: the syllable's key
    primary: str = ""  # han: its usual reading, the only one the homophone channel compares
    shapes: frozenset[str] = frozenset()  # han: corpus characters of the same shape (look-alikes)


class Alternative(NamedTuple):
    """One way to read a term, as units matched against consecutive characters."""

    units: tuple[Unit, ...]
    budget: int  # homophone / fuzzy substitutions allowed, edits already spent included
    typos: int = 0  # edits already spent by a lexicon correction (lidain → lidian)
    synonym: bool = False
    label: str = ""  # what this alternative reads as, for --explain
    # The kinds of field (format.FieldKind values) it may match in; empty: any. An English
    # industry term names what a cluster makes: its name or alias, never its builder.
    kinds: frozenset[str] = frozenset()
    # Pinyin that spells words of the corpus (xian → 西安, lidianchi → 锂电池): a match on other
    # characters read the same (线 of 线带, 力电池 of 动力电池) is not the word typed, and
    # counts one typo (`search.match.align`). A whole word beats a fragment of another.
    words: frozenset[str] = frozenset()


class Term(NamedTuple):
    text: str
    alternatives: tuple[Alternative, ...]
    significant: bool  # decides hits; unmatched anywhere, it means "no meaningful match"
    place: bool = False  # a place name: it narrows the hits, it does not make one


class Token(NamedTuple):
    text: str
    whole: tuple[Alternative, ...]
    parts: tuple[Term, ...]


class ParsedQuery(NamedTuple):
    text: str
    tokens: tuple[Token, ...]

    @property
    def terms(self) -> list[Term]:
        return [t for tok in self.tokens for t in tok.parts]


def check_query(raw: str) -> str:
    """Reject what cannot be searched, with a message a user understands."""
    if not isinstance(raw, str):
        raise QueryError("the query must be text")
    if any("\ud800" <= c <= "\udfff" for c in raw):  # undecodable bytes on argv (surrogateescape)
        raise QueryError("the query is not valid UTF-8 text", hint="check the terminal's encoding")
    if has_control(raw):
        raise QueryError("the query contains control characters", hint="type the query as plain text")
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(raw)} characters; the limit is {MAX_QUERY_CHARS})")
    text = normalize(raw)
    if len(text) > MAX_QUERY_CHARS:  # NFKC can expand a character up to 18 (ﷺ)
        raise QueryError(f"the query is too long ({len(text)} characters once normalised; "
                         f"the limit is {MAX_QUERY_CHARS})")
    if not text:
        raise QueryError("the query is empty", hint="try a keyword, a place or pinyin, e.g. clsearch 锂电")
    return text


def parse_query(raw: str, lexicon: Lexicon, correct: bool = False) -> ParsedQuery:
    """Understand a query; raises QueryError for empty, oversized or control-laden input.

    With `correct`, pinyin runs also get typo corrections from the index's own words and
    name runs (lidain → lidian). The searcher asks for them only when the query as typed
    finds nothing, so a correction never adds noise to a query that was typed right (shimox
    is 石墨烯 typed ahead, not 示模 + x).
    """
    folded = fold(_OPERATOR_RE.sub(" ", check_query(raw)))
    folded = "".join(lexicon.simplify(c) if is_han(c) else c for c in folded)
    words = _given_runs(_drop_stopwords(_tokens(folded), lexicon), lexicon)
    if not words:
        return ParsedQuery(folded, ())
    if len(words) > MAX_TERMS:
        raise QueryError(f"the query has too many words ({len(words)}; the limit is {MAX_TERMS})")
    corrector = _Corrector(lexicon) if correct else None
    tokens = []
    for n, runs in enumerate(words):
        at_end = n == len(words) - 1
        tokens.append(_given_token(runs, lexicon) or _make_token(runs, lexicon, at_end, corrector))
    parsed = _promote_lone(ParsedQuery(folded, tuple(tokens)), lexicon)
    if len(parsed.terms) > MAX_TERMS:
        raise QueryError(f"the query has too many words ({len(parsed.terms)}; the limit is {MAX_TERMS})")
    return parsed


# --------------------------------------------------------------------------------------------

Runs = list[tuple[str, str, frozenset[int]]]  # (kind, text, breaks) with kind han/latin


def _tokens(folded: str) -> list[Runs]:
    """Whitespace/punctuation-separated tokens, each a list of script runs.

    Spaces between two pinyin runs (``tao ci``, ``Jīng Mén``) do not split the token: they
    only mark a syllable break, so ``tao ci`` reads like ``taoci`` but never ``ta oci``.
    """
    tokens: list[Runs] = [[]]
    pending_space = False
    for kind, text in _literal_runs(split_scripts(folded)):
        if kind == "sep":
            pending_space = True
            continue
        cur = tokens[-1]
        if pending_space and cur:
            if kind == "latin" and cur[-1][0] == "latin":
                k, t, b = cur[-1]
                cur[-1] = (k, t + text, b | {len(t)})
                pending_space = False
                continue
            tokens.append([])
            cur = tokens[-1]
        pending_space = False
        cur.append((kind, text, frozenset()))
    return [t for t in tokens if t]


def _literal_runs(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Letters next to digits (G60, 5G) are a literal code, not pinyin: one ``lit`` run."""
    out: list[tuple[str, str]] = []
    for kind, text in runs:
        if kind in ("latin", "digit") and out and out[-1][0] in ("latin", LIT):
            out[-1] = (LIT, out[-1][1] + text)
        else:
            out.append((LIT if kind == "digit" else kind, text))
    return out


def _drop_stopwords(tokens: list[Runs], lexicon: Lexicon) -> list[Runs]:
    """Remove stop words (的, 有哪些, 产业集群) from hanzi runs; keep all if nothing else is left.

    A run that would shrink to a single character keeps its stop words (顺的 → 顺德).
    """
    out: list[Runs] = []
    for runs in tokens:
        cur: Runs = []
        for kind, text, breaks in runs:
            if kind != HAN:
                cur.append((kind, text, breaks))
                continue
            kept = ""
            words = segment(text, lexicon.vocab)
            if len(text) - sum(len(w) for w in words if w in lexicon.stopwords) == 1:
                # Dropping stop words would leave one lone character: 顺的 is more likely
                # 顺德 with a wrong character than 顺 + 的. A token that is all stop words
                # (锂电 有哪些) goes.
                cur.append((HAN, text, breaks))
                continue
            for word in words:
                if word in lexicon.stopwords:
                    if kept:
                        cur.append((HAN, kept, frozenset()))
                    kept = ""
                    if cur:
                        out.append(cur)
                    cur = []
                else:
                    kept += word
            if kept:
                cur.append((HAN, kept, frozenset()))
        if cur:
            out.append(cur)
    return out or tokens


# Run kinds of words read through a table, not as hanzi or pinyin: an English phrase of
# english.tsv, a nickname of nicknames.tsv. Each is a token of its own.
ENGLISH, NICKNAME = "english", "nickname"
_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))
_NAMES = frozenset({"name", "alias"})


def _given_runs(tokens: list[Runs], lexicon: Lexicon) -> list[Runs]:
    """Cut English phrases and nicknames out of the tokens, as tokens of their own.

    A token of Latin letters is read word by word (at the spaces typed): the longest phrase
    of the English glossary (a plural tried as its singular) becomes an ``english`` run, an
    English filler word (industry, cluster, in) goes, the other words stay pinyin (``new
    materials ningbo`` → new materials | ningbo). A hanzi run holding a nickname (中国光谷)
    is cut around it. In a token mixing scripts, only an English industry word is cut out
    (LED显示 → LED | 显示; 新yu stays one word).
    """
    out: list[Runs] = []
    for runs in tokens:
        if len(runs) == 1 and runs[0][0] == "latin" and lexicon.english:
            out += _english_split(runs[0][1], runs[0][2], lexicon)
        elif len(runs) == 1 and runs[0][0] == HAN and lexicon.nicknames:
            out += _nickname_split(runs[0][1], lexicon)
        elif len(runs) > 1 and lexicon.english:
            out += _acronym_split(runs, lexicon)
        else:
            out.append(runs)
    return out or tokens


def _acronym_split(runs: Runs, lexicon: Lexicon) -> list[Runs]:
    """An English industry word glued to hanzi is a word of its own (LED显示 → LED | 显示);
    other letters stay with the hanzi (新yu is one word typed half in pinyin)."""
    out: list[Runs] = []
    cur: Runs = []
    for run in runs:
        kind, text, breaks = run
        key = english_key(text, lexicon.english) if kind == "latin" and not breaks else None
        if key is not None and len(text) >= 2 and lexicon.english[key][0] == "industry":
            if cur:
                out.append(cur)
            out.append([(ENGLISH, key, frozenset())])
            cur = []
        else:
            cur.append(run)
    if cur:
        out.append(cur)
    return out


def english_key(word: str, table: Mapping[str, object]) -> str | None:
    """`word` (or phrase) as a key of the English glossary, trying its plural off."""
    if word in table:
        return word
    for suffix, repl in _PLURALS:
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and word[:-len(suffix)] + repl in table:
            return word[:-len(suffix)] + repl
    return None


def _english_split(letters: str, breaks: frozenset[int], lexicon: Lexicon) -> list[Runs]:
    bounds = [0, *sorted(b for b in breaks if 0 < b < len(letters)), len(letters)]
    words = [letters[a:b] for a, b in zip(bounds, bounds[1:])]
    out: list[Runs] = []
    pending: list[str] = []  # pinyin words between English phrases

    def flush() -> None:
        if pending:
            text = "".join(pending)
            cuts = frozenset(accumulate(len(w) for w in pending[:-1]))
            out.append([("latin", text, cuts)])
            pending.clear()

    i = 0
    while i < len(words):
        for j in range(min(len(words), i + 4), i, -1):  # longest phrase first
            key = english_key(" ".join(words[i:j]), lexicon.english)
            if key is not None:
                break
        else:
            pending.append(words[i])
            i += 1
            continue
        flush()
        if lexicon.english[key][0] != "filler":
            out.append([(ENGLISH, key, frozenset())])
        i = j
    flush()
    return out


def _nickname_split(text: str, lexicon: Lexicon) -> list[Runs]:
    """A hanzi run with a nickname in it (longest first; a one-character one only alone)."""
    none: frozenset[int] = frozenset()
    if text in lexicon.nicknames:
        return [[(NICKNAME, text, none)]]
    for size in range(min(len(text), 8), 1, -1):
        for i in range(len(text) - size + 1):
            if text[i:i + size] in lexicon.nicknames:
                before, after = text[:i], text[i + size:]
                out: list[Runs] = [[(str(HAN), before, none)]] if before else []
                out.append([(NICKNAME, text[i:i + size], none)])
                return out + (_nickname_split(after, lexicon) if after else [])
    return [[(str(HAN), text, none)]]


def _given_token(runs: Runs, lexicon: Lexicon) -> Token | None:
    """The token of an English phrase or a nickname: its table's Chinese words, any of them,
    each matched as a synonym (exact hanzi always ranks above)."""
    if len(runs) != 1 or runs[0][0] not in (ENGLISH, NICKNAME):
        return None
    kind, text, _ = runs[0]
    what, targets = (lexicon.english if kind == ENGLISH else lexicon.nicknames)[text]
    kinds = _NAMES if kind == ENGLISH and what == "industry" else frozenset()
    alts = tuple(Alternative(_han_units(t, lexicon, homophones=False), 0, synonym=True,
                             label=f"{text} → {t}", kinds=kinds) for t in targets)
    term = Term(text, alts, True, place=what == "place")
    rest = frame_rest(text, lexicon.vocab, lexicon.chars) if kind == NICKNAME else None
    if rest is None or rest in targets:
        return Token(text, alts, (term,))
    # A "capital of X" nickname also says X. A place's (五金之都: 永康) narrows to the place,
    # and X only ranks its X cluster first. A zone's (袜业之乡: 大唐) finds any X cluster too,
    # the zone's own first (it matches the zone as a second, rank-only term).
    rest_alt = Alternative(_han_units(rest, lexicon, homophones=False), 0, synonym=True,
                           label=f"{text} → {rest}")
    if what == "place":
        return Token(text, (), (term, Term(rest, (rest_alt,), False)))
    both = term._replace(alternatives=(*alts, rest_alt))
    return Token(text, (), (both, Term(" ".join(targets), alts, False)))


def _han_units(text: str, lexicon: Lexicon, homophones: bool = True) -> tuple[Unit, ...]:
    """One unit per character; with `homophones`, each carries its readings for that channel."""
    units = []
    for ch in text:
        readings = lexicon.readings(ch) if homophones else ()
        units.append(Unit(HAN, ch, frozenset(readings), frozenset(fuzzy_key(r) for r in readings),
                          readings[0] if readings else ""))
    return tuple(units)


def _piece_units(pieces: tuple[Piece, ...]) -> tuple[Unit, ...]:
    """Units of a pinyin parse. `fuzzy` holds the keys a matching character may have: the
    syllable's own for a full syllable, every syllable it can start for an abbreviation."""
    return tuple(Unit(p.kind, p.text, fuzzy=_keys_of(p)) for p in pieces)


@cache  # a few hundred pieces exist: syllables, initials, their prefixes
def _keys_of(piece: Piece) -> frozenset[str]:
    if piece.kind == FULL:
        return frozenset({fuzzy_key(piece.text)})
    return frozenset(fuzzy_key(s) for s in syllables() if s.startswith(piece.text))


def _latin_alternatives(letters: str, breaks: frozenset[int], at_end: bool, lexicon: Lexicon,
                        correct: _Corrector | None,
                        limit: int = MAX_RUN_PARSES, max_edits: int = 2) -> list[tuple[tuple[Unit, ...], int, str]]:
    """(units, edits, label) readings of a pinyin run: parses first, then typo corrections
    (at most `max_edits`, and the run's own budget)."""
    parses = _parses(letters, at_end, breaks, limit)
    out = [(_piece_units(p), 0, " ".join(x.text for x in p)) for p in parses]
    budget = min(max_edits, latin_typo_budget(len(letters)))
    if budget and correct is not None and len(letters) <= MAX_CORRECTION_LETTERS:
        for key, edits in correct.lookup(letters, budget)[:MAX_CORRECTIONS]:
            for p in _parses(key, False, frozenset(), 1):
                out.append((_piece_units(p), edits, key))
    return out


class _Corrector:
    """Typo corrections for one query: each distinct run looked up once, and few runs at all.

    A lookup probes the typo table with every one- and two-letter deletion of the run; a
    query of many long runs would multiply that, so after `MAX_CORRECTED_RUNS` distinct runs
    the rest are searched as typed.
    """

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.found: dict[tuple[str, int], list[tuple[str, int]]] = {}

    def lookup(self, letters: str, max_edits: int) -> list[tuple[str, int]]:
        key = (letters, max_edits)
        if key not in self.found:
            if len(self.found) >= MAX_CORRECTED_RUNS:
                return []
            self.found[key] = self.lexicon.corrections(letters, max_edits)
        return self.found[key]


@lru_cache(maxsize=1024)
def _parses(letters: str, at_end: bool, breaks: frozenset[int], limit: int) -> tuple[tuple[Piece, ...], ...]:
    """`parse_latin`, remembered: a token's whole reading and its parts parse the same runs."""
    return tuple(parse_latin(letters, prefix_at_end=at_end, breaks=breaks, limit=limit))


def _make_token(runs: Runs, lexicon: Lexicon, at_end: bool, correct: _Corrector | None) -> Token:
    """Build a token's whole-token alternatives and its parts."""
    per_run: list[list[tuple[tuple[Unit, ...], int, str]]] = []
    parts: list[Term] = []
    for i, (kind, text, breaks) in enumerate(runs):
        last = at_end and i == len(runs) - 1
        if kind == HAN:
            per_run.append([(_han_units(text, lexicon), 0, text)])
            parts += [_han_term(w, lexicon) for w in _han_parts(text, lexicon)]
        elif kind == LIT:
            units = tuple(Unit(LIT, c) for c in text)
            per_run.append([(units, 0, text)])
            parts.append(Term(text, (Alternative(units, 0, label=text),), True))
        else:
            alts = _latin_alternatives(text, breaks, last, lexicon, correct)
            per_run.append(alts)
            parts += _latin_parts(text, breaks, last, alts, lexicon, correct)
    text = "".join(t for _, t, _ in runs)
    n_han = sum(len(t) for k, t, _ in runs if k == HAN)
    n_latin = sum(len(t) for k, t, _ in runs if k != HAN)
    budget = han_typo_budget(n_han) + latin_typo_budget(n_latin)
    if len(runs) == 1 and runs[0][0] == HAN and _known_word(text, lexicon):
        budget = 0
    whole: list[Alternative] = []
    for combo in islice(product(*per_run), MAX_WHOLE_ALTERNATIVES):  # lazily: never all of them
        units = tuple(u for us, _, _ in combo for u in us)
        edits = sum(e for _, e, _ in combo)
        label = " ".join(lbl for _, _, lbl in combo)
        words = _spelled(label, lexicon)
        whole.append(Alternative(units, budget, edits + _one_for_many(units, words), label=label, words=words))
    if len(runs) == 1 and runs[0][0] == HAN:
        whole += _place_alternatives(text, lexicon)
    if len(runs) == 1 and runs[0][0] not in (HAN, LIT):
        whole += _pinyin_synonyms(text, lexicon)  # lidianchi → 锂电池 → 锂电
    whole += _synonym_alternatives(text, lexicon)  # 锂电池 → 锂电, and IC, LED, 5G
    # A token mixing hanzi and a lone syllable or letter (新yu, 桐xiang, x余) is one word typed
    # half in pinyin: it is matched whole, never as a loose syllable on its own. Longer pinyin
    # (佛山jqr, baoji钛) may stand apart.
    mixed = any(k == HAN for k, _, _ in runs)
    if len(parts) <= 1 or (mixed and any(t.text.isascii() and _loose(t) for t in parts)):
        parts = [Term(text, tuple(whole), significant=len(text) >= 2 and text not in lexicon.generic,
                      place=text in lexicon.places or _spells_place(text, lexicon))]
    return Token(text, tuple(whole), tuple(parts))


def _promote_lone(parsed: ParsedQuery, lexicon: Lexicon) -> ParsedQuery:
    """With no significant term, the lone characters decide, not the generic words beside
    them (茶主要分布在哪: 茶, not 分布 or 在哪); with neither, every term counts (`term_roles`)."""
    terms = parsed.terms
    if any(t.significant for t in terms) or all(t.text in lexicon.generic for t in terms) or \
            not any(t.text in lexicon.generic for t in terms):
        return parsed
    return parsed._replace(tokens=tuple(
        tok._replace(parts=tuple(t if t.text in lexicon.generic else t._replace(significant=True)
                                 for t in tok.parts))
        for tok in parsed.tokens))


def _spells_place(text: str, lexicon: Lexicon) -> bool:
    """A word of letters that spells a place of the corpus (ningbo, hubei)."""
    return text.isascii() and any(w in lexicon.places for w in lexicon.pywords.get(text, ()))


def _loose(term: Term) -> bool:
    """A pinyin term read as one syllable or one letter at best (yu, xiang, x)."""
    return not term.alternatives or len(term.alternatives[0].units) < 2  # best reading first


def _han_parts(text: str, lexicon: Lexicon) -> list[str]:
    """Vocabulary words of a hanzi run; neighbouring single characters stay together (火星)."""
    out: list[str] = []
    for word in segment(text, lexicon.vocab):
        if len(word) == 1 and out and out[-1] not in lexicon.vocab:
            out[-1] += word
        else:
            out.append(word)
    return out


def _known_word(text: str, lexicon: Lexicon) -> bool:
    """A place name of the country (保定, 拉萨) or a word of the thesaurus (车联网, 锂电池) is
    typed as meant, never a typo of another word (沧州 is not 曾都, 车联网 not 互联网): it gets
    no homophones or look-alikes, whether or not a record holds it."""
    return text in lexicon.places or text.lower() in lexicon.synonyms


def _han_term(text: str, lexicon: Lexicon) -> Term:
    budget = 0 if _known_word(text, lexicon) else han_typo_budget(len(text))
    alts = [Alternative(_han_units(text, lexicon), budget, label=text)]
    alts += _place_alternatives(text, lexicon) + _synonym_alternatives(text, lexicon)
    # A lone 省 or 钛 only adds rank; a place (江苏, 常州市) qualifies an industry word.
    return Term(text, tuple(alts), significant=len(text) >= 2 and text not in lexicon.generic,
                place=text in lexicon.places)


def _place_alternatives(text: str, lexicon: Lexicon) -> list[Alternative]:
    """A place typed with its suffix also matches names without it: 重庆市 → 重庆."""
    short = strip_place_suffix(text)
    if short == text or short not in lexicon.vocab:
        return []
    return [Alternative(_han_units(short, lexicon), han_typo_budget(len(short)), label=short)]


def _synonym_alternatives(text: str, lexicon: Lexicon) -> list[Alternative]:
    return [Alternative(_han_units(s, lexicon, homophones=False), 0, synonym=True, label=s)
            for s in lexicon.synonyms.get(text.lower(), [])]


def _latin_parts(letters: str, breaks: frozenset[int], at_end: bool,
                 alts: list[tuple[tuple[Unit, ...], int, str]], lexicon: Lexicon,
                 correct: _Corrector | None) -> list[Term]:
    """Split a pinyin run into lexicon words (jiangsujiqiren → jiangsu + jiqiren), if it can be.

    With typo correction (`correct`), words the user separated with spaces are each corrected
    on their own (xiamne haiynag → xiamen + haiyang), and a run that starts or ends with a
    word of the lexicon has the rest corrected (xiningliidian → xining + lidian).
    """
    whole = [Term(letters, _alternatives(alts, latin_typo_budget(len(letters)), lexicon)
                  + tuple(_pinyin_synonyms(letters, lexicon)), True)]
    words = _split_words(letters, breaks, alts, lexicon, correct)
    if words is None:
        return whole
    # Words found only through corrections carry one typo each (xiamne haiynag), so that a
    # long run is not probed two edits deep once per word.
    edits = 1 if correct is not None and _grouped(alts, lexicon) is None else 2
    terms = []
    for k, word in enumerate(words):
        last = at_end and k == len(words) - 1
        if word in syllables() and k == len(words) - 1 and k > 0:
            # A lone syllable after words (baoji + tai): it ranks the hits of the words
            # (宝鸡钛 first), it does not bring hits of its own.
            sub = _latin_alternatives(word, frozenset(), last, lexicon, None)
            terms.append(Term(word, _alternatives(sub, 0, lexicon), False))
            continue
        sub = _latin_alternatives(word, frozenset(), last, lexicon, correct, max_edits=edits)
        place = any(w in lexicon.places for w in lexicon.pywords.get(word, ()))
        alternatives = _alternatives(sub, latin_typo_budget(len(word)), lexicon)
        terms.append(Term(word, alternatives + tuple(_pinyin_synonyms(word, lexicon)), True, place))
    return terms


def _split_words(letters: str, breaks: frozenset[int], alts: list[tuple[tuple[Unit, ...], int, str]],
                 lexicon: Lexicon, correct: _Corrector | None) -> list[str] | None:
    """The words of a pinyin run, or None to keep it whole (see `_latin_parts`)."""
    grouped = _grouped(alts, lexicon)
    if grouped is not None:
        return grouped
    if correct is None:
        return None
    cuts = sorted(breaks)
    pieces = [letters[i:j] for i, j in zip([0] + cuts, cuts + [len(letters)])]
    if len(pieces) > 1 and all(len(p) >= 4 and p not in syllables() for p in pieces):
        return pieces  # words the user separated: each corrected on its own
    if len(pieces) > 1:
        return None
    # One word of the lexicon at either end, the rest (at least 4 letters) one typo away from
    # another (one edit: a deletion-only probe of the typo table, cheap on a long rest).
    for n in range(len(letters) - 4, 3, -1):
        head, tail = letters[:n], letters[n:]
        if head in lexicon.pywords and correct.lookup(tail, min(1, latin_typo_budget(len(tail)))):
            return [head, tail]
        head, tail = letters[:len(letters) - n], letters[len(letters) - n:]
        if tail in lexicon.pywords and correct.lookup(head, min(1, latin_typo_budget(len(head)))):
            return [head, tail]
    return None


def _one_for_many(units: tuple[Unit, ...], words: frozenset[str]) -> int:
    """1 when letters that spell words of two characters or more (xian: 西安) are read as one
    syllable (线, 仙): that reading can only match another word's character, a typo for
    the ranking (spent up front, so that the best-first bounds know it)."""
    return 1 if words and len(units) == 1 and min(len(w) for w in words) >= 2 else 0


def _grouped(alts: list[tuple[tuple[Unit, ...], int, str]], lexicon: Lexicon) -> list[str] | None:
    """The run's best parse cut into lexicon words, if it is all words (see `_split_words`)."""
    best = next((units for units, edits, _ in alts
                 if edits == 0 and all(u.kind == FULL for u in units[:-1])), None)
    if best is None or len(best) < 3:
        return None
    groups = _group_syllables([u.text for u in best], lexicon)
    # Split only into real words (jiangsu + jiqiren): single syllables left over would each
    # match something somewhere, and nonsense (naichahuoxing) would find noise; one syllable
    # may close a run of words (baoji + tai).
    if len(groups) > 1 and all(len(g) > 1 for g in groups[:-1]) and (
            len(groups[-1]) > 1 or (len(groups) == 2 and best[-1].kind == FULL)):
        return ["".join(g) for g in groups]
    return None


def _spelled(label: str, lexicon: Lexicon) -> frozenset[str]:
    """The corpus words a pinyin reading spells (label ``xi an`` or ``xian`` → 西安)."""
    letters = label.replace(" ", "")
    return frozenset(lexicon.pywords.get(letters, ())) if letters.isascii() else frozenset()


def _pinyin_synonyms(letters: str, lexicon: Lexicon) -> list[Alternative]:
    """Synonyms of the words a run of letters spells: lidianchi → 锂电池 → 锂电, 锂离子电池."""
    out: list[Alternative] = []
    seen: set[str] = set()
    for word in lexicon.pywords.get(letters, ()):
        for alt in _synonym_alternatives(word, lexicon):
            if alt.label not in seen:
                seen.add(alt.label)
                out.append(alt)
    return out


def _alternatives(readings: list[tuple[tuple[Unit, ...], int, str]], budget: int,
                  lexicon: Lexicon | None = None) -> tuple[Alternative, ...]:
    out = []
    for units, edits, label in readings:
        words = _spelled(label, lexicon) if lexicon is not None else frozenset()
        out.append(Alternative(units, budget, edits + _one_for_many(units, words), label=label, words=words))
    return tuple(out)


def _group_syllables(syls: list[str], lexicon: Lexicon) -> list[list[str]]:
    """Fewest groups of consecutive syllables that spell lexicon words (others stay single)."""
    n = len(syls)
    best: list[tuple[int, list[list[str]]] | None] = [None] * (n + 1)
    best[0] = (0, [])
    for j in range(1, n + 1):
        for i in range(max(0, j - 6), j):
            prev, cur = best[i], best[j]
            if prev is None:
                continue
            group = syls[i:j]
            if len(group) > 1 and "".join(group) not in lexicon.pywords:
                continue
            cand = (prev[0] + 1, prev[1] + [group])
            if cur is None or cand[0] < cur[0]:
                best[j] = cand
    done = best[n]
    return done[1] if done else [syls]


__all__ = ["Alternative", "ParsedQuery", "Term", "Token", "Unit", "check_query", "parse_query",
           "MAX_QUERY_CHARS", "HAN", "LIT", "FULL", "INITIAL", "PREFIX"]
