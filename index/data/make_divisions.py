#!/usr/bin/env python
"""Generate index/data/divisions.tsv: China's administrative divisions, province → prefecture → county.

    pip download --no-deps cpca==0.5.5 && unzip -o cpca-0.5.5-*.whl 'cpca/resources/adcodes.csv'
    python index/data/make_divisions.py cpca/resources/adcodes.csv [index/data/divisions.tsv]

Source: the adcode table shipped in cpca 0.5.5 (MIT, github.com/DQinYuan/chinese_province_city_area_mapper),
itself taken from the Ministry of Civil Affairs' 行政区划代码 (as of about 2018). The table is
converted once and committed, so cpca is never a dependency of clsearch. The 6-digit code gives
the hierarchy: ``PP0000`` a province, ``PPCC00`` a prefecture, ``PPCCXX`` a county or district.

Changes after the source's date, and earlier names people still type, are added from
`CHANGES` below (each with the year and the State Council approval it comes from), so a
record naming 莱芜 or 襄樊 still finds its place. Deterministic: rows sorted by code.

Output columns (tab-separated; see index/data/README.md):
    code  level  name  province  prefecture  earlier
level is province / prefecture / county; province is the short form (江苏, 广西); prefecture
is the full name of the parent prefecture (empty for a province, a prefecture itself, and
province-administered counties such as 仙桃市); earlier lists earlier names separated by ",".
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Units that are not places (placeholders of the code table).
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}

# Changes the 2018 table lacks. (code, level, name, province code, prefecture code, earlier names, why)
# prefecture code "" = none. Sources: State Council approvals as published by the Ministry of
# Civil Affairs (民政部 行政区划变更情况), year given in `why`.
CHANGES = [
    ("370116", "county", "莱芜区", "37", "370100", "莱芜市,莱城区", "2019 国函〔2019〕4号: 莱芜市 abolished, 莱芜区 of 济南"),
    ("370117", "county", "钢城区", "37", "370100", "", "2019 国函〔2019〕4号: 钢城区 moved to 济南"),
    ("630106", "county", "湟中区", "63", "630100", "湟中县", "2019 国函〔2019〕119号"),
]
# Codes the changes above replace (their names live on as `earlier`).
REPLACED = {"371200", "371202", "371203", "630122"}
# Earlier names of units the table already has (name → earlier names), with the year renamed.
EARLIER = {
    "襄阳市": ("襄樊市", "2010 国函〔2010〕127号"),
    "普洱市": ("思茅市", "2007 国函〔2007〕1号"),
    "柯桥区": ("绍兴县", "2013 国函〔2013〕112号"),
    "上虞区": ("上虞市", "2013 国函〔2013〕112号"),
    "萧山区": ("萧山市", "2001 国函〔2001〕13号"),
    "余杭区": ("余杭市", "2001 国函〔2001〕13号"),
    "鄞州区": ("鄞县", "2002 国函〔2002〕12号"),
    "富阳区": ("富阳市", "2014 国函〔2014〕146号"),
    "临安区": ("临安市", "2017 国函〔2017〕93号"),
    "武进区": ("武进市", "2002 国函〔2002〕30号"),
    "吴江区": ("吴江市", "2012 国函〔2012〕111号"),
    "江都区": ("江都市", "2011 国函〔2011〕100号"),
    "姜堰区": ("姜堰市", "2012 国函〔2012〕199号"),
    "文登区": ("文登市", "2014 国函〔2014〕11号"),
    "增城区": ("增城市", "2014 国函〔2014〕11号"),
    "从化区": ("从化市", "2014 国函〔2014〕11号"),
    "崇明区": ("崇明县", "2016 国函〔2016〕95号"),
    "密云区": ("密云县", "2015 国函〔2015〕188号"),
    "延庆区": ("延庆县", "2015 国函〔2015〕188号"),
    "巢湖市": ("居巢区", "2011 国函〔2011〕84号 (巢湖 was a prefecture until 2011)"),
    "黄岩区": ("黄岩市", "1994 国函〔1994〕95号"),
    "南溪区": ("南溪县", "2011 国函〔2011〕120号"),
}
# Units renamed after the source's date (old name → new name, why): the county became a city
# (撤县设市) or a district (撤市设区). The old name is kept as an earlier name. Sources: the
# Ministry of Civil Affairs' yearly lists of changes (县级以上行政区划变更情况); the seed lists of
# 2021-2023 write the new names (玉环市, 无为市, 邵东市, 盘州市).
RENAMED = {
    "临安市": ("临安区", "2017 国函〔2017〕93号 (撤市设区)"),
    "玉环县": ("玉环市", "2017 民政部 2017年县级以上行政区划变更情况 (撤县设市)"),
    "盘县": ("盘州市", "2017 民政部 2017年县级以上行政区划变更情况 (撤县设市)"),
    "无为县": ("无为市", "2019 民政部 2019年县级以上行政区划变更情况 (撤县设市)"),
    "邵东县": ("邵东市", "2019 民政部 2019年县级以上行政区划变更情况 (撤县设市)"),
}


def short_province(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def convert(rows: list[dict]) -> list[tuple[str, ...]]:
    names = {r["adcode"][:6]: r["name"].strip() for r in rows}
    out = {}
    for code, name in names.items():
        if name in PLACEHOLDERS:
            continue
        prov = short_province(names[code[:2] + "0000"])
        if code[2:] == "0000":
            out[code] = (code, "province", name, prov, "")
        elif code[4:] == "00":
            out[code] = (code, "prefecture", name, prov, "")
        else:
            parent = names.get(code[:4] + "00", "")
            if parent in PLACEHOLDERS:
                parent = MUNICIPALITIES.get(code[:2], "")  # 北京市's districts; 仙桃市 has none
            out[code] = (code, "county", name, prov, parent)
    for code, level, name, pcode, fcode, earlier, _why in CHANGES:
        prov = short_province(names[pcode + "0000"])
        out[code] = (code, level, name, prov, names.get(fcode, ""))
    table = []
    extra = {c: e for c, _l, _n, _p, _f, e, _w in CHANGES if e}
    for code in sorted(out):
        row = out[code]
        if code in REPLACED:
            continue
        if row[2] in RENAMED:
            old = row[2]
            row = row[:2] + (RENAMED[old][0],) + row[3:]
            earlier = old
        else:
            earlier = extra.get(code) or EARLIER.get(row[2], ("", ""))[0]
        table.append(row + (earlier,))
    return table


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    src = Path(argv[0])
    dst = Path(argv[1]) if len(argv) > 1 else HERE / "divisions.tsv"
    with src.open(encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp))
    table = convert(rows)
    header = [
        "# China's administrative divisions: province → prefecture → county/district.",
        "# Generated by make_divisions.py from cpca 0.5.5's adcodes.csv (MIT; Ministry of Civil",
        "# Affairs codes, about 2018) plus the later changes and earlier names listed in the script.",
        "# Do not edit by hand: edit make_divisions.py and regenerate. Columns (tab-separated):",
        "# code\tlevel\tname\tprovince\tprefecture\tearlier",
    ]
    with dst.open("w", encoding="utf-8", newline="\n") as fp:
        fp.write("\n".join(header) + "\n")
        for row in table:
            fp.write("\t".join(row) + "\n")
    print(f"{len(table)} divisions → {dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
