"""`imr_span_merger`: merges a trained model's spans (a NER's `doc.ents`, or a span group) into
`doc.spans["imr"]`.

Runs before the components that read entities (diagnosis lists, context, normalizer, items), so
a trained model improves the record. Three merge policies, each for a label's spans:

- ``"add"``: the rules' spans are all kept; a model span is added unless a rule span of the same
  label covers the same tokens.
- ``"boundaries"``: the model's span replaces every rule span of the same label that it overlaps
  (the model learned the annotated boundaries: "lumbar strain" where a rule found "strain");
  model spans that overlap nothing are added; other rule spans are kept.
- ``"filter"``: the model confirms the rules: a rule span that no model span of its label
  overlaps is listed in `doc.spans["imr_unconfirmed"]`, and `imr_span_filter`, after the item
  splitter, takes it out of the entities unless it lies in an item's heading or request (where
  it decides the item's category and drug, so the record never loses one). The model's own spans
  are not added.

``policies`` maps each label to merge to its policy; labels it leaves out keep the rules' spans.
`imrnlp train` chooses it on the dev letters: for each label, the policy whose rules + model F is
highest, where that beats the rules alone, so a model never makes a label worse than the rules
did there. No policy drops a rule span from an item's heading or request: a rule span there
carries what the record reads (the request's procedure decides the item category), so a
"replace" policy, tried, raised PROCEDURE span F on the dev letters but lost item categories,
and "filter" spares those spans.
Without ``policies``, ``policy`` applies to ``labels`` (None: all), as in pipelines
trained before per-label policies.

The spans the model put in are also listed in `doc.spans["imr_model"]` (the record's `source:
"model"`). A model span takes the rule id of the longest rule span of its label that it overlaps
("MRI of the lumbar spine" over the rule's "MRI" keeps `procedure.imaging.mri`), so what the
rules know of it (the item category, the drug in the vocabulary) survives a new boundary; a model
span no rule span overlaps has the rule id ``"model"``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L

POLICIES: tuple[str, ...] = ("add", "boundaries", "filter")
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
        policies: dict[str, str] | None = None,
    ) -> None:
        for p in [policy, *(policies or {}).values()]:
            if p not in POLICIES:
                raise ValueError(f"imr_span_merger: a policy is one of {POLICIES}, not {p!r}")
        self.name = name
        self.source_key = source_key
        if policies is None:
            policies = {lab: policy for lab in (L.ENTITY_LABELS if labels is None else labels)}
        self.policies: dict[str, str] = dict(policies)

    def __call__(self, doc: Doc) -> Doc:
        source = doc.ents if self.source_key == ENTS else doc.spans.get(self.source_key, [])
        predicted = [s for s in source if s.label_ in self.policies]
        if not predicted and "filter" not in self.policies.values():
            doc.spans[L.MODEL_SPANS_KEY] = []
            doc.spans[L.UNCONFIRMED_KEY] = []
            return doc
        rules = list(doc.spans.get(L.SPANS_KEY, []))
        kept, model = merge(rules, predicted, self.policies)
        doc.spans[L.SPANS_KEY] = kept + model
        doc.spans[L.MODEL_SPANS_KEY] = model
        doc.spans[L.UNCONFIRMED_KEY] = unconfirmed(rules, predicted, self.policies)
        return doc


def merge(
    rules: list[Span], predicted: list[Span], policies: dict[str, str]
) -> tuple[list[Span], list[Span]]:
    """(the rule spans kept, the model spans added): the model's spans merged into the rules',
    each label by its policy (labels without one keep the rules' spans)."""
    have = {(s.start, s.end, s.label_) for s in rules}
    model = [
        Span(s.doc, s.start, s.end, label=s.label_, span_id=_rule_id(s, rules))
        for s in predicted
        if policies.get(s.label_) in ("add", "boundaries")
        and (s.start, s.end, s.label_) not in have
    ]
    kept = [
        r
        for r in rules
        if policies.get(r.label_) != "boundaries" or not any(_overlap(r, m) for m in model)
    ]
    return kept, model


def unconfirmed(rules: list[Span], predicted: list[Span], policies: dict[str, str]) -> list[Span]:
    """The rule spans of the "filter" labels that no model span of their label overlaps."""
    return [
        r
        for r in rules
        if policies.get(r.label_) == "filter" and not any(_overlap(r, m) for m in predicted)
    ]


def _rule_id(span: Span, rules: list[Span]) -> str:
    """The id of the longest rule span of the span's label that it overlaps, else "model"."""
    under = [r for r in rules if _overlap(r, span) and r.id_]
    return max(under, key=len).id_ if under else L.MODEL_RULE_ID


def _overlap(a: Span, b: Span) -> bool:
    return a.label_ == b.label_ and a.start < b.end and b.start < a.end
