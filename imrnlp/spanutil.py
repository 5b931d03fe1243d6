"""Small helpers over spaCy spans, shared by components and the assembler."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span

from .record import Evidence


def outermost(spans: Iterable[Span]) -> list[Span]:
    """Longest spans first, dropping any that overlap one already kept; in text order."""
    kept: list[Span] = []
    taken: set[int] = set()
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if taken.intersection(range(s.start, s.end)):
            continue
        kept.append(s)
        taken.update(range(s.start, s.end))
    return sorted(kept, key=lambda s: s.start)


def within(spans: Iterable[Span], start: int, end: int, label: str | None = None) -> list[Span]:
    """Spans lying inside tokens [start, end), optionally of one label, in text order."""
    out = [
        s
        for s in spans
        if s.start >= start and s.end <= end and (label is None or s.label_ == label)
    ]
    return sorted(out, key=lambda s: (s.start, s.end))


def trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token range without leading and trailing whitespace tokens."""
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return start, end


def sentence_of(span: Span) -> Span:
    """The sentence around `span` (cheaper than `span.sent`, which walks the whole Doc)."""
    doc = span.doc
    if not doc.has_annotation("SENT_START"):
        return span
    start = span.start
    while start > 0 and not doc[start].is_sent_start:
        start -= 1
    end = span.end
    while end < len(doc) and not doc[end].is_sent_start:
        end += 1
    return doc[start:end]


def squash(text: str) -> str:
    """Collapse runs of whitespace (wrapped lines) into single spaces."""
    return " ".join(text.split())


def evidence_of(span: Span, rule_id: str | None = None) -> Evidence:
    """Evidence (character offsets into the text given to extract) of a span."""
    return Evidence(
        start=span.start_char,
        end=span.end_char,
        text=span.text,
        rule_id=rule_id or (span.id_ or None),
    )
