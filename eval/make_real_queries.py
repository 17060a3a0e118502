#!/usr/bin/env python
"""Generate eval/real_queries.jsonl: queries typed the way people really type them (issue 7).

    clsearch export > /tmp/records.jsonl
    python eval/make_real_queries.py --corpus /tmp/records.jsonl [--out eval/real_queries.jsonl]

Nine categories (filler, noise, place_any_level, nickname, shorthand, english, lookalike,
pinyin_typed, short_pinyin) of at least 20 queries each, plus no_match. Every judgement is
computed from the records (`clsearch export`) and index/data/divisions.tsv, never from the
engine's output: the query text comes from the curated lists below, and its relevant records are
found by scanning the corpus for the *meaning* written next to it (a Chinese industry word, a
place, a record's full name). See eval/README.md ("Real queries") for the review notes.

A relevant record is named by its full name (unique in the corpus) when the judgement is about
places or filters the harness cannot test by itself (a county's prefecture, a type); otherwise by
the substrings it must contain. Deterministic: no randomness, sorted scans.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def norm(s: str | None) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", s or "").replace(" ", "")


class Corpus:
    def __init__(self, records: list[dict]):
        self.records = sorted(records, key=lambda r: r["id"])
        self.divisions = _divisions()

    def texts(self, r: dict) -> list[str]:
        return [norm(r["name"])] + [norm(a) for a in r.get("aliases") or []]

    def having(self, *words: str, province: str | None = None) -> list[dict]:
        """Records whose name or an alias holds every word (the harness's own test)."""
        return [r for r in self.records
                if any(all(w in t for w in words) for t in self.texts(r))
                and (province is None or province in (r["province"] or ""))]

    def unique(self, key: str) -> list[dict]:
        """The one record whose name holds `key` (a curated list names a record this way)."""
        found = [r for r in self.records if norm(key) in norm(r["name"])]
        if len(found) != 1:
            raise SystemExit(f"make_real_queries: {key!r} names {len(found)} records, not one")
        return found

    def prefecture_of(self, r: dict) -> str | None:
        """The prefecture a record is in: its city field, else its district's or its name's county."""
        if r.get("city"):
            return r["city"]
        for field in (r.get("district"), r["name"], r.get("builder") or ""):
            for name, (level, prov, pref) in self.divisions.items():
                if level == "county" and pref and field and _short(name) in field and prov == r["province"]:
                    return pref
        return None

    def in_place(self, r: dict, place: str) -> bool:
        """Is the record in `place` (a prefecture or county, full or short form)?"""
        short = _short(place)
        if self.prefecture_of(r) and _short(self.prefecture_of(r)) == short:
            return True
        return any(short and short in (f or "") for f in (r.get("district"), r["name"], r.get("builder")))


def _short(name: str) -> str:
    for suffix in ("土家族苗族自治州", "蒙古族藏族自治州", "自治州", "自治县", "林区", "地区", "新区", "市", "县", "区", "盟"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _divisions() -> dict[str, tuple[str, str, str]]:
    out = {}
    for line in (ROOT / "index" / "data" / "divisions.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, level, name, prov, pref, _earlier = line.split("\t")
        out.setdefault(name, (level, prov, pref))
    return out


# --------------------------------------------------------------------------------------------
# Curated inputs. Each query is written as a user would type it; the judgement beside it is a
# meaning (industry word, place, record), resolved against the corpus by the code below.

FILLER_TEMPLATES = ["做{}的地方在哪", "哪些城市生产{}", "有没有{}相关的园区", "{}基地", "我们市的{}",
                    "{}产业园在哪里", "想找一个{}集群", "{}企业多的地方", "国内{}产业哪里强",
                    "请帮我查一下{}", "全国{}产业分布"]
FILLER_WORDS = ["锂电", "陶瓷", "袜业", "机器人", "医疗器械", "打火机", "轴承", "石墨烯", "光伏", "珍珠",
                "模具", "化纤", "羽绒", "眼镜", "拉链", "香菇", "磷化工", "电梯", "无人机", "化妆品",
                "领带", "阀门"]

# (query, a distinctive part of the one record it copies)
NOISE = [
    ("3、常州光伏创新型产业集群", "常州光伏"),
    ("（五）义乌袜业产业集群", "义乌袜业"),
    ("第12项 嵊州领带产业集群", "嵊州领带"),
    ("12 泰州生物医药产业集群", "泰州生物医药"),
    ("2021年新余动力电池创新型产业集群", "新余动力电池"),
    ("西宁经开区锂电产业集群（培育）", "西宁经开区锂电"),
    ("【试点】青岛机器人", "青岛机器人"),
    ("试点类 昆山小核酸", "昆山小核酸"),
    ("创新型产业集群名单：宝鸡高新区钛产业集群", "宝鸡高新区钛"),
    ("浙江\t杭州数字安防产业集群\t杭州高新区管委会\t试点", "杭州数字安防"),
    ("福建 | 厦门海洋与生命科学产业集群 | 厦门高新区管委会 | （培育）", "厦门海洋与生命科学"),
    ("七台河石墨烯……", "七台河石墨烯"),
    ("• 潍坊半导体发光产业集群", "潍坊半导体发光"),
    ("● 诸暨山下湖珍珠", "诸暨山下湖珍珠"),
    ("松江Ｇ６０科创走廊", "松江G60科创走廊数字经济"),
    ("２０２３年度中小企业特色产业集群 浙江省新昌县滚动轴承产业集群", "浙江省新昌县滚动轴承"),
    ("附件3 创新型产业集群名单 株洲轨道交通装备制造", "株洲轨道交通装备制造"),
    ("(二十一)温州激光与光电产业集群", "温州激光与光电"),
    ("序号8 滨州高端铝材产业集群 滨州高新区管委会", "滨州高端铝材"),
    ("2.永康五金", "永康五金"),
    ("·玉环阀门产业集群·", "玉环阀门"),
    ("“大唐袜业”", "大唐袜业"),
]
# Keyword + a filter written into the query: (query, keyword, type) → that type grade 2, others 1.
NOISE_FILTERS = [
    ("机器人（试点）", "机器人", "试点"),
    ("生物医药 培育", "生物医药", "培育"),
    ("试点类 新能源汽车", "新能源汽车", "试点"),
]

# place_any_level: (query, place, industry word) → records in that place with the word in the name.
PLACE_QUERIES = [
    ("金华 袜业", "金华市", "袜业"), ("金华 小商品", "金华市", "小商品"), ("绍兴 领带", "绍兴市", "领带"),
    ("绍兴 珍珠", "绍兴市", "珍珠"), ("台州 眼镜", "台州市", "眼镜"), ("温州 阀门", "温州市", "泵阀"),
    ("嘉兴 羊毛衫", "嘉兴市", "羊毛衫"), ("湖州 童装", "湖州市", "童装"), ("丽水 香菇", "丽水市", "香菇"),
    ("衢州 羽毛球", "衢州市", "羽毛球"), ("杭州 化纤", "杭州市", "化纤"), ("宁波 小家电", "宁波市", "小家电"),
    ("保定毛巾", "保定市", "毛巾"), ("衡水 橡塑管", "衡水市", "橡塑管"), ("沧州铸造", "沧州市", "铸造"),
    ("景德镇 陶瓷", "景德镇市", "陶瓷"), ("泉州 白瓷", "泉州市", "白瓷"), ("荆州 酒业", "荆州市", "酒业"),
    ("宜昌 酒业", "宜昌市", "酒业"), ("孝感 食品", "孝感市", "食品"), ("慈溪 小家电", "慈溪市", "小家电"),
    ("顺德 机器人", "顺德区", "机器人"), ("运城 混凝土外加剂", "运城市", "混凝土外加剂"),
    ("济宁 矿山装备", "济宁市", "矿山装备"), ("九江 有机硅", "九江市", "有机硅"),
]
# Province written in pinyin: (query, province, industry word).
PROVINCE_PINYIN = [
    ("zhejiang fangzhi", "浙江", "纺织"), ("hubei shipin", "湖北", "食品"), ("jiangsu 机器人", "江苏", "机器人"),
    ("shandong 生物医药", "山东", "生物医药"), ("guangdong 五金", "广东", "五金"),
]

# nickname: (query, meaning) where meaning is ("word", w) → names with w, or ("name", full name).
NICKNAMES = [
    ("中国光谷", ("name", "武汉东湖高新区")),
    ("中国电谷", ("name", "保定新能源")),
    ("中国钛谷", ("word", "宝鸡高新区钛")),
    ("中国医药城", ("name", "泰州生物医药")),
    ("中国药都 本溪", ("word", "本溪制药")),
    ("亚洲锂都", ("word", "新余动力电池")),
    ("中国袜业之乡", ("word", "袜业")),
    ("中国领带之乡", ("word", "嵊州领带")),
    ("中国珍珠之都", ("word", "珍珠")),
    ("中国锁都", ("word", "瓯海锁都")),
    ("中国童装之都", ("word", "织里童装")),
    ("中国皮革之都", ("word", "海宁皮革")),
    ("中国五金之都", ("word", "永康五金")),
    ("中国小商品城", ("word", "义乌小商品")),
    ("中国竹乡 竹地板", ("word", "安吉竹地板")),
    ("中国竹炭之乡", ("word", "遂昌竹炭")),
    ("中国蜜蜂之乡", ("word", "江山蜜蜂")),
    ("世界陶瓷之都 德化", ("word", "德化县白瓷")),
    ("中国打火机之都", ("word", "打火机")),
    ("中国羊毛衫之乡", ("word", "羊毛衫")),
    ("中国伞城", ("word", "伞")),
    ("中国香菇城", ("word", "香菇")),
    ("羊城 生物医药", ("name", "广州个体化医疗")),
    ("鹏城 下一代互联网", ("word", "深圳高新区下一代互联网")),
    ("泉城 生物制品", ("word", "济南高新区生物制品")),
    ("榕城 光电", ("word", "福州高新区光电")),
    ("春城 生物医药", ("word", "昆明市生物医药")),
    ("中国眼镜之乡", ("word", "杜桥眼镜")),
]

# shorthand: (query, words any of which makes a record relevant, grade 2)
SHORTHAND = [
    ("化学纤维", ["化纤"]), ("车联网", ["智能网联汽车"]), ("生物药", ["生物药", "生物医药"]),
    ("锂离子电池", ["锂电"]), ("新能源车", ["新能源汽车", "新能源智能网联汽车", "新能源专用车"]),
    ("轨交", ["轨道交通"]), ("汽配", ["汽配", "汽车配件", "汽车零部件", "汽车及零部件", "汽车及关键零部件"]),
    ("纺服", ["纺织服装"]), ("农业机械", ["农业机械", "农机"]), ("塑料机械", ["塑机"]),
    ("无纺布", ["无纺布", "非织造布"]), ("非织造布", ["无纺布", "非织造布"]), ("毛衫", ["毛衫"]),
    ("医械", ["医疗器械"]), ("芯片", ["集成电路", "半导体"]), ("汽摩", ["汽摩"]),
    ("家用纺织品", ["家纺"]), ("太阳能电池", ["光伏"]), ("数控机床", ["数控机床", "数控成形机床", "数控金属切削机床"]),
    ("输变电", ["输配电", "输电"]), ("锂电池", ["锂电"]), ("中药", ["中药", "中成药", "中藏药"]),
    ("电子元件", ["电子元器件"]),
]

# english: (query, Chinese words any of which is relevant, province or place restriction or None)
ENGLISH = [
    ("pharmaceuticals", ["医药", "制药", "药用"], None), ("optoelectronics", ["光电"], None),
    ("EV batteries", ["动力电池"], None), ("lithium battery", ["锂电"], None),
    ("robotics", ["机器人"], None), ("medical devices", ["医疗器械"], None),
    ("biomedicine", ["生物医药"], None), ("graphene", ["石墨烯"], None),
    ("photovoltaics", ["光伏"], None), ("semiconductor", ["半导体"], None),
    ("integrated circuits", ["集成电路"], None), ("new energy vehicles", ["新能源汽车", "新能源智能网联汽车"], None),
    ("rail transit", ["轨道交通"], None), ("socks", ["袜业"], None), ("pearls", ["珍珠"], None),
    ("ceramics", ["陶瓷", "白瓷"], None), ("blockchain", ["区块链"], None), ("cloud computing", ["云计算"], None),
    ("titanium", ["钛"], None), ("rare earth", ["稀土"], None), ("lasers", ["激光"], None),
    ("drones", ["无人机"], None), ("bearings", ["轴承"], None), ("industrial internet", ["工业互联网"], None),
    ("Suzhou medical devices", ["医疗器械"], "苏州市"), ("Changzhou photovoltaics", ["光伏"], "常州市"),
    ("Qingdao robots", ["机器人"], "青岛市"), ("Hubei auto parts", ["汽车零部件", "汽车及零部件", "汽车配件"], "湖北"),
]

# lookalike pairs (classic 形近字 lists for OCR and retyping errors; not the generated table):
# right character → the look-alike written instead. Queries = corpus words with one swapped.
LOOKALIKE_PAIRS = [("己", "已"), ("未", "末"), ("戊", "戌"), ("日", "曰"), ("贝", "见"), ("析", "折"),
                   ("候", "侯"), ("大", "太"), ("太", "大"), ("天", "夭"), ("本", "木"), ("木", "术"),
                   ("材", "村"), ("杭", "抗"), ("王", "玉"), ("玉", "王"), ("冶", "治"), ("土", "士"),
                   ("干", "千"), ("刀", "力"), ("力", "刀"), ("人", "入"), ("田", "由"), ("由", "田"),
                   ("申", "甲"), ("准", "淮"), ("拔", "拨"), ("鸟", "乌"), ("乌", "鸟"), ("密", "蜜"),
                   ("未", "末"), ("宁", "宇"), ("锡", "钖"), ("湖", "潮"), ("州", "川"), ("光", "先"),
                   ("汽", "气"), ("电", "申"), ("机", "杌"), ("械", "诫"), ("药", "葯"), ("纺", "坊"),
                   ("业", "亚"), ("金", "全"), ("导", "异"), ("石", "右"), ("墨", "黑"), ("新", "亲"),
                   ("车", "东"), ("能", "熊"), ("造", "遣"), ("制", "刺"), ("环", "坏")]
LOOKALIKE_WORDS = ["杭州", "天津", "大连", "太原", "本溪", "新材料", "王江泾", "玉环", "铜冶炼", "永康五金",
                   "石墨烯", "光伏", "汽车", "电子信息", "机器人", "医药", "纺织", "无锡", "宁波", "湖州",
                   "田园", "申城", "密封件", "大唐袜业", "东阳建筑", "玉溪", "玉林", "大冶", "太湖",
                   "机械", "鸟巢", "乌海", "温州", "袜业", "金华", "半导体", "装备制造", "新能源",
                   "节能环保", "汽车零部件", "黑龙江"]

# pinyin_typed: (query, [words that must all be in the name]) – pinyin runs as typed.
PINYIN_TYPED = [
    ("tianjinyiliao", ["天津", "医疗"]), ("tian jin yi liao", ["天津", "医疗"]),
    ("xiamne haiynag", ["厦门", "海洋"]), ("changzhouguangfu", ["常州", "光伏"]),
    ("chang zhou guang fu", ["常州", "光伏"]), ("qingdaojiqiren", ["青岛", "机器人"]),
    ("qingdoa jiqirne", ["青岛", "机器人"]), ("baojitai", ["宝鸡", "钛"]),
    ("suzhouyiliaoqixie", ["苏州", "医疗器械"]), ("suzhuo yiliaoqxie", ["苏州", "医疗器械"]),
    ("xinyudonglidianchi", ["新余", "动力电池"]), ("zhuzhougudaojiaotong", ["株洲", "轨道交通"]),
    ("lidianchi", ["锂电"]), ("wufangbu", ["无纺布"]), ("huaxuexianwei", ["化纤"]),
    ("yiwuwaye", ["义乌", "袜业"]), ("yiwu wayie", ["义乌", "袜业"]), ("shengzhoulingdai", ["嵊州", "领带"]),
    ("haininpige", ["海宁", "皮革"]), ("wenzhoudahuoji", ["温州", "打火机"]),
    ("xiningliidian", ["西宁", "锂电"]), ("changshajixie", None),
]

# short_pinyin: (query, the whole word it means) – the word must rank above fragments.
SHORT_PINYIN = [("xian", "西安"), ("jian", "吉安"), ("Xian", "西安"), ("xi an", "西安"),
                ("yichang", "宜昌"), ("jinan", "济南"), ("taizhou", None), ("tianmen", "天门"),
                ("yixing", "宜兴"), ("yiwu", "义乌"), ("huangshi", "黄石"), ("jiangmen", "江门"),
                ("xiangyang", "襄阳"), ("yantai", "烟台"), ("weifang", "潍坊"), ("zhuhai", "珠海"),
                ("liuzhou", "柳州"), ("taoci", "陶瓷"), ("xinyu", "新余"), ("anji", "安吉"),
                ("sheji", "设计"), ("shipin", "食品"), ("guangdian", "光电"), ("huagong", "化工")]

NO_MATCH = ["qwzxv", "区块链火星", "奶茶火星", "拉萨 锂电", "海南 机器人", "西藏 光伏", "义乌 半导体",
            "new materials Ningbo", "北京 袜业", "哈尔滨 珍珠", "xkcdplm", "火锅外卖", "三亚 打火机",
            "石墨烯奶茶", "宁波 新材料", "克拉玛依 陶瓷", "銀河火箭", "zzzq", "拉萨 轴承", "乌鲁木齐 袜业",
            "天门 半导体", "咖啡 青岛"]


# --------------------------------------------------------------------------------------------

def line(q: str, cat: str, relevant: list[dict], corpus: Corpus) -> dict:
    ideal = []
    for r in corpus.records:
        best = 0
        for p in relevant:
            if p.get("province") and p["province"] not in (r["province"] or ""):
                continue
            if any(all(c in t for c in p["contains"]) for t in corpus.texts(r)):
                best = max(best, p["grade"])
        if best:
            ideal.append(best)
    if relevant and not ideal:
        raise SystemExit(f"make_real_queries: {q!r} ({cat}) has no relevant record: fix the curated list")
    return {"q": q, "cat": cat, "relevant": relevant, "ideal": sorted(ideal, reverse=True)}


# --------------------------------------------------------------------------------------------
# Held-out queries (`--heldout`, eval/real_queries_heldout.jsonl): written after the engine's
# understanding was built, in phrasings and with records the set above does not use, and judged
# the same way, from the records. They measure how far the rules generalise.

FILLER_HELDOUT_TEMPLATES = ["{}在哪些城市", "哪儿能找到{}企业", "我想了解{}产业", "{}产业比较集中的地区",
                            "搜一下{}园区", "{}的生产基地", "附近有{}工厂吗", "{}主要分布在哪",
                            "本地的{}企业", "哪些地方以{}闻名", "国内做{}比较好的地方"]
FILLER_HELDOUT_WORDS = ["皮革", "童装", "五金", "丝绸", "家具", "水晶", "铸造", "服装", "食品", "不锈钢",
                        "数控", "灯具", "拉链", "电子信息", "新材料", "汽车零部件", "羊毛衫", "磷化工",
                        "茶", "酒业"]
NOISE_HELDOUT = [
    ("7、福州高新区光电产业集群", "福州高新区光电"),
    ("(三) 宜昌市夷陵区稻花香酒业产业集群", "稻花香酒业"),
    ("第5项：黄石市电子信息产业集群", "黄石市电子信息"),
    ("洛阳高新区轴承产业集群 洛阳高新区管委会 （培育）", "洛阳高新区轴承"),
    ("• 乐清休闲服装产业群", "乐清休闲服装"),
    ("2023年 云南省安宁市磷精深加工产业集群", "安宁市磷精深加工"),
    ("宜昌市茶产业集群……", "宜昌市茶"),
    ("“温州灯具”", "温州灯具"),
    ("10 孝感市电子机械产业集群", "孝感市电子机械"),
    ("【湖北】公安县塑料新材产业集群", "公安县塑料新材"),
    ("宜昌数控机电装备高新技术产业集群（湖北省重点产业集群）", "宜昌数控机电装备"),
    ("天津 | 天津泰达高端医疗器械产业集群 | 天津经开区管委会 | 培育", "天津泰达高端医疗器械"),
    ("２０２３年度中小企业特色产业集群名单 贵州省盘州市复杂煤层煤机装备制造产业集群", "盘州市复杂煤层煤机装备制造"),
    ("序号：15 山东省济南市钢城区精密锻件产业集群", "钢城区精密锻件"),
    ("●永嘉拉链", "永嘉拉链"),
    ("四、厦门火炬高新区软件和信息服务业产业集群", "厦门火炬高新区软件和信息服务业"),
    ("（2021年，培育）天津高新区新能源产业集群", "天津高新区新能源"),
    ("十堰商用车及部件产业集群（试点）", "十堰商用车及部件"),
    ("贵阳区块链与大数据产业集群...", "贵阳区块链与大数据"),
    ("成都数字新媒体产业集群\t成都高新区管委会\t试点", "成都数字新媒体"),
]
NICKNAMES_HELDOUT = [
    ("光谷", ("name", "武汉东湖高新区")),
    ("电谷 新能源", ("name", "保定新能源")),
    ("钛谷", ("word", "宝鸡高新区钛")),
    ("医药城 生物医药", ("name", "泰州生物医药")),
    ("锂都", ("word", "新余动力电池")),
    ("国际袜都", ("word", "大唐袜业")),
    ("珍珠之乡", ("word", "珍珠")),
    ("瓷都 陶瓷", ("word", "陶瓷")),
    ("车城 汽车", ("word", "十堰市商用汽车")),
    ("鹭岛 海洋", ("word", "厦门海洋")),
    ("鹭岛 软件", ("word", "厦门火炬高新区软件")),
    ("蓉城 数字新媒体", ("word", "成都数字新媒体")),
    ("星城 电力", ("word", "长沙电力智能控制")),
    ("津门 医疗器械", ("word", "天津泰达高端医疗器械")),
    ("邕城 生物资源", ("word", "南宁亚热带生物资源")),
    ("筑城 大数据", ("word", "贵阳区块链与大数据")),
    ("鹤城 石油化工", ("word", "齐齐哈尔重型石油化工")),
    ("中国灯都", ("word", "灯具")),
    ("中国拉链之乡", ("word", "拉链")),
    ("中国茶城", ("word", "茶")),
]
ENGLISH_HELDOUT = [
    ("textiles", ["纺织"], None), ("furniture", ["家具"], None), ("software", ["软件"], None),
    ("footwear", ["鞋业"], None), ("shipbuilding", ["造船", "船舶"], None), ("chemicals", ["化工"], None),
    ("lighting", ["灯具", "照明"], None), ("zippers", ["拉链"], None), ("leather", ["皮革"], None),
    ("big data", ["大数据"], None), ("new materials", ["新材料"], None), ("aerospace", ["航空航天", "航空", "航天"], None),
    ("food processing", ["食品加工"], None), ("machine tools", ["机床"], None), ("valves", ["阀门"], None),
    ("Zhejiang textiles", ["纺织"], "浙江"), ("Hubei food", ["食品"], "湖北"),
    ("Tianjin medical devices", ["医疗器械"], "天津市"), ("Xiamen software", ["软件"], "厦门市"),
    ("Wuhan clothing", ["服装"], "武汉市"),
]


# Places, shorthand, look-alikes and pinyin (categories 3, 5, 7, 8, 9), held out the same way.
PLACE_HELDOUT = [
    ("嘉兴 皮革", "嘉兴市", "皮革"), ("湖州 地板", "湖州市", "地板"), ("温州 纽扣", "温州市", "纽扣"),
    ("丽水 竹炭", "丽水市", "竹炭"), ("丽水 玩具", "丽水市", "玩具"), ("衢州 特种纸", "衢州市", "特种纸"),
    ("宁波 草编", "宁波市", "草编"), ("宁波 文具", "宁波市", "文具"), ("杭州 球拍", "杭州市", "球拍"),
    ("泉州 水暖", "泉州市", "水暖"), ("南平 氟材料", "南平市", "氟材料"), ("株洲 陶瓷", "株洲市", "陶瓷"),
    ("长沙 原料药", "长沙市", "原料药"), ("岳阳 有色金属", "岳阳市", "有色金属"), ("聊城 输电", "聊城市", "输电"),
    ("郑州 专用车", "郑州市", "专用车"), ("肇庆 汽车", "肇庆市", "汽车"), ("绵阳 特冶", "绵阳市", "特冶"),
    ("昆明 磷", "昆明市", "磷"), ("镇江 电气", "镇江市", "电气"),
]
SHORTHAND_HELDOUT = [
    ("锂离子", ["锂电"]), ("石油化工", ["石化", "石油化工"]), ("智造", ["智能制造", "智造"]),
    ("卫生洁具", ["洁具"]), ("小型家用电器", ["小家电"]), ("汽车配件", ["汽配", "汽车配件", "汽车零部件", "汽车及零部件"]),
    ("轻工纺织", ["轻纺"]), ("羊毛衫", ["羊毛衫", "毛衫"]), ("水泵阀门", ["泵阀"]), ("食品饮料", ["食品饮料", "食饮"]),
    ("医疗器材", ["医疗器械"]), ("太阳能", ["光伏", "太阳能"]), ("电动汽车", ["新能源汽车", "新能源智能网联汽车"]),
    ("显示屏", ["新型显示", "显示器件", "液晶显示", "光电显示"]), ("汽车摩托车", ["汽摩"]),
]
LOOKALIKE_HELDOUT_WORDS = ["常州", "苏州", "青岛", "光电", "电池", "陶瓷", "新余", "生物医药", "集成电路",
                           "石材", "珍珠", "轴承", "模具", "食品", "服装", "化工", "电梯", "本溪制药",
                           "天门", "宁海", "玉屏", "大唐", "新昌", "机电", "太阳能"]
PINYIN_TYPED_HELDOUT = [
    ("changzhouguidaojiaotong", ["常州", "轨道交通"]), ("foshanjiqiren", ["佛山", "机器人"]),
    ("xiamenruanjian", ["厦门", "软件"]), ("dongguan jiqiren", ["东莞", "机器人"]),
    ("kunmingshengwuyiyao", ["昆明", "生物医药"]), ("zaozhuanglidian", ["枣庄", "锂电"]),
    ("changzohu guangfu", ["常州", "光伏"]), ("dongguna jiqiren", ["东莞", "机器人"]),
    ("zaozhunag lidian", ["枣庄", "锂电"]), ("qitaiheshimoxi", ["七台河", "石墨烯"]),
    ("yiliaoqicai", ["医疗器械"]), ("xinnengyuanche", ["新能源汽车"]), ("lidianchicailiao", ["锂电"]),
    ("jiangsu jiqiren", ["机器人"]), ("hangzhou shuzi anfang", ["杭州", "安防"]),
    ("binzhoulvcai", ["滨州", "铝材"]), ("zhuzhou guidao jiaotong", ["株洲", "轨道交通"]),
    ("tianjin yiliao qixie", ["天津", "医疗器械"]), ("xining lidian", ["西宁", "锂电"]),
    ("haiyangshengwu", ["海洋生物"]),
]
SHORT_PINYIN_HELDOUT = [("wuxi", "无锡"), ("dalian", "大连"), ("xining", "西宁"),
                        ("wuhan", "武汉"), ("baoji", "宝鸡"), ("zibo", "淄博"), ("guangfu", "光伏"),
                        ("jilin", "吉林"), ("yiyao", "医药"), ("fangzhi", "纺织"), ("wujin", "五金"),
                        ("qiche", "汽车"), ("taozhou", None), ("lishui", "丽水"), ("jiangyin", "江阴"),
                        ("kunshan", "昆山"), ("shangyu", "上虞"), ("zhuji", "诸暨"), ("linan", None),
                        ("yongkang", "永康"), ("changshu", "常熟")]


def generate_heldout(corpus: Corpus) -> list[dict]:
    out = []
    for i, word in enumerate(FILLER_HELDOUT_WORDS):
        q = FILLER_HELDOUT_TEMPLATES[i % len(FILLER_HELDOUT_TEMPLATES)].format(word)
        out.append(line(q, "filler", [{"contains": [word], "grade": 2}], corpus))
    for q, name in NOISE_HELDOUT:
        out.append(line(q, "noise", by_name(corpus.unique(name)), corpus))
    for q, (kind, what) in NICKNAMES_HELDOUT:
        rel = by_name(corpus.unique(what)) if kind == "name" else [{"contains": [norm(what)], "grade": 2}]
        out.append(line(q, "nickname", rel, corpus))
    out += _english(ENGLISH_HELDOUT, corpus)
    for q, place, word in PLACE_HELDOUT:
        recs = [r for r in corpus.having(word) if corpus.in_place(r, place)]
        out.append(line(q, "place_any_level", by_name(recs), corpus))
    for q, words in SHORTHAND_HELDOUT:
        out.append(line(q, "shorthand", [{"contains": [w], "grade": 2} for w in words], corpus))
    out += _lookalikes(corpus, LOOKALIKE_HELDOUT_WORDS)
    for q, words in PINYIN_TYPED_HELDOUT:
        out.append(line(q, "pinyin_typed", [{"contains": words, "grade": 2}], corpus))
    for q, word in SHORT_PINYIN_HELDOUT:
        if word is not None:
            out.append(line(q, "short_pinyin", [{"contains": [word], "grade": 2}], corpus))
    return out


def _english(queries: list, corpus: Corpus) -> list[dict]:
    out = []
    for q, words, place in queries:
        if place is None:
            rel = [{"contains": [w], "grade": 2} for w in words]
        elif place in {r["province"] for r in corpus.records}:
            rel = [{"contains": [w], "grade": 2, "province": place} for w in words]
        else:
            rel = by_name([r for w in words for r in corpus.having(w) if corpus.in_place(r, place)])
        out.append(line(q, "english", rel, corpus))
    return out


def by_name(records: list[dict], grade: int = 2) -> list[dict]:
    return [{"contains": [norm(r["name"])], "grade": grade} for r in records]


def generate(corpus: Corpus) -> list[dict]:
    out = []
    for i, word in enumerate(FILLER_WORDS):
        q = FILLER_TEMPLATES[i % len(FILLER_TEMPLATES)].format(word)
        out.append(line(q, "filler", [{"contains": [word], "grade": 2}], corpus))
    for q, name in NOISE:
        out.append(line(q, "noise", by_name(corpus.unique(name)), corpus))
    for q, word, typ in NOISE_FILTERS:
        recs = corpus.having(word)
        rel = by_name([r for r in recs if r.get("type") == typ]) + by_name([r for r in recs if r.get("type") != typ], 1)
        out.append(line(q, "noise", rel, corpus))
    for q, place, word in PLACE_QUERIES:
        recs = [r for r in corpus.having(word) if corpus.in_place(r, place)]
        out.append(line(q, "place_any_level", by_name(recs), corpus))
    for q, prov, word in PROVINCE_PINYIN:
        out.append(line(q, "place_any_level", [{"contains": [word], "grade": 2, "province": prov}], corpus))
    for q, (kind, what) in NICKNAMES:
        rel = by_name(corpus.unique(what)) if kind == "name" else [{"contains": [norm(what)], "grade": 2}]
        out.append(line(q, "nickname", rel, corpus))
    for q, words in SHORTHAND:
        out.append(line(q, "shorthand", [{"contains": [w], "grade": 2} for w in words], corpus))
    out += _english(ENGLISH, corpus)
    out += _lookalikes(corpus)
    for q, words in PINYIN_TYPED:
        if words is None:
            continue
        out.append(line(q, "pinyin_typed", [{"contains": words, "grade": 2}], corpus))
    for q, word in SHORT_PINYIN:
        if word is None:
            continue
        out.append(line(q, "short_pinyin", [{"contains": [word], "grade": 2}], corpus))
    for q in NO_MATCH:
        out.append(line(q, "no_match", [], corpus))
    return out


def _lookalikes(corpus: Corpus, words: list[str] | None = None) -> list[dict]:
    """One look-alike swapped into a corpus word; kept if the result occurs nowhere and the
    swapped character is not a homophone (that is the homophone channel's job)."""
    from pypinyin import Style, pinyin

    def readings(c: str) -> set[str]:
        return set(pinyin(c, style=Style.NORMAL, heteronym=True)[0])

    everything = "\n".join(t for r in corpus.records for t in corpus.texts(r) + [norm(r.get("builder"))])
    out, seen = [], set()
    for word in (LOOKALIKE_WORDS if words is None else words):
        if not corpus.having(word):
            continue
        for right, wrong in LOOKALIKE_PAIRS:
            if right not in word:
                continue
            q = word.replace(right, wrong, 1)
            if (q in seen or q in everything or q in corpus.divisions or q + "市" in corpus.divisions
                    or readings(right) & readings(wrong)):
                continue
            seen.add(q)
            out.append(line(q, "lookalike", [{"contains": [word], "grade": 2}], corpus))
            break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="JSON lines from `clsearch export`")
    ap.add_argument("--out", default=None, help="default eval/real_queries.jsonl (with --heldout: "
                    "eval/real_queries_heldout.jsonl)")
    ap.add_argument("--heldout", action="store_true", help="the held-out queries instead")
    args = ap.parse_args(argv)
    args.out = args.out or str(HERE / ("real_queries_heldout.jsonl" if args.heldout else "real_queries.jsonl"))
    with open(args.corpus, encoding="utf-8") as fp:
        corpus = Corpus([json.loads(x) for x in fp if x.strip()])
    rows = generate_heldout(corpus) if args.heldout else generate(corpus)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fp:
        for row in rows:
            fp.write(json.dumps(row, ensure_ascii=False) + "\n")
    cats: dict[str, int] = {}
    for row in rows:
        cats[row["cat"]] = cats.get(row["cat"], 0) + 1
    print(f"{len(rows)} queries → {args.out}: " + ", ".join(f"{c} {n}" for c, n in sorted(cats.items())),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
