"""`imr_date_roles`: the role of each DATE span (injury, UR denial, imaging, report ...).

Requires the DATE entity spans and the header spans (`imr_header`). Assigns `span._.imr_role` on
DATE spans: a header date takes its field's role; any other date the role of the first rule (in
file order) whose cue ends just before it ("date of injury: 07/17/2013", "MRI of the lumbar spine
dated 12/01/2016") or starts just after it ("on 01/05/2017 the UR non-certified ..."); else
"other".

The cues are token patterns in `patterns/date_roles.jsonl` ("side": "before" or "after"),
matched with spaCy's Matcher in a window around each date that is not a header value. The line
breaks of a letter's layout are whitespace tokens, so the Matcher is given each pattern with
optional whitespace tokens between its tokens; a quantifier `"OP": "{m,n}"` is unrolled so that
whitespace may also fall between its repetitions.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from .. import labels as L
from ._rules import RuleList, RuleStore

_SPACE: dict[str, Any] = {"IS_SPACE": True, "OP": "*"}
_RANGE = re.compile(r"^\{(\d*),(\d+)\}$")
#: Tokens between a cue and its date: at most this many, none closing a clause.
_MAX_FILLER = 4
#: Tokens read before and after a date for its cues (the longest cue, with its gaps and line
#: breaks, is shorter): the Matcher runs on these windows only, not on the whole letter.
_BEFORE, _AFTER = 30, 14
_CLAUSE_ENDS = {".", ";"}


class _Rule(NamedTuple):
    order: int
    role: str
    side: str


class DateRoles(RuleList):
    def __init__(self, nlp: Language, name: str = L.PIPE_DATE_ROLES) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self._store = RuleStore(("date_roles",))
        self._matcher = Matcher(nlp.vocab)
        self._rules: dict[int, _Rule] = {}

    def _rules_loaded(self) -> None:
        self._matcher = Matcher(self.vocab)  # validated by tests/test_patterns.py
        self._rules = {}
        for n, row in enumerate(self._store.rows["date_roles"]):
            self._matcher.add(row["id"], token_patterns(row["pattern"]))
            self._rules[self.vocab.strings[row["id"]]] = _Rule(n, row["role"], row["side"])

    def __call__(self, doc: Doc) -> Doc:
        dates = [s for s in doc.spans.get(L.SPANS_KEY, []) if s.label_ == L.DATE]
        if not dates:
            return doc
        header = {
            (s.start, s.end): L.HEADER_DATE_ROLES[s.label_]
            for s in doc.spans.get(L.HEADER_KEY, [])
            if s.label_ in L.HEADER_DATE_ROLES
        }
        cued = [s for s in dates if (s.start, s.end) not in header]
        # the best (first in file order) rule whose cue ends at / starts at each token
        ends: dict[int, _Rule] = {}
        starts: dict[int, _Rule] = {}
        for a, b in _windows(cued, len(doc)):
            for match_id, start, end in self._matcher(doc[a:b]):
                rule = self._rules[match_id]
                at, where = (a + end, ends) if rule.side == "before" else (a + start, starts)
                if at not in where or rule.order < where[at].order:
                    where[at] = rule
        for span in dates:
            role = header.get((span.start, span.end))
            if role is None:
                found = [ends.get(i) for i in _reach(doc, span.start, -1)] + [
                    starts.get(i) for i in _reach(doc, span.end, 1)
                ]
                rules = [r for r in found if r is not None]
                role = min(rules).role if rules else "other"
            span._.set(L.EXT_ROLE, role)
        return doc


def _windows(dates: list[Span], n_tokens: int) -> list[tuple[int, int]]:
    """Token ranges around the dates, merged where they overlap."""
    out: list[tuple[int, int]] = []
    for span in sorted(dates, key=lambda s: s.start):
        a, b = max(0, span.start - _BEFORE), min(n_tokens, span.end + _AFTER)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _reach(doc: Doc, i: int, step: int) -> list[int]:
    """Token positions a cue may end at (step -1: before token i) or start at (step 1: from
    token i): i itself, then across whitespace and punctuation that does not close a clause."""
    out = [i]
    for _ in range(_MAX_FILLER):
        tok: Token | None = (
            doc[i - 1] if step < 0 and i > 0 else doc[i] if step > 0 and i < len(doc) else None
        )
        if tok is None or not (tok.is_space or tok.is_punct) or tok.text in _CLAUSE_ENDS:
            break
        i += step
        out.append(i)
    return out


def token_patterns(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The Matcher patterns of one rule: `with_whitespace`, and one pattern per word where the
    first token is a set of words (`{"LOWER": {"IN": [...]}}`), since the Matcher tries every
    pattern's first token at every token, and a plain value is checked much faster than a set."""
    first = pattern[0] if pattern else {}
    words = first.get("LOWER", {}).get("IN") if isinstance(first.get("LOWER"), dict) else None
    if not words or first.get("OP") or len(first) > 1:
        return [with_whitespace(pattern)]
    return [with_whitespace([{"LOWER": w}, *pattern[1:]]) for w in words]


def with_whitespace(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A token pattern that also matches across whitespace tokens between its tokens."""
    out: list[dict[str, Any]] = []
    for token in pattern:
        m = _RANGE.match(str(token.get("OP", "")))
        if m is None:
            copies = [token]
        else:
            low, high = int(m.group(1) or 0), int(m.group(2))
            bare = {k: v for k, v in token.items() if k != "OP"}
            copies = [bare] * low + [dict(bare, OP="?")] * (high - low)
        for copy in copies:
            if out:
                out.append(_SPACE)
            out.append(copy)
    return out
