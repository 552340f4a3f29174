"""The one place where overlapping entity candidates are settled.

Policy (documented in the README): spans are flat and non-overlapping; when two readings
overlap, the longer wins (ANNOTATION.md: "annotate the longest"); on equal length the label
with the higher priority wins; on a full tie the rule beats the model, because rules carry
normalised values. The statistical model may only add ``ORG`` spans (``MODEL_LABELS``) and
never replaces a rule span it overlaps; generic phrases are vetoed before they get here.
"""
from __future__ import annotations

from .types import Entity

LABEL_PRIORITY = {"DOC_TITLE": 5, "MONEY": 4, "PERSON_COUNT": 3, "DATE": 2, "ORG": 1}
MODEL_LABELS = frozenset({"ORG"})


def resolve(rule_entities: list[Entity], model_entities: list[Entity] = ()) -> list[Entity]:
    """Flat, sorted, non-overlapping entities from rule and model candidates."""
    def rank(e: Entity):
        return (-(e.end - e.start), -LABEL_PRIORITY.get(e.label, 0), e.start)

    chosen: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def free(e: Entity) -> bool:
        return all(e.end <= s or e.start >= t for s, t in taken)

    for entity in sorted(rule_entities, key=rank):
        if entity.end > entity.start and free(entity):
            chosen.append(entity)
            taken.append((entity.start, entity.end))
    for entity in sorted(model_entities, key=rank):
        if entity.label in MODEL_LABELS and entity.end > entity.start and free(entity):
            chosen.append(entity)
            taken.append((entity.start, entity.end))
    return sorted(chosen, key=lambda e: (e.start, e.end))
