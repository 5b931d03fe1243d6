"""The agreement study's files, and the phrase-memory bound's model, checked without the corpus
where they can be."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from imrnlp.train import Annotated

REPO = Path(__file__).resolve().parent.parent
AGREEMENT = REPO / "annotations" / "agreement"
LETTERS = REPO / "annotations" / "letters"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _spans(rows: list[dict]) -> set[tuple[int, int, str]]:
    return {(r["start"], r["end"], r["label"]) for r in rows}


AGREEMENT_FILES = sorted(AGREEMENT.glob("*.json"))


def test_the_agreement_study_covers_the_test_letters() -> None:
    test_cases = {
        p.stem for p in LETTERS.glob("*.json") if json.loads(p.read_text())["split"] == "test"
    }
    assert {p.stem for p in AGREEMENT_FILES} == test_cases


@pytest.mark.parametrize("path", AGREEMENT_FILES, ids=lambda p: p.stem)
def test_adjudicated_spans_follow_from_the_readings_and_the_choices(path: Path) -> None:
    """`adjudicated` is what both readings share, outside the disputed places, plus at each
    place the version chosen; `first` is the gold as it stood, and still stands unless the
    group says the gold has since taken the adjudicated version (`gold_now`), so any other
    change to the gold of a test letter shows here."""
    data = json.loads(path.read_text())
    labels = set(data["labels"])
    gold = {s for s in _spans(json.loads((LETTERS / path.name).read_text())["spans"])}
    gold = {s for s in gold if s[2] in labels}
    second = _spans(data["second_reading"])
    gold_then = set(gold)  # the gold as the study read it
    shown: set[tuple[int, int, str]] = set()
    chosen: set[tuple[int, int, str]] = set()
    for group in data["groups"]:
        first, other = _spans(group["first"]), _spans(group["second"])
        choice = {
            "first": first,
            "second": other,
            "none": set(),
            "custom": _spans(group.get("spans", [])),
        }[group["choice"]]
        inside = {s for s in gold if s[0] < group["end"] and group["start"] < s[1]}
        then = choice if group.get("gold_now") == "adjudicated" else first
        assert then == inside, (group["start"], group["end"])
        gold_then = (gold_then - inside) | first
        shown |= first | other
        chosen |= choice
    assert (gold_then ^ second) <= shown  # every disagreement is in some group
    assert _spans(data["adjudicated"]) == ((gold_then & second) - shown) | chosen


def _letter(text: str, spans: list[tuple[int, int, str]], split: str) -> Annotated:
    return Annotated(text=text, spans=spans, split=split)


def test_phrase_memory_adds_what_training_letters_tag_and_drops_what_they_do_not() -> None:
    bound = _script("memorization_bound")
    one = "History of plantar fasciitis. Treated with rest."
    two = "Plantar fasciitis again;\nrest was advised."
    learn = [
        (_letter(one, [(11, 28, "DIAGNOSIS")], "train"), {(43, 47, "DIAGNOSIS")}),
        (_letter(two, [(0, 17, "DIAGNOSIS")], "train"), {(25, 29, "DIAGNOSIS")}),
    ]
    memory = bound.PhraseMemory("DIAGNOSIS", learn)
    assert memory.add_counts["plantar fasciitis"] == (2, 2)
    assert memory.rule_counts["rest"] == 2 and memory.rule_right["rest"] == 0
    held_out = "Plantar\nfasciitis, bilateral; rest."
    rules = {(30, 34, "DIAGNOSIS"), (8, 17, "DIAGNOSIS")}  # "rest" and "fasciitis"
    added = memory.apply(held_out, rules, add=0.5, drop=None, min_count=2)
    assert added == {(0, 17, "DIAGNOSIS"), (30, 34, "DIAGNOSIS")}  # the longer span takes over
    dropped = memory.apply(held_out, rules, add=None, drop=0.3, min_count=2)
    assert dropped == {(8, 17, "DIAGNOSIS")}
    assert memory.apply(held_out, rules, add=None, drop=0.3, min_count=3) == rules
