"""Drug requests read into `Medication`: names, ingredients, strengths, forms, flags."""

from __future__ import annotations

import pytest

import imrnlp
from imrnlp.drugs import vocabulary
from imrnlp.labels import DRUG_CLASSES
from imrnlp.record import Item

from .conftest import one_item_letter

GUIDE = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): {}."


def _letter(request: str, section: str = "Medications for chronic pain") -> str:
    return one_item_letter(request, GUIDE.format(section))


def _item(request: str, section: str = "Medications for chronic pain") -> Item:
    record = imrnlp.extract(_letter(request, section))
    assert len(record.items) == 1, record.warnings
    return record.items[0]


@pytest.mark.parametrize(
    ("request_", "name", "ingredients", "strengths", "quantity"),
    [
        (
            "Norco 7.5-325mg #112",
            "Norco",
            ["hydrocodone", "acetaminophen"],
            ["7.5mg", "325mg"],
            112,
        ),
        ("Norco 10/325mg #120", "Norco", ["hydrocodone", "acetaminophen"], ["10mg", "325mg"], 120),
        ("Diazepam (Valium) 5mg #30", "Diazepam (Valium)", ["diazepam"], ["5mg"], 30),
        ("Tramadol HCL ER 150 mg QTY: 30", "Tramadol HCL ER", ["tramadol"], ["150mg"], 30),
        ("Lidoderm 5% patch #30", "Lidoderm", ["lidocaine"], ["5%"], 30),
        ("Tylenol #3 #60", "Tylenol #3", ["acetaminophen", "codeine"], [], 60),
        (
            "Diclofenac/misoprostol 75-0.2mg #60",
            "Diclofenac/misoprostol",
            ["diclofenac", "misoprostol"],
            ["75mg", "0.2mg"],
            60,
        ),
    ],
)
def test_names_ingredients_strengths(request_, name, ingredients, strengths, quantity):
    item = _item(request_)
    med = item.medication
    assert item.category == "medication" and med is not None
    assert (med.name, med.ingredients, med.strengths, med.quantity) == (
        name,
        ingredients,
        strengths,
        quantity,
    )
    assert med.known


def test_opioid_flag_and_classes():
    med = _item("Percocet 5/325mg #60").medication
    assert med.opioid and med.drug_classes == ["opioid", "non_opioid_analgesic"]
    assert not _item("Cyclobenzaprine 7.5mg #60").medication.opioid


def test_a_transdermal_opioid_is_no_topical_analgesic():
    med = _item("Butrans 10mcg/hr patch #4").medication
    assert med.opioid and med.form == "patch" and med.route == "transdermal"
    assert "topical_analgesic" not in med.drug_classes


def test_pharmacy_mixture_is_compounded():
    med = _item("Ketoprofen 20%/Baclofen 2%/Lidocaine 5% cream 240gm").medication
    assert med.compounded and med.ingredients == ["ketoprofen", "baclofen", "lidocaine"]
    assert med.strengths == ["20%", "2%", "5%"] and med.form == "cream"
    assert (med.quantity, med.quantity_value, med.quantity_unit) == (None, 240.0, "g")
    assert med.drug_classes[:2] == ["nsaid", "topical_analgesic"]


def test_commercial_combination_written_as_two_names_is_not_compounded():
    med = _item("Hydrocodone/APAP 10/325mg #90").medication
    assert med.ingredients == ["hydrocodone", "acetaminophen"] and not med.compounded


def test_compounded_kit_and_the_word_compound():
    med = _item("Synapryn (10mg/1ml oral suspension) 500ml").medication
    assert med.compounded and med.form == "oral suspension" and med.route == "oral"
    assert med.strength == "10mg/1ml" and (med.quantity_value, med.quantity_unit) == (500, "ml")
    assert _item("Compound Ketoprofen 20%, 240 grams").medication.compounded


def test_an_unknown_drug_is_still_a_drug():
    item = _item("Zorblax 50mg #30")
    assert item.category == "medication"
    med = item.medication
    assert (med.name, med.known, med.ingredients, med.quantity) == ("Zorblax", False, [], 30)
    assert item.category_evidence.rule_id == "category.request.drug_cue"
    assert _item("Painaway cream 120gm").category == "medication"


def test_a_drug_named_only_by_its_guideline_is_a_drug():
    item = _item("Unknownium", "Opioids, criteria for use")
    assert item.category == "medication" and item.medication.name == "Unknownium"
    assert item.category_evidence.rule_id == "category.guideline.section.opioids"


def test_vocabulary_rows_are_complete():
    vocab = vocabulary()
    assert len(vocab.by_name) > 500
    for drug in vocab.by_name.values():
        assert drug.source, drug.key  # every composition says where it comes from
        assert all(i in vocab.ingredient_classes for i in drug.ingredients), drug.key
    for classes in vocab.ingredient_classes.values():
        assert set(classes) <= set(DRUG_CLASSES)


@pytest.mark.parametrize(
    ("name", "ingredients"),
    [
        ("Flexeril", ["cyclobenzaprine"]),
        ("soma", ["carisoprodol"]),
        ("Ms - Contin", ["morphine"]),
        ("cyclobenzaprine hydrochloride", ["cyclobenzaprine"]),
        ("Nucynta ER", ["tapentadol"]),
    ],
)
def test_vocabulary_lookup(name, ingredients):
    drug = vocabulary().lookup(name)
    assert drug is not None and list(drug.ingredients) == ingredients


def test_a_combination_in_one_span_is_read_as_its_parts():
    """A trained model tags "Diclofenac/misoprostol" as one span where the rules find two."""
    from spacy.tokens import Span

    from imrnlp.medication import parse_medication

    nlp = imrnlp.load()
    text = "Diclofenac/misoprostol 75-0.2mg #60"
    doc = nlp.make_doc(text)
    span = doc.char_span(0, len("Diclofenac/misoprostol"), label="MEDICATION")
    assert span is not None
    med = parse_medication(text, doc[:], [Span(doc, span.start, span.end, label="MEDICATION")], [])
    assert med is not None
    assert med.ingredients == ["diclofenac", "misoprostol"]
    assert "nsaid" in med.drug_classes and med.known
