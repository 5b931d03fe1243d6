"""`imr_normalizer`: ISO values and roles for DATE spans, canonical ANATOMICAL_LEVEL values.

Requires the entity spans, the field spans (header labels) and the sections. Assigns
`span._.imr_norm` on DATE and ANATOMICAL_LEVEL spans, `span._.imr_role` on DATE spans, and
`doc._.imr_header` (header field -> [start_token, end_token] of its value).

A header value belongs to the earliest header label still waiting for a value of its kind. That
pairs "Date Assigned: 11/09/2016" in a layout table and also the reading-order text of a PDF, where
a run of labels is followed by the run of their values. Other dates take their role from the
cue words just before or after them (rules in `date_roles.jsonl`).
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import labels as L
from ..normalize import canonical_level, iso_date
from ..spanutil import doc_text
from ._rules import RuleStore, StoredRules

_WINDOW = 90  # characters of context read around a date for its role


class Normalizer(StoredRules):
    def __init__(self, nlp: Language, name: str = L.PIPE_NORMALIZER) -> None:
        self.name = name
        self._store = RuleStore(("date_roles",))
        self._rules: list[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None]] = []

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        date_roles: list[dict[str, Any]] | None = None,
    ) -> None:
        self._store.rows["date_roles"] = list(date_roles or [])
        self._compile()

    def _compile(self) -> None:
        # rules are tried in file order; each reads the words before and/or after the date
        self._rules = [
            (
                r["role"],
                re.compile(r["pattern"], re.I) if r.get("pattern") else None,
                re.compile(r["after"], re.I) if r.get("after") else None,
            )
            for r in self._store.rows["date_roles"]
        ]

    def __call__(self, doc: Doc) -> Doc:
        header = pair_header(doc)
        doc._.set(L.EXT_HEADER, {k: [s.start, s.end] for k, s in header.items()})
        header_dates = {
            (s.start, s.end): L.HEADER_DATE_ROLES[k]
            for k, s in header.items()
            if k in L.HEADER_DATE_ROLES
        }
        text = doc_text(doc)  # built once per Doc
        for span in doc.spans.get(L.SPANS_KEY, []):
            if span.label_ == L.DATE:
                span._.set(L.EXT_NORM, iso_date(span.text))
                role = header_dates.get((span.start, span.end)) or self._role(text, span)
                span._.set(L.EXT_ROLE, role)
            elif span.label_ == L.ANATOMICAL_LEVEL:
                span._.set(L.EXT_NORM, canonical_level(span.text))
        return doc

    def _role(self, text: str, span: Span) -> str:
        before = " ".join(text[max(0, span.start_char - _WINDOW) : span.start_char].split())
        # only the clause the date is in: cut at the last sentence end
        before = re.split(r"[.;]\s", before)[-1]
        before = before + " " if text[span.start_char - 1 : span.start_char].isspace() else before
        after = " ".join(text[span.end_char : span.end_char + _WINDOW].split())
        for role, before_rx, after_rx in self._rules:
            if before_rx is not None and before_rx.search(before.rstrip() + " "):
                return role
            if after_rx is not None and after_rx.search(after):
                return role
        return "other"

    def _rules_loaded(self) -> None:
        self._compile()


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
    values: list[tuple[str, Span]] = []
    for s in fields:
        if s.label_ == L.CASE_NUMBER:
            values.append(("case_number", s))
        elif s.label_ == L.PRIORITY:
            values.append(("priority", s))
    for s in doc.spans.get(L.SPANS_KEY, []):
        if s.label_ == L.DATE and s.end <= end and s.id_ != "date.month_year":
            values.append(("date", s))
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
            wants = field if field in ("case_number", "priority") else "date"
            if wants == kind:
                out[field] = span
                waiting.remove(field)
                break
    return out
