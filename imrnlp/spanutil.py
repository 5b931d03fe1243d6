"""Small helpers over spaCy spans, shared by components and the assembler."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from . import labels as L
from .record import Evidence


class SpanIndex(list[Span]):
    """A list of spans that also answers `within` by label and position without scanning every
    span (the assembler asks it many times per letter)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        super().__init__(spans)
        by_label: dict[str, list[Span]] = {}
        for span in sorted(self, key=lambda s: (s.start, s.end)):
            by_label.setdefault(span.label_, []).append(span)
        self._by_label = by_label
        self._starts = {label: [s.start for s in group] for label, group in by_label.items()}

    def within(self, start: int, end: int, label: str) -> list[Span]:
        group = self._by_label.get(label, [])
        i = bisect.bisect_left(self._starts.get(label, []), start)
        out = []
        while i < len(group) and group[i].start < end:
            if group[i].end <= end:
                out.append(group[i])
            i += 1
        return out


def model_span_keys(doc: Doc) -> set[tuple[int, int, str]]:
    """(start, end, label) of each span a trained model put in (`doc.spans["imr_model"]`)."""
    return {(s.start, s.end, s.label_) for s in doc.spans.get(L.MODEL_SPANS_KEY, [])}


def is_line_wrap(token: Token) -> bool:
    """A whitespace token that only ends a line (`pdftotext` broke the line where the page did):
    one line break, no blank line, no page break."""
    return token.is_space and is_line_wrap_text(token.text)


def is_line_wrap_text(text: str) -> bool:
    """The text of a whitespace token that only ends a line (see `is_line_wrap`)."""
    return text.count("\n") == 1 and "\x0c" not in text and not text.strip()


def within(spans: Iterable[Span], start: int, end: int, label: str | None = None) -> list[Span]:
    """Spans lying inside tokens [start, end), optionally of one label, in text order."""
    if label is not None and isinstance(spans, SpanIndex):
        return spans.within(start, end, label)
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


_OPEN = frozenset({"(", "["})
_CLOSE = frozenset({")", "]"})


def in_brackets(span: Span, start: int) -> bool:
    """Whether `span` sits inside a bracket opened at or after token `start` and not closed
    before the span ("TPII" in "Localized intense neurostimulation therapy [following TPII]")."""
    depth = 0
    for token in span.doc[start : span.start]:
        if token.text in _OPEN:
            depth += 1
        elif token.text in _CLOSE and depth:
            depth -= 1
    return depth > 0


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


def evidence_of(span: Span, rule_id: str | None = None, *, text: str | None = None) -> Evidence:
    """Evidence (character offsets into the text given to extract) of a span. The evidence text
    is cut from the Doc's text (`text`, read once by the caller, or `doc_text`), which is much
    cheaper than `Span.text` for the many spans of a letter."""
    return Evidence(
        start=span.start_char,
        end=span.end_char,
        text=span_text(span) if text is None else text[span.start_char : span.end_char],
        rule_id=rule_id or (span.id_ or None),
    )


def span_text(span: Span) -> str:
    """`span.text`, cut from the Doc's text (`doc_text`, built once per Doc): `Span.text` makes a
    Token of each of its words, which costs more for all but the shortest spans."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def doc_text(doc: Doc) -> str:
    """`doc.text`, built once per Doc: spaCy rebuilds it from the tokens on every access, and
    several components and the assembler each need it. Kept in `doc.user_data` under a key that
    names the Doc's length and last offset, so a changed Doc never gets a stale text."""
    if not len(doc):
        return doc.text
    key = f"imrnlp.text:{len(doc)}:{doc[-1].idx}"
    text = doc.user_data.get(key)
    if text is None:
        text = doc.text
        doc.user_data[key] = text
    return str(text)
