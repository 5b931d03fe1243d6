"""extract() on the bundled sample letter (the team's own words) and on the seed letter."""

from __future__ import annotations

import datetime as dt

import pytest

import imrnlp
from imrnlp import CaseRecord


@pytest.fixture(scope="module")
def sample(sample_text) -> CaseRecord:
    return imrnlp.extract(sample_text)


def test_header(sample):
    assert sample.layout == "dwc-2016"
    assert sample.case_number == "CM99-0000001"
    assert sample.date_assigned == dt.date(2017, 3, 2)
    assert sample.decision_date == dt.date(2017, 4, 3)
    assert sample.date_of_injury == dt.date(2015, 6, 14)
    assert sample.ur_denial_date == dt.date(2017, 2, 21)
    assert sample.application_received == dt.date(2017, 2, 27)
    assert sample.priority == "Standard"


def test_reviewer_and_patient(sample):
    assert sample.reviewer.licensure == ["California", "Oregon"]
    assert sample.reviewer.specialty == "Physical Medicine & Rehabilitation, Pain Management"
    assert (sample.patient.age, sample.patient.sex) == (52, "female")


def test_diagnoses_with_assertions(sample):
    got = [(d.text, d.assertion) for d in sample.diagnoses]
    assert got == [
        ("lumbar radiculopathy", "present"),
        ("L4-5 disc protrusion", "present"),
        ("lumbar facet syndrome", "uncertain"),
        ("chronic pain syndrome", "present"),
    ]


def test_medication_item(sample):
    item = sample.items[0]
    assert item.request == "Norco 10/325mg #60"
    assert (item.decision, item.medically_necessary, item.category) == (
        "upheld",
        False,
        "medication",
    )
    assert item.medication is not None
    assert (item.medication.name, item.medication.strength, item.medication.quantity) == (
        "Norco",
        "10/325mg",
        60,
    )
    guideline = item.reviewer_guideline
    assert guideline is not None and guideline.kind == "mtus"
    assert guideline.citations[0].part == "Chronic Pain Medical Treatment"
    assert guideline.citations[0].year == 2016
    assert guideline.citations[0].sections == [
        "Opioids, criteria for use",
        "Opioids, long-term assessment",
    ]
    assert item.conclusion and "not medically necessary" in item.conclusion


def test_injection_item_with_wrapped_decision(sample):
    item = sample.items[1]
    assert item.request == "Bilateral lumbar facet injections at L4-L5 and L5-S1"
    assert (item.decision, item.category, item.laterality) == (
        "overturned",
        "injection",
        "bilateral",
    )
    assert item.levels == ["L4-L5", "L5-S1"]
    assert item.claims_administrator_guideline.kind == "non_mtus"
    reviewer = item.reviewer_guideline
    assert reviewer.kind == "mtus+non_mtus"
    acoem = reviewer.citations[0]
    assert (acoem.mtus, acoem.chapter, acoem.pages, acoem.part) == (
        True,
        "12",
        ["300"],
        "Low Back Complaints",
    )
    assert reviewer.citations[1].source == "ODG"


def test_every_value_points_at_its_evidence(sample_text, sample):
    for ev in [
        sample.patient.evidence,
        *(d.evidence for d in sample.diagnoses),
        *(i.evidence for i in sample.items),
    ]:
        assert ev is not None and sample_text[ev.start : ev.end] == ev.text
    for field, ev in sample.field_evidence.items():
        assert sample_text[ev.start : ev.end] == ev.text, field
    for ent in sample.entities:
        assert sample_text[ent.start : ent.end] == ent.text


def test_dates_have_roles(sample):
    roles = {str(d.value): d.role for d in sample.dates}
    assert roles["2015-08-03"] == "imaging"
    assert roles["2017-02-21"] == "ur_denial"


def test_decision_language_negates_nothing_clinical():
    text = (
        "CLINICAL CASE SUMMARY\nThe diagnoses include lumbar radiculopathy. The MRI of the lumbar "
        "spine is not medically necessary for lumbar radiculopathy.\n"
    )
    record = imrnlp.extract(text)
    assert [d.assertion for d in record.diagnoses] == ["present"]


def test_seed_letter(corpus):
    record = imrnlp.extract_file(corpus / "seed" / "imr-letter-2015.txt")
    assert record.layout == "imr-2015"
    assert record.date_of_injury == dt.date(2013, 7, 17)
    assert record.ur_denial_date == dt.date(2014, 12, 17)
    assert [d.assertion for d in record.diagnoses] == ["present", "uncertain", "present"]
    assert record.diagnoses[1].text == "thoracic disk herniation"
    assert len(record.items) == 1
    item = record.items[0]
    assert (item.decision, item.category, item.laterality) == (
        "overturned",
        "injection",
        "bilateral",
    )
    assert item.levels == ["occiput-C1", "C1-C2"]
    assert item.claims_administrator_guideline.kind == "non_mtus"
    assert item.claims_administrator_guideline.citations[0].source == "ODG"
    reviewer = item.reviewer_guideline
    assert reviewer.kind == "mtus+non_mtus"
    assert (reviewer.citations[0].chapter, reviewer.citations[0].pages) == ("12", ["300"])


def test_extract_many_matches_extract(sample_text):
    texts = [sample_text, "not a letter", sample_text[:900]]
    many = [r.model_dump(mode="json") for r in imrnlp.extract_many(texts)]
    one = [imrnlp.extract(t).model_dump(mode="json") for t in texts]
    assert many == one


def test_each_entity_is_listed_once():
    """Several rules can find the same span (the lexicon, a site + head pattern, the diagnosis
    list); the record lists it once."""
    record = imrnlp.extract(
        "CLINICAL CASE SUMMARY\nThe diagnoses include lumbar radiculopathy and knee pain.\n"
    )
    keys = [(e.label, e.start, e.end) for e in record.entities]
    assert len(keys) == len(set(keys))
    assert [e.text for e in record.entities if e.label == "DIAGNOSIS"] == [
        "lumbar radiculopathy",
        "knee pain",
    ]


@pytest.mark.parametrize(
    ("request_text", "laterality"),
    [
        ("NCS/EMG RUE", "right"),
        ("Wrist splint for the LUE", "left"),
        ("EMG/NCV of the BLE", "bilateral"),
        ("EMG of the LUE and RUE", "bilateral"),
        ("EMG of the upper extremities", None),
    ],
)
def test_limb_abbreviations_give_the_side(request_text, laterality):
    """RUE / LUE / RLE / LLE (right or left upper or lower extremity), BUE / BLE (both)."""
    text = (
        "1) MAXIMUS Federal Services, Inc. has determined the request for "
        f"{request_text} is not medically necessary and appropriate.\n"
    )
    assert [i.laterality for i in imrnlp.extract(text).items] == [laterality]
