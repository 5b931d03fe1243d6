"""`imr_context`: assertion status of DIAGNOSIS spans, with medspaCy's ConText and IMR-tuned rules.

Requires DIAGNOSIS spans in `doc.spans["imr"]` and sentence boundaries. Assigns
`span._.imr_assertion` = present | uncertain | negated | historical. The rules are saved inside the
pipeline. Decision language ("is not medically necessary") is a PSEUDO modifier: it negates
nothing clinical.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Any

import numpy
from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L
from ..spanutil import is_line_wrap_text
from ._rules import RuleList, RuleStore

_TARGETS_EXT = "imr_context_targets"


class AssertionContext(RuleList):
    def __init__(self, nlp: Language, name: str = L.PIPE_CONTEXT, *, max_scope: int = 10) -> None:
        self.name = name
        self.nlp = nlp
        self.max_scope = max_scope
        self._store = RuleStore(("context_rules",))
        self._context: Any = None
        if not Doc.has_extension(_TARGETS_EXT):
            Doc.set_extension(_TARGETS_EXT, default=None)

    def opening_cues(self, category: str) -> tuple[str, ...]:
        """The forward cues of a category that this component holds: see `forward_cues`."""
        return forward_cues(self._store.rows["context_rules"], category)

    def _build(self) -> Any:
        from medspacy.context import ConText, ConTextRule  # slow import: only when used

        # scope = the modifier's sentence, cut to max_scope tokens (a ConText-wide max_scope would
        # ignore sentence ends, so it is set on each rule instead)
        context = ConText(self.nlp, name="imr_medspacy_context", rules=None)
        context.add(
            [
                ConTextRule(
                    r["literal"],
                    r["category"],
                    direction=r.get("direction", "BIDIRECTIONAL"),
                    pattern=r.get("pattern"),
                    allowed_types={L.DIAGNOSIS},
                    max_scope=r.get("max_scope", self.max_scope),
                )
                for r in self._store.rows["context_rules"]
            ]
        )
        return context

    def __call__(self, doc: Doc) -> Doc:
        spans = [s for s in doc.spans.get(L.SPANS_KEY, []) if s.label_ == L.DIAGNOSIS]
        for span in spans:
            span._.set(L.EXT_ASSERTION, "present")
        if not spans or not self._store.rows["context_rules"]:
            return doc
        # several rules often find the same stretch of text: ConText reads it once
        same: dict[tuple[int, int], list[Span]] = {}
        for span in spans:
            same.setdefault((span.start, span.end), []).append(span)
        targets = [group[0] for group in same.values()]
        if self._context is None:
            self._context = self._build()
        # ConText runs once, on a small Doc made of just the sentences that hold a diagnosis: a
        # modifier's scope is its sentence, and ConText compares every pair of modifiers, so the
        # rest of the letter would only cost time.
        # Line breaks inside a sentence are left out, so that a cue broken over two lines ("rule\n
        # out") reads as one.
        groups = _by_sentence(doc, targets)
        space = doc.to_array(IS_SPACE).tolist()
        words: list[str] = []
        spaces: list[bool] = []
        starts: list[bool | int | None] = []
        found: list[Span] = []
        placed: list[tuple[int, int, list[int]]] = []  # per group: start, first word, left out
        for start, end in groups:
            base, left_out = len(words), []
            for token in doc[start:end]:
                if space[token.i] and token.i > start and is_line_wrap_text(token.text):
                    spaces[-1] = True
                    left_out.append(token.i)
                    continue
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
                starts.append(token.i == start)
            placed.append((start, base, left_out))
        sents = Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts)
        # a cue that opens a target ("history of X", kept in the listed text) stays out of the
        # mirrored target, so ConText reads it as the modifier it is
        targets = []
        for place, members in zip(placed, groups.values(), strict=True):
            for span in members:
                first = _at(span.start + self._cue_length(span), *place)
                last = _at(span.end - 1, *place)
                found.append(Span(sents, first, max(first, last) + 1, label=span.label_))
                targets.append(span)
        sents._.set(_TARGETS_EXT, found)
        self._context(sents, targets=_TARGETS_EXT)
        for span, mirror in zip(targets, found, strict=True):
            assertion = assertion_of(mirror)
            for each in same[(span.start, span.end)]:
                each._.set(L.EXT_ASSERTION, assertion)
        return doc

    def _cue_length(self, span: Span) -> int:
        """Tokens of a forward ConText cue that opens the span ("status post ..."), else 0."""
        text = " ".join(span.text.lower().split())  # a cue may wrap: "status post\ncarpal"
        for rule in self._store.rows["context_rules"]:
            literal = rule["literal"].lower()
            if rule.get("direction") == "FORWARD" and text.startswith(literal + " "):
                words = [t.text for t in self.nlp.make_doc(literal) if not t.is_space]
                n = 0  # the cue's tokens, and the line breaks among and after them
                while n < len(span) and (words or span[n].is_space):
                    if not span[n].is_space:
                        words.pop(0)
                    n += 1
                return n if n < len(span) else 0
        return 0

    def _rules_loaded(self) -> None:
        self._context = None


def _at(i: int, start: int, base: int, left_out: list[int]) -> int:
    """Where token `i` of a sentence group that starts at `start` sits in the small Doc, whose
    group starts at `base`, with the line breaks `left_out` taken out."""
    return base + i - start - bisect_left(left_out, i)


def forward_cues(rules: list[dict[str, Any]], category: str) -> tuple[str, ...]:
    """The literals of the forward ConText rules of a category ("rule out", "status post"): the
    words that may open a listed diagnosis."""
    return tuple(
        r["literal"].lower()
        for r in rules
        if r.get("direction") == "FORWARD" and r["category"] == category
    )


@lru_cache(maxsize=16)
def opening_regex(words: tuple[str, ...], tail: str) -> re.Pattern[str] | None:
    """A regex for any of `words` opening a text ("rule out", "rule-out", "status post"),
    followed by `tail`."""
    if not words:
        return None
    alternatives = "|".join(
        r"\s*-?\s*".join(map(re.escape, w.replace("-", " ").split())) for w in words
    )
    return re.compile(rf"^(?:{alternatives})\b{tail}", re.I)


def _by_sentence(doc: Doc, targets: list[Span]) -> dict[tuple[int, int], list[Span]]:
    """Targets grouped by the (start, end) token range of their sentence, in text order; a target
    that crosses a sentence end joins the sentences it touches into one range."""
    # the sentence starts from the Doc's array, not a Token per word (1 = starts a sentence)
    starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist() or [0]
    ranges: list[tuple[int, int, Span]] = []
    for span in sorted(targets, key=lambda s: s.start):
        k = max(bisect_right(starts, span.start) - 1, 0)
        m = bisect_right(starts, max(span.end - 1, span.start))
        end = starts[m] if m < len(starts) else len(doc)
        ranges.append((starts[k], max(end, span.end), span))
    out: dict[tuple[int, int], list[Span]] = {}
    group: list[int] = []  # [start, end] of the group being built
    members: list[Span] = []
    for start, end, span in ranges:
        if group and start < group[1]:
            group[1] = max(group[1], end)
        else:
            if group:
                out[(group[0], group[1])] = members
            group, members = [start, end], []
        members.append(span)
    if group:
        out[(group[0], group[1])] = members
    return out


_ASSERTION_OF = (
    ("NEGATED_EXISTENCE", "negated"),
    ("POSSIBLE_EXISTENCE", "uncertain"),
    ("HISTORICAL", "historical"),
)


def assertion_of(span: Span) -> str:
    """present | uncertain | negated | historical, from the ConText modifiers of `span`.

    A modifier counts only if no TERMINATE cue ("," ";" "but") stands between it and the span:
    medspaCy 1.3 can lose that cut when several modifiers share a sentence."""
    graph = span.doc._.context_graph
    stops = [m.modifier_span for m in graph.modifiers if m.category == "TERMINATE"] if graph else []
    categories = set()
    for modifier in span._.modifiers:
        m_start, m_end = modifier.modifier_span
        lo, hi = (m_end, span.start) if m_end <= span.start else (span.end, m_start)
        if not any(lo <= s_start and s_end <= hi for s_start, s_end in stops):
            categories.add(modifier.category)
    for category, assertion in _ASSERTION_OF:
        if category in categories:
            return assertion
    return "present"
