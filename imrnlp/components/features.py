"""`imr_features`: what the rules found, as token features for a trained model.

Requires the entity spans and the sections. Assigns `token.tag_` = "<label>|<section>": the label
of the longest rule span over the token, prefixed with the token's place in that span ("B-", "I-",
"L-", or "U-" for a one-token span: "B-DIAGNOSIS"; "O" outside every span), and the name of the
section the token is in ("none" before the first). With the places, two rule spans side by side
stay two for the model (test split F 0.929 against 0.924 without them, dev F 0.928 against 0.924,
README "Fine-tuning"). imrnlp has no part-of-speech tagger, so TAG is free to carry
them; the training config's `MultiHashEmbed` reads TAG beside NORM, PREFIX, SUFFIX and SHAPE, so
the trained NER sees what the rules see.
"""

from __future__ import annotations

from typing import Any, cast

import numpy
from spacy.attrs import TAG
from spacy.language import Language
from spacy.tokens import Doc

from .. import labels as L

OUTSIDE = "O"
NO_SECTION = "none"


class RuleFeatures:
    def __init__(self, nlp: Language, name: str = L.PIPE_FEATURES) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        labels = [OUTSIDE] * n
        # longest spans last, so they win where spans overlap
        for span in sorted(doc.spans.get(L.SPANS_KEY, []), key=lambda s: s.end - s.start):
            labels[span.start : span.end] = _biluo(span.label_, span.end - span.start)
        sections = [NO_SECTION] * n
        for span in doc.spans.get(L.SECTIONS_KEY, []):
            sections[span.start : span.end] = [span.label_] * (span.end - span.start)
        strings = doc.vocab.strings
        tags = numpy.array(
            [strings.add(f"{a}|{b}") for a, b in zip(labels, sections, strict=True)],
            dtype="uint64",
        ).reshape(n, 1)
        if n:
            doc.from_array([TAG], cast(Any, tags))
        return doc


def _biluo(label: str, length: int) -> list[str]:
    """The span's label on each of its tokens, prefixed with where the token is in it (Begin,
    Inside, Last, Unit), so that two rule spans side by side stay two."""
    if length == 1:
        return [f"U-{label}"]
    return [f"B-{label}", *[f"I-{label}"] * (length - 2), f"L-{label}"]
