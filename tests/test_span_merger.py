"""The merge policies of imr_span_merger, on a hand-made Doc."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

import imrnlp
from imrnlp import labels as L
from imrnlp.components.span_merger import SpanMerger


def _doc():
    nlp = imrnlp.load()
    doc = nlp.make_doc("Chronic lumbar strain and an MRI of the knee.")
    doc.spans[L.SPANS_KEY] = [
        Span(doc, 2, 3, label="DIAGNOSIS", span_id="diagnosis.lexicon"),  # "strain"
        Span(doc, 5, 6, label="PROCEDURE", span_id="procedure.imaging.mri"),  # "MRI"
    ]
    doc.spans[L.PREDICTED_KEY] = [
        Span(doc, 0, 3, label="DIAGNOSIS"),  # "Chronic lumbar strain"
        Span(doc, 5, 6, label="PROCEDURE"),  # same as the rule
    ]
    return nlp, doc


def _spans(doc):
    return sorted((s.text, s.label_, s.id_) for s in doc.spans[L.SPANS_KEY])


def test_boundaries_policy_replaces_overlapping_rule_spans():
    nlp, doc = _doc()
    SpanMerger(nlp, policy="boundaries")(doc)
    assert _spans(doc) == [
        ("Chronic lumbar strain", "DIAGNOSIS", "diagnosis.lexicon"),
        ("MRI", "PROCEDURE", "procedure.imaging.mri"),
    ]


def test_add_policy_keeps_every_rule_span():
    nlp, doc = _doc()
    SpanMerger(nlp, policy="add")(doc)
    assert _spans(doc) == [
        ("Chronic lumbar strain", "DIAGNOSIS", "diagnosis.lexicon"),
        ("MRI", "PROCEDURE", "procedure.imaging.mri"),
        ("strain", "DIAGNOSIS", "diagnosis.lexicon"),
    ]


def test_merge_limited_to_labels():
    nlp, doc = _doc()
    SpanMerger(nlp, policy="add", labels=["PROCEDURE"])(doc)
    assert _spans(doc) == [
        ("MRI", "PROCEDURE", "procedure.imaging.mri"),
        ("strain", "DIAGNOSIS", "diagnosis.lexicon"),
    ]


def test_unknown_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="policy"):
        SpanMerger(imrnlp.load(), policy="vote")


def _doc_with_a_missed_rule_span():
    nlp, doc = _doc()
    # a rule span the model did not find: "knee" as a PROCEDURE (wrong on purpose)
    doc.spans[L.SPANS_KEY] = [*doc.spans[L.SPANS_KEY], Span(doc, 8, 9, label="PROCEDURE")]
    return nlp, doc


def test_a_policy_for_each_label():
    nlp, doc = _doc_with_a_missed_rule_span()
    SpanMerger(nlp, policies={"DIAGNOSIS": "boundaries", "PROCEDURE": "add"})(doc)
    assert _spans(doc) == [
        ("Chronic lumbar strain", "DIAGNOSIS", "diagnosis.lexicon"),
        ("MRI", "PROCEDURE", "procedure.imaging.mri"),
        ("knee", "PROCEDURE", ""),
    ]


def test_an_unknown_policy_for_a_label_is_a_clear_error():
    with pytest.raises(ValueError, match="policy"):
        SpanMerger(imrnlp.load(), policies={"DIAGNOSIS": "vote"})


def test_model_spans_are_listed_and_keep_the_id_of_the_rule_span_they_overlap():
    nlp, doc = _doc()
    doc.spans[L.PREDICTED_KEY] = [
        *doc.spans[L.PREDICTED_KEY],
        Span(doc, 7, 9, label="DIAGNOSIS"),  # "the knee": no rule span under it
    ]
    SpanMerger(nlp, policy="boundaries")(doc)
    assert sorted((s.text, s.id_) for s in doc.spans[L.MODEL_SPANS_KEY]) == [
        ("Chronic lumbar strain", "diagnosis.lexicon"),
        ("the knee", L.MODEL_RULE_ID),
    ]


def test_filter_policy_lists_the_rule_spans_the_model_did_not_confirm():
    nlp, doc = _doc()
    doc.spans[L.PREDICTED_KEY] = [Span(doc, 0, 3, label="DIAGNOSIS")]  # over "strain"; no MRI
    SpanMerger(nlp, policy="filter")(doc)
    assert _spans(doc) == [  # nothing is taken out yet, and the model's span is not added
        ("MRI", "PROCEDURE", "procedure.imaging.mri"),
        ("strain", "DIAGNOSIS", "diagnosis.lexicon"),
    ]
    assert [s.text for s in doc.spans[L.UNCONFIRMED_KEY]] == ["MRI"]
    assert not len(doc.spans[L.MODEL_SPANS_KEY])


def test_span_filter_takes_out_unconfirmed_spans_but_not_in_a_request():
    from imrnlp.components.span_filter import SpanFilter

    nlp = imrnlp.load()
    doc = nlp.make_doc("1. MRI of the knee: Upheld. An MRI was done and an x-ray too.")
    mri_request, mri_prose, xray = Span(doc, 2, 3), Span(doc, 10, 11), Span(doc, 15, 18)
    doc.spans[L.SPANS_KEY] = [
        Span(doc, s.start, s.end, label="PROCEDURE", span_id="procedure.imaging")
        for s in (mri_request, mri_prose, xray)
    ]
    doc.spans[L.UNCONFIRMED_KEY] = list(doc.spans[L.SPANS_KEY])[:2]  # the model saw the x-ray
    doc.spans[L.ITEM_PARTS_KEY] = [Span(doc, 2, 6, label=L.PART_REQUEST)]
    SpanFilter(nlp)(doc)
    assert [s.text for s in doc.spans[L.SPANS_KEY]] == ["MRI", "x-ray"]
    assert doc.spans[L.SPANS_KEY][0].start == 2  # the request's MRI stays, the prose MRI goes
