"""A fixed, mixed query set for the warm-latency run, made from the bundled corpus.

Latency depends on the kind of query (a hanzi keyword, initials that match many names, a typo
that needs fuzzy candidates, a query that matches nothing and asks for a suggestion), so the
set covers every kind the CLI help advertises, in equal shares. It is generated from the
corpus with `random.Random(7)` plus hand-written queries, so two runs time the same queries.
pypinyin is imported here only: the bench needs pinyin to write queries, the engine does not.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import lru_cache

from index.dictionaries import DATA_DIR, read_data_lines
from index.records import Record

SEED = 7

# Hand-written queries come first in each category: the ones people actually type.
HAND_WRITTEN: dict[str, list[str]] = {
    "hanzi": ["锂电", "机器人", "光伏", "生物医药", "集成电路", "新材料", "纺织"],
    "place": ["常州", "江苏", "西宁", "温州市", "神农架", "新余"],
    "place+industry": ["常州 光伏", "江苏 机器人", "湖北 汽车", "温州 鞋"],
    "builder": ["管委会", "中关村海淀园管委会", "高新区管委会"],
    "pinyin": ["lidian", "xinyu", "jiqiren", "guangfu", "shengwuyiyao"],
    "spaced/toned pinyin": ["li dian", "lǐ diàn", "ji qi ren", "li3 dian4", "Guang Fu"],
    "initials": ["jqr", "ld", "swyy", "gf", "jcdl"],
    "mixed": ["锂dian", "机器ren", "guang伏", "常州gf", "新yu"],
    "typo": ["lidain", "jiqrien", "夏门", "机器仁", "guangful"],
    "traditional": ["鋰電", "機器人", "廈門", "生物醫藥", "紡織"],
    "natural language": ["有哪些锂电产业集群", "江苏的机器人集群", "我想找做光伏的产业集群在哪里",
                         "常州有什么新能源产业"],
    "no match": ["量子咖啡", "xyzzy", "火星殖民地", "qqqq zzzz", "婚纱摄影奶茶"],
    # issue 7: real queries (filler, pasted noise, nicknames, English) and partial results
    "filler": ["做锂电的地方在哪", "哪些城市生产陶瓷", "有没有袜业相关的园区", "机器人基地", "我们市的医疗器械"],
    "pasted noise": ["3、常州光伏创新型产业集群", "（五）义乌袜业产业集群", "2021年新余动力电池创新型产业集群",
                     "浙江\t杭州数字安防产业集群\t杭州高新区管委会\t试点", "试点类 新能源汽车", "锂电 qwzxv"],
    "nickname": ["中国光谷", "中国袜业之乡", "羊城 生物医药", "中国伞城", "中国打火机之都", "世界陶瓷之都 德化"],
    "english": ["pharmaceuticals", "EV batteries", "new materials Ningbo", "Suzhou medical devices",
                "optoelectronics", "Hubei auto parts"],
    # issue 7: places at every level, shorthand, look-alikes, pinyin as typed, short pinyin
    "place any level": ["金华 袜业", "保定毛巾", "景德镇 陶瓷", "zhejiang fangzhi", "拉萨 锂电", "沧州铸造"],
    "shorthand": ["化学纤维", "轨交", "医械", "车联网", "锂离子电池", "家用纺织品", "电子元件"],
    "lookalike": ["夭津", "汽东零部件", "机器入", "新村料", "右墨烯", "全华", "装备制遣", "杭川"],
    "pinyin typed": ["tianjinyiliao", "xiamne haiynag", "lidianchi", "xiningliidian", "baojitai",
                     "zhuzhougudaojiaotong", "suzhuo yiliaoqxie"],
    "short pinyin": ["xian", "jian", "taoci", "yiwu", "anji", "shipin", "huagong"],
}
CATEGORIES = tuple(HAND_WRITTEN)

_NONSENSE_WORDS = ["咖啡", "火星", "恐龙", "魔法", "彩票", "奶茶", "婚纱", "宠物", "星座", "占卜"]
_NL_TEMPLATES = ["有哪些{kw}产业集群", "{place}的{kw}集群", "我想找{place}做{kw}的企业", "{kw}集群在哪里",
                 "请问{place}有没有{kw}产业"]
_FILLER_TEMPLATES = ["做{kw}的地方在哪", "哪些城市生产{kw}", "有没有{kw}相关的园区", "{kw}基地", "全国{kw}产业分布"]
_NOISE_TEMPLATES = ["{n}、{name}", "第{n}项 {name}", "{n} {name}", "2021年{name}", "{name}（培育）",
                    "【试点】{name}", "• {name}", "{name}……"]
_PLACE_SUFFIX = re.compile(r"(省|市|自治区|自治州|地区|县|区|林区)$")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def places(r: Record) -> list[str]:
    """The place names of a record as people write them: 江苏, 常州市, 常州, 新北区."""
    found = [p for p in (r.province, r.city, r.district) if p]
    found += [_PLACE_SUFFIX.sub("", p) for p in found if _PLACE_SUFFIX.search(p)]
    return [p for p in dict.fromkeys(found) if len(p) >= 2]


def industry_part(r: Record) -> str:
    """The short name without its place names: what the cluster makes (锂电, 白瓷)."""
    text = r.short_name
    for p in sorted(places(r), key=len, reverse=True):
        text = text.replace(p, "")
    return text


def keyword(rng: random.Random, r: Record) -> str | None:
    """A 2-4 character hanzi window of the industry part, or None if there is none."""
    text = industry_part(r)
    size = rng.randint(2, 4)
    windows = [text[i:i + size] for i in range(len(text) - size + 1)]
    windows = [w for w in windows if _HAN.match(w)]
    return rng.choice(windows) if windows else None


@lru_cache(maxsize=1)
def simplified_to_traditional() -> dict[str, str]:
    """The engine's own traditional → simplified table, inverted (first entry wins)."""
    table: dict[str, str] = {}
    for line in read_data_lines(DATA_DIR / "t2s_chars.tsv"):
        trad, simp = line.split("\t")[:2]
        if trad != simp:
            table.setdefault(simp, trad)
    return table


def swap_adjacent(rng: random.Random, text: str) -> str | None:
    """`text` with two different neighbouring characters swapped (the commonest typo)."""
    spots = [i for i in range(len(text) - 1) if text[i] != text[i + 1] and text[i] != " " and text[i + 1] != " "]
    if not spots:
        return None
    i = rng.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _generators(rng: random.Random) -> dict[str, Callable[[Record], str | None]]:
    from pypinyin import Style, lazy_pinyin

    def syllables(text: str, style=Style.NORMAL) -> list[str]:
        return lazy_pinyin(text, style=style)

    def kw(r: Record) -> str | None:
        return keyword(rng, r)

    def with_kw(make: Callable[[str], str | None]) -> Callable[[Record], str | None]:
        return lambda r: (lambda k: make(k) if k else None)(kw(r))

    def place(r: Record) -> str | None:
        return rng.choice(places(r)) if places(r) else None

    def place_industry(r: Record) -> str | None:
        p, k = place(r), kw(r)
        return f"{p} {k}" if p and k else None

    def spaced(k: str) -> str:
        style = rng.choice([Style.NORMAL, Style.TONE, Style.TONE3])
        return " ".join(syllables(k, style))

    def mixed(k: str) -> str:
        cut = rng.randint(1, len(k) - 1)
        return k[:cut] + "".join(syllables(k[cut:]))

    def typo(k: str) -> str | None:
        return swap_adjacent(rng, "".join(syllables(k)) if rng.random() < 0.7 else k)

    def traditional(k: str) -> str | None:
        t = "".join(simplified_to_traditional().get(ch, ch) for ch in k)
        return t if t != k else None

    def natural(r: Record) -> str | None:
        k, p = kw(r), place(r)
        return rng.choice(_NL_TEMPLATES).format(kw=k, place=p) if k and p else None

    def no_match(r: Record) -> str:
        words = rng.sample(_NONSENSE_WORDS, 2)
        return "".join(words) if rng.random() < 0.5 else "".join(syllables("".join(words)))

    def filler(r: Record) -> str | None:
        k = kw(r)
        return rng.choice(_FILLER_TEMPLATES).format(kw=k) if k else None

    def county_prefecture(r: Record) -> str | None:
        """The prefecture of a county's cluster with its industry (金华 袜业 for 义乌袜业)."""
        k = kw(r)
        return f"{_PLACE_SUFFIX.sub('', r.city)} {k}" if r.city and r.district and k else None

    def noise(r: Record) -> str | None:
        return rng.choice(_NOISE_TEMPLATES).format(name=r.name, n=rng.randint(1, 120))

    return {
        "hanzi": kw,
        "place": place,
        "place+industry": place_industry,
        "builder": lambda r: rng.choice(r.builders) if r.builders else None,
        "pinyin": with_kw(lambda k: "".join(syllables(k))),
        "spaced/toned pinyin": with_kw(spaced),
        "initials": with_kw(lambda k: "".join(syllables(k, Style.FIRST_LETTER))),
        "mixed": with_kw(mixed),
        "typo": with_kw(typo),
        "traditional": with_kw(traditional),
        "natural language": natural,
        "no match": no_match,
        "filler": filler,
        "pasted noise": noise,
        "nickname": lambda r: rng.choice(HAND_WRITTEN["nickname"]),
        "english": lambda r: rng.choice(HAND_WRITTEN["english"]),
        "place any level": county_prefecture,
        "shorthand": lambda r: rng.choice(HAND_WRITTEN["shorthand"]),
        "lookalike": lambda r: rng.choice(HAND_WRITTEN["lookalike"]),
        "pinyin typed": lambda r: (lambda p, k: "".join(syllables(p + k)) if p and k else None)(place(r), kw(r)),
        "short pinyin": lambda r: rng.choice(HAND_WRITTEN["short pinyin"]),
    }


def make_queries(records: list[Record], total: int) -> list[tuple[str, str]]:
    """`total` (category, query) pairs, equal shares per category, in a fixed shuffled order."""
    rng = random.Random(SEED)
    makers = _generators(rng)
    share, extra = divmod(total, len(CATEGORIES))
    queries: list[tuple[str, str]] = []
    for n, category in enumerate(CATEGORIES):
        want = share + (1 if n < extra else 0)
        chosen = HAND_WRITTEN[category][:want]
        for _ in range(50 * want):  # bounded: a category that cannot fill its share stays short
            if len(chosen) >= want:
                break
            q = makers[category](rng.choice(records))
            if q and q.strip():
                chosen.append(q)
        queries += [(category, q) for q in chosen]
    rng.shuffle(queries)
    return queries
