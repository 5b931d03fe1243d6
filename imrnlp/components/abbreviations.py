"""`imr_abbreviations`: abbreviations the letter defines, "electromyography (EMG)", found with
scispacy's Schwartz & Hearst implementation (its matcher and `find_abbreviation`), kept as data.

Requires nothing but the tokenizer. Assigns `doc._.imr_abbreviations`: one ``[short_start,
short_end, long_start, long_end]`` token range list per defined abbreviation, first definition
only. Only definitions are looked for (not every later use of a short form, which scispacy's
AbbreviationDetector also finds), and nothing Span-valued is stored, so Docs stay serializable.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .. import labels as L


class Abbreviations:
    def __init__(self, nlp: Language, name: str = L.PIPE_ABBREVIATIONS) -> None:
        self.name = name
        self.nlp = nlp
        self._matcher: Any = None

    def _build(self) -> Any:
        from scispacy.abbreviation import AbbreviationDetector  # slow import: only when used

        return AbbreviationDetector(self.nlp).matcher

    def __call__(self, doc: Doc) -> Doc:
        from scispacy.abbreviation import filter_matches, find_abbreviation

        if self._matcher is None:
            self._matcher = self._build()
        matches = [(m, start + 1, end - 1) for m, start, end in self._matcher(doc)]
        found: list[list[int]] = []
        seen: set[str] = set()
        candidates = filter_matches(matches, doc)
        # scispacy takes "SHORT (long form)" only when the long form has more than three words:
        # "MRI (magnetic resonance imaging)" is also one when SHORT is a capitalised word
        for _, start, end in matches:
            if 2 <= end - start <= 3 and start >= 2 and _is_short_form(doc[start - 2].text):
                candidates.append((doc[start:end], doc[start - 2 : start - 1]))
        for long_candidate, short_candidate in candidates:
            short, long_form = find_abbreviation(long_candidate, short_candidate)
            if long_form is None or short.text in seen:
                continue
            seen.add(short.text)
            start = _plural_fix(doc, short.text, long_form.start, long_form.end)
            found.append([short.start, short.end, start, long_form.end])
        doc._.set(L.EXT_ABBREVIATIONS, sorted(found))
        return doc


def _plural_fix(doc: Doc, short: str, start: int, end: int) -> int:
    """Schwartz & Hearst match a plural's 's' inside the long form and lose its first word
    ("Proton Pump Inhibitors (PPIs)" gives "Pump Inhibitors"): one word per capital letter."""
    capitals = sum(c.isupper() for c in short)
    words = sum(1 for t in doc[start:end] if t.is_alpha)
    while short.endswith("s") and words < capitals and start > 0 and doc[start - 1].is_alpha:
        start -= 1
        words += 1
    return start


def _is_short_form(text: str) -> bool:
    return 2 <= len(text) <= 10 and text[0].isupper() and sum(c.isupper() for c in text) >= 2
