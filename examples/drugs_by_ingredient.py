"""Count the drug disputes of a folder of letters by ingredient and class, with overturn rates.

    python examples/drugs_by_ingredient.py FOLDER OUT.parquet

Runs `imrnlp batch` into a Parquet item table, then reads it back the way an analyst would: one
row per disputed item, the drug columns filled for drug items.
"""

from __future__ import annotations

import sys
from collections import Counter

import pyarrow.parquet as pq

from imrnlp.batch import run_batch
from imrnlp.report import wilson

folder, out = sys.argv[1], sys.argv[2]
run_batch([folder], out)
items = pq.read_table(out).to_pylist()
drugs = [r for r in items if r["item_category"] == "medication"]
print(f"{len(drugs)} of {len(items)} disputed items are drugs")
opioid = sum(bool(r["item_medication_opioid"]) for r in drugs)
compounded = sum(bool(r["item_medication_compounded"]) for r in drugs)
for name, k in (("opioid", opioid), ("compounded", compounded)):
    lo, hi = wilson(k, len(drugs))
    print(f"{name}: {k}/{len(drugs)} of drug items (95% interval {lo:.0%} to {hi:.0%})")
by_ingredient: Counter[str] = Counter()
overturned: Counter[str] = Counter()
for r in drugs:
    for ingredient in (r["item_medication_ingredients"] or "(not in the vocabulary)").split(";"):
        by_ingredient[ingredient] += 1
        overturned[ingredient] += r["item_decision"] == "overturned"
for ingredient, n in by_ingredient.most_common(10):
    print(f"  {ingredient:30} {n:4} items, {overturned[ingredient]} overturned")
