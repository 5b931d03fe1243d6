"""An item's category from the request's words, the cited guideline's topics, or nothing."""

from __future__ import annotations

import pytest

import imrnlp

from .conftest import one_item_letter

ODG = "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), {}."


@pytest.mark.parametrize(
    ("request_", "category"),
    [
        ("Pre-operative BMP", "diagnostic_test"),
        ("Pre-operative PT/PTT", "diagnostic_test"),
        ("Preoperative medical clearance", "evaluation_management"),
        ("Medication management consultation", "evaluation_management"),
        ("Two physical therapy visits for the left hand/finger", "physical_medicine"),
        ("Physical therapy evaluation, cervical spine", "evaluation_management"),
        ("Acute inpatient rehabilitation physical therapy and occupational therapy", "other"),
        ("Home exercise kit", "durable_medical_equipment"),
        ("Hinged knee brace", "durable_medical_equipment"),
        ("Lumbar epidural steroid injection at L4-5", "injection"),
    ],
)
def test_category_from_the_request(request_, category):
    item = imrnlp.extract(one_item_letter(request_, ODG.format("Low Back"))).items[0]
    assert item.category == category
    assert item.category_evidence.rule_id.startswith("category.request.")


@pytest.mark.parametrize(
    ("request_", "category", "rule"),
    [
        ("Post-operative Quadzilla", "surgery", "category.request.perioperative.post"),
        ("Pre-op Quadzilla", "surgery", "category.request.perioperative.pre"),
        ("Post-op Quadzilla 500mg #60", "medication", "category.request.drug_cue"),
    ],
)
def test_a_perioperative_modifier_decides_only_when_nothing_else_does(request_, category, rule):
    item = imrnlp.extract(one_item_letter(request_, ODG.format("Low Back"))).items[0]
    assert (item.category, item.category_evidence.rule_id) == (category, rule)
    assert item.procedures == []  # the modifier is not a procedure


def test_a_procedure_in_brackets_qualifies_the_request():
    request = "Localized intense neurostimulation therapy [following TPII]"
    item = imrnlp.extract(one_item_letter(request, ODG.format("Low Back"))).items[0]
    assert item.category == "physical_medicine"
    assert item.category_evidence.text == "Localized intense neurostimulation therapy"
    assert item.procedures == ["Localized intense neurostimulation therapy", "TPII"]


@pytest.mark.parametrize(
    ("topic", "category"),
    [
        ("Knee & Leg, Walking aids", "durable_medical_equipment"),
        ("Durable medical equipment (DME)", "durable_medical_equipment"),
        ("Pain Chapter, Topical Analgesics", "medication"),
        ("Low Back, Preoperative lab testing", "diagnostic_test"),
    ],
)
def test_category_from_the_cited_topic(topic, category):
    item = imrnlp.extract(one_item_letter("Quadzilla device", ODG.format(topic))).items[0]
    assert item.category == category
    assert item.category_evidence.rule_id.startswith("category.guideline.")
    assert "Official Disability Guidelines" in item.category_evidence.text


def test_other_only_when_nothing_tells():
    item = imrnlp.extract(one_item_letter("Quadzilla device", ODG.format("Low Back"))).items[0]
    assert item.category == "other" and item.category_evidence is None


def test_odg_citation_chapter_and_topics():
    item = imrnlp.extract(
        one_item_letter("Quadzilla device", ODG.format("Neck and Upper Back Chapter, Manipulation"))
    ).items[0]
    cite = item.reviewer_guideline.citations[0]
    assert (cite.source, cite.part, cite.sections) == (
        "ODG",
        "Neck and Upper Back",
        ["Manipulation"],
    )


def test_acoem_citation_chapter_and_topics():
    guide = (
        "Decision based on Non-MTUS Citation ACOEM Occupational Medicine Practice Guidelines, "
        "3rd ed. Chapter 12, Low Back Disorders, Surgical considerations"
    )
    cite = imrnlp.extract(one_item_letter("Quadzilla device", guide)).items[0].reviewer_guideline
    c = cite.citations[0]
    assert (c.source, c.chapter, c.part, c.sections) == (
        "ACOEM",
        "12",
        "Low Back Disorders",
        ["Surgical considerations"],
    )


@pytest.mark.parametrize(
    ("request_text", "category"),
    [
        # a course of sessions of an ambiguous service is the treatment
        ("Ultrasound 1 times 8 for the low back", "physical_medicine"),
        ("Ultrasound therapy twice a week for 4 weeks", "physical_medicine"),
        ("Referral to chiropractor twice a week for 3 weeks", "physical_medicine"),
        # given once, or a count alone, it is what its rule says
        ("Ultrasound of the right shoulder", "imaging"),
        ("Referral to chiropractor for evaluation", "evaluation_management"),
        ("Follow up office visit times 2", "evaluation_management"),
        # a course of visits with no physical-medicine provider named stays a visit
        ("Office visits once a week for 4 weeks", "evaluation_management"),
    ],
)
def test_a_course_of_sessions_is_the_treatment(request_text, category):
    text = (
        "1) MAXIMUS Federal Services, Inc. has determined the request for "
        f"{request_text} is not medically necessary and appropriate.\n"
    )
    (item,) = imrnlp.extract(text).items
    assert item.category == category
