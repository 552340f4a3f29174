"""jieba's prefix dictionary and tag table load from the project's fast caches and equal what jieba
itself builds; a missing or damaged cache is rebuilt, never trusted."""
from __future__ import annotations

import io

import jieba
import pytest

from pipeline.entities import segment


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(jieba.dt, "tmp_dir", str(tmp_path))
    return tmp_path


def _jieba_own(entries):
    tok = jieba.Tokenizer()
    tok.initialize()
    tok.load_userdict(io.StringIO("\n".join(entries) + "\n"))
    return tok


def test_prefix_dict_from_the_cache_equals_jiebas(cache_dir):
    built = segment._prefix_dict()  # no cache yet: jieba builds it, the cache is written
    written = sorted(p.name for p in cache_dir.iterdir())
    assert len(written) == 1 and written[0].startswith("rectify-jieba-prefix-")
    loaded = segment._prefix_dict()  # from the cache
    own = jieba.Tokenizer()
    own.initialize()
    for freq, total in (built, loaded):
        assert total == own.total
        assert freq == own.FREQ
        assert list(freq)[:1000] == list(own.FREQ)[:1000]


def test_a_tokenizer_from_the_cache_cuts_as_jieba_does(cache_dir):
    entries = ("巡察整改 100 n", "立行立改 50")
    segment._prefix_dict()
    ours = segment.jieba_for(entries)
    try:
        own = _jieba_own(entries)
        text = "区委第四巡察组反馈意见后，巡察整改工作立行立改，追缴资金12.5万元。"
        assert ours.lcut(text) == own.lcut(text)
        assert list(ours.tokenize(text, HMM=True)) == list(own.tokenize(text, HMM=True))
        assert ours.FREQ == own.FREQ and ours.total == own.total
    finally:
        segment._TOKENIZERS.pop(entries, None)


def test_tag_table_from_the_cache_equals_the_dictionary_file(cache_dir):
    first = segment._cached_tag_table()
    again = segment._cached_tag_table()
    expected = segment._read_tag_table(segment._jieba_dict_file())
    assert first == expected and again == expected
    assert again["北京"] == "ns"


@pytest.mark.parametrize("damage", [b"", b"not marshal", None])
def test_a_damaged_cache_is_rebuilt(cache_dir, damage):
    import marshal
    path = segment._cache_path("tags")
    path.write_bytes(marshal.dumps((b"a\nb", b"n")) if damage is None else damage)  # None: lengths differ
    assert segment._cached_tag_table() == segment._read_tag_table(segment._jieba_dict_file())
    assert segment._read_blobs(path, 2) is not None  # rewritten whole
