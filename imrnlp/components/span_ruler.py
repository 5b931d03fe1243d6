"""spaCy's SpanRuler with its token patterns run by the `AnchoredMatcher`, and its phrase
patterns matched across line wraps.

`pdftotext -layout` breaks a letter's lines where the page did, so "carpal tunnel\\nsyndrome" and
"physical\\ntherapy" are three tokens, the middle one the line break, and spaCy's PhraseMatcher,
which compares token by token, never finds the phrase. Token patterns say where a line break may
sit (`{"IS_SPACE": true, "OP": "?"}`); a phrase pattern (a plain string) cannot, so the ruler runs
its PhraseMatcher over the Doc's words without its line breaks (`unwrapped`) and maps each match
back: the span runs from the phrase's first word to its last, line break included.
"""

from __future__ import annotations

import warnings

from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from ..matcher import AnchoredMatcher


def is_line_wrap(text: str) -> bool:
    """A whitespace token that only ends a line: one line break, no blank line, no page break."""
    return text.count("\n") == 1 and "\x0c" not in text and not text.strip()


def unwrapped(doc: Doc) -> tuple[Doc, list[int]]:
    """The Doc's words without its line-wrap tokens, as a Doc of the same vocab, and for each of
    its tokens the index of the token in `doc` it comes from (`doc` itself where no line wraps).
    A word hyphenated at a line's end ("x-" before "ray") is two words, "x" and "-", as the
    tokenizer cuts "x-ray", both from the one token."""
    words: list[str] = []
    index: list[int] = []
    wraps = 0
    for token in doc:
        if token.is_space and is_line_wrap(token.text):
            wraps += 1
            last = words[-1] if words else ""
            if len(last) > 1 and last.endswith("-"):
                words[-1:] = [last[:-1], "-"]
                index.append(index[-1])
            continue
        words.append(token.text)
        index.append(token.i)
    if not wraps:
        return doc, index
    return Doc(doc.vocab, words=words, spaces=[True] * len(words)), index


class AnchoredSpanRuler(SpanRuler):
    """A SpanRuler (same patterns, config and serialization) whose token patterns are tried only
    where their first token can match, instead of at every token, and whose phrase patterns also
    match a phrase wrapped over two or more lines."""

    def clear(self) -> None:
        super().clear()
        self.matcher = AnchoredMatcher(  # type: ignore[assignment]
            self.nlp.vocab, validate=self.validate, fuzzy_compare=self.matcher_fuzzy_compare
        )

    def match(self, doc: Doc) -> list[Span]:
        self._require_patterns()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            matches = list(self.matcher(doc))
            if len(self.phrase_matcher):
                words, index = unwrapped(doc)
                matches.extend(
                    (key, index[start], index[end - 1] + 1)
                    for key, start, end in self.phrase_matcher(words)
                    if start != end
                )
        found = {
            Span(
                doc,
                start,
                end,
                label=self._match_label_id_map[key]["label"],
                span_id=self._match_label_id_map[key]["id"],
            )
            for key, start, end in matches
            if start != end
        }
        return sorted(found)
