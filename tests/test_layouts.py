"""Older letter layouts (synthetic snippets in the team's own words, shaped like each layout)."""

from __future__ import annotations

import datetime as dt

import imrnlp

MAXIMUS_2013 = """MAXIMUS FEDERAL SERVICES, INC.
Independent Medical Review
Final Determination Letter

IMR Case Number:  CM13-0001234      Date of UR Decision:  07/15/2013
Date of Injury:  03/19/2007

1) MAXIMUS Federal Services, Inc. has determined the request for Norco 10/325mg #120 is not
medically necessary and appropriate.
2) MAXIMUS Federal Services, Inc. has determined the request for physical therapy 2x4 for the
right knee is medically necessary and appropriate.

DOCUMENTS REVIEWED
A list of the records the reviewer read was placed here.

CLINICAL CASE SUMMARY
The applicant is a 61 year old male with chronic knee pain. The diagnoses include right knee
osteoarthritis and lumbar strain.

IMR DECISION(S) AND RATIONALE(S)
1) Regarding the request for Norco 10/325mg #120:
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
MTUS Chronic Pain Medical Treatment Guidelines, Opioids, pages 78-80.
Rationale for the Decision:
The records show no functional gain on opioids. The request for Norco 10/325mg #120 is not
medically necessary and appropriate.

2) Regarding the request for physical therapy 2x4 for the right knee:
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
MTUS Knee Complaints 2004, page 339.
Rationale for the Decision:
A short course of therapy after the flare is supported. The request for physical therapy 2x4
for the right knee is medically necessary and appropriate.
"""

NUMBERED_2013 = """Dear Claims Administrator,
1) MAXIMUS Federal Services, Inc. has determined the request for a lumbar MRI is not medically
necessary and appropriate.
"""

PROFESSIONAL_REVIEW = """MEDICAL PROFESSIONAL REVIEW
ISSUE AT DISPUTE: Left L5-S1 transforaminal epidural steroid injection
CASE SUMMARY: The worker is a 45 year old female with low back pain. The diagnoses are lumbar
radiculopathy and lumbar disc herniation.
MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:
MTUS Chronic Pain Medical Treatment Guidelines 2009, Epidural steroid injections, page 46.
The radicular findings are documented and imaging agrees, so the injection is medically necessary.
"""


def test_maximus_2013_14_layout():
    record = imrnlp.extract(MAXIMUS_2013)
    assert record.layout == "maximus-2013-14"
    assert [(i.request, i.decision) for i in record.items] == [
        ("Norco 10/325mg #120", "upheld"),
        ("physical therapy 2x4 for the right knee", "overturned"),
    ]
    first = record.items[0]
    assert first.medication is not None and first.medication.name == "Norco"
    assert first.reviewer_guideline is not None and first.reviewer_guideline.kind == "mtus"
    assert first.reviewer_guideline.citations[0].part == "Chronic Pain Medical Treatment"
    assert record.items[1].category == "physical_medicine"
    assert record.items[1].laterality == "right"
    assert record.date_of_injury == dt.date(2007, 3, 19)
    assert [d.text for d in record.diagnoses] == ["right knee osteoarthritis", "lumbar strain"]


def test_numbered_2013_form():
    record = imrnlp.extract(NUMBERED_2013)
    assert [(i.request, i.decision, i.category) for i in record.items] == [
        ("a lumbar MRI", "upheld", "imaging")
    ]


def test_medical_professional_review_layout():
    record = imrnlp.extract(PROFESSIONAL_REVIEW)
    assert record.layout == "medical-professional-review"
    assert len(record.items) == 1
    item = record.items[0]
    assert item.request == "Left L5-S1 transforaminal epidural steroid injection"
    assert (item.decision, item.category, item.levels, item.laterality) == (
        "overturned",
        "injection",
        ["L5-S1"],
        "left",
    )
    assert record.patient.age == 45
    assert [d.text for d in record.diagnoses] == ["lumbar radiculopathy", "lumbar disc herniation"]
