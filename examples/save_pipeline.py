"""Save the rule pipeline to a folder and use it with plain spaCy (no `import imrnlp` needed).

python examples/save_pipeline.py OUT_DIR
"""

from __future__ import annotations

import sys

import spacy

import imrnlp

out = sys.argv[1] if len(sys.argv) > 1 else "imr_rules"
imrnlp.load().to_disk(out)
nlp = spacy.load(out)  # the factories are found through imrnlp's spacy_factories entry points
doc = nlp("Norco 10/325mg #60: Upheld. MRI of the L4-5 level dated 07/17/2013.")
for span in doc.spans["imr"]:
    print(span.label_, span.text, span.id_)
