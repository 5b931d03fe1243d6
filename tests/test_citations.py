"""Unit tests of imrnlp.citations.parse_guideline on small self-written guideline blocks."""

from __future__ import annotations

import pytest

import imrnlp
from imrnlp.citations import parse_guideline


def _guideline(text: str):
    doc = imrnlp.load()(text)
    return parse_guideline(doc, 0, len(doc))


@pytest.mark.parametrize(
    ("text", "kind", "cited"),
    [
        (
            "Decision based on MTUS Low Back Complaints",
            "mtus",
            [("MTUS", True, "Low Back Complaints", [])],
        ),
        (
            "Official Disability Guidelines, Neck and Upper Back Chapter, Manipulation",
            "non_mtus",
            [("ODG", False, "Neck and Upper Back", ["Manipulation"])],
        ),
        (
            "Decision based on MTUS Low Back Complaints\nDecision based on Non-MTUS Citation "
            "Official Disability Guidelines, Low Back Chapter, Lumbar supports",
            "mtus+non_mtus",
            [
                ("MTUS", True, "Low Back Complaints", []),
                ("ODG", False, "Low Back", ["Lumbar supports"]),
            ],
        ),
        (
            "Decision based on Non-MTUS Citation UpToDate, Tramadol",
            "non_mtus",
            [("UpToDate", False, None, [])],
        ),
        (
            "The Claims Administrator did not cite any medical evidence for its decision.",
            "none",
            [],
        ),
        ("None identified", "none", []),
        # one citation per source a non-MTUS citation names, each with its own chapter and topics
        (
            "Decision based on Non-MTUS Citation ACOEM guidelines and the Official Disability "
            "Guidelines",
            "non_mtus",
            [("ACOEM", False, None, []), ("ODG", False, None, [])],
        ),
        (
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Knee and Leg "
            "(Acute and Chronic), Arthroscopic surgery and Other Medical Treatment Guidelines "
            "ACOEM Knee Disorders, Surgical Considerations",
            "non_mtus",
            [
                ("ODG", False, "Knee and Leg", ["Arthroscopic surgery"]),
                ("ACOEM", False, "Knee Disorders", ["Surgical Considerations"]),
            ],
        ),
        # after "Other Medical Treatment Guidelines", a source no rule knows is a source too
        (
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Shoulder "
            "(Acute and Chronic) and Other Medical Treatment Guidelines Society Consensus "
            "Statement on Shoulder Imaging",
            "non_mtus",
            [
                ("ODG", False, "Shoulder", []),
                ("Society Consensus Statement on Shoulder Imaging", False, None, []),
            ],
        ),
        # ... and a web address there is a citation of its own (once)
        (
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Shoulder "
            "(Acute and Chronic) and Other Medical Treatment Guidelines www.example.org/shoulder",
            "non_mtus",
            [("ODG", False, "Shoulder", []), ("URL", False, None, [])],
        ),
        # a guideline named in a block that says nothing was cited is no citation
        (
            "The Claims Administrator did not cite any medical evidence for its decision, "
            "such as the Official Disability Guidelines.",
            "none",
            [],
        ),
    ],
)
def test_parse_guideline(text: str, kind: str, cited: list) -> None:
    guideline = _guideline(text)
    assert guideline.kind == kind
    assert [(c.source, c.mtus, c.part, c.sections) for c in guideline.citations] == cited


def test_pages_and_chapter() -> None:
    (citation,) = _guideline("MTUS: ACOEM Low Back Complaints, Chapter 12, page 303").citations
    assert (citation.source, citation.mtus, citation.chapter, citation.pages) == (
        "ACOEM",
        True,
        "12",
        ["303"],
    )


def test_url_citation() -> None:
    (citation,) = _guideline("http://www.example.org/guidelines/back-pain").citations
    assert (citation.source, citation.url) == ("URL", "http://www.example.org/guidelines/back-pain")


def test_evidence_points_into_the_text() -> None:
    text = "Decision based on MTUS Low Back Complaints"
    guideline = _guideline(text)
    assert guideline.evidence is not None
    assert text[guideline.evidence.start : guideline.evidence.end] == guideline.evidence.text
    for c in guideline.citations:
        assert c.evidence is not None and text[c.evidence.start : c.evidence.end] == c.evidence.text
