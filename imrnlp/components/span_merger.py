"""`imr_span_merger`: merges a trained span categorizer's spans into `doc.spans["imr"]`.

Merge policy: the rules' spans are kept; a predicted span is added (rule id "model") unless a rule
span of the same label already covers the same tokens. Runs before the components that read
entities (diagnosis lists, context, normalizer, items), so a trained model improves the record.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L


class SpanMerger:
    def __init__(
        self, nlp: Language, name: str = L.PIPE_SPAN_MERGER, *, source_key: str = L.PREDICTED_KEY
    ) -> None:
        self.name = name
        self.source_key = source_key

    def __call__(self, doc: Doc) -> Doc:
        predicted = doc.spans.get(self.source_key)
        if not predicted:
            return doc
        rules = list(doc.spans.get(L.SPANS_KEY, []))
        have = {(s.start, s.end, s.label_) for s in rules}
        added = [
            Span(doc, s.start, s.end, label=s.label_, span_id="model")
            for s in predicted
            if (s.start, s.end, s.label_) not in have and s.label_ in L.ENTITY_LABELS
        ]
        doc.spans[L.SPANS_KEY] = rules + added
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> SpanMerger:
        return self
