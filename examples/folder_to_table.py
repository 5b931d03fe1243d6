"""Turn a folder of letters into one row per disputed item (CSV), then count overturns.

    python examples/folder_to_table.py FOLDER OUT.csv

The same as `imrnlp batch FOLDER -o OUT.csv`, from Python.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter

from imrnlp.batch import run_batch

folder, out = sys.argv[1], sys.argv[2]
summary = run_batch([folder], out)
print(summary)
with open(out, newline="", encoding="utf8") as f:
    rows = list(csv.DictReader(f))
decisions = Counter(row.get("item_decision") or "(no item)" for row in rows)
print(f"{len(rows)} item rows: {dict(decisions)}")
