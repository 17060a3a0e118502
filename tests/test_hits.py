"""Hit values (search/hits.py): highlights, explain and the JSON-able form."""

import json

from handmade import doc, lexicon
from index.format import Channel
from search.hits import HIT_KEYS, make_hit
from search.query import parse_query
from search.rank import evaluate

XINYU = doc("x-1", "新余动力电池", words=["新余", "动力", "电池"], place="江西 新余")


def hit_for(query, d=XINYU, rule="terms"):
    ranking, matches, _ = evaluate(parse_query(query, lexicon()), d)
    return make_hit(d, ranking, matches, rule)


def test_highlights_name_the_channel_of_each_character():
    h = hit_for("xinyu")
    (name,) = h.highlights
    assert (name.field, name.text) == ("name", "新余动力电池")
    assert [(s.start, s.end, s.channel) for s in name.spans] == [(0, 1, "pinyin"), (1, 2, "pinyin")]
    assert name.spans[0].channel is Channel.PINYIN


def test_a_synonym_match_is_highlighted_as_synonym():
    d = doc("l-1", "西宁锂电集群", words=["西宁", "锂电", "集群"])
    h = hit_for("锂电池", d)
    assert {s.channel for hl in h.highlights for s in hl.spans} == {Channel.SYNONYM}


def test_explain_is_a_typed_record_with_a_dict_form():
    e = hit_for("新余 电池", rule="proximity").explain
    assert e.placed_by == "proximity" and e.rules.terms == 2
    assert [(m.field, m.text, m.reading) for m in e.matches] == [("name", "新余", "新余"), ("name", "电池", "电池")]
    as_dict = e.to_dict()
    assert as_dict["matches"][0] == {"field": "name", "text": "新余", "as": "新余",
                                     "channels": ["exact", "exact"], "typos": 0, "synonym": False}
    assert e["placed_by"] == "proximity"  # the earlier plain-dict reading still works
    json.dumps(as_dict)


def test_to_dict_has_exactly_the_documented_keys():
    h = hit_for("新余")
    assert tuple(h.to_dict()) == (*HIT_KEYS, "highlights")
    assert tuple(h.to_dict(highlights=False)) == HIT_KEYS
    assert h.to_dict()["lists"] == ["test"] and h.id == "x-1"
    json.dumps(h.to_dict(), ensure_ascii=False)


def test_make_hit_sets_every_field_as_the_dataclass_would():
    from dataclasses import fields

    from search.hits import Explain, ExplainMatch, Hit

    h = hit_for("新余 电池", rule="proximity")
    for obj, cls in ((h, Hit), (h.explain, Explain), (h.explain.matches[0], ExplainMatch)):
        assert set(vars(obj)) == {f.name for f in fields(cls)}
    assert h == Hit(**{f.name: getattr(h, f.name) for f in fields(Hit)})
    assert h.aliases is not XINYU.aliases and isinstance(h.aliases, list)


def test_explain_is_made_when_first_read_and_then_kept():
    h = hit_for("新余 电池", rule="proximity")
    assert "explain" not in vars(h)  # a page of the API asks for it only with explain=true
    e = h.explain
    assert e is h.explain and e.placed_by == "proximity" and len(e.matches) == 2
    assert "_why" not in vars(h)
    assert hit_for("新余", rule="browse").explain.placed_by == "browse"
    assert make_hit(XINYU, None, [], "browse").explain is None


def test_list_titles_follow_the_title_function_given():
    assert make_hit(XINYU, None, [], "browse").list_titles == ["test"]
    titled = make_hit(XINYU, None, [], "browse", title=lambda key: f"《{key}》")
    assert titled.list_titles == ["《test》"]
    again = make_hit(XINYU, None, [], "browse", title=lambda key: key.upper())
    assert again.list_titles == ["TEST"] and titled.list_titles == ["《test》"]
    assert again.list_titles is not make_hit(XINYU, None, [], "browse", title=str.upper).list_titles
