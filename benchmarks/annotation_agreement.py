"""How far two readings of the same letters agree, and where the rules stand beside them.

    python benchmarks/annotation_agreement.py [--agreement annotations/agreement]
        [--annotations annotations/letters] [--model M]

`annotations/agreement/<case>.json` holds, for DIAGNOSIS and PROCEDURE in the 13 test letters, a
second reading made from a blank page (`second_reading`), the places where it and the gold
(`annotations/letters`) disagreed (`groups`: the gold's spans there as `first`, the second
reading's as `second`), the choice of an adjudicator who saw the two versions as A and B in a
random order, and the spans that result (`adjudicated`). See `annotations/README.md`.

Prints exact-match F (offsets and label, as `imrnlp evaluate`) per label for: the second reading
against the gold, the rules against the gold, the rules against the second reading, and each of
the gold, the second reading and the rules against the adjudicated spans; with `--model`, the
pipeline with that model too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from spacy.scorer import PRFScore

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from imrnlp import pipeline  # noqa: E402
from imrnlp.span_scores import Span3, letter_spans, scores_of  # noqa: E402
from imrnlp.train import load_annotations  # noqa: E402


def spans_of(rows: Iterable[dict[str, object]]) -> set[Span3]:
    return {(int(r["start"]), int(r["end"]), str(r["label"])) for r in rows}  # type: ignore[call-overload]


def label_score(pairs: Iterable[tuple[set[Span3], set[Span3]]], label: str) -> str:
    """F and counts of one label over the letters, from the project's span scores."""
    score = sum((scores_of(found, gold)[label] for found, gold in pairs), PRFScore())
    return (
        f"{score.fscore:.3f} ({score.tp:>3.0f} right, {score.fp:>2.0f} spurious,"
        f" {score.fn:>2.0f} missed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreement", type=Path, default=REPO / "annotations/agreement")
    parser.add_argument("--annotations", type=Path, default=REPO / "annotations/letters")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()

    letters = {Path(a.source).stem: a for a in load_annotations(args.annotations)}
    readings = {}
    for path in sorted(args.agreement.glob("*.json")):
        data = json.loads(path.read_text())
        letter = letters.get(path.stem)
        if letter is None:
            raise SystemExit(f"{path}: no annotated letter {path.stem} in {args.annotations}")
        if hashlib.sha256(letter.text.encode()).hexdigest() != data["sha256"]:
            raise SystemExit(f"{path}: the corpus text differs from the one read")
        readings[path.stem] = data
    if not readings:
        raise SystemExit(f"no readings in {args.agreement}")
    cases = sorted(readings)
    labels = readings[cases[0]]["labels"]
    chosen = [letters[c] for c in cases]

    def only(spans: set[Span3]) -> set[Span3]:
        return {s for s in spans if s[2] in labels}

    gold = [only(set(letters[c].spans)) for c in cases]
    second = [spans_of(readings[c]["second_reading"]) for c in cases]
    adjudicated = [spans_of(readings[c]["adjudicated"]) for c in cases]
    systems = {"rules": [only(s) for s in letter_spans(pipeline.load(None), chosen)]}
    if args.model:
        systems["rules + model"] = [
            only(s) for s in letter_spans(pipeline.load(str(args.model)), chosen)
        ]
    choices: dict[str, int] = {}
    for c in cases:
        for group in readings[c]["groups"]:
            choices[group["choice"]] = choices.get(group["choice"], 0) + 1

    print(f"{len(cases)} letters; {sum(choices.values())} places the two readings disagreed,")
    print("adjudicated: " + ", ".join(f"{k} {v}" for k, v in sorted(choices.items())))
    print("(first = the gold as the study read it, second = the blank-page reading)\n")
    rows: list[tuple[str, list[set[Span3]], list[set[Span3]]]] = [
        ("second reading vs gold", second, gold),
        *((f"{name} vs gold", found, gold) for name, found in systems.items()),
        *((f"{name} vs second reading", found, second) for name, found in systems.items()),
        ("gold vs adjudicated", gold, adjudicated),
        ("second reading vs adjudicated", second, adjudicated),
        *((f"{name} vs adjudicated", found, adjudicated) for name, found in systems.items()),
    ]
    for label in labels:
        print(label)
        for name, found, against in rows:
            print(f"  {name:<34} {label_score(zip(found, against, strict=True), label)}")


if __name__ == "__main__":
    main()
