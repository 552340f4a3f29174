"""The NER model: deterministic tiny training, save/load, load errors, offsets into the text."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ModelLoadError
from pipeline.annotation.gold import load_gold
from pipeline.entities.ner import NerModel, NerParams, chunks
from pipeline.training.ner import make_examples, train_model
from pipeline.entities.segmenters import segment
from pipeline.read.textnorm import matching_text

GOLD = Path(__file__).resolve().parent.parent / "annotations" / "gold.jsonl"
TINY = dict(epochs=10, width=48, depth=2, embed_size=1000, hidden_width=48, negatives=0.0)


def pick_three(gold):
    """Three small written notices, the one in traditional characters first (if annotated)."""
    from pipeline.read.textnorm import matching_text
    written = sorted((g for g in gold if g.origin == "written"), key=lambda g: len(g.text))
    trad = [g for g in written if matching_text(g.text) != g.text]
    rest = [g for g in written if g not in trad[:1]]
    return (trad[:1] + rest)[:3]


@pytest.fixture(scope="module")
def notices():
    three = pick_three(load_gold(GOLD))  # the gold ships with the repository
    assert len(three) == 3
    return three


@pytest.fixture(scope="module")
def tiny(notices):
    return NerModel(train_model(notices, NerParams(seed=0, segmenter="char", **TINY)), "char")


def test_segmenters_cover_the_text():
    text = "市纪委监委和市委组织部\n　召开会议。"
    for name in ("char", "jieba"):
        toks = segment(text, name)
        assert toks[0][0] == 0 and toks[-1][1] == len(text)
        assert all(a[1] == b[0] for a, b in zip(toks, toks[1:]))


def test_char_segmentation_aligns_every_gold_span(notices):
    from spacy.lang.zh import Chinese
    from pipeline.training.ner import Alignment
    align = Alignment()
    make_examples(Chinese(), notices, NerParams(negatives=1.0, segmenter="char"), align)
    assert align.gold > 0 and align.lost == []


def test_training_is_deterministic(notices, tiny):
    again = NerModel(train_model(notices, NerParams(seed=0, segmenter="char", **TINY)), "char")
    assert again.nlp.get_pipe("ner").to_bytes() == tiny.nlp.get_pipe("ner").to_bytes()
    text = notices[1].text
    assert [(e.start, e.end) for e in again.predict(text)] == [(e.start, e.end) for e in tiny.predict(text)]


def test_offsets_slice_the_original_text(notices, tiny):
    g = notices[0]  # in traditional characters if such a notice is annotated: the model reads mtext
    ents = tiny.predict(g.text, matching_text(g.text))
    assert ents, "a model trained on this notice finds some ORG in it"
    for e in ents:
        assert e.label == "ORG" and e.source == "model:ner"
        assert g.text[e.start:e.end] == e.text and e.text.strip() == e.text
    for s, e in chunks(matching_text(g.text)):
        assert 0 <= s < e <= len(g.text)


def test_save_load_predicts_the_same(notices, tiny, tmp_path):
    tiny.save(tmp_path / "ner")
    loaded = NerModel.load(tmp_path / "ner")
    assert loaded.segmenter == "char"
    text = notices[2].text
    assert [(e.start, e.end, e.label) for e in loaded.predict(text)] == \
           [(e.start, e.end, e.label) for e in tiny.predict(text)]


def test_missing_and_corrupt_model_dirs(tmp_path, tiny):
    with pytest.raises(ModelLoadError, match="nowhere"):
        NerModel.load(tmp_path / "nowhere")
    tiny.save(tmp_path / "bad")
    weights = tmp_path / "bad" / "ner" / "model"
    weights.write_bytes(b"not a model")
    with pytest.raises(ModelLoadError) as info:
        NerModel.load(tmp_path / "bad")
    assert str(tmp_path / "bad") in str(info.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="config.cfg"):
        NerModel.load(tmp_path / "empty")


def test_saved_model_loads_and_predicts():
    path = Path(__file__).resolve().parent.parent / "models" / "ner"  # shipped with the repository
    model = NerModel.load(path)
    text = "经研究，市纪委监委和市委组织部联合印发通知。"
    for e in model.predict(text, matching_text(text)):
        assert text[e.start:e.end] == e.text
