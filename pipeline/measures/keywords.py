"""The transparent keyword baseline for measure labels.

Every rule lives in the data file ``pipeline/measures/lexicons/measure_keywords.tsv`` (one rule a line:
``label<TAB>kind<TAB>pattern[<TAB>note]``, kinds ``word``, ``near`` and ``regex``; the file's
header explains them). The baseline labels a measure with every label that has a matching rule
(matched on :func:`pipeline.read.textnorm.matching_text`, so traditional characters match the
simplified patterns), and :meth:`KeywordBaseline.explain` tells which rule fired, so each
prediction can be checked by eye against the guideline (ANNOTATION.md, "Measures").

Example::

    >>> from pipeline.measures.keywords import KeywordBaseline
    >>> kb = KeywordBaseline.default()
    >>> kb.predict(["已完善相关内部制度。", "完善了预拨征拆资金的相关资料。"])
    [['institution_building'], []]
    >>> kb.explain("追缴违纪资金35.4万元，问责7人。")
    [('accountability', '问责'), ('fund_recovery', '追缴')]
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.read.textnorm import matching_text
from pipeline.types import MEASURE_LABELS


from pipeline.errors import LexiconError  # noqa: E402,F401  (raised here)


KEYWORDS_PATH = Path(__file__).resolve().parent / "lexicons" / "measure_keywords.tsv"

KINDS = ("word", "near", "regex")
NEAR_SEPARATOR = "…"
NEAR_MAX_GAP = 25  # characters allowed between two parts of a ``near`` rule
CLAUSE_BREAKS = "，。；！？,;!?\n"


@dataclass(frozen=True)
class KeywordRule:
    """One line of the keyword table."""

    label: str
    kind: str
    pattern: str  # as written in the file; this is what ``explain`` reports
    regex: re.Pattern
    line: int
    note: str = ""


def _compile(kind: str, pattern: str) -> re.Pattern:
    if kind == "word":
        return re.compile(re.escape(pattern))
    if kind == "regex":
        return re.compile(pattern)
    # near: ordered parts, each a "|"-list of literal alternatives
    parts = pattern.split(NEAR_SEPARATOR)
    if len(parts) < 2:
        raise ValueError(f'a "near" rule needs at least two parts separated by "{NEAR_SEPARATOR}"')
    alternations = []
    for part in parts:
        words = [w for w in part.split("|")]
        if not all(w.strip() for w in words):
            raise ValueError(f"empty alternative in part {part!r}")
        alternations.append("(?:" + "|".join(re.escape(w.strip()) for w in words) + ")")
    gap = f"[^{re.escape(CLAUSE_BREAKS)}]{{0,{NEAR_MAX_GAP}}}?"
    return re.compile(gap.join(alternations))


def load_rules(path: str | Path = KEYWORDS_PATH) -> tuple[KeywordRule, ...]:
    """Read and check a keyword table; a bad line raises ``LexiconError`` naming file and line."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read the keyword table ({exc})") from exc
    rules = []
    with handle:
        try:
            lines = list(handle)
        except UnicodeDecodeError as exc:
            raise LexiconError(f"{path}: not UTF-8 text ({exc})") from exc
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        where = f"{path}:{number}"
        if len(cells) not in (3, 4):
            raise LexiconError(
                f"{where}: expected 3 or 4 tab-separated columns (label, kind, pattern[, note]), "
                f"got {len(cells)}: {line!r}")
        label, kind, pattern = (c.strip() for c in cells[:3])
        note = cells[3].strip() if len(cells) == 4 else ""
        if label not in MEASURE_LABELS:
            raise LexiconError(f"{where}: unknown label {label!r}; expected one of {', '.join(MEASURE_LABELS)}")
        if kind not in KINDS:
            raise LexiconError(f"{where}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        if not pattern:
            raise LexiconError(f"{where}: empty pattern")
        try:
            regex = _compile(kind, pattern)
        except (re.error, ValueError) as exc:
            raise LexiconError(f"{where}: bad {kind} pattern {pattern!r} ({exc})") from exc
        if regex.search("") is not None:
            raise LexiconError(f"{where}: pattern {pattern!r} matches the empty string")
        rules.append(KeywordRule(label, kind, pattern, regex, number, note))
    if not rules:
        raise LexiconError(f"{path}: the keyword table has no rules")
    return tuple(rules)


class KeywordBaseline:
    """Label measures by the keyword table (transparent, no training)."""

    labels = MEASURE_LABELS

    def __init__(self, path: str | Path = KEYWORDS_PATH):
        self.path = Path(path)
        self.rules = load_rules(self.path)

    @classmethod
    def default(cls) -> "KeywordBaseline":
        """The baseline built from the package's table, loaded once per process."""
        return _default_baseline()

    def explain(self, text: str) -> list[tuple[str, str]]:
        """``(label, pattern as written in the table)`` for every rule that matches ``text``.

        Ordered by where the first match starts in the text; each rule appears at most once.
        Example: ``KeywordBaseline.default().explain("已完善相关内部制度。")`` →
        ``[('institution_building', '完善…制度|办法|规定|方案|机制|清单|规范|细则')]``.
        """
        text = matching_text(text)
        hits = []
        for rule in self.rules:
            match = rule.regex.search(text)
            if match:
                hits.append((match.start(), rule.line, rule.label, rule.pattern))
        hits.sort()
        return [(label, pattern) for _, _, label, pattern in hits]

    def labels_of(self, text: str) -> list[str]:
        """The labels of one measure, in the order of ``MEASURE_LABELS``."""
        text = matching_text(text)  # traditional -> simplified, full-width digits -> ASCII
        found = {rule.label for rule in self.rules if rule.regex.search(text)}
        return [label for label in MEASURE_LABELS if label in found]

    def predict(self, texts) -> list[list[str]]:
        """Labels for each measure text, e.g. ``[['accountability'], [], ...]``."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of texts, not one string")
        return [self.labels_of(text) for text in texts]


@functools.cache
def _default_baseline() -> KeywordBaseline:
    return KeywordBaseline(KEYWORDS_PATH)
