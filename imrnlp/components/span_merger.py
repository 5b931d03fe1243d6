"""`imr_span_merger`: merges a trained model's spans (a NER's `doc.ents`, or a span group) into
`doc.spans["imr"]`.

Runs before the components that read entities (diagnosis lists, context, normalizer, items), so
a trained model improves the record. Two merge policies:

- ``"add"`` (default): the rules' spans are all kept; a model span is added unless a rule span
  of the same label covers the same tokens.
- ``"boundaries"``: the model's span replaces every rule span of the same label that it overlaps
  (the model learned the annotated boundaries: "lumbar strain" where a rule found "strain");
  model spans that overlap nothing are added; other rule spans are kept.

``labels`` limits the merge to some labels (None: all). `imrnlp train` sets it to the labels on
which rules + model beat the rules alone on the dev letters, so a model never makes a label worse
than the rules did there. Model spans carry the rule id ``"model"``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L

POLICIES: tuple[str, ...] = ("boundaries", "add")
#: `source_key` that reads a trained NER's `doc.ents` instead of a span group.
ENTS = "ents"


class SpanMerger:
    def __init__(
        self,
        nlp: Language,
        name: str = L.PIPE_SPAN_MERGER,
        *,
        source_key: str = L.PREDICTED_KEY,
        policy: str = "add",
        labels: list[str] | None = None,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"imr_span_merger: policy must be one of {POLICIES}, not {policy!r}")
        self.name = name
        self.source_key = source_key
        self.policy = policy
        self.only_labels = None if labels is None else set(labels)

    def __call__(self, doc: Doc) -> Doc:
        wanted = set(L.ENTITY_LABELS) if self.only_labels is None else self.only_labels
        source = doc.ents if self.source_key == ENTS else doc.spans.get(self.source_key, [])
        predicted = [s for s in source if s.label_ in wanted]
        if not predicted:
            return doc
        rules = list(doc.spans.get(L.SPANS_KEY, []))
        have = {(s.start, s.end, s.label_) for s in rules}
        model = [
            Span(doc, s.start, s.end, label=s.label_, span_id="model")
            for s in predicted
            if (s.start, s.end, s.label_) not in have
        ]
        if self.policy == "boundaries":
            rules = [r for r in rules if not any(_overlap(r, m) for m in model)]
        doc.spans[L.SPANS_KEY] = rules + model
        return doc


def _overlap(a: Span, b: Span) -> bool:
    return a.label_ == b.label_ and a.start < b.end and b.start < a.end
