"""How many letters to annotate: train on 25, 50 and 100 percent of the training letters and plot
span F per label on the fixed test letters, beside the rules alone: on the left what a user gets
(rules + model, the merge policies the dev letters chose), on the right what the NER itself has
learned (its own entities, before any merge).

    python benchmarks/learning_curve.py [ANNOTATIONS] [--steps 400] [-o learning_curve.png]

ANNOTATIONS defaults to `annotations/letters` (read with the corpus, `IMRNLP_CORPUS`). Every run
keeps the dev and test letters whole and draws its training letters from the same shuffled order
(seed 0), so a bigger run holds the smaller ones' letters. Prints a table and writes the PNG.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FRACTIONS = (0.25, 0.5, 1.0)
#: the plot's lowest F
FLOOR = 0.7


def _write(records, path: Path) -> None:
    with path.open("w", encoding="utf8") as f:
        for r in records:
            spans = [{"start": s, "end": e, "label": lab} for s, e, lab in r.spans]
            meta = {"source": r.source, "split": r.split}
            f.write(json.dumps({"text": r.text, "spans": spans, "meta": meta}) + "\n")


def _ner_scores(model: Path, records) -> dict[str, float]:
    """F per label (and "all") of the trained NER's own entities (`doc.ents`) on `records`."""
    import spacy

    from imrnlp.span_scores import scores_of, summary

    nlp = spacy.load(model)
    letters = []
    for r in records:
        nlp.max_length = max(nlp.max_length, len(r.text) + 1)
        doc = nlp(r.text)
        letters.append(scores_of({(e.start_char, e.end_char, e.label_) for e in doc.ents}, r.spans))
    scored = summary(letters)
    return {**{lab: s["f"] for lab, s in scored["per_label"].items()}, "all": scored["f"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("annotations", nargs="?", default=str(REPO / "annotations" / "letters"))
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("-o", "--output", default=str(REPO / "benchmarks" / "learning_curve.png"))
    args = parser.parse_args()

    from imrnlp import labels as L
    from imrnlp.train import evaluate_model, load_annotations, train_model

    records = load_annotations(Path(args.annotations))
    train = [r for r in records if r.split == "train"]
    fixed = [r for r in records if r.split != "train"]
    random.Random(0).shuffle(train)
    rows = []
    with tempfile.TemporaryDirectory(prefix="imrnlp-curve-") as tmp_name:
        tmp = Path(tmp_name)
        for fraction in FRACTIONS:
            n = max(1, round(len(train) * fraction))
            data = tmp / f"letters-{n}.jsonl"
            _write(train[:n] + fixed, data)
            started = time.perf_counter()
            trained = train_model(data, tmp / f"model-{n}", max_steps=args.steps)
            seconds = time.perf_counter() - started
            scores = evaluate_model(tmp / f"model-{n}", data, split="test")
            scores["ner"] = _ner_scores(tmp / f"model-{n}", [r for r in fixed if r.split == "test"])
            rows.append((n, seconds, scores))
            policies = ", ".join(f"{k} {v}" for k, v in trained["merge_policies"].items())
            print(
                f"{n:3} train letters: F {scores['model']['f']:.3f} "
                f"(rules alone {scores['rules']['f']:.3f}), trained in {seconds:.0f} s; "
                f"merged: {policies or 'nothing'}; "
                f"the NER's own entities F {scores['ner']['all']:.3f}",
                flush=True,
            )
    labels = list(L.ENTITY_LABELS)
    print("letters  " + "  ".join(f"{lab[:9]:>9}" for lab in labels) + "        all")
    for n, _, scores in rows:
        per = scores["model"]["per_label"]
        cells = "  ".join(f"{per.get(lab, {}).get('f', 0.0):9.3f}" for lab in labels)
        print(f"{n:7}  {cells}  {scores['model']['f']:9.3f}")
    rules = rows[-1][2]["rules"]
    cells = "  ".join(f"{rules['per_label'].get(lab, {}).get('f', 0.0):9.3f}" for lab in labels)
    print(f"  rules  {cells}  {rules['f']:9.3f}")
    print("the NER's own entities (before the merge):")
    for n, _, scores in rows:
        cells = "  ".join(f"{scores['ner'][lab]:9.3f}" for lab in labels)
        print(f"{n:7}  {cells}  {scores['ner']['all']:9.3f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Okabe-Ito colours, one per label
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
    fig, (ax, ax_ner) = plt.subplots(1, 2, figsize=(12, 5), dpi=100, sharey=True)
    xs = [n for n, _, _ in rows]
    for lab, colour in zip(labels, colours, strict=True):
        rules_f = rules["per_label"].get(lab, {}).get("f", 0.0)
        ys = [s["model"]["per_label"].get(lab, {}).get("f", 0.0) for _, _, s in rows]
        ax.plot(xs, ys, marker="o", color=colour, label=lab)
        ax_ner.plot(xs, [s["ner"][lab] for _, _, s in rows], marker="o", color=colour, label=lab)
        for axis in (ax, ax_ner):
            axis.axhline(rules_f, color=colour, ls=":", lw=1)
    ax.plot(xs, [s["model"]["f"] for _, _, s in rows], marker="s", color="black", lw=2, label="all")
    ax_ner.plot(xs, [s["ner"]["all"] for _, _, s in rows], marker="s", color="black", lw=2)
    for axis in (ax, ax_ner):
        axis.axhline(rules["f"], color="black", ls=":", lw=1.5)
        axis.set_xlabel("training letters annotated")
        axis.set_xticks(xs)
    ax.set_ylabel("span F1 on the test letters; dotted: rules alone")
    ax.set_title(f"rules + model, as merged ({args.steps} steps a run)")
    ax_ner.set_title("the NER's own entities, before the merge")
    # a label the NER has not learned yet (ANATOMICAL_LEVEL from 31 letters: 0.00) would squash
    # the others: the axis starts at FLOOR and such a point sits on it, its value written beside
    for axis, key in ((ax, "model"), (ax_ner, "ner")):
        axis.set_ylim(FLOOR, 1.01)
        for lab in labels:
            for n, _, s in rows:
                f = s["ner"][lab] if key == "ner" else s["model"]["per_label"][lab]["f"]
                if f < FLOOR:
                    axis.plot([n], [FLOOR], marker="v", color="grey")
                    axis.annotate(
                        f"{lab} {f:.2f}",
                        (n, FLOOR),
                        fontsize=7,
                        xytext=(4, 4),
                        textcoords="offset points",
                    )
    ax.legend(loc="lower right", fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
