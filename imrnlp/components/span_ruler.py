"""spaCy's SpanRuler with its token patterns run by the `AnchoredMatcher`, and its phrase
patterns matched across line wraps by the `WrapPhraseMatcher`.

`pdftotext -layout` breaks a letter's lines where the page did, so "carpal tunnel\\nsyndrome" and
"physical\\ntherapy" are three tokens, the middle one the line break, and spaCy's PhraseMatcher,
which compares token by token, never finds the phrase. Token patterns say where a line break may
sit (`{"IS_SPACE": true, "OP": "?"}`); a phrase pattern (a plain string) cannot. So the phrase
matcher matches over the Doc as spaCy's does, and again around each line wrap that a phrase can
run over (the word before the wrap is followed by another in some phrase, and the word after it
follows another in some phrase), over the words there without the line break (`unwrapped`);
such a match is mapped back, and its span runs from the phrase's first word to its last, line
break included.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy
import spacy.attrs
import srsly
from spacy.attrs import IDS, IS_SPACE, ORTH
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span
from spacy.util import from_bytes, to_bytes
from spacy.vocab import Vocab

from ..filters import RulerFilter
from ..matcher import AnchoredMatcher
from ..spanutil import is_line_wrap, is_line_wrap_text
from ._rules import RuleStore


def unwrapped(doc: Doc, begin: int = 0, end: int | None = None) -> tuple[Doc, list[int]]:
    """The words of doc[begin:end] without its line-wrap tokens, as a Doc of the same vocab, and
    for each of its tokens the index of the token in `doc` it comes from. (A word hyphenated at
    a line's end, "x-" before "ray", is already two tokens, "x" and "-", as in "x-ray": the
    tokenizer's SUFFIXES.)"""
    words: list[str] = []
    index: list[int] = []
    for token in doc[begin:end]:
        if is_line_wrap(token):
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

    def add(self, phrase: Doc | tuple[int, ...]) -> None:
        """A phrase as a Doc, or as the tuple of its attribute values (how a pickled
        PhraseMatcher hands its phrases back)."""
        if len(phrase) < 2:  # a one-word phrase runs over no wrap
            return
        values = list(phrase) if isinstance(phrase, tuple) else [self._value(t) for t in phrase]
        self.before.update(values[:-1])
        self.after.update(values[1:])
        self.longest = max(self.longest, len(values))


class WrapPhraseMatcher(PhraseMatcher):
    """spaCy's PhraseMatcher that also finds a phrase wrapped over two or more lines. It notes
    the words of each phrase as it is added (from the Docs the SpanRuler made of its phrase
    patterns anyway, so nothing is tokenized twice), and keeps doing so through a pickle."""

    def __init__(self, vocab: Vocab, attr: int, validate: bool = False) -> None:
        super().__init__(vocab, attr=attr, validate=validate)
        self.joins = _Joins(attr)

    def add(self, key: str, docs: list[Any], *args: Any, **kwargs: Any) -> None:
        super().add(key, docs, *args, **kwargs)
        for phrase in docs:
            self.joins.add(phrase)

    def __call__(self, doclike: Any, *, as_spans: bool = False) -> Any:
        """spaCy's matches, then those that run over a line wrap (on a Span, spaCy's only)."""
        matches = super().__call__(doclike, as_spans=as_spans)  # type: ignore[call-overload]
        if not isinstance(doclike, Doc):
            return matches
        wrapped = self._across_wraps(doclike)
        if as_spans:
            return matches + [Span(doclike, s, e, label=key) for key, s, e in wrapped]
        return matches + wrapped

    def __reduce__(self) -> tuple[Any, ...]:
        data = super().__reduce__()[1]  # (vocab, phrases as value tuples, callbacks, attr)
        return (_unpickle, data)

    def _across_wraps(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Phrase matches that run over a line wrap, at their places in the Doc. The columns are
        read once; a whitespace token's text is looked at only where the words on both sides of
        it could join a phrase."""
        joins = self.joins
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
            around = super().__call__(words)
            found.extend(
                (key, index[s], index[e - 1] + 1)
                for key, s, e in around
                if index[s] < w < index[e - 1]
            )
        return found


def _unpickle(vocab: Vocab, phrases: dict, callbacks: dict, attr: int) -> WrapPhraseMatcher:
    matcher = WrapPhraseMatcher(vocab, attr=attr)
    for key, values in phrases.items():
        matcher.add(key, list(values), on_match=callbacks.get(key))
    return matcher


#: Token attributes the tokenizer sets, so a phrase pattern compared on them needs no component.
_TOKENIZER_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "SHAPE"})


#: The folder, in a ruler's folder, of the rules of its span filter (`use_filter`): one JSONL
#: file per list of `filters.RulerFilter.rows`, written and read by a `RuleStore`.
FILTER_DIR = "filter"


class AnchoredSpanRuler(SpanRuler):
    """A SpanRuler (same patterns and config) whose token patterns are tried only where their
    first token can match, instead of at every token, and whose phrase patterns also match a
    phrase wrapped over two or more lines.

    Its span filter's rules (noise and join rules, `filters.RulerFilter`) are its own when given
    by `use_filter`: saved beside its patterns by `to_disk` and `to_bytes` and read back by
    `from_disk` and `from_bytes`, so a saved pipeline filters with the rules it was made with.
    Without them the filter the config names stands (`imrnlp.longest_per_label.v1`: the
    installed package's rules)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._filter_rules = RuleStore(RulerFilter.ROWS)

    def use_filter(self, spans_filter: RulerFilter) -> None:
        """Filter with this `RulerFilter` (one can serve several rulers), and save its rules
        with the ruler."""
        self.spans_filter = spans_filter
        self._filter_rules.rows = dict(spans_filter.rows)

    def _filter_rules_loaded(self) -> None:
        rows = self._filter_rules.rows
        if any(rows.values()):
            self.use_filter(RulerFilter(rows["noise"], rows["joins"]))

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        serializers = {
            "patterns": lambda: srsly.json_dumps(self.patterns),
            "filter_rules": self._filter_rules.to_bytes,
        }
        return to_bytes(serializers, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> AnchoredSpanRuler:
        self.clear()
        deserializers = {
            "patterns": lambda b: self.add_patterns(srsly.json_loads(b)),
            "filter_rules": self._filter_rules.from_bytes,
        }
        from_bytes(bytes_data, deserializers, exclude)
        self._filter_rules_loaded()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        super().to_disk(path, exclude=exclude)
        if any(self._filter_rules.rows.values()):
            self._filter_rules.to_disk(Path(path) / FILTER_DIR)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> AnchoredSpanRuler:
        super().from_disk(path, exclude=exclude)
        folder = Path(path) / FILTER_DIR
        if folder.is_dir():
            self._filter_rules.from_disk(folder)
            self._filter_rules_loaded()
        return self

    def add_patterns(self, patterns: list[dict[str, Any]]) -> None:
        """spaCy's, but the phrase patterns are made by the tokenizer alone. spaCy's SpanRuler
        runs them through every component before it (`nlp.pipe`), which on imrnlp's pipeline
        meant the section finder on each of 11,000 phrases, a fifth of the pipeline's load time;
        the attribute the phrase matcher compares (LOWER here) is the tokenizer's."""
        names = [name for name, _ in self.nlp.pipeline]
        mine = next((i for i, (_, pipe) in enumerate(self.nlp.pipeline) if pipe is self), None)
        attr = self.phrase_matcher_attr or "ORTH"
        attr_name = attr if isinstance(attr, str) else spacy.attrs.NAMES[attr]
        if mine is None or attr_name.upper() not in _TOKENIZER_ATTRS:
            super().add_patterns(patterns)
            return
        with self.nlp.select_pipes(disable=names[:mine]):
            super().add_patterns(patterns)

    def clear(self) -> None:
        super().clear()
        self.matcher = AnchoredMatcher(  # type: ignore[assignment]
            self.nlp.vocab, validate=self.validate, fuzzy_compare=self.matcher_fuzzy_compare
        )
        name = self.phrase_matcher_attr or "ORTH"
        self.phrase_matcher = WrapPhraseMatcher(  # type: ignore[assignment]
            self.nlp.vocab,
            attr=name if isinstance(name, int) else IDS[name.upper()],
            validate=self.validate,
        )
