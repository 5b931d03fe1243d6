"""What a model could learn from the annotated letters' phrases that the rules do not already know.

    python benchmarks/memorization_bound.py [ANNOTATIONS] [--labels DIAGNOSIS PROCEDURE ...]

A *phrase memory* is the simplest model trained on annotated letters: it learns every text the
training letters tag with a label (case and line breaks ignored) and, for each, how often a place
of that text the rules leave untagged is tagged in the training letters (its precision there);
and, for each text the rules tag, how often the rules' span is right. Applied to held-out letters
beside the rules it can

- **add**: tag a known text where the rules do not (a rule span of the same label inside it gives
  way to it), when at least `--min-count` training places were tagged and their precision is at
  least `--add-precision`;
- **filter**: drop a rule span whose text the rules tagged at least `--min-count` times in the
  training letters with a precision below `--filter-precision`.

It is scored like `imrnlp evaluate` (exact offsets and label), on the dev letters learning from the
training letters and on the test letters learning from both. It also counts, for the held-out
letters, how many of the rules' missed spans have a text any learning letter tags, and how many of
their spurious spans have a text no learning letter tags: a model that learns from these letters
can fix a miss whose words it has never seen tagged only by generalizing beyond them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spacy.scorer import PRFScore

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from imrnlp import pipeline  # noqa: E402
from imrnlp.span_scores import Span3, letter_spans, scores_of  # noqa: E402
from imrnlp.train import Annotated, load_annotations  # noqa: E402


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def places(text: str, phrase: str) -> list[tuple[int, int]]:
    """The places of `phrase` in `text`, whole words, any whitespace between its words."""
    pattern = r"(?<![\w-])" + r"\s+".join(map(re.escape, phrase.split(" "))) + r"(?![\w-])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, flags=re.I)]


class PhraseMemory:
    """One label's learned texts, with their counts in the learning letters."""

    def __init__(self, label: str, letters: Iterable[tuple[Annotated, set[Span3]]]) -> None:
        self.label = label
        letters = list(letters)
        texts = {norm(a.text[s:e]) for a, _ in letters for s, e, lab in a.spans if lab == label}
        self.add_counts: dict[str, tuple[int, int]] = {}  # text: (untagged by rules, of them gold)
        for phrase in texts:
            seen = right = 0
            for letter, found in letters:
                gold = set(letter.spans)
                for s, e in places(letter.text, phrase):
                    if (s, e, label) not in found:
                        seen += 1
                        right += (s, e, label) in gold
            self.add_counts[phrase] = (seen, right)
        self.rule_counts: Counter[str] = Counter()
        self.rule_right: Counter[str] = Counter()
        for letter, found in letters:
            gold = set(letter.spans)
            for span in found:
                if span[2] == label:
                    key = norm(letter.text[span[0] : span[1]])
                    self.rule_counts[key] += 1
                    self.rule_right[key] += span in gold
        self.known = texts

    def apply(
        self,
        text: str,
        found: set[Span3],
        *,
        add: float | None,
        drop: float | None,
        min_count: int,
    ) -> set[Span3]:
        out = set(found)
        if drop is not None:
            for span in found:
                key = norm(text[span[0] : span[1]])
                n = self.rule_counts[key]
                if span[2] == self.label and n >= min_count and self.rule_right[key] / n < drop:
                    out.discard(span)
        if add is not None:
            candidates = {
                place
                for phrase, (seen, right) in self.add_counts.items()
                if right >= min_count and right / seen >= add
                for place in places(text, phrase)
            }
            for s, e in sorted(candidates, key=lambda p: p[0] - p[1]):  # longest first
                overlapping = [x for x in out if x[0] < e and s < x[1]]
                if all(x[2] == self.label and s <= x[0] and x[1] <= e for x in overlapping):
                    out.difference_update(overlapping)
                    out.add((s, e, self.label))
        return out


def f_score(pairs: Iterable[tuple[set[Span3], set[Span3]]], label: str) -> float:
    """F of one label over the letters, from the project's span scores."""
    return sum((scores_of(found, gold)[label] for found, gold in pairs), PRFScore()).fscore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("annotations", nargs="?", type=Path, default=REPO / "annotations/letters")
    parser.add_argument("--labels", nargs="+", default=["DIAGNOSIS", "PROCEDURE", "MEDICATION"])
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--add-precision", type=float, default=0.5)
    parser.add_argument("--filter-precision", type=float, default=0.3)
    args = parser.parse_args()

    letters = load_annotations(args.annotations)
    found = letter_spans(pipeline.load(None), letters)
    by_split: dict[str, list[tuple[Annotated, set[Span3]]]] = {}
    for letter, spans in zip(letters, found, strict=True):
        by_split.setdefault(letter.split, []).append((letter, spans))

    print("split  label       rules   +add  filter  missed (text known)  spurious (never tagged)")
    for held_out, learn_splits in (("dev", ["train"]), ("test", ["train", "dev"])):
        learn = [pair for split in learn_splits for pair in by_split.get(split, [])]
        for label in args.labels:
            print(row(held_out, PhraseMemory(label, learn), by_split.get(held_out, []), args))


def row(
    split: str,
    memory: PhraseMemory,
    evaluated: list[tuple[Annotated, set[Span3]]],
    args: argparse.Namespace,
) -> str:
    """One held-out split and label: the rules, with the memory's additions, with its filter."""
    label = memory.label
    golds = [set(a.spans) for a, _ in evaluated]
    rules = [f for _, f in evaluated]
    added = [
        memory.apply(a.text, f, add=args.add_precision, drop=None, min_count=args.min_count)
        for a, f in evaluated
    ]
    filtered = [
        memory.apply(a.text, f, add=None, drop=args.filter_precision, min_count=args.min_count)
        for a, f in evaluated
    ]
    misses = [(a, s) for a, f in evaluated for s in set(a.spans) - f if s[2] == label]
    spurious = [(a, s) for a, f in evaluated for s in f - set(a.spans) if s[2] == label]
    known = sum(norm(a.text[s[0] : s[1]]) in memory.known for a, s in misses)
    never = sum(norm(a.text[s[0] : s[1]]) not in memory.known for a, s in spurious)
    scores = [f_score(zip(found, golds, strict=True), label) for found in (rules, added, filtered)]
    return (
        f"{split:<6} {label:<11} "
        + "  ".join(f"{x:.3f}" for x in scores)
        + f"  {len(misses):>6} ({known:>3})          {len(spurious):>6} ({never:>3})"
    )


if __name__ == "__main__":
    main()
