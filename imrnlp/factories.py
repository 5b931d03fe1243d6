"""Every imrnlp pipeline factory. Registered through the `spacy_factories` entry points, so a saved
pipeline loads with `spacy.load(path)` in a process that never imports imrnlp."""

from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Span

from . import extensions  # noqa: F401  (registers the custom attributes)
from . import labels as L
from .components.abbreviations import Abbreviations
from .components.context import AssertionContext
from .components.credentials import Credentials
from .components.date_roles import DateRoles
from .components.diagnosis_lists import DiagnosisLists
from .components.features import RuleFeatures
from .components.header import HeaderPairer
from .components.item_category import ItemCategorizer
from .components.items import ItemSplitter
from .components.normalizer import Normalizer
from .components.sections import SectionDetector
from .components.span_filter import SpanFilter
from .components.span_merger import SpanMerger
from .components.span_ruler import AnchoredSpanRuler


@Language.factory(L.PIPE_SECTIONS, assigns=["doc.spans", f"doc._.{L.EXT_LAYOUT}"])
def make_sections(nlp: Language, name: str) -> SectionDetector:
    return SectionDetector(nlp, name)


_SPAN_RULER = Language.get_factory_meta("span_ruler")


@Language.factory(
    L.FACTORY_SPAN_RULER,
    assigns=["doc.spans"],
    # spaCy's span_ruler settings and defaults, unchanged
    default_config=_SPAN_RULER.default_config or {},
    default_score_weights=_SPAN_RULER.default_score_weights or {},
)
def make_span_ruler(
    nlp: Language,
    name: str,
    spans_key: str | None,
    spans_filter: Callable[[Iterable[Span], Iterable[Span]], Iterable[Span]] | None,
    annotate_ents: bool,
    ents_filter: Callable[[Iterable[Span], Iterable[Span]], Iterable[Span]],
    phrase_matcher_attr: int | str | None,
    matcher_fuzzy_compare: Callable[..., bool],
    validate: bool,
    overwrite: bool,
    scorer: Callable[..., Any] | None,
) -> AnchoredSpanRuler:
    """spaCy's `span_ruler` factory and config, building the AnchoredSpanRuler."""
    return AnchoredSpanRuler(
        nlp,
        name,
        spans_key=spans_key,
        spans_filter=spans_filter,
        annotate_ents=annotate_ents,
        ents_filter=ents_filter,
        phrase_matcher_attr=phrase_matcher_attr,
        matcher_fuzzy_compare=matcher_fuzzy_compare,
        validate=validate,
        overwrite=overwrite,
        scorer=scorer,
    )


@Language.factory(L.PIPE_DIAGNOSIS_LISTS, requires=["doc.spans"], assigns=["doc.spans"])
def make_diagnosis_lists(nlp: Language, name: str) -> DiagnosisLists:
    return DiagnosisLists(nlp, name)


@Language.factory(
    L.PIPE_CONTEXT,
    default_config={"max_scope": 10},
    requires=["doc.spans", "token.is_sent_start"],
    assigns=[f"span._.{L.EXT_ASSERTION}"],
)
def make_context(nlp: Language, name: str, max_scope: int) -> AssertionContext:
    return AssertionContext(nlp, name, max_scope=max_scope)


@Language.factory(L.PIPE_FEATURES, requires=["doc.spans"], assigns=["token.tag"])
def make_features(nlp: Language, name: str) -> RuleFeatures:
    return RuleFeatures(nlp, name)


@Language.factory(L.PIPE_CREDENTIALS, requires=["doc.spans"], assigns=["doc.spans"])
def make_credentials(nlp: Language, name: str) -> Credentials:
    return Credentials(nlp, name)


@Language.factory(L.PIPE_HEADER, requires=["doc.spans"], assigns=["doc.spans"])
def make_header(nlp: Language, name: str) -> HeaderPairer:
    return HeaderPairer(nlp, name)


@Language.factory(L.PIPE_NORMALIZER, requires=["doc.spans"], assigns=[f"span._.{L.EXT_NORM}"])
def make_normalizer(nlp: Language, name: str) -> Normalizer:
    return Normalizer(nlp, name)


@Language.factory(L.PIPE_DATE_ROLES, requires=["doc.spans"], assigns=[f"span._.{L.EXT_ROLE}"])
def make_date_roles(nlp: Language, name: str) -> DateRoles:
    return DateRoles(nlp, name)


@Language.factory(L.PIPE_ITEMS, requires=["doc.spans"], assigns=["doc.spans"])
def make_items(nlp: Language, name: str) -> ItemSplitter:
    return ItemSplitter(nlp, name)


@Language.factory(
    L.PIPE_SPAN_MERGER,
    default_config={
        "source_key": L.PREDICTED_KEY,
        "policy": "add",
        "labels": None,
        "policies": None,
    },
    requires=["doc.spans"],
    assigns=["doc.spans"],
)
def make_span_merger(
    nlp: Language,
    name: str,
    source_key: str,
    policy: str,
    labels: list[str] | None,
    policies: dict[str, str] | None,
) -> SpanMerger:
    return SpanMerger(
        nlp, name, source_key=source_key, policy=policy, labels=labels, policies=policies
    )


@Language.factory(L.PIPE_SPAN_FILTER, requires=["doc.spans"], assigns=["doc.spans"])
def make_span_filter(nlp: Language, name: str) -> SpanFilter:
    return SpanFilter(nlp, name)


@Language.factory(L.PIPE_ABBREVIATIONS, assigns=[f"doc._.{L.EXT_ABBREVIATIONS}"])
def make_abbreviations(nlp: Language, name: str) -> Abbreviations:
    return Abbreviations(nlp, name)


@Language.factory(
    L.PIPE_ITEM_CATEGORY,
    default_config={"threshold": 1.0},
    requires=["doc.spans"],
    assigns=[f"span._.{L.EXT_CATEGORY_MODEL}"],
)
def make_item_category(nlp: Language, name: str, threshold: float) -> ItemCategorizer:
    return ItemCategorizer(nlp, name, threshold=threshold)
