"""`imr_span_filter`: takes the rule spans a trained model did not confirm out of the entities.

Runs after the item splitter, in pipelines whose span merger gives a label the policy "filter"
(`imr_span_merger` lists the rule spans of that label that no model span overlaps in
`doc.spans["imr_unconfirmed"]`). Each of them leaves `doc.spans["imr"]` unless it lies inside an
item's heading or request, where a rule span decides what the record reads of the item (its
category, its drug): there the rules stay, so a model's miss never costs a record field.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .. import labels as L

#: Item parts whose rule spans are never taken out.
KEPT_PARTS = frozenset({L.PART_HEADING, L.PART_REQUEST, L.PART_ORIGINAL_REQUEST, L.PART_AUTHORIZED})


class SpanFilter:
    def __init__(self, nlp: Language, name: str = L.PIPE_SPAN_FILTER) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        dropped = doc.spans.get(L.UNCONFIRMED_KEY)
        if dropped is None or not len(dropped):
            return doc
        kept_parts = [
            (p.start, p.end) for p in doc.spans.get(L.ITEM_PARTS_KEY, []) if p.label_ in KEPT_PARTS
        ]
        out = {
            (s.start, s.end, s.label_, s.id_)
            for s in dropped
            if not any(a <= s.start and s.end <= b for a, b in kept_parts)
        }
        if out:
            doc.spans[L.SPANS_KEY] = [
                s for s in doc.spans[L.SPANS_KEY] if (s.start, s.end, s.label_, s.id_) not in out
            ]
        return doc
