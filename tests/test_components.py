"""Component-level checks on small synthetic Docs."""

from __future__ import annotations

from spacy.tokens import Span

import imrnlp
from imrnlp import labels as L
from imrnlp.components.context import _by_sentence


def test_context_groups_a_span_across_a_sentence_end():
    nlp = imrnlp.load()
    doc = nlp("Rule out disc herniation. Lumbar strain noted. No fracture.")
    crossing = Span(doc, 3, 7, label=L.DIAGNOSIS)  # "herniation . Lumbar strain"
    inside = Span(doc, 5, 7, label=L.DIAGNOSIS)
    groups = _by_sentence(doc, [crossing, inside])
    assert list(groups) == [(0, 9)]  # both sentences, as one range
    assert all(s.end <= 9 for spans in groups.values() for s in spans)


def test_context_assertions():
    nlp = imrnlp.load()
    text = (
        "CLINICAL CASE SUMMARY\nThe diagnoses include rule out lumbar radiculopathy, "
        "history of knee osteoarthritis, and cervical strain. She denies numbness.\n"
    )
    doc = nlp(text)
    got = {
        s.text: s._.get(L.EXT_ASSERTION) for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"
    }
    assert got["lumbar radiculopathy"] == "uncertain"
    assert got["cervical strain"] == "present"
    assert got["history of knee osteoarthritis"] == "historical"  # listed as written


def test_abbreviations_are_per_letter():
    first = imrnlp.extract("The electromyography (EMG) was normal. EMG is not needed.")
    second = imrnlp.extract("A functional restoration program (FRP) is requested.")
    assert [(a.short, a.long) for a in first.abbreviations] == [("EMG", "electromyography")]
    assert [(a.short, a.long) for a in second.abbreviations] == [
        ("FRP", "functional restoration program")
    ]
    ev = second.abbreviations[0].evidence
    assert ev.text == "functional restoration program"
