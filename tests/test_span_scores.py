"""Span scores per letter, their sum, the paired bootstrap and the merge-policy choice on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.scorer import PRFScore

import imrnlp
from imrnlp import labels as L
from imrnlp.span_scores import bootstrap_losses, letter_scores, sign_test, span_changes, summary
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


def test_span_changes_counts_each_change_once() -> None:
    gold = [{(0, 10, "DIAGNOSIS"), (20, 25, "DIAGNOSIS")}, {(5, 9, "DIAGNOSIS")}]
    rules = [{(4, 10, "DIAGNOSIS"), (20, 25, "DIAGNOSIS"), (30, 33, "DIAGNOSIS")}, set()]
    model = [
        {(0, 10, "DIAGNOSIS"), (20, 25, "DIAGNOSIS"), (30, 33, "DIAGNOSIS"), (40, 44, "DATE")},
        {(5, 8, "DIAGNOSIS")},
    ]
    # letter 1: a boundary mended (one change, won); letter 2: a wrong span added (lost)
    assert span_changes(model, rules, gold, "DIAGNOSIS") == (1, 1)
    # the other way round: a boundary broken (lost), a wrong span left out (won)
    assert span_changes(rules, model, gold, "DIAGNOSIS") == (1, 1)
    assert span_changes(model, rules, gold, "DATE") == (0, 1)  # other labels apart
    assert span_changes(rules, rules, gold, "DIAGNOSIS") == (0, 0)
    # one wrong boundary for another is neither; a span split in two wrongly is one change, lost
    assert span_changes(
        [{(0, 6, "DIAGNOSIS")}], [{(4, 10, "DIAGNOSIS")}], gold[:1], "DIAGNOSIS"
    ) == (
        0,
        0,
    )
    split = [{(0, 4, "DIAGNOSIS"), (5, 10, "DIAGNOSIS")}]
    assert span_changes(split, [{(0, 10, "DIAGNOSIS")}], gold[:1], "DIAGNOSIS") == (0, 1)


def test_sign_test_is_the_binomial_tail() -> None:
    assert sign_test(0, 0) == 1.0  # nothing changed: no evidence
    assert sign_test(1, 0) == 0.5
    assert sign_test(2, 0) == 0.25
    assert sign_test(5, 0) == 1 / 32
    assert sign_test(9, 1) == 11 / 1024
    assert sign_test(3, 3) == 42 / 64


def _ev(f: float, losses: float, won: int, lost: int) -> dict[str, float]:
    return {"f": f, "losses": losses, "won": won, "lost": lost, "p": sign_test(won, lost)}


def test_a_policy_needs_a_gain_that_is_not_a_balance_of_wins_and_losses() -> None:
    evidence = {
        "PROCEDURE": {
            "rules": 0.80,
            "add": _ev(0.79, 0.8, 3, 5),
            "boundaries": _ev(0.83, 0.05, 12, 2),
            "filter": _ev(0.85, 0.3, 20, 9),  # best F, but it loses letters to win others
        },
        "DIAGNOSIS": {
            "rules": 0.70,
            "add": _ev(0.71, 0.4, 8, 6),
            "boundaries": _ev(0.70, 0.0, 0, 0),  # no gain
            "filter": _ev(0.69, 0.6, 4, 6),
        },
    }
    assert choose_policies(evidence, 0.1) == {"PROCEDURE": "boundaries"}
    assert choose_policies(evidence, 1.0, 1.0) == {"PROCEDURE": "filter", "DIAGNOSIS": "add"}


def test_a_policy_needs_more_than_a_coin_toss_of_changes() -> None:
    # mends two boundaries in one dev letter and changes nothing else: no resample loses, but 2 of
    # 2 right is what a coin gives a quarter of the time
    evidence = {
        "PROCEDURE": {
            "rules": 0.908,
            "add": _ev(0.904, 0.75, 3, 6),
            "boundaries": _ev(0.903, 0.69, 5, 8),
            "filter": _ev(0.911, 0.0, 2, 0),
        },
        "MEDICATION": {
            "rules": 0.90,
            "add": _ev(1.0, 0.0, 9, 0),  # many changes, all right
            "boundaries": _ev(0.95, 0.0, 4, 0),
            "filter": _ev(0.89, 0.5, 1, 2),
        },
    }
    assert choose_policies(evidence) == {"MEDICATION": "add"}
    assert choose_policies(evidence, max_p=1.0) == {"PROCEDURE": "filter", "MEDICATION": "add"}
