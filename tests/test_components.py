"""Component-level checks on small synthetic Docs."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

import imrnlp
from imrnlp import labels as L
from imrnlp.components.context import _by_sentence
from imrnlp.components.date_roles import with_whitespace


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
    # the span is the condition the annotation guide tags; ConText reads the cue before it
    assert got["knee osteoarthritis"] == "historical"


def test_context_reads_a_cue_broken_over_two_lines():
    """pdftotext breaks lines where the page did: "rule\nout", "no\nevidence of" are still cues,
    and a diagnosis wrapped over two lines still gets its assertion."""
    text = (
        "CLINICAL CASE SUMMARY\nThe diagnoses include lumbar radiculopathy, rule\nout carpal "
        "tunnel syndrome, and knee pain. There is no\nevidence of cervical\nradiculopathy.\n"
    )
    doc = imrnlp.load()(text)
    got = {
        s.text: s._.get(L.EXT_ASSERTION) for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"
    }
    assert got["carpal tunnel syndrome"] == "uncertain"
    assert got["cervical\nradiculopathy"] == "negated"
    assert got["knee pain"] == got["lumbar radiculopathy"] == "present"


def test_abbreviations_are_per_letter():
    first = imrnlp.extract("The electromyography (EMG) was normal. EMG is not needed.")
    second = imrnlp.extract("A functional restoration program (FRP) is requested.")
    assert [(a.short, a.long) for a in first.abbreviations] == [("EMG", "electromyography")]
    assert [(a.short, a.long) for a in second.abbreviations] == [
        ("FRP", "functional restoration program")
    ]
    ev = second.abbreviations[0].evidence
    assert ev.text == "functional restoration program"


@pytest.mark.parametrize(
    ("text", "date", "role"),
    [
        ("Date of injury: 07/17/2013. She is 45.", "07/17/2013", "injury"),
        ("She has an occupational claim from 11/01/2016 for her back.", "11/01/2016", "injury"),
        ("He sustained an industrial injury to his knee on 03/02/2015.", "03/02/2015", "injury"),
        (
            "The MRI of the lumbar spine dated 12/01/2016 showed a protrusion.",
            "12/01/2016",
            "imaging",
        ),
        (
            "The request was previously reviewed on\n   01/05/2017 and denied.",
            "01/05/2017",
            "ur_denial",
        ),
        (
            "The original utilization review, dated 01-23-2017, non-certified it.",
            "01-23-2017",
            "ur_denial",
        ),
        ("On 01/05/2017, the UR non-certified the request.", "01/05/2017", "ur_denial"),
        ("She underwent a right knee arthroscopy on 05/06/2015.", "05/06/2015", "surgery"),
        ("The progress report dated 11/29/2016 notes pain.", "11/29/2016", "report"),
        ("A request for authorization dated 12/02/2016 asked for it.", "12/02/2016", "request"),
        ("A traction pin was removed from the femur on 11/01/2016.", "11/01/2016", "report"),
        ("Pain since 2015. 11/29/2016 was the last visit.", "11/29/2016", "other"),
    ],
)
def test_date_roles(text: str, date: str, role: str) -> None:
    doc = imrnlp.load()(text)
    (span,) = [s for s in doc.spans[L.SPANS_KEY] if s.label_ == L.DATE and s.text == date]
    assert span._.get(L.EXT_ROLE) == role


def test_with_whitespace_unrolls_ranges_and_skips_line_breaks() -> None:
    from spacy.matcher import Matcher

    nlp = imrnlp.load()
    pattern = [{"LOWER": "mri"}, {"TEXT": {"REGEX": r"^\w+$"}, "OP": "{0,2}"}, {"LOWER": "dated"}]
    matcher = Matcher(nlp.vocab, validate=True)
    matcher.add("cue", [with_whitespace(pattern)])
    assert matcher(nlp.make_doc("MRI of the\n  spine dated")) == []  # three words: too many
    assert len(matcher(nlp.make_doc("MRI of\n  spine dated"))) == 1
    assert len(matcher(nlp.make_doc("MRI\ndated"))) == 1


def test_credentials_wrap_and_split() -> None:
    text = (
        "EXPERT REVIEWER CREDENTIALS\n"
        "State(s) of Licensure: California, Nevada and\n"
        "    Oregon\n"
        "Certification(s)/Specialty: Preventive Medicine, Occupational\n"
        "    Medicine\n"
        "\n"
        "CLINICAL CASE SUMMARY\n"
    )
    doc = imrnlp.load()(text)
    got = [(s.label_, " ".join(s.text.split())) for s in doc.spans[L.CREDENTIALS_KEY]]
    assert got == [
        ("LICENSURE", "State(s) of Licensure:"),
        ("licensure", "California"),
        ("licensure", "Nevada"),
        ("licensure", "Oregon"),
        ("SPECIALTY", "Certification(s)/Specialty:"),
        ("specialty", "Preventive Medicine, Occupational Medicine"),
    ]
    reviewer = imrnlp.extract(text).reviewer
    assert reviewer.licensure == ["California", "Nevada", "Oregon"]
    assert reviewer.specialty == "Preventive Medicine, Occupational Medicine"
    assert reviewer.evidence is not None and reviewer.evidence.text.startswith("State(s)")


def test_rule_features_tag_each_token_with_its_place_in_the_rule_span_and_its_section():
    from imrnlp.components.features import RuleFeatures

    nlp = imrnlp.load()
    doc = nlp.make_doc("Lumbar strain, knee pain and MRI.")
    doc.spans[L.SPANS_KEY] = [
        Span(doc, 0, 2, label="DIAGNOSIS"),
        Span(doc, 3, 5, label="DIAGNOSIS"),
        Span(doc, 1, 2, label="DIAGNOSIS"),  # shorter, inside the first: the longest wins
        Span(doc, 6, 7, label="PROCEDURE"),
    ]
    doc.spans[L.SECTIONS_KEY] = [Span(doc, 0, len(doc), label="case_summary")]
    RuleFeatures(nlp)(doc)
    assert [t.tag_ for t in doc] == [
        "B-DIAGNOSIS|case_summary",
        "L-DIAGNOSIS|case_summary",
        "O|case_summary",
        "B-DIAGNOSIS|case_summary",
        "L-DIAGNOSIS|case_summary",
        "O|case_summary",
        "U-PROCEDURE|case_summary",
        "O|case_summary",
    ]


def test_a_condition_in_a_guideline_section_title_stays_a_diagnosis() -> None:
    """The annotation guide tags conditions named in guideline section titles ("Chronic Pain" in
    "Opioids for Chronic Pain"); the record's diagnoses still come from the diagnosis list only."""
    from imrnlp.pipeline import load

    from .conftest import one_item_letter

    guide = (
        "Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.6 Opioids for Chronic "
        "Pain and Chronic Opioid Treatment: Use of Urine Drug Testing (UDT)."
    )
    text = one_item_letter("Urine drug screen", guide)
    doc = load()(text)
    assert len(doc.spans[L.ITEMS_KEY]) == 1
    found = [(s.text, s.label_) for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"]
    assert ("Chronic Pain", "DIAGNOSIS") in found
    record = imrnlp.extract(text)
    assert record.diagnoses == []


LISTED = (
    "CLINICAL CASE SUMMARY\nThe diagnoses include status post rib fracture, mild cervical "
    "strain, lumbar strain, subsequent encounter, documented knee sprain, status post cubital "
    "tunnel release, and myocardial infarct June 2016. She denies numbness.\n"
)


def test_a_listed_diagnosis_is_a_record_item_as_listed_and_a_condition_as_the_guide_has_it():
    """The record lists each diagnosis as the letter does (gold/records keep "status post",
    severity and the ICD encounter suffix); the DIAGNOSIS span is the condition alone
    (annotations/README.md: history cues, severity, encounter suffix and dates stay outside)."""
    doc = imrnlp.load()(LISTED)
    spans = {s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"}
    assert {
        "rib fracture",
        "cervical strain",
        "lumbar strain",
        "knee sprain",
        "myocardial infarct",
    } <= spans
    assert not spans & {
        "status post rib fracture",
        "mild cervical strain",
        "lumbar strain, subsequent encounter",
        "myocardial infarct June 2016",
    }
    assert not any("cubital tunnel release" in s for s in spans)  # a surgery, not a condition
    record = imrnlp.extract(LISTED)
    assert [(d.text, d.assertion) for d in record.diagnoses] == [
        ("status post rib fracture", "historical"),
        ("mild cervical strain", "present"),
        ("lumbar strain, subsequent encounter", "present"),
        ("knee sprain", "present"),  # a lead-in ("documented") is no part of either
        ("status post cubital tunnel release", "present"),
        ("myocardial infarct June 2016", "present"),  # the list ends at its sentence's end
    ]
    assert record.diagnoses[0].evidence.text == "status post rib fracture"


@pytest.mark.parametrize(
    ("listed", "diagnoses"),
    [
        # an "and" between two conditions before more of the list, the second with its own site
        (
            "thoracic strain and lumbar sprain, neck pain, and hip bursitis",
            ["thoracic strain", "lumbar sprain", "neck pain", "hip bursitis"],
        ),
        # medical conditions besides the injury are conditions too
        (
            "knee sprain, type 2 diabetes, hypertension and dyslipidemia",
            ["knee sprain", "type 2 diabetes", "hypertension", "dyslipidemia"],
        ),
        # ... but not one condition's parts ("pain and injury")
        (
            "left knee pain and injury, status post meniscectomy, and knee sprain",
            ["left knee pain and injury", "status post meniscectomy", "knee sprain"],
        ),
        # an uncertainty cue's scope takes the coordination, until a new site opens a diagnosis
        (
            "neck sprain, possible rotator cuff tear and impingement syndrome and right wrist "
            "fracture",
            [
                "neck sprain",
                "rotator cuff tear and impingement syndrome",  # uncertain, the cue left out
                "right wrist fracture",
            ],
        ),
        (
            "knee sprain and rule out cervical and lumbar disc herniation",
            ["knee sprain", "cervical and lumbar disc herniation"],
        ),
        # a complement keeps what follows it
        (
            "lumbar radiculopathy and disc bulge at L5-S1 with facet arthropathy and foraminal "
            "stenosis",
            [
                "lumbar radiculopathy",
                "disc bulge at L5-S1 with facet arthropathy and foraminal stenosis",
            ],
        ),
        # a bare condition word shares the site before it
        (
            "shoulder sprain and elbow tendinitis and bursitis",
            ["shoulder sprain", "elbow tendinitis and bursitis"],
        ),
    ],
)
def test_an_and_in_a_diagnosis_list_cuts_only_between_two_diagnoses(listed, diagnoses):
    text = f"CLINICAL CASE SUMMARY\nThe diagnoses include {listed}. She denies numbness.\n"
    assert [d.text for d in imrnlp.extract(text).diagnoses] == diagnoses


@pytest.mark.parametrize(
    "cue", ["is being treated for", "has been treated for", "had been treated for"]
)
def test_treated_for_lists_the_diagnoses(cue):
    text = (
        f"CLINICAL CASE SUMMARY\nThe injured worker {cue} neck strain and lumbar strain. "
        "She denies numbness.\n"
    )
    assert [d.text for d in imrnlp.extract(text).diagnoses] == ["neck strain", "lumbar strain"]


@pytest.mark.parametrize(
    ("listed", "item", "conditions"),
    [
        (
            "possible rotator cuff tear and impingement syndrome",
            "rotator cuff tear and impingement syndrome",
            ["rotator cuff tear", "impingement syndrome"],
        ),
        (
            "elbow tendinitis and bursitis",
            "elbow tendinitis and bursitis",
            ["elbow tendinitis", "bursitis"],
        ),
    ],
)
def test_one_listed_diagnosis_may_name_two_conditions(listed, item, conditions):
    """The record keeps the listed diagnosis whole; its DIAGNOSIS spans are its conditions."""
    text = f"CLINICAL CASE SUMMARY\nThe diagnoses include neck sprain and {listed}. She denies.\n"
    assert [d.text for d in imrnlp.extract(text).diagnoses] == ["neck sprain", item]
    doc = imrnlp.load()(text)
    spans = {s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"}
    assert spans == {"neck sprain", *conditions}


def test_a_list_of_drugs_after_a_diagnosis_cue_lists_no_diagnosis():
    text = "CLINICAL CASE SUMMARY\nThe diagnoses include Norco, Flexeril, and naproxen.\n"
    assert imrnlp.extract(text).diagnoses == []


def test_an_encounter_suffix_wrapped_onto_the_next_line_is_left_out_too():
    text = (
        "CLINICAL CASE SUMMARY\nThe diagnoses include left shoulder strain subsequent\n"
        "encounter, and contusion of the left knee initial encounter.\n"
    )
    doc = imrnlp.load()(text)
    spans = {s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"}
    assert {"left shoulder strain", "contusion of the left knee"} <= spans
    assert not any("encounter" in s for s in spans)
