"""Span filters for the rulers, registered in spaCy's `misc` registry (and its entry points)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.tokens import Span
from spacy.util import registry

SpanFilter = Callable[[Iterable[Span], Iterable[Span]], list[Span]]


#: A span of the first label inside a span of the second is a word of a name, not an entity:
#: "Chronic Pain" in "Chronic Pain Medical Treatment", "Opioid" in "Opioid Treatment".
_INSIDE_IS_NOISE = {
    ("DIAGNOSIS", "GUIDELINE"),
    ("PROCEDURE", "GUIDELINE"),
    ("MEDICATION", "GUIDELINE"),
}


def longest_per_label(existing: Iterable[Span], new: Iterable[Span]) -> list[Span]:
    """The new spans, less any that lies inside a longer span of the same label (or a DIAGNOSIS,
    PROCEDURE or MEDICATION inside a GUIDELINE name).

    Spans of different labels may overlap otherwise ("L4-5" inside a PROCEDURE request); within a
    label, "MTUS" inside "Non-MTUS Citation" or "injection" inside "epidural steroid injection" is
    noise."""
    new = list(new)
    guidelines = [s for s in new if s.label_ == "GUIDELINE"]
    new = [
        s
        for s in new
        if not any(
            (s.label_, g.label_) in _INSIDE_IS_NOISE and g.start <= s.start and s.end <= g.end
            for g in guidelines
        )
    ]
    spans = sorted(new, key=lambda s: (s.label_, s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        inside = any(
            k.label_ == span.label_
            and k.start <= span.start
            and span.end <= k.end
            and (k.end - k.start) > (span.end - span.start)
            for k in kept[-8:]
        )
        if not inside:
            kept.append(span)
    return kept


@registry.misc("imrnlp.longest_per_label.v1")
def make_longest_per_label() -> SpanFilter:
    return longest_per_label
