"""`imr_header`: pairs the header table's labels with their values.

Requires the field spans (HEADER_LABEL, CASE_NUMBER, PRIORITY), the DATE entity spans and the
sections. Assigns `doc.spans["imr_header"]`: one span per header value, labelled with its field
name ("case_number", "date_assigned", ...).

A header value belongs to the earliest header label still waiting for a value of its kind. That
pairs "Date Assigned: 11/09/2016" in a layout table and also the reading-order text of a PDF, where
a run of labels is followed by the run of their values.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import labels as L

#: Value kinds a header field waits for; every other field waits for a DATE.
_KINDS = {L.CASE_NUMBER: "case_number", L.PRIORITY: "priority"}


class HeaderPairer:
    def __init__(self, nlp: Language, name: str = L.PIPE_HEADER) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[L.HEADER_KEY] = [
            Span(doc, s.start, s.end, label=field) for field, s in pair_header(doc).items()
        ]
        return doc


def _header_region_end(doc: Doc) -> int:
    """Token index where the header ends: the first section after the header table."""
    for s in doc.spans.get(L.SECTIONS_KEY, []):
        if s.label_ != L.SECTION_HEADER:
            return int(s.start)
    return min(len(doc), 400)


def pair_header(doc: Doc) -> dict[str, Span]:
    """Header field name -> its value span, pairing labels and values in reading order."""
    end = _header_region_end(doc)
    fields = [s for s in doc.spans.get(L.FIELDS_KEY, []) if s.end <= end]
    labels = filter_spans([s for s in fields if s.label_ == L.HEADER_LABEL])
    values = [(_KINDS[s.label_], s) for s in fields if s.label_ in _KINDS]
    values += [
        ("date", s)
        for s in doc.spans.get(L.SPANS_KEY, [])
        if s.label_ == L.DATE and s.end <= end and s.id_ != L.RULE_DATE_MONTH_YEAR
    ]
    events = sorted(
        [(s.start, 0, "label", s) for s in labels] + [(s.start, 1, kind, s) for kind, s in values],
        key=lambda e: (e[0], e[1]),
    )
    waiting: list[str] = []
    out: dict[str, Span] = {}
    for _pos, _order, kind, span in events:
        if kind == "label":
            field = span.id_.removeprefix("field.")
            if field not in out and field not in waiting:
                waiting.append(field)
            continue
        for field in waiting:
            wants = field if field in _KINDS.values() else "date"
            if wants == kind:
                out[field] = span
                waiting.remove(field)
                break
    return out
