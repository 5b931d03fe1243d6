"""Exact-match span scores of a pipeline against annotated letters, kept per letter.

A span counts as found when a span of `doc.spans["imr"]` has the annotation's label and both its
character offsets (an annotation off the tokenizer's boundaries can never be found, and counts as
missed). Counts are spaCy's `PRFScore`s, one per letter and label, so that they add up to the
figures `imrnlp evaluate` reports and can be resampled letter by letter (`bootstrap_losses`), which
is how `imrnlp train` tells a merge policy's gain on the dev letters from a balance of letters won
and lost.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from spacy.language import Language
from spacy.scorer import PRFScore

from . import labels as L

LetterScores = dict[str, PRFScore]
"""One letter's counts per entity label."""


class Letter(Protocol):
    text: str
    spans: list[tuple[int, int, str]]


def letter_scores(nlp: Language, letters: Iterable[Letter]) -> list[LetterScores]:
    """Run `nlp` on each letter; per letter and label, the spans found, spurious and missed."""
    out = []
    for letter in letters:
        if len(letter.text) >= nlp.max_length:
            nlp.max_length = len(letter.text) + 1
        doc = nlp(letter.text)
        found = {
            (s.start_char, s.end_char, s.label_)
            for s in doc.spans.get(L.SPANS_KEY, [])
            if s.label_ in L.ENTITY_LABELS
        }
        gold = set(letter.spans)
        scores = {}
        for label in L.ENTITY_LABELS:
            scores[label] = PRFScore()
            scores[label].score_set(
                {s for s in found if s[2] == label}, {s for s in gold if s[2] == label}
            )
        out.append(scores)
    return out


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
