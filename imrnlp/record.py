"""The typed case record of one IMR letter (pydantic v2). Imports nothing from spaCy.

JSON field names are a contract: fields may be added, none renamed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    model_validator,
)

from .labels import Assertion, Category, CategorySource, DateRole, DrugClass

SCHEMA_VERSION: Literal["2"] = "2"

#: A date the letter gives to the month only ('10/2016'): 'YYYY-MM'. Whole dates are
#: `datetime.date`, written as ISO strings in JSON.
YearMonth = Annotated[str, StringConstraints(pattern=r"^\d{4}-(?:0[1-9]|1[0-2])$")]

GuidelineKind = Literal["mtus", "non_mtus", "mtus+non_mtus", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """Where a value came from: character offsets into the text given to `extract`."""

    start: int = Field(description="Offset of the first character of the evidence.")
    end: int = Field(description="Offset one past the last character of the evidence.")
    text: str = Field(description="The evidence text, text[start:end].")
    rule_id: str | None = Field(
        default=None, description="Id of the rule (or model) that produced the evidence."
    )


class Reviewer(_Model):
    licensure: list[str] = Field(
        default_factory=list, description="States of licensure, in letter order, as written."
    )
    specialty: str | None = Field(
        default=None, description="Certification(s)/specialty as written."
    )
    evidence: Evidence | None = Field(default=None, description="The credentials lines.")


class Patient(_Model):
    age: int | None = Field(default=None, description="Age in years at the time of the summary.")
    sex: Literal["male", "female"] | None = Field(default=None, description="Sex as stated.")
    evidence: Evidence | None = Field(default=None, description="Where age and sex were read.")


class Diagnosis(_Model):
    text: str = Field(description="The diagnosis as written, list number and final period dropped.")
    assertion: Assertion = Field(description="present, uncertain, negated or historical.")
    date: dt.date | YearMonth | None = Field(
        default=None,
        description="Date of the listing report, ISO ('YYYY-MM' to the month), if given.",
    )
    evidence: Evidence = Field(description="Where the diagnosis was read.")


class Medication(_Model):
    name: str = Field(
        description="Drug name as written, without strength, form or quantity ('Diclofenac ER')."
    )
    ingredients: list[str] = Field(
        default_factory=list,
        description="Active ingredients, generic names, lower case, in the product's order "
        "('Norco' -> ['hydrocodone', 'acetaminophen']); empty when the name is not known.",
    )
    strength: str | None = Field(
        default=None, description="The first strength as written ('10/325mg')."
    )
    strengths: list[str] = Field(
        default_factory=list,
        description="One strength per ingredient, where the letter gives them ('10mg', '325mg').",
    )
    form: str | None = Field(
        default=None, description="Dose form: tablet, capsule, cream, gel, patch, ... (canonical)."
    )
    route: str | None = Field(
        default=None,
        description="Route as written, or implied by the form: oral, topical, transdermal, ...",
    )
    quantity: int | None = Field(default=None, description="Count after '#' or 'QTY'.")
    quantity_value: float | None = Field(
        default=None, description="The amount requested, parsed: 60 for '#60', 120 for '120 gm'."
    )
    quantity_unit: str | None = Field(
        default=None, description="Unit of quantity_value: 'count', 'g', 'ml', 'oz', ..."
    )
    opioid: bool = Field(
        default=False, description="Any ingredient is an opioid agonist or partial agonist."
    )
    compounded: bool = Field(
        default=False,
        description="Called a compound, a pharmacy mixture of separately named drugs, or a known "
        "compounded kit; commercial fixed combinations are not.",
    )
    drug_classes: list[DrugClass] = Field(
        default_factory=list, description="Drug classes (one vocabulary, ATC-aligned)."
    )
    known: bool = Field(
        default=False, description="Whether the drug vocabulary resolved every name."
    )
    vocabulary_source: list[str] = Field(
        default_factory=list,
        description="Where the vocabulary's composition of the product comes from.",
    )
    evidence: Evidence | None = Field(default=None, description="The medication span.")


class Citation(_Model):
    mtus: bool = Field(description="Whether this is an MTUS citation.")
    source: str = Field(description="'MTUS', 'ACOEM', 'ODG', 'UpToDate', 'URL' or the name cited.")
    part: str | None = Field(
        default=None, description="MTUS part as written ('Low Back Complaints')."
    )
    chapter: str | None = Field(default=None, description="ACOEM chapter number, as written.")
    year: int | None = Field(default=None, description="Edition year cited.")
    sections: list[str] = Field(default_factory=list, description="Section(s) cited.")
    pages: list[str] = Field(default_factory=list, description="Page(s) cited.")
    url: str | None = Field(default=None, description="Web address cited, line breaks removed.")
    text: str = Field(description="The citation as written, whitespace collapsed.")
    evidence: Evidence | None = Field(default=None, description="Where the citation was read.")


class Guideline(_Model):
    kind: GuidelineKind = Field(description="mtus, non_mtus, mtus+non_mtus, or none.")
    citations: list[Citation] = Field(default_factory=list, description="Citations, in order.")
    evidence: Evidence | None = Field(default=None, description="The guideline block.")


class Item(_Model):
    request: str = Field(description="The disputed item as headed (remaining portion if partial).")
    request_evidence: Evidence | None = Field(default=None, description="Where the request is.")
    decision: Literal["upheld", "overturned"] = Field(description="The IMR decision.")
    decision_evidence: Evidence | None = Field(
        default=None, description="The words that state the decision (': Upheld')."
    )
    category: Category = Field(description="Kind of treatment requested.")
    category_evidence: Evidence | None = Field(
        default=None,
        description="The cue that decided the category; its rule_id says which kind "
        "(category.request..., category.guideline..., category.rationale...); the whole item, "
        "rule_id category.model, when the category model decided.",
    )
    category_source: CategorySource = Field(
        default="rules",
        description="Who decided the category: the rules, or the trained category model "
        "(only in a pipeline trained with `imrnlp train --category`).",
    )
    category_confidence: float | None = Field(
        default=None,
        description="The category model's probability for the category, when the model decided.",
    )
    medication: Medication | None = Field(default=None, description="The drug, for medications.")
    procedures: list[str] = Field(
        default_factory=list, description="Procedures named in the request."
    )
    levels: list[str] = Field(default_factory=list, description="Spine levels, canonical form.")
    laterality: Literal["bilateral", "left", "right"] | None = Field(
        default=None, description="Side named in the request."
    )
    partial: bool = Field(default=False, description="Partial authorization by the administrator.")
    original_request: str | None = Field(default=None, description="Original request, if partial.")
    authorized: str | None = Field(default=None, description="What was authorized, if partial.")
    claims_administrator_guideline: Guideline | None = Field(
        default=None, description="The guideline the claims administrator based the denial on."
    )
    reviewer_guideline: Guideline | None = Field(
        default=None, description="The guideline the expert reviewer based the decision on."
    )
    rationale: str | None = Field(default=None, description="The decision rationale text.")
    conclusion: str | None = Field(
        default=None, description="The rationale sentence that states medical necessity."
    )
    conclusion_evidence: Evidence | None = Field(
        default=None, description="Where the conclusion sentence is."
    )
    evidence: Evidence = Field(description="The whole item block.")

    @model_validator(mode="before")
    @classmethod
    def _derived_on_input(cls, data: Any) -> Any:
        """A record read back from JSON carries `medically_necessary`; it is derived, so it is
        dropped here, and must agree with the decision."""
        if isinstance(data, dict) and "medically_necessary" in data:
            data = dict(data)
            given = data.pop("medically_necessary")
            if given != (data.get("decision") == "overturned"):
                raise ValueError("medically_necessary must be true exactly when overturned")
        return data

    @computed_field(description="True when the denial was overturned (derived from decision).")  # type: ignore[prop-decorator]
    @property
    def medically_necessary(self) -> bool:
        return self.decision == "overturned"


class Abbreviation(_Model):
    short: str = Field(description="The abbreviation ('EMG').")
    long: str = Field(description="What the letter says it stands for ('electromyography').")
    evidence: Evidence = Field(description="Where the letter defines it (its long form).")


class DateMention(_Model):
    text: str = Field(description="The date as written.")
    value: dt.date | YearMonth | None = Field(
        description="ISO date ('YYYY-MM' for a month and year), or null when the text is not a "
        "valid date."
    )
    role: DateRole = Field(description="What the date is the date of.")
    evidence: Evidence = Field(description="Where the date was read.")


class Entity(_Model):
    label: str = Field(description="Entity label (DATE, DIAGNOSIS, ...).")
    text: str = Field(description="Entity text.")
    start: int = Field(description="Character offset of the start.")
    end: int = Field(description="Character offset of the end.")
    rule_id: str | None = Field(
        default=None,
        description=(
            "Rule id. For a span a trained model tagged (source 'model'): the id of the longest "
            "rule span of its label it overlaps, else 'model'."
        ),
    )
    source: Literal["rules", "model"] = Field(description="Who tagged the span.")


class OcrInfo(_Model):
    """How a letter without a text layer was read from its page images."""

    engine: str = Field(description="The OCR engine and its version ('tesseract 5.3.0').")
    pages: list[int] = Field(description="The pages read by OCR, numbered from 1.")
    page_count: int = Field(description="Pages in the letter file.")
    mean_confidence: float = Field(
        description="Mean word confidence of the OCR pages, 0-1, weighted by characters."
    )
    page_confidence: list[float] = Field(
        default_factory=list, description="Mean word confidence of each page in `pages`, 0-1."
    )
    repairs: int = Field(
        default=0, description="Case numbers and dates repaired in the OCR text (see warnings)."
    )


class CaseRecord(_Model):
    """One IMR letter as data."""

    schema_version: Literal["2"] = Field(
        default=SCHEMA_VERSION, description="Record schema version."
    )
    imrnlp_version: str | None = Field(default=None, description="imrnlp version that made it.")
    source: str | None = Field(
        default=None, description="Path of the letter, when read from a file."
    )
    layout: str = Field(description="Letter layout recognised ('dwc-2016', 'imr-2015', ...).")
    case_number: str | None = Field(default=None, description="IMR case number, 'CM16-0235991'.")
    date_assigned: dt.date | None = Field(default=None, description="Date assigned, ISO.")
    decision_date: dt.date | None = Field(default=None, description="Decision date, ISO.")
    date_of_injury: dt.date | None = Field(default=None, description="Date of injury, ISO.")
    ur_denial_date: dt.date | None = Field(
        default=None, description="Utilization review denial, ISO."
    )
    application_received: dt.date | None = Field(default=None, description="Application date, ISO.")
    priority: Literal["Standard", "Expedited"] | None = Field(default=None, description="Priority.")
    reviewer: Reviewer = Field(default_factory=Reviewer, description="Expert reviewer credentials.")
    patient: Patient = Field(default_factory=Patient, description="The injured worker.")
    diagnoses: list[Diagnosis] = Field(default_factory=list, description="Diagnoses listed.")
    items: list[Item] = Field(default_factory=list, description="Disputed items, in letter order.")
    dates: list[DateMention] = Field(default_factory=list, description="Every date, with its role.")
    entities: list[Entity] = Field(default_factory=list, description="Every entity span.")
    abbreviations: list[Abbreviation] = Field(
        default_factory=list, description="Abbreviations the letter defines, first definition."
    )
    field_evidence: dict[str, Evidence] = Field(
        default_factory=dict, description="Evidence of each header field, by field name."
    )
    ocr: OcrInfo | None = Field(
        default=None,
        description="Set when pages were read from their images by OCR (evidence offsets then "
        "point into the OCR text).",
    )
    warnings: list[str] = Field(default_factory=list, description="What could not be read cleanly.")
