"""spaCy's SpanRuler with its token patterns run by the `AnchoredMatcher`, and its phrase
patterns matched across line wraps.

`pdftotext -layout` breaks a letter's lines where the page did, so "carpal tunnel\\nsyndrome" and
"physical\\ntherapy" are three tokens, the middle one the line break, and spaCy's PhraseMatcher,
which compares token by token, never finds the phrase. Token patterns say where a line break may
sit (`{"IS_SPACE": true, "OP": "?"}`); a phrase pattern (a plain string) cannot. So the ruler
runs its PhraseMatcher over the Doc as spaCy does, and again around each line wrap that a phrase
can run over (the word before the wrap is followed by another in some phrase, and the word after
it follows another in some phrase), over the words there without the line break (`unwrapped`);
such a match is mapped back, and its span runs from the phrase's first word to its last, line
break included.
"""

from __future__ import annotations

import warnings
from operator import attrgetter
from typing import Any

import numpy
import spacy.attrs
from spacy.attrs import IDS, IS_SPACE, ORTH
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from ..matcher import AnchoredMatcher
from ..spanutil import is_line_wrap, is_line_wrap_text


def unwrapped(doc: Doc, begin: int = 0, end: int | None = None) -> tuple[Doc, list[int]]:
    """The words of doc[begin:end] without its line-wrap tokens, as a Doc of the same vocab, and
    for each of its tokens the index of the token in `doc` it comes from. A word hyphenated at a
    line's end ("x-" before "ray") is two words, "x" and "-", as the tokenizer cuts "x-ray", both
    from the one token."""
    words: list[str] = []
    index: list[int] = []
    for token in doc[begin:end]:
        if is_line_wrap(token):
            last = words[-1] if words else ""
            if len(last) > 1 and last.endswith("-"):
                words[-1:] = [last[:-1], "-"]
                index.append(index[-1])
            continue
        words.append(token.text)
        index.append(token.i)
    return Doc(doc.vocab, words=words, spaces=[True] * len(words)), index


class _Joins:
    """What a phrase needs to run over a line wrap: the word before the wrap is a phrase's word
    that is not its last (`before`), the word after it one that is not its first (`after`),
    compared in the phrase matcher's attribute `attr`; `longest` is the longest phrase in
    tokens. Filled in as phrases are added (a removed phrase leaves its words: that only costs a
    look at a few more wraps)."""

    def __init__(self, attr: int) -> None:
        self.attr = attr
        self._value = attrgetter(spacy.attrs.NAMES[attr].lower())  # LOWER -> Token.lower
        self.before: set[int] = set()
        self.after: set[int] = set()
        self.longest = 0

    def add(self, phrase: Doc) -> None:
        if len(phrase) < 2:  # a one-word phrase runs over no wrap
            return
        values = [self._value(token) for token in phrase]
        self.before.update(values[:-1])
        self.after.update(values[1:])
        self.longest = max(self.longest, len(values))


class _NotingPhraseMatcher(PhraseMatcher):
    """spaCy's PhraseMatcher, noting the words of each phrase added in `joins` (from the Docs the
    SpanRuler made of its phrase patterns anyway, so nothing is tokenized twice)."""

    def __init__(self, vocab: Vocab, attr: int, validate: bool = False) -> None:
        super().__init__(vocab, attr=attr, validate=validate)
        self.joins = _Joins(attr)

    def add(self, key: str, docs: list[Doc], *args: Any, **kwargs: Any) -> None:
        super().add(key, docs, *args, **kwargs)
        for phrase in docs:
            self.joins.add(phrase)


class AnchoredSpanRuler(SpanRuler):
    """A SpanRuler (same patterns, config and serialization) whose token patterns are tried only
    where their first token can match, instead of at every token, and whose phrase patterns also
    match a phrase wrapped over two or more lines."""

    def clear(self) -> None:
        super().clear()
        self.matcher = AnchoredMatcher(  # type: ignore[assignment]
            self.nlp.vocab, validate=self.validate, fuzzy_compare=self.matcher_fuzzy_compare
        )
        self.phrase_matcher = _NotingPhraseMatcher(  # type: ignore[assignment]
            self.nlp.vocab, attr=self._phrase_attr(), validate=self.validate
        )

    def _phrase_attr(self) -> int:
        """The attribute the phrase patterns are compared in (LOWER here), as its id."""
        name = self.phrase_matcher_attr or "ORTH"
        return name if isinstance(name, int) else IDS[name.upper()]

    def match(self, doc: Doc) -> list[Span]:
        self._require_patterns()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            matches = list(self.matcher(doc))
            if len(self.phrase_matcher):
                matches.extend(self.phrase_matcher(doc))
                matches.extend(self._across_wraps(doc))
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

    def _joins_of_phrases(self) -> _Joins:
        matcher = self.phrase_matcher
        if isinstance(matcher, _NotingPhraseMatcher):
            return matcher.joins
        # a ruler sent to another process: pickle rebuilds a plain PhraseMatcher, so the phrase
        # patterns are read again, once
        joins = self.__dict__.get("_unpickled_joins")
        if joins is None:
            joins = _Joins(self._phrase_attr())
            for entry in self._patterns:
                if isinstance(entry["pattern"], str):
                    joins.add(self.nlp.make_doc(entry["pattern"]))
            self.__dict__["_unpickled_joins"] = joins
        return joins

    def _across_wraps(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Phrase matches that run over a line wrap, at their places in the Doc. The columns are
        read once; a whitespace token's text is looked at only where the words on both sides of
        it could join a phrase."""
        joins = self._joins_of_phrases()
        n = len(doc)
        if joins.longest < 2 or n < 3:
            return []
        array = doc.to_array([joins.attr, ORTH, IS_SPACE])
        values = array[:, 0].tolist()
        orths = array[:, 1].tolist()
        strings = doc.vocab.strings
        hyphen = strings.add("-")
        found: list[tuple[int, int, int]] = []
        for w in numpy.flatnonzero(array[1 : n - 1, 2]).tolist():
            w += 1
            if values[w + 1] not in joins.after:
                continue
            if values[w - 1] not in joins.before:
                last = strings[orths[w - 1]]
                if not (len(last) > 1 and last.endswith("-") and hyphen in joins.before):
                    continue
            if not is_line_wrap_text(strings[orths[w]]):
                continue
            begin, end = max(0, w - 2 * joins.longest), min(n, w + 2 * joins.longest)
            words, index = unwrapped(doc, begin, end)
            found.extend(
                (key, index[s], index[e - 1] + 1)
                for key, s, e in self.phrase_matcher(words)
                if index[s] < w < index[e - 1]
            )
        return found
