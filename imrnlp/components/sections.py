"""`imr_sections`: finds the letter's sections by their headings and recognises its layout.

Assigns `doc.spans["imr_sections"]` (one span per section, label = section name, id = rule id)
and `doc._.imr_layout`. Requires nothing but the tokenizer.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L
from ..spanutil import doc_text
from ._rules import RuleStore, StoredRules


class SectionDetector(StoredRules):
    """Line-anchored heading rules (a regex per row) and layout rules (a layout's headings)."""

    def __init__(self, nlp: Language, name: str = L.PIPE_SECTIONS) -> None:
        self.name = name
        self._store = RuleStore(("sections", "layouts"))
        self._compiled: list[tuple[re.Pattern[str], dict[str, Any]]] = []

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        sections: list[dict[str, Any]] | None = None,
        layouts: list[dict[str, Any]] | None = None,
    ) -> None:
        self.add_rules(sections or [], layouts or [])

    def add_rules(self, sections: list[dict[str, Any]], layouts: list[dict[str, Any]]) -> None:
        self._store.rows["sections"].extend(sections)
        self._store.rows["layouts"].extend(layouts)
        self._compile()

    def _compile(self) -> None:
        self._compiled = [
            (re.compile(r"(?m)^[ \t\f]*(?:" + row["pattern"] + ")"), row)
            for row in self._store.rows["sections"]
        ]

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)  # built once per Doc
        found: list[tuple[int, dict[str, Any]]] = []
        for regex, row in self._compiled:
            for m in regex.finditer(text):
                # the heading starts at its first non-space character
                start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
                found.append((start, row))
        found.sort(key=lambda x: x[0])
        spans: list[Span] = []
        ids: set[str] = set()
        for n, (start, row) in enumerate(found):
            end = found[n + 1][0] if n + 1 < len(found) else len(text)
            span = doc.char_span(start, end, label=row["section"], alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            span.id_ = row["id"]
            spans.append(span)
            ids.add(row["id"])
        doc.spans[L.SECTIONS_KEY] = spans
        doc._.set(L.EXT_LAYOUT, self._layout(ids))
        return doc

    def _layout(self, ids: set[str]) -> str:
        for row in self._store.rows["layouts"]:
            if all(r in ids for r in row["requires"]):
                return str(row["layout"])
        return "unknown"

    def _rules_loaded(self) -> None:
        self._compile()
