"""Grouped folds for cross-validation: every notice (and every variant of it) in one fold.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Sequence

import numpy as np



# --------------------------------------------------------------------------- cross-validation


def _group_of(r: Any) -> Any:
    for attr in ("notice_id", "id"):
        if hasattr(r, attr):
            return getattr(r, attr)
        if isinstance(r, dict) and attr in r:
            return r[attr]
    if isinstance(r, (str, int)):
        return r
    raise ValueError(f"cannot tell which notice {r!r} belongs to; pass group_key")


def grouped_folds(records: Sequence[Any], n_splits: int, seed: int = 0, *,
                  group_key: Callable[[Any], Any] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds that never put one notice on both sides.

    The notice of a record is ``group_key(record)``, else its ``notice_id`` / ``id`` (attribute or
    key), else the record itself (a list of notice ids). Notices are shuffled with ``seed`` and
    dealt, largest first, to the fold with the fewest records. With fewer notices than
    ``n_splits`` it is leave-one-notice-out. Returns ``[(train_idx, test_idx), ...]`` as sorted
    integer arrays.
    """
    if n_splits < 2:
        raise ValueError("n_splits must be at least 2")
    key = group_key or _group_of
    groups: dict[Any, list[int]] = {}
    for k, r in enumerate(records):
        groups.setdefault(key(r), []).append(k)
    if len(groups) < 2:
        raise ValueError(f"need records from at least 2 notices to cross-validate, got {len(groups)}")
    names = list(groups)
    random.Random(seed).shuffle(names)
    if len(names) <= n_splits:
        folds = [[n] for n in names]
    else:
        folds = [[] for _ in range(n_splits)]
        sizes = [0] * n_splits
        for n in sorted(names, key=lambda n: -len(groups[n])):  # stable: ties keep the shuffled order
            f = min(range(n_splits), key=lambda i: (sizes[i], i))
            folds[f].append(n)
            sizes[f] += len(groups[n])
    all_idx = np.arange(len(records))
    out = []
    for fold in folds:
        test = np.array(sorted(k for n in fold for k in groups[n]), dtype=int)
        train = np.setdiff1d(all_idx, test)
        out.append((train, test))
    return out
