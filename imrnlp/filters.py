"""Span filters for the rulers, registered in spaCy's `misc` registry (and its entry points)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.tokens import Span
from spacy.util import registry

from . import labels as L
from .normalize import canonical_level

SpanFilter = Callable[[Iterable[Span], Iterable[Span]], list[Span]]


#: A span of the first label inside a span of the second is a word of a name, not an entity:
#: "Chronic Pain" in "Chronic Pain Medical Treatment", "Opioid" in "Opioid Treatment".
_INSIDE_IS_NOISE = {
    ("DIAGNOSIS", "GUIDELINE"),
    ("PROCEDURE", "GUIDELINE"),
    ("MEDICATION", "GUIDELINE"),
}
_NOISE_INSIDE_GUIDELINE = frozenset(a for a, b in _INSIDE_IS_NOISE if b == "GUIDELINE")


#: A DIAGNOSIS word right before one of these names an examination, not a condition:
#: "Hawkins impingement maneuver", "Spurling's compression test", "Tinel's sign".
_EXAM_WORDS = frozenset({"maneuver", "maneuvers", "test", "tests", "testing", "sign", "signs"})


def _trimmed(span: Span) -> Span:
    """The span without leading or trailing whitespace tokens (a pattern's optional space)."""
    start, end = span.start, span.end
    if end - start == 1:  # a one-token match is never padded
        return span
    doc = span.doc
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    if (start, end) == (span.start, span.end) or start == end:
        return span
    return Span(doc, start, end, label=span.label, span_id=span.id)


#: "Opioid Treatment" is the MTUS part only when a year or one of these follows ("MTUS Opioid
#: Treatment 2016", "the MTUS Opioids Treatment Guidelines"); elsewhere, as in the section titles
#: "Opioids for Chronic Pain and Chronic Opioid Treatment: ...", it is treatment with a drug.
_OPIOID_PART_NEXT = frozenset({"guidelines", "guideline"})
_OPIOID_PART = frozenset({"opioid treatment", "opioids treatment"})


#: "modified" before one of these describes the work, not a decision on a request.
_MODIFIED_WHAT = frozenset({"work", "duty", "duties", "activity", "activities", "diet", "position"})


def _next_word(span: Span) -> str:
    doc = span.doc
    i = span.end
    while i < len(doc) and doc[i].is_space:
        i += 1
    return doc[i].lower_ if i < len(doc) else ""


def _is_noise(span: Span) -> bool:
    """A match that is no entity: an examination named by a condition ("Hawkins impingement
    maneuver"), "modified work", a spine level that cannot exist ("S1-20" in a rule number),
    "Chronic Opioid Treatment" in a section title."""
    label = span.label_
    if label == "DIAGNOSIS":
        return _next_word(span) in _EXAM_WORDS
    if label == "DECISION" and span.id_ == L.RULE_MODIFIED:
        return _next_word(span) in _MODIFIED_WHAT
    if label == "ANATOMICAL_LEVEL":
        return canonical_level(span.text) is None
    if label == "GUIDELINE" and " ".join(span.text.lower().split()) in _OPIOID_PART:
        after = _next_word(span)
        return not (after in _OPIOID_PART_NEXT or (len(after) == 4 and after.isdigit()))
    return False


def longest_per_label(existing: Iterable[Span], new: Iterable[Span]) -> list[Span]:
    """The new spans, less any that lies inside a longer span of the same label (or a DIAGNOSIS,
    PROCEDURE or MEDICATION inside a GUIDELINE name).

    Spans of different labels may overlap otherwise ("L4-5" inside a PROCEDURE request); within a
    label, "MTUS" inside "Non-MTUS Citation" or "injection" inside "epidural steroid injection" is
    noise."""
    new = [_trimmed(s) for s in new if not _is_noise(s)]
    guidelines = [(g.start, g.end) for g in new if g.label_ == "GUIDELINE"]
    if guidelines:
        new = [
            s
            for s in new
            if s.label_ not in _NOISE_INSIDE_GUIDELINE
            or not any(a <= s.start and s.end <= b for a, b in guidelines)
        ]
    keyed = sorted(((s.label_, s.start, -(s.end - s.start), s) for s in new), key=lambda k: k[:3])
    kept: list[Span] = []
    recent: list[tuple[str, int, int]] = []  # (label, start, end) of the spans kept
    for label, start, minus_length, span in keyed:
        end = start - minus_length
        inside = any(
            k_label == label and k_start <= start and end <= k_end and k_end - k_start > end - start
            for k_label, k_start, k_end in recent[-8:]
        )
        if not inside:
            kept.append(span)
            recent.append((label, start, end))
    return kept


@registry.misc("imrnlp.longest_per_label.v1")
def make_longest_per_label() -> SpanFilter:
    return longest_per_label
