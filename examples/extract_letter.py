"""Extract one letter and print its items: the everyday spot check.

    python examples/extract_letter.py [LETTER.pdf|LETTER.txt]

Without an argument it reads the sample letter bundled with imrnlp.
"""

from __future__ import annotations

import sys
from importlib.resources import files

import imrnlp

if len(sys.argv) > 1:
    record = imrnlp.extract_file(sys.argv[1])
else:
    record = imrnlp.extract((files("imrnlp") / "data" / "sample_letter.txt").read_text("utf8"))

print(f"{record.case_number}  decided {record.decision_date}  ({record.layout} layout)")
print(f"reviewer: {record.reviewer.specialty} ({', '.join(record.reviewer.licensure)})")
for item in record.items:
    cited = item.reviewer_guideline.kind if item.reviewer_guideline else "none"
    print(f"- {item.request}: {item.decision} [{item.category}; reviewer cited {cited}]")
    # every value points back to the words it came from
    print(f"    evidence at characters {item.evidence.start}-{item.evidence.end}")
for warning in record.warnings:
    print(f"warning: {warning}")
