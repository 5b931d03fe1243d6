"""The item category model: trained from the gold records, scored against the rules.

Training data
-------------
`gold_items` runs the rule pipeline on each gold letter's text and pairs the pipeline's items in
letter order with the gold record's items (a letter whose item count differs is skipped and
counted); each item's text is `components.item_category.item_text` (request, guideline lines,
rationale) and its label the gold `category`.

Held-back letters
-----------------
A fixed fifth of the letters is never trained on: a letter is held back when the first 8 hex
digits of the SHA-256 of its case number ("CM16-0213037"), read as a number, are below 20 modulo
100 (`held_back`). `imrnlp evaluate --category` scores rules, model and rules + model on them.

Model and threshold
-------------------
A spaCy `textcat` (exclusive classes, `imrnlp/configs/category.cfg`: a bag of words),
trained with spaCy's own loop (`spacy.training.loop.train`), the last model kept. The record takes
the model's category when the rules found no cue, or when the model gives another category a
probability above a threshold (`category.combine`). The threshold is chosen by cross-validation
on the training letters only: out-of-fold predictions (letters split into `folds` groups by a
hash of the case number), the threshold of the grid whose rules + model macro F on those
predictions is highest (the highest such threshold on a tie: the rules stand when in doubt).
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_loop

from . import category
from . import labels as L
from . import pipeline as _pipeline
from .assemble import doc_to_record
from .components.item_category import ItemCategorizer, item_text
from .components.items import item_parts
from .corpus import corpus_dir
from .errors import MissingFileError, ReadError
from .gold import load_gold
from .readers import read_letter
from .version import __version__

logger = logging.getLogger("imrnlp")

#: Percent of the gold letters held back from training (`held_back`).
HELD_BACK_PERCENT = 20
#: Thresholds tried by cross-validation; above 1 the model decides only where the rules found
#: no cue.
THRESHOLDS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01)


def config_path() -> Path:
    """The category classifier's training config shipped with the package."""
    return Path(str(files("imrnlp") / "configs" / "category.cfg"))


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf8")).hexdigest()[:8], 16)


def held_back(case_number: str) -> bool:
    """Whether a letter is in the fixed held-back fifth, never trained on."""
    return _hash(case_number) % 100 < HELD_BACK_PERCENT


@dataclass
class GoldItem:
    """One disputed item of a gold letter, as the category model sees it.

    Attributes
    ----------
    case : the letter's case number.
    text : `item_text` of the item.
    gold : the gold record's category.
    rules : the rules' category; `decided` whether a rule cue decided it (else the default).
    scores : the category model's probabilities, when the pipeline has one.
    combined : the record's category with the model (rules + model), when it has one.
    """

    case: str
    text: str
    gold: str
    rules: str
    decided: bool
    scores: dict[str, float] | None = None
    combined: str | None = None

    @property
    def held_back(self) -> bool:
        return held_back(self.case)


def _letter_path(letters: Path, case: str) -> Path:
    for suffix in (".txt", ".pdf"):
        path = letters / f"{case}{suffix}"
        if path.is_file():
            return path
    raise MissingFileError(f"{letters}: no letter {case}.txt or {case}.pdf for the gold record")


def _letters_dir(letters: Path | None) -> Path:
    if letters is not None:
        return Path(letters)
    found = corpus_dir()
    if found is None:
        raise MissingFileError(
            "the corpus of letter texts was not found: set IMRNLP_CORPUS or give the letters folder"
        )
    return found / "dwc-imr-2017" / "text"


def gold_items(
    gold_dir: Path,
    letters: Path | None = None,
    nlp: Language | None = None,
    cases: Callable[[str], bool] | None = None,
) -> tuple[list[GoldItem], list[str]]:
    """The items of the gold letters paired with their gold category, and the case numbers of the
    letters skipped because the pipeline found another number of items than the gold record.

    Parameters
    ----------
    gold_dir : the gold records folder (`gold/records`).
    letters : the letters, `<case number>.txt` or `.pdf` (default: the corpus' text folder).
    nlp : the pipeline (default: the rules). With an `imr_item_category` component, each item
        also gets the model's scores and the rules + model category.
    cases : which case numbers to read (default: all).
    """
    gold = load_gold(Path(gold_dir))
    folder = _letters_dir(letters)
    nlp = nlp or _pipeline.load()
    chosen = [case for case in sorted(gold) if cases is None or cases(case)]
    texts = []
    for case in chosen:
        text, _ = read_letter(_letter_path(folder, case))
        nlp.max_length = max(nlp.max_length, len(text) + 1)
        texts.append(text)
    model = cast(
        ItemCategorizer | None,
        nlp.get_pipe(L.PIPE_ITEM_CATEGORY) if L.PIPE_ITEM_CATEGORY in nlp.pipe_names else None,
    )
    out: list[GoldItem] = []
    skipped: list[str] = []
    with nlp.select_pipes(disable=[L.PIPE_ITEM_CATEGORY] if model else []):
        docs = list(nlp.pipe(texts))
    for case, doc in zip(chosen, docs, strict=True):
        parts = item_parts(doc)
        wanted = gold[case].get("items", [])
        if len(parts) != len(wanted):
            skipped.append(case)
            continue
        by_rules = doc_to_record(doc).items
        combined = doc_to_record(model(doc)).items if model is not None else None
        for n, (part, item, want) in enumerate(zip(parts, by_rules, wanted, strict=True)):
            prediction = part.block._.get(L.EXT_CATEGORY_MODEL)
            out.append(
                GoldItem(
                    case=case,
                    text=item_text(part),
                    gold=want["category"],
                    rules=item.category,
                    decided=item.category_evidence is not None,
                    scores=prediction["scores"] if prediction else None,
                    combined=combined[n].category if combined is not None else None,
                )
            )
    if skipped:
        logger.warning(
            "%d letters skipped: their item count differs from the gold record's (%s)",
            len(skipped),
            ", ".join(skipped),
        )
    return out, skipped


# --- training ----------------------------------------------------------------------------------


def _blank() -> Language:
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": _pipeline.TOKENIZER}}})


def _docbin(items: Iterable[GoldItem], nlp: Language) -> DocBin:
    db = DocBin(store_user_data=False)
    for it in items:
        doc = nlp.make_doc(it.text)
        doc.cats = {cat: float(cat == it.gold) for cat in L.CATEGORIES}
        db.add(doc)
    return db


def fit(items: Sequence[GoldItem], overrides: dict[str, Any] | None = None) -> Language:
    """A textcat pipeline trained on `items` with the shipped config (spaCy's training loop,
    output quiet, the last model kept)."""
    if not items:
        raise ValueError("no items to train the category model on")
    with tempfile.TemporaryDirectory(prefix="imrnlp-category-") as tmp_name:
        tmp = Path(tmp_name)
        _docbin(items, _blank()).to_disk(tmp / "train.spacy")
        paths = {"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "train.spacy")}
        config = spacy.util.load_config(
            config_path(), overrides={**paths, **(overrides or {})}, interpolate=False
        )
        nlp = init_nlp(config)
        (tmp / "out").mkdir()
        quiet = io.StringIO()
        train_loop(nlp, tmp / "out", stdout=quiet, stderr=quiet)
        return spacy.load(tmp / "out" / "model-last")


def predict(classifier: Language, texts: Sequence[str]) -> list[dict[str, float]]:
    """The classifier's category probabilities of each text."""
    docs = (classifier.make_doc(t) for t in texts)
    return [
        {cat: float(d.cats.get(cat, 0.0)) for cat in L.CATEGORIES} for d in classifier.pipe(docs)
    ]


def _combined(items: Sequence[GoldItem], threshold: float) -> list[str]:
    return [
        category.combine(
            it.rules,
            it.decided,
            {"scores": it.scores, "threshold": threshold} if it.scores else None,
        )[0]
        for it in items
    ]


def choose_threshold(
    items: Sequence[GoldItem], folds: int = 5, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The threshold of `THRESHOLDS` with the best rules + model macro F on out-of-fold predictions
    of the training items (letters in `folds` groups by a hash of the case number).

    Returns {"threshold", "folds", "by_threshold": {t: macro F}, "model": scores of the model alone
    on the out-of-fold predictions, "rules": the rules' scores on the same items}.
    """
    oof: list[GoldItem] = []
    for k in range(folds):
        in_fold = [it for it in items if _hash("fold:" + it.case) % folds == k]
        rest = [it for it in items if _hash("fold:" + it.case) % folds != k]
        if not in_fold or not rest:
            continue
        probs = predict(fit(rest, overrides), [it.text for it in in_fold])
        oof += [_with_scores(it, p) for it, p in zip(in_fold, probs, strict=True)]
    gold = [it.gold for it in oof]
    by_threshold = {t: scores(gold, _combined(oof, t))["macro_f"] for t in THRESHOLDS}
    best = max(by_threshold.values())
    chosen = max(t for t, f in by_threshold.items() if f == best)
    return {
        "threshold": chosen,
        "folds": folds,
        "items": len(oof),
        "by_threshold": by_threshold,
        "model": scores(gold, [_argmax(it.scores) for it in oof]),
        "rules": scores(gold, [it.rules for it in oof]),
    }


def _with_scores(it: GoldItem, probs: dict[str, float]) -> GoldItem:
    return GoldItem(it.case, it.text, it.gold, it.rules, it.decided, scores=probs)


def _argmax(probs: dict[str, float] | None) -> str:
    if not probs:
        return str(category.rules()["default"])
    return max(probs, key=lambda cat: probs[cat])


def train_category(
    gold_dir: Path,
    output: Path,
    *,
    letters: Path | None = None,
    base: Path | None = None,
    folds: int = 5,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train the item category model on the gold letters that are not held back; write a whole
    pipeline to `output`: `base` (a saved or trained pipeline, e.g. one with a trained NER) or the
    rules, with `imr_item_category` (the classifier and its cross-validated threshold) last.

    Parameters
    ----------
    folds : cross-validation folds to choose the threshold (0 or 1: no cross-validation, the
        threshold above 1, so the model decides only where the rules found no cue).
    overrides : spaCy config overrides of `category.cfg` ({"training.max_steps": 50}).

    Returns
    -------
    {"output", "letters", "items", "skipped", "held_back_letters", "threshold", "cv", "seconds"}.
    """
    started = time.perf_counter()
    nlp = spacy.load(base) if base is not None else _pipeline.build()
    if L.PIPE_ITEM_CATEGORY in nlp.pipe_names:
        nlp.remove_pipe(L.PIPE_ITEM_CATEGORY)
    items, skipped = gold_items(gold_dir, letters, nlp, cases=lambda case: not held_back(case))
    if not items:
        raise ReadError(f"{gold_dir}: no gold items to train on (every letter held back?)")
    cv = choose_threshold(items, folds, overrides) if folds > 1 else None
    threshold = cv["threshold"] if cv else THRESHOLDS[-1]
    classifier = fit(items, overrides)
    component = cast(
        ItemCategorizer, nlp.add_pipe(L.PIPE_ITEM_CATEGORY, config={"threshold": threshold})
    )
    component.initialize(classifier=classifier)
    nlp.meta["imrnlp_version"] = __version__
    nlp.meta["description"] = "imrnlp rules with a trained item category model"
    output = Path(output)
    nlp.to_disk(output)
    _pipeline.forget()  # a cached pipeline loaded from `output` is stale now
    seconds = time.perf_counter() - started
    letters_used = len({it.case for it in items})
    logger.info("category model: %d items of %d letters, %.0fs", len(items), letters_used, seconds)
    return {
        "output": str(output),
        "letters": letters_used,
        "items": len(items),
        "skipped": skipped,
        "threshold": threshold,
        "cv": cv,
        "seconds": round(seconds, 1),
    }


# --- scoring -----------------------------------------------------------------------------------


def scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-class P/R/F, macro F (the mean F over the classes in the gold or the predictions) and
    accuracy of predicted categories against gold ones."""
    classes = [c for c in L.CATEGORIES if c in set(gold) | set(predicted)]
    per_class: dict[str, dict[str, float]] = {}
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[c] = {"p": round(prec, 4), "r": round(rec, 4), "f": round(f, 4), "n": tp + fn}
    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return {
        "macro_f": round(sum(s["f"] for s in per_class.values()) / len(classes), 4)
        if classes
        else 0.0,
        "accuracy": round(right / len(gold), 4) if gold else 0.0,
        "items": len(gold),
        "per_class": per_class,
    }


def evaluate_category(
    model: Path, gold_dir: Path, letters: Path | None = None, *, split: str = "held_back"
) -> dict[str, Any]:
    """Category P/R/F of the rules alone, the model alone and rules + model (the record's
    category) on the held-back gold letters (`split="held_back"`), or on all ("all").

    Returns {"letters", "items", "skipped", "threshold", "rules", "model", "rules+model"}, each
    system's entry as `scores` gives it.
    """
    if split not in ("held_back", "all"):
        raise ValueError(f"split must be 'held_back' or 'all', not {split!r}")
    nlp = _pipeline.load(model)
    if L.PIPE_ITEM_CATEGORY not in nlp.pipe_names:
        raise MissingFileError(
            f"{model} has no item category model: train one with `imrnlp train GOLD --category`"
        )
    threshold = cast(ItemCategorizer, nlp.get_pipe(L.PIPE_ITEM_CATEGORY)).threshold
    wanted = held_back if split == "held_back" else None
    items, skipped = gold_items(gold_dir, letters, nlp, cases=wanted)
    gold = [it.gold for it in items]
    return {
        "split": split,
        "letters": len({it.case for it in items}),
        "items": len(items),
        "skipped": skipped,
        "threshold": threshold,
        "rules": scores(gold, [it.rules for it in items]),
        "model": scores(gold, [_argmax(it.scores) for it in items]),
        "rules+model": scores(gold, [it.combined or it.rules for it in items]),
    }


__all__ = [
    "HELD_BACK_PERCENT",
    "THRESHOLDS",
    "GoldItem",
    "choose_threshold",
    "config_path",
    "evaluate_category",
    "fit",
    "gold_items",
    "held_back",
    "predict",
    "scores",
    "train_category",
]
