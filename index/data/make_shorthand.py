#!/usr/bin/env python
"""Generate index/data/shorthand.txt: the trade's short forms of the industry words of every record.

    clsearch export > /tmp/records.jsonl
    python index/data/make_shorthand.py /tmp/records.jsonl [index/data/shorthand.txt]

Systematic, then reviewed. For every record the industry phrase is what is left of its short
name once places (divisions.tsv), zone words and list words are taken off; the phrase is split
at 及 / 与 / 和 / 、 and cut into the words of domain_words.txt. Two kinds of candidates come out:

* the first-character abbreviation of a term of two or three two-character words, the way the
  trade press shortens (轨道交通 → 轨交, 纺织服装 → 纺服, 塑料机械 → 塑机);
* the long form of a short term of the records (化纤 ← 化学纤维), from `LONG_FORMS`.

Every candidate must be judged in `REVIEW` (True: the short form is used for that industry;
False: it is not, or it means something else, with the reason). Only accepted pairs are written;
an unreviewed candidate is printed to stderr and left out, so a new list cannot slip a wrong
abbreviation in. Output: the synonyms.txt format, `long short` (equivalent) per line, each with
a comment line saying which record words it came from. Deterministic.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

ZONE_WORDS = ["高新技术产业开发区", "经济技术开发区", "经济开发区", "高新区", "经开区", "开发区", "示范区",
              "农高区", "新区", "工业园区", "园区", "临港", "国家", "中部", "鄂东"]
LIST_WORDS = ["创新型产业集群", "产业集群", "产业群", "产业联盟", "产业", "集群", "特色", "概况"]

# Long forms of short record terms (short term of the records → the long form users type).
LONG_FORMS = {
    "化纤": "化学纤维", "塑机": "塑料机械", "家纺": "家用纺织品", "汽配": "汽车配件", "农机": "农业机械",
    "汽摩": "汽车摩托车", "锂电": "锂离子电池", "无纺布": "非织造布", "毛衫": "羊毛衫", "轻纺": "轻工纺织",
    "数控": "数字控制", "洁具": "卫生洁具", "泵阀": "水泵阀门", "智造": "智能制造", "新材": "新材料",
    "机电": "机械电子", "铸锻件": "铸件锻件", "针纺织": "针织纺织", "石化": "石油化工", "小家电": "小型家用电器",
}

# Reviewed candidates: (long, short) → (accepted, why). Accepted forms are in everyday trade use.
REVIEW = {
    ("轨道交通", "轨交"): (True, "trade press: 轨交装备, 轨交产业"),
    ("纺织服装", "纺服"): (True, "trade press: 纺服产业, 纺服企业"),
    ("塑料机械", "塑机"): (True, "塑机 is the usual word (宁波塑机)"),
    ("农业机械", "农机"): (True, "农机 is the usual word"),
    ("医疗器械", "医械"): (True, "regulators and press: 医械注册, 医械企业"),
    ("化学纤维", "化纤"): (True, "化纤 is the usual word"),
    ("家用纺织品", "家纺"): (True, "家纺 is the usual word"),
    ("汽车配件", "汽配"): (True, "汽配 is the usual word"),
    ("汽车摩托车", "汽摩"): (True, "汽摩配, 汽摩产业"),
    ("锂离子电池", "锂电"): (True, "锂电 is the usual word"),
    ("非织造布", "无纺布"): (True, "the same product: 无纺布 is the common name of 非织造布"),
    ("羊毛衫", "毛衫"): (True, "毛衫 is the trade word for 羊毛衫"),
    ("轻工纺织", "轻纺"): (True, "轻纺城, 轻纺产业"),
    ("水泵阀门", "泵阀"): (True, "泵阀 is the trade word"),
    ("智能制造", "智造"): (True, "智造 in names (永川汽摩智造)"),
    ("石油化工", "石化"): (True, "石化 is the usual word"),
    ("卫生洁具", "洁具"): (True, "洁具 is the trade word for 卫生洁具"),
    ("针织纺织", "针纺织"): (True, "针纺织品 is the trade word"),
    ("小型家用电器", "小家电"): (True, "小家电 is the usual word"),
    ("新材料", "新材"): (False, "新材 alone is rare and reads as a company-name fragment"),
    ("数字控制", "数控"): (False, "users type 数控, never 数字控制"),
    ("机械电子", "机电"): (False, "机电 is broader than 机械电子 (机电设备)"),
    ("铸件锻件", "铸锻件"): (False, "users type 铸件 or 锻件: each already found inside 铸锻件"),
    ("生物医药", "生医"): (False, "not used"),
    ("电子信息", "电信"): (False, "电信 means telecommunications"),
    ("装备制造", "装制"): (False, "not used"),
    ("新型显示", "新显"): (False, "not used"),
    ("电子电路", "电电"): (False, "not used"),
    ("电力装备", "电装"): (False, "电装 is a company (DENSO)"),
    ("电气设备", "电设"): (False, "not used"),
    ("安全应急", "安应"): (False, "not used"),
    ("应急装备", "应装"): (False, "not used"),
    ("精密智能", "精智"): (False, "not used"),
    ("智能装备", "智装"): (False, "rare; 智能装备 is typed in full"),
    ("智能终端", "智终"): (False, "not used"),
    ("智能电网", "智网"): (False, "rare and ambiguous (智网 = smart network)"),
    ("智能网联", "智联"): (False, "智联 is a brand (智联招聘)"),
    ("智能控制", "智控"): (True, "智控 is common (智控设备, 智控系统)"),
    ("智能照明", "智照"): (False, "not used"),
    ("智能家居", "智家"): (False, "a brand word, not the industry"),
    ("智能传感", "智传"): (False, "not used"),
    ("智能仪器", "智仪"): (False, "not used"),
    ("智能机电", "智机"): (False, "not used"),
    ("智能配电", "智配"): (False, "not used"),
    ("智能输配", "智输"): (False, "not used"),
    ("智能铲运", "智铲"): (False, "not used"),
    ("现代装备", "现装"): (False, "not used"),
    ("高端装备", "高装"): (False, "not used"),
    ("高端医疗", "高医"): (False, "not used"),
    ("高端动力", "高动"): (False, "not used"),
    ("高端工业", "高工"): (False, "高工 means senior engineer"),
    ("高效传动", "高传"): (False, "not used"),
    ("生物制品", "生制"): (False, "not used"),
    ("生物制造", "生制"): (False, "not used"),
    ("生物资源", "生资"): (False, "生资 means means of production (农业生资)"),
    ("生物技术", "生技"): (True, "生技 is used for biotechnology (生技产业)"),
    ("生命科学", "生科"): (True, "生科 is used for life science (生科院, 生科产业)"),
    ("海洋生物", "海生"): (False, "not used"),
    ("海洋工程", "海工"): (True, "海工装备 is the usual word"),
    ("工程机械", "工机"): (False, "not used"),
    ("建筑工程", "建工"): (True, "建工 is the usual word (建工集团)"),
    ("节能环保", "节环"): (False, "not used"),
    ("城市矿产", "城矿"): (False, "not used"),
    ("循环利用", "循利"): (False, "not used"),
    ("再生资源", "再资"): (False, "not used"),
    ("信息技术", "信技"): (False, "not used"),
    ("信息服务", "信服"): (False, "信服 means 'convinced'"),
    ("信息安全", "信安"): (True, "信安 is common (信安产业)"),
    ("数字经济", "数经"): (False, "not used"),
    ("数字内容", "数内"): (False, "not used"),
    ("数字电视", "数电"): (False, "数电 means digital circuits (course)"),
    ("数字安防", "数安"): (False, "rare"),
    ("数字视听", "数视"): (False, "not used"),
    ("数字物流", "数物"): (False, "not used"),
    ("工业软件", "工软"): (True, "工软 is used in the trade press"),
    ("工业互联", "工互"): (False, "not used"),
    ("移动互联", "移互"): (False, "not used"),
    ("移动物联", "移物"): (False, "not used"),
    ("电子元器", "电元"): (False, "not a word boundary"),
    ("新型电子", "新电"): (False, "not used"),
    ("新型功能", "新功"): (False, "not used"),
    ("功能材料", "功材"): (False, "not used"),
    ("高分子材料", "高材"): (False, "not used"),
    ("新型建材", "新建"): (False, "新建 means 'newly built'"),
    ("绿色建材", "绿建"): (False, "绿建 means green building"),
    ("绿色食品", "绿食"): (False, "not used"),
    ("健康食品", "健食"): (False, "not used"),
    ("食品饮料", "食饮"): (True, "食饮 is used in the trade press"),
    ("食品加工", "食加"): (False, "not used"),
    ("农产品加工", "农加"): (False, "not used"),
    ("石油化工", "石化"): (True, "石化 is the usual word"),
    ("精细化工", "精化"): (False, "rare"),
    ("医药化工", "医化"): (True, "医化 is the usual word in Zhejiang's chemical trade"),
    ("化工医药", "化医"): (False, "not used"),
    ("特种电缆", "特缆"): (False, "not used"),
    ("电动汽车", "电汽"): (False, "not used"),
    ("汽车电子", "汽电"): (False, "not used"),
    ("汽车零部件", "汽零"): (True, "汽零 is used in the trade press"),
    ("关键零部件", "关零"): (False, "not used"),
    ("核心零部件", "核零"): (False, "not used"),
    ("航空航天", "航航"): (False, "not used"),
    ("通用航空", "通航"): (True, "通航 is the usual word for general aviation"),
    ("船舶修造", "船修"): (False, "rare"),
    ("民营造船", "民造"): (False, "not used"),
    ("地球空间", "地空"): (False, "地空 means ground-to-air"),
    ("空间信息", "空信"): (False, "not used"),
    ("环境检测", "环检"): (False, "rare"),
    ("流体控制", "流控"): (False, "rare"),
    ("仪器仪表", "仪仪"): (False, "not used"),
    ("电力钢结构", "电钢"): (False, "not used"),
    ("无缝针织", "无针"): (False, "not used"),
    ("静电植绒", "静植"): (False, "not used"),
    ("羽绒家纺", "羽家"): (False, "not used"),
    ("家纺布艺", "家布"): (False, "not used"),
    ("家纺寝具", "家寝"): (False, "not used"),
    ("经编家纺", "经家"): (False, "not used"),
    ("化纤织造", "化织"): (False, "not used"),
    ("出口服装", "出服"): (False, "not used"),
    ("休闲服装", "休服"): (False, "not used"),
    ("纺织新材", "纺新"): (False, "not used"),
    ("水暖厨卫", "水厨"): (False, "not used"),
    ("现代家具", "现家"): (False, "not used"),
    ("现代中药", "现中"): (False, "not used"),
    ("现代森工", "现森"): (False, "not used"),
    ("先进电子", "先电"): (False, "not used"),
    ("先进动力", "先动"): (False, "not used"),
    ("先进矿山", "先矿"): (False, "not used"),
    ("重型机械", "重机"): (True, "重机 is the usual word (重机厂)"),
    ("重型石油", "重石"): (False, "not a word boundary"),
    ("矿山装备", "矿装"): (False, "rare"),
    ("农机装备", "农装"): (False, "rare"),
    ("煤机装备", "煤装"): (False, "not used"),
    ("电工装备", "电装"): (False, "电装 is a company (DENSO)"),
    ("防爆装备", "防装"): (False, "not used"),
    ("安全防护", "安防"): (False, "安防 means security and surveillance, not protective equipment"),
    ("仪器装备", "仪装"): (False, "not used"),
    ("成套设备", "成设"): (False, "not used"),
    ("设备制造", "设制"): (False, "not used"),
    ("输电设备", "输设"): (False, "not used"),
    ("铁路输电", "铁输"): (False, "not used"),
    ("配电设备", "配设"): (False, "not used"),
    ("环境监测", "环监"): (False, "not used"),
    ("基础零部件", "基零"): (False, "not used"),
    ("盐湖化工", "盐化"): (True, "盐化工 / 盐化 is the trade word"),
    ("循环经济", "循经"): (False, "not used"),
    ("生物降解", "生降"): (False, "not used"),
    ("公共安全", "公安"): (False, "公安 means police"),
    ("光电显示", "光显"): (False, "rare"),
    ("液晶显示", "液显"): (False, "not used"),
    ("显示器件", "显器"): (False, "not used"),
    ("显示模组", "显模"): (False, "not used"),
    ("新能源汽车", "新汽"): (False, "the trade says 新能源车"),
    ("植绒纺织", "植纺"): (False, "not used"),
    ("信息技术", "信术"): (False, "not used"),
    ("再生资源", "再源"): (False, "not used"),
    ("农机装备", "农备"): (False, "not used"),
    ("功能材料", "功料"): (False, "not used"),
    ("动力电池", "动池"): (False, "not used"),
    ("应急装备", "应备"): (False, "not used"),
    ("新型显示", "新示"): (False, "not used"),
    ("智能终端", "智端"): (False, "not used"),
    ("智能装备", "智备"): (False, "not used"),
    ("电子信息", "电息"): (False, "not used"),
    ("石油化工", "石工"): (False, "not used"),
    ("矿山装备", "矿备"): (False, "not used"),
    ("纺织服装", "纺装"): (False, "not used"),
    ("节能环保", "节保"): (False, "not used"),
    ("装备制造", "装造"): (False, "not used"),
    ("轨道交通", "轨通"): (False, "not used"),
    ("非织造布", "非布"): (False, "not used"),
    ("食品饮料", "食料"): (False, "not used"),
    ("高端装备", "高备"): (False, "not used"),
    ("生物医药", "生药"): (False, "生药 means crude drugs (pharmacognosy), not biomedicine"),
    ("电子电路", "电路"): (False, "电路 is any circuit; a query 电路 already finds 电子电路 inside the word"),
    ("精细化工", "精工"): (False, "精工 means precision engineering (and a brand)"),
    ("动力电池", "动电"): (False, "not used"),
    ("医疗器械", "医器"): (False, "the trade says 医械"),
    ("智能制造", "智制"): (False, "the trade says 智造"),
    ("智能电网", "智电"): (False, "not used"),
    ("非织造布", "非造"): (False, "not used"),
    ("轴承零部件", "轴零"): (False, "not used"),
    ("针织服装", "针服"): (False, "rare; 针织 is typed"),
    ("智能网联汽车", "智汽"): (False, "not used"),
}


def load_places() -> list[str]:
    names = set()
    for line in (HERE / "divisions.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        _code, _level, name, prov, _pref, earlier = line.split("\t")
        names |= {name, prov, *[e for e in earlier.split(",") if e]}
        for suffix in ("市", "县", "区", "自治州", "地区", "盟"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
    return sorted(names, key=len, reverse=True)


def load_words() -> set[str]:
    words = set()
    for line in (HERE / "domain_words.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, *rest = line.split()
            if not rest or rest[0] != "0":
                words.add(word)
    return words


def industry_phrases(record: dict, places: list[str]) -> list[str]:
    text = re.sub(r"[（(][^)）]*[)）]", "", record["short_name"] or record["name"])
    for w in LIST_WORDS:
        text = text.replace(w, "")
    changed = True
    while changed:
        changed = False
        for p in places + ZONE_WORDS:
            if text.startswith(p) and len(text) > len(p):
                text, changed = text[len(p):], True
                break
    return [p for p in re.split(r"[及与和、·]", text) if len(p) >= 2]


def cut(phrase: str, words: set[str]) -> list[str]:
    """Forward maximum matching over the domain words (runs of unknown characters kept whole)."""
    out, i = [], 0
    while i < len(phrase):
        for j in range(min(len(phrase), i + 6), i, -1):
            if phrase[i:j] in words or j == i + 1:
                out.append(phrase[i:j])
                i = j
                break
    return out


def candidates(records: list[dict]) -> dict[tuple[str, str], set[str]]:
    places, words = load_places(), load_words()
    found: dict[tuple[str, str], set[str]] = {}
    cuts = [(r, phrase, cut(phrase, words)) for r in records for phrase in industry_phrases(r, places)]
    # A word of the industry vocabulary recurs: one seen in a single record's phrase is a town
    # (党山, 衙前) that the divisions table does not list, not an industry word.
    seen: dict[str, set[str]] = {}
    for r, _phrase, parts in cuts:
        for part in parts:
            seen.setdefault(part, set()).add(r["id"])
    for r, phrase, parts in cuts:
        parts = [p if len(seen[p]) >= 2 else "" for p in parts]  # "" never joins a group
        # A four- or six-character word of the dictionary (轨道交通) is two or three words to
        # abbreviate (轨道 + 交通).
        for part in parts:
            if len(part) in (4, 6):
                halves = [part[i:i + 2] for i in range(0, len(part), 2)]
                found.setdefault((part, "".join(h[0] for h in halves)), set()).add(r["name"])
                if len(part) == 4:  # first and last character: 医疗器械 → 医械
                    found.setdefault((part, part[0] + part[3]), set()).add(r["name"])
        for n in (2, 3):
            for k in range(len(parts) - n + 1):
                group = parts[k:k + n]
                if all(len(g) == 2 for g in group) and "" not in group:
                    found.setdefault(("".join(group), "".join(g[0] for g in group)), set()).add(r["name"])
                if n == 2 and len(group[0]) == 2 and len(group[1]) == 3 and group[1].endswith("件") and "" not in group:
                    found.setdefault(("".join(group), group[0][0] + group[1][0]), set()).add(r["name"])
        for short, long in LONG_FORMS.items():
            if short in phrase:
                found.setdefault((long, short), set()).add(r["name"])
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fp:
        records = [json.loads(x) for x in fp if x.strip()]
    dst = Path(argv[1]) if len(argv) > 1 else HERE / "shorthand.txt"
    found = candidates(records)
    kept, unreviewed = [], []
    for (long, short), names in sorted(found.items()):
        verdict = REVIEW.get((long, short))
        if verdict is None:
            unreviewed.append(f"{long} → {short} ({len(names)} records, e.g. {sorted(names)[0]})")
        elif verdict[0]:
            kept.append((long, short, verdict[1], sorted(names)))
    header = [
        "# shorthand.txt: the trade's short forms of the industry words of the records.",
        "# Generated by make_shorthand.py (candidates from every record's industry words, each",
        "# reviewed in the script's REVIEW table). Same format as synonyms.txt: `long short` are",
        "# equivalent. Do not edit by hand: add a REVIEW verdict in the script and regenerate.",
    ]
    with dst.open("w", encoding="utf-8", newline="\n") as fp:
        fp.write("\n".join(header) + "\n")
        for long, short, why, names in kept:
            fp.write(f"\n# {why}; from {len(names)} record(s), e.g. {names[0]}\n{long} {short}\n")
    for line in unreviewed:
        print(f"unreviewed (left out): {line}", file=sys.stderr)
    print(f"{len(kept)} short forms → {dst} ({len(unreviewed)} unreviewed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
