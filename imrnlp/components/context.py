"""`imr_context`: assertion status of DIAGNOSIS spans, with medspaCy's ConText and IMR-tuned rules.

Requires DIAGNOSIS spans in `doc.spans["imr"]` and sentence boundaries. Assigns
`span._.imr_assertion` = present | uncertain | negated | historical. The rules are saved inside the
pipeline. Decision language ("is not medically necessary") is a PSEUDO modifier: it negates
nothing clinical.
"""

from __future__ import annotations

from bisect import bisect_right
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
        # ConText runs once, on a small Doc made of just the sentences that hold a diagnosis: a
        # modifier's scope is its sentence, and ConText compares every pair of modifiers, so the
        # rest of the letter would only cost time.
        groups = _by_sentence(doc, targets)
        words: list[str] = []
        spaces: list[bool] = []
        starts: list[bool] = []
        local: list[tuple[Span, int]] = []
        for (start, end), spans in groups.items():
            base = len(words)
            for k, token in enumerate(doc[start:end]):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
                starts.append(k == 0)
            local.extend((span, base - start) for span in spans)
        sents = Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts)
        found = [Span(sents, s.start + shift, s.end + shift, label=s.label_) for s, shift in local]
        sents._.set(_TARGETS_EXT, found)
        self._context(sents, targets=_TARGETS_EXT)
        for (span, _shift), mirror in zip(local, found, strict=True):
            span._.set(L.EXT_ASSERTION, assertion_of(mirror))
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        self._store.to_disk(path)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> AssertionContext:
        self._store.from_disk(path)
        self._context = None
        return self


def _by_sentence(doc: Doc, targets: list[Span]) -> dict[tuple[int, int], list[Span]]:
    """Targets grouped by the (start, end) token range of their sentence, in text order."""
    starts = [t.i for t in doc if t.is_sent_start] or [0]
    out: dict[tuple[int, int], list[Span]] = {}
    for span in sorted(targets, key=lambda s: s.start):
        k = max(bisect_right(starts, span.start) - 1, 0)
        start = starts[k]
        end = starts[k + 1] if k + 1 < len(starts) else len(doc)
        while end < span.end:  # a target across a sentence end keeps its tokens together
            k += 1
            end = starts[k + 1] if k + 1 < len(starts) else len(doc)
        key = next((g for g in out if g[0] <= start < g[1]), (start, end))
        out.setdefault(key, []).append(span)
    return out


def assertion_of(span: Span) -> str:
    if span._.is_negated:
        return "negated"
    if span._.is_uncertain:
        return "uncertain"
    if span._.is_historical:
        return "historical"
    return "present"
