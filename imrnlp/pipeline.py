"""Builds imrnlp's Language from the package's rules, and loads saved or trained pipelines."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language

from . import factories, filters, resources  # noqa: F401  (registers factories and filters)
from . import labels as L
from .components.context import AssertionContext
from .components.date_roles import DateRoles
from .components.diagnosis_lists import DiagnosisLists
from .components.sections import SectionDetector
from .components.span_ruler import AnchoredSpanRuler
from .tokenizer import create_tokenizer  # noqa: F401  (registers the tokenizer)
from .version import __version__

logger = logging.getLogger("imrnlp")
#: The registered tokenizer every imrnlp pipeline is built with.
TOKENIZER = "imrnlp.Tokenizer.v1"

#: Components after the rulers, in order. A trained NER and the merger go in front
#: of them, so everything that reads entities sees the trained spans.
READERS: tuple[str, ...] = (
    L.PIPE_DIAGNOSIS_LISTS,
    "sentencizer",
    L.PIPE_ABBREVIATIONS,
    L.PIPE_CONTEXT,
    L.PIPE_HEADER,
    L.PIPE_CREDENTIALS,
    L.PIPE_NORMALIZER,
    L.PIPE_DATE_ROLES,
    L.PIPE_ITEMS,
)


def build() -> Language:
    """A fresh rule pipeline over `spacy.blank("en")`, its rules read from `patterns/`."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    sections = cast(SectionDetector, nlp.add_pipe(L.PIPE_SECTIONS))
    sections.add_rules(resources.section_rules(), resources.layout_rules())
    _add_ruler(nlp, L.PIPE_ENTITY_RULER, L.SPANS_KEY, resources.entity_patterns())
    _add_ruler(nlp, L.PIPE_FIELD_RULER, L.FIELDS_KEY, resources.field_patterns())
    diagnosis_lists = cast(DiagnosisLists, nlp.add_pipe(L.PIPE_DIAGNOSIS_LISTS))
    diagnosis_lists.initialize(rules=resources.diagnosis_outside_rules())
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(L.PIPE_ABBREVIATIONS)
    context = cast(AssertionContext, nlp.add_pipe(L.PIPE_CONTEXT))
    context.initialize(rules=resources.context_rules())
    nlp.add_pipe(L.PIPE_HEADER)
    nlp.add_pipe(L.PIPE_CREDENTIALS)
    nlp.add_pipe(L.PIPE_NORMALIZER)
    date_roles = cast(DateRoles, nlp.add_pipe(L.PIPE_DATE_ROLES))
    date_roles.initialize(rules=resources.date_role_rules())
    nlp.add_pipe(L.PIPE_ITEMS)
    nlp.meta["name"] = "imr_rules"
    nlp.meta["version"] = __version__
    nlp.meta["imrnlp_version"] = __version__
    nlp.meta["description"] = "imrnlp rule pipeline for California IMR letters"
    return nlp


def _add_ruler(nlp: Language, name: str, spans_key: str, patterns: list[dict[str, Any]]) -> None:
    """An imr_span_ruler (spaCy's span_ruler, its token patterns run only where they can start)
    writing `doc.spans[spans_key]`: overlaps kept across labels, the longest span kept within a
    label, phrase patterns (plain strings) matched on lower-cased tokens."""
    config = {
        "spans_key": spans_key,
        "annotate_ents": False,
        "overwrite": False,
        "spans_filter": {"@misc": "imrnlp.longest_per_label.v1"},
        # the package's patterns are checked against spaCy's schema by tests/test_patterns.py;
        # checking them again at every load was 40% of the pipeline's build time
        "validate": False,
        "phrase_matcher_attr": "LOWER",
        "scorer": {"@scorers": "spacy.overlapping_labeled_spans_scorer.v1", "spans_key": spans_key},
    }
    ruler = cast(AnchoredSpanRuler, nlp.add_pipe(L.FACTORY_SPAN_RULER, name=name, config=config))
    ruler.add_patterns(patterns)
    ruler.use_filter(filters.package_filter())  # the package's rules, compiled once


def load(model: str | Path | None = None) -> Language:
    """The rule pipeline (model=None) or a saved or trained pipeline folder; cached per model
    (by resolved path). `forget()` empties the cache."""
    return _load_cached(None if model is None else str(Path(model).resolve()))


@functools.cache
def _load_cached(key: str | None) -> Language:
    # functools.cache keeps its table consistent across threads; two threads asking for the
    # same pipeline at the same first moment may each build it, and one of the two is kept.
    return build() if key is None else _load_dir(Path(key))


def forget() -> None:
    """Empty the pipeline cache (a saved pipeline folder was rewritten)."""
    _load_cached.cache_clear()


def _load_dir(path: Path) -> Language:
    if not (path / "config.cfg").exists():
        raise FileNotFoundError(f"{path} is not a saved spaCy pipeline (no config.cfg in it)")
    nlp = spacy.load(path)
    made_with = nlp.meta.get("imrnlp_version")
    if made_with and made_with != __version__:
        logger.warning(
            "pipeline %s was made with imrnlp %s; this is imrnlp %s", path, made_with, __version__
        )
    return nlp
