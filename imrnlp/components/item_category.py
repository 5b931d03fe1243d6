"""`imr_item_category`: a trained text classifier's reading of each disputed item's category.

Requires the items and their parts (`imr_items`); assigns `span._.imr_category_model` on each item
span of `doc.spans["imr_items"]`: `{"scores": {category: probability}, "threshold": t}`. The
classifier reads `item_text(part)`, the same text it was trained on. The assembler decides, with
`category.combine`, whether the model's category replaces the rules' (when the rules found no cue,
or when the model gives a different category a probability above `threshold`).

The classifier is a small spaCy pipeline of its own (a `textcat`, exclusive classes, trained by
`imrnlp train --category`; `imrnlp/configs/category.cfg`), kept inside this component's folder
when the pipeline is saved, so `spacy.load` of the saved pipeline brings it back. Without a
trained classifier (a component just added) it assigns nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy import util
from spacy.language import Language
from spacy.tokens import Doc

from .. import labels as L
from ..spanutil import squash
from .items import ItemParts, item_parts

#: The parts of an item the classifier reads after its request, in order.
TEXT_PARTS: tuple[str, ...] = (
    L.BLOCK_CLAIMS_ADMINISTRATOR,
    L.BLOCK_REVIEWER,
    L.BLOCK_RATIONALE,
)


#: How many times the request is written into an item's text: its few words then weigh more than
#: the rationale's many in a bag of words (3 against 1: macro F 0.51 against 0.44 out of fold on the
#: training letters, README "Item category model").
REQUEST_REPEATS = 3


def item_text(part: ItemParts) -> str:
    """What the category classifier reads of one item, at training and at run time: the request
    (else the heading, else the whole block) `REQUEST_REPEATS` times, then the claims
    administrator's and the reviewer's guideline lines and the rationale, one line each,
    whitespace collapsed."""
    lines = [squash(part.request.text)] * REQUEST_REPEATS
    lines += [squash(s.text) for name in TEXT_PARTS if (s := part.get(name)) is not None]
    return "\n".join(lines)


class ItemCategorizer:
    """Scores every item of a letter with the trained classifier held in `self.classifier`."""

    def __init__(
        self, nlp: Language, name: str = L.PIPE_ITEM_CATEGORY, *, threshold: float
    ) -> None:
        self.name = name
        self.threshold = threshold
        self.classifier: Language | None = None

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        classifier: Language | None = None,
    ) -> None:
        """Set the trained classifier: a pipeline whose `textcat` scores the categories."""
        if classifier is not None:
            self.classifier = classifier

    def __call__(self, doc: Doc) -> Doc:
        if self.classifier is None:
            return doc
        parts = item_parts(doc)
        texts = [self.classifier.make_doc(item_text(p)) for p in parts]
        for part, scored in zip(parts, self.classifier.pipe(texts), strict=True):
            scores = {cat: round(float(scored.cats.get(cat, 0.0)), 4) for cat in L.CATEGORIES}
            part.block._.set(L.EXT_CATEGORY_MODEL, {"scores": scores, "threshold": self.threshold})
        return doc

    # --- serialization: the classifier as a pipeline folder inside the component's folder -----

    def to_disk(self, path: str | Path, *, exclude: Any = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.classifier is not None:
            self.classifier.to_disk(path / "classifier")

    def from_disk(self, path: str | Path, *, exclude: Any = ()) -> ItemCategorizer:
        folder = Path(path) / "classifier"
        self.classifier = spacy.load(folder) if folder.is_dir() else None
        return self

    def to_bytes(self, *, exclude: Any = ()) -> bytes:
        if self.classifier is None:
            return srsly.msgpack_dumps({})
        data = {"config": self.classifier.config.to_str(), "bytes": self.classifier.to_bytes()}
        return srsly.msgpack_dumps(data)

    def from_bytes(self, data: bytes, *, exclude: Any = ()) -> ItemCategorizer:
        msg = srsly.msgpack_loads(data)
        if not msg:
            self.classifier = None
            return self
        config = util.load_config_from_str(msg["config"])
        nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
        self.classifier = nlp.from_bytes(msg["bytes"])
        return self
