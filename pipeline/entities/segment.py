"""Word segmentation with jieba and the project's domain dictionary, loaded once per process.

A private ``jieba.Tokenizer`` keeps the global jieba untouched (other code in the same process
may use jieba with its own dictionary). ``tokens(text)`` yields ``(word, start, end)``.
"""
from __future__ import annotations

import functools
from pathlib import Path
import logging

import jieba
import jieba.posseg


DOMAIN_DICT = Path(__file__).resolve().parent / "lexicons" / "domain_dict.txt"

jieba.setLogLevel(logging.WARNING)


@functools.cache
def tokenizer() -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.initialize()
    tok.load_userdict(str(DOMAIN_DICT))
    return tok


@functools.cache
def word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each dictionary word (``ns`` place, ``v`` verb, ...)."""
    pos = jieba.posseg.POSTokenizer(tokenizer())
    tags = dict(pos.word_tag_tab)
    with DOMAIN_DICT.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3:
                tags[parts[0]] = parts[2]
    return tags


@functools.lru_cache(maxsize=8)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple(tokenizer().tokenize(text, HMM=True))


def tokens(text: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` for every word; the last few texts are cached, because the ORG rules,
    the NER model and the Doc builder all segment the same notice."""
    return list(_tokens(text))
