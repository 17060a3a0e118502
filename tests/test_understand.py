"""Understanding pasted and typed queries (search.understand): noise out, filters in, notes kept.

Pure: no index. Each case is what a user pastes and exactly what is searched, filtered and noted.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.text import normalize
from search.understand import Note, frame_rest, understand

TITLES = {"创新型产业集群": ("program", "创新型产业集群"),
          "湖北省重点产业集群": ("program", "湖北省重点产业集群"),
          "中小企业特色产业集群": ("program", "中小企业特色产业集群"),
          "科技部": ("program", "创新型产业集群")}


def u(text: str):
    return understand(text, vocab={"袜业", "打火机", "伞", "眼镜"}, nicknames={"袜业之乡": 1},
                      titles=lambda: TITLES, years=lambda: {"2021", "2023"})


@pytest.mark.parametrize("raw, text, note", [
    ("3、常州光伏创新型产业集群", "常州光伏创新型产业集群", Note("3、", "numbering")),
    ("（五）义乌袜业产业集群", "义乌袜业产业集群", Note("(五)", "numbering")),
    ("(二十一)温州激光与光电产业集群", "温州激光与光电产业集群", Note("(二十一)", "numbering")),
    ("第12项 嵊州领带产业集群", "嵊州领带产业集群", Note("第12项", "numbering")),
    ("12 泰州生物医药产业集群", "泰州生物医药产业集群", Note("12", "numbering")),
    ("序号8 滨州高端铝材产业集群", "滨州高端铝材产业集群", Note("序号8", "numbering")),
    ("2.永康五金", "永康五金", Note("2.", "numbering")),
    ("• 潍坊半导体发光产业集群", "潍坊半导体发光产业集群", Note("•", "bullet")),
    ("七台河石墨烯……", "七台河石墨烯", Note("......", "bullet")),  # … is ... once NFKC-folded
    ("“大唐袜业”", "大唐袜业", Note("“", "bullet")),
])
def test_numbering_bullets_and_ellipses_are_dropped(raw, text, note):
    got = u(raw)
    assert got.text == text
    assert got.filters == {}
    assert note in got.notes


def test_full_width_latin_is_folded_like_half_width():
    assert u("ＭＥＭＳ传感器").text == "MEMS传感器"
    assert u("松江Ｇ６０科创走廊").text == "松江G60科创走廊"


@pytest.mark.parametrize("raw, text, filters", [
    ("2021年新余动力电池创新型产业集群", "新余动力电池创新型产业集群", {"year": ("2021",)}),
    ("西宁经开区锂电产业集群（培育）", "西宁经开区锂电产业集群", {"type": ("培育",)}),
    ("【试点】青岛机器人", "青岛机器人", {"type": ("试点",)}),
    ("试点类 昆山小核酸", "昆山小核酸", {"type": ("试点",)}),
    ("生物医药 培育", "生物医药", {"type": ("培育",)}),
    ("创新型产业集群名单：宝鸡高新区钛产业集群", "宝鸡高新区钛产业集群", {"program": ("创新型产业集群",)}),
    ("２０２３年度中小企业特色产业集群 浙江省新昌县滚动轴承产业集群", "浙江省新昌县滚动轴承产业集群",
     {"year": ("2023",), "program": ("中小企业特色产业集群",)}),
    ("附件3 创新型产业集群名单 株洲轨道交通装备制造", "株洲轨道交通装备制造", {"program": ("创新型产业集群",)}),
    ("科技部 锂电", "锂电", {"program": ("创新型产业集群",)}),
    ("七台河石墨烯产业集群（2021年，培育）", "七台河石墨烯产业集群", {"year": ("2021",), "type": ("培育",)}),
    ("湖北省重点产业集群：襄阳汽车", "襄阳汽车", {"program": ("湖北省重点产业集群",)}),
    ("宜昌数控机电装备产业集群（湖北省重点产业集群）", "宜昌数控机电装备产业集群", {"program": ("湖北省重点产业集群",)}),
])
def test_years_types_and_titles_become_filters(raw, text, filters):
    got = u(raw)
    assert (got.text, got.filters) == (text, filters)


def test_a_pasted_table_row_is_cells_and_its_type_cell_a_filter():
    got = u("浙江\t杭州数字安防产业集群\t杭州高新区管委会\t试点")
    assert got.text == "浙江 杭州数字安防产业集群 杭州高新区管委会"
    assert got.filters == {"type": ("试点",)}
    got = u("福建 | 厦门海洋与生命科学产业集群 | 厦门高新区管委会 | （培育）")
    assert got.text == "福建 厦门海洋与生命科学产业集群 厦门高新区管委会"
    assert got.filters == {"type": ("培育",)}


def test_a_year_alone_is_only_a_filter():
    assert u("2021年") == ("", {"year": ("2021",)}, (Note("2021年", "year", "2021"),))


def test_a_year_the_index_lacks_is_noted_not_a_filter():
    got = u("2019年 锂电")
    assert (got.text, got.filters) == ("锂电", {})
    assert Note("2019年", "year", "") in got.notes


@pytest.mark.parametrize("raw", ["12", "试点", "创新型产业集群", "锂电", "name:锂电", "G60"])
def test_what_is_all_noise_or_plain_is_searched_as_typed(raw):
    got = u(raw)
    assert got.text == raw and got.filters == {} and got.notes == ()


def test_frames_around_an_industry_are_stripped():
    assert u("中国打火机之都").text == "打火机"
    assert u("中国伞城").text == "伞"
    assert u("中国眼镜之乡").text == "眼镜"
    assert u("中国袜业之乡").text == "袜业之乡"  # the nickname: the query layer reads it
    assert frame_rest("宜城", {"宜"}) is None  # a place, not 宜 + 城
    assert frame_rest("成都", {"成"}) is None


def test_the_notes_serialise_for_the_json():
    assert u("3、锂电（培育）").to_dict() == {
        "text": "锂电", "filters": {"type": ["培育"]},
        "notes": [{"text": "3、", "as": "numbering", "value": ""},
                  {"text": "(培育)", "as": "type", "value": "培育"}]}


_PASTED = st.text(alphabet=list("锂电光伏常州（）()【】[]|\t:：、.…·•“”12345 2021年试点培育名单创新型产业集群abcXYZ-—*"),
                  max_size=40)


@settings(max_examples=300, deadline=None, database=None)
@given(raw=_PASTED)
def test_understanding_never_fails_and_only_finds_known_filters(raw):
    got = u(raw)
    assert set(got.filters) <= {"type", "year", "program", "list"}
    assert all(v in ("试点", "培育") for v in got.filters.get("type", ()))
    assert all(v in ("2021", "2023") for v in got.filters.get("year", ()))
    # cells are split, unless the text is nothing but noise (then it is searched as typed)
    assert "|" not in got.text or (got.text == normalize(raw) and not got.filters)
