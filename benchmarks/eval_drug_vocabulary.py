"""How well a drug vocabulary resolves the drugs of the gold records: imrnlp's own, and the
`drug-named-entity-recognition` package (MIT; an offline dictionary from MedlinePlus, DrugBank and
Wikipedia) for comparison.

    pip install drug-named-entity-recognition==2.0.9   # only for this comparison
    python benchmarks/eval_drug_vocabulary.py

For every medication item of `gold/records/`, the name as written is looked up; a lookup is right
when the ingredients it gives equal the gold ingredients (as sets). Also prints the cost of loading
each vocabulary.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def gold_drugs() -> list[tuple[str, set[str]]]:
    out = []
    for path in sorted((REPO / "gold" / "records").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf8"))["items"]:
            med = item.get("medication")
            if item["category"] == "medication" and med and med.get("ingredients"):
                out.append((med["name"], set(med["ingredients"])))
    return out


def main() -> None:
    drugs = gold_drugs()
    t = time.perf_counter()
    from imrnlp.drugs import vocabulary

    vocab = vocabulary()
    load = time.perf_counter() - t
    ours = 0
    for name, want in drugs:
        parts = [p for p in re.split(r"/|\(|\)", name) if p.strip()]
        got: set[str] = set()
        for part in parts:
            drug = vocab.lookup(part)
            got |= set(drug.ingredients) if drug else set()
        ours += got == want
    print(f"gold drug items with ingredients: {len(drugs)}")
    print(f"imrnlp vocabulary: {ours}/{len(drugs)} right, loaded in {load:.2f} s")
    try:
        t = time.perf_counter()
        from drug_named_entity_recognition import find_drugs
    except ImportError:
        print("drug-named-entity-recognition is not installed: pip install it to compare")
        return
    load = time.perf_counter() - t
    theirs = 0
    misses = []
    for name, want in drugs:
        found = find_drugs(re.findall(r"[\w-]+", name), is_ignore_case=True)
        got = set()
        for data, _, _ in found:
            for n in re.split(r"\s*(?:/|,|\band\b)\s*", data["name"].lower()):
                n = re.sub(r"\s+(?:patch|gel|cream|ointment|\(.*\))$", "", n).strip()
                if n:
                    got.add(n)
        if got == want:
            theirs += 1
        else:
            misses.append(name)
    print(f"drug-named-entity-recognition: {theirs}/{len(drugs)} right, imported in {load:.2f} s")
    print("  not resolved or resolved differently:", ", ".join(sorted(set(misses))))


if __name__ == "__main__":
    main()
