"""Index-time memos of jieba's and pypinyin's work (index.vocab.SuffixRoutes, index.readings):
the same words and readings as the libraries' own code, text for text."""

from __future__ import annotations

import itertools

import jieba
import pytest

from index.readings import Reader, _greedy_step
from index.vocab import make_tokenizer

PLACES = ("义乌", "义乌市", "长治市", "单县", "重庆市长寿区", "乐清", "中关村", "桐乡", "高要", "张家口")
MIDDLES = ("", "高新区", "经开区", "产业园", "综合保税区")
INDUSTRIES = ("袜业", "锂电池", "建筑陶瓷", "移动互联网", "微波通信", "汽车零部件", "白瓷", "长治")
ENDS = ("产业集群", "创新型产业集群", "特色产业集群", "先进制造业集群", "")
ODD = ("", "a", "锂电a池", "abc123 锂电", "x1y2产业集群", "中关村 IT 产业", "ＡＢＣ产业", " \r\n 锂电\t池 ",
       "C++产业 .NET", "锂电-池_a%b", "〇一二", "𠀀锂电", "产业集群产业集群产业集群", "长治长治长治", "一")


@pytest.fixture(scope="module")
def texts(corpus) -> list[str]:
    made = ["".join(parts) for parts in itertools.product(PLACES, MIDDLES, INDUSTRIES, ENDS)]
    seeds = [t for r in corpus.records for t in (r.name, *r.aliases, *r.builders) if t]
    return made + seeds + list(ODD) + made  # twice: the second time through remembered ends


def test_jieba_cuts_with_remembered_ends_are_jiebas(texts, jieba_cache):
    tok = make_tokenizer(jieba_cache)
    plain = [jieba.Tokenizer.lcut(tok, t, HMM=False) for t in texts]  # the class's cut, not the memo's
    assert [tok.lcut(t, HMM=False) for t in texts] == plain
    assert [list(tok.tokenize(t, HMM=False)) for t in texts[:300]] == [
        list(jieba.Tokenizer.tokenize(tok, t, HMM=False)) for t in texts[:300]]
    routes = tok._Tokenizer__cut_DAG_NO_HMM.__self__
    assert 0 < len(routes._ends) <= routes.LIMIT
    assert tok.lcut("义乌市袜业产业集群", HMM=False) == ["义乌市", "袜业", "产业集群"]


def _reference_read(reader: Reader, text: str) -> list[tuple[str, ...]]:
    """What `Reader.read` did before its memos: pypinyin piece by piece, then our table."""
    from index.text import is_han

    out: list[tuple[str, ...]] = [()] * len(text)
    i = 0
    while i < len(text):
        if not is_han(text[i]):
            i += 1
            continue
        j = i
        while j < len(text) and is_han(text[j]):
            j += 1
        run = text[i:j]
        base = [syl for piece in reader._segment(run) for syl in reader._phrase(piece)]
        assert len(base) == len(run)
        k = 0
        while k < len(run):
            for n in range(min(reader._max_word, len(run) - k), 1, -1):
                if run[k:k + n] in reader.overrides:
                    base[k:k + n] = reader.overrides[run[k:k + n]]
                    k += n - 1
                    break
            k += 1
        for k, primary in enumerate(base):
            alts = reader.char_readings(run[k])
            out[i + k] = tuple(dict.fromkeys(([primary] if primary else []) + list(alts)))
        i = j
    return out


def test_readings_with_remembered_ends_are_pypinyins(texts):
    from pypinyin.seg import mmseg

    reader = Reader()
    words = list(reader.overrides)
    more = words + [w + end for w in words[:100] for end in ("产业集群", "市", "")]
    assert [reader.read(t) for t in texts + more] == [_reference_read(reader, t) for t in texts + more]
    for text in texts:  # the first step of pypinyin's own segmentation
        if text and all("\u4e00" <= c <= "\u9fff" for c in text):
            assert _greedy_step(text, *reader._greedy)[0] == next(mmseg.seg.cut(text))
    assert reader.read("长治市袜业产业集群") == [("chang", "zhang"), ("zhi", "chi"), ("shi", "fu"), ("wa", "mo"),
                                                 ("ye",), ("chan",), ("ye",), ("ji",), ("qun",)]  # our table: chang zhi
    assert reader._rests  # ends of runs were remembered


def test_cuts_made_in_another_process_are_the_tokenizers(texts, jieba_cache, monkeypatch):
    import os

    import index.vocab
    import index.workers
    from index.vocab import Cuts, cut_words

    monkeypatch.setattr(index.workers, "_forkable", lambda: True)
    tok = make_tokenizer(jieba_cache)
    asked = sorted(set(texts[:400]))
    cuts = Cuts.start(jieba_cache)
    assert cuts is not None
    cuts.ask(asked)
    cuts.ask(["not asked: a second call is ignored"])
    assert [cuts.get(t) for t in asked] == [cut_words(tok, t) for t in asked]
    assert cuts.get("七台河石墨烯产业集群") is None  # not asked: the caller cuts it itself
    cuts.stop()
    assert cuts.get(asked[0]) == cut_words(tok, asked[0])  # the answer is kept after the process ends

    unasked = Cuts.start(jieba_cache)  # never asked: stopped at once, nothing to answer
    assert unasked is not None
    unasked.stop()
    assert unasked.get(asked[0]) is None

    monkeypatch.setattr(index.vocab, "_cut_texts", lambda conn, cache_dir: os._exit(3))
    dead = Cuts.start(jieba_cache)  # its process dies without a word: nothing is answered
    assert dead is not None
    dead.ask(asked)
    assert dead.get(asked[0]) is None
    dead.stop()

    monkeypatch.setattr(index.workers, "_forkable", lambda: False)
    assert Cuts.start(jieba_cache) is None  # a server's thread: no fork, jieba is loaded where it is needed
