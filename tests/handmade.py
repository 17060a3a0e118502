"""Hand-made query-layer values for the stage tests: a tiny lexicon and prepared documents.

No index build, no jieba, no pypinyin: readings are written out here, so each stage test
states exactly what the stage sees.
"""

from __future__ import annotations

from index.format import CharmapData, FieldKind, LexiconData, StoredDoc
from index.prepare import prepare_field
from search.lexicon import Lexicon

# char → readings, the usual one first
READINGS = {
    "新": ("xin",), "余": ("yu",), "动": ("dong",), "力": ("li",), "电": ("dian",), "池": ("chi",),
    "锂": ("li",), "江": ("jiang",), "苏": ("su",), "机": ("ji",), "器": ("qi",), "人": ("ren",),
    "常": ("chang",), "州": ("zhou",), "光": ("guang",), "伏": ("fu",), "厦": ("xia", "sha"),
    "门": ("men",), "长": ("chang", "zhang"), "沙": ("sha",), "宝": ("bao",), "鸡": ("ji",),
    "钛": ("tai",), "青": ("qing",), "岛": ("dao",), "海": ("hai",), "洋": ("yang",),
    "产": ("chan",), "业": ("ye",), "集": ("ji",), "群": ("qun",), "省": ("sheng", "xing"),
}
PYWORDS = {"xinyu": ["新余"], "lidian": ["锂电"], "jiangsu": ["江苏"], "jiqiren": ["机器人"],
           "jiqi": ["机器"], "changzhou": ["常州"], "guangfu": ["光伏"], "xiamen": ["厦门"],
           "baoji": ["宝鸡"], "qingdao": ["青岛"], "changsha": ["长沙"], "dongli": ["动力"],
           "dianchi": ["电池"], "haiyang": ["海洋"]}


def lexicon(**changes: object) -> Lexicon:
    data = LexiconData(
        vocab=frozenset(w for ws in PYWORDS.values() for w in ws) | {"产业集群", "有哪些"},
        chars=dict(READINGS),
        pywords=dict(PYWORDS),
        synonyms={"锂电池": ["锂电"]},
        stopwords=frozenset({"的", "有哪些", "产业集群"}),
        places=frozenset({"江苏", "常州", "新余", "厦门", "长沙", "宝鸡", "青岛"}),
    )
    data = LexiconData(**{**data.__dict__, **changes})  # type: ignore[arg-type]
    # 夏 is outside the corpus: its reading comes from the full table, as 鋰 → 锂 does
    charmap = CharmapData(pinyin={"夏": "xia", "里": "li", "鋰": "li", "龙": "long", "虾": "xia"},
                          t2s={"鋰": "锂", "電": "电"})
    return Lexicon.from_data(data, charmap)


# readings of characters only documents hold (the query lexicon above never saw them)
DOC_ONLY = {"夏": ("xia",), "西": ("xi",)}


def read(text: str) -> list[tuple[str, ...]]:
    return [READINGS.get(c) or DOC_ONLY.get(c, ()) for c in text]


def doc(id: str, name: str, words: list[str] | None = None, builder: str | None = None,
        place: str | None = None, aliases: tuple[str, ...] = ()) -> StoredDoc:
    """A stored document as the indexer would write it; `words` give the word bounds."""
    def bounds(text: str, cut: list[str] | None) -> set[int]:
        out, at = set(), 0
        for w in cut or [text]:
            at = text.index(w, at)
            out |= {at, at + len(w)}
            at += len(w)
        return out

    fields = [(FieldKind.NAME.value, name, words)] + [(FieldKind.ALIAS.value, a, None) for a in aliases]
    if builder:
        fields.append((FieldKind.BUILDER.value, builder, None))
    if place:
        fields.append((FieldKind.PLACE.value, place, place.split()))
    return StoredDoc(id=id, name=name, aliases=aliases, province=None, city=None, district=None,
                     builder=builder, type=None, program="test", lists=("test",), year=2021,
                     fields=tuple(prepare_field(kind, text, read(text), bounds(text, cut))
                                  for kind, text, cut in fields))
