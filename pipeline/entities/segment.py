"""Word segmentation with jieba and the project's domain dictionary, loaded once per process.

One private ``jieba.Tokenizer`` per distinct dictionary (:func:`jieba_for`) serves every consumer
in the process: the ORG rules and the NER model segment each notice once (:func:`tokens`, cached
for the last few texts), and the measure classifier's word features use the same tokenizer object
when its stored dictionary entries equal the domain dictionary's (they do for a model trained on
the current file). The global ``jieba.dt`` is never touched (other code in the same process may
use jieba with its own dictionary), and ``jieba.posseg`` is never imported: importing it builds a
second tag table from jieba's 350k-line dictionary; :func:`word_tags` reads the tags once and keeps
them in jieba's own cache folder.
"""
from __future__ import annotations

import functools
import hashlib
import io
import logging
import marshal
import os
import tempfile
import threading
from pathlib import Path

import jieba

from pipeline.errors import PipelineError

DOMAIN_DICT = Path(__file__).resolve().parent / "lexicons" / "domain_dict.txt"
TAG_CACHE_PREFIX = "rectify-word-tags-"

jieba.setLogLevel(logging.WARNING)


def read_domain_dict(path: str | Path = DOMAIN_DICT) -> tuple[str, ...]:
    """Entries of a jieba user dictionary as ``"word [freq] [tag]"`` lines (``#`` comments and blank
    lines dropped, tabs read as spaces). Missing file: no entries."""
    path = Path(path)
    if not path.exists():
        return ()
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) > 3 or (len(fields) == 3 and not fields[1].isdigit()):
            raise PipelineError(f"{path}:{number}: expected 'word [freq] [tag]', got {raw!r}")
        entries.append(" ".join(fields))
    return tuple(entries)


_TOKENIZERS: dict[tuple[str, ...], jieba.Tokenizer] = {}
_TOKENIZERS_LOCK = threading.Lock()


def jieba_for(entries: tuple[str, ...]) -> jieba.Tokenizer:
    """A private ``jieba.Tokenizer`` with ``entries`` loaded, one per distinct dictionary."""
    with _TOKENIZERS_LOCK:
        tok = _TOKENIZERS.get(entries)
        if tok is None:
            tok = jieba.Tokenizer()
            tok.initialize()
            if entries:
                tok.load_userdict(io.StringIO("\n".join(entries) + "\n"))
            _TOKENIZERS[entries] = tok
        return tok


def tokenizer() -> jieba.Tokenizer:
    """The tokenizer with the domain dictionary (``lexicons/domain_dict.txt``)."""
    return jieba_for(_domain_entries())


@functools.cache
def _domain_entries() -> tuple[str, ...]:
    return read_domain_dict(DOMAIN_DICT)


def _read_tag_table(dict_file: str) -> dict[str, str]:
    tags = {}
    with open(dict_file, "rb") as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 3:
                tags[parts[0]] = parts[2]
    return tags


def _cached_tag_table() -> dict[str, str]:
    """jieba's dictionary tags, cached (marshal, like jieba's own cache) next to jieba's cache and
    keyed by the dictionary file's path, size and modification time."""
    dict_file = os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), jieba.DEFAULT_DICT_NAME)
    stat = os.stat(dict_file)
    key = hashlib.sha1(f"{dict_file}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cache = Path(getattr(jieba.dt, "tmp_dir", None) or tempfile.gettempdir()) / f"{TAG_CACHE_PREFIX}{key}.cache"
    try:
        with cache.open("rb") as handle:
            tags = marshal.load(handle)
        if isinstance(tags, dict):
            return tags
    except (OSError, EOFError, ValueError, TypeError):
        pass
    tags = _read_tag_table(dict_file)
    try:  # best effort: a read-only temp folder only costs the next process the same read
        fd, tmp = tempfile.mkstemp(prefix=cache.name, dir=cache.parent)
        with os.fdopen(fd, "wb") as handle:
            marshal.dump(tags, handle)
        os.replace(tmp, cache)
    except OSError:
        pass
    return tags


@functools.cache
def word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each dictionary word (``ns`` place, ``v`` verb, ...), with the
    domain dictionary's tags over them."""
    tags = dict(_cached_tag_table())
    for entry in _domain_entries():
        parts = entry.split()
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
