"""The item category model: the policy that joins it to the rules, the item text, the held-back
split, and a small model trained from gold records that loads in a fresh process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

import imrnlp
from imrnlp import category
from imrnlp import labels as L
from imrnlp.category_model import config_path, held_back, scores, train_category
from imrnlp.cli import app
from imrnlp.components.item_category import REQUEST_REPEATS, item_text
from imrnlp.components.items import item_parts

from .conftest import REPO, one_item_letter

GOLD = REPO / "gold" / "records"
#: A request no category rule knows and a guideline line that names no topic: the rules say other.
NO_CUE = one_item_letter(
    "Zorbulation of the frimble", "Decision based on the reviewer's judgement."
)


def _prediction(best: str, p: float, threshold: float) -> dict:
    rest = (1 - p) / (len(L.CATEGORIES) - 1)
    return {
        "scores": {c: p if c == best else rest for c in L.CATEGORIES},
        "threshold": threshold,
    }


def test_combine_keeps_the_rules_without_a_model():
    assert category.combine("imaging", True, None) == ("imaging", "rules", None)
    assert category.combine("other", False, None) == ("other", "rules", None)


def test_combine_model_decides_where_the_rules_found_no_cue():
    got = category.combine("other", False, _prediction("surgery", 0.3, 1.01))
    assert got == ("surgery", "model", 0.3)


def test_combine_model_overrides_only_above_its_threshold():
    assert category.combine("imaging", True, _prediction("surgery", 0.9, 0.8))[:2] == (
        "surgery",
        "model",
    )
    assert category.combine("imaging", True, _prediction("surgery", 0.7, 0.8)) == (
        "imaging",
        "rules",
        None,
    )
    # the model agreeing with the rules leaves the rules' decision (and evidence) in place
    assert category.combine("imaging", True, _prediction("imaging", 0.99, 0.5))[1] == "rules"


def test_record_without_model_is_decided_by_the_rules(sample_text):
    record = imrnlp.extract(sample_text)
    assert record.items
    for item in record.items:
        assert item.category_source == "rules" and item.category_confidence is None
        assert item.category_evidence is None or item.category_evidence.rule_id != (
            category.MODEL_RULE
        )


def test_item_text_reads_request_guidelines_and_rationale():
    doc = imrnlp.load()(NO_CUE)
    (part,) = item_parts(doc)
    lines = item_text(part).split("\n")
    assert lines[:REQUEST_REPEATS] == ["Zorbulation of the frimble"] * REQUEST_REPEATS
    assert lines[REQUEST_REPEATS:-1] == ["Decision based on the reviewer's judgement."] * 2
    assert lines[-1].startswith("The records do not support it.")


def test_held_back_split_is_fixed():
    cases = [p.stem for p in GOLD.glob("*.json")]
    back = [c for c in cases if held_back(c)]
    assert len(back) == 29 and len(cases) == 154
    assert held_back("CM16-0231745") and not held_back("CM16-0213037")


def test_scores_macro_f_over_the_classes_seen():
    got = scores(["imaging", "imaging", "surgery"], ["imaging", "surgery", "surgery"])
    assert got["per_class"]["imaging"] == {"p": 1.0, "r": 0.5, "f": 0.6667, "n": 2}
    assert got["per_class"]["surgery"]["f"] == 0.6667
    assert got["macro_f"] == 0.6667 and got["accuracy"] == 0.6667


def test_config_ships_with_package():
    config = spacy.util.load_config(config_path(), interpolate=False)
    assert config["components"]["textcat"]["model"]["exclusive_classes"] is True
    assert (REPO / "models" / "category.cfg").read_text() == config_path().read_text()


# --- a small trained model (needs the corpus) --------------------------------------------------


@pytest.fixture(scope="module")
def small_model(corpus, tmp_path_factory) -> tuple[Path, Path]:
    """A category model trained on 6 gold letters for 20 steps, no cross-validation; its gold
    folder also holds 2 held-back letters, for `evaluate`."""
    tmp = tmp_path_factory.mktemp("category")
    gold = tmp / "gold"
    gold.mkdir()
    cases = sorted(p.stem for p in GOLD.glob("*.json"))
    chosen = [c for c in cases if not held_back(c)][:6] + [c for c in cases if held_back(c)][:2]
    for case in chosen:
        shutil.copy(GOLD / f"{case}.json", gold / f"{case}.json")
    model = tmp / "model"
    result = train_category(
        gold,
        model,
        folds=0,
        overrides={"training.max_steps": 20, "training.eval_frequency": 20},
    )
    assert result["letters"] == 6 and result["threshold"] > 1
    return model, gold


def test_small_model_loads_in_a_fresh_process_and_decides(small_model):
    model, _ = small_model
    code = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"  # entry points only: imrnlp is not imported here
        f"assert nlp.pipe_names[-1] == {L.PIPE_ITEM_CATEGORY!r}, nlp.pipe_names\n"
        "import imrnlp\n"
        "item = imrnlp.extract(sys.stdin.read(), model=sys.argv[1]).items[0]\n"
        "print(json.dumps(item.model_dump(mode='json')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(model)],
        input=NO_CUE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    item = json.loads(done.stdout)
    assert item["category_source"] == "model"
    assert item["category"] in L.CATEGORIES
    assert 0 < item["category_confidence"] <= 1
    assert item["category_evidence"]["rule_id"] == category.MODEL_RULE
    assert item["category_evidence"]["start"] == item["evidence"]["start"]


def test_small_model_survives_a_bytes_round_trip(small_model):
    model, _ = small_model
    nlp = imrnlp.load(model)
    again = spacy.blank("en").from_config(nlp.config).from_bytes(nlp.to_bytes())
    (a,) = item_parts(nlp(NO_CUE))
    (b,) = item_parts(again(NO_CUE))
    assert a.block._.get(L.EXT_CATEGORY_MODEL) == b.block._.get(L.EXT_CATEGORY_MODEL) is not None


def test_evaluate_prints_per_class_figures(small_model):
    model, gold = small_model
    runner = CliRunner()
    done = runner.invoke(app, ["evaluate", str(model), str(gold), "--category", "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["letters"] == 2 and result["split"] == "held_back"
    for system in ("rules", "model", "rules+model"):
        assert result[system]["per_class"] and 0 <= result[system]["macro_f"] <= 1
    table = runner.invoke(app, ["evaluate", str(model), str(gold), "--category"])
    assert table.exit_code == 0, table.output
    assert "macro F" in table.stdout and "rules+model" in table.stdout
    some_class = next(iter(result["rules"]["per_class"]))
    assert some_class in table.stdout
