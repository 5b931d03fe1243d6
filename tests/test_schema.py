"""The record's JSON Schema is a contract: the checked-in copy matches the models."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

import imrnlp
from imrnlp import CaseRecord
from imrnlp.record import SCHEMA_VERSION, DateMention, Item

from .conftest import REPO


def test_checked_in_schema_matches_the_models():
    checked_in = json.loads((REPO / "schema" / "case-record.schema.json").read_text("utf8"))
    assert checked_in == CaseRecord.model_json_schema(mode="serialization"), (
        "the record changed: review it, then run `imrnlp schema > schema/case-record.schema.json`"
    )


def test_contract_field_names():
    fields = set(CaseRecord.model_fields)
    for name in (
        "schema_version",
        "source",
        "layout",
        "case_number",
        "date_assigned",
        "decision_date",
        "date_of_injury",
        "ur_denial_date",
        "application_received",
        "priority",
        "reviewer",
        "patient",
        "diagnoses",
        "items",
        "dates",
        "entities",
        "warnings",
    ):
        assert name in fields


@pytest.fixture(scope="module")
def sample(sample_text) -> CaseRecord:
    return imrnlp.extract(sample_text)


def _item(decision: str) -> dict:
    ev = {"start": 0, "end": 4, "text": "Cane"}
    return {"request": "Cane", "decision": decision, "category": "other", "evidence": ev}


@pytest.mark.parametrize(("decision", "necessary"), [("upheld", False), ("overturned", True)])
def test_medically_necessary_is_derived_from_the_decision(decision: str, necessary: bool):
    item = Item(**_item(decision))
    assert item.medically_necessary is necessary
    assert item.model_dump(mode="json")["medically_necessary"] is necessary


def test_medically_necessary_is_in_the_schema_as_written():
    schema = CaseRecord.model_json_schema(mode="serialization")
    assert "medically_necessary" in schema["$defs"]["Item"]["properties"]
    assert "medically_necessary" in schema["$defs"]["Item"]["required"]


def test_a_record_read_back_from_its_json_is_the_same(sample):
    assert CaseRecord.model_validate_json(sample.model_dump_json()) == sample
    with pytest.raises(ValidationError, match="medically_necessary"):
        Item.model_validate({**_item("upheld"), "medically_necessary": True})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-10-13", dt.date(2016, 10, 13)),
        ("2016-10", "2016-10"),  # a month and year stays a string
        (None, None),
    ],
)
def test_date_values(value, expected):
    ev = {"start": 0, "end": 1, "text": "x"}
    mention = DateMention(text="x", value=value, role="other", evidence=ev)
    assert mention.value == expected
    assert mention.model_dump(mode="json")["value"] == value


@pytest.mark.parametrize("value", ["2016-13", "2016-10-32", "10/2016", "2016"])
def test_bad_date_values_are_refused(value):
    ev = {"start": 0, "end": 1, "text": "x"}
    with pytest.raises(ValidationError):
        DateMention(text="x", value=value, role="other", evidence=ev)


def test_header_dates_are_dates(sample):
    assert isinstance(sample.decision_date, dt.date)
    assert sample.model_dump(mode="json")["decision_date"] == sample.decision_date.isoformat()
    assert sample.schema_version == SCHEMA_VERSION == "2"
