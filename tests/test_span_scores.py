"""Span scores per letter, their sum, the paired bootstrap and the merge-policy choice on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.scorer import PRFScore

import imrnlp
from imrnlp import labels as L
from imrnlp.span_scores import bootstrap_losses, letter_scores, summary
from imrnlp.train import choose_policies

TEXT = "Norco 10/325mg #60 is not medically necessary. Date of Injury: 07/17/2013."


@dataclass
class _Letter:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def _counts(tp: int, fp: int, fn: int, label: str = "DIAGNOSIS") -> dict[str, PRFScore]:
    scores = {lab: PRFScore() for lab in L.ENTITY_LABELS}
    scores[label] = PRFScore(tp=tp, fp=fp, fn=fn)
    return scores


def test_letter_scores_match_offsets_and_labels() -> None:
    start = TEXT.index("07/17/2013")
    letter = _Letter(
        TEXT,
        [
            (0, 5, "MEDICATION"),  # found
            (start, start + 10, "DATE"),  # found
            (0, 4, "MEDICATION"),  # off the rules' boundaries: missed
        ],
    )
    (scores,) = letter_scores(imrnlp.load(), [letter])
    assert (scores["MEDICATION"].tp, scores["MEDICATION"].fn) == (1, 1)
    assert (scores["DATE"].tp, scores["DATE"].fp, scores["DATE"].fn) == (1, 0, 0)
    assert scores["DECISION"].fp >= 1  # "is not medically necessary" is not in this gold


def test_summary_adds_letters_before_dividing() -> None:
    total = summary([_counts(1, 0, 0), _counts(0, 0, 3)])
    assert total["per_label"]["DIAGNOSIS"] == {"p": 1.0, "r": 0.25, "f": 0.4}
    assert total["letters"] == 2 and total["f"] == 0.4


def test_bootstrap_losses_is_paired_over_letters() -> None:
    rules = [_counts(5, 1, 1) for _ in range(8)]
    better = [_counts(6, 0, 0) for _ in range(8)]
    assert bootstrap_losses(better, rules, "DIAGNOSIS") == 0.0
    assert bootstrap_losses(rules, better, "DIAGNOSIS") == 1.0
    assert bootstrap_losses(rules, rules, "DIAGNOSIS") == 0.0  # a tie is not a loss
    # better on one letter of eight and equal in the others: never below the rules
    assert bootstrap_losses([_counts(6, 0, 0), *rules[1:]], rules, "DIAGNOSIS") == 0.0
    # better on one letter, worse on another: below the rules where the worse one weighs more
    mixed = [_counts(6, 0, 0), _counts(4, 2, 2), *rules[2:]]
    assert 0.3 < bootstrap_losses(mixed, rules, "DIAGNOSIS", resamples=2000) < 0.6


def test_a_policy_needs_a_gain_that_is_not_a_balance_of_wins_and_losses() -> None:
    evidence = {
        "PROCEDURE": {
            "rules": 0.80,
            "add": {"f": 0.79, "losses": 0.8},
            "boundaries": {"f": 0.83, "losses": 0.05},
            "filter": {"f": 0.85, "losses": 0.3},  # best F, but it loses letters to win others
        },
        "DIAGNOSIS": {
            "rules": 0.70,
            "add": {"f": 0.71, "losses": 0.4},
            "boundaries": {"f": 0.70, "losses": 0.0},  # no gain
            "filter": {"f": 0.69, "losses": 0.6},
        },
    }
    assert choose_policies(evidence, 0.1) == {"PROCEDURE": "boundaries"}
    assert choose_policies(evidence, 1.0) == {"PROCEDURE": "filter", "DIAGNOSIS": "add"}
