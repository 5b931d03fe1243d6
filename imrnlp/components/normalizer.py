"""`imr_normalizer`: ISO values for DATE spans and canonical values for ANATOMICAL_LEVEL spans.

Requires the entity spans. Assigns `span._.imr_norm` on DATE ("2016-11-09") and ANATOMICAL_LEVEL
("L4-L5") spans. Each value is read from the span's own text.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .. import labels as L
from ..normalize import canonical_level, iso_date


class Normalizer:
    def __init__(self, nlp: Language, name: str = L.PIPE_NORMALIZER) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        for span in doc.spans.get(L.SPANS_KEY, []):
            if span.label_ == L.DATE:
                span._.set(L.EXT_NORM, iso_date(span.text))
            elif span.label_ == L.ANATOMICAL_LEVEL:
                span._.set(L.EXT_NORM, canonical_level(span.text))
        return doc
