"""Field-by-field accuracy of extract_file on the hand-annotated gold letters, from the PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

import imrnlp
from imrnlp.cli import app
from imrnlp.gold import evaluate_gold, load_gold, score

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
    assert len(GOLD) >= 154  # every corpus letter


def test_every_drug_item_has_the_drug_fields():
    from imrnlp.gold import DRUG_FIELDS

    for case, gold in GOLD.items():
        for n, item in enumerate(gold["items"]):
            if item["category"] == "medication":
                assert set(DRUG_FIELDS) <= set(item["medication"]), (case, n)


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


#: What was requested (issue 7), and the diagnosis lists (0.935 since their "and" rule): the
#: bars on the gold letters.
BARS = {
    "diagnoses": 0.93,
    "items.category": 0.98,
    "items.medication": 0.98,  # name, strength and quantity together
    "items.medication.ingredients": 0.97,
    "items.medication.opioid": 0.97,
    "items.medication.compounded": 0.97,
}


@pytest.mark.parametrize("field", sorted(BARS))
def test_what_was_requested_bar(scored, field):
    misses = [f for f in scored["failures"] if re.sub(r"\[\d+\]", "", f["field"]) == field]
    assert scored["by_field"][field] >= BARS[field], misses


@pytest.fixture(scope="module")
def reading_order_texts(corpus, tmp_path_factory):
    """The gold letters as `pdftotext` reading-order text: header labels and values come apart."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) not installed; .ci/run installs it")
    folder = tmp_path_factory.mktemp("plain")
    for case in GOLD:
        pdf = corpus / "dwc-imr-2017" / "pdf" / f"{case}.pdf"
        subprocess.run([pdftotext, str(pdf), str(folder / f"{case}.txt")], check=True)
    return folder


def test_reading_order_text_bar(reading_order_texts):
    result = evaluate_gold(REPO / "gold" / "records", reading_order_texts, suffix=".txt")
    right, total = map(int, result["decisions_right"].split("/"))
    assert right == total
    assert result["accuracy"] >= 0.95, result["failures"]


def test_gold_command(corpus):
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "gold",
            str(corpus / "dwc-imr-2017" / "text"),
            "--suffix",
            ".txt",
            "--json",
            "--gold",
            str(REPO / "gold" / "records"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["letters"] == len(GOLD)
