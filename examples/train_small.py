"""Fine-tune imrnlp on a few annotated letters, then compare the trained pipeline with the rules.

Run from the repository root, with the corpus at ../shared/corpus (or IMRNLP_CORPUS set):

    python examples/train_small.py [MODEL_DIR] [MAX_STEPS]

The same from the command line: `imrnlp train annotations/letters -o MODEL_DIR --max-steps N`
and `imrnlp evaluate MODEL_DIR annotations/letters`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import imrnlp
from imrnlp.train import evaluate_model, load_annotations, train_model

ANNOTATIONS = Path("annotations/letters")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/imr-model-small")
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 60

    result = train_model(ANNOTATIONS, model, max_steps=steps)
    print(f"trained {result['steps']} steps in {result['seconds']:.0f}s -> {result['output']}")

    scores = evaluate_model(model, ANNOTATIONS, split="test")
    print(f"\n{'label':18} {'rules F':>8} {'model F':>8}")
    for label in imrnlp.labels.ENTITY_LABELS:
        rules_f = scores["rules"]["per_label"][label]["f"]
        model_f = scores["model"]["per_label"][label]["f"]
        print(f"{label:18} {rules_f:8.3f} {model_f:8.3f}")
    print(f"{'all':18} {scores['rules']['f']:8.3f} {scores['model']['f']:8.3f}")

    letter = next(r for r in load_annotations(ANNOTATIONS) if r.split == "test")
    record = imrnlp.extract(letter.text, model=model, source=letter.source)
    for item in record.items:
        print(item.model_dump_json(include={"request", "decision", "category"}))


if __name__ == "__main__":
    main()
