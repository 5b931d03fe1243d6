"""A token-pattern matcher that runs each pattern only where it can match.

spaCy's `Matcher` starts every pattern at every token, so its cost is tokens x patterns, although
most patterns can only start at a handful of words ("page", "qty", "diagnoses"). `AnchoredMatcher`
reads each pattern's first required token: where it asks for a literal value or an `IN` set of
one attribute (ORTH/TEXT, LOWER, NORM, SHAPE), the pattern is filed under those values, together
with the next required literal token and how far after the start that token can sit; a first token
that asks for no literal but for a lexical flag to be true (`{"LIKE_URL": True}`, `{"IS_TITLE":
True}`) is filed under the flag, whose column holds 1 where it is set. On a Doc it reads the
attribute columns once (`doc.to_array`), finds where the first values occur and keeps the places
where the second one follows within reach, and there runs the patterns with a plain spaCy `Matcher`
over a window as long as their longest possible match. Patterns whose first token has neither (an
optional or negated first token, a regex) run over the whole Doc, as before.

A match can only start where both literal tokens are in place, and a window as long as the
longest match sees the whole of any match starting in it, so the matches are exactly the plain
Matcher's (tests/test_matcher.py checks that on the package's patterns and the corpus letters).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.attrs import IDS
from spacy.matcher import Matcher
from spacy.matcher.levenshtein import levenshtein_compare
from spacy.tokens import Doc
from spacy.vocab import Vocab

#: Attributes a literal token may be filed under, in order of preference; TEXT is ORTH.
ANCHOR_ATTRS: tuple[str, ...] = ("ORTH", "LOWER", "NORM", "SHAPE")
#: Lexical flags a first token without a literal may be filed under (its value True, 1 in the
#: flag's column): far fewer tokens are URLs or title-case words than there are tokens.
ANCHOR_FLAGS: tuple[str, ...] = (
    "LIKE_URL",
    "LIKE_EMAIL",
    "LIKE_NUM",
    "IS_DIGIT",
    "IS_UPPER",
    "IS_TITLE",
    "IS_CURRENCY",
)
_ALIASES = {"TEXT": "ORTH"}
_RANGE = re.compile(r"^\{(\d*)(,?)(\d*)\}$")

Pattern = list[dict[str, Any]]
#: An attribute and the values a token must have in it (strings; True for a flag).
Literal = tuple[str, frozenset[str | bool]]


def _spec(token: dict[str, Any]) -> dict[str, Any]:
    return {_ALIASES.get(k.upper(), k.upper()): v for k, v in token.items()}


def op_bounds(op: str | None) -> tuple[int, int | None]:
    """How many tokens a pattern token with this OP consumes: (fewest, most; None = no limit)."""
    if op in (None, "!"):
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, None
    if op == "+":
        return 1, None
    m = _RANGE.match(op)
    if m is None:
        raise ValueError(f"unknown token pattern OP {op!r}")
    low, comma, high = m.groups()
    if not comma:  # {n}
        return int(low), int(low)
    return int(low or 0), (int(high) if high else None)


def longest_match(pattern: Pattern) -> int | None:
    """The most tokens the pattern can match, or None where an operator has no limit."""
    total = 0
    for token in pattern:
        _, most = op_bounds(_spec(token).get("OP"))
        if most is None:
            return None
        total += most
    return total


def literal(token: dict[str, Any], flags: bool = False) -> Literal | None:
    """The attribute and values a required, non-negated pattern token asks for, if it asks for a
    literal value or an `IN` set of strings in one of ANCHOR_ATTRS, or (with `flags`, and only
    where it asks for no such literal) for one of ANCHOR_FLAGS to be true; else None."""
    spec = _spec(token)
    op = spec.get("OP")
    if op == "!" or op_bounds(op)[0] == 0:
        return None
    found = _string_literal(spec)
    if found is None and flags:
        for attr in ANCHOR_FLAGS:
            if spec.get(attr) is True:
                return attr, frozenset([True])
    return found


def _string_literal(spec: dict[str, Any]) -> Literal | None:
    for attr in ANCHOR_ATTRS:
        value = spec.get(attr)
        if isinstance(value, str):
            return attr, frozenset([value])
        if (
            isinstance(value, dict)
            and set(value) == {"IN"}
            and value["IN"]
            and all(isinstance(v, str) for v in value["IN"])
        ):
            return attr, frozenset(value["IN"])
    return None


@dataclass(frozen=True)
class Anchor:
    """Where a pattern can start: its first token's literal, and (where there is one within a
    bounded reach) the next required literal token, `near` to `far` tokens after the start."""

    first: Literal
    then: Literal | None = None
    near: int = 0
    far: int = 0


def anchor(pattern: Pattern) -> Anchor | None:
    """The pattern's Anchor, or None where its first token has no literal to file it under."""
    if not pattern:
        return None
    first = literal(pattern[0], flags=True)
    if first is None:
        return None
    near, far = op_bounds(_spec(pattern[0]).get("OP"))
    for token in pattern[1:]:
        if far is None:
            break
        then = literal(token)
        if then is not None:
            return Anchor(first, then, near, far)
        fewest, most = op_bounds(_spec(token).get("OP"))
        near, far = near + fewest, (None if most is None else far + most)
    return Anchor(first)


@dataclass
class _Group:
    """The patterns filed under one Anchor, and the longest any of them can match."""

    anchor: Anchor
    matcher: Matcher
    longest: int | None = 0
    keys: set[str] = field(default_factory=set)


class AnchoredMatcher:
    """A drop-in for `spacy.matcher.Matcher` in a SpanRuler (add, remove, `in`, len, call on a
    Doc), returning the same matches while running each pattern only where it can start."""

    def __init__(
        self,
        vocab: Vocab,
        validate: bool = False,
        fuzzy_compare: Callable[[str, str, int], bool] = levenshtein_compare,
    ) -> None:
        self.vocab = vocab
        self._validate = validate
        self._fuzzy_compare = fuzzy_compare
        self._unanchored = self._make()
        self._groups: dict[Anchor, _Group] = {}
        self._keys: set[str] = set()
        self._index: _Index | None = None

    def _make(self) -> Matcher:
        return Matcher(self.vocab, validate=self._validate, fuzzy_compare=self._fuzzy_compare)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str, patterns: Iterable[Pattern], **kwargs: Any) -> None:
        """File each pattern under its Anchor (or with the unanchored ones)."""
        if kwargs.get("on_match") or kwargs.get("greedy"):
            raise NotImplementedError("AnchoredMatcher keeps neither on_match nor greedy")
        for pattern in patterns:
            found = anchor(pattern)
            if found is None:
                self._unanchored.add(key, [pattern])
            else:
                group = self._groups.get(found)
                if group is None:
                    group = self._groups[found] = _Group(found, self._make())
                group.matcher.add(key, [pattern])
                group.keys.add(key)
                most = longest_match(pattern)
                if most is None or group.longest is None:
                    group.longest = None
                else:
                    group.longest = max(group.longest, most)
            self._keys.add(key)
        self._index = None

    def remove(self, key: str) -> None:
        if key not in self._keys:
            raise KeyError(key)
        if key in self._unanchored:
            self._unanchored.remove(key)
        for group in self._groups.values():
            if key in group.keys:
                group.matcher.remove(key)
                group.keys.discard(key)
        self._keys.discard(key)
        self._index = None

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        matches: list[tuple[int, int, int]] = []
        if len(self._unanchored):
            matches.extend(self._unanchored(doc))
        n = len(doc)
        if not n:
            return matches
        if self._index is None:
            self._index = _Index(self.vocab, [g for g in self._groups.values() if g.keys])
        for group, starts in self._index.starts(doc):
            if group.longest is None:
                matches.extend(_run(group.matcher, doc, starts[0], n))
                continue
            begin, end = starts[0], min(n, starts[0] + group.longest)
            for i in starts[1:]:
                if i > end:
                    matches.extend(_run(group.matcher, doc, begin, end))
                    begin = i
                end = min(n, i + group.longest)
            matches.extend(_run(group.matcher, doc, begin, end))
        # patterns of one key filed in two groups can find the same span; spaCy's Matcher
        # reports it once
        return list(dict.fromkeys(matches))


class _Index:
    """The groups' literals as hashes, by attribute, and where in a Doc each group can start."""

    def __init__(self, vocab: Vocab, groups: list[_Group]) -> None:
        self.attrs: list[int] = sorted(
            {IDS[g.anchor.first[0]] for g in groups}
            | {IDS[g.anchor.then[0]] for g in groups if g.anchor.then}
        )
        self.column = {attr: i for i, attr in enumerate(self.attrs)}
        # first literal: attribute -> value hash -> the groups starting with it
        self.first: dict[int, dict[int, list[_Group]]] = {}
        # second literal: group -> (column, its value hashes)
        self.then: dict[int, tuple[int, frozenset[int]]] = {}
        for g in groups:
            attr, values = g.anchor.first
            table = self.first.setdefault(IDS[attr], {})
            for value in values:
                table.setdefault(_column_value(vocab, value), []).append(g)
            if g.anchor.then:
                attr, values = g.anchor.then
                hashes = frozenset(_column_value(vocab, v) for v in values)
                self.then[id(g)] = (self.column[IDS[attr]], hashes)

    def starts(self, doc: Doc) -> list[tuple[_Group, list[int]]]:
        """For each group, in order, the tokens where one of its patterns can start."""
        n = len(doc)
        if not self.attrs:
            return []
        array = doc.to_array(list(self.attrs)).reshape(n, len(self.attrs))
        columns = [array[:, i].tolist() for i in range(len(self.attrs))]
        found: dict[int, tuple[_Group, list[int]]] = {}
        for attr, table in self.first.items():
            # a dict lookup per word costs less than numpy.isin's sorting and bookkeeping
            for i, value in enumerate(columns[self.column[attr]]):
                groups = table.get(value)
                if groups is None:
                    continue
                for g in groups:
                    then = self.then.get(id(g))
                    if then is not None:
                        values, hashes = columns[then[0]], then[1]
                        for j in range(i + g.anchor.near, min(n - 1, i + g.anchor.far) + 1):
                            if values[j] in hashes:
                                break
                        else:
                            continue
                    found.setdefault(id(g), (g, []))[1].append(i)
        return [(g, sorted(set(starts))) for g, starts in found.values()]


def _column_value(vocab: Vocab, value: str | bool) -> int:
    """What `doc.to_array` holds for a literal: a string's hash, 1 for a flag that is set."""
    return vocab.strings.add(value) if isinstance(value, str) else int(value)


def _run(matcher: Matcher, doc: Doc, begin: int, end: int) -> list[tuple[int, int, int]]:
    """The matcher's matches in doc[begin:end], at their places in the Doc (a Matcher called on a
    Span counts from the Span's start)."""
    return [(key, begin + s, begin + e) for key, s, e in matcher(doc[begin:end])]
