"""The record's JSON Schema is a contract: the checked-in copy matches the models."""

from __future__ import annotations

import json

from imrnlp import CaseRecord

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
