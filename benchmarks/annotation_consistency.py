"""Where the annotations disagree with themselves: words tagged with a label in one place and left
untagged in another.

    python benchmarks/annotation_consistency.py [ANNOTATIONS] [--label DIAGNOSIS] [--top 30]
        [--contexts TERM ...]

For every text that the annotations tag with the label somewhere (case and line breaks ignored),
counts the places in all annotated letters where it is tagged and where it stands untagged (not
inside any span of that label), by split. It reads the gold alone, never the rules' or a model's
output, so it can pick what a consistency pass should read; the decision stays a person's,
made by reading each place in its letter against `annotations/README.md`. A text inside a span
of another label ("chronic pain" inside the GUIDELINE "Chronic Pain Medical Treatment") is
counted apart, as `inside other`: the guide leaves those out on purpose.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from imrnlp.train import Annotated, load_annotations  # noqa: E402


@dataclass
class Term:
    text: str
    tagged: Counter[str] = field(default_factory=Counter)  # by split
    untagged: Counter[str] = field(default_factory=Counter)
    inside_other: int = 0
    places: list[tuple[str, str, int, int]] = field(default_factory=list)  # untagged ones

    @property
    def minority(self) -> int:
        """The places that disagree with the term's majority (0: consistent)."""
        return min(sum(self.tagged.values()), sum(self.untagged.values()))


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _pattern(term: str) -> re.Pattern[str]:
    words = r"\s+".join(map(re.escape, term.split()))
    return re.compile(rf"(?<![A-Za-z0-9]){words}(?![A-Za-z0-9])", re.I)


def consistency(records: list[Annotated], label: str) -> list[Term]:
    """One `Term` per text tagged `label` somewhere, most disagreeing first."""
    terms = {
        _key(r.text[s:e]): Term(_key(r.text[s:e]))
        for r in records
        for s, e, lab in r.spans
        if lab == label
    }
    patterns = {text: _pattern(text) for text in terms}
    for rec in records:
        mine = [(s, e) for s, e, lab in rec.spans if lab == label]
        other = [(s, e) for s, e, lab in rec.spans if lab != label]
        for term in terms.values():
            for m in patterns[term.text].finditer(rec.text):
                a, b = m.span()
                if (a, b) in mine:
                    term.tagged[rec.split] += 1
                elif any(s <= a and b <= e for s, e in mine):
                    continue  # a word of a longer span of the label
                elif any(s <= a and b <= e for s, e in other):
                    term.inside_other += 1
                else:
                    term.untagged[rec.split] += 1
                    term.places.append((rec.source, rec.split, a, b))
    return sorted(terms.values(), key=lambda t: (-t.minority, t.text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("annotations", nargs="?", default=str(REPO / "annotations" / "letters"))
    parser.add_argument("--label", default="DIAGNOSIS")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--contexts", nargs="*", default=[], help="print the untagged places")
    args = parser.parse_args()
    records = load_annotations(Path(args.annotations))
    terms = consistency(records, args.label)
    texts = {r.source: r.text for r in records}
    print(f"{'disagree':>8} {'tagged':>12} {'untagged':>12} {'inside other':>12}  text")
    for term in terms[: args.top]:
        if not term.minority:
            break
        tagged = "/".join(str(term.tagged[s]) for s in ("train", "dev", "test"))
        untagged = "/".join(str(term.untagged[s]) for s in ("train", "dev", "test"))
        counts = f"{term.minority:>8} {tagged:>12} {untagged:>12} {term.inside_other:>12}"
        print(f"{counts}  {term.text}")
    print("(counts are train/dev/test; 'disagree' is the smaller of tagged and untagged)")
    print(
        f"texts that disagree: {sum(1 for t in terms if t.minority)} of {len(terms)}; "
        f"places on the minority side: {sum(t.minority for t in terms)}"
    )
    wanted = {_key(t) for t in args.contexts}
    by_text: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if term.text in wanted:
            for source, split, a, b in term.places:
                text = texts[source]
                around = " ".join(text[max(0, a - 60) : b + 40].split())
                by_text[term.text].append(f"  {split:5} {Path(source).name}  {around}")
    for text, lines in by_text.items():
        print(f"\nuntagged '{text}':")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
