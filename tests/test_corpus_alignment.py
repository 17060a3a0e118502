"""Linking re-listings to the clean 2021 list: the OCR notice and the older edition."""

import pytest

from index.corpus.link import classify, pair_names
from index.corpus.entries import Entry
from index.records import Source


def record(corpus, name):
    (r,) = [r for r in corpus.records if r.name == name and r.program == "创新型产业集群"]
    return r


def ocr(r):
    (source,) = [s for s in r.sources if s.role == "ocr"]
    return source


def test_every_2021_record_has_exactly_one_ocr_source(corpus):
    national = [r for r in corpus.records if "most-2021-appendix3" in r.lists]
    assert len(national) == 109
    assert all(len([s for s in r.sources if s.role == "ocr"]) == 1 for r in national)
    lines = [ocr(r).line for r in national]
    assert lines == sorted(lines)  # the OCR keeps the list's order


@pytest.mark.parametrize("name, line, ocr_text", [
    ("邯郸现代装备制造创新型产业集群", 194, "即郭现代装备制造创新型产业集群 邮单F市科学技术局 试点"),
    ("邯郸新型功能材料产业集群", 195, "即郭新型功能材料产业集群 嘟嘟经开区 (培育〉"),
    ("潍坊半导体发光创新型产业集群", 264, "海坊半导体发光创新型产业集群 海坊高新区管委会 试点"),
    ("十堰商用车及部件创新型产业集群", 285, "十堪商用车及部件创新型产业集群 十堪高新区管委会 试点"),
    ("菏泽生物医药大健康创新型产业集群", 271, "萍泽生物医药大健康创新型产业集群 荷泽高新区管委会 试点"),
    ("西宁经开区锂电产业集群", 365, "西宁经开区钮电产业集群 西宁经开区管委会 〈培育〉"),
    ("宝鸡高新区钛产业集群", 353, "陕西 宝鸡高新区铁产业集群 宝鸡高新区管委会 (培育)"),
    ("上海漕河泾知识性服务业产业集群", 220, "上海清河泾知识性服务业产业集群 清河泾新兴技术开发区 〈培育〉"),
    ("中山小榄半导体智能照明产业集群", 322, "中山小揽半导体智能照明产业集群 中山市小揽镇人民政府 (培育)"),
    ("惠州云计算智能终端创新型产业集群", 312, "惠州云计算智能终端创新型产业集群 惠州仲皑高新区管委会 试点"),
    ("杭州数字安防创新型产业集群", 242, "杭州l数字安防创新型产业集群 杭州高新区管委会 试点"),
    ("德阳通用航空创新型产业集群", 341, "德阳通用航空创新型产业集群 德、阳高新区管委会 试点"),
])
def test_ocr_misreadings_are_aligned(corpus, name, line, ocr_text):
    source = ocr(record(corpus, name))
    assert (source.line, source.text) == (line, ocr_text)


@pytest.mark.parametrize("name, text", [
    ("武汉东湖高新区国家地球空间信息及应用服务创新型产业集群",
     "武汉东湖高新区国家地球空间信息及应用 | 武汉东湖高新区管委会 试点服务创新型产业集群"),
    ("青藏高原特色生物资源与中藏药创新型产业集群", "青藏高原特色生物资源与中藏药创新型产业集 | 青海高新区管委会 试点 | 群"),
    ("璧山新能源汽车关键零部件绿色智能制造创新型产业集群",
     "重庆 璧山新能源汽车关键零部件绿色智能制造 | 璧山高新区管委会 试点 | 创新型产业集群"),
    ("株洲轨道交通装备制造创新型产业集群",
     "湖南 株洲轨道交通装备制造创新型产业集群 | 株洲轨道交通装备制造 | 试点 | 产业集群运行管理办公室"),
    ("常州轨道交通牵引动力与关键核心部件产业集群",
     "江苏 常州轨道交通牵引动力与关键核心部件产业集 常州经开区管委会 (培育) | 罪羊"),
])
def test_split_ocr_rows_are_aligned_whole(corpus, name, text):
    assert ocr(record(corpus, name)).text == text


def test_split_rows_do_not_leak_into_their_neighbours(corpus):
    assert ocr(record(corpus, "成都数字新媒体创新型产业集群")).text == "成都数字新媒体创新型产业集群 成都高新区管委会 试点"
    assert ocr(record(corpus, "西宁经开区锂电产业集群")).line == 365
    assert ocr(record(corpus, "武进机器人及智能装备创新型产业集群")).line == 234


def test_ocr_misreadings_are_readings_not_aliases(corpus):
    handan = record(corpus, "邯郸现代装备制造创新型产业集群")
    assert handan.ocr_readings == ["即郭现代装备制造创新型产业集群"]
    assert handan.aliases == []
    wuhan = record(corpus, "武汉东湖高新区国家地球空间信息及应用服务创新型产业集群")
    assert wuhan.ocr_readings == []  # the OCR read the name right, once its halves are rejoined
    assert record(corpus, "西宁经开区锂电产业集群").ocr_readings == ["西宁经开区钮电产业集群"]


@pytest.mark.parametrize("name, older, role", [
    ("厦门海洋与生命科学产业集群", "夏门海洋与生命科学产业集群", "typo"),
    ("闽东中小电机产业集群", "闻东中小电机产业集群", "typo"),
    ("无锡高新区智能传感系统创新型产业集群", "无锡高新区智能传感系統创新型产业集群", "typo"),
    ("南昌高新区中成药产业集群", "昌高新技术产业开发区生物医药产业集群", "typo"),
    ("广州个体化医疗与生物医药产业集群", "广州个体医疗与生物医药产业集群", "typo"),
    ("上海漕河泾知识性服务业产业集群", "上海漕河泾知识型服务业产业集群", "typo"),
    ("中关村移动互联网产业集群", "北京中关村移动互联网创新型产业集群", "alias"),
    ("包头稀土新材料产业集群", "包头稀土高新技术产业开发区稀土新材料产业集群", "alias"),
    ("大庆高新区石油化工新材料产业集群", "大庆高新区高端石化产业集群", "alias"),
    ("齐齐哈尔重型石油化工新材料产业集群", "齐齐哈尔重型数控机床产业集群", "alias"),
    ("遂宁经开区电子电路产业集群", "遂宁电子电路产业集群", "alias"),
    ("常州光伏创新型产业集群", "常州光伏创新型产业集群", "entry"),
])
def test_older_edition_is_linked(corpus, name, older, role):
    r = record(corpus, name)
    (source,) = [s for s in r.sources if s.list == "most-national-older"]
    assert source.text.endswith(older)
    assert source.role == role
    assert (older in r.aliases) == (role == "alias")
    assert (older in r.ocr_readings) == (role == "typo")


def test_aliases_are_only_earlier_names(corpus):
    aliases = sorted(a for r in corpus.records for a in r.aliases)
    assert aliases == sorted([
        "北京中关村移动互联网创新型产业集群", "包头稀土高新技术产业开发区稀土新材料产业集群",
        "大庆高新区高端石化产业集群", "齐齐哈尔重型数控机床产业集群", "遂宁电子电路产业集群",
    ])


def _entry(name, kind=None):
    return Entry(name=name, source=Source("t.txt", "t", 1, name), type=kind)


def test_pairing_is_one_to_one_and_leaves_strangers_alone():
    clean = [_entry("常州光伏创新型产业集群"), _entry("兰州高新技术产业开发区节能环保产业集群"), _entry("南昌高新区中成药产业集群")]
    older = [_entry("昌高新技术产业开发区生物医药产业集群"), _entry("兰州高新技术产业开发区节能环保产业集群"),
             _entry("拉萨牦牛乳业产业集群")]
    assert pair_names(older, clean) == [2, 1, None]


def test_classify():
    assert classify("夏门海洋与生命科学产业集群", "厦门海洋与生命科学产业集群") == "typo"
    assert classify("北京中关村移动互联网创新型产业集群", "中关村移动互联网产业集群") == "alias"
    assert classify("常州光伏创新型产业集群", "常州光伏创新型产业集群") == "entry"
