#!/usr/bin/env python
"""Generate a judged query set for clsearch: eval/generated_queries.jsonl.

    CLSEARCH_INDEX=/tmp/evalgen-idx /work/venv/bin/python eval/make_queries.py [--corpus C.jsonl] [--out F]

Without --corpus the corpus is read from `clsearch export` (the clsearch next to this Python).
Deterministic: random.Random(11), sorted pools, no dependence on dict/set order.

Every query line has the harness's format {"q", "cat", "relevant": [{"contains", "grade",
"province"?}], "ideal"}. Judgements are derived from the corpus only, never from the engine:

* a record's grade is the best predicate whose substrings all occur in its name or one alias
  (NFKC, spaces removed, as the harness does) and whose province, if given, is the record's;
* "ideal" is computed by scanning the whole corpus with those predicates;
* pinyin-typed queries (full, spaced/tones, initials, prefixes, typos, polyphone places, mixed) are
  kept only when no OTHER hanzi string of the corpus can be read the same way (checked against every
  reading pypinyin knows for each character), so the judgement "names containing the hanzi" is the
  whole truth and a homophone is never wrongly judged irrelevant;
* typos are kept only when the typo string is not itself the pinyin of some corpus string;
* homophone typos keep the toneless pinyin, use a common character (GB 2312 level 1, ranked by
  jieba's word frequencies) and produce a string that occurs nowhere in the corpus;
* traditional queries invert index/data/t2s_chars.tsv; characters with several traditional forms
  use a hand-checked pick (TRAD_PICK) or the word is skipped;
* no-match queries are checked to share no 2-character string with the corpus (hanzi), or to have no
  pinyin reading / near reading in the corpus (Latin).

Place readings are the correct ones (READINGS below, checked by hand), not pypinyin's guesses.
"""
import argparse, collections, json, os, random, subprocess, sys, unicodedata
from pathlib import Path

from pypinyin import Style, pinyin
from pypinyin.contrib.tone_convert import to_normal, to_tone3

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PER_CAT = 22

# ---------------------------------------------------------------- correct readings (tone marks)
READINGS = {
    "重庆": "chóng qìng", "长沙": "cháng shā", "长兴": "cháng xīng", "长治": "cháng zhì",
    "长春": "cháng chūn", "长乐": "cháng lè", "长丰": "cháng fēng", "长阳": "cháng yáng",
    "厦门": "xià mén", "乐清": "yuè qīng", "六安": "lù ān", "丽水": "lí shuǐ", "台州": "tāi zhōu",
    "天台": "tiān tāi", "蚌埠": "bèng bù", "番禺": "pān yú", "东莞": "dōng guǎn", "黄陂": "huáng pí",
    "闵行": "mǐn háng", "泊头": "bó tóu", "成都": "chéng dū", "新都": "xīn dū", "曾都": "zēng dū",
    "宜都": "yí dū", "六盘水": "liù pán shuǐ", "四会": "sì huì", "中牟": "zhōng mù", "监利": "jiān lì",
    "乾潭": "qián tán", "嵊州": "shèng zhōu", "石河子": "shí hé zǐ", "泰州": "tài zhōu",
    "荆门": "jīng mén", "大冶": "dà yě", "夏履": "xià lǚ", "蕲春": "qí chūn", "汨罗": "mì luó",
    "郧阳": "yún yáng", "渝北": "yú běi", "璧山": "bì shān", "鄞州": "yín zhōu", "瓯海": "ōu hǎi",
    "重型": "zhòng xíng", "中藏药": "zhōng zàng yào", "降解": "jiàng jiě", "行业": "háng yè",
    "石首": "shí shǒu", "朝阳": "cháo yáng", "醴陵": "lǐ líng", "藏药": "zàng yào",
}

def toned(word):
    """Toned syllables of a hanzi word: READINGS (longest first), else pypinyin's phrase data."""
    out, i = [], 0
    while i < len(word):
        for j in range(len(word), i, -1):
            if word[i:j] in READINGS:
                out += READINGS[word[i:j]].split()
                i = j
                break
        else:
            j = i + 1
            while j < len(word) and not any(word[j:k] in READINGS for k in range(j + 1, len(word) + 1)):
                j += 1
            out += [s[0] for s in pinyin(word[i:j], style=Style.TONE)]
            i = j
    assert len(out) == len(word), word
    return out

def plain(syl):           # lǜ -> lv
    return to_normal(syl, v_to_u=False)

def toneless(word):
    return [plain(s) for s in toned(word)]

def digits(syl):          # lǜ -> lv4 ; neutral tone -> 5 is unusual, leave bare
    return to_tone3(syl, v_to_u=False)

# ---------------------------------------------------------------- corpus
def nfkc(s):
    return unicodedata.normalize("NFKC", s or "").replace(" ", "")

def load_corpus(path):
    if path:
        lines = open(path, encoding="utf-8").read().splitlines()
    else:
        exe = Path(sys.executable).with_name("clsearch")
        lines = subprocess.run([str(exe), "export"], capture_output=True, text=True, check=True).stdout.splitlines()
    recs = [json.loads(l) for l in lines if l.strip()]
    for r in recs:
        r["_texts"] = [nfkc(r["name"])] + [nfkc(a) for a in r.get("aliases") or []]
    return recs

class Judge:
    def __init__(self, recs):
        self.recs = recs
        self.all_text = "\n".join(t for r in recs for t in r["_texts"])

    def grade(self, rec, relevant):
        best = 0
        for p in relevant:
            if p.get("province") and p["province"] not in (rec.get("province") or ""):
                continue
            if any(all(c in t for c in p["contains"]) for t in rec["_texts"]):
                best = max(best, p["grade"])
        return best

    def ideal(self, relevant):
        return sorted((g for g in (self.grade(r, relevant) for r in self.recs) if g), reverse=True)

    def occurs(self, s):
        return s in self.all_text

    def count(self, *subs):
        return sum(1 for r in self.recs if any(all(s in t for s in subs) for t in r["_texts"]))

# ---------------------------------------------------------------- pinyin index of the corpus
def char_readings(ch):
    """Every toneless reading pypinyin knows for a character (heteronyms), 'v' for ü."""
    if not ("\u4e00" <= ch <= "\u9fff"):
        return {ch.lower()}
    return {plain(s) for s in pinyin(ch, style=Style.TONE, heteronym=True)[0]}

class PinyinIndex:
    """Char-aligned pinyin matching over all corpus texts, with every possible reading."""
    def __init__(self, recs):
        self.texts = sorted({t for r in recs for t in r["_texts"]})
        self.cache = {}

    def R(self, ch):
        if ch not in self.cache:
            self.cache[ch] = char_readings(ch)
        return self.cache[ch]

    def windows(self, letters, partial_end=False, initials=False):
        """Yield (text, start, end) of char spans whose readings spell `letters` exactly
        (partial_end: the last syllable may be cut; initials: one letter per character)."""
        for t in self.texts:
            for i in range(len(t)):
                for end in self._walk(t, i, letters, partial_end, initials):
                    yield t, i, end

    def _walk(self, t, j, rem, partial_end, initials):
        if not rem:
            return
        if j >= len(t):
            return
        seen = set()
        for r in sorted(self.R(t[j])):
            if not r or not r[0].isalpha():
                continue
            if initials == "abbrev":      # each character: its full reading, first letter or zh/ch/sh
                heads = {r, r[0]} | ({r[:2]} if r[:2] in ("zh", "ch", "sh") else set())
                for h in sorted(heads):
                    if rem == h:
                        seen.add(j + 1)
                    elif rem.startswith(h):
                        seen.update(self._walk(t, j + 1, rem[len(h):], partial_end, initials))
                    elif partial_end and h == r and r.startswith(rem):
                        seen.add(j + 1)
                continue
            if initials:
                if r[0] == rem[0]:
                    if len(rem) == 1:
                        seen.add(j + 1)
                    else:
                        seen.update(self._walk(t, j + 1, rem[1:], partial_end, initials))
                continue
            if rem == r:
                seen.add(j + 1)
            elif rem.startswith(r):
                seen.update(self._walk(t, j + 1, rem[len(r):], partial_end, initials))
            elif partial_end and r.startswith(rem):
                seen.add(j + 1)
        yield from sorted(seen)

    def only_within(self, letters, word, **kw):
        """True when every corpus span read as `letters` lies at an occurrence of `word`, and there
        is at least one such span."""
        found = False
        for t, i, end in self.windows(letters, **kw):
            if t[i:i + len(word)] != word:
                return False
            found = True
        return found

    def any_match(self, letters, **kw):
        return next(self.windows(letters, **kw), None) is not None

# ---------------------------------------------------------------- curated pools (checked against the corpus)
KEYWORDS = """锂电 陶瓷 电梯 珍珠 轴承 石墨烯 光伏 机器人 袜业 羽绒 化纤 模具 拉链 打火机 香菇 石材 阀门 五金 家纺
无人机 轨道交通 医疗器械 集成电路 稀土 不锈钢 液压 绿松石 灯具 眼镜 领带 纽扣 羊毛衫 竹炭 蜜蜂 球拍 造纸 玩具
鞋业 化妆品 北斗 半导体 新能源汽车 汽车零部件 电缆 酒业 农机 紧固件 毛巾 自行车 磷化工 有机硅 钢结构 棉花 铜箔
密封件 水晶 皮革 印刷 制笔 带锯床 草编 太阳伞 特种纸 竹笋 地板 丝绸 泵阀 小家电 生物医药 数控机床 直升机 金刚石
窑炉 砖茶 铝材 铸造 工艺品 文具 小商品 针织 经编 化工 智能装备 新材料 电子信息 食品加工 纺织服装 动力电池
商用车 蓄电池 云计算 大数据 区块链 物联网 工业互联网 口腔 氟硅 精细化工 有色金属 碳酸钙 内燃机 液晶显示 风能
涂附磨具 苎麻 无纺布 非织造布 钛""".split()

PLACES = """义乌 温州 诸暨 萧山 绍兴 桐乡 永嘉 玉环 十堰 襄阳 宜昌 咸宁 鄂州 黄石 仙桃 潜江 赤壁 醴陵 德化 顺德 璧山
攀枝花 七台河 齐齐哈尔 乌鲁木齐 石河子 景德镇 瑞安 龙泉 江山 富阳 余姚 宁海 海宁 嵊州 荆门 荆州 宝鸡 佛山 常州 苏州
珠海 中山 潍坊 济南 青岛 包头 西宁 新余 枣庄 湘潭 株洲 绵阳 成都 武汉 杭州 宁波 金华 上虞 永康 衢州 龙游 庆元
安吉 织里 南浔 横店 柯桥 濮院 天门 随州 孝感 恩施 枝江 钟祥 麻城 通城 赤壁 浦江 兰溪 象山 长兴 长沙 长治 重庆 厦门
乐清 六安 丽水 台州 天台 蚌埠 番禺 东莞 闵行 泊头 新都 曾都 六盘水 四会 中牟 监利 乾潭 长春 长乐 长丰 大冶 夏履
宜都 黄陂 长阳 醴陵 汨罗 蕲春 郧阳 渝北 鄞州 瓯海 泰州""".split()
PLACES = list(dict.fromkeys(PLACES))

# the first line are the places every user of a pinyin search tries (always in the set)
POLYPHONE_CORE = "长沙 长治 长春 重庆 厦门 乐清 六安 丽水 台州 蚌埠 成都 番禺".split()
POLYPHONE_PLACES = POLYPHONE_CORE + """长兴 长乐 长丰 长阳 天台 东莞 黄陂 闵行 泊头 新都 曾都 宜都 六盘水 四会 中牟 监利
乾潭""".split()

PROVINCE_TERMS = ["浙江", "湖北", "江苏", "广东", "山东", "湖南", "江西", "福建", "四川", "河北", "安徽", "重庆",
                  "北京", "上海", "天津", "河南", "陕西", "广西", "云南", "贵州"]

# compound keywords judged by their parts, as a user would: 新能源智能网联汽车 is a 新能源汽车 cluster,
# 汽车及零部件 an 汽车零部件 one
SPLIT = {"新能源汽车": ["新能源", "汽车"], "汽车零部件": ["汽车", "零部件"]}

TRAD_PICK = {"苏": "蘇", "宁": "寧", "复": "複", "台": "臺", "产": "產", "发": "發", "绿": "綠", "线": "線",
             "纤": "纖", "药": "藥", "针": "針", "锈": "鏽", "镇": "鎮", "鸡": "雞", "当": "當", "团": "團",
             "术": "術", "烟": "煙", "为": "為", "炼": "煉", "个": "個", "别": "別", "铲": "鏟", "闲": "閒",
             "蒙": "蒙", "升": "升", "泛": "泛"}

# ---------------------------------------------------------------- generator
class Gen:
    def __init__(self, recs, dev_qs):
        self.J = Judge(recs)
        self.P = PinyinIndex(recs)
        self.rng = random.Random(11)
        self.recs = recs
        self.out, self.seen = [], set(dev_qs)
        self.kw = [w for w in KEYWORDS if self.J.occurs(w)]
        missing = [w for w in KEYWORDS + PLACES if not self.J.occurs(w)]
        assert not missing, f"pool words not in corpus: {missing}"
        self.places = list(PLACES)

    def add(self, q, cat, relevant):
        if q in self.seen:
            return False
        ideal = self.J.ideal(relevant)
        if relevant and not ideal:
            raise AssertionError(f"no relevant record for {q!r} {relevant}")
        self.seen.add(q)
        self.out.append({"q": q, "cat": cat, "relevant": relevant, "ideal": ideal})
        return True

    def sample(self, pool, k):
        pool = list(pool)
        self.rng.shuffle(pool)
        return pool[:k]

    def take(self, cat, candidates, make, k=PER_CAT, shuffle=True):
        """Try candidates in a shuffled order; make(c) returns (q, relevant) or None."""
        cands = list(candidates)
        if shuffle:
            self.rng.shuffle(cands)
        n = 0
        for c in cands:
            if n >= k:
                break
            r = make(c)
            if r and self.add(r[0], cat, r[1]):
                n += 1
        if n < k:
            print(f"warning: {cat}: only {n} of {k}", file=sys.stderr)

    @staticmethod
    def rel(*words, grade=2):
        out = []
        for w in words:
            out += SPLIT.get(w, [w])
        return [{"contains": out, "grade": grade}]

    def unambiguous(self, word, letters=None, **kw):
        letters = letters or "".join(toneless(word))
        return self.P.only_within(letters, word, **kw)

    # -- categories
    def hanzi_keyword(self):
        self.take("hanzi_keyword", self.kw, lambda w: (w, self.rel(w)))

    def hanzi_place(self):
        self.take("hanzi_place", self.places, lambda w: (w, self.rel(w)))

    def pairs(self):
        out = set()
        for r in self.recs:
            for t in r["_texts"]:
                for p in self.places:
                    for w in self.kw:
                        if p in t and w in t and p not in w and w not in p:
                            out.add((p, w))
        return sorted(out)

    def place_industry_rel(self, p, w):
        """place + industry: grade 2 for names with both; grade 1 for a cluster of that city or county
        (city/district field) whose name has the industry but not the place (宜昌 酒业 → 枝江酒业)."""
        rel = self.rel(p, w)
        for r in self.recs:
            region = (r.get("city") or "") + "|" + (r.get("district") or "")
            if p in region and any(w in t for t in r["_texts"]) and not any(p in t for t in r["_texts"]):
                rel.append({"contains": [self.unique_pred(r)], "grade": 1})
        return rel

    def place_plus_industry(self):
        def make(pw):
            p, w = pw
            sep = " " if self.rng.random() < 0.5 else ""
            return f"{p}{sep}{w}", self.place_industry_rel(p, w)
        self.take("place_plus_industry", self.pairs(), make)

    def unique_pred(self, rec):
        """A substring of the record's name that matches this record only."""
        for s in [rec.get("short_name"), rec["name"]] + rec.get("aliases", []):
            s = nfkc(s)
            if s and self.J.count(s) == 1 and any(s in t for t in rec["_texts"]):
                return s
        raise AssertionError(rec["name"])

    def builder(self):
        by = collections.defaultdict(list)
        for r in self.recs:
            for b in r.get("builders") or []:
                by[b].append(r)
        generic = lambda b: b.endswith("高新区管委会") and len(by[b]) == 1
        distinct = {"惠州仲恺高新区管委会": "仲恺高新区", "中山翠亨新区人民政府": "翠亨新区",
                    "中山市小榄镇人民政府": "小榄镇", "福建闽东赛岐经开区管委会": "赛岐经开区",
                    "珠海高新区三灶科技园": "三灶科技园", "宁波高新区(新材料科技城)管委会": "新材料科技城",
                    "上海市金山第二工业区管委会": "金山第二工业区", "杨凌农高区管委会": "杨凌农高区",
                    "株洲轨道交通装备制造产业集群运行管理办公室": "株洲轨道交通装备制造产业集群运行管理办公室"}
        cands = []
        for b in sorted(by):
            if generic(b) and b not in distinct:
                continue
            cands.append(distinct.get(b, b))

        def make(qb):
            rs = [r for r in self.recs if any(qb in b for b in r.get("builders") or [])]
            return qb, [{"contains": [self.unique_pred(r)], "grade": 2} for r in rs]
        self.take("builder", cands, make)

    def pinyin_words(self):
        return sorted(set(self.kw + self.places))

    def pinyin_full(self):
        def make(w):
            s = "".join(toneless(w))
            if len(w) < 2 or not self.unambiguous(w, s):
                return None
            return s, self.rel(w)
        self.take("pinyin_full", [w for w in self.pinyin_words() if w not in POLYPHONE_PLACES], make)

    def pinyin_spaced_or_tones(self):
        styles = ["spaced", "Spaced", "marks_spaced", "marks_joined", "digits_joined", "digits_spaced",
                  "Camel", "UPPER", "Marks_spaced"]
        def make(w):
            if len(w) < 2 or not self.unambiguous(w):
                return None
            t = toned(w)
            st = self.rng.choice(styles)
            f = {"spaced": lambda: " ".join(plain(s) for s in t),
                 "Spaced": lambda: " ".join(plain(s).capitalize() for s in t),
                 "marks_spaced": lambda: " ".join(t),
                 "Marks_spaced": lambda: " ".join(s[0].upper() + s[1:] for s in t),
                 "marks_joined": lambda: "".join(t),
                 "digits_joined": lambda: "".join(digits(s) for s in t),
                 "digits_spaced": lambda: " ".join(digits(s) for s in t),
                 "Camel": lambda: "".join(plain(s).capitalize() for s in t),
                 "UPPER": lambda: "".join(plain(s) for s in t).upper()}[st]
            return f(), self.rel(w)
        self.take("pinyin_spaced_or_tones", self.pinyin_words(), make)

    def pinyin_initials(self):
        def make(w):
            if not 3 <= len(w) <= 5:
                return None
            ini = "".join(s[0] for s in toneless(w))
            if not self.P.only_within(ini, w, initials=True):
                return None
            return ini, self.rel(w)
        self.take("pinyin_initials", self.pinyin_words(), make)

    def mixed_hanzi_pinyin(self):
        pairs = self.pairs()
        def make(c):
            kind, x = c
            if kind == "pair":
                p, w = x
                if self.rng.random() < 0.5:       # baoji钛
                    if not self.unambiguous(p):
                        return None
                    return "".join(toneless(p)) + w, self.place_industry_rel(p, w)
                if len(w) >= 2 and self.rng.random() < 0.5 and self.P.only_within("".join(s[0] for s in toneless(w)), w, initials=True):
                    return p + "".join(s[0] for s in toneless(w)), self.place_industry_rel(p, w)   # 常州gf
                if not self.unambiguous(w):
                    return None
                return p + "".join(toneless(w)), self.place_industry_rel(p, w)     # 常州guangfu
            w = x
            if len(w) < 2:
                return None
            sy = toneless(w)
            k = self.rng.randrange(1, len(w))
            mode = self.rng.choice(["hz_py", "py_hz", "ini_hz"])
            # the typed pinyin part must not be readable as anything else next to the hanzi part
            if mode == "hz_py":                     # 陶ci
                q = w[:k] + "".join(sy[k:])
            elif mode == "py_hz":                   # tao瓷
                q = "".join(sy[:k]) + w[k:]
            else:                                   # x余
                q = "".join(s[0] for s in sy[:k]) + w[k:]
            if not self.mixed_ok(q, w):
                return None
            return q, self.rel(w)
        cands = [("pair", pw) for pw in pairs] + [("word", w) for w in self.pinyin_words()]
        self.take("mixed_hanzi_pinyin", cands, make)

    def mixed_ok(self, q, w):
        """Each corpus span that matches the mixed query (hanzi literally, Latin as pinyin or initials)
        is an occurrence of w."""
        # split q into runs
        runs, cur = [], ""
        for ch in q:
            if cur and (ch.isascii() != cur[-1].isascii()):
                runs.append(cur); cur = ""
            cur += ch
        runs.append(cur)
        found = False
        for t in self.P.texts:
            for i in range(len(t)):
                for end in self._mixed_walk(t, i, runs, 0):
                    if t[i:i + len(w)] != w:
                        return False
                    found = True
        return found

    def _mixed_walk(self, t, j, runs, k):
        if k == len(runs):
            yield j; return
        r = runs[k]
        if not r.isascii():
            if t.startswith(r, j):
                yield from self._mixed_walk(t, j + len(r), runs, k + 1)
            return
        ends = set(self.P._walk(t, j, r, False, False)) | set(self.P._walk(t, j, r, False, True))
        for e in sorted(ends):
            yield from self._mixed_walk(t, e, runs, k + 1)

    def typo_variants(self, s, sy):
        out = []
        for i in range(1, len(s) - 1):                                   # swap
            if s[i] != s[i + 1]:
                out.append(("swap", s[:i] + s[i + 1] + s[i] + s[i + 2:]))
        for i in range(1, len(s)):                                       # missing
            out.append(("missing", s[:i] + s[i + 1:]))
        for i in range(1, len(s)):                                       # extra (doubled or neighbour key)
            out.append(("extra", s[:i] + s[i - 1] + s[i:]))
        kb = "qwertyuiop asdfghjkl zxcvbnm".split()
        near = {}
        for row in kb:
            for a, b in zip(row, row[1:]):
                near.setdefault(a, []).append(b); near.setdefault(b, []).append(a)
        for i in range(1, len(s)):                                       # wrong (keyboard neighbour)
            for c in near.get(s[i], []):
                out.append(("wrong", s[:i] + c + s[i + 1:]))
        fz = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("l", "n")]
        fin = [("ing", "in"), ("in", "ing"), ("eng", "en"), ("en", "eng"), ("ang", "an"), ("an", "ang")]
        for i, syl in enumerate(sy):
            for a, b in fz:
                if syl.startswith(a) and not (a in "zcs" and syl.startswith(a + "h")):
                    out.append(("fuzzy", "".join(sy[:i] + [b + syl[len(a):]] + sy[i + 1:])))
            for a, b in fin:
                if syl.endswith(a) and not (a == "in" and syl.endswith("ing")) and not (a == "en" and syl.endswith("eng")) \
                        and not (a == "an" and syl.endswith("ang")):
                    out.append(("fuzzy", "".join(sy[:i] + [syl[:-len(a)] + b] + sy[i + 1:])))
        return out

    def pinyin_typo(self):
        kinds = ["swap", "missing", "extra", "wrong", "fuzzy"]
        def make(w):
            sy = toneless(w)
            s = "".join(sy)
            if len(s) < 5 or len(w) < 2 or not self.unambiguous(w, s):
                return None
            kind = kinds[len(self.out) % len(kinds)]
            vs = sorted({v for k, v in self.typo_variants(s, sy) if k == kind and v != s})
            self.rng.shuffle(vs)
            for v in vs:
                # the typo must not spell (or start to spell) any corpus string exactly
                # nor abbreviate any OTHER corpus string (zhzhou = zh+zhou also spells 郑州)
                if not self.P.any_match(v, partial_end=True) and not self.P.any_match(v, initials=True) \
                        and all(t[i:i + len(w)] == w for t, i, _ in self.P.windows(v, initials="abbrev")):
                    return v, self.rel(w)
            return None
        self.take("pinyin_typo", self.pinyin_words(), make)

    def common_chars(self):
        if hasattr(self, "_common"):
            return self._common
        freq = collections.Counter()
        import jieba
        with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fp:
            for line in fp:
                parts = line.split()
                if len(parts) >= 2:
                    for ch in parts[0]:
                        freq[ch] += int(parts[1])
        level1 = set()
        for hi in range(0xB0, 0xD8):
            for lo in range(0xA1, 0xFF):
                try:
                    level1.add(bytes([hi, lo]).decode("gb2312"))
                except UnicodeDecodeError:
                    pass
        by = collections.defaultdict(list)
        for ch in level1:
            main = plain(pinyin(ch, style=Style.TONE)[0][0])
            by[main].append(ch)
        for k in by:
            by[k].sort(key=lambda c: (-freq[c], c))
        self._common = by
        return by

    def homophone_typo(self):
        by = self.common_chars()
        def make(w):
            if not 2 <= len(w) <= 3:
                return None
            sy = toneless(w)
            pos = list(range(len(w)))
            self.rng.shuffle(pos)
            for i in pos:
                alts = [c for c in by.get(sy[i], []) if c != w[i]][:4]
                self.rng.shuffle(alts)
                for c in alts:
                    q = w[:i] + c + w[i + 1:]
                    if not self.J.occurs(q):
                        return q, self.rel(w)
            return None
        self.take("homophone_typo", self.pinyin_words(), make)

    def trad_table(self):
        inv = collections.defaultdict(set)
        with open(ROOT / "index" / "data" / "t2s_chars.tsv", encoding="utf-8") as fp:
            for line in fp:
                if line.startswith("#") or not line.strip():
                    continue
                t, s = line.rstrip("\n").split("\t")
                if t != s:
                    inv[s].add(t)
        return inv

    def traditional(self):
        inv = self.trad_table()
        def make(w):
            out = []
            for ch in w:
                ts = sorted(inv.get(ch, ()))
                if not ts:
                    out.append(ch)
                elif ch in TRAD_PICK:
                    out.append(TRAD_PICK[ch])
                elif len(ts) == 1:
                    out.append(ts[0])
                else:
                    return None
            q = "".join(out)
            return (q, self.rel(w)) if q != w else None
        self.take("traditional", self.pinyin_words(), make)

    def polyphone_place(self):
        def make(w):
            t = toned(w)
            s = "".join(plain(x) for x in t)
            if w == "台州":   # taizhou is also 泰州: both are what the user may mean
                return s, [{"contains": ["台州"], "grade": 2}, {"contains": ["泰州"], "grade": 2}]
            if not self.unambiguous(w, s):
                return None
            r = self.rng.random()
            q = s if r < 0.6 else (" ".join(plain(x) for x in t) if r < 0.8 else s.capitalize())
            return q, self.rel(w)
        rest = [w for w in POLYPHONE_PLACES if w not in POLYPHONE_CORE]
        self.rng.shuffle(rest)
        self.take("polyphone_place", POLYPHONE_CORE + rest, make, shuffle=False)

    def prefix_typeahead(self):
        def make(w):
            if len(w) < 2:
                return None
            if self.rng.random() < 0.45:        # hanzi: first char(s) of a distinctive word
                k = 1 if len(w) == 2 else self.rng.randrange(1, len(w) - 1)
                pre = w[:k]
                # every corpus occurrence of the prefix must be the start of the word
                if any(t.count(pre) != t.count(w) for t in self.P.texts):
                    return None
                return pre, self.rel(w)
            sy = toneless(w)
            k = self.rng.randrange(1, len(sy))     # full syllables before the cut
            last = sy[k]
            if len(last) < 2:
                return None
            cut = self.rng.randrange(1, len(last))
            pre = "".join(sy[:k]) + last[:cut]
            if len(pre) < 3 or not self.P.only_within(pre, w, partial_end=True):
                return None
            return pre, self.rel(w)
        self.take("prefix_typeahead", self.pinyin_words(), make)

    def synonym_abbrev(self):
        S = [  # query, [(contains, grade)] - judged as a user would, not from synonyms.txt
            ("电动车", [(["电动车"], 2), (["新能源汽车"], 1)]),
            ("手机", [(["智能终端"], 1), (["信息终端"], 1)]),
            ("芯片", [(["集成电路"], 1), (["半导体"], 1)]),
            ("锂电池", [(["锂电"], 1)]),
            ("新能源车", [(["新能源", "汽车"], 1)]),
            ("电动汽车", [(["新能源", "汽车"], 1)]),
            ("汽配", [(["汽配"], 2), (["汽车零部件"], 1), (["汽车配件"], 1), (["汽车", "零部件"], 1)]),
            ("汽车配件", [(["汽车配件"], 2), (["汽配"], 1), (["汽车零部件"], 1), (["汽车", "零部件"], 1)]),
            ("太阳能", [(["太阳能"], 2), (["光伏"], 1)]),
            ("无纺布", [(["无纺布"], 2), (["非织造布"], 1)]),
            ("非织造布", [(["非织造布"], 2), (["无纺布"], 1)]),
            ("瓷器", [(["陶瓷"], 1), (["白瓷"], 1), (["剑瓷"], 1)]),
            ("中药", [(["中药"], 2), (["中成药"], 1), (["中藏药"], 1), (["民族药"], 1)]),
            ("袜子", [(["袜业"], 1)]),
            ("摩托车", [(["汽摩"], 1)]),
            ("高铁", [(["轨道交通"], 1)]),
            ("风电", [(["风能"], 1)]),
            ("美妆", [(["化妆品"], 1)]),
            ("家用电器", [(["家电"], 1)]),
            ("卫浴", [(["洁具"], 1), (["水暖厨卫"], 1)]),
            ("雨伞", [(["伞"], 1)]),
            ("床上用品", [(["家纺"], 1), (["寝具"], 1)]),
            ("白酒", [(["酒业"], 1)]),
            ("茶叶", [(["茶"], 1)]),
            ("蘑菇", [(["香菇"], 1)]),
            ("造船", [(["造船"], 2), (["船舶"], 1)]),
            ("农业机械", [(["农业机械"], 2), (["农机"], 1)]),
            ("石化", [(["石化"], 2), (["石油化工"], 1)]),
            ("智能制造", [(["智能制造"], 2), (["智造"], 1)]),
            ("电线", [(["电缆"], 1)]),
            ("显示屏", [(["显示"], 1)]),
            ("LED", [(["半导体发光"], 1), (["智能照明"], 1)]),
            ("IC", [(["集成电路"], 1)]),
            ("5G", [(["通信"], 1)]),
            ("医疗设备", [(["医疗器械"], 1)]),
            ("大理石", [(["石材"], 1)]),
            ("飞机", [(["直升机"], 1), (["航空"], 1)]),
        ]
        def make(item):
            q, preds = item
            return q, [{"contains": c, "grade": g} for c, g in preds]
        self.take("synonym_abbrev", S, make, k=len([x for x in S if x[0] not in self.seen]))

    def natural_language(self):
        cands = []
        for prov in PROVINCE_TERMS:
            for w in self.kw:
                n_in = sum(1 for r in self.recs if prov in (r.get("province") or "") and any(w in t for t in r["_texts"]))
                if n_in:
                    cands.append((prov, w))
        templates = ["{p} {w}", "{p}的{w}产业", "{p}有哪些{w}集群", "{p}有什么{w}产业集群", "我想找{p}的{w}企业",
                     "{p}{w}产业集群有哪些", "查一下{p}的{w}", "{w}产业集群 {p}", "{p}哪里有{w}产业"]
        def make(c):
            p, w = c
            q = self.rng.choice(templates).format(p=p, w=w)
            cw = SPLIT.get(w, [w])
            return q, [{"contains": cw, "grade": 2, "province": p}, {"contains": cw, "grade": 1}]
        self.take("natural_language", cands, make)

    def no_match(self):
        hanzi = ["区块链火星", "银河系旅游", "奶茶", "火锅", "咖啡", "巧克力", "演唱会", "恐龙化石", "瑜伽馆", "寿司",
                 "婚纱摄影", "熊猫基地", "披萨", "烤鸭", "电竞", "动漫", "钢琴", "宠物医院", "月球基地", "冰淇淋",
                 "潜水艇乐园", "婴儿奶粉", "足球俱乐部", "泡泡糖", "魔术表演"]
        latin = ["xyzzy", "qwzxv", "vvkqx", "zxqvw", "kafei", "huoguo", "naicha", "qiaokeli", "pisa", "kaoya",
                 "dianjing", "yanchanghui", "lorem ipsum", "foobar", "pokemon",
                 "qqqq", "zzxxv", "hello world", "kkvvz"]
        def make(q):
            if not any(ch.isascii() for ch in q):
                # hanzi: no 2-character string of it in the corpus (区块链火星 is the one deliberate
                # AND-query: 区块链 exists, 区块链火星 does not) and no homophone of it in the corpus
                if q != "区块链火星" and any(self.J.occurs(q[i:i + 2]) for i in range(len(q) - 1)):
                    return None
                if self.J.occurs(q) or self.near_corpus_pinyin("".join(toneless(q)), lim=0):
                    print(f"no_match: dropped {q!r} (homophone in the corpus)", file=sys.stderr)
                    return None
                return q, []
            # Latin: no corpus string reads as it (any reading), starts to read as it, spells it
            # with initials, or is within a typo or two of it
            s = q.replace(" ", "").lower()
            if self.P.any_match(s, partial_end=True) or self.P.any_match(s, initials="abbrev") \
                    or self.near_corpus_pinyin(s):
                print(f"no_match: dropped {q!r} (near a corpus reading)", file=sys.stderr)
                return None
            return q, []
        self.take("no_match", hanzi + latin, make, k=PER_CAT + 2)

    def near_corpus_pinyin(self, s, lim=None):
        if not hasattr(self, "_grams"):
            grams = set()
            for t in self.P.texts:
                sy = [x[0] for x in pinyin(t, style=Style.NORMAL)]
                for i in range(len(t)):
                    for n in range(1, 5):
                        if i + n <= len(t):
                            grams.add("".join(sy[i:i + n]).lower())
            self._grams = grams
        if lim is None:
            lim = 2 if len(s) >= 5 else 1
        return any(abs(len(g) - len(s)) <= lim and osa(g, s) <= lim for g in self._grams)


def osa(a, b):
    """Optimal-string-alignment (Damerau) distance."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            c = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + c)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", help="JSONL export of the corpus (default: run `clsearch export`)")
    ap.add_argument("--dev", default="/work/shared/eval/dev_queries.jsonl", help="public set: its queries are not repeated")
    ap.add_argument("--out", default=str(HERE / "generated_queries.jsonl"))
    a = ap.parse_args()
    recs = load_corpus(a.corpus)
    dev = [json.loads(l)["q"] for l in open(a.dev, encoding="utf-8")] if a.dev and os.path.exists(a.dev) else []
    g = Gen(recs, dev)
    for cat in ["hanzi_keyword", "hanzi_place", "place_plus_industry", "builder", "pinyin_full",
                "pinyin_spaced_or_tones", "pinyin_initials", "mixed_hanzi_pinyin", "pinyin_typo", "homophone_typo",
                "traditional", "polyphone_place", "prefix_typeahead", "synonym_abbrev", "natural_language", "no_match"]:
        getattr(g, cat)()
    with open(a.out, "w", encoding="utf-8") as fp:
        for q in g.out:
            fp.write(json.dumps(q, ensure_ascii=False) + "\n")
    cats = collections.Counter(q["cat"] for q in g.out)
    print(f"{len(g.out)} queries from {len(recs)} records -> {a.out}")
    print(", ".join(f"{c} {n}" for c, n in cats.items()))


if __name__ == "__main__":
    main()
