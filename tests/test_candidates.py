"""The candidate stage (search/candidates.py) over a hand-made postings table."""

from handmade import doc, lexicon
from index.format import Fields
from search.bits import Bits
from search.candidates import alternative_docs, candidate_docs, tighten_homophones, unit_docs
from search.filters import FacetTable, facet_counts, filter_docs
from search.values import ValueTable
from index.format import Kind
from search.query import Unit, parse_query


class Postings:
    """A postings table written out by hand: (field, term) → document numbers."""

    def __init__(self, table):
        self.table = {k: frozenset(v) for k, v in table.items()}
        self.asked = []

    def postings(self, fieldname, text):
        self.asked.append((fieldname, text))
        return self.table.get((fieldname, text), frozenset())

    def bits(self, fieldname, text):
        return Bits.of(self.postings(fieldname, text))

    def expand(self, fieldname, prefix):
        return sorted({t for f, t in self.table if f == fieldname and t.startswith(prefix)})


TABLE = Postings({
    (Fields.HAN, "新"): {0, 2}, (Fields.HAN, "余"): {0, 3}, (Fields.PY, "xin"): {0, 2},
    (Fields.PY, "yu"): {0, 3}, (Fields.PY, "yun"): {4}, (Fields.PYF, "xin"): {0, 1, 2},
    (Fields.PYF, "yu"): {0, 3}, (Fields.PYI, "x"): {0, 1, 2}, (Fields.PYI, "y"): {0, 3, 4},
    (Fields.PAIRS, "xin_yu"): {0}, (Fields.IPAIRS, "x_y"): {0, 4}, (Fields.LIT, "g"): {5},
})


def q(text):
    return parse_query(text, lexicon())


def test_a_unit_is_found_under_the_keys_of_its_kind():
    han = q("新余").tokens[0].whole[0].units[0]
    assert unit_docs(han, False, TABLE) == {0, 2}
    assert unit_docs(han, True, TABLE) == {0, 1, 2}  # readings and fuzzy keys: homophones
    assert unit_docs(Unit(Kind.PREFIX, "y"), False, TABLE) == {0, 3, 4}  # any reading starting with y


def test_an_alternative_needs_every_unit_and_neighbouring_syllables():
    parsed = q("xinyu")
    found = alternative_docs(parsed, TABLE)
    pinyin = parsed.tokens[0].whole[0]
    assert pinyin.label == "xin yu"
    assert found[id(pinyin)] == {0}  # 2 has xin but not yu; 3 yu but not xin
    abbreviation = alternative_docs(q("xy"), TABLE)
    assert {frozenset(v) for v in abbreviation.values()} >= {frozenset({0})}  # x_y pair: 0 and 4, x: 0 1 2


def test_candidates_are_the_union_within_the_filters():
    parsed = q("新余")
    found = alternative_docs(parsed, TABLE)
    seeds = list(parsed.tokens[0].whole)
    assert candidate_docs(seeds, found, None) == {0}
    assert candidate_docs(seeds, found, {1, 2}) == set()


def test_homophones_are_dropped_when_the_characters_as_typed_occur():
    docs = {0: doc("a", "新余电池", words=["新余", "电池"])}
    parsed = tighten_homophones(q("新余"), TABLE, docs.__getitem__)
    assert [a.budget for a in parsed.tokens[0].whole] == [0]
    nowhere = Postings({(Fields.HAN, "夏"): set(), (Fields.HAN, "门"): {0}})
    kept = tighten_homophones(q("夏门"), nowhere, docs.__getitem__)
    assert kept.tokens[0].whole[0].budget == 1


VALUES = {"fields": {
    "province": [{"value": "江苏", "count": 2, "names": ["江苏", "jiangsu", "江苏省", "jiangsusheng"]},
                 {"value": "浙江", "count": 1, "names": ["浙江", "zhejiang"]}],
    "type": [{"value": "培育", "count": 2, "names": ["培育", "peiyu", "cultivation"], "aliases": ["cultivation"]}],
    "program": [{"value": "创新型产业集群", "count": 2, "names": ["创新型产业集群"]},
                {"value": "中小企业特色产业集群", "count": 1, "names": ["中小企业特色产业集群"]}],
}}


def test_filters_read_as_people_write_them():
    table = ValueTable(VALUES, simplify=lambda ch: {"蘇": "苏"}.get(ch, ch))
    resolved = table.resolve_filters({"province": ["江苏省", "江蘇", "Zhejiang"], "type": "（Cultivation）".strip("（）"),
                                      "program": "中小企业"})
    assert resolved == {"province": ("江苏", "浙江"), "program": ("中小企业特色产业集群",), "type": ("培育",)}


def test_filter_documents_and_facets_are_set_algebra_over_postings():
    postings = Postings({(Fields.PROVINCE, "江苏"): {1, 2}, (Fields.PROVINCE, "浙江"): {3},
                         (Fields.TYPE, "培育"): {2, 3}})
    assert filter_docs({"province": ["江苏", "浙江"], "type": ["培育"]}, postings.postings) == {2, 3}
    assert filter_docs({"province": ["江苏"], "type": ["培育"]}, postings.postings) == {2}
    assert facet_counts({1, 2, 3, 4}, {"province": ["江苏", "浙江"], "type": ["培育"]}, postings.postings,
                        ["province", "type"]) == {"province": {"江苏": 2, "浙江": 1, "(none)": 1},
                                                  "type": {"培育": 2, "(none)": 2}}


def test_the_facet_table_counts_as_facet_counts_does():
    # 常州 lies in 江苏 in every document; 泰州 once without its province (a data slip):
    # a city is skipped only when its province counts no hit and it never lacks it.
    p = {(Fields.PROVINCE, "江苏"): {1, 2, 3}, (Fields.PROVINCE, "浙江"): {4},
         (Fields.CITY, "常州"): {1, 2}, (Fields.CITY, "泰州"): {3, 5}, (Fields.CITY, "温州"): {4},
         (Fields.TYPE, "培育"): {2, 4}, (Fields.LISTS, "a"): {1, 4}, (Fields.LISTS, "b"): {1}}
    postings = Postings(p)
    values = {"province": ["江苏", "浙江"], "city": ["常州", "泰州", "温州"], "type": ["培育"], "list": ["a", "b"]}
    parents = {"常州": "江苏", "泰州": "江苏", "温州": "浙江"}
    fields = ["province", "city", "type", "list"]
    table = FacetTable(values, lambda f, v: Bits.of(postings.postings(f, v)).v,
                       lambda f, v: parents.get(v) if f == "city" else None, fields)
    one_by_one = FacetTable(values, lambda f, v: Bits.of(postings.postings(f, v)).v,
                            lambda f, v: parents.get(v) if f == "city" else None, fields)
    one_by_one.BLOCK = 1
    for hits in ({1, 2, 3, 4, 5}, {5}, {4, 5}, {1}, set(), {9}):
        expected = facet_counts(hits, values, postings.postings, fields)
        for t, given in ((table, hits), (table, Bits.of(hits)), (one_by_one, hits)):
            got = t.counts(given)
            assert got == expected
            assert [list(c.items()) for c in got.values()] == [list(c.items()) for c in expected.values()]
    assert table.counts({5}) == {"province": {"(none)": 1}, "city": {"泰州": 1}, "type": {"(none)": 1},
                                 "list": {}}
    # without the province field first, no city is skipped
    assert (FacetTable(values, lambda f, v: Bits.of(postings.postings(f, v)).v, lambda f, v: parents.get(v),
                       ["city"]).counts({1, 4}) == {"city": {"常州": 1, "温州": 1}})
