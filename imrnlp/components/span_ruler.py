"""spaCy's SpanRuler with its token patterns run by the `AnchoredMatcher`."""

from __future__ import annotations

from spacy.pipeline import SpanRuler

from ..matcher import AnchoredMatcher


class AnchoredSpanRuler(SpanRuler):
    """A SpanRuler (same patterns, config, serialization and matches) whose token patterns are
    tried only where their first token can match, instead of at every token."""

    def clear(self) -> None:
        super().clear()
        self.matcher = AnchoredMatcher(  # type: ignore[assignment]
            self.nlp.vocab, validate=self.validate, fuzzy_compare=self.matcher_fuzzy_compare
        )
