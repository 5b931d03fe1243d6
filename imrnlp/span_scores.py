"""Exact-match span scores of a pipeline against annotated letters, kept per letter.

A span counts as found when a span of `doc.spans["imr"]` has the annotation's label and both its
character offsets (an annotation off the tokenizer's boundaries can never be found, and counts as
missed). Counts are spaCy's `PRFScore`s, one per letter and label, so that they add up to the
figures `imrnlp evaluate` reports and can be resampled letter by letter (`bootstrap_losses`), which
is how `imrnlp train` tells a merge policy's gain on the dev letters from a balance of letters won
and lost; and which changes a policy makes to the spans (`span_changes`, `sign_test`), which is
how it tells a gain from a coin toss on a handful of changes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from spacy.language import Language
from spacy.scorer import PRFScore

from . import labels as L

LetterScores = dict[str, PRFScore]
"""One letter's counts per entity label."""
Span3 = tuple[int, int, str]
"""A span as its character offsets and label."""


class Letter(Protocol):
    text: str
    spans: list[tuple[int, int, str]]


def letter_spans(nlp: Language, letters: Iterable[Letter]) -> list[set[Span3]]:
    """Run `nlp` on each letter; per letter, its entity spans as (start, end, label) offsets."""
    out = []
    for letter in letters:
        if len(letter.text) >= nlp.max_length:
            nlp.max_length = len(letter.text) + 1
        doc = nlp(letter.text)
        out.append(
            {
                (s.start_char, s.end_char, s.label_)
                for s in doc.spans.get(L.SPANS_KEY, [])
                if s.label_ in L.ENTITY_LABELS
            }
        )
    return out


def scores_of(found: set[Span3], gold: Iterable[Span3]) -> LetterScores:
    """One letter's counts per label: the spans found, spurious and missed."""
    gold_set = set(gold)
    scores = {}
    for label in L.ENTITY_LABELS:
        scores[label] = PRFScore()
        scores[label].score_set(
            {s for s in found if s[2] == label}, {s for s in gold_set if s[2] == label}
        )
    return scores


def letter_scores(nlp: Language, letters: Iterable[Letter]) -> list[LetterScores]:
    """Run `nlp` on each letter; per letter and label, the spans found, spurious and missed."""
    letters = list(letters)
    return [
        scores_of(found, letter.spans)
        for found, letter in zip(letter_spans(nlp, letters), letters, strict=True)
    ]


def _prf(score: PRFScore) -> dict[str, float]:
    return {k: round(v, 4) for k, v in score.to_dict().items()}


def summary(letters: Sequence[LetterScores]) -> dict[str, Any]:
    """{"p", "r", "f", "per_label": {LABEL: {"p", "r", "f"}}, "letters"}, micro-averaged."""
    per_label = {label: sum((s[label] for s in letters), PRFScore()) for label in L.ENTITY_LABELS}
    overall = sum(per_label.values(), PRFScore())
    return {
        **_prf(overall),
        "per_label": {label: _prf(score) for label, score in per_label.items()},
        "letters": len(letters),
    }


def bootstrap_losses(
    candidate: Sequence[LetterScores],
    baseline: Sequence[LetterScores],
    label: str,
    resamples: int = 1000,
    seed: int = 0,
) -> float:
    """The share of letter resamples (with replacement, the same letters for both) in which
    `candidate` scores a lower F on `label` than `baseline`: a paired bootstrap over letters.

    A gain that rests on one letter while no letter loses keeps this at 0; a gain that is the
    balance of letters won and letters lost raises it."""
    if len(candidate) != len(baseline):
        raise ValueError("candidate and baseline must score the same letters")
    n = len(candidate)
    if n == 0:
        return 0.0
    rng = random.Random(seed)
    losses = 0
    for _ in range(resamples):
        picked = [rng.randrange(n) for _ in range(n)]
        a = sum((candidate[i][label] for i in picked), PRFScore())
        b = sum((baseline[i][label] for i in picked), PRFScore())
        losses += a.fscore < b.fscore
    return losses / resamples


def span_changes(
    candidate: Sequence[set[Span3]],
    baseline: Sequence[set[Span3]],
    gold: Sequence[Iterable[Span3]],
    label: str,
) -> tuple[int, int]:
    """Where `candidate` and `baseline` differ on `label`'s spans, how many of the changes are
    right and how many wrong: (won, lost). A change is a group of differing spans that overlap
    one another (a span only one side has, with every differing span it overlaps): a boundary
    moved is one change, a span added or left out is one. It is won when it gains annotated spans
    or sheds spurious ones on balance (a boundary mended, a right span added, a wrong one left
    out), lost when the balance goes the other way, and counts for neither when it is even (one
    wrong boundary for another)."""
    won = lost = 0
    for cand, base, gold_spans in zip(candidate, baseline, gold, strict=True):
        c = {sp for sp in cand if sp[2] == label}
        b = {sp for sp in base if sp[2] == label}
        g = {sp for sp in gold_spans if sp[2] == label}
        for group in _overlapping_groups(sorted((c - b) | (b - c))):
            new, old = group & c, group & b
            balance = len(new & g) - len(old & g) + len(old - g) - len(new - g)
            won += balance > 0
            lost += balance < 0
    return won, lost


def _overlapping_groups(spans: list[Span3]) -> list[set[Span3]]:
    """`spans` (sorted by start) in groups of spans that overlap, directly or through others."""
    groups: list[set[Span3]] = []
    end = -1
    for sp in spans:
        if groups and sp[0] < end:
            groups[-1].add(sp)
            end = max(end, sp[1])
        else:
            groups.append({sp})
            end = sp[1]
    return groups


def sign_test(won: int, lost: int) -> float:
    """One-sided exact sign test: the chance of `won` or more of `won + lost` changes right if
    each were right or wrong as by a coin (1.0 where nothing changed). A policy that mends one
    boundary in one dev letter and changes nothing else never loses a resample of the letters
    (`bootstrap_losses`), but it is one coin toss: 0.5 here."""
    n = won + lost
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(won, n + 1)) / 2**n
