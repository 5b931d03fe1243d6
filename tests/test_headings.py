"""Unit tests of heading detection: section headings (and the layout they make) and the
decision headings that open each disputed item. Small self-written snippets."""

from __future__ import annotations

import pytest

import imrnlp
from imrnlp import labels as L


def _sections(text: str) -> list[tuple[str, str]]:
    doc = imrnlp.load()(text)
    return [(s.label_, s.id_) for s in doc.spans[L.SECTIONS_KEY]]


@pytest.mark.parametrize(
    ("heading", "section", "rule"),
    [
        ("Case Number: CM99-0000001", "header", "section.header_table"),
        ("HOW THE IMR FINAL DETERMINATION WAS MADE", "determination", "section.how_made"),
        (
            "The Expert Reviewer has the following credentials:",
            "credentials",
            "section.credentials",
        ),
        ("CLINICAL CASE SUMMARY", "case_summary", "section.clinical_case_summary"),
        ("CASE SUMMARY:", "case_summary", "section.case_summary"),
        ("DOCUMENTS REVIEWED", "documents_reviewed", "section.documents_reviewed"),
        ("IMR ISSUES, DECISIONS AND RATIONALES", "issues", "section.issues_2015"),
        ("IMR DECISION(S) AND RATIONALE(S)", "issues", "section.decisions_2013"),
        ("ISSUE AT DISPUTE:", "issue_at_dispute", "section.issue_at_dispute"),
        ("   CLINICAL CASE SUMMARY", "case_summary", "section.clinical_case_summary"),  # indented
    ],
)
def test_section_heading(heading: str, section: str, rule: str) -> None:
    assert _sections(f"{heading}\nSome words under it.\n") == [(section, rule)]


@pytest.mark.parametrize(
    "text",
    [
        "The clinical case summary is short.\n",  # not at a line start, not capitals
        "We read the IMR ISSUES, DECISIONS AND RATIONALES below.\n",  # mid-line
    ],
)
def test_no_section_heading(text: str) -> None:
    assert _sections(text) == []


def test_sections_run_to_the_next_heading() -> None:
    text = "CLINICAL CASE SUMMARY\nA summary.\nDOCUMENTS REVIEWED\nA list.\n"
    doc = imrnlp.load()(text)
    spans = doc.spans[L.SECTIONS_KEY]
    assert [s.text for s in spans] == [
        "CLINICAL CASE SUMMARY\nA summary.\n",
        "DOCUMENTS REVIEWED\nA list.\n",
    ]


@pytest.mark.parametrize(
    ("headings", "layout"),
    [
        (
            [
                "Case Number: CM99-0000001",
                "HOW THE IMR FINAL DETERMINATION WAS MADE",
                "IMR ISSUES, DECISIONS AND RATIONALES",
            ],
            "dwc-2016",
        ),
        (
            ["HOW THE IMR FINAL DETERMINATION WAS MADE", "IMR ISSUES, DECISIONS AND RATIONALES"],
            "imr-2015",
        ),
        (["IMR DECISION(S) AND RATIONALE(S)"], "maximus-2013-14"),
        (["ISSUE AT DISPUTE:"], "medical-professional-review"),
        (["CLINICAL CASE SUMMARY"], "unknown"),
    ],
)
def test_layout_from_headings(headings: list[str], layout: str) -> None:
    doc = imrnlp.load()("\n".join(f"{h}\nText.\n" for h in headings))
    assert doc._.get(L.EXT_LAYOUT) == layout


ISSUES = "IMR ISSUES, DECISIONS AND RATIONALES\n"
RATIONALE = "\n\nDecision rationale: The request is {}medically necessary.\n\n"


@pytest.mark.parametrize(
    ("block", "asked", "decision"),
    [
        ("Physical therapy, six sessions: Upheld", "Physical therapy, six sessions", "upheld"),
        ("MRI of the left knee: Overturned", "MRI of the left knee", "overturned"),
        ("Lumbar brace:\nUpheld", "Lumbar brace", "upheld"),  # the decision on its own line
    ],
)
def test_decision_heading(block: str, asked: str, decision: str) -> None:
    rationale = RATIONALE.format("not " if decision == "upheld" else "")
    record = imrnlp.extract(ISSUES + block + rationale)
    assert [(i.request, i.decision) for i in record.items] == [(asked, decision)]
    ev = record.items[0].decision_evidence
    assert ev is not None and decision in ev.text.lower()


def test_two_decision_headings_make_two_items() -> None:
    text = (
        ISSUES
        + "Cane: Upheld"
        + RATIONALE.format("not ")
        + "Home exercise kit: Overturned"
        + RATIONALE.format("")
    )
    record = imrnlp.extract(text)
    assert [(i.request, i.decision) for i in record.items] == [
        ("Cane", "upheld"),
        ("Home exercise kit", "overturned"),
    ]


def test_upheld_inside_a_sentence_is_no_heading() -> None:
    record = imrnlp.extract(ISSUES + "The earlier denial was upheld by the reviewer in 2015.\n")
    assert record.items == []
