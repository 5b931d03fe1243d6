"""`imr_normalizer`: ISO values and roles for DATE spans, canonical ANATOMICAL_LEVEL values.

Requires the entity spans and the header spans (`imr_header`). Assigns `span._.imr_norm` on DATE
and ANATOMICAL_LEVEL spans and `span._.imr_role` on DATE spans: a header date takes its field's
role, other dates the role of the cue words just before or after them (rules in
`date_roles.jsonl`).
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

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
        header_dates = {
            (s.start, s.end): L.HEADER_DATE_ROLES[s.label_]
            for s in doc.spans.get(L.HEADER_KEY, [])
            if s.label_ in L.HEADER_DATE_ROLES
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
