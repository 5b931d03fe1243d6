"""Every rule file parses, validates against spaCy's pattern schema and uses known labels."""

from __future__ import annotations

import json
import re

import pytest
import spacy
from spacy.matcher import Matcher

from imrnlp import labels as L
from imrnlp import resources
from imrnlp.components.date_roles import token_patterns
from imrnlp.errors import PatternError


@pytest.mark.parametrize(
    "path", sorted((resources.patterns_dir() / "entities").glob("*.jsonl")), ids=lambda p: p.name
)
def test_entity_pattern_file_is_valid(path):
    rows = resources.with_word_lists(resources.read_jsonl(path))
    assert rows
    for row in rows:
        assert row["label"] in L.ENTITY_LABELS
        assert row["id"].startswith(row["label"].lower().split("_")[0][:4]) or "." in row["id"]
    ruler = spacy.blank("en").add_pipe("span_ruler", config={"validate": True})
    ruler.add_patterns(rows)


def _named_word_lists(value) -> set[str]:
    """The word lists ("@name") a rule file's row names anywhere in it."""
    if isinstance(value, str):
        return {value[1:]} if value.startswith(resources.WORD_LIST_PREFIX) else set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*map(_named_word_lists, value)) if value else set()
    return set()


def test_word_lists_are_lower_case_without_repeats_and_each_named_by_a_rule():
    lists = resources.word_lists()
    assert lists
    for name, words in lists.items():
        assert all(w == w.lower() and w.strip() == w for w in words), name
        assert len(set(words)) == len(words), name
    files = sorted(resources.patterns_dir().glob("**/*.jsonl"))
    named = set().union(*(_named_word_lists(resources.read_jsonl(f)) for f in files))
    assert named == set(lists), named ^ set(lists)


def test_a_pattern_naming_an_unknown_word_list_is_an_error():
    row = {"label": "DIAGNOSIS", "id": "x", "pattern": [{"LOWER": {"IN": ["@no_such_list"]}}]}
    with pytest.raises(PatternError, match="no_such_list"):
        resources.with_word_lists([row])


def test_a_word_list_is_written_out_where_a_pattern_names_it():
    row = {"label": "DIAGNOSIS", "id": "x", "pattern": [{"LOWER": {"IN": ["@bones", "hip"]}}]}
    (expanded,) = resources.with_word_lists([row])
    words = expanded["pattern"][0]["LOWER"]["IN"]
    assert "femur" in words and words[-1] == "hip"
    assert row["pattern"][0]["LOWER"]["IN"] == ["@bones", "hip"]  # the rule row is not changed


def test_field_patterns_are_valid():
    ruler = spacy.blank("en").add_pipe("span_ruler", config={"validate": True})
    ruler.add_patterns(resources.field_patterns())


def test_diagnosis_list_patterns_are_valid():
    matcher = Matcher(spacy.blank("en").vocab, validate=True)
    for row in resources.diagnosis_outside_rules():
        assert row["label"] in (L.DIAGNOSIS_OUTSIDE, L.DIAGNOSIS_LIST_WORD), row
        if not isinstance(row["pattern"], str):
            matcher.add(row["id"], [row["pattern"]])


def test_date_role_patterns_are_valid():
    matcher = Matcher(spacy.blank("en").vocab, validate=True)
    rows = resources.date_role_rules()
    for row in rows:
        assert row["side"] in ("before", "after"), row["id"]
        matcher.add(row["id"], token_patterns(row["pattern"]))
    assert len({r["id"] for r in rows}) == len(rows)


def test_section_regexes_compile():
    for row in resources.section_rules():
        for key in ("pattern", "after"):
            if row.get(key):
                re.compile(row[key])
    ids = {r["id"] for r in resources.section_rules()}
    for layout in resources.layout_rules():
        assert set(layout["requires"]) <= ids


def test_context_rules_have_known_categories():
    known = {"NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL", "PSEUDO", "TERMINATE"}
    assert {r["category"] for r in resources.context_rules()} <= known


def test_categories_file_names_every_category():
    data = json.loads((resources.patterns_dir() / "categories.json").read_text())
    assert set(data["priority"]) <= set(L.CATEGORIES)


def test_procedure_ids_name_a_category():
    for row in resources.read_jsonl(resources.patterns_dir() / "entities" / "procedure.jsonl"):
        assert row["id"].split(".")[1] in L.CATEGORIES


def test_every_rule_id_the_code_reads_is_a_rule():
    """A rule id named in labels.py and read by the code exists among the patterns: renaming a
    pattern's id without the code fails here, not silently in the records."""
    ids = {row["id"] for row in resources.entity_patterns() + resources.field_patterns()}
    ids |= {row["id"] for row in resources.read_jsonl(resources.patterns_dir() / "joins.jsonl")}
    ids |= {row["id"] for row in resources.diagnosis_outside_rules()}
    missing = [rule for rule in L.CODE_RULE_IDS if rule not in ids]
    assert not missing, missing


def test_category_rule_ids_are_rules():
    from imrnlp.category import rules

    ids = {row["id"] for row in resources.entity_patterns()}
    assert set(rules()["facility_ids"]) <= ids
    assert rules()["perioperative_category"] in L.CATEGORIES


def test_bad_rule_file_names_file_and_line(tmp_path):
    path = tmp_path / "rules.jsonl"
    path.write_text('{"label": "DATE", "pattern": "x"}\n\n{"label": oops}\n', encoding="utf8")
    with pytest.raises(PatternError, match=r"rules\.jsonl: not valid JSON .*line 3"):
        resources.read_jsonl(path)


def test_rule_rows_must_be_objects(tmp_path):
    path = tmp_path / "rules.jsonl"
    path.write_text('{"label": "DATE", "pattern": "x"}\n["a list"]\n', encoding="utf8")
    with pytest.raises(PatternError, match=r"rules\.jsonl, row 2: each line must be a JSON object"):
        resources.read_jsonl(path)
    path.write_text('\n{"label": "DATE", "pattern": "x"}\n\n', encoding="utf8")
    assert resources.read_jsonl(path) == [{"label": "DATE", "pattern": "x"}]


def test_ocr_rules_are_valid():
    data = resources.ocr_rules()
    headings = data["headings"]
    assert headings and all(isinstance(h, str) and len(h) >= 4 for h in headings)
    assert len({h.lower() for h in headings}) == len(headings)
    # every decision word is one the decision-heading rules read
    fields = json.dumps(resources.field_patterns()).lower()
    assert all(f'"{w.lower()}"' in fields for w in data["decision_words"])


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # the site a head names after "of"/"to" is part of the diagnosis
        ("a displaced fracture of the distal radius.", "displaced fracture of the distal radius"),
        (
            "MRI showed a partial tear of the medial collateral ligament.",
            "partial tear of the medial collateral ligament",
        ),
        ("He has a contusion to the head and", "contusion to the head"),
        # severity words are not part of the name; laterality is, across a line wrap too
        ("There was some mild cervical strain noted.", "cervical strain"),
        ("pain in the neck and right\nshoulder pain today", "right\nshoulder pain"),
        ("treated for bilateral\nlumbar radiculitis.", "bilateral\nlumbar radiculitis"),
        # the course (subacute, recurrent) and a bone or the foramen before the head are too
        ("a right distal radius fracture in 2015", "right distal radius fracture"),
        ("with left foraminal disc protrusion at L5-S1", "left foraminal disc protrusion"),
        ("radiographs, subacute shoulder pain, and", "subacute shoulder pain"),
        ("there was a nondisplaced skull fracture.", "nondisplaced skull fracture"),
        # the NSAID risk criteria name gastrointestinal conditions; psychiatric disorders
        ("no history of peptic ulcer, GI bleeding or perforation", "peptic ulcer"),
        ("no history of peptic ulcer, GI bleeding or perforation", "GI bleeding"),
        ("a PPI for dyspepsia secondary to NSAID use", "dyspepsia"),
        ("treated for panic disorder and", "panic disorder"),
        ("diagnosed with posttraumatic stress disorder.", "posttraumatic stress disorder"),
        ("insomnia and generalized anxiety disorder", "generalized anxiety disorder"),
        # a side written "left sided"; the thickness of a tear
        ("complaints of left sided neck pain and", "left sided neck pain"),
        ("right-sided sciatica was noted", "right-sided sciatica"),
        ("MRI: partial thickness rotator cuff tears.", "partial thickness rotator cuff tears"),
        ("with a full-thickness tear noted", "full-thickness tear"),
        # a slash compound wrapped at the line's end
        ("up to 10 visits for myalgia/\nmyositis or neuritis", "myalgia"),
    ],
)
def test_diagnosis_token_patterns(text, span):
    found = _found(text, "DIAGNOSIS")
    assert span in found, found


def test_full_range_of_motion_is_no_condition():
    assert _found("shoulders demonstrate full pain free range of motion", "DIAGNOSIS") == []


def _found(text: str, label: str) -> list[str]:
    """The texts of the rules' spans of `label` in `text`."""
    from imrnlp import labels as L
    from imrnlp.pipeline import load

    doc = load()(text)
    return [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == label]


@pytest.mark.parametrize(
    ("text", "date", "iso"),
    [
        ("a claim from 10/10/\n2016. The", "10/10/\n2016", "2016-10-10"),
        ("injured on 10-\n25-16. He", "10-\n25-16", "2016-10-25"),
        ("a note dated 10-30-\n2016, the", "10-30-\n2016", "2016-10-30"),
        ("Rx date 11/\n18/2016 was", "11/\n18/2016", "2016-11-18"),
    ],
)
def test_a_date_wrapped_at_a_separator_is_one_date(text, date, iso):
    from imrnlp import labels as L
    from imrnlp.pipeline import load

    doc = load()(text)
    dates = [(s.text, s._.get(L.EXT_NORM)) for s in doc.spans[L.SPANS_KEY] if s.label_ == "DATE"]
    assert dates == [(date, iso)]


@pytest.mark.parametrize("text", ["Norco 10/\n325mg #60", "take 1/\n2 tablet", "rated 7/10-\n8/10"])
def test_wrapped_numbers_that_are_no_date_stay_untagged(text):
    from imrnlp import labels as L
    from imrnlp.pipeline import load

    doc = load()(text)
    assert not [s for s in doc.spans[L.SPANS_KEY] if s.label_ == "DATE"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the MTUS part only where a year or "Guidelines" follows (annotations/README.md)
        (
            "Decision based on MTUS Opioid Treatment 2016, Section(s)",
            [("Opioid Treatment", "GUIDELINE")],
        ),
        (
            "consult the MTUS Opioids Treatment Guidelines (Tapering",
            [("Opioids Treatment", "GUIDELINE")],
        ),
        (
            "3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: Maintenance of",
            [("Opioids", "MEDICATION"), ("Opioid", "MEDICATION")],
        ),
        ("patients on chronic opioid treatment", [("opioid", "MEDICATION")]),
        (
            "an NSAID and non-opioid medications",
            [("NSAID", "MEDICATION"), ("non-opioid medications", "MEDICATION")],
        ),
    ],
)
def test_opioid_treatment_is_a_guideline_part_only_where_cited(text, expected):
    from imrnlp import labels as L
    from imrnlp.pipeline import load

    doc = load()(text)
    found = [
        (s.text, s.label_)
        for s in doc.spans[L.SPANS_KEY]
        if s.label_ in ("GUIDELINE", "MEDICATION") and s.text != "MTUS"
    ]
    assert sorted(found, key=lambda x: text.index(x[0])) == expected


def test_a_treatment_in_a_section_list_is_a_procedure():
    """The guide: after "Section(s):", a treatment named gets its label."""
    from imrnlp import labels as L
    from imrnlp.pipeline import load

    doc = load()("Chronic Pain Medical Treatment 2016, Section(s): Physical medicine treatment.")
    found = [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "PROCEDURE"]
    assert found == ["Physical medicine treatment"]


@pytest.mark.parametrize(
    ("text", "procedures", "perioperative"),
    [
        ("Pre-op Clearance: Upheld", ["Clearance"], ["Pre-op"]),
        ("postoperative physical therapy", ["physical therapy"], ["postoperative"]),
        ("Preoperative lab testing.", ["lab testing"], ["Preoperative"]),
        ('the requested "Pre-\noperative EKG" is', ["EKG"], ["Pre-\noperative"]),
        ("during the immediate post-operative period", [], ["post-operative"]),
    ],
)
def test_a_perioperative_modifier_is_a_field_not_a_procedure(text, procedures, perioperative):
    """The guide: "Pre-op", "preoperative", "postoperative" are modifiers, not PROCEDURE, alone or
    inside a PROCEDURE span; the category reads them as PERIOPERATIVE fields."""
    from imrnlp.pipeline import load

    doc = load()(text)
    found = [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "PROCEDURE"]
    fields = [s.text for s in doc.spans[L.FIELDS_KEY] if s.label_ == L.PERIOPERATIVE]
    assert (found, fields) == (procedures, perioperative)


@pytest.mark.parametrize(
    "text", ["for post-operative pain management", "with postoperative changes"]
)
def test_postoperative_pain_and_changes_are_conditions(text):
    from imrnlp.pipeline import load

    doc = load()(text)
    found = [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"]
    assert found == [" ".join(text.split()[1:3])]


@pytest.mark.parametrize(
    ("word", "plural"),
    [("injection", "injections"), ("surgery", "surgeries"), ("brush", "brushes"), ("day", "days")],
)
def test_english_plural(word, plural):
    from imrnlp.plurals import plural as make

    assert make(word) == plural


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("two epidural steroid injections were given", ["epidural steroid injections"]),
        ("prior urine drug screens were consistent", ["urine drug screens"]),
        ("the ESIs and surgeries", ["ESIs", "surgeries"]),
        ("the MRI's were reviewed", ["MRI's"]),
        ("further evaluations", []),  # a generic word the guide leaves untagged
        ("bilateral CTS", []),  # carpal tunnel syndrome, not the plural of CT
        ("she assists with chores", []),  # a verb
    ],
)
def test_a_procedure_rule_also_finds_its_plural(text, found):
    from imrnlp.pipeline import load

    doc = load()(text)
    assert [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "PROCEDURE"] == found


def test_a_condition_rule_also_finds_its_plural_but_a_list_is_not_one_phrase():
    from imrnlp.plurals import with_plurals

    rows = [
        {"label": "DIAGNOSIS", "id": "d", "pattern": "inguinal hernia"},
        {"label": "DIAGNOSIS", "id": "d", "pattern": "sprain / strain"},
        {"label": "DATE", "id": "x", "pattern": "today"},
    ]
    added = [r["pattern"] for r in with_plurals(rows)[len(rows) :]]
    assert added == ["inguinal hernias"]


def test_red_flag_conditions_in_guideline_text_are_diagnoses():
    """The guide: a named condition is DIAGNOSIS also in quoted guideline text."""
    from imrnlp.pipeline import load

    doc = load()("red-flag diagnoses including tumor, infection, fracture, or cauda equina")
    found = {(s.start, s.text) for s in doc.spans[L.SPANS_KEY] if s.label_ == "DIAGNOSIS"}
    assert [text for _, text in sorted(found)] == ["tumor", "infection", "fracture", "cauda equina"]


@pytest.mark.parametrize(
    ("text", "decision", "rule"),
    [
        ("this would not be recommended", "not be recommended", "decision.not_recommended"),
        (
            "MRIs are not clinically indicated",
            "are not clinically indicated",
            "decision.not_necessary",
        ),
        ("the request is medically reasonable", "is medically reasonable", "decision.necessary"),
        (
            "Medical necessity for the requested study has not been established.",
            "Medical necessity for the requested study has not been established",
            "decision.not_necessary",
        ),
        (
            "As such, medical necessity cannot be established.",
            "medical necessity cannot be established",
            "decision.not_necessary",
        ),
    ],
)
def test_medical_necessity_conclusions_in_the_guides_wordings(text, decision, rule):
    from imrnlp.pipeline import load

    doc = load()(text)
    found = [(s.text, s.id_) for s in doc.spans[L.SPANS_KEY] if s.label_ == "DECISION"]
    assert found == [(decision, rule)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("on anticoagulants and antidepressants", ["anticoagulants", "antidepressants"]),
        ("tried anti-inflammatories", ["anti-inflammatories"]),
        (
            "nonsteroidal anti-inflammatory medications",
            ["nonsteroidal anti-inflammatory medications"],
        ),
        ("Norco and Flovent", ["Norco", "Flovent"]),
        ("an analgesic effect", []),  # a generic adjective, not a drug
    ],
)
def test_drug_classes_and_their_plurals(text, found):
    from imrnlp.pipeline import load

    doc = load()(text)
    spans = {(s.start, s.text) for s in doc.spans[L.SPANS_KEY] if s.label_ == "MEDICATION"}
    assert [t for _, t in sorted(spans)] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the CA MTUS and CA-MTUS", ["CA MTUS", "CA-MTUS"]),
        (
            "see https://www.cms.gov/Regulations-and-\nGuidance/Transmittals/R148CIM.pdf for",
            ["https://www.cms.gov/Regulations-and-\nGuidance/Transmittals/R148CIM.pdf"],
        ),
        (
            "at https://www.odg.com/\nodg/treatment.htm The",
            ["https://www.odg.com/\nodg/treatment.htm"],
        ),
        ("at https://www.odg.com/\nThe patient", ["https://www.odg.com/"]),  # a new sentence
    ],
)
def test_guideline_names_and_web_addresses_wrapped_over_lines(text, found):
    from imrnlp.pipeline import load

    doc = load()(text)
    assert [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "GUIDELINE"] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Decision based on ODG Physical Therapy Guidelines. Physical therapy 6 visits",
            ["Physical therapy"],
        ),
        ("The RFA (request for authorization) dated 11/2/2016 asked for RFA at L4-5", ["RFA"]),
        ("advised to consult the MTUS; an assistant surgeon", ["assistant surgeon"]),
        ("avoid prolonged bed rest; a hospital bed", ["hospital bed"]),
        ("Certification(s)/Specialty: Orthopedic Surgery\nShoulder surgery", ["surgery"]),
        (
            "Complaints 2004, Section(s): Initial Care, Follow-up Visits, and\n2 follow-up visits",
            ["follow-up"],
        ),
        (
            "apply to all conditions under Physical Therapy in the ODG Preface. 6 physical therapy",
            ["physical therapy"],
        ),
    ],
)
def test_a_procedure_word_in_a_context_the_noise_rules_list_is_no_procedure(text, found):
    from imrnlp.pipeline import load

    doc = load()(text)
    assert [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "PROCEDURE"] == found


def test_noise_rules_name_known_labels_and_conditions():
    from imrnlp.filters import package_filter

    conditions = {"label", "id", "text", "next", "previous", "on_line_after", "why"}
    ids = {row["id"] for row in resources.entity_patterns()}
    rules = package_filter().rows["noise"]
    assert rules
    for rule in rules:
        assert rule["label"] in L.ENTITY_LABELS
        assert set(rule) <= conditions and rule["why"], rule
        assert rule.get("id", next(iter(ids))) in ids, rule


@pytest.mark.parametrize(
    ("text", "procedures"),
    [
        # a span right before a generic service word names that service (patterns/joins.jsonl)
        (
            "Request for platelet-rich plasma injection of the knee",
            ["platelet-rich plasma injection"],
        ),
        ("He underwent arthroscopic repair in 2015.", ["arthroscopic repair"]),
        ("a hearing aid\nevaluation was requested", ["hearing aid\nevaluation"]),
        # two whole services side by side stay two
        (
            "Acute inpatient rehabilitation physical therapy",
            ["Acute inpatient rehabilitation", "physical therapy"],
        ),
        ("PT/OT three times a week", ["PT", "OT"]),
    ],
)
def test_a_procedure_before_a_generic_service_word_is_one_service(text, procedures):
    found = _found(text, "PROCEDURE")
    assert all(p in found for p in procedures), found
    assert not [f for f in found if f not in procedures and any(f in p for p in procedures)]


def test_join_rules_name_known_labels_and_heads():
    from imrnlp import labels as L
    from imrnlp.filters import package_filter

    rules = package_filter().heads
    assert rules and set(rules) <= set(L.ENTITY_LABELS)
    assert all(rule_id and heads for rule_id, heads in rules.values())
    # a site list's words come from the rules it names, in the file its ids name
    lists = package_filter().site_lists
    assert lists and all(
        r.label in L.ENTITY_LABELS and {"neck", "shoulder"} <= r.sites for r in lists
    )
    assert all(not r.sites & {"acute", "chronic"} for r in lists)
    # an affix rule extends spans of rules that exist
    ids = {row["id"] for row in resources.entity_patterns()}
    affixes = package_filter().affixes
    assert affixes and all(label in L.ENTITY_LABELS for label in affixes)
    assert all(r.of_ids is None or r.of_ids <= ids for r in affixes.values())
    assert all(r.suffixes or r.prefixes for r in affixes.values())


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a release modifier or form after a drug name, a salt name too, over a line break too
        ("Oxycodone HCL ER 20mg #60", ["Oxycodone HCL ER"]),
        ("Norco ER and a lidocaine\npatch, and", ["Norco ER", "lidocaine\npatch"]),
        # not after a drug class
        ("opioid patch", ["opioid"]),
    ],
)
def test_a_release_modifier_or_form_after_a_drug_name_is_part_of_it(text, found):
    assert _found(text, "MEDICATION") == found


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # a list of sites joined by "and"/"or" before a condition word is one condition
        (
            "complaints of neck, mid back and low back pain today",
            "neck, mid back and low back pain",
        ),
        ("treated for right foot and right shoulder pain.", "right foot and right shoulder pain"),
        ("to exclude associated tendon and ligament tear.", "tendon and ligament tear"),
        # not a course ("subacute or chronic"), a comma-only list of items, a place after a
        # symptom, nor the sites of the condition before ("sprain of ligaments of ...")
        ("select patients with subacute or chronic hip pain", "chronic hip pain"),
        ("strain of muscle of wrist, low back strain, and", "low back strain"),
        ("numbness along right arm and back pain from neck", "back pain"),
        ("sprain of ligaments of cervical spine and lumbar sprain.", "lumbar sprain"),
    ],
)
def test_a_list_of_sites_shares_the_condition_after_it(text, span):
    found = _found(text, "DIAGNOSIS")
    assert span in found, found
    assert not [f for f in found if f != span and f.endswith(span)], found


@pytest.mark.parametrize(
    ("text", "span", "rule_id"),
    [
        # the specialty a visit is for belongs to the service, over a line wrap too
        (
            "Request for hearing evaluation",
            "hearing evaluation",
            "procedure.evaluation_management.visit",
        ),
        (
            "an ortho spine surgeon eval is",
            "ortho spine surgeon eval",
            "procedure.evaluation_management.visit",
        ),
        (
            "a spine\nsurgeon evaluation",
            "spine\nsurgeon evaluation",
            "procedure.evaluation_management.visit",
        ),
        ("1 psych consultation", "psych consultation", "procedure.psychological.psych"),
        (
            "Psychosocial evaluations should",
            "Psychosocial evaluations",
            "procedure.psychological.psych",
        ),
    ],
)
def test_a_visit_takes_the_specialty_before_it(text, span, rule_id):
    from imrnlp import labels as L
    from imrnlp.pipeline import load

    doc = load()(text)
    found = {s.text: s.id_ for s in doc.spans[L.SPANS_KEY] if s.label_ == "PROCEDURE"}
    assert found == {span: rule_id}


@pytest.mark.parametrize(
    "text",
    [
        "she is to undergo umbilical hernia repair next month",
        "splinting beyond 48 hours following CTS release",
        "durable medical equipment fracture boot, home exercise",
    ],
)
def test_a_condition_naming_its_treatment_is_no_diagnosis(text):
    assert _found(text, "DIAGNOSIS") == []


def test_a_decision_hyphenated_over_a_line_break_is_one_decision():
    assert _found("the request for an MRI is non-\ncertified.", "DECISION") == ["non-\ncertified"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Lidoderm is only FDA approved for post-herpetic neuralgia.", []),
        ("Zofran is FDA-\napproved for postoperative use.", []),
        ("effective for their approved indications including", []),
        ("6 visits was approved by the Claims Administrator.", ["approved"]),
    ],
)
def test_an_fda_approval_is_no_decision(text, found):
    assert _found(text, "DECISION") == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a section number is no web address; the eye is the MTUS part only as its title
        ("MTUS Opioid Treatment 2016, Section(s): 3.3.1.1 Opioids", ["MTUS", "Opioid Treatment"]),
        ("an eye witness told him that his eye was open", []),
        ("ACOEM Guidelines, Chapter 15, Eye", ["ACOEM", "Chapter 15", "Eye"]),
        # a body part's complaints in quoted guideline text is no MTUS part; as cited it is
        ("recommend the routine use of MRI with low back complaints", []),
        ("not needed to evaluate most knee complaints until", []),
        ("The ACOEM chapter on low back complaints", ["ACOEM", "low back complaints"]),
    ],
)
def test_guideline_rules_leave_numbers_and_quoted_complaints_out(text, found):
    from imrnlp.pipeline import load

    doc = load()(text)
    assert [s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == "GUIDELINE"] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a device worn on a body site is named with the site, not with the side
        (
            "a right shoulder brace and a lumbar spine support",
            ["shoulder brace", "lumbar spine support"],
        ),
        ("Ankle Movement Boot and knee immobilizer", ["knee immobilizer"]),
        # a splint is taken alone, as the annotations take it
        ("right hand and forearm splint", ["splint"]),
    ],
)
def test_a_device_takes_the_body_site_before_it(text, found):
    assert _found(text, "PROCEDURE") == found


@pytest.mark.parametrize(
    ("text", "span", "rule_id"),
    [
        # the kind of a service before it and a generic word after it belong to the service,
        # which keeps its rule id (so its item category)
        ("Extracorporeal shock wave therapy", "Extracorporeal shock wave therapy", "eswt"),
        ("Low-Level Laser Therapy x 6", "Low-Level Laser Therapy", "eswt"),
        ("a three phase\nbone scan", "three phase\nbone scan", "bone_scan"),
        ("a toxicology screen", "toxicology screen", "diagnostic_test.other"),
        ("nerve conduction velocity studies", "nerve conduction velocity studies", "emg_ncv"),
        ("follow up care", "follow up care", "evaluation_management.visit"),
    ],
)
def test_a_service_takes_its_kind_and_generic_word(text, span, rule_id):
    from imrnlp.pipeline import load

    doc = load()(text)
    found = [(s.text, s.id_) for s in doc.spans[L.SPANS_KEY] if s.label_ == "PROCEDURE"]
    assert len(found) == 1 and found[0][0] == span and found[0][1].endswith(rule_id), found


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # the side, site, nerve and kind words before a condition belong to it
        ("moderate left neural foraminal narrowing at L4-5", "left neural foraminal narrowing"),
        ("diagnosed with bilateral hearing loss", "bilateral hearing loss"),
        ("evidence of ulnar nerve entrapment", "ulnar nerve entrapment"),
        ("repair of an umbilical hernia", "umbilical hernia"),
        ("with a right-sided pars defect", "right-sided pars defect"),
    ],
)
def test_a_condition_takes_the_modifiers_before_it(text, span):
    found = _found(text, "DIAGNOSIS")
    assert span in found and not [f for f in found if f != span and span.endswith(f)], found


def test_a_guidelines_chapter_is_not_taken_into_the_condition_after_it():
    text = "Decision based on Non-MTUS Citation ODG Neck Cervicogenic headache"
    assert _found(text, "DIAGNOSIS") == ["Cervicogenic headache"]
