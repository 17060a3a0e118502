"""Province, city and district: read from names and region cells against index/data/regions.tsv."""

import pytest

from index.corpus.places import load_regions, parse_place, read_regions


@pytest.fixture(scope="module")
def regions():
    return load_regions()


def place(corpus, name, program):
    (r,) = [r for r in corpus.records if r.name == name and r.program == program]
    return r.province, r.city, r.district


@pytest.mark.parametrize("text, expected", [
    ("广西壮族自治区桂林市七星区电网输配电控制设备产业集群", ("广西", "桂林市", "七星区")),
    ("内蒙古自治区乌海市乌达区精细化工产业集群", ("内蒙古", "乌海市", "乌达区")),
    ("宁波慈溪市智能小家电产业集群", ("浙江", "宁波市", "慈溪市")),
    ("宁波市宁海县注塑模具产业集群", ("浙江", "宁波市", "宁海县")),
    ("青岛市胶州市电力钢结构产业集群", ("山东", "青岛市", "胶州市")),
    ("深圳市龙华区新型显示器件产业集群", ("广东", "深圳市", "龙华区")),
    ("厦门市思明区智慧城市智能系统产业集群", ("福建", "厦门市", "思明区")),
    # a municipality is its own city
    ("北京市丰台区轨道交通智能控制产业集群", ("北京", "北京市", "丰台区")),
    ("北京市房山区安全防护装备产业集群", ("北京", "北京市", "房山区")),
    ("天津市滨海新区生物医药外包服务产业集群", ("天津", "天津市", "滨海新区")),
    ("重庆市忠县锂电新材料产业集群", ("重庆", "重庆市", "忠县")),
    ("重庆市江津区丘陵山区农机装备产业集群", ("重庆", "重庆市", "江津区")),
    # a county written without its prefecture: the prefecture comes from index/data/divisions.tsv
    ("河北省高阳县毛巾纺织产业集群", ("河北", "保定市", "高阳县")),
    ("河北省景县橡塑管产业集群", ("河北", "衡水市", "景县")),
    ("浙江省永康市丘陵山区小型农机装备产业集群", ("浙江", "金华市", "永康市")),
    ("四川省攀枝花市东区钒钛产业集群", ("四川", "攀枝花市", "东区")),
    ("贵州省六盘水市水城区铝制家居产业集群", ("贵州", "六盘水市", "水城区")),
    ("江西省南城县校具(教育装备)产业集群", ("江西", "抚州市", "南城县")),
    # renamed after the cpca table's date (make_divisions.py RENAMED): 玉环县 → 玉环市 in 2017
    ("浙江省玉环市数控金属切削机床产业集群", ("浙江", "台州市", "玉环市")),
    ("湖南省邵东市打火机产业集群", ("湖南", "邵阳市", "邵东市")),
])
def test_miit_places(corpus, text, expected):
    assert place(corpus, text, "中小企业特色产业集群") == expected


def test_every_miit_record_has_a_province(corpus):
    miit = [r for r in corpus.records if r.program == "中小企业特色产业集群"]
    assert len(miit) == 100 and all(r.province for r in miit)
    assert sum(1 for r in miit if r.district) == 100


@pytest.mark.parametrize("name, expected", [
    ("常州光伏创新型产业集群", ("江苏", "常州市", None)),
    ("江宁智能电网创新型产业集群", ("江苏", "南京市", "江宁区")),  # from the builder 南京市江宁区科学技术局
    ("辽宁激光创新型产业集群", ("辽宁", "鞍山市", None)),  # from the builder 鞍山高新区管委会
    ("中关村移动互联网产业集群", ("北京", "北京市", None)),
    ("张江生物医药产业集群", ("上海", "上海市", "浦东新区")),
    ("海西盐湖化工特色循环经济创新型产业集群", ("青海", "海西蒙古族藏族自治州", None)),
    ("荆门城市矿产资源循环利用创新型产业集群", ("湖北", "荆门市", None)),
    ("中山翠亨新区精密智能装备产业集群", ("广东", "中山市", None)),
    ("吉林高新区电子信息创新型产业集群", ("吉林", "吉林市", None)),
    ("宁波高新区工业互联网创新型产业集群", ("浙江", "宁波市", None)),
    ("天津市细胞产业创新型产业集群", ("天津", "天津市", "滨海新区")),
    # a county or district written alone: its prefecture from the divisions table
    ("宜兴水环境产业集群", ("江苏", "无锡市", "宜兴市")),
    ("武进机器人及智能装备创新型产业集群", ("江苏", "常州市", "武进区")),
    ("莱芜高新区智能制造装备创新型产业集群", ("山东", "济南市", "莱芜区")),  # 莱芜市 until 2019
    ("榆次液压产业集群", ("山西", "晋中市", "榆次区")),  # from the builder 山西榆次工业园区管委会
    ("北辰高端装备制造产业集群", ("天津", "天津市", "北辰区")),
    # unclear: no division is written, so none is guessed
    ("青藏高原特色生物资源与中藏药创新型产业集群", ("青海", None, None)),
    ("燕郊高新区新型电子元器件及设备制造创新型产业集群", ("河北", None, None)),  # 燕郊 is a town
])
def test_national_places(corpus, name, expected):
    assert place(corpus, name, "创新型产业集群") == expected


@pytest.mark.parametrize("name, expected", [
    ("台州黄岩塑料模具集群", ("浙江", "台州市", "黄岩区")),
    ("马鞍化纤产业集群", ("浙江", "绍兴市", None)),  # region written with a full-width comma; 马鞍 is a town
    ("桐乡市屠甸植绒纺织产业集群", ("浙江", "嘉兴市", "桐乡市")),  # region cell holds only 浙江
    ("义乌袜业产业集群", ("浙江", "金华市", "义乌市")),
    ("玉环阀门产业群", ("浙江", "台州市", "玉环市")),
    ("长兴县纺织产业集群", ("浙江", "湖州市", "长兴县")),
])
def test_zhejiang_places(corpus, name, expected):
    assert place(corpus, name, "浙江省产业集群") == expected


@pytest.mark.parametrize("name, expected", [
    ("武汉市江夏区高端装备制造产业集群", ("湖北", "武汉市", "江夏区")),
    ("大冶市饮料食品产业集群", ("湖北", "黄石市", "大冶市")),
    ("荆州市沙市区针纺织服装产业集群", ("湖北", "荆州市", "沙市区")),
    ("荆州开发区白色家电产业集群", ("湖北", "荆州市", None)),
    ("黄冈大别山区食品饮料产业集群", ("湖北", "黄冈市", None)),
    ("孝感市(高新区、汉川)纺织服装产业集群", ("湖北", "孝感市", None)),
    ("随县香菇产业集群", ("湖北", "随州市", "随县")),
    ("恩施州富硒茶产业集群", ("湖北", "恩施土家族苗族自治州", None)),
    ("仙桃市无纺布产业集群", ("湖北", "仙桃市", None)),
    ("神农架生态产业集群", ("湖北", "神农架林区", None)),
])
def test_hubei_places(corpus, name, expected):
    assert place(corpus, name, "湖北省重点产业集群") == expected


def test_hubei_cities_come_from_headings(corpus):
    hubei = [r for r in corpus.records if r.program == "湖北省重点产业集群"]
    assert len({r.city for r in hubei}) == 17 and all(r.city for r in hubei)


def test_region_table_is_data(regions):
    assert len(regions.provinces) == 34
    assert regions.province("广西壮族自治区").short == "广西"
    assert regions.city("恩施州")[1].full == "恩施土家族苗族自治州"
    assert regions.city("宁波")[0].short == "浙江"


def test_region_table_reader():
    table = read_regions(["# comment\n", "江苏\t江苏省\t常州市,南京市\n", "北京\t北京市\t北京市\n"])
    assert parse_place("常州光伏", table, "江苏").city == "常州市"
    assert parse_place("北京市丰台区x", table).district == "丰台区"
