"""Alignment (search/match.py): where an alternative matches a prepared document, and how."""

from handmade import doc, lexicon
from index.format import Channel
from search.match import PART_OF_WORD, align, best_match
from search.query import parse_query

XINYU = doc("x", "新余动力电池", words=["新余", "动力", "电池"], place="江西 新余")
XIAMEN = doc("m", "厦门海洋", words=["厦门", "海洋"])
CHANGSHA = doc("c", "长沙电力", words=["长沙", "电力"])
QINGDAO = doc("q", "青岛机器人", words=["青岛", "机器人"])


def whole(query, **kw):
    return parse_query(query, lexicon(), **kw).tokens[0].whole


def channels(match):
    return [str(c) for c in match.channels]


def test_exact_hanzi_on_a_word_is_the_best_match():
    m = align(whole("新余")[0], XINYU)
    assert (m.kind, m.start, m.end, channels(m), m.typos, m.exactness) == (
        "name", 0, 2, ["exact", "exact"], 0, 0)


def test_a_match_starting_inside_a_word_costs_exactness():
    m = align(whole("力电")[0]._replace(budget=0), XINYU)
    assert (m.start, m.exactness) == (3, PART_OF_WORD)


def test_full_pinyin_matches_through_the_reading_in_context():
    m = align(whole("xinyu")[0], XINYU)
    assert (m.start, channels(m), m.typos) == (0, ["pinyin", "pinyin"], 0)


def test_another_reading_of_a_polyphone_counts_as_a_typo():
    m = best_match(whole("zhangsha"), CHANGSHA)
    assert channels(m) == ["reading2", "pinyin"] and m.typos == 1


def test_initials_and_a_prefix():
    assert channels(best_match(whole("xy"), XINYU)) == ["initials", "initials"]
    m = best_match(whole("qingda"), QINGDAO)
    assert channels(m) == ["pinyin", "prefix"]


def test_a_homophone_rescues_a_wrong_character():
    m = best_match(whole("夏门"), XIAMEN)
    assert channels(m) == ["homophone", "exact"] and m.typos == 1
    assert m.channels[0] is Channel.HOMOPHONE


def test_no_homophone_without_a_typo_budget():
    assert best_match([a._replace(budget=0) for a in whole("夏门")], XIAMEN) is None


def test_fuzzy_pinyin_is_a_typo():
    m = best_match(whole("xingyu"), XINYU)  # in/ing
    assert channels(m) == ["fuzzy", "pinyin"] and m.typos == 1


def test_a_short_match_across_two_words_is_no_match():
    # 余动 spans 新余|动力: two characters reaching from one word into the next
    assert best_match(whole("yudong"), XINYU) is None


def test_the_name_is_preferred_to_the_place():
    m = best_match(whole("新余"), XINYU)
    assert m.kind == "name"
    place_only = doc("p", "动力电池", words=["动力", "电池"], place="江西 新余")
    assert best_match(whole("新余"), place_only).kind == "place"


def test_nothing_matches_a_document_without_the_characters():
    assert best_match(whole("青岛"), XINYU) is None


def test_one_letter_initials_are_found_where_the_first_letters_spell_them():
    assert [f.letters for f in XINYU.fields] == ["xydldc", "jx\0xy"]  # the space of 江西 新余 reads nothing
    m = best_match(whole("dc"), XINYU)
    assert (m.kind, m.start, m.end, channels(m)) == ("name", 4, 6, ["initials", "initials"])
    assert best_match(whole("dx"), XINYU) is None  # d…x spelled nowhere in one field


def test_the_quick_check_rules_out_only_documents_that_cannot_match():
    from search.match import quick_check

    spelled = quick_check(whole("dc")[0])
    assert spelled is not None and spelled(XINYU) and not spelled(QINGDAO)
    exact = quick_check(whole("电池")[0]._replace(budget=0))
    assert exact is not None and exact(XINYU) and not exact(XIAMEN)
    assert quick_check(whole("xinyu")[0]) is None  # pinyin: no cheap check, align decides
    assert XINYU.letters == "xydldc\0jx\0xy"  # every field's first letters, NUL between fields
    assert not spelled(doc("y", "电子", words=["电子"], place="江西 长沙"))  # d…c not in one field


def test_the_quick_check_of_hanzi_with_a_typo_budget_counts_the_characters_typed_as_they_appear():
    from search.match import quick_check

    alt = whole("夏门")[0]  # budget 1: one of two characters may be a homophone
    assert alt.budget == 1 and best_match([alt], XIAMEN) is not None
    check = quick_check(alt)
    assert check is not None and check(XIAMEN)  # 门 as typed
    assert not check(doc("s", "下面的海洋", words=["下面", "海洋"]))  # both would be homophones
    two = quick_check(alt._replace(budget=2))
    assert two is None  # nothing need be as typed: no check


def test_the_least_exactness_of_each_unit_kind_is_its_best_channel_at_no_typo():
    from search.match import CHANNEL_COST, LEAST_EXACTNESS
    from search.query import FULL, HAN, INITIAL, LIT, PREFIX

    best = {HAN: Channel.EXACT, LIT: Channel.EXACT, FULL: Channel.PINYIN, INITIAL: Channel.INITIALS,
            PREFIX: Channel.PREFIX}
    assert {k: CHANNEL_COST[c] for k, c in best.items()} == {k: (0, e) for k, e in LEAST_EXACTNESS.items()}
    # Every other channel costs a typo (so it cannot tie a match at the least cost).
    assert all(t >= 1 for c, (t, _) in CHANNEL_COST.items() if c not in best.values())


def _align_everywhere(alt, document):
    """`align` as plainly as it can be written: every start of every field tried, no shortcut."""
    from index.format import FIELD_RANK, UNKNOWN_FIELD_RANK
    from search.match import CHANNEL_COST, INITIAL, Match, _fragment, unit_channel

    units, m = alt.units, len(alt.units)
    allow = alt.budget > alt.typos
    abbreviation = all(u.kind == INITIAL for u in units)
    best = None
    for fi, field in enumerate(document.fields):
        if alt.kinds and field.kind not in alt.kinds:
            continue
        bounds = field.bounds
        for start in range(len(field.chars) - m + 1):
            typos, exact, chans = alt.typos, 0, []
            for k in range(m):
                ch = unit_channel(units[k], field.chars[start + k], allow and typos < alt.budget)
                if ch is None:
                    break
                typos += CHANNEL_COST[ch][0]
                exact += CHANNEL_COST[ch][1]
                chans.append(ch)
            else:
                if typos > max(alt.budget, alt.typos):
                    continue
                if alt.words and _fragment(bounds, start, m) and field.text[start:start + m] not in alt.words:
                    typos += 1
                if start not in bounds:
                    if (m <= 2 or typos) and any(b in bounds for b in range(start + 1, start + m)):
                        continue
                    exact += PART_OF_WORD
                elif abbreviation and start + m not in bounds:
                    exact += 1
                key = (typos, exact, FIELD_RANK.get(field.kind, UNKNOWN_FIELD_RANK), start, fi)
                if best is None or key < best[0]:
                    best = (key, Match(fi, field.kind, start, start + m, tuple(chans), typos, exact, alt.synonym,
                                       alt.label))
    return None if best is None else best[1]


def test_align_finds_the_match_that_trying_every_start_finds(small):
    """Its shortcuts (where a unit may start, a search of the first letters, stopping at the
    least possible cost) change nothing: every alternative of type-ahead queries, typo
    budgets open and closed, against every document of the small index."""
    reader = small._reader
    queries = ["c", "ch", "cz", "czgf", "changzhou", "changz", "zho", "we", "wenzhou xie", "jqr", "jiqir",
               "lidian", "lidain", "xian", "xiamen", "夏门", "常zh", "常州", "gaoxinqu", "swyy", "sh", "qingd"]
    alts = []
    for q in queries:
        for tok in parse_query(q, reader.lexicon).tokens:
            alts += list(tok.whole) + [a for t in tok.parts for a in t.alternatives]
    alts += [a._replace(budget=a.typos) for a in alts] + [a._replace(budget=a.typos + 1) for a in alts]
    docs = [reader.doc(d) for d in range(len(reader.ties()))]
    for alt in alts:
        for document in docs:
            assert align(alt, document) == _align_everywhere(alt, document), (alt.label, document.name)
