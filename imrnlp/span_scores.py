"""Exact-match span scores of a pipeline against annotated letters, kept per letter.

A span counts as found when a span of `doc.spans["imr"]` has the annotation's label and both its
character offsets (an annotation off the tokenizer's boundaries can never be found, and counts as
missed). Counts are spaCy's `PRFScore`s, one per letter and label, so that they add up to the
figures `imrnlp evaluate` reports and can be resampled letter by letter (`bootstrap_losses`), which
is how `imrnlp train` tells a merge policy's gain on the dev letters from a balance of letters won
and lost, and which spans a policy changes (`changed_spans`, `sign_test`), which is how it tells a
gain from a coin toss on a handful of spans.
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


def changed_spans(
    candidate: Sequence[set[Span3]],
    baseline: Sequence[set[Span3]],
    gold: Sequence[Iterable[Span3]],
    label: str,
) -> tuple[int, int]:
    """Where `candidate` and `baseline` differ on `label`'s spans, how often the candidate is right
    and how often wrong: (won, lost). A span only the candidate has is won if it is annotated
    and lost if not; a span only the baseline has is won (the candidate left out a wrong span)
    if it is not annotated, and lost if it is. A boundary mended counts twice, as F does."""
    won = lost = 0
    for cand, base, gold_spans in zip(candidate, baseline, gold, strict=True):
        c = {s for s in cand if s[2] == label}
        b = {s for s in base if s[2] == label}
        g = {s for s in gold_spans if s[2] == label}
        won += len((c - b) & g) + len((b - c) - g)
        lost += len((c - b) - g) + len((b - c) & g)
    return won, lost


def sign_test(won: int, lost: int) -> float:
    """One-sided exact sign test: the chance of `won` or more of `won + lost` changed spans right
    if each were right or wrong as by a coin (1.0 where nothing changed). A policy that mends one
    span in one dev letter and changes nothing else never loses a resample of the letters
    (`bootstrap_losses`), but it is one coin toss: 0.5 here."""
    n = won + lost
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(won, n + 1)) / 2**n
