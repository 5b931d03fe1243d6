"""Field-by-field accuracy of extract_file on the hand-annotated gold letters, from the PDF."""

from __future__ import annotations

import json

import pytest

import imrnlp
from imrnlp.gold import load_gold, score

from .conftest import REPO

GOLD = load_gold(REPO / "gold" / "records")


@pytest.fixture(scope="module")
def scored(corpus):
    pairs = [
        (imrnlp.extract_file(corpus / "dwc-imr-2017" / "pdf" / f"{case}.pdf"), gold)
        for case, gold in GOLD.items()
    ]
    return score(pairs)


def test_gold_set_is_big_enough():
    assert len(GOLD) >= 40


def test_gold_files_hold_no_passages():
    for gold in GOLD.values():
        values = {k: v for k, v in gold.items() if k != "notes"}  # notes are the annotator's words
        for value in json.dumps(values).split('"'):
            assert len(value) < 400


def test_every_decision_right(scored):
    right, total = map(int, scored["decisions_right"].split("/"))
    assert right == total, [f for f in scored["failures"] if f["field"].endswith(".decision")]


def test_field_accuracy_bar(scored):
    print(json.dumps(scored["by_field"], indent=1))
    assert scored["accuracy"] >= 0.95, scored["failures"]
