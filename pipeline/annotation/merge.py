"""Merging imported annotations into the gold file.
"""
from __future__ import annotations

from typing import Iterable

from pipeline.annotation.gold_records import AnnotationError, GoldNotice


# --------------------------------------------------------------------------- merging


def merge_import(existing: Iterable[GoldNotice], imported: Iterable[GoldNotice]) -> list[GoldNotice]:
    """Replace the existing records that an imported one has the same id or the same text as; add
    the rest at the end. A record matched only by its text keeps its existing id, source and origin
    (identity stays with the gold file). Facts, which the annotation tools do not carry, are kept
    from the existing record when the imported one has none. An imported record that matches one existing record by id
    and another by text, or two imported records for the same notice, raise AnnotationError.
    """
    out = list(existing)
    idx_by_id = {r.id: i for i, r in enumerate(out)}
    idx_by_hash = {r.text_hash: i for i, r in enumerate(out)}
    claimed: dict[int, str] = {}
    for rec in imported:
        i_id, i_hash = idx_by_id.get(rec.id), idx_by_hash.get(rec.text_hash)
        if i_id is not None and i_hash is not None and i_id != i_hash:
            raise AnnotationError(
                f"imported record {rec.id!r} has the id of existing {out[i_id].id!r} but the text of "
                f"existing {out[i_hash].id!r}")
        i = i_id if i_id is not None else i_hash
        if i is None:
            out.append(rec)
            i = len(out) - 1
            idx_by_id[rec.id] = idx_by_hash[rec.text_hash] = i
        else:
            if i in claimed:
                raise AnnotationError(f"imported records {claimed[i]!r} and {rec.id!r} are the same notice")
            old = out[i]
            if i_id is None:  # matched by text only: keep the gold file's identity
                rec = GoldNotice(id=old.id, source=old.source, origin=old.origin, text=rec.text,
                                 notice_date=rec.notice_date or old.notice_date, entities=rec.entities,
                                 items=rec.items, measures=rec.measures, facts=rec.facts)
            if not rec.facts and old.facts:
                # the annotation tools carry no facts: keep the gold's, where their measures still hold them
                rec.facts = [f for f in old.facts
                             if any(m.start <= f.start and f.end <= m.end for m in rec.measures)]
            idx_by_hash.pop(old.text_hash, None)
            out[i] = rec
            idx_by_hash[rec.text_hash] = i
        claimed[i] = rec.id
    return out
