"""`imr_context`: assertion status of DIAGNOSIS spans, with medspaCy's ConText and IMR-tuned rules.

Requires DIAGNOSIS spans in `doc.spans["imr"]` and sentence boundaries. Assigns
`span._.imr_assertion` = present | uncertain | negated | historical. The rules are saved inside the
pipeline. Decision language ("is not medically necessary") is a PSEUDO modifier: it negates
nothing clinical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L
from ._rules import RuleStore

_TARGETS_EXT = "imr_context_targets"


class AssertionContext:
    def __init__(self, nlp: Language, name: str = L.PIPE_CONTEXT, *, max_scope: int = 10) -> None:
        self.name = name
        self.nlp = nlp
        self.max_scope = max_scope
        self._store = RuleStore(("context_rules",))
        self._context: Any = None
        if not Doc.has_extension(_TARGETS_EXT):
            Doc.set_extension(_TARGETS_EXT, default=None)

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        rules: list[dict[str, Any]] | None = None,
    ) -> None:
        self._store.rows["context_rules"] = list(rules or [])
        self._context = None

    def _build(self) -> Any:
        from medspacy.context import ConText, ConTextRule  # slow import: only when used

        # scope = the modifier's sentence, cut to max_scope tokens (a ConText-wide max_scope would
        # ignore sentence ends, so it is set on each rule instead)
        context = ConText(self.nlp, name="imr_medspacy_context", rules=None)
        context.add(
            [
                ConTextRule(
                    r["literal"],
                    r["category"],
                    direction=r.get("direction", "BIDIRECTIONAL"),
                    pattern=r.get("pattern"),
                    allowed_types={L.DIAGNOSIS},
                    max_scope=r.get("max_scope", self.max_scope),
                )
                for r in self._store.rows["context_rules"]
            ]
        )
        return context

    def __call__(self, doc: Doc) -> Doc:
        targets = [s for s in doc.spans.get(L.SPANS_KEY, []) if s.label_ == L.DIAGNOSIS]
        for span in targets:
            span._.set(L.EXT_ASSERTION, "present")
        if not targets or not self._store.rows["context_rules"]:
            return doc
        if self._context is None:
            self._context = self._build()
        doc._.set(_TARGETS_EXT, targets)
        self._context(doc, targets=_TARGETS_EXT)
        doc._.set(_TARGETS_EXT, None)
        for span in targets:
            span._.set(L.EXT_ASSERTION, assertion_of(span))
            span._.modifiers = ()  # ConText's objects would not survive Doc serialization
        doc._.context_graph = None
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        self._store.to_disk(path)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> AssertionContext:
        self._store.from_disk(path)
        self._context = None
        return self


def assertion_of(span: Span) -> str:
    if span._.is_negated:
        return "negated"
    if span._.is_uncertain:
        return "uncertain"
    if span._.is_historical:
        return "historical"
    return "present"
